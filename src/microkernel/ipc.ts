/**
 * Portal IPC: call and reply, with the UTCB copy of untyped words and typed items (delegate,
 * translate, GF translate-else-delegate), SC donation, helping, and the implicit reply capability.
 * NOVA interface specification, June 2014: §3.2–§3.3, call (§5.2.1), reply (§5.2.2), §4.6.2.2;
 * src/syscall.cpp sys_call/sys_reply, src/pd.cpp xfer_items, include/ec.hpp help.
 *
 * Cost composition. The paper's 288-cycle one-way IPC (EuroSys'10) was measured from user mode to
 * user mode: it already contains the syscall entry and exit and the address-space switch. So a call
 * or a reply charges `ipc_oneway` instead of `syscall` (never both), plus `kpti_switch` (0 on the
 * paper's pre-Meltdown machine), plus `utcb_word_copy` per untyped word and `typed_item_xfer` per typed
 * item. An empty call + reply on nehalem-2010 is therefore exactly 2 × 288 cycles.
 */
import { cyclesOf, TraceTag } from "../machine/index.js";
import { CrdType, Flag, Item, ItemKind, Perm, Status, Utcb, type Regs } from "./abi.js";
import { capOf } from "./capability.js";
import { clamp, decodeCrd, encodeCrd, NULL_CRD, overlaps, type Crd } from "./crd.js";
import { BLOCKED, complete, done, type Ec } from "./ec.js";
import { resumeAfterEvent } from "./events.js";
import { OOM_EVENT, oomEntryRegs, retryAfterOom } from "./oom.js";
import { xcpuCall } from "./xcpu.js";
import type { Pd } from "./pd.js";
import type { Pt } from "./pt.js";
import { enterSpace, forgetCode, progId, startPortalCode, wake } from "./scheduler.js";
import { block, up } from "./sm.js";
import { chargeEffects, delegate, newEffects, translate } from "./space.js";
import { ecName, NONE, type Kernel, type PortalFacts, type SyscallResult } from "./state.js";
import { itemIndex } from "./utcb.js";

const CALL_PARTS = ["ipc_oneway", "kpti_switch"] as const;

/** transfer() returns words + items × XFER_ITEMS (an untyped count never reaches it), so the hot path allocates no tuple. */
const XFER_ITEMS = 0x10000;

/** The UTCB header word (item counts) as its low 32-bit half, in a 32-bit view of the page. */
const HEAD = 2 * Utcb.ITEMS;

/**
 * Copy the message of `from`'s UTCB into `to`'s; typed items map into `to`'s PD through its windows.
 * Returns words + items × XFER_ITEMS.
 */
export function transfer(k: Kernel, cpu: number, from: Ec, to: Ec, actor: string): number {
  const su = from.utcb;
  const du = to.utcb;
  if (su === null || du === null) return 0;
  // Header and untyped words through 32-bit views: no BigInt and no subarray per message.
  const s32 = k.utcb32(from.id, su);
  const d32 = k.utcb32(to.id, du);
  const head = s32[HEAD]!;
  if (head === 0 && s32[HEAD + 1] === 0) {
    d32[HEAD] = 0;
    d32[HEAD + 1] = 0;
    return 0;
  }
  const t = Math.min(head >>> 16, Utcb.DATA_WORDS / 2); // the header's T field, [31:16]
  const u = Math.min(head & 0xffff, Utcb.DATA_WORDS - 2 * t); // its U field, [15:0]
  for (let i = 2 * Utcb.DATA, end = 2 * (Utcb.DATA + u); i < end; i++) d32[i] = s32[i]!;
  d32[HEAD] = u | (t << 16);
  d32[HEAD + 1] = 0;
  if (t > 0) {
    const fx = newEffects();
    const src = k.pd(from.pd);
    const dst = k.pd(to.pd);
    const xlt = decodeCrd(du[Utcb.CRD_XLT]!);
    const del = decodeCrd(du[Utcb.CRD_DEL]!);
    const items: [bigint, bigint][] = [];
    for (let i = 0; i < t; i++) {
      const w = itemIndex(i);
      items.push(xferItem(k, src, dst, su[w]!, su[w + 1]!, xlt, del, fx));
    }
    items.forEach(([c, ctl], i) => {
      du[itemIndex(i)] = c;
      du[itemIndex(i) + 1] = ctl;
    });
    chargeEffects(k, cpu, fx, actor);
  }
  return u + t * XFER_ITEMS;
}

