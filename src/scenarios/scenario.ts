/**
 * A scenario: a composed system on its own machine, and the run loop every scenario shares.
 * Latency of an operation = the cycles of the trace records its path produced (every primitive
 * its path executed, on every CPU it touched); one unmeasured warm-up operation first, so that
 * one-time set-up (a channel's first grant and bind) is not counted as an operation.
 */
import { Rng, type Machine, type TraceRecord } from "../machine/index.js";
import { tcb, type TcbCategory } from "../metrics/index.js";
import type { TcbSet } from "../genode/index.js";
import type { RunOptions, RunResult, ScenarioName, TcbReport, WorkloadTarget } from "./types.js";
import type { Workload } from "./workloads/index.js";

export class Scenario {
  constructor(readonly name: ScenarioName, readonly machine: Machine, readonly target: WorkloadTarget, readonly description: string) {}

  run(workload: Workload, options: RunOptions): RunResult {
    const m = this.machine;
    const rng = new Rng(options.seed);
    const state = new Map<number, Uint8Array>();
    workload.step(this.target, rng, state);
    const latencies: number[] = [];
    const trace: Array<TraceRecord & { iteration: number }> = [];
    for (let i = 0; i < options.iterations; i++) {
      const t0 = m.trace.total;
      workload.step(this.target, rng, state);
      const n = m.trace.total - t0;
      if (n > m.trace.size) throw new Error(`${this.name}: one ${workload.name} operation produced more trace records than the trace holds`);
      let sum = 0;
      for (let k = m.trace.size - n; k < m.trace.size; k++) {
        const r = m.trace.at(k);
        sum += r.cycles;
        trace.push({ ...r, iteration: i });
      }
      latencies.push(sum);
    }
    const tcbs = this.target.participants(workload.name).map((p) => this.target.tcbOf(p));
    return { scenario: this.name, workload: workload.name, latencies, tcb: tcbs, trace };
  }
}

/** A TCB report from catalogue ids plus uncatalogued LOC. */
export function tcbReport(participant: string, members: readonly string[], ids: readonly string[], extraLoc: number, extraCategory: TcbCategory = "services"): TcbReport {
  const t = tcb(ids);
  const byCategory = { ...t.byCategory };
  byCategory[extraCategory] += extraLoc;
  return { participant, members, ids, extraLoc, byCategory, total: t.total + extraLoc, approximate: t.approximate };
}

/** A Genode TcbSet (g.tcbOf) as a report, optionally with the members of the world below it. */
export function genodeTcbReport(participant: string, s: TcbSet, below: { members: readonly string[]; ids: readonly string[] } = { members: [], ids: [] }): TcbReport {
  const extra = s.extraLoc.kernel + s.extraLoc["core/runtime"] + s.extraLoc.services + s.extraLoc.drivers;
  const r = tcbReport(participant, [...below.members, ...s.members.map((m) => m.label)], [...new Set([...below.ids, ...s.ids])], 0);
  const byCategory = { ...r.byCategory };
  byCategory.kernel += s.extraLoc.kernel;
  byCategory["core/runtime"] += s.extraLoc["core/runtime"];
  byCategory.services += s.extraLoc.services;
  byCategory.drivers += s.extraLoc.drivers;
  return { ...r, extraLoc: extra, byCategory, total: r.total + extra };
}
