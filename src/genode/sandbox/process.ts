/**
 * Process: one running child — its PD and entrypoint at the kernel, its program, and the Env the
 * program sees. Env operations become parent-interface calls on init (session, close, exit,
 * announce) and RPCs through the kernel interface (LOG writes, session calls).
 * Genode: repos/base/src/lib/base/component.cc (Expanding_parent_client), base/log.cc (log
 * output buffer), repos/base/include/base/connection.h (genodelabs/genode ffb059da).
 */
import { err, ok, type Result } from "../../machine/index.js";
import type { Component, Connection, Env } from "../component.js";
import { LOG_MAX_STRING_LEN } from "../core/log-session.js";
import { EnvId, type SessionError } from "../init/session-state.js";
import type { KernelPd, KernelThread } from "../kernel.js";
import { marshalString, rpcCall } from "../rpc.js";
import { connectionDonation } from "./session-costs.js";
import type { Sandbox } from "./sandbox.js";

export class Process {
  exited: number | undefined;
  respondsToHeartbeat = true;
  /** Services this process announced (Parent::announce): requests for them can be delivered. */
  readonly announced = new Set<string>();
  readonly env: Env;
  private logConn: Connection | undefined;

  constructor(
    readonly sandbox: Sandbox,
    readonly id: number,
    readonly name: string,
    readonly binary: string,
    readonly pd: KernelPd,
    readonly ep: KernelThread,
    readonly component: Component,
  ) {
    this.env = this.makeEnv();
  }

  start(): void {
    const log = this.envConnection(EnvId.log, "LOG");
    if (log.ok) this.logConn = log.value;
    this.component.start(this.env);
    this.sandbox.flushLog();
  }

  private envConnection(clientId: number, service: string): Result<Connection, SessionError> {
    const init = this.sandbox.init;
    const s = init.envSession(this.id, clientId);
    if (s === undefined) return err("DENIED");
    const cap = this.sandbox.capFor(s, this.pd);
    if (!cap.ok) return err(cap.error);
    const kernel = this.sandbox.rt.kernel;
    const c = cap.value;
    return ok({ service, id: s.id, cap: c, call: (op, args = [], caps = []) => rpcCall(kernel, c, op, args, caps) });
  }

  /** One LOG write RPC (Log_session::write). */
  write(text: string): void {
    if (this.logConn === undefined || this.exited !== undefined) return;
    const words: number[] = [];
    marshalString(text, words);
    this.logConn.call(0, words);
  }

  /**
   * Genode::log: the output buffer flushes a line when it holds MAX_STRING_LEN − 1 characters and
   * at the final newline, so a message of exactly k·231 characters ends with an empty line
   * (base/log.cc; G@24.11 log.run expects that empty line).
   */
  private print(text: string): void {
    const n = LOG_MAX_STRING_LEN - 1;
    let i = 0;
    for (; i + n <= text.length; i += n) this.write(text.slice(i, i + n));
    this.write(text.slice(i));
  }

  private makeEnv(): Env {
    const sandbox = this.sandbox;
    const init = sandbox.init;
    const rt = sandbox.rt;
    const label = `${sandbox.path} -> ${this.name}`;
    return {
      name: this.name,
      label,
      pd: this.pd,
      ep: this.ep,
      host: rt,
      config: () => init.child(this.name)?.start.config,
      log: (t) => this.print(t),
      warning: (t) => this.print(`Warning: ${t}`),
      error: (t) => this.print(`Error: ${t}`),
      connect: (service, l = "", args) => {
        const a = `label="${l}", ${args ?? connectionDonation(service)}`;
        const r = init.sessionWithRetries(this.name, service, a);
        sandbox.flushLog();
        if (!r.ok) return err(r.error);
        sandbox.deliverNow(r.value);
        sandbox.sync();
        const s = init.sessions.get(r.value.id);
        if (s === undefined || (s.phase !== "OK" && s.phase !== "AVAIL")) return err("DENIED");
        const cap = sandbox.capFor(s, this.pd);
        if (!cap.ok) return err(cap.error);
        if (s.phase === "AVAIL") s.phase = "OK";
        const c = cap.value;
        return ok({ service, id: s.id, cap: c, call: (op, w = [], caps = []) => rpcCall(rt.kernel, c, op, w, caps) });
      },
      close: (c) => { init.close(this.name, c.id); sandbox.sync(); },
      exit: (v) => {
        if (this.exited !== undefined) return;
        this.exited = v;
        init.exit(this.name, v);
        sandbox.flushLog();
      },
      announce: (s) => {
        this.announced.add(s);
        init.announce(this.name, s);
        sandbox.sync();
      },
      after: (timer, ms, fn) => {
        timer.call(0, [Math.round(ms * 1000)]);
        rt.after(ms, () => { if (this.exited === undefined && sandbox.processes.get(this.id) === this) fn(); });
      },
      now: () => rt.nowMs(),
      signal: (handler) => {
        const core = rt.kernel.createSignalContext(this.pd, (n) => { if (this.exited === undefined) handler(n); });
        if (!core.ok) return undefined;
        const mine = rt.kernel.delegate(core.value, this.pd);
        return mine.ok ? mine.value : undefined;
      },
      submit: (cap) => { rt.kernel.submit(cap); },
      quota: () => {
        const c = init.child(this.name);
        const a = c === undefined ? undefined : init.ledger.get(`pd:${c.name}#${c.id}`);
        return a === undefined ? { ram: 0, caps: 0, usedRam: 0, usedCaps: 0 } : { ram: a.ram, caps: a.caps, usedRam: a.usedRam, usedCaps: a.usedCaps };
      },
      consume: (ram, caps = 0) => init.consume(this.name, ram, caps),
    };
  }
}
