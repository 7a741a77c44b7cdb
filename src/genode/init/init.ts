/**
 * Init: Genode's init component as a data model — config, routing, quota, reconfiguration.
 * Genode: repos/os/src/init/main.cc + repos/os/src/lib/sandbox/library.cc, child.cc
 * (genodelabs/genode ffb059da); reference/genode.md §1, §2, §4. Core drives it: it forwards the
 * children's parent-interface calls (session, upgrade, close, announce, resource_request,
 * yield_response, exit, heartbeat_response) and reads back routes, quota and log lines.
 * This file holds init's state and applies a configuration; the parent interface (parent.ts),
 * children from `<start>` nodes (child-config.ts), their start (child-start.ts) and their quota
 * (child-quota.ts) act on it through an InitContext.
 */
import { err, ok, type Result } from "../../machine/index.js";
import { parseXml, serializeXml, XmlSyntaxError } from "../xml.js";
import { pdAccount, type Child } from "./child.js";
import { parseInitConfig, type ConfigError, type InitConfig } from "./config-model.js";
import { CoreSessionCosts, Ledger, type CapQuota, type RamQuota } from "./quota.js";
import type { Route, RoutingEnv, ServiceRef } from "./route-model.js";
import { EnvId, type SessionError, type SessionState } from "./session-state.js";
import { argValue, prefixedLabel, setArg } from "./session-label.js";
import { stateReport } from "./state-reporter.js";
import * as parent from "./parent.js";
import type { ParentAnswer, RouteAnswer } from "./parent.js";
import { createChild, evaluateDependencies, updateChild } from "./child-config.js";
import { applyDowngrade, applyUpgrade } from "./child-quota.js";
import { tryStart } from "./child-start.js";
import type { InitContext, NewService } from "./init-context.js";

export type { ParentAnswer, RouteAnswer } from "./parent.js";

export interface InitOptions {
  /** init's own quota, as core assigns it ("<N> MiB RAM and <M> caps assigned to init"). */
  ram: RamQuota;
  caps: CapQuota;
  /** Label prefix of init's LOG session at core: "init" for the top-level init. */
  name?: string;
  /**
   * session_costs: slab overhead of one Session_state, kept by init per session. The real value
   * needs a build (reference/genode.md §8 q.2); 1 KiB is our assumption.
   */
  sessionCosts?: RamQuota;
  /** How init's parent answers a session request. Default: DENIED below the service's CAP_QUOTA. */
  parentPolicy?: (service: string, args: string) => ParentAnswer;
  /** Print Genode's colour escapes around "Warning: "/"Error: " exactly as base/log.cc does. */
  colors?: boolean;
}

export type ApplyError = "MALFORMED_XML" | ConfigError;
export interface ApplyOutcome {
  created: string[];
  destroyed: string[];
  restarted: string[];
  configUpdated: string[];
}


const defaultParentPolicy = (service: string, args: string): ParentAnswer => {
  const need = CoreSessionCosts[service];
  if (need !== undefined && Number(argValue(args, "cap_quota") ?? "0") < need.caps) return "INSUFFICIENT_CAPS";
  return "OK";
};

export class Init {
  readonly ledger: Ledger;
  readonly log: string[] = [];
  readonly sessions = new Map<number, SessionState>();
  /**
   * Ids of sessions init closed since the sandbox last looked, in order: the sandbox closes them
   * at their servers (Session_state::destroy asks the server to drop its session object).
   */
  readonly closed: number[] = [];
  config: InitConfig | undefined;
  /** Value passed by a child with `<exit propagate="yes"/>`: init itself exited. */
  exitValue: number | undefined;
  /** Last syntax error of `apply`, with line and column. */
  syntaxError: XmlSyntaxError | undefined;

  private readonly name: string;
  private readonly sessionCosts: RamQuota;
  private readonly parentPolicy: (service: string, args: string) => ParentAnswer;
  private readonly colors: boolean;
  /** Child registry, newest first (Genode's `List::insert` puts new elements at the head). */
  private children: Child[] = [];
  /** Start models in document order: (name, version) → child, as `Config_model`'s List_model. */
  private startModels: Array<{ name: string; version: string; child: Child | undefined }> = [];
  private parentServices: ServiceRef[] = [];
  private childCount = 0;
  /**
   * Newest child of each name, as added: `child(name)` answers from it unless that one was
   * abandoned since (then it scans), so that lookups per session stay O(1) with thousands of children.
   */
  private readonly newestByName = new Map<string, Child>();
  /**
   * Oldest live environment session per (child id, client id): `envSession` answers from it and
   * scans only when it went stale, so that starting n children is not O(n²) in session lookups.
   */
  private readonly envIndex = new Map<number, SessionState>();
  private serial = 0;
  private sessionCount = 0;
  private serversChanged = false;
  /** init's state as its split-out parts (parent.ts, child-*.ts) see it; private members stay private. */
  private readonly ctx: InitContext;

