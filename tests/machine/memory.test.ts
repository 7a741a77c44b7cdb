import { describe, expect, it } from "vitest";
import { Memory, PAGE_SIZE } from "../../src/machine/index.js";

describe("Memory (4 KiB frames with owners)", () => {
  it("allocates the lowest free frames first and counts them per owner", () => {
    const mem = new Memory(16 * PAGE_SIZE);
    expect(mem.alloc("a", 3)).toEqual([0, 1, 2]);
    expect(mem.alloc("b", 2)).toEqual([3, 4]);
    mem.release([1], "a");
    expect(mem.alloc("b", 2)).toEqual([1, 5]);
    expect(mem.usage()).toEqual(new Map([["a", 2], ["b", 4]]));
    expect(mem.free).toBe(10);
  });

  it("refuses an allocation it cannot meet, naming it, and changes nothing", () => {
    const mem = new Memory(4 * PAGE_SIZE);
    mem.alloc("a", 3);
    const before = mem.save();
    expect(() => mem.alloc("b", 2)).toThrowError(/b asked for 2 frame\(s\) of 4 KiB but only 1 are free/);
    expect(mem.tryAlloc("b", 2)).toBeUndefined();
    expect(mem.save()).toEqual(before);
  });

  it("reads zeros from frames never written and keeps contents sparse", () => {
    const mem = new Memory(1024 * PAGE_SIZE);
    const [f] = mem.alloc("a", 1);
    expect(mem.read(f!, 0, 8)).toEqual(new Uint8Array(8));
    mem.write(f!, 4090, new Uint8Array([1, 2, 3, 4, 5, 6]));
    expect(Array.from(mem.read(f!, 4088, 8))).toEqual([0, 0, 1, 2, 3, 4, 5, 6]);
    expect(mem.touchedFrames).toBe(1);
  });

  it("forgets contents when a frame is released", () => {
    const mem = new Memory(4 * PAGE_SIZE);
    const [f] = mem.alloc("a", 1);
    mem.write(f!, 0, new Uint8Array([9]));
    mem.release([f!]);
    const [g] = mem.alloc("b", 1);
    expect(g).toBe(f);
    expect(mem.read(g!, 0, 1)[0]).toBe(0);
  });

  it("rejects accesses outside a frame or to frames that do not exist", () => {
    const mem = new Memory(4 * PAGE_SIZE);
    const [f] = mem.alloc("a", 1);
    expect(() => mem.read(f!, 4000, 100)).toThrowError(/outside a 4 KiB frame/);
    expect(() => mem.read(4, 0, 1)).toThrowError(/frame 4 does not exist/);
    expect(() => mem.write(2, 0, new Uint8Array([1]))).toThrowError(/frame 2 is free/);
  });

  it("refuses to release a frame twice or on behalf of another owner, changing nothing", () => {
    const mem = new Memory(4 * PAGE_SIZE);
    mem.alloc("a", 2);
    expect(() => mem.release([0], "b")).toThrowError(/belongs to a, not b/);
    expect(() => mem.release([1, 2])).toThrowError(/frame 2 is already free/);
    expect(mem.ownerOf(1)).toBe("a");
    expect(mem.free).toBe(2);
  });

  it("transfers a frame with its contents", () => {
    const mem = new Memory(4 * PAGE_SIZE);
    const [f] = mem.alloc("dom1", 1);
    mem.write(f!, 0, new Uint8Array([7]));
    mem.transfer(f!, "dom2");
    expect(mem.ownerOf(f!)).toBe("dom2");
    expect(mem.read(f!, 0, 1)[0]).toBe(7);
    expect(mem.usage()).toEqual(new Map([["dom2", 1]]));
  });
});

describe("Memory.release", () => {
  it("refuses a list naming the same frame twice, changing nothing (found by the machine fuzzer)", () => {
    const mem = new Memory(4 * PAGE_SIZE);
    mem.alloc("a", 2);
    expect(() => mem.release([1, 1])).toThrowError(/frame 1 is listed twice/);
    expect(mem.free).toBe(2);
    expect(mem.usage()).toEqual(new Map([["a", 2]]));
  });
});

describe("Memory.view", () => {
  it("is a live view: writes through it are read back, and writes by address show in it", () => {
    const mem = new Memory(4 * PAGE_SIZE);
    const [f] = mem.alloc("a", 1);
    const page = mem.view(f!);
    page[10] = 42;
    expect(mem.read(f!, 10, 1)[0]).toBe(42);
    mem.write(f!, 11, new Uint8Array([7]));
    expect(page[11]).toBe(7);
  });

  it("refuses a free frame", () => {
    expect(() => new Memory(4 * PAGE_SIZE).view(0)).toThrowError(/frame 0 is free/);
  });
});

describe("Memory.copy", () => {
  it("copies bytes between frames, within one frame even where the ranges overlap, and zeros from a frame never written", () => {
    const mem = new Memory(4 * PAGE_SIZE);
    const [a, b, blank] = mem.alloc("a", 3);
    mem.write(a!, 0, new Uint8Array([1, 2, 3, 4, 5]));
    mem.copy(a!, 1, b!, 100, 3);
    expect(Array.from(mem.read(b!, 99, 5))).toEqual([0, 2, 3, 4, 0]);
    mem.copy(a!, 0, a!, 2, 5);
    expect(Array.from(mem.read(a!, 0, 7))).toEqual([1, 2, 1, 2, 3, 4, 5]);
    mem.copy(blank!, 0, b!, 101, 2);
    expect(Array.from(mem.read(b!, 99, 5))).toEqual([0, 2, 0, 0, 0]);
    mem.copy(blank!, 0, a!, 0, 0);
    expect(mem.touchedFrames).toBe(2);
  });
});

describe("Memory owners that come and go (a PD or a domain per restart, names never reused)", () => {
  const names = (mem: Memory) => mem.save().ownerNames.length;
  /** Owner `life-i` takes two frames, the long-lived owner one more, then life-i gives its frames back. */
  const life = (mem: Memory, i: number) => {
    const frames = mem.alloc(`life-${i}`, 2);
    mem.alloc("keeper", 1);
    mem.release(frames);
  };

  it("keeps the owner table no larger after 1000 lives than after 100", () => {
    const mem = new Memory(4096 * PAGE_SIZE);
    let largest100 = 0;
    let largest = 0;
    for (let i = 0; i < 1000; i++) {
      life(mem, i);
      largest = Math.max(largest, names(mem));
      if (i === 99) largest100 = largest;
    }
    expect(largest).toBe(largest100);
    expect(mem.usage()).toEqual(new Map([["keeper", 1000]]));
    expect(mem.framesOf("keeper")).toHaveLength(1000);
    expect(mem.framesOf("life-5")).toEqual([]);
  });

  it("forgets them exactly where it would have without a save and load in between", () => {
    const a = new Memory(4096 * PAGE_SIZE);
    for (let i = 0; i < 50; i++) life(a, i);
    const b = new Memory(4096 * PAGE_SIZE);
    b.load(a.save());
    for (let i = 50; i < 300; i++) {
      life(a, i);
      life(b, i);
    }
    expect(b.save()).toEqual(a.save());
  });
});
