/**
 * `npm run soak` (issue 10 item 5): not a CI test. Runs mixed workloads on long-lived machines for
 * 10 minutes (SOAK_SECONDS or --seconds to change it) and samples the process's memory every second
 * (RSS, JS heap used and total, array buffers). Writes every sample to bench/soak.json and prints a
 * verdict: once every machine's trace ring is full, RSS must stay flat.
 *
 * Flat, precisely: over the second half of the run (and never before the rings have been full for a
 * settling period), the least-squares slope of RSS's upper envelope against time — the highest
 * sample of each PEAK_PERIOD-second period — is at most SOAK_MAX_SLOPE MB/min (default 1). Why
 * that bound: a leak in a model grows with the work done, and the loads do tens of thousands of
 * steps a minute, so 1 MB/min catches any leak above a few tens of bytes per step (the verdict
 * prints the exact figure from the measured step rate); the leaks this script found were 8 KiB per
 * restarted Genode child, over 100 MB/min. Why the envelope: the garbage collector's sawtooth swings
 * RSS between about 190 and 235 MB with no trend, and a slope through every sample depends on where
 * the window cuts the swing — two runs of the same code gave 0.97 and 1.45 MB/min while their live
 * heaps stayed at +0.02 MB/min and the peaks of every 30 s stayed within 232–236 MB. A leak raises
 * the peaks as surely as the floor. The slope through every sample and the live-heap slope (heap
 * used right after a full collection) are reported beside it. Every load must also keep working: a
 * load whose operations start failing (a quota exhausted by a leak) fails the soak too.
 *
 *   SOAK_SECONDS=60 npm run soak        # a quick look; SOAK_LOADS=genode,xen runs only those loads
 */
import { createMachine } from "hypernote";
import { bootGenode } from "hypernote/internal/genode/index";
import { createScenario, WORKLOADS } from "hypernote/internal/scenarios/index";
import { XsType } from "hypernote/internal/xen/abi/xs-wire";
import { Machine } from "hypernote/machine";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({ options: { seconds: { type: "string" } } });
const SECONDS = Number(args.seconds ?? process.env["SOAK_SECONDS"] ?? 600);
const MAX_SLOPE = Number(process.env["SOAK_MAX_SLOPE"] ?? 1);
/** Seconds per period whose highest RSS sample makes one point of the upper envelope. */
const PEAK_PERIOD = 30;
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

interface Load {
  name: string;
  machine: Machine;
  /** One slice of work, a few milliseconds long; false when the load's operations failed. */
  step(i: number): boolean;
}

function novaLoad(): Load {
  const m = createMachine({ memory: "16M", traceCapacity: 1 << 16 });
  const nova = m.bootNova();
  if (nova.createPd(0x40, 0x20) !== 0) throw new Error("create_pd");
  return {
    name: "nova: semaphores, delegate, revoke",
    machine: m,
    step(i) {
      let ok = true;
      for (let j = 0; j < 50; j++) {
        const sel = 0x60 + ((i + j) % 16);
        ok = nova.createSm(sel, 0x20, 1) === 0 && nova.up(sel) === 0 && nova.delegate(0x20, 0x40, nova.crd.obj(sel, 0, 0x1f)) === 0 && ok;
        nova.revoke(nova.crd.obj(sel, 0, 0x1f), { self: true });
      }
      return ok;
    },
  };
}

function xenLoad(): Load {
  const m = createMachine({ cpus: 2, memory: "128M", seed: 7, traceCapacity: 1 << 16 });
  const xen = m.bootXen();
  xen.files.set("g.cfg", `name = "g"\nmemory = 16\nvcpus = 1\nvif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n`);
  if (xen.xl(["create", "g.cfg"]).status !== 0) throw new Error("xl create");
  xen.system.bridgeMode = "echo";
  const nf = xen.system.domains.get(1)!.kernel!.netfronts.get(0)!;
  const packet = Uint8Array.from({ length: 1500 }, (_, i) => i & 0xff);
  return {
    name: "xen: netfront echo + XenStore writes",
    machine: m,
    step(i) {
      for (let j = 0; j < 20; j++) nf.send(packet);
      xen.system.settle();
      const echoed = nf.received.length;
      nf.received.length = 0; // the guest consumed them
      return xen.xenstore.request(0, { type: XsType.XS_WRITE, payload: [`/soak/k${i % 64}`, String(i)] }).type === XsType.XS_WRITE && echoed === 20;
    },
  };
}

