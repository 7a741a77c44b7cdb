/**
 * genode-dom0's backends as Genode components: what netback and blkback execute per request when
 * Dom0 is Genode instead of Linux. The grant copies and maps, and the event channels that wake
 * the backend (base-xen: a signal is an event channel), are the Xen operations src/xen's drivers
 * already issue. The rest of a request is Genode session traffic, not Linux's skb/bio work:
 * - blkback: the disk is a Block session to the block driver component, one RPC per access
 *   (GenodeBlockDisk in genode-dom0.ts);
 * - netback: a packet taken from a guest is handed to nic_bridge (Nic transmit), and one for a guest
 *   is fetched from it (Nic receive) when netback fills that guest's rx ring. The forwarding
 *   decision itself stays the Xen system's bridge. One Nic session serves every vif here (the real
 *   netback would hold one per vif); the signal that announces a received packet is not charged.
 */
import { err, ok } from "../machine/index.js";
import type { Component, Env, SessionRequest } from "../genode/component.js";
import type { Program } from "../genode/programs.js";
import { NicOp } from "../genode/components/net.js";
import type { Kernel } from "../xen/toolstack/kernel.js";
import type { WorkloadPorts } from "./programs.js";

/** nic_bridge as the backends see it: Nic sessions whose transmitted packets queue for receive. */
class NicBridge implements Component {
  private readonly queue: number[][] = [];
  start(env: Env): void {
    env.announce("Nic");
  }
  session(req: SessionRequest) {
    if (req.service !== "Nic") return err("DENIED" as const);
    return ok([
      (a: readonly number[]) => { this.queue.push([...a]); return []; },
      () => this.queue.shift() ?? [],
      () => [],
      () => [0, 0],
    ]);
  }
}

/** The netback component: holds its Nic session to nic_bridge for the scenario. */
class NetbackComponent implements Component {
  constructor(private readonly ports: WorkloadPorts) {}
  start(env: Env): void {
    const c = env.connect("Nic");
    if (!c.ok) { env.error(`could not open Nic session (${c.error})`); return; }
    this.ports.connections.set(env.name, c.value);
  }
}

export function dom0BackendPrograms(ports: WorkloadPorts): Program[] {
  return [
    { binary: "nic_bridge", factory: () => new NicBridge(), tcbIds: ["genode-nic-bridge", "genode-net-lib"] },
    // Its own code is the backend the members list names; no Genode netback exists to count.
    { binary: "netback", factory: () => new NetbackComponent(ports), tcbIds: [], loc: { lines: 0, source: "no Genode netback exists to count; listed as the vif backend member" } },
  ];
}

export const DOM0_BACKEND_STARTS = `<start name="nic_bridge"><resource name="RAM" quantum="2M"/><provides><service name="Nic"/></provides></start>
  <start name="netback"><resource name="RAM" quantum="1M"/><route><service name="Nic"><child name="nic_bridge"/></service><any-service><parent/></any-service></route></start>`;

/** Dom0's per-request backend work, Genode's way (replaces Linux's `linux_backend_request`). */
export function useGenodeBackends(dom0: Kernel, ports: WorkloadPorts): void {
  dom0.backendWork = (op, bytes) => {
    if (!op.startsWith("netback.")) return; // blkback: its Block RPC is charged where the disk is accessed
    const c = ports.connections.get("netback");
    if (c === undefined) throw new Error("genode-dom0: the netback component has no Nic session");
    const r = op === "netback.tx" ? c.call(NicOp.transmit, [bytes]) : c.call(NicOp.receive);
    if (r.code !== 0) throw new Error(`genode-dom0: Nic ${op} failed (${r.code})`);
  };
}
