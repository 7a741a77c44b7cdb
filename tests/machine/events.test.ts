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
