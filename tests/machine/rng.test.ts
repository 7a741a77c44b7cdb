import { describe, expect, it } from "vitest";
import { Rng } from "../../src/machine/index.js";

const take = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextU32());

describe("Rng (xoshiro128** seeded by SplitMix32)", () => {
  it("gives the same stream for the same seed", () => {
    expect(take(new Rng(42), 100)).toEqual(take(new Rng(42), 100));
  });

  it("gives unrelated streams for neighbouring seeds", () => {
    const a = take(new Rng(1), 64);
    const b = take(new Rng(2), 64);
    expect(a.filter((x, i) => x === b[i])).toHaveLength(0);
  });

  it("keeps below(n) inside [0, n) and reaches both ends", () => {
    const rng = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = rng.below(6);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(6);
      seen.add(x);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("continues exactly where a saved state left off", () => {
    const rng = new Rng(9);
    take(rng, 10);
    const saved = rng.save();
    const next = take(rng, 20);
    rng.load(saved);
    expect(take(rng, 20)).toEqual(next);
  });

  it("rejects an impossible range", () => {
    expect(() => new Rng(1).below(0)).toThrowError(/n must be an integer/);
  });
});
