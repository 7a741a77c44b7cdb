/**
 * `hypernote kernel -f {connection_file}`: what the kernelspec's argv runs.
 */
import { parseArgs } from "node:util";

export async function kernelCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { "connection-file": { type: "string", short: "f" }, "interrupt-grace-ms": { type: "string" } },
  });
  const file = values["connection-file"];
  if (file === undefined) throw new Error("kernel: give the connection file with -f FILE (Jupyter passes {connection_file})");
  const { startKernel } = await import("../kernel/kernel.js");
  const grace = values["interrupt-grace-ms"];
  await startKernel(file, grace === undefined ? {} : { interruptGraceMs: Number(grace) });
  // The kernel lives on in its sockets and worker; main() must not set an exit code that ends it.
  return new Promise<number>(() => {});
}
