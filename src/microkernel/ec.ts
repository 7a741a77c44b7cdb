/**
 * Execution context (EC): a thread (local or global) or a virtual CPU, bound for good to one PD and
 * one CPU, with a UTCB for its messages.
 * NOVA interface specification, June 2014: §2.2, create_ec (§5.3.2), ec_ctrl (§5.3.8); src/ec.cpp.
 */
import { Config, Evt, Flag, Perm, Status, USER_ADDR, Utcb, type Regs } from "./abi.js";
import { capOf, destroyHooks, installObjCap, nodesIn, wrapSel } from "./capability.js";
import { KMEM, quotaCharge, quotaRelease } from "./pd.js";
import { NONE, spaceName, type Kernel, type SyscallResult } from "./state.js";
import { CrdType } from "./abi.js";

/**
 * wait: a local EC waiting for a portal call (or a global EC after reply) · ready: runs user code (its
 * registered program, or the notebook cell acting for it) · call: blocked in a call until the reply ·
 * help: its call found the callee busy; its SC helps the callee until it is free · sm: blocked on a
 * semaphore · ipi: released from another CPU, ready once the wake-up IPI arrives · nosc: a global EC or vCPU with no SC yet · done: its program ended · dead: killed.
 */
export type EcState = "wait" | "ready" | "ipi" | "call" | "help" | "sm" | "nosc" | "done" | "dead";

export interface Entered {
  /** oom: a GF out-of-memory call (oom.ts); RDI = PID, RSI = source, RDX = reason. */
  via: "portal" | "event" | "oom" | "startup" | "resume";
  /** Portal object id, or NONE. */
  pt: number;
  pid: bigint;
  /** Event vector for event entries, else NONE. */
  event: number;
  ip: bigint;
  regs: Regs;
}

export interface Ec {
  kind: "ec";
  id: number;
  refs: number;
  pd: number;
  cpu: number;
  type: "local" | "global" | "vcpu";
  /** Page number of the UTCB in the PD's memory space (0 for a vCPU). */
  utcbPage: number;
  /**
   * The UTCB: a live view over machine frame `utcbFrame`, which the EC's PD owns. The frame is the
   * truth; a restore binds the view anew (utcbView), since the snapshot's copy is not the frame.
   */
  utcb: BigUint64Array | null;
  utcbFrame: number;
  sp: bigint;
  ip: bigint;
  evt: number;
  st: EcState;
  /** The reply capability: the EC waiting for our reply. */
  caller: number;
  /** The EC we called and wait for (partner link). */
  callee: number;
  /** While helping: the busy callee, and the portal and flags of the call to retry. */
  helping: number;
  helpPt: number;
  helpFlags: number;
  /** ECs helping us, first come first retried. */
  helpers: number[];
  /** The SC this EC currently runs on (its own, or the caller's donated one). */
  sc: number;
  /** SC bound to this global EC (first one). */
  ownSc: number;
  sm: number;
  waitSeq: number;
  /** Vector of the event this EC is blocked in (an implicit call), NONE for a plain call. */
  event: number;
  entered: Entered | null;
  result: (Regs & { status: number }) | null;
  recall: boolean;
  why: string;
  /** Cycles this EC ran in dispatched steps (GF ec_ctrl op 5 reports them). */
  time: number;
  /** GF: the portal at sel + 1 when the EC was created, called when its PD runs out of quota (NONE: none). */
  oomPt: number;
  /** GF XCPU: while a cross-CPU call is on its way to the callee's CPU, the portal it goes through. */
  xcpuPt: number;
  /** GF: the hypercall an OOM call interrupted, run again once the OOM handler replies (oom.ts). */
  oomRetry: Regs | null;
  /** GF XCPU: its clone's EC and SC exist (charged to the PD on the first cross-CPU call; xcpu.ts). */
  xcpuClone: boolean;
}

