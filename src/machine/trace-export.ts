/**
 * Trace export in the Chrome Trace Event Format, which Perfetto (ui.perfetto.dev) opens directly.
 * Mapping (shared/reference/peers.md §4.3): every record is a complete event (`ph: "X"`) with `ts` and
 * `dur` in microseconds converted from cycles at the profile's clock; `pid` is the protection domain,
 * Xen domain or component (the part of the actor before the first "/"), `tid` the thread, EC or vCPU
 * (the whole actor); raw cycles stay in `args` because `ts` is µs. Names come as `M` metadata events.
 */
import type { Trace } from "./trace.js";

export interface ChromeTraceEvent {
  name: string;
  cat?: string;
  ph: "X" | "M" | "i" | "C";
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: "ns" | "ms";
  otherData: Record<string, unknown>;
}

export function toChromeTrace(trace: Trace, hz: number, otherData: Record<string, unknown> = {}): ChromeTrace {
  const toUs = 1e6 / hz;
  const pids = new Map<string, number>();
  const tids = new Map<string, number>();
  const events: ChromeTraceEvent[] = [];
  const meta: ChromeTraceEvent[] = [];
  for (const r of trace) {
    const slash = r.actor.indexOf("/");
    const owner = slash < 0 ? r.actor : r.actor.slice(0, slash);
    let pid = pids.get(owner);
    if (pid === undefined) {
      pid = pids.size + 1;
      pids.set(owner, pid);
      meta.push({ name: "process_name", ph: "M", pid, tid: 0, args: { name: owner } });
    }
    let tid = tids.get(r.actor);
    if (tid === undefined) {
      tid = tids.size + 1;
      tids.set(r.actor, tid);
      meta.push({ name: "thread_name", ph: "M", pid, tid, args: { name: r.actor } });
    }
    events.push({
      name: r.op,
      cat: r.layer,
      ph: "X",
      ts: r.time * toUs,
      dur: r.cycles * toUs,
      pid,
      tid,
      args: { cycles: r.cycles, cpu: r.cpu, ...(r.args ?? {}) },
    });
  }
  return {
    traceEvents: [...meta, ...events],
    displayTimeUnit: "ns",
    otherData: { ...otherData, cpu_hz: hz, records: trace.size, dropped: trace.dropped },
  };
}
