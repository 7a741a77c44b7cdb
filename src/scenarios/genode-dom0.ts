/**
 * genode-dom0: the seed's second approach — Genode replaces Linux as Dom0. Genode's core runs in
 * Dom0 over base-xen with init and its components (each a Xen domain); the Xen-side services —
 * xenstored, netback/blkback and the toolstack — are src/xen's own code serving the guests, and
 * blkback's disk is a Genode Block session: every sector blkback reads or writes goes as a Block
 * RPC (base-xen: granted page + event channels) from the backend component to ram_block, and
 * netback hands packets to a nic_bridge component (dom0-backends.ts): no Linux work on either path.
 */
import { Machine, type MachineOptions } from "../machine/index.js";
import { bootGenode } from "../genode/index.js";
import { BlockOp } from "../genode/components/block-ops.js";
import { bootXen } from "../xen/index.js";
import { RamDisk } from "../xen/drivers/blkif.js";
import { DISK_BYTES, workloadInitConfig } from "./genode-target.js";
import { WorkloadPorts, workloadPrograms } from "./programs.js";
import { Scenario, tcbReport } from "./scenario.js";
import { DISK_TARGET, XenGuestsTarget, guestFacts } from "./xen-target.js";
import { DOM0_BACKEND_STARTS, dom0BackendPrograms, useGenodeBackends } from "./dom0-backends.js";
import { SECTOR } from "./types.js";

/** blkback's disk in a Genode Dom0: the bytes stay in the image; each access is a Block session request to ram_block. */
class GenodeBlockDisk extends RamDisk {
  constructor(private readonly ports: WorkloadPorts) {
    super(DISK_BYTES / SECTOR);
  }
  private request(op: number, off: number, len: number): void {
    const c = this.ports.connections.get("blk_client");
    if (c === undefined) throw new Error("genode-dom0: the backend component has no Block session");
    const r = c.call(op, [off / SECTOR, len / SECTOR, 0]);
    if (r.code !== 0) throw new Error(`genode-dom0: Block request failed (${r.code})`);
  }
  override read(byteOff: number, len: number): Uint8Array {
    this.request(BlockOp.read, byteOff, len);
    return super.read(byteOff, len);
  }
  override write(byteOff: number, data: Uint8Array): void {
    this.request(BlockOp.write, byteOff, data.length);
    super.write(byteOff, data);
  }
}

export function genodeDom0(options: MachineOptions): Scenario {
  const m = new Machine(options);
  const xen = bootXen(m);
  const ports = new WorkloadPorts();
  const g = bootGenode(m, { kernel: "xen", xen, programs: [...workloadPrograms(ports), ...dom0BackendPrograms(ports)] });
  const r = g.start(workloadInitConfig("ram_block", DOM0_BACKEND_STARTS));
  if (!r.ok) throw new Error(`genode-dom0: init refused its configuration (${r.error})`);
  xen.system.disks.set(DISK_TARGET, new GenodeBlockDisk(ports));
  useGenodeBackends(xen.system.dom0, ports);
  const target = new XenGuestsTarget(m, xen, (domid) => {
    const f = guestFacts(xen, domid);
    // The servers the backend components use (the block driver, nic_bridge), from init's routing.
    const via = [...(f.backends.some((b) => b.startsWith("vbd")) ? [g.tcbOf("init -> blk_client")] : []), ...(f.backends.some((b) => b.startsWith("vif")) ? [g.tcbOf("init -> netback")] : [])];
    const servers = [...new Map(via.flatMap((v) => v.members.slice(3)).map((x) => [x.label, x])).values()];
    const members = ["xen", "Genode core (Dom0)", "init", ...(f.xenstored ? ["xenstored (Genode component)"] : []), ...(f.toolstack ? ["xl + libxl (Genode component)"] : []),
      ...f.backends.map((b) => `${b} backend (Genode component)`), ...servers.map((x) => x.label), "guest kernel"];
    const ids = ["xen-4.22", "genode-core", "genode-base-lib", "genode-init", ...(f.xenstored ? ["xenstored-c-4.22"] : []), ...(f.toolstack ? ["xl-4.22", "libxl-4.22"] : []), ...servers.flatMap((x) => x.tcbIds)];
    const extraLoc = servers.reduce((n, x) => n + (x.tcbIds.length === 0 && x.loc ? x.loc.lines : 0), 0);
    return { members, ids: [...new Set(ids)], extraLoc };
  }, (p, members, ids, extra) => tcbReport(p, members, ids, extra));
  return new Scenario("genode-dom0", m, target, "Xen with Genode as Dom0: xenstored, backends and toolstack as Genode components");
}
