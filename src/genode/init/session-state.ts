/**
 * Session state: init's record of one session between a client child and a server.
 * Genode: repos/base/include/base/session_state.h, src/lib/base/session_state.cc (phase names as
 * printed in the state report since 2026-04; genodelabs/genode ffb059da). reference/genode.md §2.
 */
import type { RamQuota, CapQuota } from "./quota.js";
import type { ServiceRef } from "./route-model.js";

export type SessionPhase =
  | "CREATING" | "DENIED" | "INSUFFICIENT_RAM" | "INSUFFICIENT_CAP"
  | "AVAIL" | "OK" | "UPGRADING" | "CLOSING" | "CLOSED";

/** `Session_error` (base/error.h). */
export type SessionError = "DENIED" | "OUT_OF_RAM" | "OUT_OF_CAPS" | "INSUFFICIENT_RAM" | "INSUFFICIENT_CAPS";

/** Fixed client IDs of the environment sessions (parent/parent.h `Env`). */
export const EnvId = { pd: 1, cpu: 2, log: 3, binary: 4, linker: 5 } as const;

export interface SessionState {
  /** init-wide unique number; the ledger account of the session metadata is `md:<id>`. */
  readonly id: number;
  readonly client: string;
  /** `Child::Id` of the client: a restarted child of the same name owns none of its predecessor's sessions. */
  readonly owner: number;
  /** The client's ID for the session (env sessions: 1..5). */
  readonly clientId: number;
  readonly env: boolean;
  readonly service: ServiceRef;
  /** Label presented to the server (prefixed and possibly rewritten). */
  readonly label: string;
  /** Label as the client's parent sees it, before rewriting: used to re-check the route. */
  readonly clientLabel: string;
  args: string;
  phase: SessionPhase;
  /** Quota now held by the server on behalf of this session. */
  donatedRam: RamQuota;
  donatedCaps: CapQuota;
  /** session_costs kept by init (`Child::session`) for the session's metadata. */
  keptRam: RamQuota;
}
