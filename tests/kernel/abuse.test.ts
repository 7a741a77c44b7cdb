/**
 * Kernel protocol abuse (issue 10 item 2), end to end through the TypeScript client. What
 * kernel-protocol.test.ts already covers is not repeated here: a bad HMAC (dropped, not executed,
 * logged), invalid JSON, garbage frames and unknown msg types. This file covers replay, a wrong
 * signature scheme, truncated multipart messages, a 100 MB message, 10 000 queued executes,
 * interrupt storms, shutdown during execution, and the bind address.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, seq, type Message } from "../support/client.js";
import { encode, newHeader } from "../../src/kernel/wire.js";

const KERNEL = [process.execPath, "dist/notebook/cli.js", "kernel", "--interrupt-grace-ms", "500", "-f", "{connection_file}"];
let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start({ argv: KERNEL });
});
afterAll(async () => {
  await k?.shutdown();
});

/** Signed frames of a request, not yet sent, and its msg_id. */
function frames(msgType: string, content: Record<string, unknown>): { frames: Buffer[]; id: string } {
  const header = newHeader(msgType, k.session, "test");
  return { frames: encode(k.signer, { idents: [], header, parent_header: {}, metadata: {}, content }), id: header.msg_id };
}

/** Sends many requests back to back (one send in flight per ZeroMQ socket); returns their msg_ids. */
async function flood(channel: "shell" | "control", msgType: string, contents: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (const c of contents) {
    const f = frames(msgType, c);
    await k.sendFrames(channel, f.frames);
    ids.push(f.id);
  }
  return ids;
}

/** A signed execute_request's frames, not yet sent. */
function executeFrames(code: string, signer = k.signer, extra: Record<string, unknown> = {}): Buffer[] {
  const header = newHeader("execute_request", k.session, "test");
  return encode(signer, { idents: [], header, parent_header: {}, metadata: {}, content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra } });
}

async function value(expr: string): Promise<unknown> {
  const { iopub, reply } = await k.execute(expr);
  expect(reply.content.status, JSON.stringify(reply.content)).toBe("ok");
  return iopub.find((m) => m.header.msg_type === "execute_result")?.content.data;
}

describe("signatures", () => {
  it("drops a replayed message (same signature) and logs it; the original runs once", async () => {
    await k.execute("(globalThis as any).replays = 0;");
    const frames = executeFrames("(globalThis as any).replays++;");
    await k.sendFrames("shell", frames);
    await k.sendFrames("shell", frames);
    await k.sendFrames("shell", frames);
    expect(await value("(globalThis as any).replays")).toEqual({ "text/plain": "1" });
    expect(k.stderr.join("")).toContain("replayed");
  });

  it("drops a message signed with another scheme (hmac-sha512 for hmac-sha256) without running it", async () => {
    await k.sendFrames("shell", executeFrames("(globalThis as any).sha512 = 1;", { key: k.signer.key, scheme: "hmac-sha512" }));
    await k.sendFrames("control", encode({ key: k.signer.key, scheme: "hmac-sha1" }, { idents: [], header: newHeader("shutdown_request", k.session), parent_header: {}, metadata: {}, content: { restart: false } }));
    expect(await value("(globalThis as any).sha512 === undefined")).toEqual({ "text/plain": "true" });
    expect(k.process.exitCode).toBeNull();
  });

  it("drops truncated multipart messages: every prefix of a valid message", async () => {
    const frames = executeFrames("(globalThis as any).truncated = 1;");
    for (let n = 1; n < frames.length; n++) await k.sendFrames("shell", frames.slice(0, n));
    // a frame cut short: the content JSON loses its last bytes (and so its signature)
    const cut = frames.slice();
    cut[cut.length - 1] = cut[cut.length - 1]!.subarray(0, 10);
    await k.sendFrames("shell", cut);
    expect(await value("(globalThis as any).truncated === undefined")).toEqual({ "text/plain": "true" });
    expect(k.stderr.join("")).toContain("expected 5 frames after the delimiter");
  });
});

