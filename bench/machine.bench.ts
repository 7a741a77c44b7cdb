/** Foundation targets: charging + tracing ≥ 20 M/s; event queue insert+pop ≥ 5 M/s at 10^5 pending. */
import { EventQueue, Machine } from "hypernote/machine";
import { opsPerSecond, rate, type BenchResult } from "./harness.js";

export default function machineSuite(): BenchResult[] {
  const m = new Machine({ cpus: 2 });
  const charge = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) m.charge(i & 1, "syscall", "bench", "null", "pd0/ec0");
  }, 2_000_000);

  const chargeMany = opsPerSecond((n) => {
    const parts = ["syscall", "ipc_oneway", ["utcb_word_copy", 4]] as const;
    for (let i = 0; i < n; i++) m.chargeMany(0, parts, "bench", "call", "pd0/ec0");
  }, 1_000_000);

  const q = new EventQueue();
  let t = 0;
  for (let i = 0; i < 100_000; i++) q.push((i * 7919) % 100_000, 0, "e", undefined);
  const queue = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) {
      q.push(t + ((i * 7919) % 100_000), 0, "e", undefined);
      t = q.pop()!.time;
    }
  }, 1_000_000);

  return [
    rate("machine", "charge one primitive + trace record", charge, 20e6),
    rate("machine", "charge three primitives as one operation + trace record", chargeMany),
    rate("machine", "event queue insert+pop at 10^5 pending", queue, 5e6, { pending: 100_000 }),
  ];
}
