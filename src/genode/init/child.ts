/**
 * Child: init's record of one `<start>` node brought to life.
 * Genode: repos/os/src/lib/sandbox/child.{h,cc} (genodelabs/genode ffb059da). The process itself
 * (PD, threads) belongs to core; here a child is its quota, its sessions and its routing state.
 */
import type { RouteRule, StartConfig } from "./config-model.js";
import type { CapQuota, RamQuota } from "./quota.js";
import type { ChildRouting, ServiceRef } from "./route-model.js";

/** `Child::State` (child.h). */
export type ChildState = "INITIAL" | "RAM_INITIALIZED" | "ALIVE" | "STUCK" | "RESTART_SCHEDULED" | "ABANDONED";

export interface Child {
  /** `Child::Id`, unique per init, for diagnostics and the report's `id` attribute. */
  readonly id: number;
  readonly name: string;
  readonly version: string;
  binary: string;
  start: StartConfig;
  /** Route model built at construction (own `<route>` or a copy of `<default-route>`). */
  rules: RouteRule[] | undefined;
  state: ChildState;
  assignedRam: RamQuota;
  assignedCaps: CapQuota;
  /** Services this child announced in `<provides>` (including abandoned ones until destroyed). */
  services: ServiceRef[];
  inlineConfig: ServiceRef | undefined;
  sessionRequests: ServiceRef;
  /** Number of ROM-update signals sent for the inline config. */
  configUpdates: number;
  uncertain: boolean;
  exited: number | undefined;
  heartbeatOutstanding: boolean;
  skippedHeartbeats: number;
  requested: { ram: RamQuota; caps: CapQuota } | undefined;
  yieldRequest: string | undefined;
}

/** Ledger account of a child's PD session. */
export function pdAccount(child: Child): string {
  return `pd:${child.name}#${child.id}`;
}

export function childRouting(child: Child): ChildRouting {
  return {
    name: child.name,
    binary: child.binary,
    useLd: child.start.ld,
    inlineConfig: child.inlineConfig,
    sessionRequests: child.sessionRequests,
  };
}
