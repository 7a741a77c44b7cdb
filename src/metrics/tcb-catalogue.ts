/**
 * The trusted-computing-base catalogue: lines of code of every component a scenario can be built
 * from, each with its source, and `tcb()` to sum a set of them by category.
 *
 * Figures and their sources as shared/reference states them: latency-tcb.md §4 (4a counted, 4b
 * published), genode.md §5.1 (counted) and §5.2 (Genode's published claims), xen.md §8.1, nova.md
 * §7.1. "cloc" = code lines (no blanks, no comments) counted with cloc on the named snapshot;
 * "published" = a figure someone else published, quoted with its method where known. Where two
 * references count the same thing differently, the entry keeps one figure and names the other in
 * its source. Entries flagged `approximate` rest on a range, a bound ("> 1.4M", "a little over"),
 * a secondary source or a figure the reference marks ⚠ (recalled, not re-read).
 */

export const TCB_CATEGORIES = ["kernel", "core/runtime", "services", "drivers", "dom0 OS", "device model", "toolstack"] as const;
export type TcbCategory = (typeof TCB_CATEGORIES)[number];

export interface TcbComponent {
  readonly id: string;
  readonly name: string;
  /** Lines of code (see `counted` for what kind of lines). */
  readonly loc: number;
  readonly category: TcbCategory;
  /** Where the figure comes from: reference section, snapshot, paths, method, caveats. */
  readonly source: string;
  /** Release, tag or commit the figure describes. */
  readonly version: string;
  readonly counted: "cloc" | "published";
  /** A range, a bound, a secondary source or a ⚠ figure: plots mark totals that include it. */
  readonly approximate: boolean;
  /** Ids of entries that count some of the same code: a TCB may not contain both (double counting). */
  readonly overlaps?: readonly string[];
}

const LT4A = "latency-tcb.md §4a, cloc 1.96 code lines on `git archive` of the public mirror";
const G51 = "genode.md §5.1, cloc code lines, genodelabs/genode HEAD ffb059da";

type Row = Omit<TcbComponent, "approximate" | "counted"> & { counted?: "cloc" | "published"; approximate?: boolean };

