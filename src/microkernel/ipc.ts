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
import { CrdType, Flag, Item, ItemKind, Perm, Status, Utcb, type Regs } from "./abi.js";
import { capOf, wrapSel } from "./capability.js";
import { clamp, decodeCrd, encodeCrd, NULL_CRD, overlaps, type Crd } from "./crd.js";
import { BLOCKED, complete, done, type Ec } from "./ec.js";
import { resumeAfterEvent } from "./events.js";
import type { Pd } from "./pd.js";
import type { Pt } from "./pt.js";
import { startCode } from "./scheduler.js";
import { enterSpace } from "./scheduler.js";
import { block, up } from "./sm.js";
import { chargeEffects, delegate, newEffects, translate } from "./space.js";
import { NONE, type Kernel, type SyscallResult } from "./state.js";
import { itemIndex, typedCount, untypedCount } from "./utcb.js";

const CALL_PARTS = ["ipc_oneway", "kpti_switch"] as const;

/** Copy the message of `from`'s UTCB into `to`'s; typed items map into `to`'s PD through its windows. Returns [words, items]. */
export function transfer(k: Kernel, cpu: number, from: Ec, to: Ec, actor: string): [number, number] {
  const su = from.utcb;
  const du = to.utcb;
  if (su === null || du === null) return [0, 0];
  const header = su[Utcb.ITEMS]!;
  if (header === 0n) {
    du[Utcb.ITEMS] = 0n;
    return [0, 0];
  }
  const t = Math.min(typedCount(su), Utcb.DATA_WORDS / 2);
  const u = Math.min(untypedCount(su), Utcb.DATA_WORDS - 2 * t);
  if (u > 0) du.set(su.subarray(Utcb.DATA, Utcb.DATA + u), Utcb.DATA);
  du[Utcb.ITEMS] = BigInt(u) | (BigInt(t) << 16n);
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
  return [u, t];
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
 * call: sel = PT, flag DB. Not a PT → BAD_CAP (the CALL bit is not tested: S14 and GF sys_call do not,
 * although the spec requires it; we follow the code). Callee on another CPU → BAD_CPU unless the
 * capability has the GF XCPU right. Dead callee → TIMEOUT (S14 code). Busy callee → TIMEOUT with DB,
 * else the caller helps it until it is free.
 */
export function ipcCall(k: Kernel, ec: Ec, sel: bigint, flags: number): SyscallResult {
  const c = capOf(k, k.pd(ec.pd), wrapSel(sel), "pt");
  if (c === undefined) return fail(k, ec, Status.BAD_CAP);
  const pt = c.obj;
  const callee = k.ec(pt.ec);
  const xcpu = callee.cpu !== ec.cpu;
  if (xcpu && (c.perm & Perm.pt.XCPU) === 0) return fail(k, ec, Status.BAD_CPU);
  if (callee.st === "dead") return fail(k, ec, Status.TIMEOUT);
  if (callee.st !== "wait") {
    if ((flags & Flag.CALL_DB) !== 0) return fail(k, ec, Status.TIMEOUT);
    k.m.chargeMany(ec.cpu, CALL_PARTS, "nova", "call", `ec${ec.id}`, { helping: callee.id });
    ec.st = "help";
    ec.helping = callee.id;
    ec.helpPt = pt.id;
    ec.helpFlags = flags;
    ec.event = NONE;
    callee.helpers.push(ec.id);
    return BLOCKED;
  }
  rendezvous(k, ec, callee, pt, NONE, xcpu);
  return BLOCKED;
}

function fail(k: Kernel, ec: Ec, status: Status): SyscallResult {
  k.m.chargeMany(ec.cpu, ["syscall", "kpti_switch"], "nova", "call", `ec${ec.id}`, { status });
  return done(status);
}

/** The callee is free: block the caller, give the callee the reply capability and the caller's SC, copy the message. */
export function rendezvous(k: Kernel, caller: Ec, callee: Ec, pt: Pt, event: number, xcpu = false): void {
  const actor = `ec${caller.id}`;
  const [words, items] = event === NONE ? transfer(k, caller.cpu, caller, callee, actor) : [0, 0];
  const parts: (string | readonly [string, number])[] = [...CALL_PARTS];
  if (words > 0) parts.push(["utcb_word_copy", words]);
  if (items > 0) parts.push(["typed_item_xfer", items]);
  if (xcpu) parts.push("ipi");
  k.m.chargeMany(caller.cpu, parts as never, "nova", event === NONE ? "call" : "event", actor, { pt: pt.id, callee: callee.id, words, items });
  caller.st = "call";
  caller.callee = callee.id;
  caller.event = event;
  callee.caller = caller.id;
  callee.sc = caller.sc;
  callee.st = "ready";
  callee.ip = pt.ip;
  const regs: Regs = { rdi: pt.pid, rsi: BigInt(pt.mtd), rdx: 0n, rax: 0n, r8: 0n };
  callee.entered = { via: event === NONE ? "portal" : "event", pt: pt.id, pid: pt.pid, event, ip: pt.ip, regs };
  callee.result = null;
  if (xcpu) k.d.xcpu[callee.cpu]!.push(callee.id);
  enterSpace(k, callee.cpu, callee.pd);
  startCode(k, callee, pt.ip, { ec: callee.id, pid: pt.pid, ip: pt.ip, event, regs });
}

/**
 * reply: the callee's UTCB goes back to the caller (for an event, its architectural state per the
 * UTCB's MTD word), the donated SC returns, and the callee waits for the next call. GF reply(sm): the
 * selector field names an SM the caller is parked on (a down on its behalf).
 */
export function ipcReply(k: Kernel, ec: Ec, sel: bigint): SyscallResult {
  const caller = ec.caller === NONE ? undefined : k.ec(ec.caller);
  const actor = `ec${ec.id}`;
  let words = 0;
  let items = 0;
  if (caller !== undefined && caller.st === "call" && caller.callee === ec.id) {
    if (caller.event === NONE) [words, items] = transfer(k, ec.cpu, ec, caller, actor);
    const parts: (string | readonly [string, number])[] = [...CALL_PARTS];
    if (words > 0) parts.push(["utcb_word_copy", words]);
    if (items > 0) parts.push(["typed_item_xfer", items]);
    k.m.chargeMany(ec.cpu, parts as never, "nova", "reply", actor, { caller: caller.id, words, items });
    caller.callee = NONE;
    const event = caller.event;
    caller.event = NONE;
    const park = sel === 0n ? undefined : capOf(k, k.pd(ec.pd), wrapSel(sel), "sm")?.obj;
    if (event !== NONE) resumeAfterEvent(k, caller, ec, event);
    else complete(k, caller, done(Status.SUCCESS, { rsi: 0n }));
    if (park !== undefined) {
      if (park.count > 0) park.count--;
      else {
        const result = caller.result;
        block(k, caller, park);
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
  k.liveThreads.delete(ec.id);
  k.d.threads.delete(ec.id);
  const x = k.d.xcpu[ec.cpu]!;
  const xi = x.indexOf(ec.id);
  if (xi >= 0) x.splice(xi, 1);
  retryHelpers(k, ec);
  return BLOCKED;
}

/** The callee is free again: the first EC helping it retries its call now. */
export function retryHelpers(k: Kernel, callee: Ec): void {
  while (callee.st === "wait" && callee.helpers.length > 0) {
    const h = k.ec(callee.helpers.shift()!);
    if (h === undefined || h.st !== "help" || h.helping !== callee.id) continue;
    const pt = k.obj(h.helpPt);
    h.helping = NONE;
    if (pt?.kind !== "pt") {
      complete(k, h, done(Status.ABORTED));
      continue;
    }
    rendezvous(k, h, callee, pt, h.event, callee.cpu !== h.cpu);
  }
}

export { up };
