/**
 * The hypervisor's execution context: the machine, the Xen state, and what the hypercall now being
 * handled has charged so far. Handlers add the cost primitives their path executes; the dispatcher
 * charges their sum as one trace record on the caller's physical CPU (STYLE §8: a compound cost is
 * the sum of its primitives). Work on another CPU (a cross-CPU upcall) is queued in `remote` and
 * charged there after the caller's record.
 * Hot-path caches derived from the state (rebuilt by load(), never saved): domains by domid, and a
 * live 32-bit view of every Xen-mapped frame's bytes in machine memory.
 */
import { UsageError, cyclesOf, type Machine, type Primitive, type Rate } from "../machine/index.js";
import { PAGE_SIZE } from "../machine/index.js";
import { DOMID_SELF } from "./abi/xen.js";
import { RemoteCharges } from "./remote-charges.js";
import type { DomainState, DomId, Mfn, VcpuState, XenState } from "./state.js";

/**
 * The rates of the primitives on the hottest paths, looked up once: the cost model keeps one Rate
 * object per primitive for its life and updates it in place on an override, so holding it is safe,
 * and a look-up by a name held in a variable is a slow keyed access on every call.
 */
export interface HotRates {
  xen_hvm_hypercall: Rate;
  xen_pv_hypercall: Rate;
  evtchn_send_local: Rate;
  evtchn_send_remote: Rate;
  vm_switch: Rate;
  page_map: Rate;
}

export class Hv {
  s: XenState;
  /**
   * The hypercall in progress: the sum of its cost primitives and their primitive mask — exactly
   * what m.chargeMany would compute from the list of parts, summed as they are added so that no
   * list is built per call.
   */
  cycles = 0;
  primsLo = 0;
  primsHi = 0;
  readonly remote = new RemoteCharges();
  /** Physical CPU of the calling vCPU (valid inside a hypercall). */
  cpu = 0;
  /** Trace name and arguments of the operation in progress. */
  op = "";
  opArgs: Record<string, unknown> | undefined;
  /** Inside a hypercall (costs accumulate) or not (costs are charged at once). */
  inCall = false;
  /** A domain whose grant mappings this hypercall removed: its TLBs are flushed once the call's record is charged. */
  flushSpace: DomainState | undefined;
  /** s.domains as an array indexed by domid (holes for free ids). */
  private byId: (DomainState | undefined)[] = [];
  /** Live views of Xen-mapped frames, indexed by frame number (holes for other frames). */
  private views: (Uint32Array | undefined)[] = [];

  readonly rates: HotRates;

  constructor(readonly m: Machine, s: XenState) {
    this.s = s;
    const r = (p: Primitive): Rate => m.costs.rate(p);
    this.rates = {
      xen_hvm_hypercall: r("xen_hvm_hypercall"), xen_pv_hypercall: r("xen_pv_hypercall"), evtchn_send_local: r("evtchn_send_local"),
      evtchn_send_remote: r("evtchn_send_remote"), vm_switch: r("vm_switch"), page_map: r("page_map"),
    };
  }

  /** Take over a restored state: rebuild the caches (machine memory has been restored first). */
  load(s: XenState): void {
    this.s = s;
    this.byId = [];
    this.views = [];
    for (const d of s.domains.values()) setSlot(this.byId, d.domid, d);
    for (const f of s.xenPages) setSlot(this.views, f, this.viewOf(f));
  }

  // ---- domains --------------------------------------------------------------------------------

  /** A domain by id (alive, dying or dead but not yet removed), or undefined. */
  domain(id: DomId): DomainState | undefined {
    return this.byId[id];
  }

  /** A live domain by id, DOMID_SELF meaning `caller`; undefined for unknown or dead ones. */
  lookup(caller: DomainState, id: DomId): DomainState | undefined {
    if (id === DOMID_SELF) return caller;
    const d = this.byId[id];
    return d === undefined || d.dying === 2 ? undefined : d;
  }

  addDomain(d: DomainState): void {
    this.s.domains.set(d.domid, d);
    setSlot(this.byId, d.domid, d);
  }