const rows: Row[] = [
  // ---- kernels -----------------------------------------------------------------------------
  { id: "nova-v0.1", name: "NOVA microhypervisor v0.1 (paper era)", loc: 8_835, category: "kernel", version: "udosteinberg/NOVA tag v0.1 = ee959952 (2009-12-23)",
    source: `nova.md §7.1 and ${LT4A}: src/ + include/, hdr 4,477 · C++ 4,151 · asm 207 (excl. Makefile); matches the EuroSys'10 "~9 KLOC" claim (⚠ recalled)` },
  { id: "nova-v0.2", name: "NOVA microhypervisor v0.2", loc: 9_045, category: "kernel", version: "udosteinberg/NOVA v0.2 (2010-08)",
    source: `${LT4A}, same method as v0.1 (not listed in nova.md §7.1)` },
  { id: "nova-v0.4", name: "NOVA microhypervisor v0.4", loc: 8_916, category: "kernel", version: "udosteinberg/NOVA v0.4 (2011-07-13)",
    source: `nova.md §7.1 and ${LT4A}: src/ + include/, hdr 4,465 · C++ 4,239 · asm 212` },
  { id: "nova-s14", name: "NOVA microhypervisor, classic interface (S14)", loc: 9_530, category: "kernel", version: "udosteinberg/NOVA master = 792d1313 (2014-06-23), x86_32/64",
    source: "nova.md §7.1: cloc 1.96 on src/ + include/, hdr 4,740 · C++ 4,553 · asm 237" },
  { id: "nova-genode", name: "NOVA microhypervisor, Genode's fork (GF)", loc: 15_029, category: "kernel", version: "alex-ab/NOVA branch r10 = 60419b83 (2024-09-13); Genode pins 0884702a, not in the snapshot",
    source: "nova.md §7.1 (src/ + include/) and genode.md §5.1 (\"whole repo\", x86 32+64): cloc, C++ 7,883 · hdr 6,893 · asm 253" },
  { id: "nova-24.08-x86_64", name: "NOVA microhypervisor release-24.08, x86_64 build", loc: 13_957, category: "kernel", version: "udosteinberg/NOVA tag release-24.08.0 = 8b6c28a0",
    source: `nova.md §7.1 and ${LT4A}: src/ + inc/ excluding aarch64/, hdr 8,501 · C++ 4,955 · asm 501` },
  { id: "nova-24.08-aarch64", name: "NOVA microhypervisor release-24.08, aarch64 build", loc: 11_105, category: "kernel", version: "udosteinberg/NOVA tag release-24.08.0 = 8b6c28a0",
    source: `nova.md §7.1 and ${LT4A}: src/ + inc/ excluding x86_64/, hdr 6,871 · C++ 3,876 · asm 358` },
  { id: "nova-24.08-tree", name: "NOVA microhypervisor release-24.08, whole tree", loc: 19_747, category: "kernel", version: "udosteinberg/NOVA tag release-24.08.0 = 8b6c28a0",
    source: `nova.md §7.1 and ${LT4A}: every architecture, hdr 12,086 · C++ 6,817 · asm 844`, overlaps: ["nova-24.08-x86_64", "nova-24.08-aarch64"] },
  { id: "sel4-tree", name: "seL4 kernel source tree (all architectures, MCS and non-MCS)", loc: 58_246, category: "kernel", version: "seL4 16.0.0-16-g1326364",
    source: `${LT4A}: src + include; generic 15,588, arch/x86 17,398, arch/arm 17,873 — a source tree, not one built configuration` },
  { id: "sel4-x64", name: "seL4 kernel, x64 configuration", loc: 18_000, category: "kernel", version: "seL4 as of the FAQ (riscv figure dated Jan 2020)", counted: "published", approximate: true,
    source: "latency-tcb.md §4b: seL4/website About/FAQ.md \"What is the size of seL4?\": x64 16–18 kSLOC (range; the upper bound 18,000 is used)" },
  { id: "sel4-riscv64", name: "seL4 kernel, RISC-V64 configuration", loc: 9_400, category: "kernel", version: "seL4, Jan 2020", counted: "published", approximate: true,
    source: "latency-tcb.md §4b: seL4/website About/FAQ.md: RISC-V64 ≈ 9,400 SLOC (Jan 2020); Arm similar; binary ≈ 138 KiB code" },
  { id: "sel4-armv6-verified", name: "seL4, original verified ARMv6 kernel", loc: 9_300, category: "kernel", version: "SOSP'09", counted: "published", approximate: true,
    source: "latency-tcb.md §4b: Klein et al., SOSP'09: 8,700 C + 600 asm (⚠ recalled)" },
  { id: "muen", name: "Muen separation kernel (x86-64, SPARK)", loc: 5_000, category: "kernel", version: "as of Genode 15.05", counted: "published", approximate: true,
    source: "latency-tcb.md §4b and genode.md §5.2: genodelabs/genode doc/release_notes/15-05.txt, \"a little over 5,000 LOC\" (lower bound)" },
  { id: "genode-base-hw-core", name: "Genode base-hw core (Genode's own kernel, core co-located)", loc: 12_817, category: "kernel", version: "genodelabs/genode 26.02-298",
    source: `${LT4A}; genode.md §5.2 quotes RN 12.08: base-hw co-locating core with kernel ≈ 13K LOC` },
  { id: "kvm", name: "KVM (Linux loadable module)", loc: 33_600, category: "kernel", version: "as of NDSS'13", counted: "published",
    source: "latency-tcb.md §4b: Wu, Wang, Jiang, \"Taming Hosted Hypervisors with (Mostly) Deprivileged Execution\", NDSS'13 abstract: 33.6K SLOC" },
  ...xenReleases(),

  // ---- core / runtime ------------------------------------------------------------------------
  { id: "genode-core", name: "Genode core, generic", loc: 5_601, category: "core/runtime", version: "genodelabs/genode HEAD ffb059da (26.02-298)",
    source: `${G51}: repos/base/src/core; latency-tcb.md §4a agrees (5,601)` },
  { id: "genode-core-nova", name: "Genode core, NOVA glue", loc: 3_873, category: "core/runtime", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: repos/base-nova/src/core (latency-tcb.md §4a states 3,876 at 26.02-298); core on NOVA ≈ 9.5K with the generic part` },
  { id: "genode-core-nova-full", name: "Genode core on NOVA incl. internal and NOVA headers", loc: 12_595, category: "core/runtime", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: base/src/core + base-nova/src/core + base/src/include + base-nova/src/include + base-nova/include`, overlaps: ["genode-core", "genode-core-nova"] },
  { id: "genode-core-sel4", name: "Genode core, seL4 glue (base-sel4)", loc: 5_421, category: "core/runtime", version: "genodelabs/genode 26.02-298",
    source: `${LT4A}: base-sel4 core` },
  { id: "genode-base-lib-nova", name: "Genode base library on NOVA (base, startup, cxx, ldso, base-nova lib)", loc: 9_435, category: "core/runtime", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: base/src/lib/{base,startup,cxx,ldso} + base-nova/src/lib; linked into every component`, overlaps: ["genode-base-lib"] },
  { id: "genode-base-lib", name: "Genode base library (generic)", loc: 8_627, category: "core/runtime", version: "genodelabs/genode 26.02-298",
    source: `${LT4A}: base/src/lib; linked into every component`, overlaps: ["genode-base-lib-nova"] },
  { id: "genode-api-headers", name: "Genode public API headers", loc: 13_777, category: "core/runtime", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: base/include (shared, partly instantiated everywhere); latency-tcb.md §4a agrees (13,777)` },
  { id: "genode-init", name: "Genode init (with the sandbox library)", loc: 3_223, category: "core/runtime", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: os/src/init + os/src/lib/sandbox + os/include/sandbox (latency-tcb.md §4a states 3,286 for os/src/init + os/src/lib/sandbox at 26.02-298)` },
  { id: "genode-timeout-lib", name: "Genode timeout library", loc: 467, category: "core/runtime", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: base/src/lib/timeout` },
  { id: "mini-os", name: "Mini-OS (Xen stub-domain OS)", loc: 25_248, category: "core/runtime", version: "xen-project/mini-os 229260e (2016 snapshot, xen-4.7.0+70); Xen 4.22 pins tag xen-RELEASE-4.22.0",
    source: "latency-tcb.md §4a and xen.md §8.1: cloc, C 13,473 + hdr 10,566 + asm 802; the stored mirror is stale (2016)" },
  { id: "nova-user-env", name: "NOVA user environment (EuroSys'10 Fig. 1)", loc: 7_000, category: "core/runtime", version: "EuroSys'10", counted: "published", approximate: true,
    source: "nova.md §7.2 and latency-tcb.md §4b: Steinberg & Kauer, EuroSys'10, Fig. 1: user environment ≈ 7K (⚠ recalled, per-bar values not verified)" },

  // ---- services ------------------------------------------------------------------------------
  { id: "xenstored-c-4.0", name: "C xenstored (incl. client library)", loc: 7_798, category: "services", version: "Xen RELEASE-4.0.0", source: `${LT4A}: tools/xenstore (incl. client lib)` },
  { id: "xenstored-c-4.18", name: "C xenstored", loc: 7_831, category: "services", version: "Xen RELEASE-4.18.0", source: `${LT4A}: tools/xenstored` },
  { id: "xenstored-c-4.22", name: "C xenstored", loc: 8_576, category: "services", version: "Xen RELEASE-4.22.0",
    source: `${LT4A}: tools/xenstored (xen.md §8.1 counts 8,166 code lines, 6,972 excl. bundled talloc/hashtable, for the same directory)` },
  { id: "oxenstored-4.10", name: "OCaml oxenstored", loc: 3_501, category: "services", version: "Xen RELEASE-4.10.0", source: `${LT4A}: tools/ocaml/xenstored; excludes the OCaml runtime and libraries` },
  { id: "oxenstored-4.18", name: "OCaml oxenstored", loc: 3_979, category: "services", version: "Xen RELEASE-4.18.0", source: `${LT4A}: tools/ocaml/xenstored; excludes the OCaml runtime and libraries` },
  { id: "oxenstored-4.22", name: "OCaml oxenstored", loc: 4_022, category: "services", version: "Xen RELEASE-4.22.0",
    source: `${LT4A}: tools/ocaml/xenstored; excludes the OCaml runtime and libraries (xen.md §8.1 counts 3,826 OCaml lines for the same directory)` },
  { id: "genode-timer-nova", name: "Genode timer driver (NOVA)", loc: 276, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: base-nova/src/timer/nova` },
  { id: "genode-nic-router", name: "Genode nic_router", loc: 7_084, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/server/nic_router` },
  { id: "genode-nic-bridge", name: "Genode nic_bridge", loc: 702, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/server/nic_bridge` },
  { id: "genode-net-lib", name: "Genode net library", loc: 1_910, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/lib/net` },
  { id: "genode-log-terminal", name: "Genode log_terminal", loc: 110, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/server/log_terminal` },
  { id: "genode-terminal-log", name: "Genode terminal_log", loc: 82, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/server/terminal_log` },
  { id: "genode-vfs-server", name: "Genode vfs server", loc: 1_385, category: "services", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: os/src/server/vfs (components using libc pull in much more)` },
  { id: "genode-vfs-lib", name: "Genode VFS library", loc: 6_515, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/lib/vfs` },
  { id: "genode-vfs-block", name: "Genode vfs_block", loc: 557, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/server/vfs_block` },
  { id: "genode-part-block", name: "Genode part_block", loc: 1_160, category: "services", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/server/part_block` },
  { id: "genode-report-rom", name: "Genode report_rom", loc: 507, category: "services", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: os/src/server/report_rom + os/include/report_rom` },
  { id: "genode-nitpicker", name: "Genode nitpicker GUI server", loc: 3_492, category: "services", version: "genodelabs/genode HEAD ffb059da",
    source: `${G51}: os/src/server/nitpicker (genode.md §5.2, RN 20.08: binary ≈ 11,000 LOC incl. Genode API, ≈ 3,000 own)` },
  { id: "genode-wm", name: "Genode window manager", loc: 2_000, category: "services", version: "as of Genode 14.08", counted: "published", approximate: true,
    source: "genode.md §5.2: Genode release notes 14.08, window manager < 2,000 LOC, no C runtime (upper bound)" },

  // ---- drivers -------------------------------------------------------------------------------
  { id: "genode-ahci", name: "Genode AHCI driver", loc: 1_745, category: "drivers", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/driver/ahci` },
  { id: "genode-nvme", name: "Genode NVMe driver", loc: 1_872, category: "drivers", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/driver/nvme` },
  { id: "genode-platform", name: "Genode platform driver", loc: 3_558, category: "drivers", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/driver/platform` },
  { id: "genode-acpi", name: "Genode ACPI driver", loc: 1_663, category: "drivers", version: "genodelabs/genode HEAD ffb059da", source: `${G51}: os/src/driver/acpi` },
  { id: "intel-fb", name: "Intel framebuffer driver (ported to Genode)", loc: 122_000, category: "drivers", version: "as of Genode 20.08", counted: "published", approximate: true,
    source: "genode.md §5.2: Genode release notes 20.08, Intel fb driver > 122,000 LOC (sloccount; lower bound)" },

  // ---- dom0 OS -------------------------------------------------------------------------------
  { id: "linux-ubuntu-14.04", name: "Linux kernel, compiled lines of a distribution build (Ubuntu 14.04)", loc: 1_500_000, category: "dom0 OS", version: "Ubuntu 14.04 kernel", counted: "published", approximate: true,
    source: "latency-tcb.md §4b and genode.md §5.2: genode doc/release_notes/16-08.txt, ≈ 1,500K compiled lines; the only sourced compiled-LOC figure for a distro (Dom0-style) kernel (latency-tcb.md §7 Q11)" },
  { id: "linux-6.13-tree", name: "Linux source tree", loc: 39_800_000, category: "dom0 OS", version: "Linux 6.13 (Jan 2025)", counted: "published", approximate: true, overlaps: ["linux-ubuntu-14.04"],
    source: "latency-tcb.md §4b: altusintel.com / pbxscience.com (Heise data): 39.8M lines incl. blanks and comments (24M drivers, ≈ 0.5M x86 arch) — a whole tree, not a build" },

  // ---- device models -------------------------------------------------------------------------
  { id: "qemu", name: "QEMU", loc: 1_400_000, category: "device model", version: "as of 2019", counted: "published", approximate: true,
    source: "latency-tcb.md §4b and xen.md §8.1: \"well over one million lines of C\", \"> 1.4M LOC\" (LWN \"The Firecracker virtual machine monitor\", 2019, secondary; lower bound)" },
  { id: "firecracker", name: "Firecracker VMM (Rust)", loc: 50_000, category: "device model", version: "as of NSDI'20", counted: "published", approximate: true,
    source: "latency-tcb.md §4b: Agache et al., NSDI'20 (paper notes, justinlinkk.github.io): ≈ 50K LOC Rust" },
  { id: "nova-vmm", name: "NOVA user-level VMM (EuroSys'10 Fig. 1)", loc: 20_000, category: "device model", version: "EuroSys'10", counted: "published", approximate: true,
    source: "nova.md §7.2 and latency-tcb.md §4b: Steinberg & Kauer, EuroSys'10, Fig. 1: VMM ≈ 20K (⚠ recalled, per-bar values not verified)" },
  { id: "virtualbox", name: "VirtualBox (whole source)", loc: 2_800_000, category: "device model", version: "as of Genode 14.02", counted: "published", approximate: true, overlaps: ["virtualbox-vmm"],
    source: "genode.md §5.2: Genode release notes 14.02, VirtualBox source 2.8 M LOC" },
  { id: "virtualbox-vmm", name: "VirtualBox, VMM-relevant part", loc: 700_000, category: "device model", version: "as of Genode 14.02", counted: "published", approximate: true, overlaps: ["virtualbox"],
    source: "genode.md §5.2: Genode release notes 14.02, VMM-relevant 700K LOC" },

  // ---- toolstack -----------------------------------------------------------------------------
  { id: "xl-4.22", name: "xl command-line toolstack", loc: 11_359, category: "toolstack", version: "Xen RELEASE-4.22.0", source: "xen.md §8.1: measured with cloc (tools/xl)" },
  { id: "libxl-4.22", name: "libxl toolstack library", loc: 41_166, category: "toolstack", version: "Xen RELEASE-4.22.0", source: "xen.md §8.1: measured with cloc (tools/libs/light)" },
  { id: "xoar-builder", name: "Xoar Builder service VM", loc: 13_000, category: "toolstack", version: "SOSP'11", counted: "published", approximate: true,
    source: "latency-tcb.md §4b: Colp et al., SOSP'11, via vtuupdates.com summary (secondary): Builder ≈ 13,000 LOC" },
];

