/**
 * Core session components: the contract each core service states (CAP_QUOTA, the RAM a
 * `Connection` donates) and the RPC object core creates per session.
 * Genode: repos/base/include/<x>_session/<x>_session.h, connection.h; repos/base/src/core/main.cc
 * (genodelabs/genode ffb059da); reference/genode.md §2.1.
 */
import type { Capability } from "../kernel.js";
import type { RpcInterface } from "../rpc.js";

/** A core service's static contract. */
export interface CoreServiceSpec {
  readonly name: string;
  /** `SESSION::CAP_QUOTA`: caps a client must donate. */
  readonly capQuota: number;
  /** RAM the service's `Connection` donates on 64-bit. */
  readonly ramQuota: number;
  /** The session's RPC interface; opcode = index. */
  interfaceFor(session: CoreSession): RpcInterface;
}

/** One open session at core. */
export interface CoreSession {
  readonly id: number;
  readonly service: string;
  /** Label as core sees it, e.g. "init -> test-log". */
  readonly label: string;
  readonly args: string;
  /** The session capability in core's space (dissolved on close). */
  cap: Capability | undefined;
  /** Per-session state kept by the component (e.g. ROM module name, thread count). */
  readonly data: Record<string, number | string>;
}
