/**
 * Component: what a Genode program sees of the system (Genode::Env) and what it offers to it
 * (Component::construct, and as a server, session creation).
 * Genode: repos/base/include/base/env.h, base/component.h, base/connection.h (genodelabs/genode
 * ffb059da). Programs here are TypeScript classes; everything they do to other components goes
 * through sessions routed by their parent and RPCs through the kernel interface.
 */
import type { Result } from "../machine/index.js";
import type { SessionError } from "./init/session-state.js";
import type { Capability, KernelPd, KernelThread } from "./kernel.js";
import type { RpcInterface } from "./rpc.js";
import type { XmlNode } from "./xml.js";

/** An open session from the client's side (Genode::Connection). */
export interface Connection {
  readonly service: string;
  /** The parent's id of the session (init's session record). */
  readonly id: number;
  readonly cap: Capability;
  /** RPC on the session capability: result words, or the exception code. */
  call(opcode: number, args?: number[], caps?: Capability[]): { code: number; words: number[]; caps: Capability[] };
}

export interface Env {
  /** The component's name in its parent ("test-log"). */
  readonly name: string;
  /** Its full label as core's LOG prints it ("init -> test-log"). */
  readonly label: string;
  /** The `<config>` ROM, if its parent provides one. */
  config(): XmlNode | undefined;
  readonly pd: KernelPd;
  readonly ep: KernelThread;
  /** Genode::log / warning / error, through the component's LOG session. */
  log(text: string): void;
  warning(text: string): void;
  error(text: string): void;
  /** Open a session; args default to the service's Connection donation. */
  connect(service: string, label?: string, args?: string): Result<Connection, SessionError>;
  close(c: Connection): void;
  /** Parent::exit. */
  exit(value: number): void;
  /** Parent::announce (a server with `<provides>`). */
  announce(service: string): void;
  /** Run `fn` after `ms` of simulated time (a Timer session's trigger_once). */
  after(timer: Connection, ms: number, fn: () => void): void;
  /** A signal context whose delivery runs `handler` (Signal_handler); the capability lives in this PD. */
  signal(handler: (count: number) => void): Capability | undefined;
  /** Signal_transmitter::submit on a signal capability this PD holds. */
  submit(cap: Capability): void;
  /** Simulated time in ms (Timer::Connection::curr_time). */
  now(): number;
  /** The PD session's account: quota and what is used of it. */
  quota(): { ram: number; caps: number; usedRam: number; usedCaps: number };
  /** Allocate (positive) or free (negative) RAM and caps from the PD account. */
  consume(ram: number, caps?: number): Result<void, "OUT_OF_RAM" | "OUT_OF_CAPS">;
  /** Host services for components that are parents themselves (nested init, bomb). */
  readonly host: ComponentHost;
}

/** A session request as a server component receives it (session_requests ROM `<create>`). */
export interface SessionRequest {
  readonly service: string;
  readonly label: string;
  readonly args: string;
}

export interface Component {
  /** Component::construct. */
  start(env: Env): void;
  /** Create a session for a routed request; the interface becomes an RPC object on the server's entrypoint. */
  session?(request: SessionRequest): Result<RpcInterface, "DENIED" | "INSUFFICIENT_RAM">;
  /** The inline `<config>` changed (ROM update signal). */
  configChanged?(): void;
  /** The component is being destroyed (its PD goes away). */
  stop?(): void;
  /** Components that host children report them for the TCB (nested init). */
  children?(): Array<{ name: string; sandbox: unknown }>;
}

export type ComponentFactory = () => Component;

/** What the system gives a component that starts children of its own. */
export interface ComponentHost {
  /** A boot module at core (ROM), e.g. a subsystem's config "drivers.config". */
  bootModule(name: string): string | number | undefined;
  /** Look up a program by binary name. */
  program(binary: string): ComponentFactory | undefined;
  /** Create a nested sandbox (an init) running under this component; returns a handle. */
  nestedInit(env: Env, name: string, xml: string): Result<{ apply(xml: string): Result<unknown, string>; destroy(): void }, string>;
}