  removeDomain(d: DomainState): void {
    this.s.domains.delete(d.domid);
    this.byId[d.domid] = undefined;
  }

  // ---- charging -------------------------------------------------------------------------------

  /** Add a primitive to the current operation, or charge it at once outside a hypercall. */
  add(primitive: Primitive, units = 1): void {
    this.addRate(this.m.costs.rate(primitive), units);
  }

  /** The same with the Rate in hand (HotRates). */
  addRate(r: Rate, units = 1): void {
    if (!this.inCall) {
      this.m.chargeRate(this.cpu, r, "xen", r.name, "xen", undefined, units);
      return;
    }
    this.cycles += cyclesOf(r, units);
    this.primsLo |= r.lo;
    this.primsHi |= r.hi;
  }

  /**
   * Work on another physical CPU caused by the current operation (an upcall, a wake-up): inside a
   * hypercall it is charged there after the caller's record, starting no earlier than the caller's
   * clock; outside one, at once.
   */
  addOn(cpu: number, rate: Rate, op: string, actor: string): void {
    if (this.inCall && cpu === this.cpu) this.addRate(rate);
    else if (this.inCall) this.remote.push(cpu, rate, op, actor);
    else this.m.chargeRate(cpu, rate, "xen", op, actor);
  }

  // ---- Xen-mapped pages ---------------------------------------------------------------------
  // Their bytes stay in machine memory (m.memory.read sees what Xen and the guest wrote); Xen
  // touches them through live views taken when the frame is mapped.

  page(frame: Mfn): Uint32Array {
    const p = this.views[frame];
    if (p === undefined) throw new UsageError("not-xen-page", `frame ${frame} is not a page Xen has mapped`);
    return p;
  }

  isXenPage(frame: Mfn): boolean {
    return this.s.xenPages.has(frame);
  }

  /** Start mapping one of a guest's frames for Xen (FIFO control blocks and event arrays). */
  mapPage(frame: Mfn): Uint32Array {
    const existing = this.views[frame];
    if (existing !== undefined) return existing;
    const page = this.viewOf(frame);
    this.s.xenPages.add(frame);
    setSlot(this.views, frame, page);
    return page;
  }

  /** Stop mapping a frame; its bytes are the guest's RAM as they always were. */
  unmapPage(frame: Mfn): void {
    if (!this.s.xenPages.delete(frame)) return;
    this.views[frame] = undefined;
  }

  /** Bytes of any frame. */
  read(frame: Mfn, offset: number, length: number): Uint8Array {
    return this.m.memory.read(frame, offset, length);
  }

  write(frame: Mfn, offset: number, bytes: Uint8Array): void {
    this.m.memory.write(frame, offset, bytes);
  }

  /** Copy bytes between frames, with no buffer in between. */
  copy(src: Mfn, srcOffset: number, dst: Mfn, dstOffset: number, length: number): void {
    this.m.memory.copy(src, srcOffset, dst, dstOffset, length);
  }

  /** Allocate and zero `count` Xen-heap pages for a domain (shared_info, grant frames). */
  allocXenPages(d: DomainState, count: number): Mfn[] | undefined {
    const frames = this.m.memory.tryAlloc(d.heapOwner, count);
    if (frames === undefined) return undefined;
    for (const f of frames) this.mapPage(f);
    return frames;
  }

  freeXenPages(frames: readonly Mfn[]): void {
    for (const f of frames) this.unmapPage(f);
    this.m.memory.release(frames);
  }

  vcpu(d: DomainState, id: number): VcpuState | undefined {
    return Number.isInteger(id) && id >= 0 ? d.vcpus[id] : undefined;
  }

  private viewOf(frame: Mfn): Uint32Array {
    const bytes = this.m.memory.view(frame);
    return new Uint32Array(bytes.buffer, bytes.byteOffset, PAGE_SIZE / 4);
  }
}

/** a[i] = v, growing `a` with explicit holes so that it stays a fast (non-dictionary) array. */
function setSlot<T>(a: (T | undefined)[], i: number, v: T): void {
  while (a.length < i) a.push(undefined);
  a[i] = v;
}
