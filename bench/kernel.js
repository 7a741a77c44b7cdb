#!/usr/bin/env node
/* global performance, setTimeout, clearTimeout */
/**
 * Kernel benchmark: hypernote against stock tslab 1.0.22, in the same run, same machine.
 * Writes bench/results-kernel.json (raw samples plus summary statistics, reference/peers.md §4.5).
 *
 *   start → kernel_info_reply      process spawn to the first kernel_info_reply (and, for hypernote,
 *                                  to the first execute_reply, i.e. with the prelude loaded)
 *   trivial cell `1+1` → idle      execute_request sent to status idle received, warm kernel
 *   10 000 lines → idle            a cell printing 10 000 lines; idle only counts once every line arrived
 *   RSS after 200 cells            /proc/<pid>/status VmRSS of the kernel process
 *
 * Needs `npm run build`. Usage: node bench/kernel.js [--quick]
 */
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";
import { decode, encode, newHeader } from "../dist/kernel/wire.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");
const TRIVIAL_RUNS = quick ? 20 : 100;
const LINES_RUNS = quick ? 3 : 10;
const CELLS_FOR_RSS = 200;

const KERNELS = {
  hypernote: (file) => [process.execPath, join(root, "dist/notebook/cli.js"), "kernel", "-f", file],
  "tslab-1.0.22": (file) => [process.execPath, join(root, "node_modules/tslab/bin/tslab"), "kernel", "--config-path", file],
};

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const q = (p) => {
    const i = (n - 1) * p;
    const lo = Math.floor(i);
    return s[lo] + (s[Math.min(lo + 1, n - 1)] - s[lo]) * (i - lo);
  };
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const variance = s.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { samples: n, min: s[0], max: s[n - 1], mean, median: q(0.5), q1: q(0.25), q3: q(0.75), stddev: Math.sqrt(variance), variance, raw: samples };
}

