/**
 * Inter-domain channel: one granted page shared by two Xen domains plus one interdomain event
 * channel — the transport base-xen uses for an RPC connection (DESIGN.md: "PD = domain, RPC =
 * event channel + granted shared page") and the scenarios use for a vchan-like link between two
 * DomUs. Set-up is what a PV kernel does (Linux drivers/xen/xenbus/xenbus_client.c
 * xenbus_grant_ring / xenbus_map_ring_valloc / xenbus_alloc_evtchn, libxenvchan's init): the
 * owner writes a grant entry (GTF_permit_access, no hypercall), the peer maps it with
 * GNTTABOP_map_grant_ref, the owner allocates an unbound port for the peer and the peer binds it
 * with EVTCHNOP_bind_interdomain. Every hypercall goes through the Xen model and pays what it
 * charges there; nothing here charges a Xen cost itself.
 * Sources: xen/include/public/grant_table.h, event_channel.h @c447b7308b13 (reference/xen.md §2–§3).
 */
import { invariant } from "../../machine/index.js";
import type { Xen } from "../../xen/index.js";
import { Hcall } from "../../xen/toolstack/hcall.js";

/** Which end of the channel: "owner" granted the page, "peer" mapped it. */
export type ChannelEnd = "owner" | "peer";

/** Per-domain allocation of gfns and grant refs for base-xen, kept clear of a PV kernel's own. */
export interface DomainSlots {
  /** A free gfn of the domain's RAM for a page it will grant. */
  allocGfn(domid: number): number;
  /** A free grant reference in the domain's table. */
  allocRef(domid: number): number;
  /** A free gfn above RAM where the domain maps a foreign page. */
  allocMapGfn(domid: number): number;
}

const BYTES_PER_WORD = 8;
/** Header: word count, capability count. */
const HEADER_WORDS = 2;

export class XenChannel {
  readonly ownerGfn: number;
  readonly peerGfn: number;
  readonly ref: number;
  readonly handle: number;
  readonly ownerPort: number;
  readonly peerPort: number;
  private readonly page: DataView;
  private readonly hc: Hcall;

  constructor(private readonly xen: Xen, readonly owner: number, readonly peer: number, slots: DomainSlots) {
    this.hc = new Hcall(xen);
    this.ownerGfn = slots.allocGfn(owner);
    this.ref = slots.allocRef(owner);
    xen.guest(owner).grantTable.grantAccess(this.ref, peer, this.ownerGfn, false);
    this.peerGfn = slots.allocMapGfn(peer);
    this.handle = this.hc.map(peer, owner, this.ref, this.peerGfn, false);
    invariant(this.handle >= 0, `base-xen: dom${peer} could not map dom${owner}'s grant ${this.ref} (GNTST ${this.handle})`);
    this.ownerPort = owner === peer ? this.hc.allocUnbound(owner, owner) : this.hc.allocUnbound(owner, peer);
    invariant(this.ownerPort > 0, `base-xen: EVTCHNOP_alloc_unbound for dom${owner} failed (${this.ownerPort})`);
    this.peerPort = this.hc.bindInterdomain(peer, owner, this.ownerPort);
    invariant(this.peerPort > 0, `base-xen: EVTCHNOP_bind_interdomain by dom${peer} failed (${this.peerPort})`);
    // bind_interdomain sets the new port pending (covers sends lost while unbound): consume it
    xen.guest(peer).sharedInfo.clearPending(this.peerPort);
    const bytes = xen.m.memory.view(xen.guest(owner).memory.frame(this.ownerGfn));
    this.page = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private domOf(end: ChannelEnd): number {
    return end === "owner" ? this.owner : this.peer;
  }
  private portOf(end: ChannelEnd): number {
    return end === "owner" ? this.ownerPort : this.peerPort;
  }

  /**
   * Write a message into the shared page as `end` (both ends see the same frame): header, then the
   * words as IEEE doubles (exact for Genode's words here, which are JavaScript numbers), then the
   * capability selectors. Returns the number of 8-byte words written, for the marshalling charge.
   */
  write(words: readonly number[], caps: readonly number[]): number {
    const n = HEADER_WORDS + words.length + caps.length;
    invariant(n * BYTES_PER_WORD <= this.page.byteLength, "base-xen: message larger than the shared page");
    this.page.setFloat64(0, words.length, true);
    this.page.setFloat64(8, caps.length, true);
    let off = HEADER_WORDS * BYTES_PER_WORD;
    for (const w of words) { this.page.setFloat64(off, w, true); off += BYTES_PER_WORD; }
    for (const c of caps) { this.page.setFloat64(off, c, true); off += BYTES_PER_WORD; }
    return n;
  }

  /** Read the message in the shared page: words and capability selectors. */
  read(): { words: number[]; caps: number[]; n: number } {
    const nw = this.page.getFloat64(0, true);
    const nc = this.page.getFloat64(8, true);
    const words: number[] = new Array<number>(nw);
    let off = HEADER_WORDS * BYTES_PER_WORD;
    for (let i = 0; i < nw; i++) { words[i] = this.page.getFloat64(off, true); off += BYTES_PER_WORD; }
    const caps: number[] = new Array<number>(nc);
    for (let i = 0; i < nc; i++) { caps[i] = this.page.getFloat64(off, true); off += BYTES_PER_WORD; }
    return { words, caps, n: HEADER_WORDS + nw + nc };
  }

  /** The bytes of the shared page (for a raw payload, as a vchan ring would carry it). */
  get bytes(): Uint8Array {
    return new Uint8Array(this.page.buffer, this.page.byteOffset, this.page.byteLength);
  }

  /** EVTCHNOP_send from `end` to the other end; returns Xen's rc. */
  notify(end: ChannelEnd): number {
    return this.hc.send(this.domOf(end), this.portOf(end));
  }

  /**
   * The upcall at `end`: its port must be pending (the other end's send set it). As the guest's
   * 2-level upcall handler does (Linux xen_evtchn_do_upcall; writes to its shared_info, no
   * hypercall): clear evtchn_upcall_pending, take evtchn_pending_sel, clear the port's pending
   * bit — so that the next send raises an upcall again. Other ports' pending bits stay as they are.
   */
  take(end: ChannelEnd): void {
    const si = this.xen.guest(this.domOf(end)).sharedInfo;
    invariant(si.pending(this.portOf(end)), `base-xen: dom${this.domOf(end)} woke without its port ${this.portOf(end)} pending`);
    const v = si.vcpu(0);
    v.upcallPending = 0;
    v.takePendingSel();
    si.clearPending(this.portOf(end));
  }
}