function genodeLoad(): Load {
  const PP = `<parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>`;
  const start = (name: string) => `<start name="${name}" caps="100" ram="1M"><binary name="dummy"/><config><log string="${name} up"/><create_log_connections count="1"/></config><route><any-service><parent/></any-service></route></start>`;
  const m = new Machine({ memory: "64M", traceCapacity: 1 << 16 });
  const g = bootGenode(m, { kernel: "nova", caps: 5000 });
  g.start(`<config>${PP}${start("a")}</config>`);
  return {
    name: "genode: init reconfiguration",
    machine: m,
    step(i) {
      const seen = g.core.output.total;
      const r = g.reconfigure(`<config>${PP}${start(i % 2 === 0 ? "a" : "b")}${start("c")}</config>`);
      // core's LOG is a bounded ring (logCapacity): read only the lines this step printed
      const fresh = g.core.output.total - seen;
      const log = g.log;
      const failed = log.slice(Math.max(0, log.length - fresh - g.top().pendingLog().length)).some((l) => l.includes("Error"));
      return r.ok && !failed;
    },
  };
}

function scenarioLoad(): Load {
  const s = createScenario("nova-genode", { traceCapacity: 1 << 16 });
  return {
    name: "scenario nova-genode: rpc-ping-pong",
    machine: s.machine,
    step(i) {
      return s.run(WORKLOADS["rpc-ping-pong"], { iterations: 2, seed: i }).latencies.length === 2;
    },
  };
}

// SOAK_LOADS=nova,xen runs only those (to find which load a growth comes from).
const only = (process.env["SOAK_LOADS"] ?? "").split(",").filter((x) => x !== "");
const loads = [novaLoad, xenLoad, genodeLoad, scenarioLoad].filter((f) => only.length === 0 || only.some((o) => f.name.startsWith(o))).map((f) => f());

interface Sample {
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  arrayBuffersMb: number;
  /** Heap used right after a full collection (every 10 s, when run with --expose-gc). */
  liveHeapMb?: number;
  ringsFull: boolean;
}
const samples: Sample[] = [];
const full = () => loads.every((l) => l.machine.trace.dropped > 0);
const started = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
const mb = (x: number) => +(x / MB).toFixed(2);
const sample = () => {
  const t = Math.round(elapsed());
  const collect = gc !== undefined && t % 10 === 0;
  if (collect) gc();
  const u = process.memoryUsage();
  const s: Sample = { t, rssMb: mb(u.rss), heapUsedMb: mb(u.heapUsed), heapTotalMb: mb(u.heapTotal), arrayBuffersMb: mb(u.arrayBuffers), ...(collect ? { liveHeapMb: mb(u.heapUsed) } : {}), ringsFull: full() };
  samples.push(s);
  if (t % 10 === 0) process.stderr.write(`soak: ${t}s rss ${s.rssMb} MB, heap ${s.heapUsedMb}/${s.heapTotalMb} MB${collect ? ` (live ${s.liveHeapMb})` : ""}, array buffers ${s.arrayBuffersMb} MB, rings ${s.ringsFull ? "full" : "filling"}\n`);
};
const timer = setInterval(sample, 1000);
const steps = new Map<string, number>(loads.map((l) => [l.name, 0]));
const failures = new Map<string, { count: number; firstStep: number }>();
let i = 0;
while (elapsed() < SECONDS) {
  const l = loads[i % loads.length]!;
  const n = steps.get(l.name)!;
  if (!l.step(n)) {
    const f = failures.get(l.name) ?? { count: 0, firstStep: n };
    f.count++;
    failures.set(l.name, f);
  }
  steps.set(l.name, n + 1);
  i++;
  // Let the sampling timer run between slices.
  await new Promise((r) => setImmediate(r));
}
clearInterval(timer);
sample();

