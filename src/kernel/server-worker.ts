/**
 * Entry point of the socket thread: binds the sockets described in workerData and relays
 * between them and the interpreter thread through parentPort.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ServerConfig } from "./bridge.js";
import { log } from "./log.js";
import { Server } from "./server.js";

if (parentPort === null) throw new Error("server-worker.js must run as a worker thread");
const server = new Server(workerData as ServerConfig, parentPort);
server.start().then(
  () => parentPort!.postMessage({ kind: "bound" }),
  (e: unknown) => {
    log(`could not bind the kernel's sockets: ${(e as Error).message}`);
    parentPort!.postMessage({ kind: "failed", error: String(e) });
  },
);
