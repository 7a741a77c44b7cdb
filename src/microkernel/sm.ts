/**
 * Semaphore (SM): counting semaphore that ECs block on; the kernel owns one per GSI and ups it on
 * each interrupt. GF adds "signal" SMs chained to a blocking SM (Genode's signal contexts).
 * NOVA interface specification, June 2014: create_sm (§5.3.5), sm_ctrl (§5.3.11); src/sm.cpp;
 * GF create_sm(…, sm) and si_ctrl as Genode calls them (base-nova syscalls.h@03470e7b).
 */
import { Flag, InitialPerm, Perm, Status, type Regs } from "./abi.js";
import { capOf, destroyHooks, installObjCap, wrapSel } from "./capability.js";
import { BLOCKED, complete, done, type Ec } from "./ec.js";
import { KMEM, quotaCharge, quotaRelease } from "./pd.js";
import { wake } from "./scheduler.js";
import { retryAfterOom } from "./oom.js";
import { NONE, type Kernel, type SyscallResult } from "./state.js";

export interface Sm {
  kind: "sm";
  id: number;
  refs: number;
  count: number;
  /** Blocked ECs, first come first woken. */
  waiters: number[];
  /** GSI number for the kernel's interrupt semaphores, else NONE. */
  gsi: number;
  /** GSI masked until a down on its SM unmasks it (S14 sys_sm_ctrl). */
  masked: boolean;
  /** GF signal SM: the blocking SM it is chained to, and the value si_ctrl reports. */
  chain: number;
  value: bigint;
  owner: number;
}

export function newSm(k: Kernel, count: number, owner: number, gsi = NONE): Sm {
  const sm: Sm = { kind: "sm", id: k.newId(), refs: 0, count, waiters: [], gsi, masked: gsi !== NONE, chain: NONE, value: 0n, owner };
  k.add(sm);
  return sm;
}

/**
 * create_sm: sel = new SM, RSI = owner PD, RDX = initial counter. GF: RAX ≠ 0 is the selector of an SM
 * this new "signal" SM is chained to (RDX then is the value si_ctrl reports); chains are one level deep.
 */
export function createSm(k: Kernel, ec: Ec, sel: bigint, a: Regs): Status {
  const self = k.pd(ec.pd);
  const s = wrapSel(sel);
  const owner = capOf(k, self, wrapSel(a.rsi), "pd", Perm.pd.SM);
  if (self.obj.has(s) || owner === undefined) return Status.BAD_CAP;
  let chain: Sm | undefined;
  if (a.rax !== 0n) {
    chain = capOf(k, self, wrapSel(a.rax), "sm")?.obj;
    if (chain === undefined) return Status.BAD_CAP;
    if (chain.chain !== NONE) return Status.BAD_PAR;
  }
  if (!quotaCharge(k, owner.obj, KMEM.sm)) return Status.QUO_OOM;
  const sm = newSm(k, chain === undefined ? Number(a.rdx & 0xffffffffn) : 0, owner.obj.id);
  if (chain !== undefined) {
    sm.chain = chain.id;
    sm.value = a.rdx;
    chain.refs++;
  }
  installObjCap(k, self, s, sm, InitialPerm.sm);
  return Status.SUCCESS;
}

/** up: wake the first blocked EC, otherwise count up. A signal SM counts and ups its chained SM on 0 → 1. */
export function up(k: Kernel, cpu: number, sm: Sm): void {
  if (sm.chain !== NONE) {
    sm.count++;
    const c = k.obj(sm.chain);
    if (sm.count === 1 && c?.kind === "sm") up(k, cpu, c);
    return;
  }
  const w = sm.waiters.shift();
  if (w === undefined) {
    sm.count++;
    return;
  }
  const e = k.ec(w);
  e.sm = NONE;
  // GF reply(sm) parked an OOM caller here: its interrupted hypercall runs now (oom.ts).
  if (e.oomRetry !== null) return retryAfterOom(k, e, cpu);
  complete(k, e, done(Status.SUCCESS));
  wake(k, cpu, e);
}

/**
 * sm_ctrl: sel = SM; flag bit 0 = down (else up), bit 1 = ZC (down sets the counter to 0); RSI:RDX =
 * absolute TSC deadline hi:lo, 0 = none. up needs the UP permission and down the DOWN permission.
 * A down on a GSI semaphore unmasks the GSI. On a GF signal SM, down returns (value, count) in RSI, RDX
 * and clears the count (si_ctrl); it never blocks.
 */
export function smCtrl(k: Kernel, ec: Ec, sel: bigint, flags: number, a: Regs): SyscallResult {
  const isDown = (flags & Flag.SM_DOWN) !== 0;
  const c = capOf(k, k.pd(ec.pd), wrapSel(sel), "sm", isDown ? Perm.sm.DOWN : Perm.sm.UP);
  if (c === undefined) return done(Status.BAD_CAP);
  const sm = c.obj;
  if (!isDown) {
    up(k, ec.cpu, sm);
    return done(Status.SUCCESS);
  }
  if (sm.chain !== NONE) {
    const r = done(Status.SUCCESS, { rsi: sm.value, rdx: BigInt(sm.count) });
    sm.count = 0;
    return r;
  }
  if (sm.gsi !== NONE) sm.masked = false;
  if (sm.count > 0) {
    sm.count = (flags & Flag.SM_ZC) !== 0 ? 0 : sm.count - 1;
    return done(Status.SUCCESS);
  }
  const deadline = Number(((a.rsi & 0xffffffffn) << 32n) | (a.rdx & 0xffffffffn));
  if (deadline !== 0 && deadline <= k.m.now(ec.cpu)) return done(Status.TIMEOUT);
  block(k, ec, sm, deadline);
  return BLOCKED;
}

/** Park an EC on an SM (a down that found the counter at 0, or GF reply(sm) parking the caller). */
export function block(k: Kernel, e: Ec, sm: Sm, deadline = 0): void {
  e.st = "sm";
  e.sm = sm.id;
  e.waitSeq = ++k.d.waitSeq;
  sm.waiters.push(e.id);
  if (deadline !== 0) k.m.schedule(e.cpu, deadline, "nova.sm_timeout", { ec: e.id, sm: sm.id, seq: e.waitSeq });
}

/** The deadline of a blocked down passed first: the EC leaves the SM with TIMEOUT. */
export function timeout(k: Kernel, p: { ec: number; sm: number; seq: number }, cpu: number): void {
  const e = k.obj(p.ec);
  const sm = k.obj(p.sm);
  if (e?.kind !== "ec" || e.st !== "sm" || e.sm !== p.sm || e.waitSeq !== p.seq || sm?.kind !== "sm") return;
  sm.waiters = sm.waiters.filter((w) => w !== e.id);
  e.sm = NONE;
  complete(k, e, done(Status.TIMEOUT));
  wake(k, cpu, e);
}

destroyHooks.sm = (k, sm) => {
  for (const w of sm.waiters) {
    const e = k.ec(w);
    if (e === undefined) continue;
    e.sm = NONE;
    complete(k, e, done(Status.ABORTED));
    wake(k, e.cpu, e);
  }
  const owner = k.obj(sm.owner);
  if (owner?.kind === "pd") quotaRelease(k, owner, KMEM.sm);
  return sm.chain === NONE ? [] : [sm.chain];
};
