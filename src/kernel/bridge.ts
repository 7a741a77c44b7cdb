/**
 * Messages between the socket thread (server.ts, a worker) and the interpreter thread (main).
 * The socket thread owns ZeroMQ and signing; the interpreter thread never sees a frame. Content
 * crosses as plain objects (structured clone), so no JSON is encoded twice.
 */
import type { Content, Header } from "./wire.js";

/** Where a reply goes: the request's routing identities and header. */
export interface Origin {
  idents: Uint8Array[];
  header: Header;
}

export type Channel = "shell" | "control";

/** socket thread → interpreter thread */
export type ToInterpreter =
  | {
      kind: "request";
      channel: Channel;
      idents: Uint8Array[];
      header: Header;
      parent_header: Record<string, unknown>;
      metadata: Record<string, unknown>;
      content: Content;
      buffers: Uint8Array[];
      /** process.hrtime.bigint() when the frames arrived, for stop_on_error's "queued before" test */
      arrived: bigint;
    }
  | { kind: "input_reply"; value: string; parentMsgId: string }
  | { kind: "interrupt" }
  | { kind: "shutdown"; restart: boolean }
  | { kind: "bound" }
  /** the sockets are closed: the process may exit */
  | { kind: "closed" }
  | { kind: "failed"; error: string };

/** interpreter thread → socket thread */
export type ToServer =
  | { kind: "reply"; channel: Channel; origin: Origin; msgType: string; content: Content; metadata?: Record<string, unknown> }
  | { kind: "iopub"; parent: Header | Record<string, never>; msgType: string; content: Content; buffers?: Uint8Array[] }
  | { kind: "input_request"; origin: Origin; prompt: string; password: boolean }
  /** An execute started (or ended); the socket thread escalates interrupts only while one runs. */
  | { kind: "executing"; running: boolean }
  /** flush and close every socket, then answer "closed" */
  | { kind: "close" };

/** Static facts the socket thread needs to answer kernel_info without asking the interpreter. */
export interface ServerConfig {
  connection: ConnectionInfo;
  kernelInfo: Content;
  /** Int32Array(1) over this buffer: the interrupt flag (Symbol.for("hypernote.interrupt")). */
  interruptFlag: SharedArrayBuffer;
  /** How long an interrupted cell may take to stop at an emulator boundary before SIGINT forces it. */
  interruptGraceMs: number;
}

/** The connection file: jupyter_client docs/kernels.rst, "Connection files". */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}
