/**
 * NOVA application binary interface: hypercall numbers, status codes, descriptor layouts (identifier
 * word, CRD, QPD, MTD, typed-item control word), permission bits, fixed selectors and HIP constants.
 * Interface modelled: the classic NOVA interface of June 23 2014 (CFG_VER 7, "S14") plus the Genode
 * fork's extensions ("GF"); shared/reference/nova.md §1–§3 gives every fact with its source.
 * Numbers are never renumbered or reused.
 */

/**
 * Hypercall numbers, bits [3:0] of the identifier word.
 * Source: S14 spec Fig. 5.1 and `syscall[]` in udosteinberg/NOVA@792d1313 src/syscall.cpp;
 * GF names from genodelabs/genode repos/base-nova/include/nova/syscall-generic.h@03470e7b `enum Syscall`.
 */
export const Hypercall = {
  call: 0x0,
  reply: 0x1, // GF: the selector field may name an SM the caller is parked on (reply(sm))
  create_pd: 0x2, // GF: RAX = quota limits upper<<32 | lower
  create_ec: 0x3,
  create_sc: 0x4,
  create_pt: 0x5,
  create_sm: 0x6, // GF: RAX ≠ 0 names the SM a new signal SM is chained to
  revoke: 0x7, // GF: flags bit 1 remote (PD in RDX), bit 2 keep_in_mdb
  lookup: 0x8, // GF NOVA_MISC: flags 0 = lookup, 1 = delegate, 2 = acpi_suspend
  ec_ctrl: 0x9,
  sc_ctrl: 0xa,
  pt_ctrl: 0xb,
  sm_ctrl: 0xc,
  assign_pci: 0xd,
  assign_gsi: 0xe,
  pd_ctrl: 0xf, // GF only; S14 slot 15 is sys_finish<BAD_HYP>
} as const;
export type Hypercall = (typeof Hypercall)[keyof typeof Hypercall];
export const hypercallNames: Record<Hypercall, string> = Object.fromEntries(Object.entries(Hypercall).map(([k, v]) => [v, k])) as Record<Hypercall, string>;

/**
 * Hypercall status codes, returned in bits [7:0] of the identifier register.
 * Source: S14 include/regs.hpp `enum Status` (udosteinberg/NOVA@792d1313); GF include/regs.hpp adds QUO_OOM;
 * Genode names from syscall-generic.h@03470e7b `enum Status`.
 */
export const Status = {
  SUCCESS: 0, // NOVA_OK
  TIMEOUT: 1, // COM_TIM in the kernel source, NOVA_TIMEOUT: IPC or semaphore timed out
  ABORTED: 2, // COM_ABT in the kernel source, NOVA_IPC_ABORT: IPC aborted
  BAD_HYP: 3, // NOVA_INV_HYPERCALL: no such hypercall
  BAD_CAP: 4, // NOVA_INV_SELECTOR: capability missing, of the wrong type, or lacking a permission
  BAD_PAR: 5, // NOVA_INV_PARAMETER: malformed argument
  BAD_FTR: 6, // NOVA_INV_FEATURE: feature not available
  BAD_CPU: 7, // NOVA_INV_CPU: no such CPU
  BAD_DEV: 8, // NOVA_INVD_DEVICE_ID: no such device
  QUO_OOM: 9, // GF only, NOVA_PD_OOM: the PD's kernel-memory quota is exhausted
} as const;
export type Status = (typeof Status)[keyof typeof Status];
export const statusNames: Record<Status, string> = Object.fromEntries(Object.entries(Status).map(([k, v]) => [v, k])) as Record<Status, string>;

/**
 * Identifier word (RDI on x86_64): [3:0] hypercall number, [7:4] flags, [63:8] first selector.
 * Source: S14 spec §7.6/§8.6; Genode builds it as `sel<<8 | (flags&0xf)<<4 | nr` (spec/64bit/nova/syscalls.h@03470e7b).
 */