/** The UTCB words of a frame: a BigUint64Array(512) over the frame's live bytes (x86_64 is little-endian, as the host). */
export function utcbView(k: Kernel, frame: number): BigUint64Array {
  const bytes = k.m.memory.view(frame);
  return new BigUint64Array(bytes.buffer, bytes.byteOffset, Utcb.WORDS);
}

/** A new EC; `frame` holds its UTCB (NONE: a vCPU, or a UTCB the caller sets). */
export function newEc(k: Kernel, pd: number, cpu: number, type: Ec["type"], utcbPage: number, sp: bigint, evt: number, frame = NONE): Ec {
  const ec: Ec = {
    kind: "ec", id: k.newId(), refs: 0, pd, cpu, type, utcbPage, utcb: frame === NONE ? null : utcbView(k, frame), utcbFrame: frame,
    sp, ip: 0n, evt, st: type === "local" ? "wait" : "nosc", caller: NONE, callee: NONE, helping: NONE, helpPt: NONE, helpFlags: 0, helpers: [],
    sc: NONE, ownSc: NONE, sm: NONE, waitSeq: 0, event: NONE, entered: null, result: null, recall: false, why: "",
    time: 0, oomPt: NONE, xcpuPt: NONE, oomRetry: null, xcpuClone: false,
  };
  k.add(ec);
  return ec;
}

/**
 * create_ec: sel = new EC, RSI = owner PD, RDX = utcb[63:12] | cpu[11:0], RAX = SP, R8 = event base, flag G = global.
 * utcb = 0 makes a vCPU (needs VMX or SVM, else BAD_FTR). Checks in the order of S14 sys_create_ec:
 * CPU, feature, capabilities, UTCB placement.
 */
export function createEc(k: Kernel, ec: Ec, sel: bigint, flags: number, a: Regs): Status {
  const self = k.pd(ec.pd);
  const cpu = Number(a.rdx & 0xfffn);
  const utcbPage = Number((a.rdx & ~0xfffn) >> 12n);
  if (cpu >= k.m.cpus.length || cpu >= Config.NUM_CPU) return Status.BAD_CPU;
  if (utcbPage === 0 && (k.d.features & 0x6) === 0) return Status.BAD_FTR;
  const s = wrapSel(sel);
  const owner = capOf(k, self, wrapSel(a.rsi), "pd", Perm.pd.EC);
  if (self.obj.has(s) || owner === undefined) return Status.BAD_CAP;
  const pd = owner.obj;
  if (utcbPage !== 0) {
    const addr = BigInt(utcbPage) << 12n;
    if (addr >= USER_ADDR || pd.utcbs.includes(utcbPage) || nodesIn(k, pd.mem, CrdType.MEM, utcbPage, 0).length > 0) return Status.BAD_PAR;
  }
  if (!quotaCharge(k, pd, KMEM.ec)) return Status.QUO_OOM;
  // The UTCB is a machine frame owned by the EC's PD (the kernel allocates it, S14 §4.6).
  const frame = utcbPage !== 0 ? k.m.memory.tryAlloc(spaceName(pd.id), 1) : [];
  if (frame === undefined) {
    quotaRelease(k, pd, KMEM.ec);
    return Status.QUO_OOM;
  }
  const type = utcbPage === 0 ? "vcpu" : (flags & Flag.EC_GLOBAL) !== 0 ? "global" : "local";
  const e = newEc(k, pd.id, cpu, type, utcbPage, a.rax, wrapSel(a.r8), frame[0] ?? NONE);
  // GF: a portal at sel + 1 of the caller's space becomes the EC's out-of-memory portal (oom.ts).
  const oom = capOf(k, self, wrapSel(sel + 1n), "pt");
  if (oom !== undefined) {
    e.oomPt = oom.obj.id;
    oom.obj.refs++;
  }
  if (utcbPage !== 0) pd.utcbs.push(utcbPage);
  pd.refs++;
  installObjCap(k, self, s, e, 0xd);
  return Status.SUCCESS;
}

/** RDI for each status code: bigints are immutable values, so results share them instead of allocating. */
const statusWords = Array.from({ length: 16 }, (_, i) => BigInt(i));

