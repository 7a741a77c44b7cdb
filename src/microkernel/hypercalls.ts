/**
 * Hypercall entry: decode the identifier word (RDI), dispatch through a table the type checker proves
 * complete, and hand back the caller's registers. Also the mapping hypercalls: revoke, lookup / GF misc
 * (delegate), and the device assignments. NOVA interface specification, June 2014, §5 and §8.6;
 * src/syscall.cpp (`syscall[]`, sys_revoke, sys_lookup, sys_assign_pci, sys_assign_gsi).
 */
import { CrdType, Flag, Hypercall, MiscOp, NUM_SEL, Status, type Regs } from "./abi.js";
import { capOf, wrapSel } from "./capability.js";
import { clamp, decodeCrd, encodeCrd, type Crd } from "./crd.js";
import { createEc, done, type Ec } from "./ec.js";
import { ecCtrl } from "./ec-ctrl.js";
import { ipcCall, ipcReply } from "./ipc.js";
import { oomCheck } from "./oom.js";
import { createPd, pdCtrl } from "./pd.js";
import { createPt, ptCtrl } from "./pt.js";
import { createSc, scCtrl } from "./sc.js";
import { createSm, smCtrl, up } from "./sm.js";
import { chargeEffects, delegate, lookup, newEffects, revoke } from "./space.js";
import { ecName, NONE, type Kernel, type SyscallResult } from "./state.js";
import { zeroRegs } from "./utcb.js";

type Handler = (k: Kernel, ec: Ec, a: Regs, flags: number, sel: bigint) => SyscallResult;

/** Wrap a handler that returns one status and may fill output registers. */
const plain =
  (f: (k: Kernel, ec: Ec, a: Regs, flags: number, sel: bigint, out: Regs) => Status): Handler =>
  (k, ec, a, flags, sel) => {
    const out = zeroRegs();
    const s = f(k, ec, a, flags, sel, out);
    return done(s, out);
  };

const handlers: Record<Hypercall, Handler> = {
  [Hypercall.call]: (k, ec, _a, flags, sel) => ipcCall(k, ec, wrapSel(sel), flags),
  [Hypercall.reply]: (k, ec, _a, _f, sel) => ipcReply(k, ec, sel === 0n ? NONE : wrapSel(sel)),
  [Hypercall.create_pd]: plain((k, ec, a, _f, sel) => createPd(k, ec, sel, a)),
  [Hypercall.create_ec]: plain((k, ec, a, f, sel) => createEc(k, ec, sel, f, a)),
  [Hypercall.create_sc]: plain((k, ec, a, _f, sel) => createSc(k, ec, sel, a)),
  [Hypercall.create_pt]: plain((k, ec, a, _f, sel) => createPt(k, ec, sel, a)),
  [Hypercall.create_sm]: plain((k, ec, a, _f, sel) => createSm(k, ec, sel, a)),
  [Hypercall.revoke]: plain(sysRevoke),
  [Hypercall.lookup]: plain(sysMisc),
  [Hypercall.ec_ctrl]: (k, ec, a, f, sel) => ecCtrl(k, ec, sel, f, a),
  [Hypercall.sc_ctrl]: plain((k, ec, _a, f, sel, out) => scCtrl(k, ec, sel, f, out)),
  [Hypercall.pt_ctrl]: plain((k, ec, a, _f, sel) => ptCtrl(k, ec, sel, a)),
  [Hypercall.sm_ctrl]: (k, ec, a, f, sel) => smCtrl(k, ec, sel, f, a),
  [Hypercall.assign_pci]: plain(sysAssignPci),
  [Hypercall.assign_gsi]: plain(sysAssignGsi),
  [Hypercall.pd_ctrl]: plain((k, ec, a, f, sel, out) => pdCtrl(k, ec, sel, f, a, out)),
};

const ENTRY = ["syscall", "kpti_switch"] as const;
const opNames = Object.fromEntries(Object.entries(Hypercall).map(([n, v]) => [v, n])) as Record<number, string>;

/**
 * call and reply decoded from the identifier word alone, with one BigInt operation: its low 40 bits
 * as a number hold the number [3:0], the flags [7:4] and the selector bits [33:8] that wrapSel keeps.
 * Returns undefined for any other hypercall. (reply's "no SM" test is on the whole selector field.)
 */
export function enterIpc(k: Kernel, ec: Ec, rdi: bigint): SyscallResult | undefined {
  const low = Number(BigInt.asUintN(40, rdi));
  const nr = low & 0xf;
  if (nr === Hypercall.call) return ipcCall(k, ec, Math.floor(low / 256) % NUM_SEL, (low >>> 4) & 0xf);
  if (nr === Hypercall.reply) return ipcReply(k, ec, rdi >= 0n && rdi < 256n ? NONE : Math.floor(low / 256) % NUM_SEL);
  return undefined;
}

/** One kernel entry of EC `ec` with these registers. Every entry charges at least syscall + kpti_switch (IPC: see ipc.ts). */
export function enter(k: Kernel, ec: Ec, a: Regs): SyscallResult {
  const ipc = enterIpc(k, ec, a.rdi);
  if (ipc !== undefined) return ipc;
  const nr = Number(a.rdi & 0xfn);
  const sel = Number((a.rdi >> 8n) & 0xffffffffn);
  k.m.chargeMany(ec.cpu, ENTRY, "nova", opNames[nr] ?? "bad_hypercall", ecName(ec.id), { sel, flags: Number((a.rdi >> 4n) & 0xfn) });
  return execute(k, ec, a);
}

