/**
 * base-xen: Genode's kernel interface implemented over the Xen hypervisor model — the seed's
 * first approach, "Xen's domains as Genode's protection domains" (shared/reference
 * 000_4a6783973080066a.txt; DESIGN.md Genode section). Genode never shipped a base-xen, so the
 * mapping is ours, built only from Xen's own mechanisms:
 * - core runs in Dom0 (the privileged domain that may create others); a PD is a PV domain that
 *   core creates with the toolstack's hypercalls (XEN_DOMCTL_createdomain, max_mem,
 *   XENMEM_populate_physmap, unpausedomain), with its own memory;
 * - an RPC connection between a client PD and a server entrypoint is one granted page of the
 *   client, mapped by the server (GNTTABOP_map_grant_ref), plus one interdomain event channel;
 *   a call marshals the message into the page and sends an event, the server's upcall reads it,
 *   dispatches, marshals the reply into the same page and sends an event back;
 * - capabilities are names core keeps per PD (Xen has no capability transfer): a capability in a
 *   message is translated by core into the receiver's name, setting up the receiver's channel to
 *   the object on first use;
 * - a signal context is an event channel per sender, bound to the receiver; submit = EVTCHNOP_send;
 * - a dataspace attachment is a grant per page, mapped by the client.
 * Costs: whatever the Xen model charges for those hypercalls (entry, event-channel send with its
 * remote upcall, grant map/unmap with shootdowns) plus Genode's marshalling (one
 * `utcb_word_copy` per 8-byte message word, as base-nova charges) and dispatch — never a constant.
 */
import { err, invariant, ok, type Machine, type Result } from "../../machine/index.js";
import {
  __HYPERVISOR_domctl, XEN_DOMCTL_destroydomain, XEN_DOMCTL_INTERFACE_VERSION, type Xen,
} from "../../xen/index.js";
import { Hcall } from "../../xen/toolstack/hcall.js";
import type { Capability, CostBreakdown, Kernel, KernelError, KernelPd, KernelThread, Msgbuf, RpcDispatch } from "../kernel.js";
import { MAX_CAPS_PER_MSG } from "../kernel.js";
import { onMachineEvent } from "../machine-events.js";
import { XenChannel, type DomainSlots } from "./channel.js";

/** RAM of a Genode PD's domain, in 4 KiB pages (256 KiB: its channel pages and dataspaces). */
const PD_PAGES = 64;
/** Dom0 gfns core may grant: below the range Dom0's PV kernel hands to its drivers (512…1023). */
const CORE_FIRST_GFN = 256;
const CORE_END_GFN = 512;
/** Gfns above RAM where base-xen maps foreign pages (clear of XenStore's 0x40000 and the PV kernel's 0x50000). */
const MAP_BASE_GFN = 0x60000;
/** Machine event that delivers a signal upcall. */
const SIGNAL_EVENT = "base-xen.signal";

interface PdRec { pd: KernelPd; domid: number; dead: boolean; nextGfn: number; endGfn: number; nextRef: number; nextMap: number }
interface EpRec { id: number; pd: PdRec }
type Obj =
  | { kind: "rpc"; ep: EpRec; badge: number; dispatch: RpcDispatch; dead: boolean }
  | { kind: "signal"; pd: PdRec; handler: (count: number) => void; pending: number; dead: boolean };

export class XenPlatform implements Kernel {
  readonly name = "xen";
  readonly corePd: KernelPd;
  private readonly hc: Hcall;
  private readonly pds = new Map<number, PdRec>();
  private readonly eps = new Map<number, EpRec>();
  /** What each PD's capability names refer to, by "pd:sel". */
  private readonly caps = new Map<string, Obj>();
  /** RPC connections: "clientPd:ep" → channel (owner = client, peer = server). */
  private readonly channels = new Map<string, XenChannel>();
  /** Signal bindings: "senderPd:ctx" → channel (owner = receiver, peer = sender). */
  private readonly signalChannels = new Map<string, { ch: XenChannel; obj: Obj & { kind: "signal" } }>();
  private readonly slots: DomainSlots;
  private nextId = 1;
  private nextSel = 1;
  private lastTotal = 0;
  private lastGenode = 0;