/** One typed item: returns the receiver's item (CRD that landed, control word 1 = delegated / 0 = translated). */
function xferItem(k: Kernel, src: Pd, dst: Pd, crdWord: bigint, ctl: bigint, xlt: Crd, del: Crd, fx: ReturnType<typeof newEffects>): [bigint, bigint] {
  const send = decodeCrd(crdWord);
  const kind = Number(ctl & Item.KIND_MASK);
  const hotspot = Number(ctl >> Item.HOTSPOT_SHIFT);
  if (send.type === CrdType.NULL) return [0n, 0n];
  if (kind === ItemKind.TRANSLATE || kind === ItemKind.TRANSLATE_ELSE_DELEGATE) {
    const r = xlt.type === send.type ? translate(k, src, dst, send.type, send.base, xlt) : NULL_CRD;
    if (r.type !== CrdType.NULL || kind === ItemKind.TRANSLATE) return [encodeCrd(r), 0n];
  }
  if (del.type !== send.type) return [0n, 1n];
  // H: the source is the kernel PD; honoured for the root PD only, ignored for others (S14 §4.6.2.2).
  const from = (ctl & Item.H) !== 0n && src.id === k.d.rootPd ? k.pd(k.d.kernelPd) : src;
  let snd: number, rcv: number, order: number;
  if (send.type === CrdType.PIO) {
    // I/O ports use no hotspot: the port numbers stay identical, so the result is the intersection.
    if (!overlaps(send.base, send.order, del.base, del.order)) return [0n, 1n];
    order = Math.min(send.order, del.order);
    snd = rcv = send.order <= del.order ? send.base - (send.base % 2 ** order) : del.base - (del.base % 2 ** order);
  } else ({ snd, rcv, order } = clamp(send.base, send.order, del.base, del.order, hotspot));
  const landed = delegate(k, from, dst, send.type, snd, rcv, order, send.perm & del.perm, fx);
  return [encodeCrd(landed), 1n];
}

/**
 * call: sel = PT (already wrapped to the object space), flag DB. Not a PT → BAD_CAP (the CALL bit is
 * not tested: S14 and GF sys_call do not, although the spec requires it; we follow the code). Callee
 * on another CPU → BAD_CPU unless the capability has the GF XCPU right. Dead callee → TIMEOUT (S14
 * code). Busy callee → TIMEOUT with DB, else the caller helps it until it is free.
 */
export function ipcCall(k: Kernel, ec: Ec, sel: number, flags: number): SyscallResult {
  // capOf(…, "pt") without its result record: this is the hot path of every call.
  const node = k.pd(ec.pd).obj.get(sel);
  const perm = node === undefined ? 0 : k.mdb.attr[node]!;
  const pt = perm === 0 ? undefined : k.obj(k.mdb.phys[node!]!);
  if (pt?.kind !== "pt") return fail(k, ec, Status.BAD_CAP);
  const callee = k.ec(pt.ec);
  if (callee.cpu !== ec.cpu) {
    // GF sys_call goes cross-CPU before it looks at the callee's state: the clone finds out there.
    if ((perm & Perm.pt.XCPU) === 0) return fail(k, ec, Status.BAD_CPU);
    return xcpuCall(k, ec, pt, callee, flags);
  }
  if (callee.st === "dead") return fail(k, ec, Status.TIMEOUT);
  if (callee.st !== "wait") {
    if ((flags & Flag.CALL_DB) !== 0) return fail(k, ec, Status.TIMEOUT);
    k.m.chargeMany(ec.cpu, CALL_PARTS, "nova", "call", ecName(ec.id), { helping: callee.id });
    ec.st = "help";
    ec.helping = callee.id;
    ec.helpPt = pt.id;
    ec.helpFlags = flags;
    ec.event = NONE;
    callee.helpers.push(ec.id);
    return BLOCKED;
  }
  rendezvous(k, ec, callee, pt, NONE);
  return BLOCKED;
}

function fail(k: Kernel, ec: Ec, status: Status): SyscallResult {
  k.m.chargeMany(ec.cpu, ["syscall", "kpti_switch"], "nova", "call", ecName(ec.id), { status });
  return done(status);
}