/** The hypercall itself, once entered: the GF quota check (oom.ts), then its handler. Also how an OOM-interrupted hypercall runs again. */
export function execute(k: Kernel, ec: Ec, a: Regs): SyscallResult {
  const nr = Number(a.rdi & 0xfn);
  const oom = oomCheck(k, ec, nr, a);
  if (oom !== undefined) return oom;
  return handlers[nr as Hypercall](k, ec, a, Number((a.rdi >> 4n) & 0xfn), a.rdi >> 8n);
}

/**
 * revoke: RSI = CRD, flag SR = also the caller's own node. GF: flag bit 1 = remote (the PD in RDX),
 * bit 2 = keep_in_mdb; the selector field names an SM upped once the freed memory passed RCU (at once here).
 * Revoke always returns SUCCESS in S14; GF returns BAD_CAP for a remote PD selector that is not a PD.
 */
function sysRevoke(k: Kernel, ec: Ec, a: Regs, flags: number, sel: bigint): Status {
  let pd = k.pd(ec.pd);
  if ((flags & Flag.REVOKE_REMOTE) !== 0) {
    const r = capOf(k, pd, wrapSel(a.rdx), "pd");
    if (r === undefined) return Status.BAD_CAP;
    pd = r.obj;
  }
  const sm = sel === 0n ? undefined : capOf(k, k.pd(ec.pd), wrapSel(sel), "sm")?.obj;
  const c = decodeCrd(a.rsi);
  if (c.type !== CrdType.NULL) {
    const fx = newEffects();
    const base = c.base - (c.base % 2 ** c.order);
    revoke(k, pd, c.type, base, c.order, c.perm, (flags & Flag.REVOKE_SELF) !== 0, (flags & Flag.REVOKE_KEEP) !== 0, fx);
    chargeEffects(k, ec.cpu, fx, ecName(ec.id));
  }
  if (sm !== undefined) up(k, ec.cpu, sm);
  return Status.SUCCESS;
}

/**
 * lookup (S14 0x8; GF misc flags 0): RSI = CRD in, the full CRD of the node containing its base out.
 * GF misc flags 1 = delegate(sel = source PD, RSI = CRD, RDX = destination PD): maps the range from one
 * PD to the other without IPC, at the same base; rights = source ∧ CRD mask. flags 2 (acpi_suspend) → BAD_FTR.
 */
function sysMisc(k: Kernel, ec: Ec, a: Regs, flags: number, sel: bigint, out: Regs): Status {
  const self = k.pd(ec.pd);
  if (flags === MiscOp.LOOKUP) {
    const c = decodeCrd(a.rsi);
    out.rsi = encodeCrd(lookup(k, self, c.type, c.base));
    return Status.SUCCESS;
  }
  if (flags !== MiscOp.DELEGATE) return flags === MiscOp.ACPI_SUSPEND ? Status.BAD_FTR : Status.BAD_PAR;
  const src = capOf(k, self, wrapSel(sel), "pd");
  const dst = capOf(k, self, wrapSel(a.rdx), "pd");
  if (src === undefined || dst === undefined) return Status.BAD_CAP;
  const c: Crd = decodeCrd(a.rsi);
  if (c.type === CrdType.NULL) return Status.BAD_PAR;
  const { snd, rcv, order } = clamp(c.base, c.order, c.base, c.order, 0);
  const fx = newEffects();
  delegate(k, src.obj, dst.obj, c.type, snd, rcv, order, c.perm, fx);
  chargeEffects(k, ec.cpu, fx, ecName(ec.id));
  return Status.SUCCESS;
}

/**
 * assign_pci: sel = PD, RSI = memory page of the device's configuration space, RDX = requester id.
 * The modelled machine has no IOMMU (HIP feature bit 0 clear), so the kernel refuses with BAD_FTR once
 * the capability checks pass — as S14 does when no DMAR was found.
 */
function sysAssignPci(k: Kernel, ec: Ec, _a: Regs, _f: number, sel: bigint): Status {
  if (capOf(k, k.pd(ec.pd), wrapSel(sel), "pd") === undefined) return Status.BAD_CAP;
  return (k.d.features & 1) === 0 ? Status.BAD_FTR : Status.BAD_DEV;
}

/**
 * assign_gsi: sel = GSI semaphore, RSI = device, RDX = CPU the interrupt is routed to. Not a GSI SM →
 * BAD_CAP; no such CPU → BAD_CPU. Returns RSI = MSI address, RDX = MSI data (0 for IOAPIC pins).
 */
function sysAssignGsi(k: Kernel, ec: Ec, a: Regs, _f: number, sel: bigint): Status {
  const c = capOf(k, k.pd(ec.pd), wrapSel(sel), "sm");
  if (c === undefined || c.obj.gsi < 0) return Status.BAD_CAP;
  const cpu = Number(a.rdx);
  if (cpu >= k.m.cpus.length) return Status.BAD_CPU;
  k.d.gsiCpu[c.obj.gsi] = cpu;
  return Status.SUCCESS;
}
