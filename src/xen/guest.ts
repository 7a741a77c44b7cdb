/**
 * What a domain's kernel sees and writes itself, without a hypercall: its memory by gfn (own RAM
 * and pages mapped into it through grants), its shared_info and vcpu_info, its grant-table entries
 * (written directly, in the publish order the header prescribes) and its FIFO queues. A cell acting
 * as the guest kernel uses this; Xen reads the same bytes.
 * Sources: xen/include/public/xen.h (shared_info, vcpu_info comments), grant_table.h (publish and
 * revoke protocol), event_channel.h (FIFO) at c447b7308b13; Linux drivers/xen/events/ for the
 * upcall handler's order of operations.
 */
import { UsageError } from "../machine/index.js";
import { EvtchnFifo as F } from "./abi/evtchn.js";
import { GTF_permit_access, GTF_reading, GTF_readonly, GTF_sub_page, GTF_transitive, GTF_writing } from "./abi/gnttab.js";
import { SharedInfoLayout as L } from "./abi/xen.js";
import * as twoLevel from "./evtchn-2l.js";
import { controlBlock, FIFO_BITS } from "./evtchn-fifo.js";
import { nrEntries, readEntry, statusFlags, writeEntry, type GrantEntry } from "./gnttab-entry.js";
import type { Hv } from "./hv.js";
import type { DomainState, DomId } from "./state.js";

export class XenGuest {
  constructor(private readonly hv: Hv, readonly domid: DomId) {}

  private get d(): DomainState {
    const d = this.hv.domain(this.domid);
    if (d === undefined) throw new UsageError("no-domain", `domain ${this.domid} no longer exists`);
    return d;
  }

  /** The machine frame behind a gfn and whether the guest may write it; throws for an empty gfn. */
  private resolve(gfn: number): [number, boolean] {
    const own = this.d.p2m.get(gfn);
    if (own !== undefined) return [own, true];
    const foreign = this.d.foreign.get(gfn);
    if (foreign !== undefined) return [Math.floor(foreign / 2), foreign % 2 === 0];
    throw new UsageError("gfn-not-populated", `gfn ${gfn} of dom${this.domid} holds no page`, "populate it (XENMEM_populate_physmap) or map a grant there");
  }

