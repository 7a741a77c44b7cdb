import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BackRing, FrontRing, type RingProtocol, ringSizeFor, roundDownPow2, SRING_ring } from "../../../src/xen/io/ring.js";
import { blkifProtocol } from "../../../src/xen/io/blkif.js";

/** A protocol whose requests and responses are raw 8-byte images, to test the ring alone. */
const raw: RingProtocol<Uint8Array, Uint8Array> = {
  name: "raw",
  request: { size: 8, encode: (v, into) => into.set(v), decode: (b) => b.slice(0, 8) },
  response: { size: 8, encode: (v, into) => into.set(v), decode: (b) => b.slice(0, 8) },
};
const bytes = (n: number): Uint8Array => new Uint8Array(8).fill(n & 0xff);
const pair = () => {
  const page = new Uint8Array(4096);
  return { page, front: new FrontRing(page, raw), back: new BackRing(page, raw) };
};

describe("io/ring.h shared ring", () => {
  it("sizes a ring as (4096 - 64) / slot rounded down to a power of two", () => {
    expect(ringSizeFor(4096, 112)).toBe(32); // blkif: 36 fit
    expect(ringSizeFor(4096, 12)).toBe(256); // netif tx: 336 fit
    expect(ringSizeFor(4096, 16)).toBe(128); // netif ctrl: 252 fit
    expect(roundDownPow2(0x80000001)).toBe(0x80000000);
    expect(() => ringSizeFor(100, 112)).toThrow(/holds no 112-byte slot/);
  });

  it("initialises producers to 0 and both event indices to 1 (SHARED_RING_INIT)", () => {
    const { front } = pair();
    expect([front.sring.reqProd, front.sring.reqEvent, front.sring.rspProd, front.sring.rspEvent]).toEqual([0, 1, 0, 1]);
    expect(front.freeRequests()).toBe(front.size);
  });

  it("puts index i in slot i & (RING_SIZE - 1), entries starting at byte 64", () => {
    const { page, front } = pair();
    front.reqProdPvt = 0xffffffff;
    front.rspCons = 0xffffffff;
    front.produceRequest(bytes(7));
    const slot = (0xffffffff & (front.size - 1)) * 8 + SRING_ring;
    expect(page[slot]).toBe(7);
    expect(front.reqProdPvt).toBe(0); // u32 wrap
  });

  it("notifies only when the peer's event index lies in (old, new] (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY)", () => {
    const { front, back } = pair();
    front.produceRequest(bytes(1));
    expect(front.pushRequestsAndCheckNotify()).toBe(true); // req_event 1 in (0, 1]
    front.produceRequest(bytes(2));
    expect(front.pushRequestsAndCheckNotify()).toBe(false); // req_event still 1: back is known awake
    back.consumeRequest();
    back.consumeRequest();
    expect(back.finalCheckForRequests()).toBe(false);
    expect(back.sring.reqEvent).toBe(3);
    front.produceRequest(bytes(3));
    expect(front.pushRequestsAndCheckNotify()).toBe(true);
  });

  it("closes the sleep/wake race: a request pushed without a notification is seen by the final check", () => {
    const { front, back } = pair();
    front.produceRequest(bytes(1));
    front.pushRequestsAndCheckNotify();
    back.consumeRequest();
    // The back end found nothing more and is about to sleep; the front pushes with stale req_event = 1.
    expect(back.unconsumedRequests()).toBe(0);
    front.produceRequest(bytes(2));
    expect(front.pushRequestsAndCheckNotify()).toBe(false);
    expect(back.finalCheckForRequests()).toBe(true);
    expect(back.consumeRequest()[0]).toBe(2);
  });

  it("detects a back end whose rsp_prod runs more than RING_SIZE ahead (RING_RESPONSE_PROD_OVERFLOW)", () => {
    const { front } = pair();
    front.sring.rspProd = front.size + 1;
    expect(front.checkResponses()).toEqual({ ok: false, error: "RING_RESPONSE_PROD_OVERFLOW", prod: front.size + 1 });
    front.sring.rspProd = front.size;
    expect(front.checkResponses()).toEqual({ ok: true, available: front.size });
  });

  it("detects a front end whose req_prod runs more than RING_SIZE ahead (RING_REQUEST_PROD_OVERFLOW), also across the u32 wrap", () => {
    const { back } = pair();
    back.rspProdPvt = back.reqCons = 0xfffffff0;
    back.sring.reqProd = (0xfffffff0 + back.size + 1) >>> 0;
    expect(back.checkRequests()).toMatchObject({ ok: false, error: "RING_REQUEST_PROD_OVERFLOW" });
    back.sring.reqProd = (0xfffffff0 + back.size) >>> 0;
    expect(back.checkRequests()).toEqual({ ok: true, available: back.size });
    // Even then the back end never takes more than it has room to answer.
    expect(back.requestConsOverflow((0xfffffff0 + back.size) >>> 0)).toBe(true);
  });

  it("refuses API misuse: producing on a full ring, consuming an empty one, answering an untaken request", () => {
    const { front, back } = pair();
    for (let i = 0; i < front.size; i++) front.produceRequest(bytes(i));
    expect(front.full()).toBe(true);
    expect(() => front.produceRequest(bytes(0))).toThrow(/full ring \(RING_FULL\)/);
    expect(() => back.consumeRequest()).toThrow(/none unconsumed/);
    expect(() => back.produceResponse(bytes(0))).toThrow(/no request taken/);
    expect(() => front.consumeResponse()).toThrow(/none published/);
  });

  it("delivers request bytes unchanged, in order, across random interleavings and index wrap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.tuple(fc.constantFrom("produce", "push", "serve", "reap"), fc.uint8Array({ minLength: 112, maxLength: 112 })), { maxLength: 200 }),
        (start, ops) => {
          const page = new Uint8Array(4096);
          const front = new FrontRing(page, blkifProtocol, start);
          front.sring.init();
          front.sring.reqProd = front.sring.rspProd = start;
          const back = new BackRing(page, blkifProtocol, start);
          const sent: Uint8Array[] = [];
          const got: Uint8Array[] = [];
          for (const [op, b] of ops) {
            if (op === "produce" && !front.full()) { front.produceRequestBytes(b); sent.push(b); }
            if (op === "push") front.pushRequestsAndCheckNotify();
            if (op === "serve") {
              while (back.checkRequests().ok && back.unconsumedRequests() > 0) {
                got.push(back.consumeRequestBytes());
                back.produceResponse({ id: 0n, operation: 0, status: 0 });
              }
              back.pushResponsesAndCheckNotify();
            }
            if (op === "reap") {
              const c = front.checkResponses();
              expect(c.ok).toBe(true);
              while (front.unconsumedResponses() > 0) front.consumeResponse();
            }
          }
          expect(got).toEqual(sent.slice(0, got.length));
        },
      ),
    );
  });
});
