/**
 * base-nova: Genode's kernel interface implemented with NOVA hypercalls, as
 * genodelabs/genode repos/base-nova does it (reference/nova.md §6, genode.md §3.2):
 * PD = NOVA PD created by core; entrypoint = local EC; RPC object = its own portal on the
 * entrypoint's EC, badge = the portal's selector in the server's space, imprinted with pt_ctrl and
 * then fixed by revoking RIGHT_PT_CTRL (src/core/include/imprint_badge.h); RPC = call/reply with
 * the message in UTCB words and capability arguments as translate-else-delegate typed items
 * (include/nova/receive_window.h, MAX_CAP_ARGS_LOG2 = 2); signals on semaphores; dataspaces
 * mapped by delegation (GF delegate).
 */
import { err, invariant, ok, type Machine, type Rate, type Result } from "../../machine/index.js";
import { Evt, Mtd, Sel, Status, USER_ADDR, qpd, type Regs } from "../../microkernel/abi.js";
import { hc } from "../../microkernel/calls.js";
import { crd } from "../../microkernel/crd.js";
import type { Capability, CostBreakdown, Kernel, KernelError, KernelPd, KernelThread, Msgbuf, RpcDispatch } from "../kernel.js";
import { MAX_CAPS_PER_MSG } from "../kernel.js";
import { onMachineEvent } from "../machine-events.js";
import { RECEIVE_WINDOW, openReceiveWindows, readMessage, writeMessage } from "./msgbuf.js";
import type { NovaPort } from "./nova-port.js";

/** `Obj_crd::RIGHT_PT_CTRL` (syscall-generic.h): the permission bit revoked after imprinting. */
const RIGHT_PT_CTRL = 0x1;
/** First selector core hands out: above the 32 initial portals and Genode's fixed selectors. */
const FIRST_FREE_SEL = 0x40;
/**
 * Receive windows live in a range of their own: core's objects appear at the same selector in
 * every PD (GF delegate maps at the same base), so a window below would collide with them.
 */
const RECEIVE_BASE = 1 << 24;
const REPLY = hc.reply();
/** Map key of a (PD, selector) pair: selectors stay below 2^26 (NUM_SEL), so the pair fits a number. */
const SEL_SPAN = 0x4000000;
const capKey = (pd: number, sel: number): number => pd * SEL_SPAN + sel;
/** Machine event that wakes a signal receiver. */
const SIGNAL_EVENT = "base-nova.signal";
/** Instruction pointer of `_activation_entry`; no code is registered there, base-nova acts for the EC. */
const ACTIVATION_ENTRY = 0x1000;
/** Genode's default thread priority and quantum (Qpd defaults, syscall-generic.h). */
const MAIN_THREAD_QPD = qpd(64, 10_000);
/** Highest UTCB address base-nova hands out; each EC of a PD gets the next page below. */
const UTCB_TOP = USER_ADDR - 0x10_0000n;

interface PdRec {
  pd: KernelPd;
  /** The PD's selector in core's object space. */
  coreSel: number;
  /** Main thread: the EC that issues this PD's calls (global EC at Genode's EC_SEL_THREAD). */
  mainEc: number;
  /** UTCB pages handed out in this PD so far. */
  utcbs: number;
  dead: boolean;
  /** Core's selectors of the main thread's STARTUP portal, EC and SC: revoked with the PD. */
  threadSels: number[];
  /** Keys (capKey) of the capabilities this PD holds that core tracks in coreSelOf. */
  held: Set<number>;
  /** Core's selectors of the signal SMs created in this PD: revoked with the PD. */
  signalSels: Set<number>;
}


