/**
 * Xen model throughput and scaling (host wall time of the emulator, with the trace on: every
 * hypercall is still charged and recorded through the machine). Targets from the issue:
 *   1. event-channel send to upcall (the receiving guest handles the upcall) ≥ 5 M/s;
 *   2. grant map + unmap ≥ 2 M/s;
 *   3. 1000 domains × 1023 channels in ≤ 1 GiB of heap, and the per-op cost there within 2× of
 *      10 domains;
 *   4. one FIFO domain with 131 072 ports: set-up time and send rate;
 *   5. scaling curves (issue 10): ops/s at 10…10 000 domains and at 10…10 000 ports.
 * Workload shape for the scaling runs: a fixed set of ACTIVE_PAIRS channel pairs carries the
 * traffic, spread evenly over all domains (or ports), as a real system has a few busy backends and
 * many idle channels. Sending on a port picked at random among all of them on every op (what the
 * old bench did) measures the host's cache misses on random pages, not the model.
 * Every op is a send whose event the receiver then takes (2-level upcall or FIFO queue walk), so
 * no send is coalesced into an already pending event and every point does the same work.
 * The points of a curve are measured interleaved (harness.ts, `curve`).
 */
import { Machine } from "hypernote/machine";
import {
  __HYPERVISOR_event_channel_op as EVTCHN, __HYPERVISOR_grant_table_op as GNTTAB, bootXen, DOMID_SELF, EVTCHNOP_alloc_unbound,
  EVTCHNOP_bind_interdomain, EVTCHNOP_bind_ipi, EVTCHNOP_expand_array, EVTCHNOP_init_control, EVTCHNOP_send, GNTMAP_host_map,
  GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref, type SharedInfoView, type Xen, type XenGuest,
} from "hypernote/internal/xen/index";
import { curve, onClock, opsPerSecond, rate, stats, time, type BenchResult, type Point } from "./harness.js";

const SUITE = "xen";
/** Channel pairs that carry the traffic in the scaling runs (each pair a different sender). */
const ACTIVE_PAIRS = 8;
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

function machine(cpus: number, memory: string): { m: Machine; xen: Xen } {
  const m = new Machine({ cpus, memory });
  return { m, xen: bootXen(m) };
}

function check(rc: number, what: string): void {
  if (rc !== 0) throw new Error(`${what} failed: ${rc}`);
}

/** An interdomain channel a ⇄ b: [port in a, port in b]. */
function connect(xen: Xen, a: number, b: number): [number, number] {
  const alloc = { dom: DOMID_SELF, remote_dom: a, port: 0 };
  check(xen.hypercall(b, EVTCHN, EVTCHNOP_alloc_unbound, alloc), "EVTCHNOP_alloc_unbound");
  const bind = { remote_dom: b, remote_port: alloc.port, local_port: 0 };
  check(xen.hypercall(a, EVTCHN, EVTCHNOP_bind_interdomain, bind), "EVTCHNOP_bind_interdomain");
  return [bind.local_port, alloc.port];
}

/** Target 1: dom A sends, the receiving guest's upcall handler takes the event. */
export function sendToUpcall(crossCpu: boolean): BenchResult {
  const { m, xen } = machine(2, "64M");
  const a = xen.createDomain({ pages: 1 }); // vCPU on CPU 0
  const b = xen.createDomain({ pages: 1 }); // CPU 1
  const c = xen.createDomain({ pages: 1 }); // CPU 0
  const target = crossCpu ? b : c;
  const [port] = connect(xen, a, target);
  const si = xen.guest(target).sharedInfo;
  si.handleUpcall(0);
  const arg = { port };
  let taken = 0;
  const timed = onClock(m, (n) => {
    for (let i = 0; i < n; i++) {
      xen.hypercall(a, EVTCHN, EVTCHNOP_send, arg);
      taken += si.handleUpcall(0).length;
    }
  });
  const s = opsPerSecond(timed.body, 1_000_000);
  if (taken !== 8_000_000) throw new Error(`the guest took ${taken} events, expected one per send`);
  return rate(SUITE, `evtchn send → upcall handled, ${crossCpu ? "cross-CPU" : "same CPU"}`, s, 5e6, { vcpuPlacement: crossCpu ? "sender CPU 0, receiver CPU 1" : "both on CPU 0", ...timed.params() });
}

