/**
 * The Xen world above the hypervisor: split-driver and XenStore paths through the rings, as the
 * guest kernel drives them. Two figures per path: host ops/s of the emulator (wall time), and the
 * simulated rate the model predicts (bytes or requests per simulated second at the profile clock).
 *   1. netfront → netback, 1500-byte packets (tx ring, grant copy out), no rx traffic;
 *   2. XenStore READ and WRITE from a guest over its xenstore ring page (event-channel kicks).
 * Simulated figures rest on `assumed` cost entries (xenstored_request, linux_backend_request).
 */
import { Machine } from "hypernote/machine";
import { bootXen, type Xen } from "hypernote/internal/xen/index";
import { onClock, opsPerSecond, rate, type BenchResult } from "./harness.js";

const SUITE = "xen-system";
const PACKET = 1500;

const CFG = `name = "bench"
memory = 32
vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]
`;

function world(): { m: Machine; xen: Xen } {
  const m = new Machine({ cpus: 2, memory: "256M", seed: 1, traceCapacity: 1 << 12 });
  const xen = bootXen(m);
  xen.files.set("bench.cfg", CFG);
  if (xen.xl(["create", "bench.cfg"]).status !== 0) throw new Error("xl create failed");
  return { m, xen };
}

export default function (): BenchResult[] {
  const out: BenchResult[] = [];

  // 1. netfront → netback throughput (the bridge has no other vif, so nothing comes back).
  {
    const { m, xen } = world();
    const nf = xen.system.domains.get(1)!.kernel!.netfronts.get(0)!;
    const nb = xen.system.netbacks.get("1/0")!;
    const pkt = new Uint8Array(PACKET).fill(0x5a);
    let simBytes = 0;
    const timed = onClock(m, (n) => {
      const b0 = nb.bytesTx;
      for (let i = 0; i < n; i++) {
        nf.send(pkt);
        if ((i & 31) === 31) xen.system.settle();
      }
      xen.system.settle();
      nb.received.length = 0;
      simBytes += nb.bytesTx - b0;
    });
    const s = opsPerSecond(timed.body, 2000);
    const sim = timed.params();
    const cycles = (sim["simCyclesPerOp"] as number) * (simBytes / PACKET);
    const gbps = (simBytes * 8) / (cycles / m.costs.hz) / 1e9;
    out.push(rate(SUITE, "netfront→netback 1500 B packets (host)", s, undefined, { packet: PACKET, ...sim }));
    out.push({ suite: SUITE, name: "netfront→netback 1500 B packets (simulated)", unit: "Gbit/s", value: gbps, params: { profile: m.costs.profile.id, hz: m.costs.hz, bytes: simBytes, cycles } });
  }

  // 2. XenStore through the ring from the guest.
  for (const op of ["read", "write"] as const) {
    const { m, xen } = world();
    const xs = xen.system.domains.get(1)!.kernel!.k.xs;
    const timed = onClock(m, (n) => {
      for (let i = 0; i < n; i++) {
        if (op === "read") xs.read("name");
        else xs.write("data/counter", String(i));
      }
    });
    const s = opsPerSecond(timed.body, 2000);
    const sim = timed.params();
    out.push(rate(SUITE, `XenStore ${op} from a guest over the ring (host)`, s, undefined, sim));
    out.push({ suite: SUITE, name: `XenStore ${op} from a guest over the ring (simulated)`, unit: "requests/s", value: m.costs.hz / (sim["simCyclesPerOp"] as number), params: { profile: m.costs.profile.id, cyclesPerRequest: sim["simCyclesPerOp"] } });
  }
  return out;
}
