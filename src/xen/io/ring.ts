/**
 * Shared producer-consumer ring (io/ring.h): one 4 KiB page shared by a front end (pushes
 * requests, takes responses) and a back end (takes requests, pushes responses).
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/ring.h (reference/xen.md §5.3).
 *
 * Shared page (`struct __name##_sring`), offsets measured with gcc on x86-64:
 *   req_prod u32 @0, req_event u32 @4, rsp_prod u32 @8, rsp_event u32 @12, pvt[4] @16, __pad[44] @20,
 *   ring[] @64 — each slot the union of one request and one response.
 * Indices are free-running u32 (RING_IDX); index i lives in slot `i & (RING_SIZE - 1)`.
 * The emulator runs one side at a time, so the macros' xen_wmb()/xen_mb() have nothing to order;
 * what they separate is kept as separate steps (publish, then read the peer's event index).
 */

/**
 * A C struct's byte image, x86-64 little-endian. `encode` writes all `size` bytes (padding as 0,
 * so images are deterministic); `decode` reads a copy the caller owns.
 */
export interface StructCodec<T> {
  readonly size: number;
  encode(value: T, into: Uint8Array): void;
  decode(from: Uint8Array): T;
}

/** A little-endian DataView over exactly `size` bytes of `bytes`, or an Error naming the struct. */
export function structView(bytes: Uint8Array, size: number, what: string): DataView {
  if (bytes.byteLength < size) throw new Error(`${what}: needs ${size} bytes, got ${bytes.byteLength}`);
  return new DataView(bytes.buffer, bytes.byteOffset, size);
}

export const SRING_req_prod = 0;
export const SRING_req_event = 4;
export const SRING_rsp_prod = 8;
export const SRING_rsp_event = 12;
export const SRING_pvt = 16;
/** offsetof(struct __name##_sring, ring). */
export const SRING_ring = 64;

/** A request and a response codec that share a ring slot. */
export interface RingProtocol<Req, Rsp> {
  readonly name: string;
  readonly request: StructCodec<Req>;
  readonly response: StructCodec<Rsp>;
}

const u32 = (x: number): number => x >>> 0;

/** __RD32: round a 32-bit unsigned value down to a power of two (0 stays 0). */
export function roundDownPow2(x: number): number {
  x = u32(x);
  return x === 0 ? 0 : 2 ** (31 - Math.clz32(x));
}

/** __CONST_RING_SIZE: slots that fit after the 64-byte header, rounded down to a power of two. */
export function ringSizeFor(pageBytes: number, slotBytes: number): number {
  if (!(slotBytes > 0) || pageBytes < SRING_ring + slotBytes) {
    throw new Error(`ringSizeFor: a ${pageBytes}-byte area holds no ${slotBytes}-byte slot after the 64-byte header`);
  }
  return roundDownPow2(Math.floor((pageBytes - SRING_ring) / slotBytes));
}

export function slotSizeOf<Req, Rsp>(p: RingProtocol<Req, Rsp>): number {
  return Math.max(p.request.size, p.response.size);
}

/** The shared page as both ends see it: only these fields are shared. */
export class SharedRing {
  private readonly view: DataView;
  readonly nrEnts: number;
  readonly slotBytes: number;

  constructor(readonly page: Uint8Array, slotBytes: number) {
    this.view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    this.slotBytes = slotBytes;
    this.nrEnts = ringSizeFor(page.byteLength, slotBytes);
  }

  get reqProd(): number { return this.view.getUint32(SRING_req_prod, true); }
  set reqProd(v: number) { this.view.setUint32(SRING_req_prod, u32(v), true); }
  get reqEvent(): number { return this.view.getUint32(SRING_req_event, true); }
  set reqEvent(v: number) { this.view.setUint32(SRING_req_event, u32(v), true); }
  get rspProd(): number { return this.view.getUint32(SRING_rsp_prod, true); }
  set rspProd(v: number) { this.view.setUint32(SRING_rsp_prod, u32(v), true); }
  get rspEvent(): number { return this.view.getUint32(SRING_rsp_event, true); }
  set rspEvent(v: number) { this.view.setUint32(SRING_rsp_event, u32(v), true); }

  /** The bytes of the slot that index `idx` maps to (a live view into the page). */
  slot(idx: number): Uint8Array {
    const off = SRING_ring + (u32(idx) & (this.nrEnts - 1)) * this.slotBytes;
    return this.page.subarray(off, off + this.slotBytes);
  }