  constructor(options: InitOptions) {
    this.ledger = new Ledger("init", options.ram, options.caps);
    this.ledger.open("parent");
    this.name = options.name ?? "init";
    this.sessionCosts = options.sessionCosts ?? 1024;
    this.parentPolicy = options.parentPolicy ?? defaultParentPolicy;
    this.colors = options.colors ?? false;
    const config = (): InitConfig | undefined => this.config;
    const children = (): Child[] => this.children;
    const sessionCount = (): number => this.sessionCount;
    this.ctx = {
      ledger: this.ledger, sessions: this.sessions, sessionCosts: this.sessionCosts, parentPolicy: this.parentPolicy,
      get config() { return config(); },
      get children() { return children(); },
      get sessionCount() { return sessionCount(); },
      live: (n) => this.live(n), routingEnv: () => this.routingEnv(),
      info: (x) => this.info(x), warn: (x) => this.warn(x), error: (x) => this.error(x),
      childLine: (c, k, x) => this.childLine(c, k, x),
      record: (...a) => this.record(...a), revert: (s, to) => this.revert(s, to), holder: (s) => this.holder(s),
      serverAccount: (s) => this.serverAccount(s), retryStarts: () => this.retryStarts(), scheduleRestart: (c) => this.scheduleRestart(c),
      setExitValue: (v) => { this.exitValue = v; }, configXml: () => serializeConfig(this.config!), apply: (x) => this.apply(x),
      availRam: () => this.availRam(), availCaps: () => this.availCaps(),
      newService: (x) => this.newService(x),
      servicesChanged: (servers) => { this.childServicesCache = undefined; if (servers) this.serversChanged = true; },
      nextChildId: () => ++this.childCount,
      addChild: (c) => { this.children.unshift(c); this.newestByName.set(c.name, c); this.childServicesCache = undefined; },
      envSession: (owner, clientId) => this.envSession(owner, clientId),
    };
  }

  // ---- log lines, as core's LOG session prints them: "[<label>] <text>" ----

  private line(label: string, kind: "log" | "warning" | "error", text: string): void {
    const pre = kind === "warning" ? "Warning: " : kind === "error" ? "Error: " : "";
    const body = this.colors && kind !== "log" ? `\x1b[${kind === "warning" ? 34 : 31}m${pre}${text}\x1b[0m` : pre + text;
    this.log.push(`[${label}] ${body}`);
  }
  private info(text: string): void { this.line(this.name, "log", text); }
  private warn(text: string): void { this.line(this.name, "warning", text); }
  private error(text: string): void { this.line(this.name, "error", text); }
  /** A line the child itself prints, e.g. its client-side retry warnings. */
  childLine(child: string, kind: "log" | "warning" | "error", text: string): void {
    this.line(prefixedLabel(this.name, child), kind, text);
  }

  /**
   * Child services in routing order, rebuilt only when a child or a provided service is added or
   * removed (abandonment is a flag on the shared ServiceRef, read at routing time). Without this,
   * routing each of n children's sessions walked all n children: quadratic start-up.
   */
  private childServicesCache: ServiceRef[] | undefined;

  private routingEnv(): RoutingEnv {
    const childServices = (this.childServicesCache ??= this.children.flatMap((c) => [...c.services].reverse()));
    return {
      parentServices: this.parentServices,
      childServices,
      derefAlias: (n) => this.config?.aliases.find((a) => a.name === n)?.child ?? n,
      warning: (t) => this.warn(t),
      error: (t) => this.error(t),
    };
  }

  private newService(s: NewService): ServiceRef {
    return { ...s, serial: ++this.serial, abandoned: false };
  }