export const Ident = { NR_MASK: 0xfn, FLAGS_SHIFT: 4n, FLAGS_MASK: 0xfn, SEL_SHIFT: 8n } as const;

export function identifier(nr: number, flags: number, sel: number | bigint): bigint {
  return (BigInt(sel) << Ident.SEL_SHIFT) | (BigInt(flags & 0xf) << Ident.FLAGS_SHIFT) | BigInt(nr & 0xf);
}

/** Per-call flags, bits [7:4] of the identifier word, numbered from bit 4 (flag bit 0 = identifier bit 4). */
export const Flag = {
  /** call: DB, do not block when the callee is busy (S14 spec §5.2; code name DISABLE_BLOCKING). */
  CALL_DB: 0x1,
  /** call: DD and DR exist in S14 code (include/syscall.hpp) but sys_call ignores them; so do we. */
  CALL_DD: 0x2,
  CALL_DR: 0x4,
  /** create_ec: G, global thread (S14 spec §5.3.2). */
  EC_GLOBAL: 0x1,
  /** revoke: SR, also revoke the caller's own node (S14 spec §5.3.6). GF: bit 1 remote, bit 2 keep_in_mdb. */
  REVOKE_SELF: 0x1,
  REVOKE_REMOTE: 0x2,
  REVOKE_KEEP: 0x4,
  /** sm_ctrl: bit 0 = 0 up / 1 down; bit 1 ZC, zero the counter on down (S14 spec §5.3.11). */
  SM_DOWN: 0x1,
  SM_ZC: 0x2,
} as const;

/** GF NOVA_MISC sub-operations (flags field of hypercall 0x8). Source: Genode syscalls.h@03470e7b lookup()/delegate(). */
export const MiscOp = { LOOKUP: 0, DELEGATE: 1, ACPI_SUSPEND: 2 } as const;
/** GF Pd_op (flags field of pd_ctrl). Source: syscall-generic.h@03470e7b. */
export const PdOp = { TRANSFER_QUOTA: 0, PD_DEBUG: 2 } as const;
/** GF Ec_op (flags field of ec_ctrl); S14 knows only recall. Source: syscall-generic.h@03470e7b (EC_MSR_ACCESS = MSR). */
export const EcOp = { RECALL: 0, YIELD: 1, DONATE_SC: 2, RESCHEDULE: 3, MIGRATE: 4, TIME: 5, GET_VCPU_STATE: 6, SET_VCPU_STATE: 7, MSR: 8 } as const;
/** GF Sc_op (flags field of sc_ctrl). Source: syscall-generic.h@03470e7b. */
export const ScOp = { SC_TIME_IDLE: 0, SC_TIME_CROSS: 1, SC_TIME_KILLED: 2, SC_EC_TIME: 3 } as const;
/** GF Sem_op. Source: syscall-generic.h@03470e7b (SEMAPHORE_DOWNZERO = 0x3 = DOWN | ZC). */
export const SemOp = { SEMAPHORE_UP: 0, SEMAPHORE_DOWN: 1, SEMAPHORE_DOWNZERO: 3 } as const;

/**
 * Capability range descriptor, one word: [1:0] type, [6:2] permissions, [11:7] order, [63:12] base.
 * Source: S14 spec §4.3, include/crd.hpp; Genode `Crd` in syscall-generic.h@03470e7b.
 */
export const CrdType = { NULL: 0, MEM: 1, PIO: 2, OBJ: 3 } as const;
export type CrdType = (typeof CrdType)[keyof typeof CrdType];
export const CrdLayout = { TYPE_MASK: 0x3n, PERM_SHIFT: 2n, PERM_MASK: 0x1fn, ORDER_SHIFT: 7n, ORDER_MASK: 0x1fn, BASE_SHIFT: 12n } as const;
export const PERM_ALL = 0x1f;

