/**
 * Maps shell requests onto the interpreter, one at a time, in arrival order. Runs on the
 * interpreter's thread and speaks to the socket thread only through `ToServer` messages.
 * Spec: jupyter_client docs/messaging.rst, "Messages on the shell (ROUTER/DEALER) channel",
 * "Execution results" / "Request-Reply" ordering (busy → execute_input → outputs → reply → idle).
 */
import type { Channel, Origin, ToInterpreter, ToServer } from "./bridge.js";
import { Comms } from "./comm.js";
import { History, type HistoryRequest } from "./history.js";
import { thrown, type ErrorContent, type Interpreter } from "./interpreter.js";
import { log } from "./log.js";
import { OutputCapture } from "./output.js";
import type { CellHook, DisplayOptions, KernelRuntime, MimeBundle, PagePayload } from "./runtime.js";
import type { Content, Header } from "./wire.js";

type Request = Extract<ToInterpreter, { kind: "request" }>;

const NO_PARENT = {} as Record<string, never>;

/** Code points ↔ UTF-16 offsets: cursor_pos counts code points since protocol 5.2. */
function toUtf16(s: string, codePoints: number): number {
  let i = 0;
  for (let cp = 0; cp < codePoints && i < s.length; cp++) i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}
function toCodePoints(s: string, utf16: number): number {
  return [...s.slice(0, utf16)].length;
}

export class Handler implements KernelRuntime {
  readonly comms: Comms;
  readonly hooks = new Set<CellHook>();
  private readonly history = new History();
  private readonly output: OutputCapture;
  private readonly queue: Request[] = [];
  private pumping = false;
  private executionCount = 0;
  /** Parent of whatever output appears now: the running execute, else the last one (as ipykernel). */
  private parent: Header | Record<string, never> = NO_PARENT;
  private origin: Origin | undefined;
  private allowStdin = false;
  private pendingInput: { msgId: string; resolve(v: string): void; reject(e: Error): void } | undefined;
  private payload: PagePayload[] = [];
  /** stop_on_error: executes that arrived before this instant are aborted. */
  private abortBefore = 0n;

  constructor(
    private readonly post: (m: ToServer) => void,
    private readonly interpreter: Promise<Interpreter>,
    private readonly interruptFlag: Int32Array,
  ) {
    this.comms = new Comms((msgType, content, buffers) => this.publish(msgType, content, buffers));
    this.output = new OutputCapture((name, text) => this.post({ kind: "iopub", parent: this.parent, msgType: "stream", content: { name, text } }));
  }

  installOutputCapture(): void {
    this.output.install();
  }

  /** A message from the socket thread. */
  receive(m: ToInterpreter): void {
    switch (m.kind) {
      case "request":
        this.queue.push(m);
        if (!this.pumping) void this.pump();
        return;
      case "input_reply":
        if (this.pendingInput !== undefined) {
          const p = this.pendingInput;
          this.pendingInput = undefined;
          p.resolve(m.value);
        }
        return;
      case "interrupt":
        this.interrupt();
        return;
      default:
        return;
    }
  }