/** Xen hypervisor `xen/` per release: x86-only build and whole tree (latency-tcb.md §4a). */
function xenReleases(): Row[] {
  const releases: [string, string, number, number, string][] = [
    ["3.0", "RELEASE-3.0.0 (2005)", 80_964, 108_084, ""],
    ["4.0", "RELEASE-4.0.0 (2010)", 194_874, 248_071, ""],
    ["4.4", "RELEASE-4.4.0 (2014)", 209_292, 221_159, "; xen.md §8.1 counts C + headers + asm only: 219,022"],
    ["4.10", "RELEASE-4.10.0 (2017)", 263_580, 291_899, "; xen.md §8.1 counts C + headers + asm only: 285,156"],
    ["4.14", "RELEASE-4.14.0 (2020)", 287_782, 322_644, "; xen.md §8.1 counts C + headers + asm only: 315,140"],
    ["4.18", "RELEASE-4.18.0 (2023)", 301_903, 360_374, "; xen.md §8.1 counts C + headers + asm only: 350,578"],
    ["4.22", "RELEASE-4.22.0 (2026)", 312_224, 380_062, "; C 288K, hdr 73K, asm 8K, rest build/scripts; xen.md §8.1 counts C + headers + asm only: 369,621"],
  ];
  return releases.flatMap(([v, tag, x86, tree, note]): Row[] => [
    { id: `xen-${v}`, name: `Xen hypervisor ${v}, x86 build`, loc: x86, category: "kernel", version: `xen-project/xen ${tag}`, overlaps: [`xen-${v}-tree`],
      source: `${LT4A}: xen/, all languages, --exclude-dir=arm,riscv,ppc,ia64,powerpc (whole tree: ${thousands(tree)})` },
    { id: `xen-${v}-tree`, name: `Xen hypervisor ${v}, whole xen/ tree`, loc: tree, category: "kernel", version: `xen-project/xen ${tag}`, overlaps: [`xen-${v}`],
      source: `${LT4A}: xen/, all languages, all architectures${note}` },
  ]);
}

