/**
 * RAM and capability quota: Genode's `Ram_quota`, `Cap_quota`, `Num_bytes` and the PD account
 * that holds both budgets (repos/base/include/base/quota_guard.h, util/string.h,
 * pd_session/pd_session.h; genodelabs/genode ffb059da). reference/genode.md §1.1 "Quantum units", §4.
 */
import { invariant } from "../../machine/index.js";

/** Bytes of RAM quota. */
export type RamQuota = number;
/** Number of capabilities. */
export type CapQuota = number;

const K = 1024;
const M = 1024 * K;
const G = 1024 * M;

/**
 * `Num_bytes::parse`: unsigned number (decimal, or hex with 0x) with an optional upper-case K, M
 * or G suffix. The whole value must be consumed, otherwise the attribute reads as absent.
 */
export function parseNumBytes(text: string): number | undefined {
  const m = /^(0x[0-9a-fA-F]+|[0-9]+)([KMG]?)$/.exec(text);
  if (m === null) return undefined;
  const base = m[1]!.startsWith("0x") ? Number.parseInt(m[1]!.slice(2), 16) : Number(m[1]);
  const scale = m[2] === "G" ? G : m[2] === "M" ? M : m[2] === "K" ? K : 1;
  return base * scale;
}

/** `Num_bytes::print`: the largest suffix that divides exactly, "0" for zero. */
export function formatNumBytes(n: number): string {
  if (n === 0) return "0";
  if (n % G === 0) return `${n / G}G`;
  if (n % M === 0) return `${n / M}M`;
  if (n % K === 0) return `${n / K}K`;
  return String(n);
}

/**
 * Static per-service contract of the core services: CAP_QUOTA and the RAM a `Connection`
 * donates on 64-bit (reference/genode.md §2.1, from repos/base/include/<x>_session/*.h).
 */
export const CoreSessionCosts: Readonly<Record<string, { ram: RamQuota; caps: CapQuota }>> = {
  PD: { ram: 24 * K * 8, caps: 13 },
  CPU: { ram: 36 * K, caps: 6 },
  ROM: { ram: 6 * K, caps: 3 },
  LOG: { ram: 8 * K, caps: 2 },
  RM: { ram: 64 * K, caps: 2 },
  IO_MEM: { ram: 6 * K, caps: 3 },
  IO_PORT: { ram: 6 * K, caps: 2 },
  IRQ: { ram: 6 * K, caps: 3 },
  TRACE: { ram: 10 * K, caps: 6 },
  VM: { ram: 5 * M, caps: 10 },
};

/**
 * Quota consumed by every child's environment sessions (PD + CPU + LOG + 2 ROM) plus its parent
 * capability: `Genode::Child::env_ram_quota()` / `env_cap_quota()` (base/child.h) = 248 KiB, 28 caps.
 */
export const ENV_RAM_QUOTA: RamQuota =
  CoreSessionCosts.PD!.ram + CoreSessionCosts.CPU!.ram + CoreSessionCosts.LOG!.ram + 2 * CoreSessionCosts.ROM!.ram;
export const ENV_CAP_QUOTA: CapQuota =
  CoreSessionCosts.PD!.caps + CoreSessionCosts.CPU!.caps + CoreSessionCosts.LOG!.caps + 2 * CoreSessionCosts.ROM!.caps + 1;

/** Caps init keeps per child beyond the environment (sandbox/child.h `effective_cap_quota` STATIC_COSTS). */
export const INIT_STATIC_CAP_COSTS: CapQuota = 6;

/** `session_alloc_batch_size()`: session-state objects pre-allocated per child (base/child.h). */
export const SESSION_ALLOC_BATCH = 16;

/** `Preservation` defaults (sandbox/types.h): 40·sizeof(long) KiB RAM and 20 caps on 64-bit. */
export const DEFAULT_PRESERVED_RAM: RamQuota = 40 * 8 * K;
export const DEFAULT_PRESERVED_CAPS: CapQuota = 20;