  child(name: string): Child | undefined {
    const newest = this.newestByName.get(name);
    if (newest === undefined) return undefined; // no child of that name was ever added
    if (newest.state !== "ABANDONED") return newest; // children are newest first: find() would stop here
    const c = this.children.find((x) => x.name === name && x.state !== "ABANDONED");
    if (c === undefined) this.newestByName.delete(name); else this.newestByName.set(name, c);
    return c;
  }

  /** The child's environment session with that client id (the first recorded that is still open). */
  envSession(owner: number, clientId: number): SessionState | undefined {
    const key = owner * 8 + clientId;
    const s = this.envIndex.get(key);
    if (s === undefined) return undefined;
    if (this.sessions.get(s.id) === s) return s;
    let found: SessionState | undefined;
    for (const x of this.sessions.values()) if (x.owner === owner && x.env && x.clientId === clientId) { found = x; break; }
    if (found === undefined) this.envIndex.delete(key); else this.envIndex.set(key, found);
    return found;
  }

  /** Children in start-node order. */
  childNames(): string[] {
    return this.startModels.flatMap((m) => (m.child ? [m.child.name] : []));
  }

  private availRam(): RamQuota {
    const avail = this.ledger.availRam("init");
    const keep = this.config?.preservedRam ?? 0;
    if (keep > avail) { this.error("RAM preservation exceeds available memory"); return 0; }
    return avail - keep;
  }
  private availCaps(): CapQuota {
    const avail = this.ledger.availCaps("init");
    const keep = this.config?.preservedCaps ?? 0;
    if (keep > avail) { this.error("Capability preservation exceeds available capabilities"); return 0; }
    return avail - keep;
  }

  // ---- configuration (Library::apply_config) ----

  apply(xml: string): Result<ApplyOutcome, ApplyError> {
    let root;
    try {
      root = parseXml(xml);
    } catch (e) {
      if (e instanceof XmlSyntaxError) { this.syntaxError = e; return err("MALFORMED_XML"); }
      throw e;
    }
    this.syntaxError = undefined;
    const parsed = parseInitConfig(root);
    if (!parsed.ok) {
      if (parsed.error === "UNKNOWN_ELEMENT") this.error(`unknown config element type <${parsed.element}>`);
      this.error("unable to apply complete configuration");
      return err(parsed.error);
    }
    const cfg = parsed.config;
    const outcome: ApplyOutcome = { created: [], destroyed: [], restarted: [], configUpdated: [] };
    this.config = cfg;
    this.serversChanged = false;

    if (cfg.prioLevels !== 0 && (cfg.prioLevels & (cfg.prioLevels - 1)) !== 0)
      this.warn("prio levels is not power of two, priorities are disabled");

    // parent-provides: List_model keyed by name; vanished entries are abandoned
    const keep: ServiceRef[] = [];
    for (const s of this.parentServices) {
      if (cfg.parentProvides.includes(s.name)) keep.push(s);
      else s.abandoned = true;
    }
    const firstNew = cfg.parentProvides.filter((n) => !keep.some((s) => s.name === n));
    if (cfg.verbose && firstNew.length > 0) {
      this.info("parent provides");
      for (const n of firstNew) this.info(`  service "${n}"`);
    }
    for (const n of firstNew) keep.unshift(this.newService({ kind: "parent", name: n }));
    this.parentServices = keep;

    // start nodes: match by (name, version) in document order
    const models: typeof this.startModels = [];
    const unmatched = [...this.startModels];
    // (name, version) of the models so far whose child lives: createChild defers a duplicate
    const present = new Set<string>();
    const exists = (name: string, version: string): boolean => present.has(`${name}\u0000${version}`);
    const note = (m: { child: Child | undefined }): void => { if (m.child && m.child.state !== "ABANDONED") present.add(`${m.child.name}\u0000${m.child.version}`); };
    for (const start of cfg.starts) {
      const i = unmatched.findIndex((m) => m.name === start.name && m.version === start.version);
      if (i >= 0) {
        const m = unmatched.splice(i, 1)[0]!;
        models.push(m);
        if (m.child) { if (updateChild(this.ctx, m.child, start)) outcome.configUpdated.push(m.child.name); }
        else m.child = createChild(this.ctx, start, exists);
        note(m);
        continue;
      }
      const m = { name: start.name ?? "", version: start.version, child: createChild(this.ctx, start, exists) };
      if (m.child) outcome.created.push(m.child.name);
      models.push(m);
      note(m);
    }
    for (const m of unmatched) if (m.child) { this.abandon(m.child); outcome.destroyed.push(m.child.name); }
    this.startModels = models;

    // re-evaluate dependencies until no more restarts cascade (library.cc apply_config)
    for (;;) {
      let anyRestart = false;
      for (const c of [...this.children]) {
        if (c.state === "ABANDONED") continue;
        if (c.state === "RESTART_SCHEDULED") { anyRestart = true; continue; }
        if (this.serversChanged || c.uncertain) evaluateDependencies(this.ctx, c);
        if ((c.state as Child["state"]) === "RESTART_SCHEDULED") anyRestart = true;
      }
      this.parentServices = this.parentServices.filter((s) => !s.abandoned);
      this.destroyAbandoned();
      this.serversChanged = false;
      for (const m of this.startModels) if (m.child) tryStart(this.ctx, m.child);
      if (!anyRestart) break;
      for (const m of this.startModels) {
        if (m.child && m.child.state === "RESTART_SCHEDULED") {
          const start = cfg.starts.find((s) => s.name === m.name && s.version === m.version)!;
          this.abandon(m.child);
          outcome.restarted.push(m.child.name);
          m.child = undefined;
          m.child = createChild(this.ctx, start, (name, version) => this.startModels.some((x) => x.child && x.child.state !== "ABANDONED" && x.child.name === name && x.child.version === version));
        }
      }
    }
    for (const c of this.children) applyDowngrade(this.ctx, c);
    for (const c of this.children) applyUpgrade(this.ctx, c);
    return ok(outcome);
  }

