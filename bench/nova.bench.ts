/**
 * NOVA microhypervisor throughput (NOVA issue targets): an empty call + reply between two PDs ≥ 5 M
 * round trips/s through the typed path, a delegation tree of 10^5 nodes built and revoked in linear
 * time, and ≤ 200 bytes of heap per capability at 10^6 capabilities. Also the scaling curve of issue 10
 * (per-operation cost within 2× from 10 to 10 000 capabilities). The trace stays on throughout.
 *
 * Bytes per capability needs a collection before each reading: run with
 * `node --expose-gc dist-bench/run.js nova`. Without gc() the figure is heapUsed + arrayBuffers after
 * allocating, which includes garbage (reported with params.gcExposed = false).
 */
import { bootNova, hc, type Nova, type SyscallResult } from "hypernote/internal/microkernel/index";
import { Machine } from "hypernote/machine";
import { curve, onClock, opsPerSecond, rate, stats, time, type BenchResult, type Point } from "./harness.js";

const SUITE = "nova";
const SIZES = [10, 100, 1_000, 10_000];

/** Root PD 0x20; PD 0x40 with a local EC 0x41 (UTCB 0x1000) behind portal 0x42 at IP 0x5000. */
function serverWorld(traceCapacity?: number): { m: Machine; nova: Nova } {
  const m = new Machine({ memory: "64M", costs: "nehalem-2010", ...(traceCapacity === undefined ? {} : { traceCapacity }) });
  const nova = bootNova(m);
  nova.createPd(0x40, 0x20);
  nova.createEc(0x41, 0x40, { utcb: 0x1000n });
  nova.createPt(0x42, 0x40, 0x41, 0, 0x5000);
  return { m, nova };
}

/** Empty call + reply from a cell: the typed helpers nova.call / nova.reply, on the machine's clock. */
function typedRoundTrips(): { s: ReturnType<typeof stats>; sim: Record<string, unknown> } {
  const { m, nova } = serverWorld();
  const srv = { ec: nova.ec(0x41) };
  const timed = onClock(m, (n) => {
    for (let i = 0; i < n; i++) {
      nova.call(0x42);
      nova.reply(srv);
    }
  });
  return { s: opsPerSecond(timed.body, 200_000, 9), sim: timed.params() };
}

/** The same through the register-level entry: identifier words built once, as a guest holds them in registers. */
function registerRoundTrips(): ReturnType<typeof stats> {
  const { nova } = serverWorld();
  const srv = nova.ec(0x41);
  const call = hc.call(0x42);
  const reply = hc.reply();
  return opsPerSecond((n) => {
    for (let i = 0; i < n; i++) {
      nova.syscall(call);
      nova.syscall(reply, srv);
    }
  }, 200_000, 9);
}

/**
 * Registered guest code: a global client EC (started through its STARTUP portal) loops on call(0x42);
 * the server's portal program ends at once, which replies. The machine's dispatcher runs both.
 */
function guestRoundTrips(): { s: ReturnType<typeof stats>; sim: Record<string, unknown> } {
  const { m, nova } = serverWorld();
  let calls = 0;
  const call = hc.call(0x42);
  nova.registerCode(0x5000, function* () {});
  nova.registerCode(0x7000, function* (ctx) {
    const u = nova.utcb(ctx.ec);
    u.words[4] = BigInt(nova.abi.Mtd.RIP_LEN);
    u.words[6] = 0x8000n;
    yield hc.reply();
  });
  nova.registerCode(0x8000, function* () {
    for (;;) {
      const r = (yield call) as SyscallResult;
      if (r.status !== 0) throw new Error(`call failed: ${r.status}`);
      calls++;
    }
  });
  nova.createEc(0x43, 0x20, { utcb: 0x2000n });
  nova.createPt(0x11e, 0x20, 0x43, nova.abi.Mtd.RIP_LEN, 0x7000);
  nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true, evt: 0x100 });
  nova.createSc(0x70, 0x20, 0x60, nova.qpd(10, 1000));
  const timed = onClock(m, (n) => {
    const until = calls + n;
    m.run({ until: () => calls >= until });
  });
  return { s: opsPerSecond(timed.body, 50_000, 7), sim: timed.params() };
}

/**
 * The root takes 2^order pages from the kernel (H item) through a portal of its own, so that it holds
 * one memory node to delegate single pages from.
 */
function memoryWorld(n: number, traceCapacity: number): { m: Machine; nova: Nova; order: number } {
  const order = Math.ceil(Math.log2(n + 1));
  const pages = 2 ** order;
  const m = new Machine({ memory: Math.max(64 * 1024 * 1024, (pages + 1024) * 4096), traceCapacity });
  const nova = bootNova(m);
  nova.createPd(0x40, 0x20);
  nova.createEc(0x60, 0x20, { utcb: 0x9000n });
  nova.createPt(0x61, 0x20, 0x60, 0, 0x7000);
  nova.utcb().crdDel = nova.crd.mem(0, order);
  nova.call(0x61);
  nova.utcb(nova.ec(0x60)).setMessage([]).appendItem(nova.crd.mem(0, order), 0, 1, 1n << 11n);
  nova.reply({ ec: nova.ec(0x60) });
  // Both UTCBs hold the item now; empty them so that later calls and replies carry nothing.
  nova.utcb(nova.ec(0x60)).setMessage([]);
  nova.utcb().setMessage([]);
  return { m, nova, order };
}