/** What `apply_downgrade` leaves in a child (sandbox/child.cc): 16 KiB and 5 caps. */
export const DOWNGRADE_KEEP_RAM: RamQuota = 16 * K;
export const DOWNGRADE_KEEP_CAPS: CapQuota = 5;

/** `Child::effective_quota`: quota minus what the environment consumes, floored at zero. */
export function effectiveRam(assigned: RamQuota): RamQuota {
  return assigned < ENV_RAM_QUOTA ? 0 : assigned - ENV_RAM_QUOTA;
}
export function effectiveCaps(assigned: CapQuota): CapQuota {
  const e = assigned < ENV_CAP_QUOTA ? 0 : assigned - ENV_CAP_QUOTA;
  return e < INIT_STATIC_CAP_COSTS ? 0 : e - INIT_STATIC_CAP_COSTS;
}

/** One PD account: `quota` is what it holds, `used` what it consumed of that. */
export interface Account {
  readonly name: string;
  ram: RamQuota;
  caps: CapQuota;
  usedRam: RamQuota;
  usedCaps: CapQuota;
}

/**
 * All accounts between which init moves quota. Every movement is a transfer, so the sum over all
 * accounts never changes: that is the conservation law the tests check at every step.
 */
export class Ledger {
  private readonly accounts = new Map<string, Account>();
  readonly totalRam: RamQuota;
  readonly totalCaps: CapQuota;

  constructor(root: string, ram: RamQuota, caps: CapQuota) {
    this.totalRam = ram;
    this.totalCaps = caps;
    this.accounts.set(root, { name: root, ram, caps, usedRam: 0, usedCaps: 0 });
  }

  open(name: string): Account {
    invariant(!this.accounts.has(name), `account ${name} opened twice`);
    const a: Account = { name, ram: 0, caps: 0, usedRam: 0, usedCaps: 0 };
    this.accounts.set(name, a);
    return a;
  }

  get(name: string): Account {
    const a = this.accounts.get(name);
    invariant(a !== undefined, `no account ${name}`);
    return a;
  }

  has(name: string): boolean {
    return this.accounts.has(name);
  }

  availRam(name: string): RamQuota {
    const a = this.get(name);
    return a.ram - a.usedRam;
  }

  availCaps(name: string): CapQuota {
    const a = this.get(name);
    return a.caps - a.usedCaps;
  }

  /** `Pd_account::transfer_quota`: all or nothing; false (EXCEEDED) if `from` lacks avail quota. */
  transfer(from: string, to: string, ram: RamQuota, caps: CapQuota): boolean {
    invariant(ram >= 0 && caps >= 0, "transfers are never negative");
    if (this.availRam(from) < ram || this.availCaps(from) < caps) return false;
    const a = this.get(from);
    const b = this.get(to);
    a.ram -= ram;
    a.caps -= caps;
    b.ram += ram;
    b.caps += caps;
    return true;
  }

  /** Close an account: whatever it still holds (used or not) goes to `heir`. */
  close(name: string, heir: string): void {
    const a = this.get(name);
    const b = this.get(heir);
    b.ram += a.ram;
    b.caps += a.caps;
    this.accounts.delete(name);
  }

  /** Sorted snapshot (deterministic order) of all accounts. */
  snapshot(): Account[] {
    return [...this.accounts.values()].map((a) => ({ ...a })).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }

  /** True when every byte and capability is accounted for and no account is overdrawn. */
  conserved(): boolean {
    let ram = 0;
    let caps = 0;
    for (const a of this.accounts.values()) {
      if (a.ram < 0 || a.caps < 0 || a.usedRam > a.ram || a.usedCaps > a.caps) return false;
      ram += a.ram;
      caps += a.caps;
    }
    return ram === this.totalRam && caps === this.totalCaps;
  }
}