  /** The guest's memory by gfn: its own RAM, and foreign pages mapped into it (read-only ones refuse writes, as the MMU would). */
  get memory(): { read(gfn: number, offset: number, length: number): Uint8Array; write(gfn: number, offset: number, bytes: Uint8Array | number[]): void; frame(gfn: number): number } {
    return {
      read: (gfn, offset, length) => this.hv.read(this.resolve(gfn)[0], offset, length),
      write: (gfn, offset, bytes) => {
        const [frame, writable] = this.resolve(gfn);
        if (!writable) throw new UsageError("read-only-mapping", `gfn ${gfn} of dom${this.domid} is a read-only grant mapping`, "a guest write there would fault");
        this.hv.write(frame, offset, bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
      },
      frame: (gfn) => this.resolve(gfn)[0],
    };
  }

  /** shared_info and the vcpu_info array, as the guest reads and writes them. */
  get sharedInfo(): SharedInfoView {
    return new SharedInfoView(this.hv.page(this.d.sharedInfoFrame));
  }

  get grantTable(): GrantTableView {
    return new GrantTableView(this.hv, this.d);
  }

  /**
   * FIFO upcall handler (Linux evtchn_fifo_handle_events): for each READY queue, highest priority
   * first, walk from HEAD along the LINK fields, clear LINKED, and for each event that is pending
   * and unmasked clear PENDING and report it. Clears evtchn_upcall_pending first.
   */
  fifoHandleEvents(vcpu = 0): number[] {
    const d = this.d;
    const cb = controlBlock(this.hv, d, vcpu);
    if (cb === undefined) throw new UsageError("no-fifo", `vCPU ${vcpu} of dom${this.domid} has no FIFO control block`, "call EVTCHNOP_init_control first");
    this.sharedInfo.vcpu(vcpu).upcallPending = 0;
    const [page, base] = cb;
    const out: number[] = [];
    for (let q = 0; q < F.EVTCHN_FIFO_MAX_QUEUES; q++) {
      if ((page[base]! & (1 << q)) === 0) continue;
      let port = page[base + 2 + q]!;
      while (port !== 0) {
        const frame = d.evtchn.fifo!.arrayFrames[Math.floor(port / F.EVTCHN_FIFO_EVENT_WORDS_PER_PAGE)]!;
        const words = this.hv.page(frame);
        const i = port % F.EVTCHN_FIFO_EVENT_WORDS_PER_PAGE;
        const w = words[i]!;
        const next = w & FIFO_BITS.LINK_MASK;
        words[i] = w & ~(FIFO_BITS.LINKED | FIFO_BITS.LINK_MASK);
        if ((w & FIFO_BITS.PENDING) !== 0 && (w & FIFO_BITS.MASKED) === 0) {
          words[i] = words[i]! & ~FIFO_BITS.PENDING;
          out.push(port);
        }
        port = next;
      }
      page[base + 2 + q] = 0;
      page[base] = page[base]! & ~(1 << q);
    }
    return out;
  }
}

const PENDING_W = L.evtchn_pending / 4;
const MASK_W = L.evtchn_mask / 4;

export class VcpuInfoView {
  constructor(private readonly si: Uint32Array, private readonly vcpu: number) {}
  get upcallPending(): number {
    return this.si[this.vcpu * 16]! & 0xff;
  }
  set upcallPending(v: number) {
    const w = this.vcpu * 16;
    this.si[w] = (this.si[w]! & ~0xff) | (v & 0xff);
  }
  get upcallMask(): number {
    return (this.si[this.vcpu * 16]! >>> 8) & 0xff;
  }
  set upcallMask(v: number) {
    twoLevel.setUpcallMask(this.si, this.vcpu, v !== 0);
  }
  /** evtchn_pending_sel as a 64-bit value. */
  get pendingSel(): bigint {
    const w = this.vcpu * 16 + L.evtchn_pending_sel / 4;
    return BigInt(this.si[w]!) | (BigInt(this.si[w + 1]!) << 32n);
  }
  /** xchg(&evtchn_pending_sel, 0): what the upcall handler does first. */
  takePendingSel(): bigint {
    const sel = this.pendingSel;
    const w = this.vcpu * 16 + L.evtchn_pending_sel / 4;
    this.si[w] = 0;
    this.si[w + 1] = 0;
    return sel;
  }
}

export class SharedInfoView {
  constructor(private readonly si: Uint32Array) {}
  vcpu(v: number): VcpuInfoView {
    return new VcpuInfoView(this.si, v);
  }
  pending(port: number): boolean {
    return twoLevel.twoLevelPending(this.si, port);
  }
  masked(port: number): boolean {
    return twoLevel.twoLevelMasked(this.si, port);
  }
  clearPending(port: number): void {
    twoLevel.clearPending(this.si, port);
  }
  mask(port: number): void {
    twoLevel.setMask(this.si, port);
  }
  /** Clearing the mask bit by hand does not redeliver: a guest calls EVTCHNOP_unmask (or re-checks pending) for that. */
  unmaskBit(port: number): void {
    twoLevel.testAndClearMask(this.si, port);
  }
  /** The page's bytes (3136 used), little-endian as the guest sees them. */
  bytes(): Uint8Array {
    return new Uint8Array(this.si.buffer, this.si.byteOffset, L.size).slice();
  }
  /**
   * After a kernel handled some ports one by one: the selector bits and upcall_pending as they stand
   * once the upcall handler returns — set exactly for the words that still hold a pending, unmasked
   * port (ports left for someone else), clear otherwise, so the next send notifies the vCPU afresh.
   */
  settleSelector(vcpu = 0): void {
    const si = this.si;
    const base = vcpu * 16;
    const selW = base + L.evtchn_pending_sel / 4;
    const sel = [0, 0];
    for (let word = 0; word < 64; word++) {
      const i = word * 2;
      if (((si[PENDING_W + i]! & ~si[MASK_W + i]!) | (si[PENDING_W + i + 1]! & ~si[MASK_W + i + 1]!)) !== 0) sel[word >> 5]! |= 1 << (word & 31);
    }
    si[selW] = sel[0]! >>> 0;
    si[selW + 1] = sel[1]! >>> 0;
    si[base] = (si[base]! & ~0xff) | (sel[0] !== 0 || sel[1] !== 0 ? 1 : 0);
  }