  constructor(private readonly m: Machine, readonly xen: Xen) {
    this.hc = new Hcall(xen);
    const core: PdRec = { pd: { id: 0, label: "core" }, domid: 0, dead: false, nextGfn: CORE_FIRST_GFN, endGfn: CORE_END_GFN, nextRef: 0, nextMap: MAP_BASE_GFN };
    core.nextRef = xen.guest(0).grantTable.nrEntries - 1;
    this.pds.set(0, core);
    this.corePd = core.pd;
    const byDom = (domid: number): PdRec => {
      for (const r of this.pds.values()) if (r.domid === domid) return r;
      throw new Error(`base-xen: no PD in dom${domid}`);
    };
    this.slots = {
      allocGfn: (d) => { const r = byDom(d); invariant(r.nextGfn < r.endGfn, `base-xen: dom${d} has no free page for a channel`); return r.nextGfn++; },
      // grant refs from the top of the table down: a PV kernel in the same domain allocates from 8 up
      allocRef: (d) => { const r = byDom(d); invariant(r.nextRef >= 8, `base-xen: dom${d}'s grant table is full`); return r.nextRef--; },
      allocMapGfn: (d) => byDom(d).nextMap++,
    };
    onMachineEvent(m, SIGNAL_EVENT, (p) => this.deliverSignal((p as { key: string }).key));
  }

  /** The PD's record; a destroyed PD has none left and reads as dead. */
  private rec(pd: KernelPd): PdRec {
    const r = this.pds.get(pd.id);
    if (r !== undefined) return r;
    invariant(pd.id > 0 && pd.id < this.nextId, `base-xen: unknown PD ${pd.id}`);
    return { pd, domid: -1, dead: true, nextGfn: 0, endGfn: 0, nextRef: 0, nextMap: 0 };
  }

  /** The domain that backs a PD (core: Dom0). */
  domidOf(pd: KernelPd): number {
    return this.rec(pd).domid;
  }

  /** Platform_pd: a PV domain created by core through the toolstack's hypercalls, with its own RAM. */
  createPd(label: string): Result<KernelPd, KernelError> {
    let domid: number;
    try {
      domid = this.xen.createDomain({ pages: PD_PAGES, hvm: false });
    } catch {
      return err("OUT_OF_KERNEL_MEMORY");
    }
    const r: PdRec = { pd: { id: this.nextId++, label }, domid, dead: false, nextGfn: 0, endGfn: PD_PAGES, nextRef: 0, nextMap: MAP_BASE_GFN };
    r.nextRef = this.xen.guest(domid).grantTable.nrEntries - 1;
    this.pds.set(r.pd.id, r);
    return ok(r.pd);
  }

