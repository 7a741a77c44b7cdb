/**
 * Genode runtime: the pieces every sandbox shares — machine, kernel interface, core, the program
 * registry (boot modules that are binaries) and simulated-time callbacks (Timer sessions fire as
 * machine events, so they happen in `m.run()` at the right cycle).
 */
import { err, ok, type Machine, type Result } from "../../machine/index.js";
import type { ComponentFactory, ComponentHost, Env } from "../component.js";
import type { Core } from "../core/core.js";
import type { SessionError } from "../init/session-state.js";
import type { Capability, Kernel, KernelPd } from "../kernel.js";
import { parseNumBytes } from "../init/quota.js";
import { argValue } from "../init/session-label.js";
import { onMachineEvent } from "../machine-events.js";
import { Sandbox } from "./sandbox.js";

const TIMEOUT_EVENT = "genode.timeout";

export class GenodeRuntime implements ComponentHost {
  readonly sandboxes = new Set<Sandbox>();
  private readonly callbacks = new Map<number, () => void>();
  private nextCallback = 1;

  constructor(readonly machine: Machine, readonly kernel: Kernel, readonly core: Core, private readonly programs: ReadonlyMap<string, ComponentFactory>) {
    onMachineEvent(machine, TIMEOUT_EVENT, (payload) => {
      const id = (payload as { id: number }).id;
      const fn = this.callbacks.get(id);
      this.callbacks.delete(id);
      fn?.();
      for (const s of this.sandboxes) s.settle();
    });
    core.beforePrint = () => this.flushAll();
  }

  program(binary: string): ComponentFactory | undefined {
    return this.programs.get(binary);
  }

  bootModule(name: string): string | number | undefined {
    return this.core.module(name);
  }

  flushAll(): void {
    for (const s of this.sandboxes) s.flushLog();
  }

  nowMs(): number {
    return (this.machine.now(0) / this.machine.costs.hz) * 1000;
  }

  /** Run `fn` once, `ms` of simulated time from now on CPU 0. */
  after(ms: number, fn: () => void): void {
    const id = this.nextCallback++;
    this.callbacks.set(id, fn);
    this.machine.after(0, Math.max(1, Math.round((ms / 1000) * this.machine.costs.hz)), TIMEOUT_EVENT, { id });
  }

  /** Run `fn` every `ms` while it returns true. */
  every(ms: number, fn: () => boolean): void {
    this.after(ms, () => { if (fn()) this.every(ms, fn); });
  }

  /**
   * A nested init run by `env`'s component (ping.run's "drivers", bomb's children): its children's
   * parent-routed sessions are opened by the hosting component at its own parent, labelled
   * "<child> -> …" as Genode's Child::session prefixes them.
   */
  nestedInit(env: Env, _name: string, xml: string): Result<{ apply(xml: string): Result<unknown, string>; destroy(): void }, string> {
    const q = env.quota();
    const host = this.hostSandbox(env);
    if (host === undefined) return err("NO_HOST");
    // the nested init's quota is the hosting component's own: it is used up while the init lives
    const ram = Math.max(0, q.ram - q.usedRam);
    const caps = Math.max(0, q.caps - q.usedCaps);
    if (!env.consume(ram, caps).ok) return err("OUT_OF_RAM");
    // a session the nested init opens at its parent is paid from that consumed quota: free the
    // donation first so the host's init can transfer it, and close such sessions with the init
    let freedRam = 0;
    let freedCaps = 0;
    const opened = new Set<number>();
    const inner = new Sandbox(this, env.label, {
      offersReport: true,
      session: (service, label, args, client) => {
        const need = { ram: parseNumBytes(argValue(args, "ram_quota") ?? "0") ?? 0, caps: Number(argValue(args, "cap_quota") ?? "0") };
        if (need.ram > ram - freedRam || need.caps > caps - freedCaps) return err("OUT_OF_RAM");
        env.consume(-need.ram, -need.caps);
        const r = this.viaHost(host, env.name, service, label, args, client);
        if (!r.ok) { env.consume(need.ram, need.caps); return err(r.error); }
        freedRam += need.ram;
        freedCaps += need.caps;
        const id = r.value.id;
        opened.add(id);
        // closed at the host's init: the donation flows back to the hosting child, whose nested
        // init's quota it is again
        const close = (): void => {
          if (!opened.delete(id)) return;
          host.init.close(env.name, id);
          host.sync();
          env.consume(need.ram, need.caps);
          freedRam -= need.ram;
          freedCaps -= need.caps;
        };
        return ok({ cap: r.value.cap, close });
      },
    }, env.pd, env.ep, { ram, caps, parentPolicy: () => "OK" });
    const destroy = (): void => {
      inner.destroy();
      for (const id of opened) host.init.close(env.name, id);
      host.sync();
      env.consume(-(ram - freedRam), -(caps - freedCaps));
    };
    const r = inner.apply(xml);
    if (!r.ok) { destroy(); return err(r.error); }
    return ok({ apply: (x: string) => inner.apply(x), destroy });
  }

  private hostSandbox(env: Env): Sandbox | undefined {
    for (const s of this.sandboxes) for (const p of s.processes.values()) if (p.env === env) return s;
    return undefined;
  }

  /** A session the nested init routes to its parent: the hosting child asks its own init. */
  private viaHost(host: Sandbox, child: string, service: string, label: string, args: string, client: KernelPd): Result<{ id: number; cap: Capability }, SessionError> {
    const a = args.replace(/label="[^"]*"/, `label="${label}"`);
    const r = host.init.session(child, service, a);
    if (!r.ok) return err(r.error);
    host.deliverNow(r.value);
    host.sync();
    const s = host.init.sessions.get(r.value.id);
    if (s === undefined) return err("DENIED");
    const cap = host.capFor(s, client);
    return cap.ok ? ok({ id: s.id, cap: cap.value }) : err(cap.error);
  }
}
