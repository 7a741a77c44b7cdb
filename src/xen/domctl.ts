/**
 * XEN_DOMCTL_*: the toolstack's domain control hypercall (36), for the subset this model uses.
 * Source: xen/common/domctl.c (do_domctl) and xen/include/xsm/dummy.h (xsm_domctl) at
 * c447b7308b13; reference/xen.md §1.6. Order of checks as do_domctl: interface version (-EACCES),
 * the target domain (-ESRCH), XSM (-EPERM), then the op.
 */
import { XEN_EACCES, XEN_EEXIST, XEN_EFAULT, XEN_EINVAL, XEN_ENOENT, XEN_ENOSYS, XEN_ESRCH } from "./abi/errno.js";
import { Domctl, XEN_DOMCTL_INTERFACE_VERSION, XEN_DOMCTL_SCHEDOP_getinfo, XEN_DOMCTL_SCHEDOP_putinfo, XEN_SCHEDULER_CREDIT } from "./abi/domctl.js";
import { DOMID_INVALID, NR_VIRQS, PER_DOMAIN_VIRQS, PER_VCPU_VIRQS } from "./abi/xen.js";
import { int, isStruct, sub, type Struct } from "./decode.js";
import { allocDomid, checkConfig, createDomain, pauseDomain, unpauseDomain, type CreateDomainConfig } from "./domain.js";
import { destroyDomain } from "./domain-destroy.js";
import { getDomainInfo, getVcpuInfo } from "./domain-info.js";
import { resumePeriodicTimer } from "./timer.js";
import { vcpuReset, vcpuSetContext } from "./vcpuop.js";
import type { Hv } from "./hv.js";
import type { DomainState } from "./state.js";
import { XSM_PRIV, XSM_XS_PRIV, xsmDefaultAction } from "./xsm.js";

type DomctlHandler = (hv: Hv, caller: DomainState, d: DomainState, op: Struct) => number;

const pausedomain: DomctlHandler = (_hv, caller, d) => (d === caller ? -XEN_EINVAL : pauseDomain(d));
/** Unpausing lets the vCPUs run again, so their stopped periodic timers restart (timer.ts). */
const unpausedomain: DomctlHandler = (hv, _caller, d) => {
  const rc = unpauseDomain(d);
  if (rc === 0) for (const v of d.vcpus) resumePeriodicTimer(hv, d, v);
  return rc;
};

/** XEN_DOMCTL_setvcpucontext: not on yourself (no domain_pause) and a vCPU that exists, else -EINVAL. */
const setvcpucontext: DomctlHandler = (hv, caller, d, op) => {
  const c = sub(sub(op, "u", "XEN_DOMCTL_setvcpucontext"), "vcpucontext", "XEN_DOMCTL_setvcpucontext");
  const v = hv.vcpu(d, int(c, "vcpu", "XEN_DOMCTL_setvcpucontext"));
  if (d === caller || v === undefined) return -XEN_EINVAL;
  if (c.ctxt === null || c.ctxt === undefined) {
    vcpuReset(hv, d, v);
    return 0;
  }
  if (!isStruct(c.ctxt)) return -XEN_EFAULT;
  vcpuSetContext(hv, d, v, c.ctxt);
  return 0;
};

const getvcpuinfo: DomctlHandler = (hv, _caller, d, op) => {
  const u = sub(op, "u", "XEN_DOMCTL_getvcpuinfo");
  const g = sub(u, "getvcpuinfo", "XEN_DOMCTL_getvcpuinfo");
  const v = hv.vcpu(d, int(g, "vcpu", "XEN_DOMCTL_getvcpuinfo"));
  if (v === undefined) return -XEN_ENOENT;
  u.getvcpuinfo = { ...g, ...getVcpuInfo(hv, d, v) };
  return 0;
};

/** sched_adjust + csched_dom_cntl: only the running scheduler's id; weight 0 and cap 0xffff mean "unchanged". */
const schedulerOp: DomctlHandler = (_hv, _caller, d, op) => {
  const n = "XEN_DOMCTL_scheduler_op";
  const s = sub(sub(op, "u", n), "scheduler_op", n);
  if (int(s, "sched_id", n) !== XEN_SCHEDULER_CREDIT) return -XEN_EINVAL;
  const cmd = int(s, "cmd", n);
  if (cmd === XEN_DOMCTL_SCHEDOP_getinfo) {
    s.u = { ...(isStruct(s.u) ? s.u : {}), credit: { weight: d.weight, cap: d.cap } };
    return 0;
  }
  if (cmd !== XEN_DOMCTL_SCHEDOP_putinfo) return -XEN_EINVAL; // credit has no per-vCPU parameters
  const c = sub(sub(s, "u", n), "credit", n);
  const weight = int(c, "weight", n, 0) & 0xffff;
  const cap = int(c, "cap", n, 0xffff) & 0xffff;
  if (weight !== 0) d.weight = weight;
  if (cap !== 0xffff) d.cap = cap;
  return 0;
};
const destroydomain: DomctlHandler = (hv, caller, d) => (d === caller ? -XEN_EINVAL : destroyDomain(hv, d));