/**
 * Charge one direction of an IPC: CALL_PARTS, plus the words and items copied. The common empty
 * message sums the two rates itself (what chargeMany would compute, without its per-part work) and
 * records `args` as given. (A cross-CPU call's IPIs are latencies, events of xcpu.ts, not charges.)
 */
function chargeIpc(k: Kernel, cpu: number, tag: TraceTag, xfer: number, args: Record<string, unknown>): void {
  const a = k.ipcRate;
  const b = k.kptiRate;
  if (xfer === 0) {
    k.m.accountTagged(cpu, a.cycles + b.cycles, tag, args, (a.lo | b.lo) >>> 0, (a.hi | b.hi) >>> 0);
    return;
  }
  const words = xfer % XFER_ITEMS;
  const items = (xfer - words) / XFER_ITEMS;
  if (items === 0) {
    // Untyped words only: chargeMany's sum, in its order, and its rounding of a part of several units.
    const w = k.wordRate;
    const copy = cyclesOf(w, words);
    k.m.accountTagged(cpu, a.cycles + b.cycles + copy, tag, args, (a.lo | b.lo | w.lo) >>> 0, (a.hi | b.hi | w.hi) >>> 0);
    return;
  }
  const parts: (string | readonly [string, number])[] = [...CALL_PARTS];
  if (words > 0) parts.push(["utcb_word_copy", words]);
  if (items > 0) parts.push(["typed_item_xfer", items]);
  k.m.chargeMany(cpu, parts as never, tag.layer, tag.op, tag.actor, args);
}

function portalFacts(k: Kernel, pt: Pt): PortalFacts {
  const f = k.portals.get(pt.id);
  if (f !== undefined && f.pt === pt) return f;
  const mtd = BigInt(pt.mtd);
  const regs = Object.freeze({ rdi: pt.pid, rsi: mtd, rdx: 0n, rax: 0n, r8: 0n });
  const entered = Object.freeze({ via: "portal" as const, pt: pt.id, pid: pt.pid, event: NONE, ip: pt.ip, regs });
  const callArgs = Object.freeze({ pt: pt.id, callee: pt.ec, words: 0 as const, items: 0 as const });
  return k.portals.set(pt.id, { pt, callArgs, wordArgs: [], mtd, program: progId(pt.ip), noProgramAt: NONE, pid: pt.pid, regs, entered });
}

/**
 * The callee is free: block the caller, give the callee the reply capability and the caller's SC, copy
 * the message. `xcpu`: the caller's XCPU clone makes the call on the callee's CPU, which pays for it.
 */
export function rendezvous(k: Kernel, caller: Ec, callee: Ec, pt: Pt, event: number, xcpu = false): void {
  const actor = ecName(caller.id);
  const cpu = xcpu ? callee.cpu : caller.cpu;
  const xfer = event === NONE ? transfer(k, cpu, caller, callee, actor) : 0;
  let facts = portalFacts(k, pt);
  if (facts.pid !== pt.pid) {
    k.portals.delete(pt.id); // pt_ctrl gave it another PID since
    facts = portalFacts(k, pt);
  }
  let args: Record<string, unknown>;
  if (xfer === 0) args = facts.callArgs;
  else if (xfer < XFER_ITEMS) args = facts.wordArgs[xfer] ??= Object.freeze({ pt: pt.id, callee: pt.ec, words: xfer, items: 0 as const });
  else {
    const words = xfer % XFER_ITEMS;
    args = { pt: pt.id, callee: callee.id, words, items: (xfer - words) / XFER_ITEMS };
  }
  const tag = event === NONE ? k.callTag(caller.id) : new TraceTag("nova", event === OOM_EVENT ? "oom" : "event", actor);
  chargeIpc(k, cpu, tag, xfer, args);
  caller.st = "call";
  caller.callee = callee.id;
  caller.event = event;
  callee.caller = caller.id;
  callee.sc = caller.sc;
  callee.st = "ready";
  callee.ip = pt.ip;
  const oom = event === OOM_EVENT;
  let regs: Regs;
  if (event === NONE) {
    regs = facts.regs;
    callee.entered = facts.entered;
  } else {
    regs = oom ? oomEntryRegs(pt.pid) : { rdi: pt.pid, rsi: facts.mtd, rdx: 0n, rax: 0n, r8: 0n };
    callee.entered = { via: oom ? "oom" : "event", pt: pt.id, pid: pt.pid, event: oom ? NONE : event, ip: pt.ip, regs };
  }
  callee.result = null;
  if (xcpu) k.d.xcpu[callee.cpu]!.push(callee.id);
  enterSpace(k, callee.cpu, callee.pd);
  // A portal with no code stays without while nothing is registered: skip the registry's look-up.
  const programs = k.m.programs.size;
  if (facts.noProgramAt === programs) forgetCode(k, callee.id);
  else if (!startPortalCode(k, callee, facts.program, pt, event, regs)) facts.noProgramAt = programs;
}