  /** SHARED_RING_INIT: producers 0, event indices 1, pvt and pad cleared. Only the front end does this. */
  init(): void {
    this.reqProd = 0;
    this.rspProd = 0;
    this.reqEvent = 1;
    this.rspEvent = 1;
    this.page.fill(0, SRING_pvt, SRING_ring);
  }
}

/** Why a consumer stopped trusting its peer's producer index. */
export type RingCheck =
  | { ok: true; available: number }
  | { ok: false; error: "RING_RESPONSE_PROD_OVERFLOW" | "RING_REQUEST_PROD_OVERFLOW"; prod: number };

/** The notify rule shared by both PUSH_…_AND_CHECK_NOTIFY macros: the event index is in (old, new]. */
export function needsNotify(oldProd: number, newProd: number, event: number): boolean {
  return u32(newProd - event) < u32(newProd - oldProd);
}

/** Front end: `struct __name##_front_ring` (req_prod_pvt, rsp_cons) plus the shared page. */
export class FrontRing<Req, Rsp> {
  readonly sring: SharedRing;
  reqProdPvt: number;
  rspCons: number;

  /**
   * XEN_FRONT_RING_INIT when `start` is omitted (initialises the shared page); otherwise
   * FRONT_RING_ATTACH at index `start`, leaving the shared page as it is (reconnect after resume).
   */
  constructor(page: Uint8Array, readonly protocol: RingProtocol<Req, Rsp>, start?: number) {
    this.sring = new SharedRing(page, slotSizeOf(protocol));
    if (start === undefined) this.sring.init();
    this.reqProdPvt = u32(start ?? 0);
    this.rspCons = u32(start ?? 0);
  }

  get size(): number { return this.sring.nrEnts; }
  /** RING_FREE_REQUESTS. */
  freeRequests(): number { return u32(this.size - u32(this.reqProdPvt - this.rspCons)); }
  /** RING_FULL. */
  full(): boolean { return this.freeRequests() === 0; }

  /** Write a request into the next private slot (RING_GET_REQUEST(req_prod_pvt++)); not yet visible. */
  produceRequest(req: Req): number {
    return this.produce((slot) => this.protocol.request.encode(req, slot));
  }

  /** The same with a raw request image (another struct sharing the slot, or a test's bytes). */
  produceRequestBytes(bytes: Uint8Array): number {
    if (bytes.byteLength > this.sring.slotBytes) throw new Error(`${this.protocol.name} front ring: ${bytes.byteLength}-byte request in a ${this.sring.slotBytes}-byte slot`);
    return this.produce((slot) => slot.set(bytes));
  }

  private produce(write: (slot: Uint8Array) => void): number {
    if (this.full()) throw new Error(`${this.protocol.name} front ring: produceRequest on a full ring (RING_FULL); take responses first`);
    const idx = this.reqProdPvt;
    write(this.sring.slot(idx));
    this.reqProdPvt = u32(idx + 1);
    return idx;
  }

  /** RING_PUSH_REQUESTS: publish req_prod_pvt. */
  pushRequests(): void { this.sring.reqProd = this.reqProdPvt; }

  /** RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: publish, then true iff the back end asked to be woken. */
  pushRequestsAndCheckNotify(): boolean {
    const old = this.sring.reqProd;
    const now = this.reqProdPvt;
    this.sring.reqProd = now;
    return needsNotify(old, now, this.sring.reqEvent);
  }

  /** XEN_RING_NR_UNCONSUMED_RESPONSES: trusts rsp_prod; use checkResponses against a hostile back end. */
  unconsumedResponses(): number { return u32(this.sring.rspProd - this.rspCons); }

  /** Read rsp_prod once and refuse it if RING_RESPONSE_PROD_OVERFLOW (more responses than slots). */
  checkResponses(): RingCheck {
    const prod = this.sring.rspProd;
    if (u32(prod - this.rspCons) > this.size) return { ok: false, error: "RING_RESPONSE_PROD_OVERFLOW", prod };
    return { ok: true, available: u32(prod - this.rspCons) };
  }

  /** RING_COPY_RESPONSE(rsp_cons++): decode from the slot once, so the peer cannot change it under us. */
  consumeResponse(): Rsp {
    if (this.unconsumedResponses() === 0) throw new Error(`${this.protocol.name} front ring: consumeResponse with none published (rsp_cons == rsp_prod)`);
    const rsp = this.protocol.response.decode(this.sring.slot(this.rspCons).slice());
    this.rspCons = u32(this.rspCons + 1);
    return rsp;
  }

