/**
 * Event channels: the EVTCHNOP_* sub-ops of __HYPERVISOR_event_channel_op (32).
 * Source: xen/common/event_channel.c at c447b7308b13 (reference/xen.md §1.2, §2 error table).
 * Each handler decodes its struct, checks everything, then acts, and returns one status; OUT fields
 * are written into the struct the caller passed, as Xen copies them back to the guest.
 */
import { XEN_EBUSY, XEN_EEXIST, XEN_EFAULT, XEN_EINVAL, XEN_ENOENT, XEN_ENOSPC, XEN_ENOSYS, XEN_EPERM, XEN_ESRCH } from "./abi/errno.js";
import {
  ECS_FREE, ECS_INTERDOMAIN, ECS_IPI, ECS_PIRQ, ECS_RESERVED, ECS_UNBOUND, ECS_VIRQ, EvtchnOp, EvtchnStat,
} from "./abi/evtchn.js";
import { DOMID_SELF, NR_VIRQS, PER_DOMAIN_VIRQS, PER_VCPU_VIRQS } from "./abi/xen.js";
import { int, isStruct, type Struct } from "./decode.js";
import { expandArray, initControl, resetFifo, setPriority } from "./evtchn-fifo-ops.js";
import { findFreePort, freePort, portIsValid, setPortPending, takePort, unmaskPort } from "./evtchn-port.js";
import type { Hv } from "./hv.js";
import type { DomainState, Port } from "./state.js";
import { XSM_TARGET, xsmDefaultAction } from "./xsm.js";

export type EvtchnHandler = (hv: Hv, d: DomainState, a: Struct) => number;

const STAT_OF_ECS = [
  EvtchnStat.EVTCHNSTAT_closed, EvtchnStat.EVTCHNSTAT_closed, EvtchnStat.EVTCHNSTAT_unbound, EvtchnStat.EVTCHNSTAT_interdomain,
  EvtchnStat.EVTCHNSTAT_pirq, EvtchnStat.EVTCHNSTAT_virq, EvtchnStat.EVTCHNSTAT_ipi,
];

function allocUnbound(hv: Hv, d: DomainState, a: Struct): number {
  const dom = int(a, "dom", "EVTCHNOP_alloc_unbound");
  let remote = int(a, "remote_dom", "EVTCHNOP_alloc_unbound");
  const target = hv.lookup(d, dom);
  if (target === undefined) return -XEN_ESRCH;
  const rc = xsmDefaultAction(XSM_TARGET, d, target);
  if (rc !== 0) return rc;
  const port = findFreePort(target.evtchn);
  if (port === undefined) return -XEN_ENOSPC;
  if (remote === DOMID_SELF) remote = d.domid;
  takePort(target.evtchn, port, ECS_UNBOUND, 0);
  target.evtchn.remoteDom[port] = remote;
  a.port = port;
  return 0;
}

function bindInterdomain(hv: Hv, d: DomainState, a: Struct): number {
  const rdom = int(a, "remote_dom", "EVTCHNOP_bind_interdomain");
  const rport = int(a, "remote_port", "EVTCHNOP_bind_interdomain");
  const rd = hv.lookup(d, rdom);
  if (rd === undefined) return -XEN_ESRCH;
  const lport = findFreePort(d.evtchn);
  if (lport === undefined) return -XEN_ENOSPC;
  const re = rd.evtchn;
  if (!portIsValid(re, rport) || re.state[rport] !== ECS_UNBOUND || re.remoteDom[rport] !== d.domid) return -XEN_EINVAL;
  takePort(d.evtchn, lport, ECS_INTERDOMAIN, 0);
  d.evtchn.remoteDom[lport] = rd.domid;
  d.evtchn.remotePort[lport] = rport;
  re.state[rport] = ECS_INTERDOMAIN;
  re.remoteDom[rport] = d.domid;
  re.remotePort[rport] = lport;
  a.local_port = lport;
  // Sends to the remote port while it was unbound were dropped: the new port starts pending.
  setPortPending(hv, d, 0, lport);
  return 0;
}

