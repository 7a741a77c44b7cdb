/**
 * `npm run bench`: runs every bench/*.bench.ts suite and writes bench/results.json — host throughput
 * figures with their samples, the issue's target beside each, and the configuration they ran on.
 * The host's load average before and after is recorded too: these are wall-clock figures, and other
 * processes on a shared host lower them. Each suite runs in a process of its own: run in one process,
 * the machine suite's charge + trace rate fell from 27 M/s to 14 M/s after the Genode and NOVA
 * suites, whose code had left V8's shared call sites polymorphic — one suite's history must not
 * bias another's figures.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchResult, Suite } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const SUITE_FLAG = "--suite";

// In a suite's own process: run it, hand its results to the parent on stdout.
if (process.argv[2] === SUITE_FLAG) {
  const mod = (await import(join(here, process.argv[3]!))) as { default: Suite };
  process.stdout.write(JSON.stringify(await mod.default()));
  process.exit(0);
}

const only = process.argv.slice(2);

const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js"))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const started = new Date().toISOString();
const loadBefore = loadavg();
const results: BenchResult[] = [];
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), SUITE_FLAG, file], { stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 28 });
  if (child.status !== 0) throw new Error(`bench: ${file} failed (exit ${child.status ?? child.signal})`);
  for (const r of JSON.parse(child.stdout.toString()) as BenchResult[]) {
    results.push(r);
    const t = r.target ? `  (target ${r.target.better === "higher" ? "≥" : "≤"} ${fmt(r.target.value)}${meets(r) ? ", met" : ", MISSED"})` : "";
    process.stderr.write(`  ${r.suite} / ${r.name}: ${fmt(r.value)} ${r.unit}${t}\n`);
  }
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(2);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function meets(r: BenchResult): boolean {
  return r.target === undefined || (r.target.better === "higher" ? r.value >= r.target.value : r.value <= r.target.value);
}

const out = {
  config: {
    node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, memory_bytes: totalmem(), suites: files,
    started, finished: new Date().toISOString(), loadavg_before: loadBefore.map(round2), loadavg_after: loadavg().map(round2),
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
  },
  results,
  missed: results.filter((r) => !meets(r)).map((r) => `${r.suite} / ${r.name}`),
};
const path = join(here, "..", "bench", "results.json");
writeFileSync(path, JSON.stringify(out, null, 2) + "\n");
process.stderr.write(`bench: wrote ${path}\n`);
