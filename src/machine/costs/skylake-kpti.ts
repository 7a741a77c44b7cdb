/**
 * Skylake with Meltdown mitigation: every kernel entry and exit switches page tables.
 * Same machine and sources as `skylake`; only the page-table switch differs.
 */
import { skylake } from "./skylake.js";
import type { CostProfile } from "./types.js";

export const skylakeKpti = {
  id: "skylake-kpti",
  description: "Intel Core i7-6700 (Skylake client), 3.4 GHz, KPTI on",
  cpuModel: skylake.cpuModel,
  hz: skylake.hz,
  entries: {
    ...skylake.entries,
    kpti_switch: {
      cycles: 455,
      confidence: "derived",
      source: "sel4bench-results null_syscall on i7-6700 with the skim window (KPTI-like CR3 switch) 592 − without 134 (2026/pc99-skylake/PC99_64_skylake.jsonl vs PC99_64_noksw_skylake.jsonl); latency-tcb.md §1",
    },
  },
} as const satisfies CostProfile;
