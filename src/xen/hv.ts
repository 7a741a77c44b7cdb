/**
 * The hypervisor's execution context: the machine, the Xen state, and what the hypercall now being
 * handled has charged so far. Handlers add the cost primitives their path executes to `parts`; the
 * dispatcher charges their sum as one trace record on the caller's physical CPU (STYLE §8: a
 * compound cost is the sum of its primitives). Work on another CPU (a cross-CPU upcall) is queued in
 * `remote` and charged there after the caller's record.
 */
import { UsageError, type ChargePart, type Machine, type Primitive } from "../machine/index.js";
import { PAGE_SIZE } from "../machine/index.js";
import { DOMID_SELF } from "./abi/xen.js";
import type { DomainState, DomId, Mfn, VcpuState, XenState } from "./state.js";

export interface RemoteCharge {
  cpu: number;
  primitive: Primitive;
  op: string;
  actor: string;
}

export class Hv {
  s: XenState;
  /** Cost primitives of the hypercall in progress. */
  parts: ChargePart[] = [];
  remote: RemoteCharge[] = [];
  /** Physical CPU of the calling vCPU (valid inside a hypercall). */
  cpu = 0;
  /** Trace name and arguments of the operation in progress. */
  op = "";
  opArgs: Record<string, unknown> | undefined;
  /** Inside a hypercall (costs accumulate) or not (costs are charged at once). */
  inCall = false;
  /** A domain whose grant mappings this hypercall removed: its TLBs are flushed once the call's record is charged. */
  flushSpace: DomainState | undefined;

  constructor(readonly m: Machine, s: XenState) {
    this.s = s;
  }

  /** A live domain by id, DOMID_SELF meaning `caller`; undefined for unknown or dead ones. */
  lookup(caller: DomainState, id: DomId): DomainState | undefined {
    if (id === DOMID_SELF) return caller;
    const d = this.s.domains.get(id);
    return d === undefined || d.dying === 2 ? undefined : d;
  }

  /** Add a primitive to the current operation, or charge it at once outside a hypercall. */
  add(primitive: Primitive, units = 1): void {
    if (this.inCall) this.parts.push(units === 1 ? primitive : [primitive, units]);
    else this.m.charge(this.cpu, primitive, "xen", primitive, "xen", undefined, units);
  }

  /**
   * Work on another physical CPU caused by the current operation (an upcall, a wake-up): inside a
   * hypercall it is charged there after the caller's record, starting no earlier than the caller's
   * clock; outside one, at once.
   */
  addOn(cpu: number, primitive: Primitive, op: string, actor: string): void {
    if (this.inCall && cpu === this.cpu) this.parts.push(primitive);
    else if (this.inCall) this.remote.push({ cpu, primitive, op, actor });
    else this.m.charge(cpu, primitive, "xen", op, actor);
  }

  // ---- Xen-mapped pages ---------------------------------------------------------------------

  page(frame: Mfn): Uint32Array {
    const p = this.s.pages.get(frame);
    if (p === undefined) throw new UsageError("not-xen-page", `frame ${frame} is not a page Xen has mapped`);
    return p;
  }

  /** Start mapping a frame for Xen: its bytes move from machine memory into XenState.pages. */
  mapPage(frame: Mfn): Uint32Array {
    const existing = this.s.pages.get(frame);
    if (existing !== undefined) return existing;
    const bytes = this.m.memory.read(frame, 0, PAGE_SIZE);
    const page = new Uint32Array(bytes.buffer, bytes.byteOffset, PAGE_SIZE / 4).slice();
    this.s.pages.set(frame, page);
    return page;
  }

  /** Stop mapping a frame: its bytes go back to machine memory (if the frame is still allocated). */
  unmapPage(frame: Mfn): void {
    const page = this.s.pages.get(frame);
    if (page === undefined) return;
    this.s.pages.delete(frame);
    if (this.m.memory.ownerOf(frame) !== undefined) this.m.memory.write(frame, 0, new Uint8Array(page.buffer, page.byteOffset, PAGE_SIZE));
  }

  /** Bytes of any frame, wherever they live. */
  read(frame: Mfn, offset: number, length: number): Uint8Array {
    const page = this.s.pages.get(frame);
    if (page === undefined) return this.m.memory.read(frame, offset, length);
    return new Uint8Array(page.buffer, page.byteOffset, PAGE_SIZE).slice(offset, offset + length);
  }

  write(frame: Mfn, offset: number, bytes: Uint8Array): void {
    const page = this.s.pages.get(frame);
    if (page === undefined) return this.m.memory.write(frame, offset, bytes);
    if (offset < 0 || offset + bytes.length > PAGE_SIZE) throw new UsageError("bad-range", `bytes ${offset}..${offset + bytes.length} are outside a 4 KiB frame`);
    new Uint8Array(page.buffer, page.byteOffset, PAGE_SIZE).set(bytes, offset);
  }

  /** Allocate and zero `count` Xen-heap pages for a domain (shared_info, grant frames). */
  allocXenPages(d: DomainState, count: number): Mfn[] | undefined {
    const frames = this.m.memory.tryAlloc(d.heapOwner, count);
    if (frames === undefined) return undefined;
    for (const f of frames) this.s.pages.set(f, new Uint32Array(PAGE_SIZE / 4));
    return frames;
  }

  freeXenPages(frames: readonly Mfn[]): void {
    for (const f of frames) this.s.pages.delete(f);
    this.m.memory.release(frames);
  }

  vcpu(d: DomainState, id: number): VcpuState | undefined {
    return Number.isInteger(id) && id >= 0 ? d.vcpus[id] : undefined;
  }
}
