/**
 * `hypernote install`: writes the kernelspec directory Jupyter finds kernels by.
 * Spec: jupyter_client docs/kernels.rst, "Kernel specs" (kernel.json fields, logos) and the
 * kernelspec locations: --user → $JUPYTER_DATA_DIR or ~/.local/share/jupyter, --prefix P →
 * P/share/jupyter, --sys-prefix → the Python environment's prefix, default → /usr/local/share/jupyter.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LOGO_SVG, logoPng } from "./logo.js";

export const KERNEL_NAME = "hypernote";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "message" | "signal";
  metadata: Record<string, unknown>;
}

/**
 * argv runs this very node binary (absolute path: tslab#70, Jupyter otherwise runs whichever
 * node is first on its PATH) on this package's CLI. interrupt_mode "message" sends
 * interrupt_request on control instead of SIGINT to the process group, so an interrupt stops an
 * emulator run between operations rather than wherever the signal lands.
 */
export function kernelSpec(displayName = "TypeScript (hypernote)"): KernelSpec {
  const cli = fileURLToPath(new URL("./cli.js", import.meta.url));
  return {
    argv: [process.execPath, cli, "kernel", "-f", "{connection_file}"],
    display_name: displayName,
    language: "typescript",
    interrupt_mode: "message",
    metadata: { hypernote: { node: process.version } },
  };
}

export function kernelsDir(where: { user?: boolean; prefix?: string; sysPrefix?: boolean }): string {
  if (where.prefix !== undefined) return join(where.prefix, "share", "jupyter", "kernels");
  if (where.user === true) return join(process.env.JUPYTER_DATA_DIR ?? join(homedir(), ".local", "share", "jupyter"), "kernels");
  if (where.sysPrefix === true) {
    const python = process.env.PYTHON ?? "python3";
    const prefix = execFileSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
    return join(prefix, "share", "jupyter", "kernels");
  }
  return "/usr/local/share/jupyter/kernels";
}

/** Writes kernel.json and the logos; returns the kernelspec directory. */
export function installKernelSpec(kernelsDirectory: string, name = KERNEL_NAME, displayName?: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`kernel name '${name}' may only contain ASCII letters, digits, '.', '_' and '-'`);
  const dir = join(kernelsDirectory, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelSpec(displayName), null, 2) + "\n");
  writeFileSync(join(dir, "logo-32x32.png"), logoPng(32));
  writeFileSync(join(dir, "logo-64x64.png"), logoPng(64));
  writeFileSync(join(dir, "logo-svg.svg"), LOGO_SVG);
  return dir;
}

export async function installCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: "boolean" },
      prefix: { type: "string" },
      "sys-prefix": { type: "boolean" },
      name: { type: "string", default: KERNEL_NAME },
      "display-name": { type: "string" },
    },
  });
  const chosen = [values.user, values.prefix !== undefined, values["sys-prefix"]].filter(Boolean).length;
  if (chosen > 1) throw new Error("install: give at most one of --user, --prefix P, --sys-prefix");
  const dir = installKernelSpec(kernelsDir({ user: values.user, prefix: values.prefix, sysPrefix: values["sys-prefix"] }), values.name, values["display-name"]);
  process.stdout.write(`installed kernelspec ${values.name} in ${dir}\n`);
  return 0;
}