const getdomaininfo: DomctlHandler = (hv, _caller, d, op) => {
  op.u = { ...(isStruct(op.u) ? op.u : {}), getdomaininfo: getDomainInfo(hv, d) };
  return 0;
};

const maxMem: DomctlHandler = (_hv, _caller, d, op) => {
  const kb = int(sub(sub(op, "u", "XEN_DOMCTL_max_mem"), "max_mem", "XEN_DOMCTL_max_mem"), "max_memkb", "XEN_DOMCTL_max_mem");
  if (kb < 0) return -XEN_EINVAL;
  d.maxPages = Math.floor(kb / 4);
  return 0;
};

const setTarget: DomctlHandler = (hv, _caller, d, op) => {
  const t = hv.lookup(d, int(sub(sub(op, "u", "XEN_DOMCTL_set_target"), "set_target", "XEN_DOMCTL_set_target"), "target", "XEN_DOMCTL_set_target"));
  if (t === undefined) return -XEN_ESRCH;
  if (t === d) return -XEN_EINVAL;
  d.target = t.domid;
  return 0;
};

/** XEN_DOMCTL_set_virq_handler: `d` becomes the owner of a global VIRQ. */
const setVirqHandler: DomctlHandler = (hv, _caller, d, op) => {
  const virq = int(sub(sub(op, "u", "XEN_DOMCTL_set_virq_handler"), "set_virq_handler", "XEN_DOMCTL_set_virq_handler"), "virq", "XEN_DOMCTL_set_virq_handler");
  if (virq >>> 0 !== virq || virq >= NR_VIRQS || PER_VCPU_VIRQS.has(virq) || PER_DOMAIN_VIRQS.has(virq)) return -XEN_EINVAL;
  hv.s.virqOwner[virq] = d.domid;
  return 0;
};

const handlers: Partial<Record<number, DomctlHandler>> = {
  [Domctl.XEN_DOMCTL_destroydomain]: destroydomain,
  [Domctl.XEN_DOMCTL_pausedomain]: pausedomain,
  [Domctl.XEN_DOMCTL_unpausedomain]: unpausedomain,
  [Domctl.XEN_DOMCTL_getdomaininfo]: getdomaininfo,
  [Domctl.XEN_DOMCTL_max_mem]: maxMem,
  [Domctl.XEN_DOMCTL_setvcpucontext]: setvcpucontext,
  [Domctl.XEN_DOMCTL_getvcpuinfo]: getvcpuinfo,
  [Domctl.XEN_DOMCTL_scheduler_op]: schedulerOp,
  [Domctl.XEN_DOMCTL_set_target]: setTarget,
  [Domctl.XEN_DOMCTL_set_virq_handler]: setVirqHandler,
};

const names: string[] = [];
for (const [name, nr] of Object.entries(Domctl)) names[nr] = name;

function createdomain(hv: Hv, caller: DomainState, op: Struct): number {
  const c = sub(sub(op, "u", "XEN_DOMCTL_createdomain"), "createdomain", "XEN_DOMCTL_createdomain");
  const n = "XEN_DOMCTL_createdomain";
  const config: CreateDomainConfig = {
    ssidref: int(c, "ssidref", n, 0),
    flags: int(c, "flags", n, 0),
    max_vcpus: int(c, "max_vcpus", n),
    max_evtchn_port: int(c, "max_evtchn_port", n),
    max_grant_frames: int(c, "max_grant_frames", n, -1),
    max_maptrack_frames: int(c, "max_maptrack_frames", n, -1),
    grant_opts: int(c, "grant_opts", n),
  };
  if (Array.isArray(c.handle)) config.handle = c.handle as number[];
  const rc = xsmDefaultAction(XSM_PRIV, caller, undefined);
  if (rc !== 0) return rc;
  const domid = allocDomid(hv, int(op, "domain", n));
  if (domid === DOMID_INVALID) return -XEN_EEXIST;
  const bad = checkConfig(config);
  if (bad !== 0) return bad;
  const d = createDomain(hv, domid, config);
  if (typeof d === "number") return d;
  hv.add("domain_create");
  op.domain = domid;
  return 0;
}

/** __HYPERVISOR_domctl(xen_domctl_t *). */
export function domctl(hv: Hv, caller: DomainState, op: unknown): number {
  if (!isStruct(op)) return -XEN_EFAULT;
  const cmd = int(op, "cmd", "domctl");
  hv.op = names[cmd] ?? "domctl";
  if (int(op, "interface_version", "domctl") !== XEN_DOMCTL_INTERFACE_VERSION) return -XEN_EACCES;
  if (cmd === Domctl.XEN_DOMCTL_createdomain) return createdomain(hv, caller, op);
  const handler = handlers[cmd];
  if (handler === undefined) return -XEN_ENOSYS;
  const d = hv.lookup(caller, int(op, "domain", hv.op));
  if (d === undefined) return -XEN_ESRCH;
  const rc = xsmDefaultAction(cmd === Domctl.XEN_DOMCTL_getdomaininfo ? XSM_XS_PRIV : XSM_PRIV, caller, d);
  if (rc !== 0) return rc;
  return handler(hv, caller, d, op);
}