/** Least-squares slope of y against x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (xs[k]! - mx) * (ys[k]! - my);
    sxx += (xs[k]! - mx) ** 2;
  }
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

const fullAt = samples.find((s) => s.ringsFull)?.t;
const settle = Math.min(60, Math.ceil(SECONDS / 10));
const from = fullAt === undefined ? undefined : Math.max(fullAt + settle, Math.floor(SECONDS / 2));
const window = from === undefined ? [] : samples.filter((s) => s.t >= from);
const perMinute = (pick: (s: Sample) => number | undefined) => {
  const w = window.filter((s) => pick(s) !== undefined);
  return w.length < 3 ? Number.NaN : +(60 * slope(w.map((s) => s.t), w.map((s) => pick(s)!))).toFixed(3);
};
const rssSlope = perMinute((s) => s.rssMb);
/** Each PEAK_PERIOD-second period of the window: its middle second and its highest RSS. */
const peakOf = new Map<number, { rssMb: number; samples: number }>();
for (const s of window) {
  const k = Math.floor((s.t - from!) / PEAK_PERIOD);
  const p = peakOf.get(k) ?? { rssMb: 0, samples: 0 };
  peakOf.set(k, { rssMb: Math.max(p.rssMb, s.rssMb), samples: p.samples + 1 });
}
// a period cut short (the last one, with the sample taken after the loads stopped) has no fair peak
const peaks = [...peakOf].filter(([, p]) => p.samples >= PEAK_PERIOD / 2).map(([k, p]) => ({ t: from! + (k + 0.5) * PEAK_PERIOD, rssMb: p.rssMb }));
const rssPeakSlope = peaks.length < 3 ? Number.NaN : +(60 * slope(peaks.map((p) => p.t), peaks.map((p) => p.rssMb))).toFixed(3);
const totalSteps = [...steps.values()].reduce((a, b) => a + b, 0);
const stepsPerMinute = (totalSteps / elapsed()) * 60;
const flat = peaks.length >= 3 && rssPeakSlope <= MAX_SLOPE;
const verdict = {
  seconds: SECONDS,
  steps: Object.fromEntries(steps),
  failures: Object.fromEntries(failures),
  trace: loads.map((l) => ({ load: l.name, capacity: l.machine.trace.capacity, held: l.machine.trace.size, dropped: l.machine.trace.dropped })),
  ringsFullAtSecond: fullAt ?? null,
  windowFromSecond: from ?? null,
  rssPeakSlopeMbPerMin: rssPeakSlope,
  rssPeriodPeaksMb: peaks.map((p) => p.rssMb),
  rssSlopeMbPerMin: rssSlope,
  heapUsedSlopeMbPerMin: perMinute((s) => s.heapUsedMb),
  liveHeapSlopeMbPerMin: perMinute((s) => s.liveHeapMb),
  arrayBuffersSlopeMbPerMin: perMinute((s) => s.arrayBuffersMb),
  maxSlopeMbPerMin: MAX_SLOPE,
  detectsLeaksAboveBytesPerStep: Math.round((MAX_SLOPE * MB) / stepsPerMinute),
  rssAtWindowStartMb: window[0]?.rssMb ?? null,
  rssAtEndMb: samples.at(-1)!.rssMb,
  flat,
  ok: flat && failures.size === 0,
};
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "bench", "soak.json");
writeFileSync(out, JSON.stringify({ config: { node: process.version, gcExposed: gc !== undefined }, verdict, samples }, null, 1) + "\n");
console.log(JSON.stringify(verdict, null, 1));
if (peaks.length < 3) console.error("soak: the trace rings never filled early enough to judge; run longer");
else console.error(`soak: slope of RSS's ${PEAK_PERIOD} s peaks ${rssPeakSlope} MB/min from second ${from} (bound ${MAX_SLOPE} MB/min; every sample: ${rssSlope}): ${flat ? "flat" : "NOT FLAT"}`);
for (const [name, f] of failures) console.error(`soak: ${name} failed ${f.count} times, first at step ${f.firstStep}`);
console.error(`soak: wrote ${out}`);
if (!verdict.ok) process.exitCode = 1;