  /** Cancels awaited work and a pending input(); the socket thread has already raised the flag. */
  interrupt(): void {
    if (this.pendingInput !== undefined) {
      const p = this.pendingInput;
      this.pendingInput = undefined;
      p.reject(Object.assign(new Error("input() was interrupted"), { name: "Interrupted" }));
    }
    void this.interpreter.then((i) => i.interrupt());
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const req = this.queue.shift()!;
        try {
          await this.handle(req);
        } catch (e) {
          log(`${req.header.msg_type}: ${(e as Error).stack ?? String(e)}`);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async handle(req: Request): Promise<void> {
    const type = req.header.msg_type;
    const interp = await this.interpreter;
    const c = req.content;
    switch (type) {
      case "execute_request":
        return this.withStatus(req, () => this.execute(req, interp));
      case "complete_request":
        return this.withStatus(req, () => {
          const code = String(c.code ?? "");
          const cursor = toUtf16(code, Number(c.cursor_pos ?? code.length));
          const r = interp.complete(code, cursor);
          this.reply(req, "complete_reply", {
            status: "ok",
            matches: r.matches,
            cursor_start: toCodePoints(code, r.cursorStart),
            cursor_end: toCodePoints(code, r.cursorEnd),
            metadata: {},
          });
        });
      case "inspect_request":
        return this.withStatus(req, () => {
          const code = String(c.code ?? "");
          const text = interp.inspect(code, toUtf16(code, Number(c.cursor_pos ?? code.length)));
          this.reply(req, "inspect_reply", { status: "ok", found: text !== undefined, data: text === undefined ? {} : { "text/plain": text }, metadata: {} });
        });
      case "is_complete_request":
        return this.withStatus(req, () => this.reply(req, "is_complete_reply", interp.isComplete(String(c.code ?? ""))));
      case "history_request":
        return this.withStatus(req, () => this.reply(req, "history_reply", { status: "ok", history: this.history.query(c as HistoryRequest) }));
      case "comm_info_request":
        return this.withStatus(req, () =>
          this.reply(req, "comm_info_reply", { status: "ok", comms: this.comms.info(typeof c.target_name === "string" ? c.target_name : undefined) }),
        );
      case "comm_open":
        return this.withStatus(req, () => this.comms.handleOpen(c));
      case "comm_msg":
        return this.withStatus(req, () => void this.comms.handleMsg(c, req.metadata, req.buffers));
      case "comm_close":
        return this.withStatus(req, () => void this.comms.handleClose(c));
      default:
        log(`${req.channel}: unknown msg_type '${type}', no reply`);
    }
  }

  private async withStatus(req: Request, body: () => void | Promise<void>): Promise<void> {
    this.status(req.header, "busy");
    try {
      const prev = this.parent;
      this.parent = req.header;
      try {
        await body();
      } finally {
        // Comm handlers may print; keep that output on this request, then restore.
        this.output.flush();
        if (req.header.msg_type !== "execute_request") this.parent = prev;
      }
    } finally {
      this.status(req.header, "idle");
    }
  }

  private async execute(req: Request, interp: Interpreter): Promise<void> {
    const c = req.content;
    const code = String(c.code ?? "");
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    const stopOnError = c.stop_on_error !== false;

    if (req.arrived < this.abortBefore) {
      // Queued behind a failed cell: not run. Status "error", as jupyter_kernel_test and
      // protocol ≥ 5.1 expect ("aborted" is deprecated).
      this.reply(req, "execute_reply", {
        status: "error",
        execution_count: this.executionCount,
        ename: "ExecutionAborted",
        evalue: "not run: an earlier cell failed and stop_on_error was set",
        traceback: [],
      });
      return;
    }
    if (storeHistory) {
      this.executionCount++;
      this.history.add(this.executionCount, code);
    }
    const count = this.executionCount;
    if (!silent) this.publish("execute_input", { code, execution_count: count });

    const started = new Date().toISOString();
    this.origin = { idents: req.idents, header: req.header };
    this.allowStdin = c.allow_stdin === true;
    this.payload = [];
    Atomics.store(this.interruptFlag, 0, 0);
    this.post({ kind: "executing", running: true });
    let outcome;
    try {
      for (const h of this.hooks) await h.before?.({ code, executionCount: count });
      outcome = await interp.execute(code);
      for (const h of this.hooks) await h.after?.({ code, executionCount: count, status: outcome.status });
    } catch (e) {
      outcome = { status: "error" as const, ...thrown(e) };
    } finally {
      this.post({ kind: "executing", running: false });
    }
    this.output.flush();

    if (outcome.status === "ok" && outcome.result !== undefined && !silent) {
      this.publish("execute_result", { execution_count: count, data: outcome.result, metadata: {} });
      const text = outcome.result["text/plain"];
      if (storeHistory && typeof text === "string") this.history.setOutput(count, text);
    }
    if (outcome.status === "error" && !silent) {
      const { ename, evalue, traceback } = outcome;
      this.publish("error", { ename, evalue, traceback });
    }
    const userExpressions = await this.userExpressions(interp, c.user_expressions);
    const metadata = { started, status: outcome.status };
    if (outcome.status === "error") {
      const { ename, evalue, traceback } = outcome as ErrorContent;
      // Stamp before the reply leaves: whatever the client sends once it has seen it must run.
      if (stopOnError) this.abortBefore = process.hrtime.bigint();
      this.reply(req, "execute_reply", { status: "error", execution_count: count, ename, evalue, traceback, user_expressions: userExpressions, payload: [] }, metadata);
    } else {
      this.reply(req, "execute_reply", { status: "ok", execution_count: count, user_expressions: userExpressions, payload: this.payload }, metadata);
    }
    this.payload = [];
    this.allowStdin = false;
  }

  private async userExpressions(interp: Interpreter, exprs: unknown): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    if (typeof exprs !== "object" || exprs === null) return out;
    for (const [name, expr] of Object.entries(exprs as Record<string, unknown>)) {
      const r = await interp.execute(String(expr));
      out[name] =
        r.status === "ok"
          ? { status: "ok", data: r.result ?? { "text/plain": "undefined" }, metadata: {} }
          : { status: "error", ename: r.ename, evalue: r.evalue, traceback: r.traceback };
    }
    return out;
  }

  // --- KernelRuntime: what cells reach through display(), input(), comms() ---

  display(bundle: MimeBundle, options: DisplayOptions = {}): void {
    this.output.flush();
    const transient = options.displayId === undefined ? {} : { display_id: options.displayId };
    if (options.update === true && options.displayId === undefined) throw new Error("update_display_data needs a displayId");
    this.publish(options.update === true ? "update_display_data" : "display_data", { data: bundle, metadata: options.metadata ?? {}, transient });
  }

  clearOutput(wait: boolean): void {
    this.output.flush();
    this.publish("clear_output", { wait });
  }

  input(prompt: string, password: boolean): Promise<string> {
    if (!this.allowStdin || this.origin === undefined) {
      return Promise.reject(
        Object.assign(new Error("input() is not available: this execute_request did not set allow_stdin (the front end does not support input)"), {
          name: "StdinNotImplementedError",
        }),
      );
    }
    if (this.pendingInput !== undefined) return Promise.reject(new Error("input() is already waiting for a reply; await it before asking again"));
    this.output.flush();
    const msgId = this.origin.header.msg_id;
    return new Promise<string>((resolve, reject) => {
      this.pendingInput = { msgId, resolve, reject };
      this.post({ kind: "input_request", origin: this.origin!, prompt, password });
    });
  }

  page(data: MimeBundle): void {
    this.payload.push({ source: "page", data, start: 0 });
  }

  /** Reports an error that no cell caught (a callback that threw after its cell ended). */
  reportUncaught(kind: string, e: unknown): void {
    this.output.flush();
    const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
    this.post({ kind: "iopub", parent: this.parent, msgType: "stream", content: { name: "stderr", text: `${kind}: ${text}\n` } });
  }

  // --- plumbing ---

  private status(parent: Header, state: "busy" | "idle"): void {
    this.post({ kind: "iopub", parent, msgType: "status", content: { execution_state: state } });
  }

  private publish(msgType: string, content: Content, buffers?: Uint8Array[]): void {
    this.post({ kind: "iopub", parent: this.parent, msgType, content, ...(buffers ? { buffers } : {}) });
  }

  private reply(req: Request, msgType: string, content: Content, metadata: Record<string, unknown> = {}): void {
    const channel: Channel = req.channel;
    this.post({ kind: "reply", channel, origin: { idents: req.idents, header: req.header }, msgType, content, metadata });
  }
}