export class NovaPlatform implements Kernel {
  readonly name = "nova";
  readonly corePd: KernelPd;
  private readonly pds = new Map<number, PdRec>();
  private readonly threads = new Map<number, { pd: PdRec; ec: number; coreSel: number; objects: Map<number, RpcDispatch> }>();
  /** RPC objects by capKey(server PD, badge). */
  private readonly portals = new Map<number, { thread: number; coreSel: number }>();
  private coreNext = FIRST_FREE_SEL;
  /**
   * Core's selectors given back, reused last-freed first: core's capability-selector allocator
   * (base-nova/src/core cap_map / Capability_map::insert frees a selector with its object).
   */
  private readonly freeSels: number[] = [];
  /** Every holder key (capKey) that coreSelOf maps to a core selector: dropped with the object. */
  private readonly holders = new Map<number, Set<number>>();
  /**
   * Next receive window. Windows are unique system-wide: a capability delegated onwards keeps its
   * selector (GF delegate), so it must not collide with a window of the next holder.
   */
  private nextWindow = RECEIVE_BASE;
  /** Core's selector for each capability a PD holds ("pd:sel"): core created every object, so it can re-delegate. */
  private readonly coreSelOf = new Map<number, number>();
  /** Entrypoint thread behind each portal, by core selector (rpc_entrypoint's object pool, kernel side). */
  private readonly portalThread = new Map<number, number>();
  private nextId = 1;
  /** The last call's cycles: total, Genode's marshalling and dispatch (the rest is NOVA's path). */
  private lastTotal = 0;
  private lastMarshal = 0;
  private lastDispatch = 0;
  /** call registers per portal selector, built once (hot path). */
  private readonly callRegs = new Map<number, Regs>();
  /** Rates of Genode's own work on the call path, looked up once (they follow cost overrides in place). */
  private readonly wordCopy: Rate;
  private readonly dispatchRate: Rate;
  /** Core's pager: a local EC that answers the STARTUP (and would answer page-fault) portals. */
  private readonly pagerSel: number;
  private readonly pagerEc: number;

  constructor(private readonly m: Machine, private readonly nova: NovaPort) {
    this.wordCopy = m.costs.rate("utcb_word_copy");
    this.dispatchRate = m.costs.rate("cache_l1");
    const core: PdRec = { pd: { id: 0, label: "core" }, coreSel: Sel.PD_ROOT, mainEc: nova.rootEc, utcbs: 0, dead: false, threadSels: [], held: new Set(), signalSels: new Set() };
    this.pds.set(0, core);
    this.corePd = core.pd;
    this.pagerSel = this.coreNext++;
    invariant(this.sys(hc.createEc(this.pagerSel, Sel.PD_ROOT, { utcb: this.utcbFor(core), global: false })) === Status.SUCCESS, "base-nova: core's pager EC");
    this.pagerEc = nova.ecAt(this.pagerSel);
    onMachineEvent(m, SIGNAL_EVENT, (p) => this.deliverSignal((p as { sel: number }).sel));
  }

  private sys(r: Regs, ec = this.nova.rootEc): number {
    const out = this.nova.syscall(r, ec);
    return "blocked" in out ? Status.SUCCESS : out.status;
  }
  /** The PD's record; a destroyed PD has none left and reads as dead. */
  private rec(pd: KernelPd): PdRec {
    const r = this.pds.get(pd.id);
    if (r !== undefined) return r;
    invariant(pd.id > 0 && pd.id < this.nextId, `base-nova: unknown PD ${pd.id}`);
    return { pd, coreSel: -1, mainEc: -1, utcbs: 0, dead: true, threadSels: [], held: new Set(), signalSels: new Set() };
  }

  private allocSel(): number {
    return this.freeSels.pop() ?? this.coreNext++;
  }

  /** Revoke core's capability at `sel` (and everything derived from it), then reuse the selector. */
  private freeSel(sel: number): void {
    this.sys(hc.revoke(crd.obj(sel, 0), { self: true }));
    this.freeSels.push(sel);
  }

  /** Remember that `pd` holds `sel`, naming core's object at `coreSel`. */
  private hold(pd: number, sel: number, coreSel: number): void {
    const key = capKey(pd, sel);
    this.coreSelOf.set(key, coreSel);
    let h = this.holders.get(coreSel);
    if (h === undefined) { h = new Set(); this.holders.set(coreSel, h); }
    h.add(key);
    this.pds.get(pd)?.held.add(key);
  }