/** Permission bits per capability type (S14 spec §4.1, enforced in src/syscall.cpp; GF XCPU from syscall-generic.h `Obj_crd`). */
export const Perm = {
  mem: { R: 0x1, W: 0x2, X: 0x4 },
  pio: { A: 0x1 },
  pd: { PD: 0x1, EC: 0x2, SC: 0x4, PT: 0x8, SM: 0x10 },
  ec: { CT: 0x1, SC: 0x4, PT: 0x8 },
  sc: { CT: 0x1 },
  // S14 and GF sys_call do not test CALL (nova.md §2.3 "enforcement gap"); we follow the code.
  pt: { CT: 0x1, CALL: 0x2, XCPU: 0x10 },
  sm: { UP: 0x1, DOWN: 0x2 },
} as const;

/**
 * The mask a new object capability gets (S14 spec §4.1; PD copies the owner's PD capability mask).
 * PT: S14 gives CT|CALL = 0x3; GF's Pt constructor adds XCPU (PERM_CTRL | PERM_CALL | PERM_XCPU =
 * 0x13, alex-ab/NOVA@60419b83 src/pt.cpp, include/pt.hpp). We model GF, so every new portal may be
 * called across CPUs until its holder revokes that bit.
 */
export const InitialPerm = { ec: 0xd, sc: 0x1, pt: 0x13, sm: 0x3 } as const;

/**
 * Quantum-priority descriptor: [7:0] priority, [63:12] quantum in µs, both non-zero.
 * Source: S14 spec §4.4 (create_sc); Genode `Qpd` in syscall-generic.h@03470e7b (default 10 000 µs, priority 64).
 */
export const Qpd = { PRIO_MASK: 0xffn, QUANTUM_SHIFT: 12n, DEFAULT_QUANTUM: 10_000, DEFAULT_PRIORITY: 64 } as const;
export function qpd(priority: number, quantumUs: number): bigint {
  return (BigInt(quantumUs) << Qpd.QUANTUM_SHIFT) | BigInt(priority & 0xff);
}
/** 128 priority levels 0–127; the idle SC has 0 (S14 spec §3.1, include/sc.hpp). */
export const NUM_PRIORITIES = 128;

/**
 * Message transfer descriptor bits (S14 spec §8.5, include/mtd.hpp; GF bits 21–25 from Genode `Mtd`).
 */
export const Mtd = {
  ACDB: 1 << 0, // rax, rcx, rdx, rbx
  BSD: 1 << 1, // rbp, rsi, rdi
  RSP: 1 << 2,
  RIP_LEN: 1 << 3,
  RFLAGS: 1 << 4,
  DS_ES: 1 << 5,
  FS_GS: 1 << 6,
  CS_SS: 1 << 7,
  TR: 1 << 8,
  LDTR: 1 << 9,
  GDTR: 1 << 10,
  IDTR: 1 << 11,
  CR: 1 << 12,
  DR: 1 << 13,
  SYSENTER: 1 << 14,
  QUAL: 1 << 15,
  CTRL: 1 << 16,
  INJ: 1 << 17,
  STA: 1 << 18,
  TSC: 1 << 19,
  EFER: 1 << 20,
  PDPTE: 1 << 21, // GF
  R8_R15: 1 << 22, // GF
  SYSCALL_SWAPGS: 1 << 23, // GF
  TPR: 1 << 24, // GF
  TSC_AUX: 1 << 25, // GF
  FPU: 2 ** 31,
} as const;

/**
 * Typed-item control word, GF layout: [1:0] kind, bit 8 D (DMA), bit 9 G (guest), bit 10 WC, bit 11 H
 * (from the hypervisor; root PD only), [63:12] hotspot. Source: GF src/pd.cpp xfer_items; Genode
 * `Utcb::append_item` (syscall-generic.h@03470e7b). S14 differs (bit 0 only, D=9, G=10, H=11); we model
 * GF because that is the kernel Genode runs, and S14's bit-0 encodings (0 translate, 1 delegate) mean the same.
 */
export const Item = { KIND_MASK: 0x3n, D: 1n << 8n, G: 1n << 9n, WC: 1n << 10n, H: 1n << 11n, HOTSPOT_SHIFT: 12n } as const;
export const ItemKind = { TRANSLATE: 0, DELEGATE: 1, TRANSLATE_ELSE_DELEGATE: 2 } as const;

