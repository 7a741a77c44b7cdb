import { describe, expect, it } from "vitest";
import { withoutHostTimeOrRandomness } from "../support/host-time-trap.js";
import { GuestThread, INTERRUPT_FLAG, Machine, type Dispatcher, type GuestProgram } from "../../src/machine/index.js";

/** A toy dispatcher: one guest thread per CPU, each entry charged as a syscall plus `work` cycles of memcpy. */
function toyKernel(m: Machine, programs: Record<number, string>): Dispatcher {
  const threads = new Map<number, GuestThread<{ work: number }, number>>();
  for (const [cpu, id] of Object.entries(programs)) {
    const t = new GuestThread<{ work: number }, number>(m.programs, id, Number(cpu));
    t.resume();
    threads.set(Number(cpu), t);
  }
  const d: Dispatcher = {
    ready: (cpu) => threads.get(cpu)?.done === false,
    step: (cpu) => {
      const t = threads.get(cpu)!;
      const entry = t.pending!;
      m.chargeMany(cpu, ["syscall", ["memcpy_per_byte", entry.work]], "toy", "entry", `t${cpu}`, { work: entry.work });
      t.resume(m.rng.below(1000));
    },
  };
  m.addDispatcher(d);
  return d;
}

const worker: GuestProgram<{ work: number }, number> = function* (arg) {
  let x = Number(arg);
  for (let i = 0; i < 20; i++) x = yield { work: 64 + (x % 512) };
};

function workload(seed: number): Machine {
  const m = new Machine({ cpus: 2, seed });
  m.programs.register("worker", worker as GuestProgram);
  m.on("tick", (p, cpu) => {
    m.charge(cpu, "irq_to_user", "toy", "tick", "timer", { n: p });
    if ((p as number) < 5) m.after(cpu, 5000, "tick", (p as number) + 1);
  });
  m.schedule(1, 1000, "tick", 0);
  toyKernel(m, { 0: "worker", 1: "worker" });
  return m;
}

