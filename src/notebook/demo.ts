/**
 * `hypernote demo`: the main job until the notebooks run end to end. Boots a two-CPU machine on each
 * cost profile, runs the same ping-pong workload on each, and writes a standalone HTML report with a
 * latency distribution figure and a summary table per profile.
 *
 * The workload is machine-level: two guest programs on two CPUs exchange messages, each send paying a
 * kernel entry, a one-way IPC and the copy of its message words, and every 16th round unmapping a
 * buffer (a TLB shootdown to the other CPU). The kernel models charge the same primitives on their
 * own paths; this one shows the machine, cost model, trace and report on their own.
 */
import { parseArgs } from "node:util";
import { createMachine, type HypernoteMachine } from "../index.js";
import { HtmlReport, figure } from "../display/index.js";
import { cdf, combinedProvenance, latencySummary, provenanceOf, type Series } from "../metrics/index.js";
import { GuestThread, profiles, type Dispatcher, type GuestProgram, type ProfileName } from "../machine/index.js";

interface Message {
  words: number;
}

/** One side of the ping-pong: `rounds` messages of a seeded random size (1–8 words). */
const pingPong: GuestProgram<Message, number> = function* (arg) {
  const rounds = Number(arg);
  let reply = 1;
  for (let i = 0; i < rounds; i++) reply = yield { words: 1 + (reply % 8) };
};

/** Two threads, one per CPU; a CPU runs when it holds the token, and each send passes the token on. */
function pingPongKernel(m: HypernoteMachine, rounds: number): void {
  m.programs.register("ping-pong", pingPong as GuestProgram);
  const threads = [0, 1].map((cpu) => {
    const t = new GuestThread<Message, number>(m.programs, "ping-pong", rounds);
    t.resume();
    m.cpus[cpu]!.enter(`space${cpu}`);
    m.cpus[cpu]!.enter("shared-buffer");
    return t;
  });
  let token = 0;
  let round = 0;
  m.on("demo.wake", (_, cpu) => {
    token = cpu;
  });
  const dispatcher: Dispatcher = {
    ready: (cpu) => cpu === token && !threads[cpu]!.done,
    step: (cpu) => {
      const t = threads[cpu]!;
      const { words } = t.pending!;
      const actor = `space${cpu}/thread0`;
      m.chargeMany(cpu, ["syscall", "kpti_switch", "ipc_oneway", ["utcb_word_copy", words]], "demo", "send", actor, { words });
      if (++round % 16 === 0) m.tlbShootdown(cpu, "shared-buffer", "demo", actor, { reason: "unmap buffer" });
      token = -1;
      m.ipi(cpu, 1 - cpu, "demo.wake");
      t.resume(m.rng.below(1 << 16));
    },
  };
  m.addDispatcher(dispatcher);
}

export interface DemoOptions {
  seed?: number;
  rounds?: number;
  out?: string;
}

export function runDemo(options: DemoOptions = {}): { path: string; machines: HypernoteMachine[] } {
  const seed = options.seed ?? 1;
  const rounds = options.rounds ?? 500;
  const report = new HtmlReport("hypernote demo: one workload on three cost profiles");
  report.paragraph(
    `Two guest programs on two CPUs exchange ${rounds} messages each; every send is a kernel entry, a one-way IPC and ` +
      "the copy of 1–8 message words, and every 16th send unmaps a buffer both CPUs have used (a TLB shootdown). Seed " +
      `${seed}. All figures come from the emulator's cost model, not from hardware.`,
  );
  const machines: HypernoteMachine[] = [];
  const series: Series[] = [];
  for (const profile of Object.keys(profiles) as ProfileName[]) {
    const m = createMachine({ cpus: 2, seed, costs: profile });
    pingPongKernel(m, rounds);
    m.run({ until: () => false });
    machines.push(m);
    series.push({ name: profile, values: m.trace.records({ op: "send" }).map((r) => r.cycles) });
  }
  report.heading("Latency of a send, by cost profile");
  report.figure(
    figure(
      cdf(series, {
        title: "Send latency (CDF)",
        provenance: combinedProvenance(machines.map((m) => provenanceOf(m))),
      }),
    ),
    "Each profile's sources are listed in src/machine/costs/; approximate or assumed entries are marked.",
  );
  for (const m of machines) {
    report.heading(`Summary: ${m.costs.profile.id} (${m.costs.profile.description})`, 3);
    report.table(latencySummary(m.trace, m.costs), { caption: `${m.trace.size} operations recorded, ${m.trace.dropped} dropped` });
  }
  const path = report.write(options.out ?? "out/report.html");
  return { path, machines };
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { seed: { type: "string" }, rounds: { type: "string" }, out: { type: "string", short: "o" } },
  });
  const { path, machines } = runDemo({
    seed: values.seed === undefined ? undefined : Number(values.seed),
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
    out: values.out,
  });
  for (const m of machines) process.stdout.write(`${m.costs.profile.id}: ${m.trace.size} operations, ${m.now()} cycles simulated\n`);
  process.stdout.write(`report written to ${path}\n`);
  return 0;
}