function bindVirq(hv: Hv, d: DomainState, a: Struct): number {
  const virq = int(a, "virq", "EVTCHNOP_bind_virq");
  const vcpu = int(a, "vcpu", "EVTCHNOP_bind_virq");
  if (virq >>> 0 !== virq || virq >= NR_VIRQS) return -XEN_EINVAL;
  const perVcpu = PER_VCPU_VIRQS.has(virq);
  if (!perVcpu && vcpu !== 0) return -XEN_EINVAL;
  if (hv.vcpu(d, vcpu) === undefined) return -XEN_ENOENT;
  if (!perVcpu && !PER_DOMAIN_VIRQS.has(virq) && (hv.s.virqOwner[virq] ?? 0) !== d.domid) return -XEN_EBUSY;
  const slot = vcpu * NR_VIRQS + virq;
  if (d.evtchn.virqToPort[slot] !== 0) return -XEN_EEXIST;
  const port = findFreePort(d.evtchn);
  if (port === undefined) return -XEN_ENOSPC;
  takePort(d.evtchn, port, ECS_VIRQ, vcpu);
  d.evtchn.remotePort[port] = virq;
  d.evtchn.virqToPort[slot] = port;
  a.port = port;
  return 0;
}

function bindIpi(hv: Hv, d: DomainState, a: Struct): number {
  const vcpu = int(a, "vcpu", "EVTCHNOP_bind_ipi");
  if (hv.vcpu(d, vcpu) === undefined) return -XEN_ENOENT;
  const port = findFreePort(d.evtchn);
  if (port === undefined) return -XEN_ENOSPC;
  takePort(d.evtchn, port, ECS_IPI, vcpu);
  a.port = port;
  return 0;
}

/** No physical IRQs are routed to guests in this model, and no domain holds IRQ permissions. */
function bindPirq(_hv: Hv, d: DomainState, a: Struct): number {
  int(a, "pirq", "EVTCHNOP_bind_pirq");
  return d.isPrivileged ? -XEN_EINVAL : -XEN_EPERM;
}

/** evtchn_close: free the port; an interdomain peer reverts to unbound, accepting the closer again. */
export function closePort(hv: Hv, d: DomainState, port: Port): number {
  const e = d.evtchn;
  if (!portIsValid(e, port)) return -XEN_EINVAL;
  const state = e.state[port];
  if (state === ECS_FREE || state === ECS_RESERVED) return -XEN_EINVAL;
  if (state === ECS_VIRQ) e.virqToPort[e.notify[port]! * NR_VIRQS + e.remotePort[port]!] = 0;
  if (state === ECS_INTERDOMAIN) {
    const rd = hv.domain(e.remoteDom[port]!)!;
    const rport = e.remotePort[port]!;
    rd.evtchn.state[rport] = ECS_UNBOUND;
    rd.evtchn.remoteDom[rport] = d.domid;
    rd.evtchn.remotePort[rport] = 0;
  }
  freePort(hv, d, port);
  return 0;
}

function close(hv: Hv, d: DomainState, a: Struct): number {
  return closePort(hv, d, int(a, "port", "EVTCHNOP_close"));
}

/** evtchn_send: interdomain → the remote port; IPI → itself; unbound → dropped (0); else -EINVAL. */
function send(hv: Hv, d: DomainState, a: Struct): number {
  const port = typeof a.port === "number" ? a.port : int(a, "port", "EVTCHNOP_send");
  const e = d.evtchn;
  if (!portIsValid(e, port)) return -XEN_EINVAL;
  switch (e.state[port]) {
    case ECS_INTERDOMAIN: {
      const rd = hv.domain(e.remoteDom[port]!)!;
      const rport = e.remotePort[port]!;
      setPortPending(hv, rd, rd.evtchn.notify[rport]!, rport);
      return 0;
    }
    case ECS_IPI:
      setPortPending(hv, d, e.notify[port]!, port);
      return 0;
    case ECS_UNBOUND:
      return 0;
    default:
      return -XEN_EINVAL;
  }
}

function status(hv: Hv, d: DomainState, a: Struct): number {
  const dom = int(a, "dom", "EVTCHNOP_status");
  const port = int(a, "port", "EVTCHNOP_status");
  const t = hv.lookup(d, dom);
  if (t === undefined) return -XEN_ESRCH;
  const e = t.evtchn;
  if (!portIsValid(e, port)) return -XEN_EINVAL;
  const rc = xsmDefaultAction(XSM_TARGET, d, t);
  if (rc !== 0) return rc;
  const state = e.state[port]!;
  a.status = STAT_OF_ECS[state];
  a.vcpu = e.notify[port];
  if (state === ECS_UNBOUND) a.u = { unbound: { dom: e.remoteDom[port] } };
  else if (state === ECS_INTERDOMAIN) a.u = { interdomain: { dom: e.remoteDom[port], port: e.remotePort[port] } };
  else if (state === ECS_PIRQ) a.u = { pirq: e.remotePort[port] };
  else if (state === ECS_VIRQ) a.u = { virq: e.remotePort[port] };
  else a.u = {};
  return 0;
}