/**
 * A status with all other registers 0, one frozen record per status: the common result (every
 * reply's SUCCESS) allocates nothing, and nobody can change what another result shares.
 */
const bareResults = statusWords.map((rdi, status) => Object.freeze({ rdi, rsi: 0n, rdx: 0n, rax: 0n, r8: 0n, status }));

/** Registers a completed kernel entry hands back. */
export function done(status: number, a?: Partial<Regs>): Regs & { status: number } {
  if (a === undefined) return bareResults[status] ?? { rdi: BigInt(status), rsi: 0n, rdx: 0n, rax: 0n, r8: 0n, status };
  const rdi = statusWords[status] ?? BigInt(status);
  return { rdi, rsi: a.rsi ?? 0n, rdx: a.rdx ?? 0n, rax: a.rax ?? 0n, r8: a.r8 ?? 0n, status };
}

export const BLOCKED: SyscallResult = { blocked: true };

/**
 * A blocked EC's kernel entry completes: it becomes ready with these registers. The Entered record
 * is frozen and kept per EC (Kernel.resumed) while its IP and registers stay the same: the reply
 * path then allocates nothing.
 */
export function complete(k: Kernel, e: Ec, r: Regs & { status: number }): void {
  e.result = r;
  e.st = "ready";
  const c = k.resumed.get(e.id);
  if (c !== undefined && c.regs === r && c.ip === e.ip) e.entered = c;
  else {
    e.entered = Object.freeze({ via: "resume", pt: NONE, pid: 0n, event: NONE, ip: e.ip, regs: r });
    k.resumed.set(e.id, e.entered);
  }
}

/**
 * Kill an EC (an event with no portal, its destruction): a caller waiting for its reply gets ABORTED,
 * and a caller that was blocked in an event dies too, so the failure cascades (S14 Ec::die).
 */
export function kill(k: Kernel, e: Ec, why: string): void {
  const work: [Ec, string][] = [[e, why]];
  while (work.length > 0) {
    const [x, reason] = work.pop()!;
    if (x.st === "dead") continue;
    x.st = "dead";
    x.why = reason;
    k.liveThreads.delete(x.id);
    k.d.threads.delete(x.id);
    if (x.sm !== NONE) {
      const sm = k.obj(x.sm);
      if (sm?.kind === "sm") sm.waiters = sm.waiters.filter((w) => w !== x.id);
      x.sm = NONE;
    }
    const c = x.caller === NONE ? undefined : k.ec(x.caller);
    x.caller = NONE;
    if (c !== undefined && c.st === "call" && c.callee === x.id) {
      c.callee = NONE;
      if (c.event !== NONE) work.push([c, `its handler for event 0x${c.event.toString(16)} died`]);
      else complete(k, c, done(Status.ABORTED));
    }
    for (const h of x.helpers) {
      const he = k.ec(h);
      if (he?.st === "help" && he.helping === x.id) {
        he.helping = NONE;
        // S14: calling a dead callee returns TIMEOUT; a GF SC donation (no portal) just ends.
        complete(k, he, done(he.helpPt === NONE ? Status.SUCCESS : Status.TIMEOUT));
      }
    }
    x.helpers = [];
  }
}

export function recallVector(e: Ec): number {
  return e.type === "vcpu" ? Evt.VCPU_RECALL : Evt.RECALL;
}

destroyHooks.ec = (k, e) => {
  kill(k, e, "destroyed: its last capability and reference are gone");
  const pd = k.pd(e.pd);
  if (pd !== undefined) {
    quotaRelease(k, pd, KMEM.ec + (e.xcpuClone ? KMEM.ec + KMEM.sc : 0));
    pd.utcbs = pd.utcbs.filter((p) => p !== e.utcbPage);
  }
  if (e.utcbFrame !== NONE) k.m.memory.release([e.utcbFrame]);
  k.forget(e.id);
  return e.oomPt === NONE ? [e.pd] : [e.pd, e.oomPt];
};
