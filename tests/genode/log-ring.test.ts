import { describe, expect, it } from "vitest";
import { Machine, UsageError } from "../../src/machine/index.js";
import { bootGenode } from "../../src/genode/index.js";
import { LogRing } from "../../src/genode/core/log-ring.js";
import { BOMB_RUN, LOG_RUN } from "./support/run-configs.js";

describe("core's LOG output is a bounded ring", () => {
  it("keeps the newest `capacity` lines, in order, and counts the rest as dropped", () => {
    const r = new LogRing(3);
    for (let i = 1; i <= 10; i++) r.push(`line ${i}`);
    expect(r.lines).toEqual(["line 8", "line 9", "line 10"]);
    expect(r.dropped).toBe(7);
    expect(r.total).toBe(10);
  });

  it("holds at most twice its capacity in memory between reads", () => {
    const r = new LogRing(100);
    for (let i = 0; i < 10_000; i++) {
      r.push(String(i));
      expect(r.held).toBeLessThan(200);
    }
    expect(r.lines).toHaveLength(100);
    expect(r.lines[0]).toBe("9900");
  });

  it("refuses a capacity that is not a whole number ≥ 1", () => {
    expect(() => new LogRing(0)).toThrow(UsageError);
    expect(() => new LogRing(2.5)).toThrow(UsageError);
  });

  it("g.log of a small capacity shows the tail of what an unbounded log shows, and g.logDropped the rest", () => {
    const full = bootGenode(new Machine({ memory: "64M" }), { kernel: "nova" });
    const small = bootGenode(new Machine({ memory: "64M" }), { kernel: "nova", logCapacity: 5 });
    full.start(LOG_RUN);
    small.start(LOG_RUN);
    expect(full.logDropped).toBe(0);
    expect(small.log).toEqual(full.log.slice(-5));
    expect(small.logDropped).toBe(full.log.length - 5);
  });

  it("stays bounded over a long run that keeps printing (bomb.run), and init keeps none of the lines it relayed", () => {
    const g = bootGenode(new Machine({ memory: "512M" }), { kernel: "nova", logCapacity: 10 });
    g.start(BOMB_RUN);
    for (let i = 0; i < 10; i++) {
      g.machine.run({ cycles: g.machine.costs.hz * 0.03 });
      expect(g.core.output.held).toBeLessThan(20);
      for (const s of g.runtime.sandboxes) expect(s.init.log).toEqual([]);
    }
    expect(g.runUntil(/Done\. Going to sleep/)).toBe("[init -> bomb-master] Done. Going to sleep");
    expect(g.log).toHaveLength(10);
    expect(g.logDropped).toBe(g.core.output.total - 10);
    expect(g.logDropped).toBeGreaterThan(10);
  });
});
