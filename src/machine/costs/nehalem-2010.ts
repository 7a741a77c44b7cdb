/**
 * The NOVA paper's machine: Intel Core i7 920 (Bloomfield/Nehalem) at 2.67 GHz, 2010, before
 * Meltdown. Steinberg & Kauer, EuroSys'10. Entries with no Nehalem-era figure reuse another
 * generation's number and say so (confidence "assumed").
 */
import { skylake } from "./skylake.js";
import type { CostEntry, CostProfile } from "./types.js";

const NS = 2.67; // cycles per nanosecond at 2.67 GHz

/** A figure from another CPU generation, kept as an explicit assumption for this one. */
function reuse(entry: CostEntry, from: string): CostEntry {
  return { cycles: entry.cycles, confidence: "assumed", source: `no Nehalem figure; reuses the ${from} figure — ${entry.source}` };
}

const s = skylake.entries;

export const nehalem2010 = {
  id: "nehalem-2010",
  description: "Intel Core i7 920 (Nehalem/Bloomfield), 2.67 GHz, the NOVA paper's machine (EuroSys'10)",
  cpuModel: "Intel Core i7 920 (Bloomfield)",
  hz: 2.67e9,
  entries: {
    syscall: reuse(s.syscall, "Skylake"),
    kpti_switch: { cycles: 0, confidence: "derived", source: "a 2010 kernel has no Meltdown mitigation, so no page-table switch on entry" },
    ipc_oneway: {
      cycles: 288,
      confidence: "measured",
      source: "NOVA one-way inter-AS IPC, hot cache, 288 cycles (108 ns) on x86-32 Core i7 920 2.67 GHz: Steinberg & Kauer, EuroSys'10, as tabulated at trustworthy.systems/projects/OLD/L4/comparative_performance",
    },
    sel4_ipc_call: {
      cycles: 579,
      confidence: "assumed",
      source: "no Nehalem figure; seL4 website About/Performance, x86_64 i7-4770 Haswell IPC call 579 (the oldest x86 generation published)",
    },
    sel4_ipc_reply: {
      cycles: 589,
      confidence: "assumed",
      source: "no Nehalem figure; seL4 website About/Performance, x86_64 i7-4770 Haswell IPC reply 589",
    },
    fiasco_ipc_oneway: reuse(s.fiasco_ipc_oneway, "Ice Lake-SP"),
    notification: {
      cycles: 1247,
      confidence: "assumed",
      source: "no Nehalem figure; seL4 website About/Performance, x86_64 i7-4770 Haswell notify 1,247",
    },
    irq_to_user: {
      cycles: 1479,
      confidence: "assumed",
      source: "no Nehalem figure; seL4 website About/Performance, IRQ → user handler on i7-4770 Haswell 1,479 (σ 269)",
    },
    utcb_word_copy: reuse(s.utcb_word_copy, "Skylake"),
    typed_item_xfer: s.typed_item_xfer,
    vmexit: {
      cycles: 2000,
      confidence: "measured",
      source: "direct VM exit cost (world switch only) ≈ 2,000 cycles, KVM on Xeon X5570 (Nehalem, 2.93 GHz), EPT+VPID: SplitX (Landau, Ben-Yehuda, Gordon, WIOV'11) §1",
    },
    xen_hvm_hypercall: reuse(s.xen_hvm_hypercall, "ISCA'16 x86 server"),
    xen_pv_hypercall: s.xen_pv_hypercall,
    evtchn_send_remote: reuse(s.evtchn_send_remote, "ISCA'16 x86 server"),
    evtchn_send_local: reuse(s.evtchn_send_local, "ISCA'16 x86 server"),
    virtual_ipi: reuse(s.virtual_ipi, "ISCA'16 x86 server"),
    vm_switch: reuse(s.vm_switch, "ISCA'16 x86 server"),
    ipi: { cycles: 1 * 1000 * NS, confidence: "approximate", source: "native IPI delivery ≈ 1 µs base (secondary sources, latency-tcb.md §1 ⚠) × 2.67 GHz" },
    tlb_shootdown_remote: {
      cycles: Math.round(775 * NS),
      confidence: "derived",
      source: "775 ns per remote CPU (N. Amit, LKML 2019-05-25: 1,436 − 661 ns, Haswell) × 2.67 GHz; the time is assumed to carry over from Haswell to Nehalem",
    },
    invlpg: s.invlpg,
    page_map: reuse(s.page_map, "Skylake"),
    cache_l1: { cycles: 4, confidence: "measured", source: "Intel Performance Analysis Guide (Levinthal) for Core i7/Xeon 5500: L1 ≈ 4 cycles (stackoverflow.com/q/4087280)" },
    cache_l2: { cycles: 10, confidence: "measured", source: "Intel Performance Analysis Guide (Levinthal) for Core i7/Xeon 5500: L2 ≈ 10 cycles" },
    cache_l3: { cycles: 40, confidence: "measured", source: "Intel Performance Analysis Guide (Levinthal) for Core i7/Xeon 5500: L3 ≈ 40 cycles (unshared line)" },
    dram_access: { cycles: Math.round(60 * NS), confidence: "derived", source: "local DRAM ≈ 60 ns (Levinthal, Core i7/Xeon 5500) × 2.67 GHz" },
    memcpy_per_byte: reuse(s.memcpy_per_byte, "Skylake"),
    memcpy_per_byte_l1: reuse(s.memcpy_per_byte_l1, "Skylake"),
    domain_create: {
      cycles: 2.3e6 * NS,
      confidence: "derived",
      source: "LightVM (Manco et al., SOSP'17) VM boot 2.3 ms with noxs + chaos × 2.67 GHz; the time is assumed to carry over",
    },
    xenstored_request: { cycles: 3 * 1000 * NS, confidence: "assumed", source: "as skylake: no published per-request XenStore latency; 3 µs of xenstored user time assumed, the time carried over to 2.67 GHz" },
    linux_backend_request: { cycles: 1 * 1000 * NS, confidence: "assumed", source: "as skylake: Linux netback/blkback per-request work outside grant operations assumed 1 µs, the time carried over" },
    linux_hotplug_script: { cycles: 1 * 1000 * 1000 * NS, confidence: "assumed", source: "as skylake: hotplug script (fork+exec of bash) assumed 1 ms, the time carried over" },
    libxl_op: { cycles: 200 * 1000 * NS, confidence: "assumed", source: "as skylake: one xl invocation's fixed work assumed 0.2 ms, the time carried over" },
  },
} as const satisfies CostProfile;