  /** Forget every holder of core's object at `coreSel` (its capabilities were revoked with it). */
  private dropHolders(coreSel: number): void {
    const h = this.holders.get(coreSel);
    if (h === undefined) return;
    for (const key of h) {
      this.coreSelOf.delete(key);
      this.pds.get(Math.floor(key / SEL_SPAN))?.held.delete(key);
    }
    this.holders.delete(coreSel);
  }

  /** A UTCB address in `r`'s address space that no EC there uses yet. */
  private utcbFor(r: PdRec): bigint {
    return UTCB_TOP - BigInt(++r.utcbs) * 0x1000n;
  }

  /** Platform_pd + main thread: create_pd, then a global EC with an SC (Platform_thread::start). */
  createPd(label: string): Result<KernelPd, KernelError> {
    const sel = this.allocSel();
    if (this.sys(hc.createPd(sel, Sel.PD_ROOT)) !== Status.SUCCESS) { this.freeSels.push(sel); return err("OUT_OF_KERNEL_MEMORY"); }
    const r: PdRec = { pd: { id: this.nextId++, label }, coreSel: sel, mainEc: -1, utcbs: 0, dead: false, threadSels: [], held: new Set(), signalSels: new Set() };
    // the thread's STARTUP portal, served by core's pager EC (pager.cc); GF delegate keeps the
    // selector, so the thread's event base is the portal's selector minus the STARTUP vector
    const startupSel = this.allocSel();
    const ecSel = this.allocSel();
    const scSel = this.allocSel();
    r.threadSels = [startupSel, ecSel, scSel];
    if (this.sys(hc.createPt(startupSel, sel, this.pagerSel, Mtd.RSP | Mtd.RIP_LEN, ACTIVATION_ENTRY)) !== Status.SUCCESS
      || this.sys(hc.delegate(Sel.PD_ROOT, sel, crd.obj(startupSel, 0))) !== Status.SUCCESS
      || this.sys(hc.createEc(ecSel, sel, { utcb: this.utcbFor(r), global: true, evt: startupSel - Evt.STARTUP })) !== Status.SUCCESS
      || this.sys(hc.createSc(scSel, sel, ecSel, MAIN_THREAD_QPD)) !== Status.SUCCESS) {
      for (const x of [scSel, ecSel, startupSel, sel]) this.freeSel(x);
      return err("OUT_OF_KERNEL_MEMORY");
    }
    // the new thread now sits in its STARTUP call; the pager answers it and the thread runs
    if (this.nova.state(this.pagerEc).kind === "entered") this.nova.syscall(hc.reply(), this.pagerEc);
    r.mainEc = this.nova.ecAt(ecSel);
    this.openWindows(this.nova.utcb(r.mainEc), r);
    this.pds.set(r.pd.id, r);
    return ok(r.pd);
  }

  /**
   * Destroying the PD ends its entrypoints, which dissolves every RPC object they serve (the
   * portals go once no capability refers to them), its signal contexts and its threads; core
   * then forgets the PD entirely and reuses its selectors.
   */
  destroyPd(pd: KernelPd): void {
    const r = this.rec(pd);
    if (r.dead || pd.id === 0) return;
    for (const [id, t] of this.threads) {
      if (t.pd !== r) continue;
      for (const badge of [...t.objects.keys()]) this.dissolve({ pd, sel: badge });
      this.freeSel(t.coreSel);
      this.threads.delete(id);
    }
    for (const sel of r.signalSels) {
      // a delivery already scheduled for this SM must not reach the next context at the selector
      if (this.pending.delete(sel)) this.staleEvents.set(sel, (this.staleEvents.get(sel) ?? 0) + 1);
      this.dropHolders(sel);
      this.signals.delete(sel);
      this.freeSel(sel);
    }
    // Core's own capabilities keep the main thread's objects alive in the kernel (and charged to
    // core's kernel-memory quota) until core drops them too.
    for (const sel of r.threadSels) this.freeSel(sel);
    for (const key of r.held) { const c = this.coreSelOf.get(key); this.coreSelOf.delete(key); if (c !== undefined) this.holders.get(c)?.delete(key); }
    this.freeSel(r.coreSel);
    r.dead = true;
    this.pds.delete(pd.id);
  }

