/**
 * Out-of-memory (OOM) portal, Genode fork only: an EC created with a portal at sel + 1 calls it when
 * its PD's kernel-memory quota is exhausted, instead of failing with QUO_OOM. The handler (Genode
 * core's pager) moves quota into the PD (pd_ctrl TRANSFER_QUOTA, 2 pages) or frees memory, and
 * replies; the kernel then executes the interrupted hypercall again.
 * Sources: GF alex-ab/NOVA@60419b83 src/syscall.cpp (Ec::check, sys_call, sys_create_ec), src/oom.cpp
 * (oom_call, oom_call_cpu), include/quota.hpp (hit_limit); Genode pager.cc@03047009 _oom_handler.
 *
 * Model limits: the model never lets a PD's usage exceed its limit, so the zero-headroom checks (call,
 * create_*) never fire; quota is charged for kernel objects only, not for mapping-database nodes, so the
 * OOM call GF makes when a delegation runs out of memory (Ec::oom_delegate) does not arise either.
 */
import { PAGE_SIZE } from "../machine/index.js";
import { Hypercall, Status, type Regs } from "./abi.js";
import { BLOCKED, complete, done, type Ec } from "./ec.js";
import { execute } from "./hypercalls.js";
import { rendezvous } from "./ipc.js";
import { quotaFree } from "./pd.js";
import { wake } from "./scheduler.js";
import { ecName, NONE, type Kernel, type SyscallResult } from "./state.js";

/** Ec.event of a caller blocked in an OOM call (not an exception vector). */
export const OOM_EVENT = -2;

/**
 * Pages of headroom each hypercall asks of its caller's PD before it runs (GF `check<…>(pages)` at the
 * top of each sys_*): fewer pages free → the OOM call, or QUO_OOM without an OOM portal. Hypercalls not
 * listed check nothing (revoke, reply) or only hit_limit(0) (call, create_*; see the model limits).
 */
const HEADROOM: Partial<Record<number, number>> = {
  [Hypercall.lookup]: 2, // sys_misc
  [Hypercall.ec_ctrl]: 1,
  [Hypercall.sc_ctrl]: 1,
  [Hypercall.pt_ctrl]: 1,
  [Hypercall.sm_ctrl]: 1,
  [Hypercall.pd_ctrl]: 1,
  [Hypercall.assign_pci]: 4,
  [Hypercall.assign_gsi]: 2,
};

/**
 * GF oom_call_cpu passes RDX = `OOM_SEND | (this == pt->ec) ? OOM_SELF : 0`, which C++ parses as
 * `(OOM_SEND | …) ? OOM_SELF : 0`: always OOM_SELF (4). We follow the code, not the evident intent.
 */
const OOM_SELF = 4n;

/**
 * Before hypercall `nr` runs: undefined when the caller's PD has the headroom; otherwise the result of
 * the OOM call (the caller blocks in it) or QUO_OOM when the EC has no OOM portal (or its handler is
 * dead, the EC itself, or on another CPU: the model has no cross-CPU OOM call, GF's oom_xcpu).
 */
export function oomCheck(k: Kernel, ec: Ec, nr: number, a: Regs): SyscallResult | undefined {
  const pages = HEADROOM[nr];
  if (pages === undefined || quotaFree(k, k.pd(ec.pd)) >= pages * PAGE_SIZE) return undefined;
  const pt = ec.oomPt === NONE ? undefined : k.obj(ec.oomPt);
  if (pt?.kind !== "pt") return done(Status.QUO_OOM);
  const handler = k.ec(pt.ec);
  if (handler === undefined || handler.st === "dead" || handler.cpu !== ec.cpu || handler === ec) return done(Status.QUO_OOM);
  ec.oomRetry = a;
  if (handler.st !== "wait") {
    // GF oom_call: `if (ec->cont) ec->help(HELP)`: the caller helps the busy handler, then calls.
    k.m.chargeMany(ec.cpu, ["ipc_oneway", "kpti_switch"], "nova", "oom", ecName(ec.id), { helping: handler.id });
    ec.st = "help";
    ec.helping = handler.id;
    ec.helpPt = pt.id;
    ec.event = OOM_EVENT;
    handler.helpers.push(ec.id);
    return BLOCKED;
  }
  rendezvous(k, ec, handler, pt, OOM_EVENT);
  return BLOCKED;
}

/** Registers the OOM handler starts with: RDI = the portal's PID, RSI = the source (the same PID), RDX = the reason. */
export function oomEntryRegs(pid: bigint): Regs {
  return { rdi: pid, rsi: pid, rdx: OOM_SELF, rax: 0n, r8: 0n };
}

/**
 * The OOM handler replied (or the SM it parked the caller on was upped): the interrupted hypercall
 * runs again, without a second kernel entry. `cpu` is where that happens.
 */
export function retryAfterOom(k: Kernel, e: Ec, cpu: number): void {
  const a = e.oomRetry;
  e.oomRetry = null;
  if (a === null) {
    complete(k, e, done(Status.SUCCESS));
    return;
  }
  e.st = "ready";
  const r = execute(k, e, a);
  if (r.blocked === undefined) {
    complete(k, e, r);
    wake(k, cpu, e);
  }
}
