/**
 * The xenstore ring page (`struct xenstore_domain_interface`): two 1024-byte byte streams with
 * free-running u32 indexes, over any 4096-byte Uint8Array (a guest frame later). Both ends are
 * here: the server half as xenstored drives it (domain.c `readchn`/`writechn`, one contiguous
 * chunk per call, each followed by an event-channel kick) and a guest client.
 * Source: xen/include/public/io/xs_wire.h, docs/misc/xenstore-ring.txt @RELEASE-4.22.0 (ref. §4.2).
 */
import { XENSTORE_PAGE_SIZE, XENSTORE_RING_SIZE, XSD_SOCKMSG_SIZE, XsRingOffset } from "../abi/xs-wire.js";
import { decodeHeader } from "./wire.js";

type Field = keyof typeof XsRingOffset;

/**
 * The index fields are read and written as little-endian bytes of the page itself (the layout of
 * the x86 guest's struct), with offsets as numbers: no DataView per page to look up and no field
 * name built per access, since every ring message passes here several times.
 */
function checkPage(page: Uint8Array): void {
  if (page.length < XENSTORE_PAGE_SIZE) throw new Error(`xenstore ring page must be ${XENSTORE_PAGE_SIZE} bytes, got ${page.length}`);
}

function getU32At(page: Uint8Array, o: number): number {
  checkPage(page);
  return (page[o]! | (page[o + 1]! << 8) | (page[o + 2]! << 16) | (page[o + 3]! << 24)) >>> 0;
}

function setU32At(page: Uint8Array, o: number, v: number): void {
  checkPage(page);
  page[o] = v & 0xff;
  page[o + 1] = (v >>> 8) & 0xff;
  page[o + 2] = (v >>> 16) & 0xff;
  page[o + 3] = (v >>> 24) & 0xff;
}

export function getField(page: Uint8Array, f: Field): number {
  return getU32At(page, XsRingOffset[f]);
}

export function setField(page: Uint8Array, f: Field, v: number): void {
  setU32At(page, XsRingOffset[f], v >>> 0);
}

const mask = (i: number): number => i & (XENSTORE_RING_SIZE - 1);

/** Byte offsets of each ring's data, consumer and producer index. */
function offsets(ring: "req" | "rsp"): [data: number, cons: number, prod: number] {
  return ring === "req" ? REQ : RSP;
}
const REQ: [number, number, number] = [XsRingOffset.req, XsRingOffset.req_cons, XsRingOffset.req_prod];
const RSP: [number, number, number] = [XsRingOffset.rsp, XsRingOffset.rsp_cons, XsRingOffset.rsp_prod];

/** Bytes waiting in a ring, or -1 if the indexes are inconsistent (domain.c `check_indexes`). */
function used(cons: number, prod: number): number {
  const n = (prod - cons) >>> 0;
  return n <= XENSTORE_RING_SIZE ? n : -1;
}

/** Copy n bytes; short runs (most messages) byte by byte, which allocates no subarray view. */
function copy(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number): void {
  if (n > 64) {
    dst.set(src.subarray(srcOff, srcOff + n), dstOff);
    return;
  }
  for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
}

/**
 * Copy up to `len` bytes out of one ring into `dst` at `off`: at most one contiguous chunk
 * (`get_input_chunk`). Returns the count, or -1 for bad indexes (XENSTORE_ERROR_RINGIDX).
 */
export function consume(page: Uint8Array, ring: "req" | "rsp", dst: Uint8Array, off: number, len: number): number {
  const [data, consAt, prodAt] = offsets(ring);
  const cons = getU32At(page, consAt);
  const prod = getU32At(page, prodAt);
  const avail = used(cons, prod);
  if (avail < 0) return -1;
  const n = Math.min(len, avail, XENSTORE_RING_SIZE - mask(cons));
  copy(dst, off, page, data + mask(cons), n);
  setU32At(page, consAt, (cons + n) >>> 0);
  return n;
}

/** Copy up to `len` bytes of `src` from `off` into one ring: at most one chunk (`get_output_chunk`). */
export function produce(page: Uint8Array, ring: "req" | "rsp", src: Uint8Array, off: number, len: number): number {
  const [data, consAt, prodAt] = offsets(ring);
  const cons = getU32At(page, consAt);
  const prod = getU32At(page, prodAt);
  const inUse = used(cons, prod);
  if (inUse < 0) return -1;
  const n = Math.min(len, XENSTORE_RING_SIZE - mask(prod), XENSTORE_RING_SIZE - inUse);
  copy(page, data + mask(prod), src, off, n);
  setU32At(page, prodAt, (prod + n) >>> 0);
  return n;
}

export function pending(page: Uint8Array, ring: "req" | "rsp"): number {
  const [, consAt, prodAt] = offsets(ring);
  return used(getU32At(page, consAt), getU32At(page, prodAt));
}

/**
 * A guest's xenbus client on its ring page: queues whole messages into `req`, reassembles
 * replies and watch events from `rsp`, and kicks after every index update (as Linux's
 * xenbus_comms does). It pays for its own copies through `charge`.
 */
export class XenstoreRingClient {
  private readonly outQueue: Uint8Array[] = [];
  private outOff = 0;
  private inBuf = new Uint8Array(XSD_SOCKMSG_SIZE + 4096);
  private inUsed = 0;

  constructor(
    readonly page: Uint8Array,
    private readonly kick: () => void,
    private readonly charge: (bytes: number) => void = () => {},
  ) {
    checkPage(page);
  }

  /** Queue one encoded message and push as much as fits into the ring. */
  send(message: Uint8Array): void {
    this.outQueue.push(message);
    this.flush();
  }

  /** Bytes of queued messages not yet in the ring. */
  get backlog(): number {
    return this.outQueue.reduce((n, m) => n + m.length, 0) - this.outOff;
  }

  /** Push queued bytes into `req`; returns how many moved. */
  flush(): number {
    let moved = 0;
    while (this.outQueue.length > 0) {
      const m = this.outQueue[0]!;
      const n = produce(this.page, "req", m, this.outOff, m.length - this.outOff);
      if (n <= 0) break;
      moved += n;
      this.outOff += n;
      if (this.outOff === m.length) {
        this.outQueue.shift();
        this.outOff = 0;
      }
    }
    if (moved > 0) {
      this.charge(moved);
      this.kick();
    }
    return moved;
  }

  /** Take whatever `rsp` holds and return the messages it completes. */
  receive(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let moved = 0;
    for (;;) {
      const need = this.inUsed < XSD_SOCKMSG_SIZE ? XSD_SOCKMSG_SIZE - this.inUsed
        : XSD_SOCKMSG_SIZE + decodeHeader(this.inBuf).len - this.inUsed;
      if (need > 0) {
        const n = consume(this.page, "rsp", this.inBuf, this.inUsed, need);
        if (n <= 0) break;
        moved += n;
        this.inUsed += n;
        continue;
      }
      out.push(this.inBuf.slice(0, this.inUsed));
      this.inUsed = 0;
    }
    if (moved > 0) {
      this.charge(moved);
      this.kick();
    }
    return out;
  }
}