  private scheduleRestart(c: Child): void {
    c.state = "RESTART_SCHEDULED";
    for (const s of c.services) s.abandoned = true;
  }

  private abandon(c: Child): void {
    c.state = "ABANDONED";
    for (const s of c.services) s.abandoned = true;
    this.serversChanged = true;
  }

  /** Library::_destroy_abandoned_children: close sessions, return quota, drop the PD. */
  private destroyAbandoned(): void {
    for (const c of this.children.filter((x) => x.state === "ABANDONED")) {
      for (const s of [...this.sessions.values()]) {
        if (s.owner === c.id && s.phase !== "CLOSED") this.revert(s, pdAccount(c));
        else if (s.service.kind === "child" && s.service.server === c.name && s.phase !== "CLOSED") this.serverGone(s);
      }
      this.ledger.close(pdAccount(c), "init");
      for (const id of Object.values(EnvId)) this.envIndex.delete(c.id * 8 + id);
      this.children = this.children.filter((x) => x !== c);
      this.childServicesCache = undefined;
    }
    for (const [id, s] of this.sessions) if (s.phase === "CLOSED") this.sessions.delete(id);
  }

  private holder(s: SessionState): string {
    if (s.service.kind === "parent") return "parent";
    if (s.service.kind === "child") {
      const server = this.children.find((c) => c.name === (s.service as { server: string }).server && c.services.includes(s.service));
      return server ? pdAccount(server) : "init";
    }
    return "init";
  }

  /** `_revert_quota_and_destroy`: donation and kept costs flow back to `to`. */
  private revert(s: SessionState, to: string): void {
    const from = this.holder(s);
    const ram = Math.min(s.donatedRam, this.ledger.availRam(from));
    const caps = Math.min(s.donatedCaps, this.ledger.availCaps(from));
    this.ledger.transfer(from, to, ram, caps);
    this.ledger.close(`md:${s.id}`, to);
    s.donatedRam = s.donatedCaps = s.keptRam = 0;
    s.phase = "CLOSED";
    this.closed.push(s.id);
  }

  /** A server vanished: its PD (holding the donations) goes back to init; metadata back to the client. */
  private serverGone(s: SessionState): void {
    const client = this.children.find((c) => c.id === s.owner && c.state !== "ABANDONED");
    this.ledger.close(`md:${s.id}`, client ? pdAccount(client) : "init");
    s.donatedRam = s.donatedCaps = s.keptRam = 0;
    s.phase = "CLOSED";
    this.closed.push(s.id);
  }

  private serverAccount(svc: ServiceRef): string {
    const server = this.children.find((c) => c.services.includes(svc));
    return server ? pdAccount(server) : "init";
  }