function bindVcpu(hv: Hv, d: DomainState, a: Struct): number {
  const port = int(a, "port", "EVTCHNOP_bind_vcpu");
  const vcpu = int(a, "vcpu", "EVTCHNOP_bind_vcpu");
  if (hv.vcpu(d, vcpu) === undefined) return -XEN_ENOENT;
  const e = d.evtchn;
  if (!portIsValid(e, port)) return -XEN_EINVAL;
  const state = e.state[port];
  if (state === ECS_VIRQ && PER_VCPU_VIRQS.has(e.remotePort[port]!)) return -XEN_EINVAL;
  if (state !== ECS_VIRQ && state !== ECS_UNBOUND && state !== ECS_INTERDOMAIN && state !== ECS_PIRQ) return -XEN_EINVAL;
  if (state === ECS_VIRQ) {
    const virq = e.remotePort[port]!;
    e.virqToPort[e.notify[port]! * NR_VIRQS + virq] = 0;
    e.virqToPort[vcpu * NR_VIRQS + virq] = port;
  }
  e.notify[port] = vcpu;
  return 0;
}

function unmask(hv: Hv, d: DomainState, a: Struct): number {
  const port = int(a, "port", "EVTCHNOP_unmask");
  if (!portIsValid(d.evtchn, port)) return -XEN_EINVAL;
  unmaskPort(hv, d, port);
  return 0;
}

/** Close every port but the reserved port 0; reverting to 2-level when a domain resets itself. */
export function resetDomainChannels(hv: Hv, d: DomainState): void {
  const e = d.evtchn;
  for (let p = 1; p < e.state.length; p++) if (e.state[p] !== ECS_FREE && e.state[p] !== ECS_RESERVED) closePort(hv, d, p);
}

function reset(hv: Hv, d: DomainState, a: Struct): number {
  const dom = int(a, "dom", "EVTCHNOP_reset");
  const t = hv.lookup(d, dom);
  if (t === undefined) return -XEN_ESRCH;
  const rc = xsmDefaultAction(XSM_TARGET, d, t);
  if (rc !== 0) return rc;
  resetDomainChannels(hv, t);
  if (t === d && t.evtchn.abi === 1) resetFifo(hv, t);
  return 0;
}

const notForGuests: EvtchnHandler = () => -XEN_ENOSYS;

export const evtchnHandlers: Record<EvtchnOp, EvtchnHandler> = {
  [EvtchnOp.EVTCHNOP_bind_interdomain]: bindInterdomain,
  [EvtchnOp.EVTCHNOP_bind_virq]: bindVirq,
  [EvtchnOp.EVTCHNOP_bind_pirq]: bindPirq,
  [EvtchnOp.EVTCHNOP_close]: close,
  [EvtchnOp.EVTCHNOP_send]: send,
  [EvtchnOp.EVTCHNOP_status]: status,
  [EvtchnOp.EVTCHNOP_alloc_unbound]: allocUnbound,
  [EvtchnOp.EVTCHNOP_bind_ipi]: bindIpi,
  [EvtchnOp.EVTCHNOP_bind_vcpu]: bindVcpu,
  [EvtchnOp.EVTCHNOP_unmask]: unmask,
  [EvtchnOp.EVTCHNOP_reset]: reset,
  [EvtchnOp.EVTCHNOP_init_control]: initControl,
  [EvtchnOp.EVTCHNOP_expand_array]: expandArray,
  [EvtchnOp.EVTCHNOP_set_priority]: setPriority,
  [EvtchnOp.EVTCHNOP_reset_cont]: notForGuests,
};

export const evtchnOpNames: string[] = [];
for (const [name, nr] of Object.entries(EvtchnOp)) evtchnOpNames[nr] = name;

/** __HYPERVISOR_event_channel_op(cmd, arg). */
export function eventChannelOp(hv: Hv, d: DomainState, cmd: unknown, a: unknown): number {
  const handler = typeof cmd === "number" ? evtchnHandlers[cmd as EvtchnOp] : undefined;
  if (handler === undefined) return -XEN_ENOSYS;
  hv.op = evtchnOpNames[cmd as number]!;
  if (!isStruct(a)) return -XEN_EFAULT;
  return handler(hv, d, a);
}

/** send_guest_vcpu_virq / send_guest_global_virq: raise a VIRQ on its bound port, if any. */
export function raiseVirq(hv: Hv, d: DomainState, virq: number, vcpu = 0): void {
  const port = d.evtchn.virqToPort[vcpu * NR_VIRQS + virq] ?? 0;
  if (port !== 0) setPortPending(hv, d, d.evtchn.notify[port]!, port);
}
