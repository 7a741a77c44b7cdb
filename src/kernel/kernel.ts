/**
 * Starts a hypernote kernel for a connection file: the socket thread first (so kernel_info is
 * answered within a few tens of milliseconds), then the interpreter and the prelude on this
 * thread while requests queue.
 */
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { ConnectionInfo, ServerConfig, ToInterpreter } from "./bridge.js";
import { Handler } from "./handler.js";
import { Interpreter } from "./interpreter.js";
import { kernelInfo } from "./kernel-info.js";
import { log } from "./log.js";
import { buildPrelude } from "./prelude.js";
import { installRuntime } from "./runtime.js";

/** Shared with the emulator (src/machine/interrupt.ts): its run loop polls this flag. */
export const INTERRUPT_KEY = Symbol.for("hypernote.interrupt");

export interface KernelOptions {
  /** Directory cells resolve modules from; the notebook's directory when Jupyter starts us. */
  rootDir?: string;
  /** How long an interrupted cell gets to stop by itself before SIGINT forces it (default 3 s). */
  interruptGraceMs?: number;
}

export async function startKernel(connectionFile: string, options: KernelOptions = {}): Promise<void> {
  // Every cell's type-check leaves megabytes of garbage (TypeScript's per-cell program) over a live
  // set of about 100 MB, and V8's default growth lets the heap reach three to four times that before
  // a full collection: 430–550 MB after 200 cells, against 270–370 MB for stock tslab. Growing by
  // 20% keeps it near 270 MB for about a fifth more CPU per cell (measured over 200 cells with the
  // kernel benchmark's client, 2026-11-25).
  setFlagsFromString("--heap-growing-percent=20");
  const connection = JSON.parse(readFileSync(connectionFile, "utf8")) as ConnectionInfo;
  const flagBuffer = new SharedArrayBuffer(4);
  const flag = new Int32Array(flagBuffer);
  (globalThis as Record<symbol, unknown>)[INTERRUPT_KEY] = flag;

  const config: ServerConfig = { connection, kernelInfo: kernelInfo(), interruptFlag: flagBuffer, interruptGraceMs: options.interruptGraceMs ?? 3000 };
  const worker = new Worker(new URL("./server-worker.js", import.meta.url), { workerData: config, stdout: false, stderr: false });

  let resolveInterp!: (i: Interpreter) => void;
  const interpreter = new Promise<Interpreter>((r) => (resolveInterp = r));
  const handler = new Handler((m) => worker.postMessage(m), interpreter, flag);
  installRuntime(handler);

  const bound = new Promise<void>((resolve, reject) => {
    worker.on("message", (m: ToInterpreter) => {
      if (m.kind === "bound") return resolve();
      if (m.kind === "failed") return reject(new Error(m.error));
      if (m.kind === "shutdown") return shutdown(interpreter, worker);
      if (m.kind === "closed") return process.exit(0);
      handler.receive(m);
    });
    worker.on("error", (e) => {
      log(`socket thread failed: ${e.stack ?? e.message}`);
      process.exit(1);
    });
  });

  process.on("SIGINT", () => {
    Atomics.store(flag, 0, 1);
    handler.interrupt();
  });
  process.on("uncaughtException", (e) => handler.reportUncaught("Uncaught exception", e));
  process.on("unhandledRejection", (e) => handler.reportUncaught("Unhandled promise rejection", e));

  await bound;
  const interp = Interpreter.create(options.rootDir ?? process.cwd());
  const prelude = await buildPrelude();
  const first = await interp.execute(prelude.code);
  if (first.status === "error") {
    log(`prelude failed, so hypernote's exports are not in scope: ${first.evalue}\n${first.traceback.join("\n")}`);
    const second = prelude.code === prelude.fallback ? first : await interp.execute(prelude.fallback);
    if (second.status === "error") log(`prelude fallback failed too: ${second.evalue}`);
  }
  // Capture only now: the prelude's own output, if any, is not a cell's.
  handler.installOutputCapture();
  resolveInterp(interp);
}

/**
 * Exit after shutdown_reply: close the interpreter, then have the socket thread flush and close
 * its sockets (exiting with ZeroMQ sockets open aborts in the native addon), then exit.
 */
function shutdown(interpreter: Promise<Interpreter>, worker: Worker): void {
  void Promise.race([interpreter, new Promise((r) => setTimeout(r, 50))]).then((i) => {
    if (i instanceof Interpreter) i.close();
    worker.postMessage({ kind: "close" });
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