/**
 * reply: the callee's UTCB goes back to the caller (for an event, its architectural state per the
 * UTCB's MTD word), the donated SC returns, and the callee waits for the next call. GF reply(sm): the
 * selector field names an SM the caller is parked on (a down on its behalf); `park` is that selector,
 * already wrapped, or NONE when the field is 0.
 */
export function ipcReply(k: Kernel, ec: Ec, park: number): SyscallResult {
  const caller = ec.caller === NONE ? undefined : k.ec(ec.caller);
  let retry: Ec | undefined;
  const actor = ecName(ec.id);
  if (caller !== undefined && caller.st === "call" && caller.callee === ec.id) {
    const xfer = caller.event === NONE ? transfer(k, ec.cpu, ec, caller, actor) : 0;
    let args: Record<string, unknown>;
    if (xfer === 0) args = k.replyArgs.get(caller.id) ?? k.replyArgs.set(caller.id, Object.freeze({ caller: caller.id, words: 0 as const, items: 0 as const }));
    else if (xfer < XFER_ITEMS) args = (k.replyWordArgs.get(caller.id) ?? k.replyWordArgs.set(caller.id, []))[xfer] ??= Object.freeze({ caller: caller.id, words: xfer, items: 0 as const });
    else {
      const words = xfer % XFER_ITEMS;
      args = { caller: caller.id, words, items: (xfer - words) / XFER_ITEMS };
    }
    chargeIpc(k, ec.cpu, k.replyTag(ec.id), xfer, args);
    caller.callee = NONE;
    const event = caller.event;
    caller.event = NONE;
    const sm = park === NONE ? undefined : capOf(k, k.pd(ec.pd), park, "sm")?.obj;
    // An OOM-interrupted hypercall runs again below, once this reply's bookkeeping is done.
    if (event === OOM_EVENT) retry = caller;
    else if (event !== NONE) resumeAfterEvent(k, caller, ec, event);
    else complete(k, caller, done(Status.SUCCESS));
    // An XCPU caller: the clone's return ups its semaphore, a remote wake-up (xcpu.ts).
    if (caller.cpu !== ec.cpu) wake(k, ec.cpu, caller);
    if (sm !== undefined) {
      if (sm.count > 0) sm.count--;
      else {
        const result = caller.result;
        block(k, caller, sm);
        caller.result = result;
      }
    }
    enterSpace(k, caller.cpu, caller.pd);
  } else k.m.chargeMany(ec.cpu, ["syscall", "kpti_switch"], "nova", "reply", actor, { caller: null });
  ec.caller = NONE;
  ec.sc = ec.ownSc;
  ec.entered = null;
  ec.result = null;
  ec.st = "wait";
  forgetCode(k, ec.id);
  const x = k.d.xcpu[ec.cpu]!;
  if (x.length > 0) {
    const xi = x.indexOf(ec.id);
    if (xi >= 0) x.splice(xi, 1);
  }
  if (ec.helpers.length > 0) retryHelpers(k, ec);
  if (retry !== undefined && retry.st === "call") retryAfterOom(k, retry, ec.cpu); // not parked on an SM
  return BLOCKED;
}

/** The callee is free again: the first EC helping it retries its call now. */
export function retryHelpers(k: Kernel, callee: Ec): void {
  while (callee.st === "wait" && callee.helpers.length > 0) {
    const h = k.ec(callee.helpers.shift()!);
    if (h === undefined || h.st !== "help" || h.helping !== callee.id) continue;
    h.helping = NONE;
    if (h.helpPt === NONE) {
      complete(k, h, done(Status.SUCCESS)); // a GF SC donation, not a call: it ends here
      continue;
    }
    const pt = k.obj(h.helpPt);
    if (pt?.kind !== "pt") {
      complete(k, h, done(Status.ABORTED));
      continue;
    }
    rendezvous(k, h, callee, pt, h.event, callee.cpu !== h.cpu);
  }
}

export { up };