/** UTCB layout, x86_64 (S14 spec §4.6, include/utcb.hpp; Genode `Utcb`). Word indices into the 512-word page. */
export const Utcb = {
  WORDS: 512,
  ITEMS: 0, // U in [15:0], T in [31:16]
  CRD_XLT: 1,
  CRD_DEL: 2,
  TLS: 3,
  DATA: 4, // untyped word 0 sits at byte 0x20
  DATA_WORDS: 508,
} as const;

/**
 * Exception-state words in the UTCB data area (S14 spec Fig. 8.4, x86_64 byte offsets from the data
 * area / 8). Only the fields the model delivers are named.
 */
export const UtcbArch = { MTD: 0, INST_LEN: 1, RIP: 2, RFLAGS: 3, RAX: 6, RCX: 7, RDX: 8, RBX: 9, RSP: 10, RBP: 11, RSI: 12, RDI: 13, R8: 14, QUAL0: 22, QUAL1: 23 } as const;

/**
 * Fixed selectors and sizes. Root object space (S14 spec §6, src/bootstrap.cpp, include/config.hpp):
 * NUM_EXC = 32 exception selectors, then PD, EC, SC of the root task.
 */
export const Sel = {
  NUM_EXC: 32,
  NUM_VMI: 256,
  PD_ROOT: 0x20,
  EC_ROOT: 0x21,
  SC_ROOT: 0x22,
} as const;

/** Event selectors relative to an EC's event base (S14 spec §3.3, §8.3). */
export const Evt = {
  DE: 0x0,
  BP: 0x3,
  GP: 0xd,
  PF: 0xe,
  STARTUP: 0x1e,
  RECALL: 0x1f,
  VCPU_STARTUP: 0xfe,
  VCPU_RECALL: 0xff,
} as const;

/** Genode's selector conventions (syscall-generic.h@03470e7b). */
export const GenodeSel = { PT_SEL_PAGE_FAULT: 0xe, PT_SEL_PARENT: 0x1a, EC_SEL_THREAD: 0x1c, SM_SEL_EC: 0x1d, PT_SEL_STARTUP: 0x1e, SM_SEL_SIGNAL: 0x1e, PT_SEL_RECALL: 0x1f } as const;

/** S14 build constants (include/config.hpp): kernel PD selectors 0..NUM_CPU−1 idle SCs, then NUM_GSI GSI SMs. */
export const Config = { NUM_CPU: 64, NUM_GSI: 128, CFG_VER: 7 } as const;

/** End of user space on x86_64 (S14 include/memory.hpp USER_ADDR); the HIP sits one page below, the root UTCB below it. */
export const USER_ADDR = 0x00007ffffffff000n;
export const PAGE_BITS = 12;
/** Object-space size: 0x20000000 / sizeof(Capability) = 2^26 selectors on x86_64 (include/space_obj.hpp). */
export const NUM_SEL = 2 ** 26;

/** HIP (S14 spec §6.2): signature "NOVA", feature flags, memory descriptor types. */
export const Hip = {
  SIGNATURE: 0x41564f4e,
  FEAT_IOMMU: 1 << 0,
  FEAT_VMX: 1 << 1,
  FEAT_SVM: 1 << 2,
  MEM_AVAILABLE: 1,
  MEM_RESERVED: 2,
  MEM_ACPI_RECLAIM: 3,
  MEM_ACPI_NVS: 4,
  MEM_HYPERVISOR: -1,
  MEM_MB_MODULE: -2,
} as const;

/** x86_64 argument registers of a kernel entry (S14 spec §8.6): identifier in RDI, then RSI, RDX, RAX, R8. */
export interface Regs {
  rdi: bigint;
  rsi: bigint;
  rdx: bigint;
  rax: bigint;
  r8: bigint;
}

export const MASK64 = (1n << 64n) - 1n;
