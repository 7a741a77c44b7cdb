/**
 * Sockets, signing and heartbeat: the half of the kernel that runs in its own worker thread, so
 * that heartbeat, control (interrupt, shutdown) and kernel_info are answered while a synchronous
 * cell keeps the interpreter thread busy for minutes.
 * Spec: jupyter_client docs/messaging.rst, "Introduction" (the five sockets) and "Wire Protocol";
 * JEP 65 (iopub_welcome on an XPUB iopub socket).
 */
import * as zmq from "zeromq";
import type { MessagePort } from "node:worker_threads";
import type { ConnectionInfo, Origin, ServerConfig, ToInterpreter, ToServer } from "./bridge.js";
import { log } from "./log.js";
import { SendQueue } from "./send-queue.js";
import { decode, encode, newHeader, type Content, type Header, type Message, type Signer } from "./wire.js";
import { randomUUID } from "node:crypto";

const EMPTY = {} as Record<string, never>;
const WELCOME_POLL_MS = 20;

function endpoint(c: ConnectionInfo, port: number): string {
  return c.transport === "ipc" ? `ipc://${c.ip}-${port}` : `tcp://${c.ip}:${port}`;
}

export class Server {
  private readonly signer: Signer;
  private readonly session = randomUUID();
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.XPublisher();
  private readonly hb = new zmq.Reply();
  private readonly out: Record<"shell" | "control" | "stdin" | "iopub", SendQueue>;
  private readonly flag: Int32Array;
  private executing = false;
  private escalation: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly config: ServerConfig,
    private readonly port: MessagePort,
  ) {
    this.signer = { key: config.connection.key ?? "", scheme: config.connection.signature_scheme || "hmac-sha256" };
    this.flag = new Int32Array(config.interruptFlag);
    // Every subscription gets its own welcome, not only the first per topic (JEP 65).
    this.iopub.verbosity = "allSubs";
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.hb]) s.linger = 1000;
    this.out = {
      shell: new SendQueue(this.shell, "shell"),
      control: new SendQueue(this.control, "control"),
      stdin: new SendQueue(this.stdin, "stdin"),
      iopub: new SendQueue(this.iopub, "iopub"),
    };
  }

  async start(): Promise<void> {
    const c = this.config.connection;
    await Promise.all([
      this.shell.bind(endpoint(c, c.shell_port)),
      this.control.bind(endpoint(c, c.control_port)),
      this.stdin.bind(endpoint(c, c.stdin_port)),
      this.iopub.bind(endpoint(c, c.iopub_port)),
      this.hb.bind(endpoint(c, c.hb_port)),
    ]);
    this.port.on("message", (m: ToServer) => this.fromInterpreter(m));
    void this.heartbeat();
    this.welcome();
    void this.listen(this.shell, "shell");
    void this.listen(this.control, "control");
    void this.listenStdin();
    this.publish(EMPTY, "status", { execution_state: "starting" });
  }

  private async heartbeat(): Promise<void> {
    try {
      for await (const frames of this.hb) await this.hb.send(frames);
    } catch (e) {
      if (!this.closing) log(`heartbeat: ${(e as Error).message}`);
    }
  }

  /**
   * JEP 65: a subscription message is byte 1 + topic; answer it with iopub_welcome on that topic.
   * Polled rather than awaited: with a receive always pending on the XPUB socket, zeromq 6 was
   * seen to lose published messages (edge-triggered ZMQ_FD shared by reads and writes). Asking
   * `readable` (ZMQ_EVENTS) also makes libzmq apply pending subscriptions.
   */
  private welcome(): void {
    const timer = setInterval(() => {
      if (this.closing) return clearInterval(timer);
      void this.readSubscriptions();
    }, WELCOME_POLL_MS);
    timer.unref();
  }

  private reading = false;

  private async readSubscriptions(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.iopub.readable) {
        const [frame] = await this.iopub.receive();
        if (frame === undefined || frame[0] !== 1) continue;
        const topic = frame.subarray(1);
        this.out.iopub.send(
          encode(this.signer, {
            idents: [Buffer.from(topic)],
            header: newHeader("iopub_welcome", this.session),
            parent_header: EMPTY,
            metadata: {},
            content: { subscription: topic.toString("utf8") },
          }),
        );
      }
    } catch (e) {
      if (!this.closing) log(`iopub: ${(e as Error).message}`);
    } finally {
      this.reading = false;
    }
  }

  private async listen(socket: zmq.Router, channel: "shell" | "control"): Promise<void> {
    try {
      for await (const frames of socket) {
        const d = decode(this.signer, frames);
        if (!d.ok) {
          log(`${channel}: dropped a message: ${d.reason}`);
          continue;
        }
        if (this.replayed(frames, d.msg)) {
          log(`${channel}: dropped a message: duplicate signature (replayed)`);
          continue;
        }
        this.dispatch(channel, d.msg);
      }
    } catch (e) {
      if (!this.closing) log(`${channel}: ${(e as Error).message}`);
    }
  }

  private async listenStdin(): Promise<void> {
    try {
      for await (const frames of this.stdin) {
        const d = decode(this.signer, frames);
        if (!d.ok) {
          log(`stdin: dropped a message: ${d.reason}`);
          continue;
        }
        if (d.msg.header.msg_type !== "input_reply") {
          log(`stdin: unexpected ${d.msg.header.msg_type}`);
          continue;
        }
        const parent = d.msg.parent_header as Partial<Header>;
        this.toInterpreter({ kind: "input_reply", value: String(d.msg.content.value ?? ""), parentMsgId: parent.msg_id ?? "" });
      }
    } catch (e) {
      if (!this.closing) log(`stdin: ${(e as Error).message}`);
    }
  }

  /**
   * Replay protection as jupyter_client's Session does it (digest_history): a signature seen before
   * is a replayed message. The history keeps the last 2^16 signatures, dropping the oldest 10% when full.
   */
  private readonly digests = new Set<string>();
  private replayed(frames: readonly Buffer[], msg: Message): boolean {
    if (this.signer.key === "") return false;
    const signature = frames[msg.idents.length + 1]!.toString("latin1");
    if (this.digests.has(signature)) return true;
    this.digests.add(signature);
    if (this.digests.size > 1 << 16) {
      let drop = this.digests.size / 10;
      for (const old of this.digests) {
        if (drop-- <= 0) break;
        this.digests.delete(old);
      }
    }
    return false;
  }

  /** What the socket thread answers itself; everything else queues for the interpreter. */
  private dispatch(channel: "shell" | "control", msg: Message): void {
    const type = msg.header.msg_type;
    if (type === "kernel_info_request") return this.answer(channel, msg, "kernel_info_reply", this.config.kernelInfo);
    if (channel === "control") {
      if (type === "interrupt_request") {
        this.interrupt();
        return this.answer(channel, msg, "interrupt_reply", { status: "ok" });
      }
      if (type === "shutdown_request") return this.shutdown(channel, msg);
      log(`control: unknown msg_type '${type}', no reply`);
      return;
    }
    if (type === "shutdown_request") return this.shutdown(channel, msg);
    this.toInterpreter({
      kind: "request",
      channel,
      idents: msg.idents,
      header: msg.header,
      parent_header: msg.parent_header,
      metadata: msg.metadata,
      content: msg.content,
      buffers: msg.buffers,
      arrived: process.hrtime.bigint(),
    });
  }

  private answer(channel: "shell" | "control", msg: Message, replyType: string, content: Content): void {
    this.publish(msg.header, "status", { execution_state: "busy" });
    this.reply(channel, msg, replyType, content);
    this.publish(msg.header, "status", { execution_state: "idle" });
  }

  private reply(channel: "shell" | "control", origin: Origin, msgType: string, content: Content, metadata: Record<string, unknown> = {}): void {
    this.out[channel].send(
      encode(this.signer, {
        idents: origin.idents.map((i) => Buffer.from(i)),
        header: newHeader(msgType, this.session),
        parent_header: origin.header,
        metadata,
        content,
      }),
    );
  }

  private publish(parent: Header | Record<string, never>, msgType: string, content: Content, buffers?: Uint8Array[]): void {
    this.out.iopub.send(
      encode(this.signer, {
        // ipykernel-style topic; clients subscribe to everything
        idents: [Buffer.from(`kernel.${this.session}.${msgType}`)],
        header: newHeader(msgType, this.session),
        parent_header: parent,
        metadata: {},
        content,
        buffers: buffers?.map((b) => Buffer.from(b)) ?? [],
      }),
    );
  }

  /**
   * Interrupt: raise the flag the emulator's run loop polls (it stops between operations and
   * keeps the machine consistent), cancel awaited work, and only if the cell is still running
   * after the grace period force it out with SIGINT (vm breakOnSigint in tslab's executor).
   */
  private interrupt(): void {
    Atomics.store(this.flag, 0, 1);
    this.toInterpreter({ kind: "interrupt" });
    if (!this.executing || this.escalation !== undefined) return;
    this.escalation = setTimeout(() => {
      this.escalation = undefined;
      if (this.executing && Atomics.load(this.flag, 0) === 1) {
        log(`cell did not stop within ${this.config.interruptGraceMs} ms of the interrupt: sending SIGINT`);
        process.kill(process.pid, "SIGINT");
      }
    }, this.config.interruptGraceMs);
  }

  private shutdown(channel: "shell" | "control", msg: Message): void {
    const restart = msg.content.restart === true;
    this.answer(channel, msg, "shutdown_reply", { status: "ok", restart });
    this.toInterpreter({ kind: "shutdown", restart });
    // The interpreter exits the process once it has seen this; if a cell keeps it busy, do it here.
    void this.drain().then(() => {
      setTimeout(() => process.kill(process.pid, "SIGTERM"), 1000).unref();
    });
  }

  /** Resolves when all queued replies and iopub messages are handed to ZeroMQ. */
  async drain(): Promise<void> {
    await Promise.all(Object.values(this.out).map((q) => q.flushed()));
  }

  private toInterpreter(m: ToInterpreter): void {
    this.port.postMessage(m);
  }

  private fromInterpreter(m: ToServer): void {
    switch (m.kind) {
      case "reply":
        return this.reply(m.channel, m.origin, m.msgType, m.content, m.metadata);
      case "iopub":
        return this.publish(m.parent, m.msgType, m.content, m.buffers);
      case "input_request":
        this.out.stdin.send(
          encode(this.signer, {
            idents: m.origin.idents.map((i) => Buffer.from(i)),
            header: newHeader("input_request", this.session),
            parent_header: m.origin.header,
            metadata: {},
            content: { prompt: m.prompt, password: m.password },
          }),
        );
        return;
      case "executing":
        this.executing = m.running;
        if (!m.running && this.escalation !== undefined) {
          clearTimeout(this.escalation);
          this.escalation = undefined;
        }
        return;
      case "close":
        void this.close().then(() => this.toInterpreter({ kind: "closed" }));
        return;
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.escalation !== undefined) clearTimeout(this.escalation);
    await this.drain();
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.hb]) s.close();
  }
}
