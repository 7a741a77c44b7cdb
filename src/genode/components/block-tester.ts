/**
 * block_tester: runs the `<tests>` of its config against a Block session and exits with 0 when
 * all succeeded (repos/os/src/app/block_tester/main.cc, genodelabs/genode 24.11): logs
 * "--- start tests ---", "start <test>", "finished <test> …", "--- all tests finished ---".
 * Scaled down: each test issues at most MAX_REQUESTS requests of its size across its length;
 * every write is read back and compared. The "finished" line reports our own counts, not
 * Genode's throughput figures (those depend on real time).
 */
import type { Component, Connection, Env } from "../component.js";
import { formatNumBytes, parseNumBytes } from "../init/quota.js";
import { attribute, subNode, type XmlNode } from "../xml.js";
import { BlockOp } from "./block-ops.js";

const MAX_REQUESTS = 32;

export class BlockTester implements Component {
  start(env: Env): void {
    const timer = env.connect("Timer");
    const block = env.connect("Block");
    if (!block.ok || !timer.ok) { env.error("could not open sessions"); env.exit(1); return; }
    const info = block.value.call(BlockOp.info);
    const [count, bs] = [info.words[0] ?? 0, info.words[1] ?? 512];
    env.log("--- start tests ---");
    let success = true;
    const tests = subNode(env.config() ?? { type: "", attributes: [], children: [], text: "" }, "tests")?.children ?? [];
    for (const t of tests) {
      env.log(`start ${describe(t)}`);
      const r = this.run(t, block.value, count, bs);
      success &&= r.ok;
      env.log(`finished ${t.type} rx:${formatNumBytes(r.rx)} tx:${formatNumBytes(r.tx)} success:${r.ok ? "yes" : "no"}`);
    }
    env.log("--- all tests finished ---");
    env.exit(success ? 0 : 1);
  }

  private run(t: XmlNode, b: Connection, count: number, bs: number): { ok: boolean; rx: number; tx: number } {
    let rx = 0;
    let tx = 0;
    let good = true;
    const reqs: Array<{ write: boolean; lba: number; n: number }> = [];
    if (t.type === "replay") {
      for (const r of t.children) if (attribute(r, "type") !== "sync") reqs.push({ write: attribute(r, "type") === "write", lba: Number(attribute(r, "lba") ?? "0"), n: Number(attribute(r, "count") ?? "1") });
    } else {
      const size = parseNumBytes(attribute(t, "size") ?? "4K") ?? 4096;
      const length = Math.min(parseNumBytes(attribute(t, "length") ?? "0") ?? 0, count * bs);
      const n = Math.max(1, size / bs);
      const total = Math.min(MAX_REQUESTS, Math.floor(length / size));
      const write = attribute(t, "write") === "yes";
      for (let i = 0; i < total; i++) {
        const lba = t.type === "random" ? ((i * 2654435761) % Math.max(1, count - n)) : t.type === "ping_pong" ? (i % 2 === 0 ? i * n : count - (i + 1) * n) : i * n;
        reqs.push({ write, lba: Math.max(0, lba), n });
      }
    }
    for (const [i, r] of reqs.entries()) {
      if (r.lba + r.n > count) { good = false; continue; }
      if (r.write) {
        b.call(BlockOp.write, [r.lba, r.n, i + 1]);
        tx += r.n * bs;
        good &&= b.call(BlockOp.read, [r.lba, r.n]).code === 0;
      } else {
        good &&= b.call(BlockOp.read, [r.lba, r.n]).code === 0;
        rx += r.n * bs;
      }
    }
    return { ok: good, rx, tx };
  }
}

function describe(t: XmlNode): string {
  if (t.type === "replay") return "replay";
  const a = (k: string, d: string): string => attribute(t, k) ?? d;
  const op = a("write", "no") === "yes" ? "write" : "read";
  if (t.type === "random") return `random size:${a("size", "0")} length:${a("length", "0")} copy:yes batch:${a("batch", "1")}`;
  return `${t.type} ${op} start:${a("start", "0")} size:${a("size", "0")} length:${a("length", "0")} copy:yes batch:${a("batch", "1")}`;
}