  /**
   * The 2-level upcall handler (Linux xen_evtchn_do_upcall order): clear upcall_pending, take the
   * selector, and for each selected word handle pending & ~mask, clearing each pending bit.
   */
  handleUpcall(vcpu = 0): number[] {
    const si = this.si;
    const base = vcpu * 16;
    si[base] = si[base]! & ~0xff;
    const selW = base + L.evtchn_pending_sel / 4;
    const out: number[] = [];
    for (let half = 0; half < 2; half++) {
      let sel = si[selW + half]!;
      si[selW + half] = 0;
      while (sel !== 0) {
        const bit = 31 - Math.clz32(sel & -sel);
        sel &= sel - 1;
        const word = half * 32 + bit; // 64-bit bitmap word = two u32 words
        for (let i = word * 2; i < word * 2 + 2; i++) {
          let bits = (si[PENDING_W + i]! & ~si[MASK_W + i]!) >>> 0;
          while (bits !== 0) {
            const b = 31 - Math.clz32(bits & -bits);
            bits &= bits - 1;
            si[PENDING_W + i] = si[PENDING_W + i]! & ~(1 << b);
            out.push(i * 32 + b);
          }
        }
      }
    }
    return out;
  }
}

export class GrantTableView {
  constructor(private readonly hv: Hv, private readonly d: DomainState) {}
  get version(): 1 | 2 {
    return this.d.gnttab.version;
  }
  get nrEntries(): number {
    return nrEntries(this.d.gnttab);
  }
  private check(ref: number): void {
    if (!Number.isInteger(ref) || ref < 0 || ref >= this.nrEntries) throw new UsageError("bad-ref", `grant ref ${ref} is outside dom${this.d.domid}'s table (0..${this.nrEntries - 1})`, "grow the table with GNTTABOP_setup_table");
  }
  entry(ref: number): GrantEntry {
    this.check(ref);
    return readEntry(this.hv, this.d.gnttab, ref);
  }
  /** GTF_reading | GTF_writing as Xen keeps them (entry flags in v1, status array in v2). */
  status(ref: number): number {
    this.check(ref);
    return statusFlags(this.hv, this.d.gnttab, ref);
  }
  /** Publish a full-page grant: domid and frame first, then (after a write barrier) the flags. */
  grantAccess(ref: number, domid: DomId, gfn: number, readonly = false): void {
    this.check(ref);
    writeEntry(this.hv, this.d.gnttab, ref, { domid, frame: gfn, flags: GTF_permit_access | (readonly ? GTF_readonly : 0) });
  }
  /** v2: a copy-only grant of [pageOff, pageOff+length) of a page. */
  grantSubPage(ref: number, domid: DomId, gfn: number, pageOff: number, length: number, readonly = false): void {
    this.requireV2("sub-page");
    writeEntry(this.hv, this.d.gnttab, ref, { domid, frame: gfn, page_off: pageOff, length, flags: GTF_permit_access | GTF_sub_page | (readonly ? GTF_readonly : 0) });
  }
  /** v2: pass on access to `gref` of `transDomid` (which must grant it to this domain) to `domid`; copy only. */
  grantTransitive(ref: number, domid: DomId, transDomid: DomId, gref: number): void {
    this.requireV2("transitive");
    writeEntry(this.hv, this.d.gnttab, ref, { domid, trans_domid: transDomid, gref, flags: GTF_transitive });
  }
  /**
   * End access: cmpxchg(flags → 0) succeeds only while neither GTF_reading nor GTF_writing is set.
   * Returns false if the grant is in use (the granter cannot revoke it, as the header says).
   */
  endAccess(ref: number): boolean {
    this.check(ref);
    if ((statusFlags(this.hv, this.d.gnttab, ref) & (GTF_reading | GTF_writing)) !== 0) return false;
    writeEntry(this.hv, this.d.gnttab, ref, {});
    return true;
  }
  private requireV2(what: string): void {
    if (this.d.gnttab.version !== 2) throw new UsageError("needs-v2", `${what} grants need grant table v2`, "switch with GNTTABOP_set_version { version: 2 }");
  }
}
