import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/machine/index.js";

describe("EventQueue", () => {
  it("pops events in time order", () => {
    const q = new EventQueue();
    for (const t of [50, 10, 40, 20, 30]) q.push(t, 0, "e", t);
    expect(Array.from({ length: 5 }, () => q.pop()!.time)).toEqual([10, 20, 30, 40, 50]);
    expect(q.pop()).toBeUndefined();
  });

  it("breaks ties by the order events were scheduled, whatever their CPU", () => {
    const q = new EventQueue();
    q.push(100, 3, "c", "first");
    q.push(100, 0, "a", "second");
    q.push(100, 1, "b", "third");
    q.push(99, 2, "d", "earliest");
    expect(Array.from({ length: 4 }, () => q.pop()!.payload)).toEqual(["earliest", "first", "second", "third"]);
  });

  it("keeps the order across a save and load, including later ties", () => {
    const q = new EventQueue();
    for (let i = 0; i < 100; i++) q.push((i * 37) % 11, i % 4, "e", i);
    const copy = new EventQueue();
    copy.load(q.save());
    q.push(5, 0, "e", "late");
    copy.push(5, 0, "e", "late");
    const drain = (x: EventQueue) => Array.from({ length: x.length }, () => x.pop()!.payload);
    expect(drain(copy)).toEqual(drain(q));
  });

  it("stays a heap under interleaved pushes and pops", () => {
    const q = new EventQueue();
    let x = 12345;
    const popped: number[] = [];
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      q.push(x % 1000, 0, "e", undefined);
      if (i % 3 === 0) popped.push(q.pop()!.time);
    }
    const rest = Array.from({ length: q.length }, () => q.pop()!.time);
    for (let i = 1; i < rest.length; i++) expect(rest[i]).toBeGreaterThanOrEqual(rest[i - 1]!);
    expect(popped.length + rest.length).toBe(5000);
  });
});

describe("EventQueue against a sorted reference", () => {
  it("pops exactly in (time, order scheduled) under random interleavings, spreads and ties", () => {
    const time = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 1e12, noNaN: true }), fc.constantFrom(0, 1, 2 ** 40, 0.5, 1e-9));
    const op = fc.oneof(fc.record({ push: time }), fc.constant({ pop: true as const }), fc.record({ save: fc.constant(true) }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const q = new EventQueue();
        let ref: { time: number; seq: number }[] = [];
        let seq = 0;
        let now = 0;
        for (const o of ops) {
          if ("push" in o) {
            // Like the machine, events may be scheduled earlier than the last one fired.
            const t = o.push >= now || seq % 3 === 0 ? o.push : now + o.push;
            q.push(t, 0, "e", seq);
            ref.push({ time: t, seq: seq++ });
          } else if ("pop" in o) {
            ref.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = ref.shift();
            expect(q.peekTime()).toBe(want ? want.time : Infinity);
            const got = q.pop();
            expect(got?.payload).toBe(want?.seq);
            if (got) now = got.time;
          } else {
            const copy = new EventQueue();
            copy.load(q.save());
            expect(copy.list()).toEqual(q.list());
          }
          expect(q.length).toBe(ref.length);
        }
        ref = ref.sort((a, b) => a.time - b.time || a.seq - b.seq);
        expect(Array.from({ length: q.length }, () => q.pop()!.payload)).toEqual(ref.map((r) => r.seq));
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("stays exact through growth and shrinkage: a hold run at 5000 pending, some events in the past", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 200, maxLength: 200 }), fc.integer({ min: 0, max: 2 ** 31 }), (gaps, salt) => {
        const q = new EventQueue();
        const ref: { time: number; seq: number }[] = [];
        let seq = 0;
        const push = (t: number) => {
          q.push(t, 0, "e", seq);
          ref.push({ time: t, seq: seq++ });
        };
        for (let i = 0; i < 5000; i++) push((i * 7919 + salt) % 50_000);
        let now = 0;
        for (let round = 0; round < 6000; round++) {
          const gap = gaps[round % gaps.length]!;
          // Every seventh event lands before the last one fired, as another CPU's clock may lag.
          push(round % 7 === 0 ? Math.max(0, now - gap) : now + gap);
          // Drain faster than filling for the second half, so the calendar shrinks again.
          for (let k = round < 3000 ? 1 : 2; k > 0 && q.length > 0; k--) {
            ref.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = ref.shift()!;
            const got = q.pop()!;
            if (got.payload !== want.seq) expect({ round, got: got.payload }).toEqual({ round, got: want.seq });
            now = got.time;
          }
        }
        expect(q.length).toBe(ref.length);
      }),
      { numRuns: 5, seed: 7 },
    );
  });
});
