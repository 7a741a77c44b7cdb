// Xen model throughput and scaling (host wall time; never used by tests). Prints JSON and writes
// bench/results-xen.json. Run after `npm run build`: node --expose-gc bench/xen.bench.js
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { URL } from "node:url";
import { createMachine } from "../dist/index.js";
import {
  __HYPERVISOR_event_channel_op as EVTCHN, __HYPERVISOR_grant_table_op as GNTTAB, DOMID_SELF, EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain,
  EVTCHNOP_bind_ipi, EVTCHNOP_expand_array, EVTCHNOP_init_control, EVTCHNOP_send, GNTMAP_host_map, GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref,
} from "../dist/xen/index.js";

const gc = globalThis.gc ?? (() => {});
const rate = (n, ms) => Math.round((n / ms) * 1000);

function connect(xen, a, b) {
  const al = { dom: DOMID_SELF, remote_dom: a, port: 0 };
  if (xen.hypercall(b, EVTCHN, EVTCHNOP_alloc_unbound, al) !== 0) throw new Error("alloc_unbound");
  const bi = { remote_dom: b, remote_port: al.port, local_port: 0 };
  if (xen.hypercall(a, EVTCHN, EVTCHNOP_bind_interdomain, bi) !== 0) throw new Error("bind_interdomain");
  return [bi.local_port, al.port];
}

function sendToUpcall(crossCpu) {
  const m = createMachine({ cpus: 2, memory: "64M", traceCapacity: 1 << 12 });
  const xen = m.bootXen();
  const a = xen.createDomain({ pages: 1 }); // CPU 0
  const b = xen.createDomain({ pages: 1 }); // CPU 1
  const c = xen.createDomain({ pages: 1 }); // CPU 0
  const target = crossCpu ? b : c;
  const [port] = connect(xen, a, target);
  const si = xen.guest(target).sharedInfo;
  si.handleUpcall(0);
  const arg = { port };
  const n = 2_000_000;
  for (let i = 0; i < 200_000; i++) { xen.hypercall(a, EVTCHN, EVTCHNOP_send, arg); si.handleUpcall(0); }
  const t = performance.now();
  for (let i = 0; i < n; i++) { xen.hypercall(a, EVTCHN, EVTCHNOP_send, arg); si.handleUpcall(0); }
  return rate(n, performance.now() - t);
}

function mapUnmap() {
  const m = createMachine({ cpus: 2, memory: "64M", traceCapacity: 1 << 12 });
  const xen = m.bootXen();
  const g = xen.createDomain({ pages: 4 });
  const d = xen.createDomain({ pages: 4 });
  xen.guest(g).grantTable.grantAccess(8, d, 1);
  const map = [{ host_addr: 0x100000, flags: GNTMAP_host_map, ref: 8, dom: g }];
  const unmap = [{ host_addr: 0x100000, dev_bus_addr: 0, handle: 0 }];
  const n = 1_000_000;
  const once = () => {
    xen.hypercall(d, GNTTAB, GNTTABOP_map_grant_ref, map, 1);
    unmap[0].handle = map[0].handle;
    xen.hypercall(d, GNTTAB, GNTTABOP_unmap_grant_ref, unmap, 1);
  };
  for (let i = 0; i < 100_000; i++) once();
  const t = performance.now();
  for (let i = 0; i < n; i++) once();
  if (map[0].status !== 0 || unmap[0].status !== 0) throw new Error("map/unmap failed");
  return rate(n, performance.now() - t);
}

/** n domains, each with 1023 ports in use (interdomain channels to both neighbours, plus one IPI). */
function manyDomains(n) {
  gc();
  const used = () => { const u = process.memoryUsage(); return u.heapUsed + u.arrayBuffers; };
  const base = used();
  const m = createMachine({ cpus: 4, memory: "256M", traceCapacity: 1 << 12 });
  const xen = m.bootXen();
  const ids = [];
  for (let i = 0; i < n; i++) ids.push(xen.createDomain({ pages: 1, maxEvtchnPort: 1023 }));
  const ports = ids.map(() => []);
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    for (let k = 0; k < 511; k++) ports[i].push(connect(xen, ids[i], ids[j])[0]);
    xen.hypercall(ids[i], EVTCHN, EVTCHNOP_bind_ipi, { vcpu: 0 });
  }
  gc();
  const heap = used() - base; // JS heap plus typed-array backing stores
  const inUse = ids.map((d) => xen.state().domains.get(d).evtchn.inUse - 1);
  const ops = 1_000_000;
  let x = 12345;
  const t = performance.now();
  for (let i = 0; i < ops; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const di = x % n;
    const p = ports[di][(x >>> 12) % 511];
    xen.hypercall(ids[di], EVTCHN, EVTCHNOP_send, { port: p });
    if ((i & 63) === 0) for (const d of ids.slice(0, 1)) xen.guest(d).sharedInfo.handleUpcall(0);
  }
  const nsPerOp = ((performance.now() - t) * 1e6) / ops;
  return { domains: n, portsPerDomain: Math.min(...inUse), heapMB: Math.round(heap / 2 ** 20), sendNsPerOp: Math.round(nsPerOp) };
}

function fifoBig() {
  const m = createMachine({ cpus: 2, memory: "64M", traceCapacity: 1 << 12 });
  const xen = m.bootXen();
  const d = xen.createDomain({ pages: 130, maxEvtchnPort: 131071 });
  const t = performance.now();
  if (xen.hypercall(d, EVTCHN, EVTCHNOP_init_control, { control_gfn: 0, offset: 0, vcpu: 0 }) !== 0) throw new Error("init_control");
  for (let g = 1; g <= 128; g++) if (xen.hypercall(d, EVTCHN, EVTCHNOP_expand_array, { array_gfn: g }) !== 0) throw new Error("expand_array");
  let ports = 0;
  while (xen.hypercall(d, EVTCHN, EVTCHNOP_bind_ipi, { vcpu: 0 }) === 0) ports++;
  const setupMs = performance.now() - t;
  const n = 500_000;
  const t2 = performance.now();
  for (let i = 0; i < n; i++) {
    xen.hypercall(d, EVTCHN, EVTCHNOP_send, { port: 1 + (i % ports) });
    if ((i & 1023) === 1023) xen.guest(d).fifoHandleEvents(0);
  }
  return { portsBound: ports, highestPort: ports, setupMs: Math.round(setupMs), sendPerSec: rate(n, performance.now() - t2) };
}

const small = manyDomains(10);
const large = manyDomains(1000);
const results = {
  evtchnSendToUpcallPerSec: { sameCpu: sendToUpcall(false), crossCpu: sendToUpcall(true), target: 5_000_000 },
  grantMapUnmapPerSec: { value: mapUnmap(), target: 2_000_000 },
  scaling: { small, large, ratio: +(large.sendNsPerOp / small.sendNsPerOp).toFixed(2), heapTargetMB: 1024, ratioTarget: 2 },
  fifo: fifoBig(),
  node: process.version,
};
writeFileSync(new URL("./results-xen.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
console.log(JSON.stringify(results, null, 2));