  /** Rpc_entrypoint: a local EC (no SC of its own) in the server's PD, created by core. */
  createEntrypoint(pd: KernelPd, _name: string): Result<KernelThread, KernelError> {
    const r = this.rec(pd);
    if (r.dead) return err("DESTROYED");
    const sel = this.allocSel();
    if (this.sys(hc.createEc(sel, r.coreSel, { utcb: this.utcbFor(r), global: false })) !== Status.SUCCESS) { this.freeSels.push(sel); return err("OUT_OF_KERNEL_MEMORY"); }
    const t = { id: this.nextId++, pd };
    const ec = this.nova.ecAt(sel);
    this.threads.set(t.id, { pd: r, ec, coreSel: sel, objects: new Map() });
    this.openWindows(this.nova.utcb(ec), r);
    return ok(t);
  }

  /** alloc_rpc_cap + imprint_rpc_cap: create_pt in core, delegate to the server, pt_ctrl(badge), revoke PT_CTRL. */
  manage(ep: KernelThread, dispatch: RpcDispatch): Result<Capability, KernelError> {
    const t = this.threads.get(ep.id);
    if (t === undefined || t.pd.dead) return err("INVALID_OBJECT");
    const coreSel = this.allocSel();
    if (this.sys(hc.createPt(coreSel, t.pd.coreSel, t.coreSel, 0, ACTIVATION_ENTRY)) !== Status.SUCCESS) { this.freeSels.push(coreSel); return err("OUT_OF_KERNEL_MEMORY"); }
    // GF delegate maps at the same base: the portal's selector in the server's space is coreSel
    const badge = coreSel;
    if (t.pd.pd.id !== 0) this.sys(hc.delegate(Sel.PD_ROOT, t.pd.coreSel, crd.obj(coreSel, 0)));
    this.sys(hc.ptCtrl(coreSel, badge));
    this.sys(hc.revoke(crd.obj(coreSel, 0, RIGHT_PT_CTRL), { self: true }));
    t.objects.set(badge, dispatch);
    this.portals.set(capKey(t.pd.pd.id, badge), { thread: ep.id, coreSel });
    this.portalThread.set(coreSel, ep.id);
    this.hold(t.pd.pd.id, badge, coreSel);
    return ok({ pd: t.pd.pd, sel: badge });
  }

  /**
   * Revoking core's portal capability revokes every capability derived from it, in every PD; the
   * portal object then has no capability left and NOVA destroys it. Core forgets every holder and
   * reuses the selector.
   */
  dissolve(cap: Capability): void {
    const key = capKey(cap.pd.id, cap.sel);
    const p = this.portals.get(key);
    if (p === undefined) return;
    this.threads.get(p.thread)?.objects.delete(cap.sel);
    this.portalThread.delete(p.coreSel);
    this.portals.delete(key);
    this.callRegs.delete(p.coreSel);
    this.dropHolders(p.coreSel);
    this.freeSel(p.coreSel);
  }

  /** Core delegates `cap` from its holder to `to` (GF delegate via core's view of both PDs). */
  delegate(cap: Capability, to: KernelPd): Result<Capability, KernelError> {
    const dst = this.rec(to);
    if (this.rec(cap.pd).dead || dst.dead) return err("DESTROYED");
    const viaCore = cap.pd.id === 0 ? cap.sel : this.coreSelOf.get(capKey(cap.pd.id, cap.sel));
    if (viaCore === undefined) return err("INVALID_OBJECT");
    if (to.id === 0) return ok({ pd: to, sel: viaCore });
    // delegate from the holder, as a server hands its session capability to the client: the
    // client's capability then derives from the server's, which is what lets NOVA translate it
    // back to the server's own selector when the client passes it in a later call
    const src = this.rec(cap.pd);
    if (this.sys(hc.delegate(src.coreSel, dst.coreSel, crd.obj(cap.sel, 0))) !== Status.SUCCESS) return err("INVALID_OBJECT");
    this.hold(to.id, cap.sel, viaCore);
    return ok({ pd: to, sel: cap.sel });
  }

