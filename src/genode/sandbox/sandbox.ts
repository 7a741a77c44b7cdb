/**
 * Sandbox: init brought to life. The `Init` data model (src/genode/init) decides routes, quota and
 * children's states; the sandbox does what the real init's Child objects do with those decisions:
 * creates each child's PD and entrypoint through the kernel interface, starts its program, hands
 * session requests to child servers and their answers back (session_requests ROM,
 * deliver_session_cap), obtains parent-routed sessions from its own parent, kills children that
 * init destroyed, relays init's log lines and drives heartbeats.
 * Genode: repos/os/src/lib/sandbox/library.cc, child.cc; repos/base/src/lib/base/child.cc
 * (genodelabs/genode ffb059da).
 */
import { err, ok, type Result } from "../../machine/index.js";
import type { Component } from "../component.js";
import { Init, type ApplyError, type ApplyOutcome, type InitOptions } from "../init/index.js";
import type { SessionError, SessionState } from "../init/session-state.js";
import type { Capability, KernelPd, KernelThread } from "../kernel.js";
import { dispatcher } from "../rpc.js";
import { Process } from "./process.js";
import { StatePublisher } from "./state-publisher.js";
import type { GenodeRuntime } from "./runtime.js";

/** Where a sandbox obtains sessions routed to `<parent/>`. */
export interface SandboxParent {
  /**
   * Open `service` for label (as this init presents it, e.g. "test-log") into `client`'s PD;
   * `close` closes it at the parent again (Parent::close), once init closed its own record.
   */
  session(service: string, label: string, args: string, client: KernelPd): Result<ParentSession, SessionError>;
  /** Can a Report session be routed there? (Core offers none: the top-level init has nowhere to publish.) */
  readonly offersReport?: boolean;
}

/** A session this sandbox obtained from its parent for one of its children. */
export interface ParentSession {
  readonly cap: Capability;
  close(): void;
}

export class Sandbox {
  readonly init: Init;
  readonly processes = new Map<number, Process>();
  /** Server-side capability of each child-provided session, by init's session id. */
  private readonly serverCaps = new Map<number, { cap: Capability; server: Process }>();
  /** Parent-routed sessions by init's session id: closed at the parent when init closes them. */
  private readonly parentSessions = new Map<number, ParentSession>();
  /** init's own RPC objects (inline config, session_requests ROM) by session id. */
  private readonly localCaps = new Map<number, Capability>();
  private syncing = false;
  private heartbeatArmed = false;
  destroyed = false;
  private readonly publisher = new StatePublisher(this);

  constructor(
    readonly rt: GenodeRuntime,
    /** Label of this init at core, e.g. "init" or "init -> drivers". */
    readonly path: string,
    readonly parent: SandboxParent,
    readonly pd: KernelPd,
    readonly ep: KernelThread,
    options: Omit<InitOptions, "name">,
  ) {
    this.init = new Init({ ...options, name: path });
    rt.sandboxes.add(this);
  }

  /** Apply a configuration, then bring processes in line with init's decisions. */
  apply(xml: string): Result<ApplyOutcome, ApplyError> {
    const r = this.init.apply(xml);
    if (r.ok) {
      for (const name of r.value.configUpdated) this.processByName(name)?.component.configChanged?.();
      this.sync();
      this.armHeartbeat();
    }
    this.flushLog();
    this.publisher.changed();
    return r;
  }

  /** Relay init's own log lines to core's LOG, in order; core keeps them, so init lets them go. */
  flushLog(): void {
    const lines = this.init.log;
    if (lines.length === 0) return;
    for (const l of lines) this.rt.core.output.push(l);
    lines.length = 0;
  }

  /** init's lines not yet relayed to core, in order. */
  pendingLog(): readonly string[] {
    return this.init.log;
  }

  processByName(name: string): Process | undefined {
    const c = this.init.child(name);
    return c === undefined ? undefined : this.processes.get(c.id);
  }

  /** Repeat until nothing changes: kill the gone, answer pending requests, start the ready. */
  sync(): void {
    if (this.syncing || this.destroyed) return;
    this.syncing = true;
    try {
      for (let changed = true; changed;) {
        changed = false;
        this.closeGone();
        for (const [id, p] of this.processes) {
          const c = this.init.child(p.name);
          if (c === undefined || c.id !== id) { this.kill(p); changed = true; }
        }
        // requests held until their server announced the service (session_requests ROM)
        for (const s of [...this.init.sessions.values()]) {
          if (s.phase !== "CREATING" || s.service.kind !== "child") continue;
          const server = this.processByName(s.service.server);
          if (server === undefined || server.exited !== undefined || !server.announced.has(s.service.name)) continue;
          this.deliver(s, server);
          changed = true;
        }
        // all children start, in document order (child.cc: no dependency order in init)
        for (const name of this.init.childNames()) {
          const c = this.init.child(name);
          if (c === undefined || !this.startable(c)) continue;
          if (this.startProcess(c.id, name, c.binary)) changed = true;
        }
      }
    } finally {
      this.syncing = false;
    }
    this.flushLog();
    this.publisher.changed();
  }

  /**
   * Close at their servers the sessions init closed (Session_state destroy): a child server's
   * session object is dissolved, a parent-routed session closed at the parent, a local RPC object
   * dissolved. Without this, every session of a destroyed child stayed open at core.
   */
  closeGone(): void {
    const ids = this.init.closed;
    if (ids.length === 0) return;
    for (const id of ids) {
      const sc = this.serverCaps.get(id);
      if (sc !== undefined) { this.rt.kernel.dissolve(sc.cap); this.serverCaps.delete(id); }
      const ps = this.parentSessions.get(id);
      if (ps !== undefined) { this.parentSessions.delete(id); ps.close(); }
      const lc = this.localCaps.get(id);
      if (lc !== undefined) { this.rt.kernel.dissolve(lc); this.localCaps.delete(id); }
    }
    ids.length = 0;
  }

