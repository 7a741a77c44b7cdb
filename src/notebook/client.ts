/**
 * A Jupyter client in TypeScript: starts a kernel from its kernelspec (or any argv), connects the
 * five channels over ZeroMQ and speaks the messaging protocol, so that the kernel's end-to-end
 * tests need no Python. Spec: jupyter_client docs/messaging.rst and docs/kernels.rst.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import * as zmq from "zeromq";
import { decode, encode, newHeader, type Content, type Message, type Signer } from "../kernel/wire.js";

export type { Message } from "../kernel/wire.js";

/** Arrival order of a message received by this client. */
export function seq(m: Message): number {
  return (m as Message & { seq: number }).seq;
}

export interface KernelSpecFile {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: "signal" | "message";
  env?: Record<string, string>;
}

/** Where Jupyter looks for kernelspecs, in its order (jupyter_client docs/kernels.rst). */
export function kernelSpecDirs(): string[] {
  const fromEnv = (process.env.JUPYTER_PATH ?? "").split(":").filter((p) => p !== "");
  const data = process.env.JUPYTER_DATA_DIR ?? join(homedir(), ".local", "share", "jupyter");
  return [...fromEnv, data, "/usr/local/share/jupyter", "/usr/share/jupyter"].map((d) => join(d, "kernels"));
}

