import { describe, expect, it } from "vitest";
import { IdCache } from "../../src/microkernel/id-cache.js";

describe("IdCache (host-side cache by object id, fixed size)", () => {
  it("answers for the id it holds, and an id whose slot another took misses instead of answering wrongly", () => {
    const c = new IdCache<string>();
    c.set(5, "five");
    expect(c.get(5)).toBe("five");
    c.set(5 + 4096, "clash"); // same low bits
    expect(c.get(5)).toBeUndefined();
    expect(c.get(5 + 4096)).toBe("clash");
    c.delete(5); // not held: leaves the other id's entry alone
    expect(c.has(5 + 4096)).toBe(true);
  });

  it("stays the same size however many ids pass through it", () => {
    const c = new IdCache<number>();
    for (let id = 0; id < 100_000; id++) c.set(id, id);
    expect(c.size).toBe(4096);
    expect([...c.keys()].every((id) => c.get(id) === id)).toBe(true);
    c.clear();
    expect(c.size).toBe(0);
  });
});