  /** XEN_DOMCTL_destroydomain by core; every object the PD served dies with it. */
  destroyPd(pd: KernelPd): void {
    const r = this.rec(pd);
    if (r.dead || r.domid === 0) return;
    r.dead = true;
    for (const o of this.caps.values()) if ((o.kind === "rpc" && o.ep.pd === r) || (o.kind === "signal" && o.pd === r)) o.dead = true;
    this.xen.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_destroydomain, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: r.domid });
    // core forgets the PD: the names it held, the objects it served, its entrypoints and every
    // channel with its domain at either end (the soak found them kept per restarted child)
    const held = `${pd.id}:`;
    for (const [key, o] of this.caps) if (o.dead || key.startsWith(held)) this.caps.delete(key);
    for (const [id, e] of this.eps) if (e.pd === r) this.eps.delete(id);
    for (const [key, ch] of this.channels) if (ch.owner === r.domid || ch.peer === r.domid) this.channels.delete(key);
    for (const [key, b] of this.signalChannels) if (key.startsWith(held) || b.obj.dead || b.ch.owner === r.domid || b.ch.peer === r.domid) this.signalChannels.delete(key);
    this.pds.delete(pd.id);
  }

  /** Rpc_entrypoint: the domain's vCPU 0 serving upcalls (no kernel object of its own on Xen). */
  createEntrypoint(pd: KernelPd, _name: string): Result<KernelThread, KernelError> {
    const r = this.rec(pd);
    if (r.dead) return err("DESTROYED");
    const ep: EpRec = { id: this.nextId++, pd: r };
    this.eps.set(ep.id, ep);
    return ok({ id: ep.id, pd });
  }

  manage(ep: KernelThread, dispatch: RpcDispatch): Result<Capability, KernelError> {
    const e = this.eps.get(ep.id);
    if (e === undefined || e.pd.dead) return err("INVALID_OBJECT");
    const sel = this.nextSel++;
    this.caps.set(`${e.pd.pd.id}:${sel}`, { kind: "rpc", ep: e, badge: sel, dispatch, dead: false });
    return ok({ pd: e.pd.pd, sel });
  }

  /** The object dies, and with it every name any PD had for it. */
  dissolve(cap: Capability): void {
    const o = this.caps.get(`${cap.pd.id}:${cap.sel}`);
    if (o === undefined) return;
    o.dead = true;
    for (const [key, x] of this.caps) if (x === o) this.caps.delete(key);
    for (const [key, b] of this.signalChannels) if (b.obj === o) this.signalChannels.delete(key);
  }

  /** Core names the object in `to` and sets up `to`'s channel to it (first capability only). */
  delegate(cap: Capability, to: KernelPd): Result<Capability, KernelError> {
    const o = this.caps.get(`${cap.pd.id}:${cap.sel}`);
    const dst = this.rec(to);
    if (this.rec(cap.pd).dead || dst.dead) return err("DESTROYED");
    if (o === undefined || o.dead) return err("INVALID_OBJECT");
    if (to.id === cap.pd.id) return ok(cap);
    // the server gets its own name back (translation), anyone else a fresh one
    if (o.kind === "rpc" && o.ep.pd === dst) return ok({ pd: to, sel: o.badge });
    const sel = this.nextSel++;
    this.caps.set(`${to.id}:${sel}`, o);
    if (o.kind === "rpc") this.rpcChannel(dst, o.ep);
    else this.signalChannel(dst, o, `${to.id}:${sel}`);
    return ok({ pd: to, sel });
  }

  private rpcChannel(client: PdRec, ep: EpRec): XenChannel {
    const key = `${client.pd.id}:${ep.id}`;
    let ch = this.channels.get(key);
    if (ch === undefined) {
      ch = new XenChannel(this.xen, client.domid, ep.pd.domid, this.slots);
      this.channels.set(key, ch);
    }
    return ch;
  }

  private signalChannel(sender: PdRec, o: Obj & { kind: "signal" }, key: string): void {
    this.signalChannels.set(key, { ch: new XenChannel(this.xen, o.pd.domid, sender.domid, this.slots), obj: o });
  }

  private cpuOf(r: PdRec): number {
    return this.xen.vcpu(r.domid, 0)?.processor ?? 0;
  }

  private marshal(r: PdRec, n: number): number {
    return this.m.charge(this.cpuOf(r), "utcb_word_copy", "genode", "marshal", r.pd.label, undefined, n);
  }

  /** Caps in a message, as the receiver names them (core translates; a first one sets up a channel). */
  private translate(sels: readonly number[], from: KernelPd, to: KernelPd): Capability[] {
    const out: Capability[] = [];
    for (const sel of sels) {
      const d = this.delegate({ pd: from, sel }, to);
      if (d.ok) out.push(d.value);
    }
    return out;
  }

  call(cap: Capability, request: Msgbuf): Result<Msgbuf, KernelError> {
    const o = this.caps.get(`${cap.pd.id}:${cap.sel}`);
    const client = this.rec(cap.pd);
    if (o === undefined || o.kind !== "rpc" || o.dead || client.dead || o.ep.pd.dead) return err("INVALID_OBJECT");
    if (request.caps.length > MAX_CAPS_PER_MSG) return err("TOO_MANY_CAPS");
    const server = o.ep.pd;
    const t0 = this.m.trace.total;
    let genode = 0;
    let reply: Msgbuf;
    if (server === client) {
      // a call to an object of the own PD: no kernel on the path
      genode += this.marshal(client, request.words.length + request.caps.length);
      reply = o.dispatch(o.badge, request);
      genode += this.m.charge(this.cpuOf(server), "cache_l1", "genode", "rpc-dispatch", server.pd.label);
    } else {
      const ch = this.rpcChannel(client, o.ep);
      genode += this.marshal(client, ch.write(request.words, request.caps.map((c) => c.sel)));
      ch.notify("owner");
      ch.take("peer");
      const req = ch.read();
      genode += this.marshal(server, req.n);
      const inCaps = this.translate(req.caps, cap.pd, server.pd);
      reply = o.dispatch(o.badge, { words: req.words, caps: inCaps });
      genode += this.m.charge(this.cpuOf(server), "cache_l1", "genode", "rpc-dispatch", server.pd.label);
      genode += this.marshal(server, ch.write(reply.words, reply.caps.map((c) => c.sel)));
      ch.notify("peer");
      ch.take("owner");
      const rep = ch.read();
      genode += this.marshal(client, rep.n);
      reply = { words: rep.words, caps: this.translate(rep.caps, server.pd, cap.pd) };
    }
    this.lastTotal = cyclesSince(this.m, t0);
    this.lastGenode = genode;
    return ok(reply);
  }

  /** How many records core's side of base-xen keeps, per table: constant across a child's life and death. */
  records(): Record<"pds" | "eps" | "caps" | "channels" | "signalChannels", number> {
    return { pds: this.pds.size, eps: this.eps.size, caps: this.caps.size, channels: this.channels.size, signalChannels: this.signalChannels.size };
  }

  lastCallCost(): CostBreakdown {
    return { total: this.lastTotal, layers: { genode: this.lastGenode, xen: this.lastTotal - this.lastGenode } };
  }

  createSignalContext(pd: KernelPd, handler: (count: number) => void): Result<Capability, KernelError> {
    const r = this.rec(pd);
    if (r.dead) return err("DESTROYED");
    const sel = this.nextSel++;
    // core holds the context's first name, as core's signal broker does (signal_broker.h)
    this.caps.set(`0:${sel}`, { kind: "signal", pd: r, handler, pending: 0, dead: false });
    return ok({ pd: this.corePd, sel });
  }

  /** Signal_transmitter::submit: EVTCHNOP_send on the sender's bound port; the upcall runs as a machine event. */
  submit(cap: Capability): Result<void, KernelError> {
    const key = `${cap.pd.id}:${cap.sel}`;
    let b = this.signalChannels.get(key);
    const o = this.caps.get(key);
    if (o === undefined || o.kind !== "signal" || o.dead) return err("INVALID_OBJECT");
    if (b === undefined) {
      // core's own name: core binds on first use
      this.signalChannel(this.rec(cap.pd), o, key);
      b = this.signalChannels.get(key)!;
    }
    if (b.ch.notify("peer") < 0) return err("INVALID_OBJECT");
    o.pending++;
    if (o.pending === 1) this.m.after(this.cpuOf(o.pd), 0, SIGNAL_EVENT, { key });
    return ok(undefined);
  }

  private deliverSignal(key: string): void {
    const b = this.signalChannels.get(key);
    if (b === undefined) return;
    const o = b.obj;
    const n = o.pending;
    o.pending = 0;
    if (n === 0 || o.dead) return;
    b.ch.take("owner");
    o.handler(n);
  }

  /** Attach: `from` grants each page, `to` maps it (GNTTABOP_map_grant_ref, one hypercall per page). */
  mapDataspace(from: KernelPd, to: KernelPd, page: number, pages: number, writable: boolean): Result<void, KernelError> {
    const src = this.rec(from);
    const dst = this.rec(to);
    if (src.dead || dst.dead) return err("DESTROYED");
    const ram = src.endGfn - (src.domid === 0 ? CORE_FIRST_GFN : 0);
    for (let i = 0; i < pages; i++) {
      const gfn = (src.domid === 0 ? CORE_FIRST_GFN : 0) + ((page + i) % ram);
      const ref = this.slots.allocRef(src.domid);
      this.xen.guest(src.domid).grantTable.grantAccess(ref, dst.domid, gfn, !writable);
      if (this.hc.map(dst.domid, src.domid, ref, this.slots.allocMapGfn(dst.domid), !writable) < 0) return err("INVALID_OBJECT");
    }
    return ok(undefined);
  }
}

/** Cycles of the trace records added since the trace held `total0` records in all. */
export function cyclesSince(m: Machine, total0: number): number {
  const t = m.trace;
  const n = t.total - total0;
  invariant(n <= t.size, "base-xen: trace wrapped during one operation");
  let sum = 0;
  for (let k = t.size - n; k < t.size; k++) sum += t.at(k).cycles;
  return sum;
}