  /** RING_FINAL_CHECK_FOR_RESPONSES: if idle, ask for an event on the next response, then look again. */
  finalCheckForResponses(): boolean {
    if (this.unconsumedResponses() !== 0) return true;
    this.sring.rspEvent = u32(this.rspCons + 1);
    return this.unconsumedResponses() !== 0;
  }

  /** RING_RESPONSE_PROD_OVERFLOW(prod). */
  responseProdOverflow(prod: number): boolean { return u32(prod - this.rspCons) > this.size; }
}

/** Back end: `struct __name##_back_ring` (rsp_prod_pvt, req_cons) plus the shared page. */
export class BackRing<Req, Rsp> {
  readonly sring: SharedRing;
  rspProdPvt: number;
  reqCons: number;

  /** BACK_RING_INIT (start 0) or BACK_RING_ATTACH: never touches the shared page. */
  constructor(page: Uint8Array, readonly protocol: RingProtocol<Req, Rsp>, start = 0) {
    this.sring = new SharedRing(page, slotSizeOf(protocol));
    this.rspProdPvt = u32(start);
    this.reqCons = u32(start);
  }

  get size(): number { return this.sring.nrEnts; }

  /** XEN_RING_NR_UNCONSUMED_REQUESTS: the smaller of what was pushed and what room for responses allows. */
  unconsumedRequests(): number {
    const req = u32(this.sring.reqProd - this.reqCons);
    const rsp = u32(this.size - u32(this.reqCons - this.rspProdPvt));
    return req < rsp ? req : rsp;
  }

  /** Read req_prod once and refuse it if RING_REQUEST_PROD_OVERFLOW (more requests than slots). */
  checkRequests(): RingCheck {
    const prod = this.sring.reqProd;
    if (this.requestProdOverflow(prod)) return { ok: false, error: "RING_REQUEST_PROD_OVERFLOW", prod };
    return { ok: true, available: u32(prod - this.reqCons) };
  }

  /** RING_REQUEST_PROD_OVERFLOW(prod). */
  requestProdOverflow(prod: number): boolean { return u32(prod - this.rspProdPvt) > this.size; }
  /** RING_REQUEST_CONS_OVERFLOW(cons): consuming `cons` would overwrite an unanswered slot. */
  requestConsOverflow(cons: number): boolean { return u32(cons - this.rspProdPvt) >= this.size; }

  /** RING_COPY_REQUEST(req_cons++): one copy, then decode (the XSA-155 rule against double fetches). */
  consumeRequest(): Req {
    return this.protocol.request.decode(this.consumeRequestBytes());
  }

  /** RING_COPY_REQUEST(req_cons++) as the slot's bytes (a private copy). */
  consumeRequestBytes(): Uint8Array {
    if (this.unconsumedRequests() === 0) throw new Error(`${this.protocol.name} back ring: consumeRequest with none unconsumed (check unconsumedRequests first)`);
    const bytes = this.sring.slot(this.reqCons).slice();
    this.reqCons = u32(this.reqCons + 1);
    return bytes;
  }

  /** Write a response into the next private slot (RING_GET_RESPONSE(rsp_prod_pvt++)). */
  produceResponse(rsp: Rsp): number {
    if (this.rspProdPvt === this.reqCons) throw new Error(`${this.protocol.name} back ring: produceResponse with no request taken to answer (rsp_prod_pvt == req_cons)`);
    const idx = this.rspProdPvt;
    this.protocol.response.encode(rsp, this.sring.slot(idx));
    this.rspProdPvt = u32(idx + 1);
    return idx;
  }

  /** RING_PUSH_RESPONSES. */
  pushResponses(): void { this.sring.rspProd = this.rspProdPvt; }

  /** RING_PUSH_RESPONSES_AND_CHECK_NOTIFY. */
  pushResponsesAndCheckNotify(): boolean {
    const old = this.sring.rspProd;
    const now = this.rspProdPvt;
    this.sring.rspProd = now;
    return needsNotify(old, now, this.sring.rspEvent);
  }

  /** RING_FINAL_CHECK_FOR_REQUESTS: if idle, set req_event = req_cons + 1, then look again. */
  finalCheckForRequests(): boolean {
    if (this.unconsumedRequests() !== 0) return true;
    this.sring.reqEvent = u32(this.reqCons + 1);
    return this.unconsumedRequests() !== 0;
  }
}
