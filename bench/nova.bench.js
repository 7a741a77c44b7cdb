/* global URL */
// NOVA microkernel benchmark (a script, not a test): prints one JSON object.
//   npm run build && node --expose-gc bench/nova.bench.js [--out bench/results-nova.json]
// Wall time is measured here only; the emulator itself never reads it.
import { performance } from "node:perf_hooks";
import { writeFileSync } from "node:fs";

const dist = process.env.HYPERNOTE_DIST ?? new URL("../dist/", import.meta.url).href;
const { createMachine } = await import(new URL("index.js", dist).href);

function serverWorld(options = {}) {
  const m = createMachine({ memory: "64M", ...options });
  const nova = m.bootNova();
  nova.createPd(0x40, 0x20);
  nova.createEc(0x41, 0x40, { utcb: 0x1000n });
  nova.createPt(0x42, 0x40, 0x41, 0, 0x5000);
  return { m, nova, srv: nova.ec(0x41) };
}

/** Empty call + reply between two PDs through the typed helpers (which enter at register level). */
function roundTrips(n) {
  const { m, nova, srv } = serverWorld({ costs: "nehalem-2010" });
  for (let i = 0; i < 10_000; i++) { nova.call(0x42); nova.reply({ ec: srv }); }
  const c0 = m.now(0);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) { nova.call(0x42); nova.reply({ ec: srv }); }
  const ms = performance.now() - t0;
  return { roundTrips: n, perSecond: Math.round(n / (ms / 1000)), emulatedCyclesPerRoundTrip: (m.now(0) - c0) / n };
}

/** The root takes 2^order pages from the kernel (H item), then delegates n single pages to PD 0x40 and revokes the range. */
function memoryWorld(n, traceCapacity) {
  const order = Math.ceil(Math.log2(n + 1));
  const pages = 2 ** order;
  const m = createMachine({ memory: Math.max(64 * 1024 * 1024, (pages + 1024) * 4096), traceCapacity });
  const nova = m.bootNova();
  nova.createPd(0x40, 0x20);
  nova.createEc(0x60, 0x20, { utcb: 0x9000n });
  nova.createPt(0x61, 0x20, 0x60, 0, 0x7000);
  nova.utcb().crdDel = nova.crd.mem(0, order);
  nova.call(0x61);
  nova.utcb(nova.ec(0x60)).setMessage([]).appendItem(nova.crd.mem(0, order), 0, 1, 1n << 11n);
  nova.reply({ ec: nova.ec(0x60) });
  return { m, nova, order };
}

function tree(n) {
  const { nova, order } = memoryWorld(n, 1024);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) nova.delegate(0x20, 0x40, nova.crd.mem(i, 0, 7));
  const built = performance.now() - t0;
  const live = nova.k.mdb.live;
  const t1 = performance.now();
  nova.revoke(nova.crd.mem(0, order, 7));
  const revoked = performance.now() - t1;
  return { nodes: n, buildMs: +built.toFixed(1), revokeMs: +revoked.toFixed(1), liveNodesBefore: live, liveNodesAfter: nova.k.mdb.live };
}

function bytesPerCap(n) {
  globalThis.gc?.();
  const { nova } = memoryWorld(n, 0);
  globalThis.gc?.();
  const mem = () => { const u = process.memoryUsage(); return u.heapUsed + u.arrayBuffers; };
  const h0 = mem();
  for (let i = 0; i < n; i++) nova.delegate(0x20, 0x40, nova.crd.mem(i, 0, 7));
  globalThis.gc?.();
  const h1 = mem();
  return { capabilities: n, measured: "heapUsed + arrayBuffers (typed-array MDB columns live outside the JS heap)", bytesPerCapability: Math.round((h1 - h0) / n), gcExposed: typeof globalThis.gc === "function", nodes: nova.k.mdb.live };
}

const small = tree(10_000);
const large = tree(100_000);
const result = {
  benchmark: "nova",
  callReply: roundTrips(2_000_000),
  delegationTree: { small, large, buildScaling: +(large.buildMs / small.buildMs).toFixed(2), revokeScaling: +(large.revokeMs / small.revokeMs).toFixed(2), linearWouldBe: 10 },
  memory: bytesPerCap(1_000_000),
};
const json = JSON.stringify(result, null, 2);
console.log(json);
const out = process.argv.indexOf("--out");
if (out > 0) writeFileSync(process.argv[out + 1], json + "\n");