  private record(c: Child, clientId: number, env: boolean, route: Route, clientLabel: string, args: string, ram: RamQuota, caps: CapQuota, kept: RamQuota): SessionState {
    const s: SessionState = {
      id: ++this.sessionCount, client: c.name, owner: c.id, clientId, env, service: route.service, label: route.label, clientLabel,
      args: setArg(args, "label", `"${route.label}"`), phase: "CREATING", donatedRam: ram, donatedCaps: caps, keptRam: kept,
    };
    this.ledger.open(`md:${s.id}`);
    this.sessions.set(s.id, s);
    if (env && this.envSession(c.id, clientId) === undefined) this.envIndex.set(c.id * 8 + clientId, s);
    return s;
  }

  /** Parent::yield_response: the child freed memory; take what was asked for. */
  yieldResponse(child: string): void {
    const c = this.live(child);
    applyDowngrade(this.ctx, c);
  }

  /** Parent::resource_request (child.cc resource_request). */
  resourceRequest(child: string, args: string): void { parent.resourceRequest(this.ctx, child, args); }

  /** The child consumes (positive) or frees (negative) quota of its own PD, e.g. for its heap. */
  consume(child: string, ram: RamQuota, caps: CapQuota = 0): Result<void, "OUT_OF_RAM" | "OUT_OF_CAPS"> { return parent.consume(this.ctx, child, ram, caps); }


  private live(name: string): Child {
    const c = this.child(name);
    if (c === undefined) throw new Error(`init has no child "${name}"`);
    return c;
  }

  // ---- the parent interface as seen by a child: src/genode/init/parent.ts ----

  /** Routing query without side effects on sessions (warnings are still logged, as init does). */
  route(child: string, service: string, label: string): RouteAnswer & { label?: string } { return parent.route(this.ctx, child, service, label); }
  /** `Child::session`: prefix label, keep session costs, route, transfer quota, ask the server. */
  session(child: string, service: string, args: string): Result<SessionState, SessionError> { return parent.session(this.ctx, child, service, args); }
  /** The client-side retry loop of `Expanding_parent_client::session`. */
  sessionWithRetries(child: string, service: string, args: string, maxAttempts = 64): Result<SessionState, SessionError> {
    return parent.sessionWithRetries(this.ctx, child, service, args, maxAttempts);
  }
  /** A child server answers an asynchronous request (Parent::session_response / deliver_session_cap). */
  sessionResponse(server: string, sessionId: number, answer: ParentAnswer): void { parent.sessionResponse(this.ctx, server, sessionId, answer); }

  private retryStarts(): void {
    for (const m of this.startModels) if (m.child) tryStart(this.ctx, m.child);
  }

  /** Parent::close: donation and kept costs return to the client; env sessions cannot be closed. */
  close(child: string, sessionId: number): boolean { return parent.close(this.ctx, child, sessionId); }
  /** Parent::upgrade: only in phase OK/AVAIL; same two-hop transfer. */
  upgrade(child: string, sessionId: number, ram: RamQuota, caps: CapQuota): Result<void, "OUT_OF_RAM" | "OUT_OF_CAPS" | "INVALID_STATE"> {
    return parent.upgrade(this.ctx, child, sessionId, ram, caps);
  }
  /** Parent::announce (child.cc announce_service). */
  announce(child: string, service: string): void { parent.announce(this.ctx, child, service); }
  /** Parent::exit (child.h exit). */
  exit(child: string, value: number): void { parent.exit(this.ctx, child, value); }
  /** One period of `<heartbeat rate_ms>` (sandbox/heartbeat.h). */
  heartbeat(): void { parent.heartbeat(this.ctx); }
  /** Parent::heartbeat_response. */
  heartbeatResponse(child: string): void { parent.heartbeatResponse(this.ctx, child); }

  /** The state report as init publishes it through its "state" Report session. */
  stateReport(): string {
    return stateReport({
      config: this.config, children: this.children, sessions: [...this.sessions.values()], ledger: this.ledger,
    });
  }

  /** Is every byte and capability accounted for? */
  conserved(): boolean {
    return this.ledger.conserved();
  }

  /** Quota currently held by init's parent for sessions of init's children. */
  atParent(): { ram: RamQuota; caps: CapQuota } {
    const a = this.ledger.get("parent");
    return { ram: a.ram, caps: a.caps };
  }
}

function serializeConfig(cfg: InitConfig): string {
  return serializeXml(cfg.node);
}