/** Target 2: map a granted page into another domain and unmap it (which flushes its TLB). */
export function mapUnmap(): BenchResult {
  const { m, xen } = machine(2, "64M");
  const g = xen.createDomain({ pages: 4 });
  const d = xen.createDomain({ pages: 4 });
  xen.guest(g).grantTable.grantAccess(8, d, 1);
  const map = [{ host_addr: 0x100000, flags: GNTMAP_host_map, ref: 8, dom: g, status: 0, handle: 0 }];
  const unmap = [{ host_addr: 0x100000, dev_bus_addr: 0, handle: 0, status: 0 }];
  const timed = onClock(m, (n) => {
    for (let i = 0; i < n; i++) {
      xen.hypercall(d, GNTTAB, GNTTABOP_map_grant_ref, map, 1);
      unmap[0]!.handle = map[0]!.handle;
      xen.hypercall(d, GNTTAB, GNTTABOP_unmap_grant_ref, unmap, 1);
    }
  });
  const s = opsPerSecond(timed.body, 300_000);
  if (map[0]!.status !== 0 || unmap[0]!.status !== 0) throw new Error("map/unmap failed");
  return rate(SUITE, "grant map + unmap (GNTTABOP_map_grant_ref, unmap_grant_ref)", s, 2e6, timed.params());
}

interface Pair {
  from: number;
  arg: { port: number };
  to: SharedInfoView;
}

/** JS heap plus typed-array backing stores, after a collection. */
function heapBytes(): number {
  gc();
  const u = process.memoryUsage();
  return u.heapUsed + u.arrayBuffers;
}

/**
 * `n` domains, each with `channels` interdomain channels (half to each neighbour) plus one IPI;
 * ACTIVE_PAIRS of the channels, spread over all domains, carry the sends.
 */
function manyDomains(n: number, channels: number): Point & { heapBytes: number; setupSeconds: number } {
  const before = heapBytes();
  const { xen } = machine(4, n > 1000 ? "512M" : "256M");
  const ids: number[] = [];
  const ports: number[][] = [];
  const setupSeconds = time(() => {
    for (let i = 0; i < n; i++) ids.push(xen.createDomain({ pages: 1, maxEvtchnPort: 1023 }));
    for (let i = 0; i < n; i++) ports.push([]);
    const half = (channels - 1) >> 1;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      for (let k = 0; k < half; k++) ports[i]!.push(connect(xen, ids[i]!, ids[j]!)[0]);
      check(xen.hypercall(ids[i]!, EVTCHN, EVTCHNOP_bind_ipi, { vcpu: 0 }), "EVTCHNOP_bind_ipi");
    }
  });
  const heap = heapBytes() - before;
  const perDomain = Math.min(...ids.map((d) => xen.state().domains.get(d)!.evtchn.inUse - 1));
  const pairs: Pair[] = [];
  const guests = new Map<number, XenGuest>();
  for (let k = 0; k < ACTIVE_PAIRS; k++) {
    const i = Math.floor((k * n) / ACTIVE_PAIRS);
    const j = (i + 1) % n;
    const p = ports[i]![(k * 7) % ports[i]!.length]!;
    if (!guests.has(j)) guests.set(j, xen.guest(ids[j]!));
    pairs.push({ from: ids[i]!, arg: { port: p }, to: guests.get(j)!.sharedInfo });
  }
  for (const p of pairs) p.to.handleUpcall(0);
  const body = (ops: number): void => {
    for (let i = 0; i < ops; i++) {
      const p = pairs[i % ACTIVE_PAIRS]!;
      xen.hypercall(p.from, EVTCHN, EVTCHNOP_send, p.arg);
      if (p.to.handleUpcall(0).length !== 1) throw new Error("the receiver did not get the event");
    }
  };
  const params = { portsPerDomain: perDomain, activePairs: ACTIVE_PAIRS, heapMiB: +(heap / 2 ** 20).toFixed(1), setupSeconds: +setupSeconds.toFixed(2) };
  return { objects: n, body, params, heapBytes: heap, setupSeconds };
}