/** Build a tree of n single-page delegations under one node, then revoke it; seconds for each. */
function tree(n: number): { build: number; revoke: number } {
  const { nova, order } = memoryWorld(n, 1024);
  const build = time(() => {
    for (let i = 0; i < n; i++) nova.delegate(0x20, 0x40, nova.crd.mem(i, 0, 7));
  });
  if (nova.k.mdb.live < n) throw new Error(`tree of ${n}: only ${nova.k.mdb.live} nodes live`);
  const revoke = time(() => nova.revoke(nova.crd.mem(0, order, 7)));
  return { build, revoke };
}

function treeCurve(): BenchResult[] {
  const out: BenchResult[] = [];
  for (const n of [1_000, 10_000, 100_000]) {
    const runs = Array.from({ length: n >= 100_000 ? 3 : 5 }, () => tree(n));
    const build = stats(runs.map((r) => n / r.build));
    const revoke = stats(runs.map((r) => n / r.revoke));
    out.push(rate(SUITE, `delegation tree: build (nodes/s) at ${n} nodes`, build, undefined, { nodes: n, linear: "nodes/s constant across sizes" }));
    out.push(rate(SUITE, `delegation tree: revoke (nodes/s) at ${n} nodes`, revoke, undefined, { nodes: n, linear: "nodes/s constant across sizes" }));
  }
  return out;
}

function bytesPerCapability(n: number): BenchResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = (): number => {
    gc?.();
    const u = process.memoryUsage();
    return u.heapUsed + u.arrayBuffers; // the MDB's typed-array columns live outside the JS heap
  };
  const { nova } = memoryWorld(n, 0);
  const before = heap();
  for (let i = 0; i < n; i++) nova.delegate(0x20, 0x40, nova.crd.mem(i, 0, 7));
  const after = heap();
  const live = nova.k.mdb.live;
  return {
    suite: SUITE,
    name: `heap bytes per capability at ${n} capabilities`,
    unit: "bytes",
    value: (after - before) / n,
    target: { value: 200, better: "lower" },
    params: { capabilities: n, liveNodes: live, gcExposed: gc !== undefined, measured: "heapUsed + arrayBuffers, after gc() when exposed" },
  };
}

/**
 * The capabilities curve (issue 10): with `n` single-page memory capabilities in PD 0x50 (delegated
 * from the root), the rate of an empty call + reply, and of delegating one of 0x50's pages on to
 * PD 0x40 and revoking it again (a remote revoke from the root, which reaches only that page's subtree).
 */
function scaling(): BenchResult[] {
  const worlds = SIZES.map((n) => {
    const { nova } = memoryWorld(n, 1 << 12);
    nova.createPd(0x50, 0x20);
    for (let i = 0; i < n; i++) nova.delegate(0x20, 0x50, nova.crd.mem(i, 0, 7));
    return { n, nova };
  });
  const ipc: Point[] = worlds.map(({ n, nova }) => {
    const srv = { ec: nova.ec(0x60) };
    return {
      objects: n,
      body: (k) => {
        for (let i = 0; i < k; i++) {
          nova.call(0x61);
          nova.reply(srv);
        }
      },
    };
  });
  const map: Point[] = worlds.map(({ n, nova }) => {
    const page = nova.crd.mem(n >> 1, 0, 7);
    return {
      objects: n,
      body: (k) => {
        for (let i = 0; i < k; i++) {
          nova.delegate(0x50, 0x40, page);
          nova.revoke(page, { remote: 0x50 });
        }
      },
    };
  });
  return [...curve(SUITE, "capabilities", "call+reply", ipc, 100_000), ...curve(SUITE, "capabilities", "delegate+revoke one page", map, 20_000)];
}

/** NOVA_BENCH=ipc runs only the three call+reply rates (a quick before/after while profiling). */
export default function novaSuite(): BenchResult[] {
  const ipcOnly = process.env.NOVA_BENCH === "ipc";
  const typed = typedRoundTrips();
  const guest = guestRoundTrips();
  const ipc = [
    rate(SUITE, "empty call+reply between two PDs, typed helpers (round trips/s)", typed.s, 5e6, { path: "nova.call / nova.reply", costs: "nehalem-2010", trace: "on", ...typed.sim }),
    rate(SUITE, "empty call+reply between two PDs, register-level syscall (round trips/s)", registerRoundTrips(), undefined, { path: "nova.syscall(hc.call) / nova.syscall(hc.reply)" }),
    rate(SUITE, "empty call+reply between two PDs, registered guest code (round trips/s)", guest.s, 5e6, { path: "guest programs run by m.run", ...guest.sim }),
  ];
  if (ipcOnly) return ipc;
  return [
    ...ipc,
    ...treeCurve(),
    bytesPerCapability(1_000_000),
    ...scaling(),
  ];
}
