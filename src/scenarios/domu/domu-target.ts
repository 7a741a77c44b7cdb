/**
 * genode-domu's workload target: the Genode workloads of GenodeTarget, with the block device and
 * the network behind the DomU's Xen bridge drivers. The packet workload's far end is the peer
 * guest, and the TCB of the packet sender includes the uplink driver its frames leave through.
 */
import type { Machine } from "../../machine/index.js";
import type { Xen } from "../../xen/index.js";
import type { Genode, TcbMember, TcbSet } from "../../genode/index.js";
import type { Program } from "../../genode/programs.js";
import { GenodeTarget } from "../genode-target.js";
import type { WorkloadPorts } from "../programs.js";
import { genodeTcbReport, tcbReport } from "../scenario.js";
import type { TcbReport, WorkloadName } from "../types.js";
import type { IcmpEchoPeer } from "./echo-peer.js";
import { XenBlk, type BlockPayload } from "./xen-blk.js";
import { XenNic } from "./xen-nic.js";
import type { NovaHvmGuest } from "./nova-hvm-guest.js";

type Below = () => { members: readonly string[]; ids: readonly string[] };

// Genode has no Xen frontend drivers to count; Mini-OS's are the closest user-level (non-Linux)
// implementations of the same protocols: the frontend plus the xenbus, grant-table and event
// libraries each driver carries. Code lines (comments and blanks stripped) of xen-project/mini-os
// 229260e: blkfront.c + blkfront.h 598, netfront.c + netfront.h 518, xenbus/xenbus.c + xenbus.h 804,
// gnttab.c + gnttab.h 158, events.c + events.h 211.
const MINIOS = "stand-in, counted here: code lines of xen-project/mini-os 229260e";
const XEN_LIBS = 804 + 158 + 211;

export function domuPrograms(guest: NovaHvmGuest, payload: BlockPayload): Program[] {
  return [
    { binary: "xen_blk", factory: () => new XenBlk(guest, payload), tcbIds: [], loc: { lines: 598 + XEN_LIBS, source: `${MINIOS}: blkfront.c, include/blkfront.h, xenbus, gnttab, events` } },
    { binary: "xen_nic", factory: () => new XenNic(guest), tcbIds: [], loc: { lines: 518 + XEN_LIBS, source: `${MINIOS}: netfront.c, include/netfront.h, xenbus, gnttab, events` } },
  ];
}

/** A participant's routed TCB plus a component on its data path that routing alone does not show. */
function withPathMember(a: TcbSet, b: TcbSet): TcbSet {
  const members: TcbMember[] = [...a.members];
  for (const m of [...b.members, b.self]) if (!members.some((x) => x.label === m.label)) members.push(m);
  const extraLoc = { kernel: 0, "core/runtime": 0, services: 0, drivers: 0 };
  for (const m of members) if (m.tcbIds.length === 0 && m.loc) extraLoc[m.category] += m.loc.lines;
  return { ...a, members, ids: [...new Set(members.flatMap((m) => m.tcbIds))], extraLoc };
}

export class DomuTarget extends GenodeTarget {
  constructor(
    machine: Machine,
    genode: Genode,
    ports: WorkloadPorts,
    private readonly xenBelow: Below,
    payload: BlockPayload,
    readonly peer: { name: string; tcb: Below; echo: IcmpEchoPeer },
    /** The Xen world the DomU runs in, and the DomU's Xen interface, for inspection. */
    readonly xen: Xen,
    readonly guest: NovaHvmGuest,
  ) {
    super(machine, genode, ports, xenBelow, payload);
  }

  override participants(w: WorkloadName): string[] {
    return w === "packet-router" ? ["init -> nic_client", this.peer.name] : super.participants(w);
  }

  override tcbOf(participant: string): TcbReport {
    if (participant === this.peer.name) {
      const b = this.peer.tcb();
      return tcbReport(participant, [...b.members, "guest Linux"], b.ids, 0);
    }
    const own = this.genode.tcbOf(participant);
    // Frames leave the DomU through xen_nic: it is on the path of every nic_router client's packets.
    const set = participant === "init -> nic_client" ? withPathMember(own, this.genode.tcbOf("init -> xen_nic")) : own;
    return genodeTcbReport(participant, set, this.xenBelow());
  }
}
