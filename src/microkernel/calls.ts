/**
 * Register builders for every hypercall: what a guest program yields and what the Nova handle's typed
 * helpers pass to the one register-level entry. Argument order follows the S14 spec's §5 and Genode's
 * bindings (base-nova spec/64bit/nova/syscalls.h@03470e7b).
 */
import { Flag, Hypercall, identifier, MiscOp, type Regs } from "./abi.js";

type Sel = number | bigint;
const r = (nr: number, flags: number, sel: Sel, rsi: Sel = 0n, rdx: Sel = 0n, rax: Sel = 0n, r8: Sel = 0n): Regs => ({
  rdi: identifier(nr, flags, sel),
  rsi: BigInt(rsi),
  rdx: BigInt(rdx),
  rax: BigInt(rax),
  r8: BigInt(r8),
});

export const hc = {
  call: (pt: Sel, opts: { db?: boolean } = {}): Regs => r(Hypercall.call, opts.db ? Flag.CALL_DB : 0, pt),
  /** reply; GF: `sm` parks the caller on that semaphore. */
  reply: (sm: Sel = 0): Regs => r(Hypercall.reply, 0, sm),
  /** create_pd; GF quota limits in pages. */
  createPd: (sel: Sel, owner: Sel, crd: bigint = 0n, quota: { lower?: number; upper?: number } = {}): Regs =>
    r(Hypercall.create_pd, 0, sel, owner, crd, (BigInt(quota.upper ?? 0) << 32n) | BigInt(quota.lower ?? 0)),
  /** create_ec: utcb is a byte address (page aligned; 0 = vCPU). */
  createEc: (sel: Sel, owner: Sel, o: { cpu?: number; utcb: bigint | number; sp?: bigint | number; evt?: number; global?: boolean }): Regs =>
    r(Hypercall.create_ec, o.global ? Flag.EC_GLOBAL : 0, sel, owner, (BigInt(o.utcb) & ~0xfffn) | BigInt((o.cpu ?? 0) & 0xfff), o.sp ?? 0n, o.evt ?? 0),
  createSc: (sel: Sel, owner: Sel, ec: Sel, qpd: bigint): Regs => r(Hypercall.create_sc, 0, sel, owner, ec, qpd),
  createPt: (sel: Sel, owner: Sel, ec: Sel, mtd: number, ip: bigint | number): Regs => r(Hypercall.create_pt, 0, sel, owner, ec, mtd, ip),
  /** create_sm; GF: `chain` ≠ 0 makes a signal SM chained to that SM, `count` then being its value. */
  createSm: (sel: Sel, owner: Sel, count: Sel = 0, chain: Sel = 0): Regs => r(Hypercall.create_sm, 0, sel, owner, count, chain),
  revoke: (crd: bigint, o: { self?: boolean; remote?: Sel; keep?: boolean; sm?: Sel } = {}): Regs =>
    r(Hypercall.revoke, (o.self ? Flag.REVOKE_SELF : 0) | (o.remote !== undefined ? Flag.REVOKE_REMOTE : 0) | (o.keep ? Flag.REVOKE_KEEP : 0), o.sm ?? 0, crd, o.remote ?? 0),
  lookup: (crd: bigint): Regs => r(Hypercall.lookup, MiscOp.LOOKUP, 0, crd),
  /** GF misc delegate: map `crd` from PD `src` to PD `dst` at the same base. */
  delegate: (src: Sel, dst: Sel, crd: bigint): Regs => r(Hypercall.lookup, MiscOp.DELEGATE, src, crd, dst),
  /** ec_ctrl; GF `op` (Ec_op) in the flags, RSI and RDX as each op reads them (ec-ctrl.ts). */
  ecCtrl: (ec: Sel, op = 0, rsi: Sel = 0, rdx: Sel = 0): Regs => r(Hypercall.ec_ctrl, op, ec, rsi, rdx),
  scCtrl: (sc: Sel, op = 0): Regs => r(Hypercall.sc_ctrl, op, sc),
  ptCtrl: (pt: Sel, pid: Sel): Regs => r(Hypercall.pt_ctrl, 0, pt, pid),
  smUp: (sm: Sel): Regs => r(Hypercall.sm_ctrl, 0, sm),
  /** sm_ctrl down; `deadline` is an absolute TSC value (0 = none); `zero` = ZC. */
  smDown: (sm: Sel, o: { deadline?: number | bigint; zero?: boolean } = {}): Regs => {
    const d = BigInt(o.deadline ?? 0);
    return r(Hypercall.sm_ctrl, Flag.SM_DOWN | (o.zero ? Flag.SM_ZC : 0), sm, d >> 32n, d & 0xffffffffn);
  },
  assignPci: (pd: Sel, devPage: Sel, rid: Sel): Regs => r(Hypercall.assign_pci, 0, pd, devPage, rid),
  assignGsi: (sm: Sel, dev: Sel, cpu: number): Regs => r(Hypercall.assign_gsi, 0, sm, dev, cpu),
  pdCtrl: (src: Sel, op: number, dst: Sel = 0, pages: Sel = 0): Regs => r(Hypercall.pd_ctrl, op, src, dst, pages),
};

/** A guest program may also yield an event instead of a hypercall: `yield { exception: 0xe, qual: [err, addr] }`. */
export interface ExceptionEntry {
  exception: number;
  qual?: [bigint, bigint];
  rip?: bigint;
}

export type GuestEntry = Regs | ExceptionEntry;