/**
 * One FIFO domain with `ports` IPI ports bound (array pages as needed); ACTIVE_PAIRS of them,
 * spread over the whole range, carry the sends, and the guest walks its queue after each.
 */
function fifoPorts(ports: number): Point & { setupSeconds: number } {
  const arrayPages = Math.ceil((ports + 1) / 1024);
  const { xen } = machine(2, "64M");
  const d = xen.createDomain({ pages: arrayPages + 2, maxEvtchnPort: ports });
  let bound = 0;
  const setupSeconds = time(() => {
    check(xen.hypercall(d, EVTCHN, EVTCHNOP_init_control, { control_gfn: 0, offset: 0, vcpu: 0 }), "EVTCHNOP_init_control");
    for (let g = 1; g <= arrayPages; g++) check(xen.hypercall(d, EVTCHN, EVTCHNOP_expand_array, { array_gfn: g }), "EVTCHNOP_expand_array");
    while (xen.hypercall(d, EVTCHN, EVTCHNOP_bind_ipi, { vcpu: 0 }) === 0) bound++;
  });
  const guest = xen.guest(d);
  const args = Array.from({ length: Math.min(ACTIVE_PAIRS, bound) }, (_, k) => ({ port: 1 + Math.floor((k * bound) / Math.min(ACTIVE_PAIRS, bound)) }));
  const body = (n: number): void => {
    for (let i = 0; i < n; i++) {
      xen.hypercall(d, EVTCHN, EVTCHNOP_send, args[i % args.length]!);
      if (guest.fifoHandleEvents(0).length !== 1) throw new Error("the guest did not get the FIFO event");
    }
  };
  const params = { abi: "FIFO", activePorts: args.length, setupSeconds: +setupSeconds.toFixed(3) };
  return { objects: bound, body, params, setupSeconds };
}

export default function xenSuite(): BenchResult[] {
  const out: BenchResult[] = [sendToUpcall(false), sendToUpcall(true), mapUnmap()];

  // Target 3: 10 versus 1000 domains with 1023 channels each.
  const d10 = manyDomains(10, 1023);
  const d100 = manyDomains(100, 1023);
  const d1000 = manyDomains(1000, 1023);
  out.push(...curve(SUITE, "domains", "send → upcall, 1023 channels per domain", [d10, d100, d1000], 200_000));
  out.push({
    suite: SUITE, name: "heap for 1000 domains × 1023 channels", unit: "MiB", value: +(d1000.heapBytes / 2 ** 20).toFixed(1),
    target: { value: 1024, better: "lower" }, params: { setupSeconds: +d1000.setupSeconds.toFixed(2), measuredAs: "heapUsed + arrayBuffers after gc, minus before the machine was made" },
  });

  // Curve (issue 10): up to 10 000 domains, with 63 channels each so the set-up stays in seconds.
  out.push(...curve(SUITE, "domains", "send → upcall, 63 channels per domain", [10, 100, 1000, 10_000].map((n) => manyDomains(n, 63)), 200_000));

  // Curve over ports in one FIFO domain, and target 4: the full 2^17-port FIFO domain.
  const full = fifoPorts(131_071);
  out.push(...curve(SUITE, "ports", "FIFO send → queue walk", [...[10, 100, 1000, 10_000].map((p) => fifoPorts(p)), full], 200_000));
  out.push({ suite: SUITE, name: "FIFO domain with 131 071 ports: set-up", unit: "s", value: +full.setupSeconds.toFixed(3), stats: stats([full.setupSeconds]), params: { hypercalls: 1 + 128 + 131_071 + 1 } });
  return out;
}
