/**
 * Kernel interface: what Genode's core and base library need from a kernel, kept narrow so that
 * base-nova (now) and base-xen (scenarios issue) implement the same thing and nothing
 * kernel-specific leaks above it. The operations are those Genode's generic core asks of its
 * platform: protection domains, threads, RPC objects and calls, signals, dataspace mapping
 * (repos/base/src/core/include/platform_pd.h, platform_thread.h, rpc_cap_factory.h,
 * signal_broker.h, repos/base/include/base/ipc.h; genodelabs/genode ffb059da).
 */
import type { Result } from "../machine/index.js";
import type { Cycles } from "../machine/index.js";

/** A protection domain as the kernel knows it (NOVA: a PD object; Xen: a domain). */
export interface KernelPd {
  readonly id: number;
  readonly label: string;
}

/** A thread that can receive RPCs: Genode's Rpc_entrypoint (NOVA: a local EC). */
export interface KernelThread {
  readonly id: number;
  readonly pd: KernelPd;
}

/**
 * A capability as its holder sees it: the holder's PD and the kernel name the holder uses for it
 * (NOVA: a selector in the PD's object space). Opaque above this interface.
 */
export interface Capability {
  readonly pd: KernelPd;
  readonly sel: number;
}

/**
 * Message buffer (base/ipc_msgbuf.h `Msgbuf_base`): untyped words — word 0 the opcode on a call,
 * the exception code on a reply — plus at most MAX_CAPS_PER_MSG capabilities.
 */
export interface Msgbuf {
  words: number[];
  caps: Capability[];
}

/** `Msgbuf_base::MAX_CAPS_PER_MSG` (base/ipc_msgbuf.h). */
export const MAX_CAPS_PER_MSG = 4;

/**
 * Server side of an RPC object: given the badge the kernel delivered and the received message
 * (capabilities already in the server's space), produce the reply.
 */
export type RpcDispatch = (badge: number, request: Msgbuf) => Msgbuf;

/** Per-layer cost of one operation, in cycles: how the kernel's path and Genode's own work add up. */
export interface CostBreakdown {
  readonly total: Cycles;
  readonly layers: Readonly<Record<string, Cycles>>;
}

/** Why a kernel operation failed, in Genode's vocabulary (base/error.h, ipc.h). */
export type KernelError = "OUT_OF_KERNEL_MEMORY" | "INVALID_OBJECT" | "TOO_MANY_CAPS" | "DESTROYED";

export interface Kernel {
  /** "nova" or "xen": the base-* directory this implementation corresponds to. */
  readonly name: string;
  /** core's own PD, created at boot. */
  readonly corePd: KernelPd;

  createPd(label: string): Result<KernelPd, KernelError>;
  /** Destroying a PD revokes everything it holds and every RPC object it serves. */
  destroyPd(pd: KernelPd): void;
  /** An entrypoint thread in `pd` (Rpc_entrypoint). */
  createEntrypoint(pd: KernelPd, name: string): Result<KernelThread, KernelError>;

  /** Make an RPC object callable (Rpc_entrypoint::manage): returns the capability in the server's PD. */
  manage(ep: KernelThread, dispatch: RpcDispatch): Result<Capability, KernelError>;
  /** Rpc_entrypoint::dissolve: the capability becomes invalid everywhere. */
  dissolve(cap: Capability): void;
  /** Give a capability to another PD (e.g. a session capability to the client). */
  delegate(cap: Capability, to: KernelPd): Result<Capability, KernelError>;

  /** Synchronous RPC from a thread in `cap.pd`: send `request`, wait for and return the reply. */
  call(cap: Capability, request: Msgbuf): Result<Msgbuf, KernelError>;
  /** The cost the last successful `call` charged, by layer. */
  lastCallCost(): CostBreakdown;

  /** A signal context in `pd` whose delivery runs `handler` with the number of merged submits. */
  createSignalContext(pd: KernelPd, handler: (count: number) => void): Result<Capability, KernelError>;
  /** Signal_transmitter::submit from the holder of `cap`. */
  submit(cap: Capability): Result<void, KernelError>;

  /** Make `pages` pages of `from`'s memory, starting at `page`, accessible in `to` (attach a dataspace). */
  mapDataspace(from: KernelPd, to: KernelPd, page: number, pages: number, writable: boolean): Result<void, KernelError>;
}