  call(cap: Capability, request: Msgbuf): Result<Msgbuf, KernelError> {
    if (request.caps.length > MAX_CAPS_PER_MSG) return err("TOO_MANY_CAPS");
    const client = this.rec(cap.pd);
    if (client.dead) return err("DESTROYED");
    const start = this.m.now(0);
    const u = this.nova.utcb(client.mainEc);
    const marshal = this.marshal(u, request);
    let callRegs = this.callRegs.get(cap.sel);
    if (callRegs === undefined) { callRegs = hc.call(cap.sel); this.callRegs.set(cap.sel, callRegs); }
    const called = this.nova.syscall(callRegs, client.mainEc);
    if (!("blocked" in called)) return err("INVALID_OBJECT");
    const coreSel = cap.pd.id === 0 ? cap.sel : this.coreSelOf.get(capKey(cap.pd.id, cap.sel));
    const t = coreSel === undefined ? undefined : this.threads.get(this.portalThread.get(coreSel) ?? -1);
    const pid = t === undefined ? undefined : this.nova.enteredPid(t.ec);
    if (t === undefined || pid === undefined) return err("INVALID_OBJECT");
    const badge = Number(pid);
    const su = this.nova.utcb(t.ec);
    const req = this.unmarshal(su, t.pd.pd);
    if (request.caps.length > 0) this.track(request.caps, req.caps);
    // ep.apply(id_pt, …): object-pool lookup by badge, then dispatch (rpc_entrypoint.cc _activation_entry)
    const dispatch = t.objects.get(badge);
    const dispatchCost = this.m.chargeRate(0, this.dispatchRate, "genode", "rpc-dispatch", t.pd.pd.label);
    const reply = dispatch === undefined || req.words.length < 1 ? { words: [-1], caps: [] } : dispatch(badge, req);
    const replyMarshal = this.marshal(su, reply);
    this.nova.syscall(REPLY, t.ec);
    const out = this.unmarshal(u, cap.pd);
    if (reply.caps.length > 0) this.track(reply.caps, out.caps);
    this.lastTotal = this.m.now(0) - start;
    this.lastMarshal = marshal + replyMarshal;
    this.lastDispatch = dispatchCost;
    return ok(out);
  }

  /**
   * How many records core's side of base-nova keeps, per table, and how many of core's own
   * selectors are in use: constant across a child's life and death (the soak's leak check).
   */
  records(): Record<"pds" | "threads" | "portals" | "coreSelOf" | "holders" | "portalThread" | "callRegs" | "signals" | "coreSels", number> {
    return {
      pds: this.pds.size, threads: this.threads.size, portals: this.portals.size, coreSelOf: this.coreSelOf.size,
      holders: this.holders.size, portalThread: this.portalThread.size, callRegs: this.callRegs.size,
      signals: this.signals.size, coreSels: this.coreNext - FIRST_FREE_SEL - this.freeSels.length,
    };
  }

  lastCallCost(): CostBreakdown {
    const genode = this.lastMarshal + this.lastDispatch;
    return { total: this.lastTotal, layers: { nova: this.lastTotal - genode, "genode-marshal": this.lastMarshal, "genode-dispatch": this.lastDispatch } };
  }

  private track(sent: readonly Capability[], received: readonly Capability[]): void {
    received.forEach((c, i) => {
      const s = sent[i];
      const core = s === undefined ? undefined : s.pd.id === 0 ? s.sel : this.coreSelOf.get(capKey(s.pd.id, s.sel));
      if (core !== undefined && c.pd.id !== 0) this.hold(c.pd.id, c.sel, core);
    });
  }

