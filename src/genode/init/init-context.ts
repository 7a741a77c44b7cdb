/**
 * What init's parts share: the parent interface's view of init (parent.ts) plus what creating,
 * starting and re-dimensioning children needs. Init builds one over its private members, so the
 * modules split out of init.ts (child-config.ts, child-start.ts, child-quota.ts) act on init's
 * state while the state itself stays private to init.
 */
import type { Child } from "./child.js";
import type { ParentContext } from "./parent.js";
import type { CapQuota, RamQuota } from "./quota.js";
import type { ServiceRef } from "./route-model.js";
import type { SessionState } from "./session-state.js";

export type NewService =
  | { kind: "parent"; name: string }
  | { kind: "child"; name: string; server: string }
  | { kind: "local"; name: string; what: "config" | "session_requests" };

export interface InitContext extends ParentContext {
  /** Quota init may hand out: what it has minus its `<resource … preserve>` (logs if that exceeds it). */
  availRam(): RamQuota;
  availCaps(): CapQuota;
  /** A service object with a fresh serial (routes are valid only while they hit the same object). */
  newService(s: NewService): ServiceRef;
  /** A child or one of its services came or went; `servers` also makes init re-evaluate dependencies. */
  servicesChanged(servers: boolean): void;
  nextChildId(): number;
  /** Register a new child at the head of the registry (Genode's List::insert). */
  addChild(c: Child): void;
  /** The child's environment session with that client id, if any (indexed: called per child). */
  envSession(owner: number, clientId: number): SessionState | undefined;
}