describe("Machine", () => {
  it("gives identical traces for the same seed and operations", () => {
    const a = workload(11);
    const b = workload(11);
    a.run({ cycles: 200_000 });
    b.run({ cycles: 200_000 });
    expect(a.trace.size).toBeGreaterThan(40);
    expect(a.trace.hash()).toBe(b.trace.hash());
    expect(a.stateHash()).toBe(b.stateHash());
  });

  it("gives a different trace for a different seed", () => {
    const a = workload(11);
    const b = workload(12);
    a.run({ cycles: 200_000 });
    b.run({ cycles: 200_000 });
    expect(a.trace.hash()).not.toBe(b.trace.hash());
  });

  it("replays identically after snapshot → run → restore → run, guest programs included", () => {
    const m = workload(3);
    m.run({ cycles: 20_000 });
    const snap = m.snapshot();
    m.run({ cycles: 100_000 });
    const first = m.trace.hash();
    const firstNow = m.now();
    m.restore(snap);
    m.run({ cycles: 100_000 });
    expect(m.trace.hash()).toBe(first);
    expect(m.now()).toBe(firstNow);
  });

  it("fires events and steps CPUs in time order, an event before a CPU at the same time", () => {
    const m = new Machine({ cpus: 2 });
    const order: string[] = [];
    m.on("e", (p, cpu, t) => {
      order.push(`event ${String(p)} on ${cpu} at ${t}`);
    });
    let steps = 0;
    m.addDispatcher({
      ready: (cpu) => cpu === 0 && steps < 3,
      step: (cpu) => {
        order.push(`step on ${cpu} at ${m.now(cpu)}`);
        steps++;
        m.account(cpu, 100, "toy", "s", "t");
      },
    });
    m.schedule(1, 100, "e", "b");
    m.schedule(0, 100, "e", "a");
    m.run({ cycles: 1000 });
    expect(order).toEqual(["step on 0 at 0", "event b on 1 at 100", "event a on 0 at 100", "step on 0 at 100", "step on 0 at 200"]);
    expect(m.now(0)).toBe(1000);
    expect(m.now(1)).toBe(1000);
  });

  it("stops at an until condition between two operations", () => {
    const m = workload(5);
    const r = m.run({ until: () => m.trace.size >= 10 });
    expect(r.reason).toBe("until");
    expect(m.trace.size).toBe(10);
  });

  it("reports idle when nothing is left to do", () => {
    const m = new Machine();
    m.on("once", (_, cpu) => m.charge(cpu, "syscall", "toy", "once", "x"));
    m.schedule(0, 10, "once");
    expect(m.run({ until: () => false })).toMatchObject({ reason: "idle", events: 1 });
  });

  it("lets one layer see every run and do it through the machine's own run", () => {
    const m = workload(5);
    const seen: { options: unknown; traceAfter: number }[] = [];
    m.wrapRuns((options, direct) => {
      const r = direct(options);
      seen.push({ options, traceAfter: m.trace.size });
      return r;
    });
    const until = () => m.trace.size >= 7;
    expect(m.run({ until })).toMatchObject({ reason: "until" });
    expect(seen).toEqual([{ options: { until }, traceAfter: 7 }]);
    expect(() => m.wrapRuns((o, direct) => direct(o))).toThrowError(/already wrapped by another layer/);
  });

  it("delivers an IPI one IPI latency after the sender's time", () => {
    const m = new Machine({ cpus: 2 });
    const seen: number[] = [];
    m.on("hello", (_, cpu, t) => seen.push(cpu, t));
    m.charge(0, "syscall", "toy", "x", "a");
    m.ipi(0, 1, "hello");
    m.run({ cycles: 10_000 });
    expect(seen).toEqual([1, 135 + 3400]);
  });

  it("charges a TLB shootdown for every other CPU that may cache the space, and flushes them", () => {
    const m = new Machine({ cpus: 4 });
    m.cpus[0]!.enter("dom1");
    m.cpus[2]!.enter("dom1");
    m.cpus[3]!.enter("dom1");
    m.cpus[3]!.enter("dom2");
    expect(m.tlbShootdown(0, "dom1", "xen", "dom0")).toEqual([2, 3]);
    expect(m.now(0)).toBe(200 + 2 * 2600);
    m.run({ cycles: 0 });
    expect(m.trace.records({ op: "tlb_flush_ipi" }).map((r) => r.cpu)).toEqual([2, 3]);
    expect(m.cpus[3]!.mayCache("dom1")).toBe(false);
    expect(m.cpus[2]!.mayCache("dom1")).toBe(true); // still running in it
    expect(m.tlbShootdown(1, "dom9", "xen", "dom0")).toEqual([]);
  });

  it("pauses at the interrupt flag with state intact", () => {
    const m = workload(2);
    m.run({ cycles: 10_000 });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    (globalThis as Record<symbol, unknown>)[INTERRUPT_FLAG] = flag;
    try {
      Atomics.store(flag, 0, 1);
      const before = m.trace.hash();
      expect(() => m.run({ cycles: 1e9 })).toThrowError(expect.objectContaining({ name: "Interrupted" }));
      expect(m.trace.hash()).toBe(before);
      Atomics.store(flag, 0, 0);
      expect(m.run({ cycles: 10_000 }).reason).toBe("cycles");
    } finally {
      delete (globalThis as Record<symbol, unknown>)[INTERRUPT_FLAG];
    }
  });

  it("never reads wall-clock time or Math.random", () => {
    const m = withoutHostTimeOrRandomness(() => {
      const m = workload(4);
      m.run({ cycles: 100_000 });
      m.restore(m.snapshot());
      m.chromeTrace();
      return m;
    });
    expect(m.trace.size).toBeGreaterThan(0);
  });

  it("rejects misuse with errors that name the problem", () => {
    const m = new Machine({ cpus: 2 });
    expect(() => m.now(2)).toThrowError(/CPU 2 does not exist \(this machine has CPUs 0..1\)/);
    expect(() => m.schedule(0, 1, "nobody")).toThrowError(/no handler registered for event kind "nobody"/);
    expect(() => m.charge(0, "nope" as never, "l", "o", "a")).toThrowError(/unknown cost primitive "nope"/);
    expect(() => new Machine({ memory: "lots" })).toThrowError(/cannot read memory size "lots"/);
    expect(() => m.restore({} as never)).toThrowError(/restore\(\) takes a value returned by snapshot\(\)/);
  });

  it("refuses to restore a snapshot taken before a layer was registered", () => {
    const m = new Machine();
    const snap = m.snapshot();
    m.registerLayer("nova", { save: () => ({}), load: () => undefined });
    expect(() => m.restore(snap)).toThrowError(/taken before layer\(s\) nova were booted/);
  });

  it("restores a registered layer's state and leaves the snapshot reusable", () => {
    const m = new Machine();
    let state = { objects: [1, 2, 3] };
    m.registerLayer("toy", { save: () => state, load: (s) => (state = s as typeof state) });
    const snap = m.snapshot();
    state.objects.push(4);
    m.restore(snap);
    expect(state.objects).toEqual([1, 2, 3]);
    state.objects.push(5);
    m.restore(snap);
    expect(state.objects).toEqual([1, 2, 3]);
  });
});
