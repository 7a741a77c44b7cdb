import { describe, expect, it } from "vitest";
import { Machine, UsageError } from "../../src/machine/index.js";
import { bootGenode, type Genode } from "../../src/genode/index.js";
import { JOURNAL_LIMIT, type JournalState } from "../../src/genode/journal.js";
import { DRIVERS_CONFIG, LOG_RUN, PING_RUN } from "./support/run-configs.js";

function boot(kernel: "nova" | "xen" = "nova", memory = "512M"): Genode {
  return bootGenode(new Machine({ memory }), { kernel, modules: { "drivers.config": DRIVERS_CONFIG } });
}

/** Everything a notebook could compare after a run. */
function observe(g: Genode) {
  const m = g.machine;
  return { trace: m.trace.hash(), total: m.trace.total, state: m.stateHash(), now: m.now(), log: [...g.log], report: started(g) ? g.state() : "" };
}

const started = (g: Genode): boolean => { try { g.top(); return true; } catch { return false; } };
const ms = (g: Genode, n: number) => ({ cycles: (g.machine.costs.hz * n) / 1000 });

describe("Genode in machine snapshots (journal and replay)", () => {
  it("snapshot, run, restore, run: the second run repeats the first exactly (ping.run: timers, signals, a nested init)", () => {
    const g = boot();
    expect(g.start(PING_RUN).ok).toBe(true);
    g.machine.run(ms(g, 1500));
    const s = g.machine.snapshot();
    const atSnapshot = observe(g);
    g.machine.run(ms(g, 3000));
    const first = observe(g);
    expect(first.log).toContain('[init] child "ping_1" exited with exit value 0');
    expect(first.trace).not.toBe(atSnapshot.trace);

    g.machine.restore(s);
    expect(observe(g)).toEqual(atSnapshot);
    g.machine.run(ms(g, 3000));
    expect(observe(g)).toEqual(first);
  });

  it("restores the configuration and children from before a reconfigure, and reconfiguring again gives the same result", () => {
    const g = boot("nova", "128M");
    g.start(LOG_RUN);
    const s = g.machine.snapshot();
    const before = observe(g);
    const changed = LOG_RUN.replace('<start name="test-log">', '<start name="second"> <binary name="test-log"/> <resource name="RAM" quantum="2M"/> </start> <start name="test-log">');
    expect(g.reconfigure(changed).ok).toBe(true);
    const after = observe(g);
    expect(g.top().processByName("second")).toBeDefined();
    expect(after.log).toContain("[init -> second] Test done.");

    g.machine.restore(s);
    expect(observe(g)).toEqual(before);
    expect(g.top().processByName("second")).toBeUndefined();
    expect(g.reconfigure(changed).ok).toBe(true);
    expect(observe(g)).toEqual(after);
  });

  it("restores on Xen (base-xen) too", () => {
    const g = boot("xen", "256M");
    const s0 = g.machine.snapshot();
    const booted = observe(g);
    g.start(LOG_RUN);
    g.machine.run(ms(g, 10));
    const started = observe(g);
    expect(started.log.some((l) => l.startsWith("[init -> test-log] Test done."))).toBe(true);
    g.machine.restore(s0);
    expect(observe(g)).toEqual(booted);
    g.start(LOG_RUN);
    g.machine.run(ms(g, 10));
    expect(observe(g)).toEqual(started);
  });

  it("keeps a snapshot reusable: restoring it twice gives the same machine both times", () => {
    const g = boot("nova", "128M");
    g.start(LOG_RUN);
    const s = g.machine.snapshot();
    g.machine.run(ms(g, 5));
    const later = observe(g);
    g.machine.restore(s);
    g.machine.run(ms(g, 5));
    g.machine.restore(s);
    g.machine.run(ms(g, 5));
    expect(observe(g)).toEqual(later);
  });

  it("replays a run that stopped on a condition (runUntil) to the same point", () => {
    const g = boot();
    g.start(PING_RUN);
    const s = g.machine.snapshot();
    expect(g.runUntil(/icmp_seq=2/)).toMatch(/icmp_seq=2/);
    const stopped = g.machine.snapshot();
    const first = observe(g);
    g.machine.run(ms(g, 2000));
    g.machine.restore(stopped);
    expect(observe(g)).toEqual(first);
    g.machine.restore(s);
    expect(g.runUntil(/icmp_seq=2/)).toMatch(/icmp_seq=2/);
    expect(observe(g)).toEqual(first);
  });

  it("refuses, naming why, a snapshot taken after a cell drove the machine around Genode", () => {
    const g = boot("nova", "128M");
    g.start(LOG_RUN);
    const good = g.machine.snapshot();
    g.machine.charge(0, "syscall", "cell", "by-hand", "notebook");
    const bad = g.machine.snapshot();
    expect((bad.layers.genode as { broken?: string }).broken).toMatch(/driven outside Genode/);
    let error: unknown;
    try {
      g.machine.restore(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe("genode-not-restorable");
    // an earlier snapshot still rebuilds, and the journal is whole again after it
    g.machine.restore(good);
    expect((g.machine.snapshot().layers.genode as { broken?: string }).broken).toBeUndefined();
  });

  it("leaves a failed reconfigure out of the journal: the state hash stays as it was", () => {
    const g = boot("nova", "128M");
    g.start(LOG_RUN);
    const hash = g.machine.stateHash();
    expect(() => g.reconfigure("<config><start name=")).toThrow(UsageError);
    expect(g.machine.stateHash()).toBe(hash);
  });

  it("refuses a snapshot of a Genode booted with other options", () => {
    const a = boot("nova", "128M");
    const b = bootGenode(new Machine({ memory: "128M" }), { kernel: "nova", caps: 1000 });
    expect(() => b.machine.restore(a.machine.snapshot())).toThrow(/different Genode/);
  });

  it("stores each configuration text once, however often it is applied (a reconfiguration soak)", () => {
    const g = boot("nova", "128M");
    g.start(LOG_RUN);
    const other = LOG_RUN.replace('quantum="10M"', 'quantum="8M"');
    for (let i = 0; i < 20; i++) g.reconfigure(i % 2 === 0 ? other : LOG_RUN);
    const j = g.machine.snapshot().layers.genode as JournalState;
    expect(j.texts).toEqual([LOG_RUN, other]);
    expect(j.entries).toHaveLength(21);
  });

  it("adds a reference per repeated reconfiguration, not an object: 10 and 200 of them share the same 3 entries", () => {
    const g = boot("nova", "128M");
    g.start(LOG_RUN);
    const other = LOG_RUN.replace('quantum="10M"', 'quantum="8M"');
    const distinct = () => new Set(g["journal"].entries).size;
    for (let i = 0; i < 10; i++) g.reconfigure(i % 2 === 0 ? other : LOG_RUN);
    expect(distinct()).toBe(3);
    for (let i = 10; i < 200; i++) g.reconfigure(i % 2 === 0 ? other : LOG_RUN);
    expect(distinct()).toBe(3);
    expect(g["journal"].entries).toHaveLength(201);
    // replaying the shared entries from boot arrives where the machine stood
    const end = g.machine.snapshot();
    const hash = g.machine.stateHash();
    g.reconfigure(other);
    g.machine.restore(end);
    expect(g.machine.stateHash()).toBe(hash);
  });

  it(`stops keeping entries past ${JOURNAL_LIMIT} operations, and says so, instead of growing without bound`, () => {
    const g = boot("nova", "64M");
    const early = g.machine.snapshot();
    for (let i = 0; i <= JOURNAL_LIMIT; i++) g.machine.run({ cycles: 1 + (i % 2) });
    const j = g.machine.snapshot().layers.genode as JournalState;
    expect(j.entries).toEqual([]);
    expect(j.broken).toMatch(new RegExp(`reached ${JOURNAL_LIMIT} operations`));
    g.machine.restore(early);
    expect((g.machine.snapshot().layers.genode as JournalState).broken).toBeUndefined();
  });
});