class Bench {
  static async start(name) {
    const tmp = mkdtempSync(join(tmpdir(), "hn-bench-"));
    const ports = await Promise.all([1, 2, 3, 4, 5].map(freePort));
    const conn = { transport: "tcp", ip: "127.0.0.1", shell_port: ports[0], control_port: ports[1], stdin_port: ports[2], iopub_port: ports[3], hb_port: ports[4], key: randomBytes(16).toString("hex"), signature_scheme: "hmac-sha256" };
    const file = join(tmp, "conn.json");
    writeFileSync(file, JSON.stringify(conn));
    const b = new Bench(conn, tmp);
    const t0 = performance.now();
    const argv = KERNELS[name](file);
    b.child = spawn(argv[0], argv.slice(1), { cwd: tmp, stdio: ["ignore", "ignore", "pipe"] });
    b.child.stderr.on("data", () => {});
    b.connect();
    // Poll kernel_info as jupyter_client does, every 50 ms until a reply.
    for (;;) {
      const id = b.send("kernel_info_request", {});
      const r = await b.wait((m) => m.channel === "shell" && m.parent_header.msg_id === id, 50).catch(() => undefined);
      if (r) break;
    }
    b.startToKernelInfo = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 300)); // let iopub's subscription settle (slow joiner)
    // the first execute_reply: for hypernote this includes loading the prelude
    b.startToFirstExecute = (await b.execute("0")).replyAt - t0;
    return b;
  }

  constructor(conn, tmp) {
    this.conn = conn;
    this.tmp = tmp;
    this.signer = { key: conn.key, scheme: conn.signature_scheme };
    this.session = randomUUID();
    this.waiters = [];
    this.lines = 0;
  }

  connect() {
    this.shell = new zmq.Dealer({ routingId: this.session, linger: 0 });
    this.shell.connect(`tcp://127.0.0.1:${this.conn.shell_port}`);
    this.iopub = new zmq.Subscriber({ linger: 0 });
    this.iopub.connect(`tcp://127.0.0.1:${this.conn.iopub_port}`);
    this.iopub.subscribe();
    this.loop(this.shell, "shell");
    this.loop(this.iopub, "iopub");
  }

  async loop(sock, channel) {
    try {
      for await (const frames of sock) {
        const d = decode(this.signer, frames);
        if (!d.ok) continue;
        const m = Object.assign(d.msg, { channel, at: performance.now() });
        if (m.header.msg_type === "stream") this.lines += (String(m.content.text).match(/\n/g) ?? []).length;
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          if (this.waiters[i].match(m)) this.waiters.splice(i, 1)[0].resolve(m);
        }
      }
    } catch {
      // closed
    }
  }

  wait(match, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (m) => (clearTimeout(t), resolve(m)) };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error("timeout"));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  send(msgType, content) {
    const header = newHeader(msgType, this.session, "bench");
    // one send at a time: zeromq 6 throws EBUSY otherwise (a DEALER blocks until its peer binds)
    const frames = encode(this.signer, { idents: [], header, parent_header: {}, metadata: {}, content });
    this.sending = (this.sending ?? Promise.resolve()).then(() => this.shell.send(frames)).catch(() => {});
    return header.msg_id;
  }

  /** Sends a cell; resolves at status idle with the elapsed time. */
  async execute(code) {
    const t0 = performance.now();
    const id = this.send("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const reply = this.wait((m) => m.channel === "shell" && m.parent_header.msg_id === id);
    // Stock tslab can lose iopub messages (EBUSY), idle included: then count the reply, say so.
    const idle = await this.wait((m) => m.channel === "iopub" && m.header.msg_type === "status" && m.content.execution_state === "idle" && m.parent_header.msg_id === id, 10_000).catch(() => undefined);
    const r = await reply;
    if (idle === undefined) this.lostIdle = (this.lostIdle ?? 0) + 1;
    return { ms: (idle ?? r).at - t0, replyAt: r.at, status: r.content.status };
  }

  rssMiB() {
    const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  }

  close() {
    this.child.kill("SIGKILL");
    this.shell.close();
    this.iopub.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

async function measure(name) {
  const b = await Bench.start(name);
  const out = { startToKernelInfoMs: b.startToKernelInfo, startToFirstExecuteReplyMs: b.startToFirstExecute };
  for (let i = 0; i < 5; i++) await b.execute("1+1"); // warm-up
  const trivial = [];
  for (let i = 0; i < TRIVIAL_RUNS; i++) trivial.push((await b.execute("1+1")).ms);
  out.trivialCellToIdleMs = stats(trivial);
  const lines = [];
  let complete = true;
  for (let i = 0; i < LINES_RUNS; i++) {
    b.lines = 0;
    const r = await b.execute("for (let i = 0; i < 10000; i++) console.log('line ' + i);");
    lines.push(r.ms);
    if (b.lines !== 10000) complete = false;
  }
  out.tenThousandLinesToIdleMs = stats(lines);
  out.allLinesBeforeIdle = complete;
  const done = 5 + TRIVIAL_RUNS + LINES_RUNS + 1;
  for (let i = done; i < CELLS_FOR_RSS; i++) await b.execute(`const v${i} = ${i}; v${i} * 2`);
  out.rssAfter200CellsMiB = b.rssMiB();
  out.idleMessagesLost = b.lostIdle ?? 0;
  b.close();
  return out;
}

const results = {
  benchmark: "kernel",
  date: new Date().toISOString(),
  config: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, trivialRuns: TRIVIAL_RUNS, linesRuns: LINES_RUNS, cellsForRss: CELLS_FOR_RSS },
  note: "wall-clock ms measured by a client on the same machine; idle counts only after the execute_reply too. No overhead subtracted.",
  kernels: {},
};
for (const name of Object.keys(KERNELS)) {
  process.stderr.write(`bench: ${name}…\n`);
  results.kernels[name] = await measure(name);
}
const h = results.kernels.hypernote;
const t = results.kernels["tslab-1.0.22"];
results.targets = {
  "trivial cell median <= tslab's": { hypernote: h.trivialCellToIdleMs.median, tslab: t.trivialCellToIdleMs.median, met: h.trivialCellToIdleMs.median <= t.trivialCellToIdleMs.median },
  "start to kernel_info_reply <= 1.5x tslab's": { hypernote: h.startToKernelInfoMs, tslab: t.startToKernelInfoMs, met: h.startToKernelInfoMs <= 1.5 * t.startToKernelInfoMs },
  "10 000 lines to idle <= 86 ms (2x ipykernel's 43 ms)": { hypernote: h.tenThousandLinesToIdleMs.median, tslab: t.tenThousandLinesToIdleMs.median, met: h.tenThousandLinesToIdleMs.median <= 86 && h.allLinesBeforeIdle },
  "RSS after 200 cells <= tslab's": { hypernote: h.rssAfter200CellsMiB, tslab: t.rssAfter200CellsMiB, met: h.rssAfter200CellsMiB <= t.rssAfter200CellsMiB },
};
const file = join(root, "bench", "results-kernel.json");
writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
const summary = Object.fromEntries(Object.entries(results.targets).map(([k, v]) => [k, v]));
process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
process.exit(0);
