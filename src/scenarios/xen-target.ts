/**
 * The workloads on a Xen system with DomU applications: two guests "a" and "b" built by `xl
 * create` (src/xen/toolstack), each with a vif on the bridge, "a" with a vbd. RPC = a vchan-like
 * channel (granted page + interdomain event channel, base-xen's XenChannel) between the guests'
 * user programs, which reach their kernel's /dev/xen/evtchn with a syscall to notify and to wait;
 * block = a's blkfront → blkback in the backend domain → disk; packets = a's netfront → netback →
 * bridge → b's netback → b's netfront, echoed back by b the same way.
 */
import { UsageError, type Machine } from "../machine/index.js";
import { XenChannel } from "../genode/base-xen/index.js";
import type { Xen } from "../xen/index.js";
import type { Blkfront } from "../xen/drivers/blkif.js";
import type { Netfront } from "../xen/drivers/netif.js";
import { BLOCK_BYTES, SECTOR, type TcbReport, type WorkloadName, type WorkloadTarget } from "./types.js";

// HVM guests, as the xen-linux-dom0 baseline describes them: QEMU provides their device model.
export const GUEST_CFG = (name: string, disk: boolean, mac: number): string => `name = "${name}"
type = "hvm"
memory = 8
vcpus = 1
vif = [ 'mac=00:16:3e:00:00:0${mac},bridge=xenbr0' ]
${disk ? "disk = [ '/dev/vg/a,raw,xvda,rw' ]" : ""}
`;
export const DISK_TARGET = "/dev/vg/a";
/** Gfns where a guest's vchan maps its peer's page (clear of the PV kernel's 0x50000 range). */
const VCHAN_MAP_GFN = 0x70000;

/** Dom0's part of a participant's TCB, from the live system. */
export type Dom0Tcb = (domid: number, participant: string) => { members: string[]; ids: string[]; extraLoc: number };

export class XenGuestsTarget implements WorkloadTarget {
  readonly a: number;
  readonly b: number;
  private readonly ch: XenChannel;
  private readonly bf: Blkfront;
  private readonly nfA: Netfront;
  private readonly nfB: Netfront;

  constructor(readonly machine: Machine, readonly xen: Xen, private readonly dom0Tcb: Dom0Tcb, private readonly report: (p: string, members: string[], ids: string[], extra: number) => TcbReport) {
    xen.files.set("a.cfg", GUEST_CFG("a", true, 1));
    xen.files.set("b.cfg", GUEST_CFG("b", false, 2));
    for (const f of ["a.cfg", "b.cfg"]) {
      const r = xen.xl(["create", f]);
      if (r.status !== 0) throw new UsageError("xl-create-failed", `xl create ${f}: ${r.stderr}`);
    }
    const sys = xen.system;
    this.a = sys.domidOf("a")!;
    this.b = sys.domidOf("b")!;
    const ka = sys.domains.get(this.a)!.kernel!;
    const kb = sys.domains.get(this.b)!.kernel!;
    const kOf = (d: number) => (d === this.a ? ka : kb);
    let nextMap = VCHAN_MAP_GFN;
    this.ch = new XenChannel(xen, this.a, this.b, { allocGfn: (d) => kOf(d).k.allocPage(), allocRef: (d) => kOf(d).k.allocRef(), allocMapGfn: () => nextMap++ });
    this.bf = [...ka.blkfronts.values()][0]!;
    this.nfA = [...ka.netfronts.values()][0]!;
    this.nfB = [...kb.netfronts.values()][0]!;
    if (!this.bf.connected || !this.nfA.connected || !this.nfB.connected) throw new Error("xen guests: devices did not connect");
  }

  get blockSectors(): number {
    return this.bf.sectors;
  }

  private cpu(domid: number): number {
    return this.xen.vcpu(domid, 0)?.processor ?? 0;
  }

  /** A guest program enters its own kernel (an ioctl or read on /dev/xen/evtchn, a read() or write() on the disk). */
  private syscall(domid: number, op: string): void {
    this.machine.charge(this.cpu(domid), "syscall", "guest", op, `dom${domid}`);
  }

  rpc(words: number[]): number[] {
    const ch = this.ch;
    this.machine.charge(this.cpu(this.a), "memcpy_per_byte_l1", "guest", "vchan write", `dom${this.a}`, undefined, 8 * ch.write(words, []));
    this.syscall(this.a, "evtchn notify");
    ch.notify("owner");
    ch.take("peer");
    this.syscall(this.b, "evtchn wait");
    const req = ch.read();
    this.machine.charge(this.cpu(this.b), "memcpy_per_byte_l1", "guest", "vchan write", `dom${this.b}`, undefined, 8 * ch.write(req.words, []));
    this.syscall(this.b, "evtchn notify");
    ch.notify("peer");
    ch.take("owner");
    this.syscall(this.a, "evtchn wait");
    return ch.read().words;
  }

  block(op: "read" | "write", sector: number, data: Uint8Array | undefined): Uint8Array | undefined {
    this.syscall(this.a, `block ${op}`);
    if (op === "write") {
      const st = this.bf.write(sector, data!);
      if (st !== 0) throw new Error(`blkfront write: status ${st}`);
      return undefined;
    }
    const r = this.bf.read(sector, BLOCK_BYTES / SECTOR);
    if (r.status !== 0) throw new Error(`blkfront read: status ${r.status}`);
    return r.data;
  }

  packet(_seq: number, payload: Uint8Array): Uint8Array | boolean {
    const sys = this.xen.system;
    // The guests' sockets consume what arrived, so nothing piles up over a long run.
    this.nfA.received.length = 0;
    this.nfB.received.length = 0;
    const [na, nb] = [0, 0];
    this.syscall(this.a, "sendto");
    this.nfA.send(payload);
    sys.settle();
    const atB = this.nfB.received[nb];
    if (atB === undefined) return false;
    this.syscall(this.b, "recvfrom");
    this.syscall(this.b, "sendto");
    this.nfB.send(atB);
    sys.settle();
    this.syscall(this.a, "recvfrom");
    return this.nfA.received[na] ?? false;
  }

  participants(w: WorkloadName): string[] {
    return w === "block-4k-random" ? ["a"] : ["a", "b"];
  }

  tcbOf(participant: string): TcbReport {
    const domid = participant === "a" ? this.a : this.b;
    const d = this.dom0Tcb(domid, participant);
    return this.report(participant, d.members, d.ids, d.extraLoc);
  }
}

/** What the live Xen system shows about a guest: introduced to xenstored, built by the toolstack, its backends, whether QEMU serves it. */
export function guestFacts(xen: Xen, domid: number): { xenstored: boolean; toolstack: boolean; backends: string[]; hvm: boolean } {
  const sys = xen.system;
  const backends = [...sys.netbacks.values(), ...sys.blkbacks.values()].filter((b) => b.frontDomid === domid && b.connected).map((b) => b.name);
  const info = xen.hv.domain(domid);
  return {
    xenstored: sys.xenstored.domains.get(domid)?.introduced === true,
    toolstack: sys.domains.has(domid),
    backends,
    // A device model exists only for type="hvm" (PVH guests are HVM containers without QEMU).
    hvm: info !== undefined && xen.ioPath(domid).some((d) => d.component === "qemu"),
  };
}
