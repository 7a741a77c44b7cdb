/**
 * The kernel end to end, through the TypeScript client: one kernel process for this file.
 * Messages and orderings follow jupyter_client docs/messaging.rst (protocol 5.5) and the checks of
 * jupyter_kernel_test and runtimed/kernel-testbed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { KernelClient, seq, type Message } from "../support/client.js";
import { encode, newHeader } from "../../src/kernel/wire.js";

const KERNEL = [process.execPath, "dist/notebook/cli.js", "kernel", "--interrupt-grace-ms", "500", "-f", "{connection_file}"];
let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start({ argv: KERNEL });
});
afterAll(async () => {
  if (process.env.HN_DEBUG) console.log("kernel stderr:", k.stderr.join(""), "undecodable:", k.undecodable, "exit:", k.process.exitCode, k.process.signalCode);
  await k?.shutdown();
});

const types = (ms: Message[]) => ms.map((m) => m.header.msg_type);
const outputs = (ms: Message[]) => ms.filter((m) => m.header.msg_type !== "status" && m.header.msg_type !== "execute_input");
const ESC = String.fromCharCode(27);
type Plotly = { "application/vnd.plotly.v1+json": { data: { type: string }[] }; "text/html": string; "text/plain": string };

describe("kernel_info", () => {
  it("answers on shell with status ok, protocol >= 5.3 and TypeScript's language_info", async () => {
    const r = await k.request("shell", "kernel_info_request");
    expect(r.header.msg_type).toBe("kernel_info_reply");
    const c = r.content as { status: string; protocol_version: string; implementation: string; language_info: object; banner: unknown; help_links: unknown[] };
    expect(c.status).toBe("ok");
    expect(Number(String(c.protocol_version).split(".")[1])).toBeGreaterThanOrEqual(3);
    expect(c.implementation).toBe("hypernote");
    expect(c.language_info).toMatchObject({ name: "typescript", version: "5.0.4", file_extension: ".ts", mimetype: "text/x.typescript", pygments_lexer: "typescript", codemirror_mode: "typescript", nbconvert_exporter: "script" });
    expect(typeof c.banner).toBe("string");
    expect(c.help_links.length).toBeGreaterThan(0);
  });

  it("answers on control too (protocol 5.5)", async () => {
    const r = await k.request("control", "kernel_info_request");
    expect(r.header.msg_type).toBe("kernel_info_reply");
    expect(r.content.status).toBe("ok");
  });
});

describe("heartbeat and iopub", () => {
  it("echoes heartbeat frames", async () => {
    const pong = await k.heartbeat();
    expect(pong.toString()).toMatch(/^ping /);
  });

  it("greets every new iopub subscriber with iopub_welcome (JEP 65)", async () => {
    const sub = new zmq.Subscriber({ linger: 0, receiveTimeout: 5000 });
    sub.connect(`tcp://127.0.0.1:${k.connection.iopub_port}`);
    sub.subscribe();
    try {
      const frames = await sub.receive();
      const header = JSON.parse(frames[frames.findIndex((f) => f.toString() === "<IDS|MSG>") + 2]!.toString());
      expect(header.msg_type).toBe("iopub_welcome");
    } finally {
      sub.close();
    }
    expect(k.iopub.some((m) => m.header.msg_type === "iopub_welcome")).toBe(true);
  });
});

describe("execute_request", () => {
  it("sends busy, execute_input, output, the reply, then idle, all parented to the request", async () => {
    const { reply, iopub, msgId } = await k.execute('console.log("hello, world"); 6 * 7');
    expect(types(iopub)).toEqual(["status", "execute_input", "stream", "execute_result", "status"]);
    expect(iopub[0]!.content.execution_state).toBe("busy");
    expect(iopub[4]!.content.execution_state).toBe("idle");
    // the idle is the last message of this request on iopub
    expect(Math.max(...iopub.map(seq))).toBe(seq(iopub[4]!));
    for (const m of [reply, ...iopub]) expect((m.parent_header as { msg_id: string }).msg_id).toBe(msgId);
    expect(iopub[2]!.content).toEqual({ name: "stdout", text: "hello, world\n" });
    expect(iopub[3]!.content.data).toEqual({ "text/plain": "42" });
    expect(reply.content.status).toBe("ok");
    expect(iopub[1]!.content.execution_count).toBe(reply.content.execution_count);
    expect(iopub[3]!.content.execution_count).toBe(reply.content.execution_count);
    expect(Number.isNaN(Date.parse(String(reply.metadata.started)))).toBe(false);
  });

  it("writes stderr as a stderr stream", async () => {
    const { iopub } = await k.execute('console.error("an error line")');
    expect(iopub.find((m) => m.header.msg_type === "stream")!.content).toEqual({ name: "stderr", text: "an error line\n" });
  });

  it("counts only store_history executes, and silent ones broadcast nothing", async () => {
    const a = await k.execute("1");
    const b = await k.execute("2", { store_history: false });
    const c = await k.execute("3", { silent: true });
    const d = await k.execute("4");
    const n = a.reply.content.execution_count as number;
    expect(b.reply.content.execution_count).toBe(n);
    expect(c.reply.content.execution_count).toBe(n);
    expect(d.reply.content.execution_count).toBe(n + 1);
    expect(types(c.iopub)).toEqual(["status", "status"]);
  });

  it("keeps declarations from one cell to the next", async () => {
    await k.execute("const kept = { n: 41 };");
    const { iopub } = await k.execute("kept.n + 1");
    expect(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data).toEqual({ "text/plain": "42" });
  });

  it("renders text/plain with util.inspect and without ANSI colour codes", async () => {
    const { iopub } = await k.execute('({ a: 1, s: "x", list: [1, 2] })');
    const text = String((iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"]);
    expect(text).toBe("{ a: 1, s: 'x', list: [ 1, 2 ] }");
    expect(text.includes(ESC)).toBe(false);
  });

  it("evaluates user_expressions after the cell", async () => {
    const { reply } = await k.execute("const ue = 20;", { user_expressions: { twice: "ue * 2", bad: "nope_not_defined" } });
    const ue = reply.content.user_expressions as Record<string, Record<string, unknown>>;
    expect(ue.twice).toEqual({ status: "ok", data: { "text/plain": "40" }, metadata: {} });
    expect(ue.bad!.status).toBe("error");
  });

  it("reports a thrown error as exactly one error message and an error reply", async () => {
    const { reply, iopub } = await k.execute('throw new RangeError("boom")');
    expect(outputs(iopub).map((m) => m.header.msg_type)).toEqual(["error"]);
    const e = outputs(iopub)[0]!.content;
    expect(e.ename).toBe("RangeError");
    expect(e.evalue).toBe("boom");
    expect((e.traceback as string[])[0]).toContain("RangeError: boom");
    expect(reply.content).toMatchObject({ status: "error", ename: "RangeError", evalue: "boom" });
    expect(typeof reply.content.execution_count).toBe("number");
  });

  it("reports a type error as TSError pointing at the cell's line and column", async () => {
    const { reply, iopub } = await k.execute('const okay = 1;\nconst wrong: string = 2;');
    expect(reply.content.status).toBe("error");
    const e = outputs(iopub)[0]!.content;
    expect(e.ename).toBe("TSError");
    expect(e.evalue).toContain("2:7 - Type 'number' is not assignable to type 'string'.");
    expect((e.traceback as string[]).join("\n")).toContain("2 | const wrong: string = 2;");
  });

  it("aborts executes queued behind a failed one when stop_on_error is set, with status error", async () => {
    const first = k.send("shell", "execute_request", { code: 'throw new Error("first")', stop_on_error: true });
    const second = k.send("shell", "execute_request", { code: "globalThis.ranAfterError = true" });
    const r1 = await k.reply(first);
    const r2 = await k.reply(second);
    await k.idle(second);
    expect(r1.content.status).toBe("error");
    expect(r2.content.status).toBe("error");
    expect(r2.content.ename).toBe("ExecutionAborted");
    const { iopub } = await k.execute("(globalThis as any).ranAfterError === undefined");
    expect(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data).toEqual({ "text/plain": "true" });
  });

  it("runs executes queued behind a failed one when stop_on_error is false", async () => {
    const first = k.send("shell", "execute_request", { code: 'throw new Error("first")', stop_on_error: false });
    const second = k.send("shell", "execute_request", { code: "5 + 5" });
    await k.reply(first);
    const r2 = await k.reply(second);
    expect(r2.content.status).toBe("ok");
  });

  it("awaits top-level await", async () => {
    const { iopub } = await k.execute("await new Promise((r) => setTimeout(() => r(7), 10))");
    expect(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data).toEqual({ "text/plain": "7" });
  });
});

describe("display", () => {
  it("brings display into every cell from the prelude, with its types", async () => {
    const { reply } = await k.execute("const h: { displayId: string } = display.html('<b>x</b>');");
    expect(reply.content.status).toBe("ok");
  });

  it("sends display_data, then update_display_data with the same display_id", async () => {
    const { iopub } = await k.execute('const dh = display.markdown("# one"); dh.update("# two");');
    const [d, u] = outputs(iopub);
    expect(d!.header.msg_type).toBe("display_data");
    expect(u!.header.msg_type).toBe("update_display_data");
    expect(d!.content.data).toMatchObject({ "text/markdown": "# one" });
    expect(u!.content.data).toMatchObject({ "text/markdown": "# two" });
    const id = (d!.content.transient as { display_id: string }).display_id;
    expect(id.length).toBeGreaterThan(0);
    expect((u!.content.transient as { display_id: string }).display_id).toBe(id);
    expect(d!.content.metadata).toEqual({});
  });

  it("shows a value through its Symbol.for('Jupyter.display') method, also as execute_result", async () => {
    const code = 'const shown = { [Symbol.for("Jupyter.display")]() { return { "text/html": "<i>me</i>" }; } };\ndisplay(shown);\nshown';
    const { iopub } = await k.execute(code);
    const [d, r] = outputs(iopub);
    expect(d!.content.data).toMatchObject({ "text/html": "<i>me</i>" });
    expect(typeof (d!.content.data as Record<string, unknown>)["text/plain"]).toBe("string");
    expect(r!.header.msg_type).toBe("execute_result");
    expect(r!.content.data).toMatchObject({ "text/html": "<i>me</i>" });
  });

  it("awaits an asynchronous display method", async () => {
    const code = '({ async [Symbol.for("Jupyter.display")]() { return { "text/plain": "later" }; } })';
    const { iopub } = await k.execute(code);
    expect(outputs(iopub)[0]!.content.data).toEqual({ "text/plain": "later" });
  });

  it("sends json as a JSON object and png as base64", async () => {
    const { iopub } = await k.execute('display.json({ a: [1, 2] }); display.png(new Uint8Array([137, 80, 78, 71]));');
    const [j, p] = outputs(iopub);
    expect((j!.content.data as Record<string, unknown>)["application/json"]).toEqual({ a: [1, 2] });
    expect((p!.content.data as Record<string, unknown>)["image/png"]).toBe("iVBORw==");
  });

  it("sends clear_output", async () => {
    const { iopub } = await k.execute('console.log("a"); clearOutput(true); console.log("b")');
    expect(types(outputs(iopub))).toEqual(["stream", "clear_output", "stream"]);
    expect(outputs(iopub)[1]!.content).toEqual({ wait: true });
  });

  it("sends a plotly figure as the plotly mime object plus HTML, with plotly.js only the first time", async () => {
    const fig = '{ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: { text: "T" } } }';
    const first = outputs((await k.execute(`display.plotly(${fig})`)).iopub)[0]!.content.data as Plotly;
    const second = outputs((await k.execute(`display.plotly(${fig})`)).iopub)[0]!.content.data as Plotly;
    expect(first["application/vnd.plotly.v1+json"].data[0].type).toBe("bar");
    expect(first["text/html"]).toContain("plotly.js v4");
    expect(first["text/html"].length).toBeGreaterThan(1_000_000);
    expect(second["text/html"]).not.toContain("plotly.js v4");
    expect(second["text/html"]).toContain("Plotly.newPlot");
    expect(first["text/plain"]).toBe('Figure "T": 1 trace (bar)');
    // Div ids are a per-session counter plus a hash of the figure: re-running a notebook reproduces them.
    expect(second["text/html"]).toMatch(/id="hypernote-figure-2-[0-9a-f]{8}"/);
  });

  it("shows an arquero table as HTML, as a data resource and as text", async () => {
    const { iopub } = await k.execute('import * as aq from "arquero";\naq.table({ vm: ["a", "b"], lat: [1, 2] })');
    const data = outputs(iopub).find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, unknown>;
    expect(data["text/html"]).toContain("<table");
    expect(String(data["text/plain"]).split("\n")[0]).toBe("Table (2 rows × 2 columns)");
    expect(data["application/vnd.dataresource+json"]).toEqual({
      schema: { fields: [{ name: "vm", type: "string" }, { name: "lat", type: "integer" }] },
      data: [{ vm: "a", lat: 1 }, { vm: "b", lat: 2 }],
    });
  });

  it("puts a page() payload on the execute_reply", async () => {
    const { reply } = await k.execute('page("some help")');
    expect(reply.content.payload).toEqual([{ source: "page", data: { "text/plain": "some help" }, start: 0 }]);
  });
});

describe("introspection", () => {
  it("completes TypeScript names with cursor_start and cursor_end", async () => {
    const r = await k.request("shell", "complete_request", { code: "Mat", cursor_pos: 3 });
    expect(r.content).toMatchObject({ status: "ok", matches: ["Math"], cursor_start: 0, cursor_end: 3 });
  });

  it("counts cursor positions in code points, not UTF-16 units", async () => {
    const code = 'const s = "😀"; Mat';
    const r = await k.request("shell", "complete_request", { code, cursor_pos: [...code].length });
    expect(r.content.cursor_start).toBe([...code].length - 3);
    expect(r.content.matches).toContain("Math");
  });

  it("inspects a name: its type and doc comment", async () => {
    const r = await k.request("shell", "inspect_request", { code: "Math", cursor_pos: 4, detail_level: 0 });
    expect(r.content.status).toBe("ok");
    expect(r.content.found).toBe(true);
    expect((r.content.data as Record<string, string>)["text/plain"]).toContain("var Math: Math");
  });

  it("answers is_complete with complete, incomplete (with indent) and invalid", async () => {
    const ask = async (code: string) => (await k.request("shell", "is_complete_request", { code })).content;
    expect(await ask("const a = 1;")).toEqual({ status: "complete" });
    expect((await ask("function f() {")).status).toBe("incomplete");
    expect(await ask("const = = 1;")).toEqual({ status: "invalid" });
  });

  it("answers history requests: tail, range and search, with outputs on request", async () => {
    await k.execute("const historic = 'marker-1'; historic");
    const tail = (await k.request("shell", "history_request", { hist_access_type: "tail", n: 1, output: false, raw: true })).content;
    expect(tail.status).toBe("ok");
    const [[session, line, input]] = tail.history as [number, number, string][];
    expect(input).toBe("const historic = 'marker-1'; historic");
    const withOut = (await k.request("shell", "history_request", { hist_access_type: "tail", n: 1, output: true, raw: true })).content;
    expect((withOut.history as unknown[][])[0]![2]).toEqual([input, "'marker-1'"]);
    const range = (await k.request("shell", "history_request", { hist_access_type: "range", session, start: line, stop: line + 1, output: false, raw: true })).content;
    expect(range.history).toEqual([[session, line, input]]);
    const search = (await k.request("shell", "history_request", { hist_access_type: "search", pattern: "*marker-1*", output: false, raw: true })).content;
    expect((search.history as unknown[][]).map((h) => h[2])).toContain(input);
  });
});

describe("comms", () => {
  it("replies to comm_info_request with comm_info_reply", async () => {
    const r = await k.request("shell", "comm_info_request", {});
    expect(r.header.msg_type).toBe("comm_info_reply");
    expect(r.content.status).toBe("ok");
  });

  it("refuses a comm_open on an unknown target with comm_close", async () => {
    const id = k.send("shell", "comm_open", { comm_id: "c-unknown", target_name: "no.such.target", data: {} });
    await k.idle(id);
    expect(k.childrenOf(id).find((m) => m.header.msg_type === "comm_close")!.content.comm_id).toBe("c-unknown");
  });

  it("opens, messages and closes a comm the front end opened on a registered target", async () => {
    await k.execute('comms().registerTarget("echo", (comm, data) => { comm.send({ opened: data }); comm.onMsg((d) => comm.send({ echo: d })); comm.onClose(() => console.log("closed")); });');
    const open = k.send("shell", "comm_open", { comm_id: "c1", target_name: "echo", data: { hi: 1 } });
    await k.idle(open);
    expect(k.childrenOf(open).find((m) => m.header.msg_type === "comm_msg")!.content).toEqual({ comm_id: "c1", data: { opened: { hi: 1 } } });
    const info = await k.request("shell", "comm_info_request", { target_name: "echo" });
    expect(info.content.comms).toEqual({ c1: { target_name: "echo" } });
    const msg = k.send("shell", "comm_msg", { comm_id: "c1", data: { x: 2 } });
    await k.idle(msg);
    expect(k.childrenOf(msg).find((m) => m.header.msg_type === "comm_msg")!.content).toEqual({ comm_id: "c1", data: { echo: { x: 2 } } });
    const close = k.send("shell", "comm_close", { comm_id: "c1", data: {} });
    await k.idle(close);
    expect(k.childrenOf(close).find((m) => m.header.msg_type === "stream")!.content.text).toBe("closed\n");
    expect((await k.request("shell", "comm_info_request", {})).content.comms).toEqual({});
  });

  it("opens a comm from a cell, and the front end can close it", async () => {
    const { iopub } = await k.execute('const kc = comms().open("from.kernel", { v: 1 }); kc.onClose(() => console.log("front end closed it"));');
    const open = iopub.find((m) => m.header.msg_type === "comm_open")!.content;
    expect(open).toMatchObject({ target_name: "from.kernel", data: { v: 1 } });
    const close = k.send("shell", "comm_close", { comm_id: open.comm_id, data: {} });
    await k.idle(close);
    expect(k.childrenOf(close).find((m) => m.header.msg_type === "stream")!.content.text).toBe("front end closed it\n");
  });
});

describe("stdin", () => {
  it("asks the front end with input_request and returns its reply to `await input()`", async () => {
    k.onInputRequest = (prompt, password) => `${prompt}|${password}`;
    const { iopub } = await k.execute('const got = await input("Name? "); const pw = await input("Secret: ", { password: true }); [got, pw]');
    expect(k.inputRequests.slice(-2).map((m) => m.content)).toEqual([
      { prompt: "Name? ", password: false },
      { prompt: "Secret: ", password: true },
    ]);
    expect(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data).toEqual({ "text/plain": "[ 'Name? |false', 'Secret: |true' ]" });
  });

  it("refuses input() when the request did not allow stdin", async () => {
    const { reply } = await k.execute('await input("x")', { allow_stdin: false });
    expect(reply.content).toMatchObject({ status: "error", ename: "StdinNotImplementedError" });
  });
});

describe("interrupt", () => {
  it("stops a run loop that polls the interrupt flag, keeping state, and replies interrupt_reply", async () => {
    await k.execute("let steps = 0;");
    const code =
      'const flag = (globalThis as any)[Symbol.for("hypernote.interrupt")] as Int32Array;\n' +
      'console.log("looping");\n' +
      // do-while: the interrupt may land before the loop's first check; the cell still counts a step.
      'do { steps++; } while (Atomics.load(flag, 0) === 0);\n' +
      'throw Object.assign(new Error("stopped between operations"), { name: "Interrupted" });';
    const id = k.send("shell", "execute_request", { code });
    await k.iopubMessage((m) => m.header.msg_type === "stream" && (m.parent_header as { msg_id: string }).msg_id === id);
    const ir = await k.request("control", "interrupt_request");
    expect(ir.header.msg_type).toBe("interrupt_reply");
    expect(ir.content.status).toBe("ok");
    const reply = await k.reply(id);
    expect(reply.content).toMatchObject({ status: "error", ename: "Interrupted" });
    const { iopub, reply: after } = await k.execute("steps > 0");
    expect(after.content, JSON.stringify(after.content)).toMatchObject({ status: "ok" });
    expect(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data).toEqual({ "text/plain": "true" });
  });

  it("answers heartbeat and kernel_info while a synchronous cell runs, then forces out a loop that ignores the flag", async () => {
    await k.execute("const survivor = 'still here';");
    const id = k.send("shell", "execute_request", { code: "while (true) {}" });
    await k.iopubMessage((m) => m.header.msg_type === "execute_input" && (m.parent_header as { msg_id: string }).msg_id === id);
    expect((await k.heartbeat()).toString()).toMatch(/^ping/);
    expect((await k.request("control", "kernel_info_request")).content.status).toBe("ok");
    expect((await k.request("shell", "kernel_info_request")).content.status).toBe("ok");
    await k.request("control", "interrupt_request");
    const reply = await k.reply(id);
    expect(reply.content).toMatchObject({ status: "error", ename: "Interrupted" });
    const { iopub, reply: after } = await k.execute("survivor");
    expect(after.content, JSON.stringify(after.content)).toMatchObject({ status: "ok" });
    expect(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data).toEqual({ "text/plain": "'still here'" });
  });

  it("ends a cell awaiting a promise that never settles", async () => {
    const id = k.send("shell", "execute_request", { code: "await new Promise(() => {})" });
    await k.iopubMessage((m) => m.header.msg_type === "execute_input" && (m.parent_header as { msg_id: string }).msg_id === id);
    await k.request("control", "interrupt_request");
    expect((await k.reply(id)).content).toMatchObject({ status: "error", ename: "Interrupted" });
  });
});

describe("bad input", () => {
  it("drops malformed frames, invalid JSON, bad signatures and unknown types, and keeps serving", async () => {
    await k.sendFrames("shell", [Buffer.from("garbage")]);
    await k.sendFrames("shell", [Buffer.from("<IDS|MSG>"), Buffer.from("sig")]);
    const header = newHeader("execute_request", k.session);
    const forged = encode({ key: "wrong key", scheme: "hmac-sha256" }, { idents: [], header, parent_header: {}, metadata: {}, content: { code: "(globalThis as any).forged = 1" } });
    await k.sendFrames("shell", forged);
    const bad = encode(k.signer, { idents: [], header: newHeader("execute_request", k.session), parent_header: {}, metadata: {}, content: {} });
    bad[bad.length - 1] = Buffer.from("{not json");
    await k.sendFrames("shell", bad);
    const unknown = k.send("shell", "no_such_request", {});
    const { iopub } = await k.execute("(globalThis as any).forged === undefined");
    expect(iopub.find((m) => m.header.msg_type === "execute_result")!.content.data).toEqual({ "text/plain": "true" });
    expect(k.childrenOf(unknown)).toEqual([]);
    expect(k.stderr.join("")).toContain("bad signature");
  });

  it("reports an error thrown in a callback after its cell ended, and survives", async () => {
    const { msgId } = await k.execute('setTimeout(() => { throw new Error("late failure"); }, 20);');
    const late = await k.iopubMessage((m) => m.header.msg_type === "stream" && String(m.content.text).includes("late failure"));
    expect((late.parent_header as { msg_id: string }).msg_id).toBe(msgId);
    expect((await k.execute("1 + 1")).reply.content.status).toBe("ok");
  });

  it("delivers a million lines of output, in batches, all before idle", async () => {
    const { iopub, reply } = await k.execute("for (let i = 0; i < 1_000_000; i++) console.log(i);", {}, 120_000);
    const streams = iopub.filter((m) => m.header.msg_type === "stream");
    const text = streams.map((m) => String(m.content.text)).join("");
    expect(reply.content.status).toBe("ok");
    expect(text.split("\n").length - 1).toBe(1_000_000);
    expect(text.endsWith("999999\n")).toBe(true);
    expect(streams.length).toBeLessThan(1000);
  });
});