/** 380062 → "380,062", independent of the host's locale. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}

/** Every catalogued component, by id. */
export const TCB_CATALOGUE: ReadonlyMap<string, TcbComponent> = new Map(
  rows.map((r): [string, TcbComponent] => [r.id, Object.freeze({ ...r, counted: r.counted ?? "cloc", approximate: r.approximate ?? false })]),
);

export interface TcbResult {
  /** Sum of LOC over the distinct components. */
  readonly total: number;
  /** LOC per category; every category present, 0 when none of the components is in it. */
  readonly byCategory: Readonly<Record<TcbCategory, number>>;
  /** The components, in the order first named. */
  readonly rows: readonly TcbComponent[];
  /** True when any component's figure is approximate (a range, bound, secondary or ⚠ figure). */
  readonly approximate: boolean;
}

/** Thrown for an id the catalogue does not hold, or a set that would count code twice. */
export class TcbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TcbError";
  }
}

/**
 * The TCB of a set of components: LOC summed in total and by category. A set names each component
 * at most once in effect (repeats are ignored). Throws `TcbError` for an unknown id (naming it and
 * listing the known ids) and for two entries that overlap (e.g. "xen-4.22" with "xen-4.22-tree").
 */
export function tcb(componentIds: Iterable<string>, catalogue: ReadonlyMap<string, TcbComponent> = TCB_CATALOGUE): TcbResult {
  const seen = new Set<string>();
  const picked: TcbComponent[] = [];
  for (const id of componentIds) {
    if (seen.has(id)) continue;
    const c = catalogue.get(id);
    if (c === undefined) {
      throw new TcbError(`unknown TCB component "${id}"; known components: ${[...catalogue.keys()].join(", ")}`);
    }
    seen.add(id);
    picked.push(c);
  }
  for (const c of picked) {
    const twice = (c.overlaps ?? []).find((o) => seen.has(o));
    if (twice !== undefined) throw new TcbError(`TCB components "${c.id}" and "${twice}" count some of the same code; name only one of them`);
  }
  const byCategory = Object.fromEntries(TCB_CATEGORIES.map((k) => [k, 0])) as Record<TcbCategory, number>;
  let total = 0;
  for (const c of picked) {
    byCategory[c.category] += c.loc;
    total += c.loc;
  }
  return { total, byCategory, rows: picked, approximate: picked.some((c) => c.approximate) };
}