describe("size and volume", () => {
  it("answers a correctly signed 100 MB message and keeps serving", async () => {
    const padding = "x".repeat(100 * 1024 * 1024);
    const frames = executeFrames("'big ok'", k.signer, { padding });
    expect(frames.reduce((n, f) => n + f.length, 0)).toBeGreaterThan(100 * 1024 * 1024);
    const id = JSON.parse(frames[2]!.toString()).msg_id as string;
    await k.sendFrames("shell", frames);
    const reply = await k.reply(id, "shell", 120_000);
    expect(reply.content.status).toBe("ok");
    expect((await k.heartbeat()).toString()).toMatch(/^ping/);
    expect(await value("1 + 1")).toEqual({ "text/plain": "2" });
  }, 180_000);

  it("answers 10 000 queued execute requests, all of them, in order", async () => {
    await k.execute("let queued = 0;");
    const ids = await flood("shell", "execute_request", Array.from({ length: 10_000 }, (_, i) => ({
      code: `queued++; if (queued !== ${i + 1}) throw new Error("out of order")`, silent: true, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true,
    })));
    const replies: Message[] = [];
    for (const id of ids) replies.push(await k.reply(id, "shell", 300_000));
    expect(replies.map((r) => r.content.status).filter((s) => s !== "ok")).toEqual([]);
    const order = replies.map(seq);
    expect(order.every((s, i) => i === 0 || s > order[i - 1]!)).toBe(true);
    expect(await value("queued")).toEqual({ "text/plain": "10000" });
  }, 600_000);
});

describe("interrupts and shutdown", () => {
  it("answers every request of an interrupt storm, stops the running cell once, and runs the next cell normally", async () => {
    const id = k.send("shell", "execute_request", { code: "while (true) {}" });
    await k.iopubMessage((m) => m.header.msg_type === "execute_input" && (m.parent_header as { msg_id: string }).msg_id === id);
    const storm = await flood("control", "interrupt_request", Array.from({ length: 200 }, () => ({})));
    const answers = await Promise.all(storm.map((id) => k.reply(id, "control")));
    expect(answers.filter((a) => a.header.msg_type === "interrupt_reply" && a.content.status === "ok").length).toBe(200);
    expect((await k.reply(id)).content).toMatchObject({ status: "error", ename: "Interrupted" });
    // a storm while idle: the following cell is not interrupted by a stale flag
    const idle = await flood("control", "interrupt_request", Array.from({ length: 100 }, () => ({})));
    await Promise.all(idle.map((id) => k.reply(id, "control")));
    expect(await value("let spin = 0; for (let i = 0; i < 1e6; i++) spin++; spin")).toEqual({ "text/plain": "1000000" });
  }, 120_000);

  it("binds every socket only to the connection file's address (127.0.0.1), never 0.0.0.0", () => {
    const ports = ["shell_port", "control_port", "stdin_port", "iopub_port", "hb_port"].map((p) => Number(k.connection[p]));
    const listening = new Map<number, string[]>();
    for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 4 || f[3] !== "0A") continue; // 0A = LISTEN
        const [addr, port] = f[1]!.split(":");
        const p = parseInt(port!, 16);
        if (ports.includes(p)) listening.set(p, [...(listening.get(p) ?? []), addr!]);
      }
    }
    expect([...listening.keys()].sort()).toEqual([...ports].sort());
    for (const addrs of listening.values()) expect(addrs).toEqual(["0100007F"]); // 127.0.0.1, little-endian hex
  });
});

describe("shutdown during execution", () => {
  it("replies to shutdown_request while a synchronous cell runs, then exits", async () => {
    const c = await KernelClient.start({ argv: KERNEL });
    try {
      const id = c.send("shell", "execute_request", { code: "while (true) {}" });
      await c.iopubMessage((m) => m.header.msg_type === "execute_input" && (m.parent_header as { msg_id: string }).msg_id === id);
      const reply = await c.request("control", "shutdown_request", { restart: false }, 20_000);
      expect(reply.content).toMatchObject({ status: "ok", restart: false });
      const code = await Promise.race([c.exit, new Promise((r) => setTimeout(() => r("still running"), 20_000))]);
      expect(code, "the kernel exits by itself, not by our SIGKILL").not.toBe("still running");
    } finally {
      c.close();
    }
  }, 60_000);
});
