/**
 * Per-domain quotas of C xenstored. Source: tools/xenstored/domain.c `quota_adm[]`, `quotas[]`,
 * `domain_quota_val_exceeds` @RELEASE-4.22.0 (reference §4.7).
 *
 * Version modelled: Xen 4.22, where commit 70fcc2531c made every check `value >= quota`, so a
 * domain stays one below each quota (999 nodes, 127 watches, 9 transactions, 4 extra
 * permissions...). A quota of 0 disables the check; privileged domains are never limited.
 */

/** `enum accitem` in the order of domain.c `quota_adm[]`; names as GET_QUOTA/SET_QUOTA spell them. */
export const QUOTA_NAMES = [
  "nodes", "watches", "outstanding", "memory", "transactions",
  "transaction-nodes", "node-permissions", "path-max", "node-size",
] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

/** domain.c `quotas[]`: hard defaults. `memory` is the only one with a soft value (2 MiB, log only). */
export const DEFAULT_QUOTAS: Readonly<Record<QuotaName, number>> = {
  nodes: 1000, // ENOSPC
  watches: 128, // ENOSPC
  outstanding: 20, // ring not read (back-pressure)
  memory: 2 * 1024 * 1024 + 512 * 1024, // 2.5 MiB: ring not read; not modelled, see xenstored.ts
  transactions: 10, // ENOSPC
  "transaction-nodes": 1024, // ENOSPC, and the transaction is failed
  "node-permissions": 5, // ENOSPC
  "path-max": 2048, // XENSTORE_REL_PATH_MAX; EINVAL
  "node-size": 2048, // ENOSPC
};
export const DEFAULT_SOFT_MEMORY = 2 * 1024 * 1024;

/** `Q_VAL_DISABLED` (UINT_MAX): "no per-domain override" / "no such soft quota". */
export const Q_VAL_DISABLED = 0xffffffff;

/** Hard (and soft) values; per domain they start as a copy of the global table. */
export class QuotaTable {
  readonly hard: Record<QuotaName, number>;
  readonly soft: Partial<Record<QuotaName, number>>;

  constructor(from?: QuotaTable) {
    this.hard = { ...(from?.hard ?? DEFAULT_QUOTAS) };
    this.soft = from ? { ...from.soft } : { memory: DEFAULT_SOFT_MEMORY };
  }

  /** domain.c `parse_quota_name`: "name" or "soft-name"; undefined (EINVAL) if no such value. */
  static parseName(s: string): { name: QuotaName; soft: boolean } | undefined {
    const soft = s.startsWith("soft-");
    const name = (soft ? s.slice(5) : s) as QuotaName;
    if (!QUOTA_NAMES.includes(name)) return undefined;
    if (soft && name !== "memory") return undefined;
    return { name, soft };
  }

  get(name: QuotaName, soft: boolean): number {
    return soft ? (this.soft[name] ?? Q_VAL_DISABLED) : this.hard[name];
  }

  set(name: QuotaName, soft: boolean, value: number): void {
    if (soft) this.soft[name] = value;
    else this.hard[name] = value;
  }
}

/** `domain_quota_val_exceeds` (4.22): true if an unprivileged domain reaching `value` is over quota. */
export function quotaExceeded(quota: number, value: number, privileged: boolean): boolean {
  if (quota === 0 || privileged) return false;
  return value >= quota;
}