  private marshal(u: BigUint64Array, msg: Msgbuf): number {
    return this.m.chargeRate(0, this.wordCopy, "genode", "marshal", "ipc", undefined, writeMessage(u, msg));
  }

  private openWindows(u: BigUint64Array, _r: PdRec): void {
    openReceiveWindows(u, this.nextWindow);
    this.nextWindow += RECEIVE_WINDOW;
  }

  private unmarshal(u: BigUint64Array, holder: KernelPd): Msgbuf {
    const msg = readMessage(u, holder);
    // a window that received something is used up; an unused one stays (receive_window.h)
    if (msg.caps.length > 0) this.openWindows(u, this.rec(holder));
    return msg;
  }

  createSignalContext(pd: KernelPd, handler: (count: number) => void): Result<Capability, KernelError> {
    const r = this.rec(pd);
    if (r.dead) return err("DESTROYED");
    const sel = this.allocSel();
    if (this.sys(hc.createSm(sel, r.coreSel, 0)) !== Status.SUCCESS) { this.freeSels.push(sel); return err("OUT_OF_KERNEL_MEMORY"); }
    this.signals.set(sel, handler);
    r.signalSels.add(sel);
    return ok({ pd: this.corePd, sel });
  }
  private readonly signals = new Map<number, (count: number) => void>();

  /**
   * Signal_transmitter::submit: sm_ctrl(UP) by the sender, core not on the path (signal_broker.h).
   * The receiver's signal thread returns from its sm_ctrl(DOWN) afterwards, as a machine event:
   * a signal never runs its handler inside the sender's own RPC.
   */
  submit(cap: Capability): Result<void, KernelError> {
    const coreSel = cap.pd.id === 0 ? cap.sel : this.coreSelOf.get(capKey(cap.pd.id, cap.sel));
    if (coreSel === undefined || !this.signals.has(coreSel)) return err("INVALID_OBJECT");
    const sender = this.rec(cap.pd);
    if (this.sys(hc.smUp(cap.pd.id === 0 ? coreSel : cap.sel), sender.mainEc) !== Status.SUCCESS) return err("INVALID_OBJECT");
    const n = (this.pending.get(coreSel) ?? 0) + 1;
    this.pending.set(coreSel, n);
    if (n === 1) this.m.after(0, 0, SIGNAL_EVENT, { sel: coreSel });
    return ok(undefined);
  }

  /** Consume the submits merged since the last delivery (each one an SM up), then run the handler once. */
  private deliverSignal(sel: number): void {
    const stale = this.staleEvents.get(sel);
    if (stale !== undefined) {
      if (stale > 1) this.staleEvents.set(sel, stale - 1); else this.staleEvents.delete(sel);
      return;
    }
    const h = this.signals.get(sel);
    const count = this.pending.get(sel) ?? 0;
    this.pending.delete(sel);
    if (h === undefined || count === 0) return;
    for (let i = 0; i < count; i++) this.sys(hc.smDown(sel));
    h(count);
  }
  /** Submits not yet delivered, per signal SM: the SM's counter, known without a blocking down. */
  private readonly pending = new Map<number, number>();
  /** Scheduled deliveries of destroyed signal SMs, per selector: they fire before any newer one and do nothing. */
  private readonly staleEvents = new Map<number, number>();

  mapDataspace(from: KernelPd, to: KernelPd, page: number, pages: number, writable: boolean): Result<void, KernelError> {
    const dst = this.rec(to);
    if (this.rec(from).dead || dst.dead) return err("DESTROYED");
    const order = Math.ceil(Math.log2(Math.max(1, pages)));
    const src = this.rec(from);
    this.sys(hc.delegate(src.coreSel, dst.coreSel, crd.mem(page, order, writable ? 0x7 : 0x5)));
    return ok(undefined);
  }
}