export function findKernelSpec(name: string, dirs = kernelSpecDirs()): { dir: string; spec: KernelSpecFile } {
  for (const d of dirs) {
    const file = join(d, name, "kernel.json");
    if (existsSync(file)) return { dir: join(d, name), spec: JSON.parse(readFileSync(file, "utf8")) as KernelSpecFile };
  }
  throw new Error(`no kernelspec named '${name}' in ${dirs.join(", ")}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

type Channel = "shell" | "control" | "stdin";

interface Waiter {
  match(m: Message): boolean;
  resolve(m: Message): void;
}

export interface StartOptions {
  /** kernelspec to start; or give argv directly */
  kernelName?: string;
  argv?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** signing key; "" for an unsigned session */
  key?: string;
  /** how long to wait for the first kernel_info_reply */
  timeoutMs?: number;
}

export class KernelClient {
  readonly session = randomUUID();
  readonly signer: Signer;
  readonly iopub: Message[] = [];
  readonly stderr: string[] = [];
  /** Frames the kernel sent that did not decode: a conformant kernel leaves this empty. */
  readonly undecodable: string[] = [];
  private readonly waiters: Waiter[] = [];
  /** Arrival order over all channels: `seq` of a message received later is larger. */
  private counter = 0;
  rawIopub = 0;
  private readonly replies = new Map<string, Message[]>();
  private readonly sockets: { shell: zmq.Dealer; control: zmq.Dealer; stdin: zmq.Dealer; iopub: zmq.Subscriber };
  /** Answers input_request; default: echo the prompt back reversed, so tests can tell. */
  onInputRequest: (prompt: string, password: boolean) => string = (p) => `reply to ${p}`;
  readonly inputRequests: Message[] = [];
  exit: Promise<number | null>;

  private constructor(
    readonly connection: Record<string, number | string>,
    readonly connectionFile: string,
    readonly process: ChildProcess,
    private readonly tmp: string,
  ) {
    this.signer = { key: String(connection.key), scheme: String(connection.signature_scheme) };
    const identity = Buffer.from(this.session);
    // shell and stdin share one identity: the kernel routes input_request with the shell request's ids.
    this.sockets = {
      shell: new zmq.Dealer({ routingId: this.session, linger: 0 }),
      control: new zmq.Dealer({ linger: 0 }),
      stdin: new zmq.Dealer({ routingId: identity.toString(), linger: 0 }),
      iopub: new zmq.Subscriber({ linger: 0 }),
    };
    this.exit = new Promise((resolve) => process.on("exit", (code) => resolve(code)));
  }

  static async start(options: StartOptions): Promise<KernelClient> {
    const argv = options.argv ?? findKernelSpec(options.kernelName ?? "hypernote").spec.argv;
    const tmp = mkdtempSync(join(tmpdir(), "hn-client-"));
    const [shell, control, stdin, iopub, hb] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const connection = {
      transport: "tcp",
      ip: "127.0.0.1",
      shell_port: shell,
      control_port: control,
      stdin_port: stdin,
      iopub_port: iopub,
      hb_port: hb,
      key: options.key ?? randomBytes(16).toString("hex"),
      signature_scheme: "hmac-sha256",
      kernel_name: options.kernelName ?? "",
    };
    const file = join(tmp, "kernel.json");
    writeFileSync(file, JSON.stringify(connection));
    const args = argv.map((a) => a.replace("{connection_file}", file));
    const child = spawn(args[0]!, args.slice(1), { cwd: options.cwd ?? process.cwd(), env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    const client = new KernelClient(connection, file, child, tmp);
    child.stderr!.on("data", (d: Buffer) => client.stderr.push(d.toString()));
    child.stdout!.on("data", (d: Buffer) => client.stderr.push(d.toString()));
    await client.connect();
    await client.waitForReady(options.timeoutMs ?? 30_000);
    return client;
  }

  private url(port: string): string {
    return `tcp://127.0.0.1:${this.connection[port]}`;
  }

  private async connect(): Promise<void> {
    const s = this.sockets;
    s.shell.connect(this.url("shell_port"));
    s.control.connect(this.url("control_port"));
    s.stdin.connect(this.url("stdin_port"));
    s.iopub.connect(this.url("iopub_port"));
    s.iopub.subscribe();
    void this.receive(s.shell, "shell");
    void this.receive(s.control, "control");
    void this.receive(s.stdin, "stdin");
    void this.receiveIopub();
  }

  private async waitForReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const id = this.send("shell", "kernel_info_request", {});
      const reply = await this.reply(id, "shell", 1000).catch(() => undefined);
      if (reply !== undefined) {
        // iopub is live once the kernel has welcomed our subscription (JEP 65).
        await this.iopubMessage((m) => m.header.msg_type === "iopub_welcome", 5000);
        return;
      }
      if (this.process.exitCode !== null) break;
    }
    throw new Error(`kernel did not answer kernel_info within ${timeoutMs} ms; stderr:\n${this.stderr.join("")}`);
  }

  private async receive(socket: zmq.Dealer, channel: Channel): Promise<void> {
    try {
      for await (const frames of socket) {
        const d = decode(this.signer, frames);
        if (!d.ok) {
          this.undecodable.push(`${channel}: ${d.reason}`);
          continue;
        }
        const msg = Object.assign(d.msg, { seq: this.counter++ });
        if (channel === "stdin" && msg.header.msg_type === "input_request") {
          this.inputRequests.push(msg);
          const value = this.onInputRequest(String(msg.content.prompt), msg.content.password === true);
          this.sendRaw("stdin", "input_reply", { value }, msg.header);
          continue;
        }
        const parentId = (msg.parent_header as { msg_id?: string }).msg_id ?? "";
        const list = this.replies.get(parentId) ?? [];
        list.push(Object.assign(msg, { channel }));
        this.replies.set(parentId, list);
        this.notify(msg);
      }
    } catch (e) {
      if (!this.closed) this.undecodable.push(`${channel}: receive failed: ${String(e)}`);
    }
  }

  private async receiveIopub(): Promise<void> {
    try {
      for await (const frames of this.sockets.iopub) {
        this.rawIopub++;
        const d = decode(this.signer, frames);
        if (!d.ok) {
          this.undecodable.push(`iopub: ${d.reason}`);
          continue;
        }
        const msg = Object.assign(d.msg, { seq: this.counter++ });
        this.iopub.push(msg);
        this.notify(msg);
      }
    } catch (e) {
      if (!this.closed) this.undecodable.push(`iopub: receive failed: ${String(e)}`);
    }
  }

  private notify(m: Message): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.match(m)) {
        this.waiters.splice(i, 1);
        w.resolve(m);
      }
    }
  }

  private waitFor(match: (m: Message) => boolean, existing: () => Message | undefined, timeoutMs: number, what: string): Promise<Message> {
    const found = existing();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends a request; returns its msg_id. */
  send(channel: Channel, msgType: string, content: Content, metadata: Record<string, unknown> = {}): string {
    return this.sendRaw(channel, msgType, content, {}, metadata);
  }

  private sendRaw(channel: Channel, msgType: string, content: Content, parent: object, metadata: Record<string, unknown> = {}): string {
    const header = newHeader(msgType, this.session, "test");
    void this.sockets[channel].send(encode(this.signer, { idents: [], header, parent_header: parent as Message["parent_header"], metadata, content }));
    return header.msg_id;
  }

  /** Sends raw frames, for bad-input tests. */
  async sendFrames(channel: Channel, frames: Buffer[]): Promise<void> {
    await this.sockets[channel].send(frames);
  }

  /** The reply (on shell or control) to the request with this msg_id. */
  reply(msgId: string, channel: "shell" | "control" = "shell", timeoutMs = 30_000): Promise<Message> {
    const isReply = (m: Message) => (m as Message & { channel?: string }).channel === channel && (m.parent_header as { msg_id?: string }).msg_id === msgId;
    return this.waitFor(isReply, () => this.replies.get(msgId)?.find(isReply), timeoutMs, `the ${channel} reply to ${msgId}`);
  }

  /** iopub messages whose parent is msgId, in order. */
  childrenOf(msgId: string): Message[] {
    return this.iopub.filter((m) => (m.parent_header as { msg_id?: string }).msg_id === msgId);
  }

  /** Waits for status idle with parent msgId. */
  idle(msgId: string, timeoutMs = 30_000): Promise<Message> {
    const isIdle = (m: Message) => m.header.msg_type === "status" && m.content.execution_state === "idle" && (m.parent_header as { msg_id?: string }).msg_id === msgId;
    return this.waitFor(isIdle, () => this.iopub.find(isIdle), timeoutMs, `idle after ${msgId}`);
  }

  /** Waits for any iopub message that matches. */
  iopubMessage(match: (m: Message) => boolean, timeoutMs = 30_000): Promise<Message> {
    return this.waitFor(match, () => this.iopub.find(match), timeoutMs, "an iopub message");
  }

  /** Runs code; resolves with the reply and every iopub message of that request up to idle. */
  async execute(code: string, content: Content = {}, timeoutMs = 30_000): Promise<{ reply: Message; iopub: Message[]; msgId: string }> {
    const msgId = this.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true, ...content });
    const [reply] = await Promise.all([this.reply(msgId, "shell", timeoutMs), this.idle(msgId, timeoutMs)]);
    return { reply, iopub: this.childrenOf(msgId), msgId };
  }

  /** Sends a request and waits for its reply and idle. */
  async request(channel: "shell" | "control", msgType: string, content: Content = {}, timeoutMs = 30_000): Promise<Message> {
    const msgId = this.send(channel, msgType, content);
    const [reply] = await Promise.all([this.reply(msgId, channel, timeoutMs), this.idle(msgId, timeoutMs)]);
    return reply;
  }

  /** One heartbeat round trip (a fresh REQ socket each time, as REQ cannot retry). */
  async heartbeat(timeoutMs = 5000): Promise<Buffer> {
    const req = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs });
    req.connect(this.url("hb_port"));
    try {
      const ping = Buffer.from(`ping ${randomUUID()}`);
      await req.send(ping);
      const [pong] = await req.receive();
      return pong!;
    } finally {
      req.close();
    }
  }

  async shutdown(timeoutMs = 10_000): Promise<Message | undefined> {
    const msgId = this.send("control", "shutdown_request", { restart: false });
    const reply = await this.reply(msgId, "control", timeoutMs).catch(() => undefined);
    await Promise.race([this.exit, new Promise((r) => setTimeout(r, timeoutMs))]);
    this.close();
    return reply;
  }

  private closed = false;

  close(): void {
    this.closed = true;
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill("SIGKILL");
    for (const s of Object.values(this.sockets)) s.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
