/**
 * Default profile: Intel Skylake client, Core i7-6700 at 3.4 GHz, no Meltdown mitigation.
 * Figures and sources: shared/reference/latency-tcb.md §1–§5 (its §5 is the suggested default table).
 * Citations name the original source as that reference gives it.
 */
import type { CostProfile } from "./types.js";

const NS = 3.4; // cycles per nanosecond at 3.4 GHz

export const skylake = {
  id: "skylake",
  description: "Intel Core i7-6700 (Skylake client), 3.4 GHz, KPTI off",
  cpuModel: "Intel Core i7-6700 (Skylake)",
  hz: 3.4e9,
  entries: {
    syscall: {
      cycles: 135,
      confidence: "measured",
      source: "seL4/sel4bench-results 2026/pc99-skylake/PC99_64_noksw_skylake.jsonl, null_syscall mean 131–136 (i7-6700, no KPTI); latency-tcb.md §1, §5",
    },
    kpti_switch: {
      cycles: 0,
      confidence: "derived",
      source: "KPTI is off in this profile, so a kernel entry switches no page tables; see profile skylake-kpti for the +455",
    },
    ipc_oneway: {
      cycles: 300,
      confidence: "derived",
      source: "NOVA one-way inter-AS IPC 288 cycles on Core i7 920 (Steinberg & Kauer, EuroSys'10, via trustworthy.systems comparative_performance), scaled to ≈300 for Skylake as latency-tcb.md §5 suggests",
    },
    sel4_ipc_call: {
      cycles: 375,
      confidence: "measured",
      source: "seL4 website About/Performance (commit 00622ca8, 2024-05-23): x86_64 i7-6700 IPC call 375 (σ3), no Meltdown mitigation",
    },
    sel4_ipc_reply: {
      cycles: 382,
      confidence: "measured",
      source: "seL4 website About/Performance (commit 00622ca8, 2024-05-23): x86_64 i7-6700 IPC reply 382 (σ2)",
    },
    fiasco_ipc_oneway: {
      cycles: 1130,
      confidence: "measured",
      source: "l4re.org/performance.html: Fiasco inter-AS IPC, Xeon Platinum 8352S (Ice Lake-SP), 1,128 unhalted cycles (≈1,130 in latency-tcb.md §5)",
    },
    notification: {
      cycles: 752,
      confidence: "measured",
      source: "seL4 website About/Performance: notify (signal to higher-priority process in another AS) 752 cycles, i7-6700",
    },
    irq_to_user: {
      cycles: 1235,
      confidence: "measured",
      source: "seL4 website About/Performance: IRQ → user-level handler 1,235 (σ 202) cycles, i7-6700 Skylake, no KPTI",
    },
    utcb_word_copy: {
      cycles: 1,
      confidence: "derived",
      source: "one 8-byte message word copied between UTCBs in L1: 8 B × 0.03 cycles/B (in-L1 copy peak ≈32 B/cycle, latency-tcb.md §1) rounded up to whole cycles",
    },
    typed_item_xfer: {
      cycles: 200,
      confidence: "assumed",
      source: "no published figure for a NOVA typed-item transfer; assumed one capability-table update ≈ a local INVLPG-class kernel operation (200)",
    },
    vmexit: {
      cycles: 1190,
      confidence: "measured",
      source: "kvm-unit-tests vmexit VMCALL 1,195 → 1,181 cycles incl. minimal KVM handling (Linux commit 'x86/kvm/vmx: Defer TR reload after VM exit', A. Lutomirski, 2017); latency-tcb.md §5 uses 1,190",
    },
    xen_hvm_hypercall: {
      cycles: 1228,
      confidence: "approximate",
      source: "Dall et al., ISCA'16, Table 3: Xen x86 hypercall 1,228 cycles (recalled, latency-tcb.md §3 ⚠)",
    },
    xen_pv_hypercall: {
      cycles: 135,
      confidence: "assumed",
      source: "no published 64-bit PV hypercall figure (latency-tcb.md §3 'open'); a PV hypercall enters Xen with the syscall instruction, so assumed equal to a null syscall round trip (135)",
    },
    evtchn_send_remote: {
      cycles: 10050,
      confidence: "approximate",
      source: "Dall et al., ISCA'16, Table 3: Xen x86 I/O latency in (backend → guest notified) 10,050 cycles (recalled, latency-tcb.md §3 ⚠); used as the cross-CPU event-channel one-way",
    },
    evtchn_send_local: {
      cycles: 1464,
      confidence: "approximate",
      source: "no same-CPU event-channel figure (latency-tcb.md §7 Q4); taken as one virtual IRQ completion, Dall et al. ISCA'16 Table 3 Xen x86 EOI 1,464 (recalled ⚠)",
    },
    virtual_ipi: {
      cycles: 5562,
      confidence: "approximate",
      source: "Dall et al., ISCA'16, Table 3: Xen x86 virtual IPI 5,562 cycles (recalled ⚠)",
    },
    vm_switch: {
      cycles: 10534,
      confidence: "approximate",
      source: "Dall et al., ISCA'16, Table 3: Xen x86 VM switch 10,534 cycles (recalled ⚠)",
    },
    ipi: {
      cycles: 1 * 1000 * NS,
      confidence: "approximate",
      source: "native IPI delivery ≈ 1 µs base (secondary sources only: newsletter.onedfrk.com, unseel.com/cs/tlb-shootdown; latency-tcb.md §1 ⚠) × 3.4 GHz",
    },
    tlb_shootdown_remote: {
      cycles: 2600,
      confidence: "derived",
      source: "N. Amit, LKML 2019-05-25 TLB-flush microbenchmark on Haswell: 2 threads 1,436 ns − 1 thread 661 ns = 775 ns per remote CPU (IPI + remote INVLPG + ack) × 3.4 GHz ≈ 2,600",
    },
    invlpg: {
      cycles: 200,
      confidence: "approximate",
      source: "'100s of cycles' for a single-page local flush (N. Amit, LKML 2019-05-25); value 200 from latency-tcb.md §5",
    },
    page_map: {
      cycles: 1800,
      confidence: "measured",
      source: "seL4/sel4bench-results map_1 ≈ 1,700–1,900 cycles on Skylake noksw (latency-tcb.md §1; §5 uses 1,800)",
    },
    cache_l1: {
      cycles: 4,
      confidence: "measured",
      source: "Dive into Deep Learning hardware section: L1 hit ≈ 4 cycles (Skylake-class)",
    },
    cache_l2: {
      cycles: 12,
      confidence: "measured",
      source: "Dive into Deep Learning hardware section: L2 hit 12–17 cycles (Skylake-class); lower bound",
    },
    cache_l3: {
      cycles: 42,
      confidence: "measured",
      source: "Dive into Deep Learning hardware section: L3 hit ≈ 42 cycles (16 ns)",
    },
    dram_access: {
      cycles: 200,
      confidence: "derived",
      source: "DRAM load ≈ 60 ns (J. McCalpin: 53.6 ns Xeon E3-1270 SNB client) × 3.4 GHz ≈ 204, rounded to 200 as latency-tcb.md §5",
    },
    memcpy_per_byte: {
      cycles: 0.2,
      confidence: "derived",
      source: "DRAM-bound copy 13 GB/s (glibc, i7-6700HQ, DDR4-2400; stackoverflow.com/q/43343231) at 2.6 GHz base ≈ 5 B/cycle ⇒ 0.2 cycles/B",
    },
    memcpy_per_byte_l1: {
      cycles: 0.03,
      confidence: "approximate",
      source: "in-L1 copy peak 2×32 B loads + 1×32 B store per cycle ⇒ ≈32 B/cycle ⇒ 0.03 cycles/B (Intel optimisation manual / Agner Fog, recalled ⚠)",
    },
    domain_create: {
      cycles: 2.3e6 * NS,
      confidence: "derived",
      source: "LightVM (Manco et al., SOSP'17): VM boot 2.3 ms with noxs + chaos (unikernel) × 3.4 GHz; a lower bound for a stock xl create",
    },
    xenstored_request: {
      cycles: 3 * 1000 * NS,
      confidence: "assumed",
      source: "no published per-request XenStore latency (reference/xen.md §8.1 lists it as not found): C xenstored's in-memory path (parse, canonicalise, permission check, hash lookup, reply) estimated at 3 µs of user time",
    },
    linux_backend_request: {
      cycles: 1 * 1000 * NS,
      confidence: "assumed",
      source: "no published per-request cycle figure for Linux netback/blkback outside the grant operations (latency-tcb.md §3 gives only throughputs): skb/bio set-up and ring bookkeeping estimated at 1 µs",
    },
    linux_hotplug_script: {
      cycles: 1 * 1000 * 1000 * NS,
      confidence: "assumed",
      source: "no published figure: udev/xl running /etc/xen/scripts/vif-bridge or block (fork+exec of bash, brctl/losetup) estimated at 1 ms",
    },
    libxl_op: {
      cycles: 200 * 1000 * NS,
      confidence: "assumed",
      source: "no published figure: one xl invocation's fixed work (process start, libxl_ctx_alloc, xenstore and privcmd opens) estimated at 0.2 ms",
    },
  },
} as const satisfies CostProfile;

export type Primitive = keyof typeof skylake.entries;