  /** After a timeout or signal ran component code: relay log lines, note state changes. */
  settle(): void {
    this.flushLog();
    this.publisher.changed();
  }

  /**
   * Answer one pending request now, for a client that waits for it: Genode's client blocks in
   * `session_cap` until the server responds. Init starts all children at once, so a server later
   * in the document is starting too; programs here run to completion and cannot block, so the
   * server's startup runs now, inside the client's wait, and the request is answered if the
   * server then announced the service. Returns false while the request stays held.
   */
  deliverNow(s: SessionState): boolean {
    if (s.phase !== "CREATING" || s.service.kind !== "child") return true;
    const name = s.service.server;
    const c = this.init.child(name);
    if (this.processByName(name) === undefined && c !== undefined && this.startable(c)) this.startProcess(c.id, c.name, c.binary);
    const server = this.processByName(name);
    if (server === undefined || server.exited !== undefined || !server.announced.has(s.service.name)) return false;
    this.deliver(s, server);
    return true;
  }

  private startable(c: { id: number; state: string; exited: number | undefined }): boolean {
    return c.state === "ALIVE" && c.exited === undefined && !this.processes.has(c.id) && !this.destroyed;
  }

  /** The server answers a `<create>` request (session_requests ROM) with a session capability or a denial. */
  private deliver(s: SessionState, server: Process): void {
    const iface = server.component.session?.({ service: s.service.name, label: s.label, args: s.args });
    if (iface === undefined || !iface.ok) {
      this.init.sessionResponse(server.name, s.id, iface?.ok === false && iface.error === "INSUFFICIENT_RAM" ? "INSUFFICIENT_RAM" : "DENIED");
      return;
    }
    const cap = this.rt.kernel.manage(server.ep, dispatcher(iface.value));
    if (!cap.ok) { this.init.sessionResponse(server.name, s.id, "DENIED"); return; }
    this.serverCaps.set(s.id, { cap: cap.value, server });
    this.init.sessionResponse(server.name, s.id, "OK");
  }

  private startProcess(id: number, name: string, binary: string): boolean {
    const factory = this.rt.program(binary);
    if (factory === undefined) {
      this.init.log.push(`[${this.path}] Error: could not open ROM session for "${binary}"`);
      return false;
    }
    const pd = this.rt.kernel.createPd(`${this.path} -> ${name}`);
    if (!pd.ok) { this.init.log.push(`[${this.path}] Error: memory exhausted during child creation`); return false; }
    const ep = this.rt.kernel.createEntrypoint(pd.value, "ep");
    if (!ep.ok) { this.rt.kernel.destroyPd(pd.value); return false; }
    const component: Component = factory();
    const p = new Process(this, id, name, binary, pd.value, ep.value, component);
    this.processes.set(id, p);
    p.start();
    return true;
  }

  private kill(p: Process): void {
    p.component.stop?.();
    for (const [sid, sc] of this.serverCaps) if (sc.server === p) { this.rt.kernel.dissolve(sc.cap); this.serverCaps.delete(sid); }
    this.rt.kernel.destroyPd(p.pd);
    this.processes.delete(p.id);
  }

  /** A capability for session `s` in `client`'s PD: from the server child, init itself, or the parent. */
  capFor(s: SessionState, client: KernelPd): Result<Capability, SessionError> {
    if (s.service.kind === "child") {
      const sc = this.serverCaps.get(s.id);
      if (sc === undefined) return err("DENIED");
      const d = this.rt.kernel.delegate(sc.cap, client);
      return d.ok ? ok(d.value) : err("DENIED");
    }
    if (s.service.kind === "local") {
      // inline config / session_requests ROM: an RPC object on init's own entrypoint
      let cap = this.localCaps.get(s.id);
      if (cap === undefined) {
        const made = this.rt.kernel.manage(this.ep, dispatcher([() => [s.id]]));
        if (!made.ok) return err("OUT_OF_CAPS");
        cap = made.value;
        this.localCaps.set(s.id, cap);
      }
      const d = this.rt.kernel.delegate(cap, client);
      return d.ok ? ok(d.value) : err("DENIED");
    }
    // one session at the parent per session of init's: a second request for it gets the same one
    const open = this.parentSessions.get(s.id);
    if (open !== undefined) return ok(open.cap);
    const r = this.parent.session(s.service.name, s.label, s.args, client);
    if (!r.ok) return err(r.error);
    this.parentSessions.set(s.id, r.value);
    return ok(r.value.cap);
  }

  /** `<heartbeat rate_ms>`: one init.heartbeat() per period of simulated time; live children answer. */
  private armHeartbeat(): void {
    const rate = this.init.config?.heartbeatRateMs;
    if (rate === undefined || this.heartbeatArmed) return;
    this.heartbeatArmed = true;
    this.rt.every(rate, () => {
      if (this.destroyed || this.init.config?.heartbeatRateMs === undefined) { this.heartbeatArmed = false; return false; }
      this.init.heartbeat();
      for (const p of this.processes.values()) if (!p.exited && p.respondsToHeartbeat) this.init.heartbeatResponse(p.name);
      this.sync();
      return true;
    });
  }

  destroy(): void {
    this.destroyed = true;
    for (const p of [...this.processes.values()]) this.kill(p);
    for (const cap of this.localCaps.values()) this.rt.kernel.dissolve(cap);
    this.localCaps.clear();
    for (const ps of this.parentSessions.values()) ps.close();
    this.parentSessions.clear();
    this.init.closed.length = 0;
    this.rt.sandboxes.delete(this);
  }
}
