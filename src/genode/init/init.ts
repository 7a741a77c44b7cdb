/**
 * Init: Genode's init component as a data model — config, routing, quota, reconfiguration.
 * Genode: repos/os/src/init/main.cc + repos/os/src/lib/sandbox/library.cc, child.cc
 * (genodelabs/genode ffb059da); reference/genode.md §1, §2, §4. Core drives it: it forwards the
 * children's parent-interface calls (session, upgrade, close, announce, resource_request,
 * yield_response, exit, heartbeat_response) and reads back routes, quota and log lines.
 */
import { err, ok, type Result } from "../../machine/index.js";
import { parseXml, serializeXml, XmlSyntaxError, xmlEqual } from "../xml.js";
import { childRouting, pdAccount, type Child } from "./child.js";
import { configuredQuota, parseInitConfig, parseRoute, type ConfigError, type InitConfig, type StartConfig } from "./config-model.js";
import {
  CoreSessionCosts, DOWNGRADE_KEEP_CAPS, DOWNGRADE_KEEP_RAM, ENV_CAP_QUOTA, ENV_RAM_QUOTA, INIT_STATIC_CAP_COSTS,
  Ledger, SESSION_ALLOC_BATCH, formatNumBytes, type CapQuota, type RamQuota,
} from "./quota.js";
import { routeSession, type Route, type RoutingEnv, type ServiceRef } from "./route-model.js";
import { EnvId, type SessionError, type SessionState } from "./session-state.js";
import { argValue, prefixedLabel, setArg } from "./session-label.js";
import { stateReport } from "./state-reporter.js";
import * as parent from "./parent.js";
import type { ParentAnswer, ParentContext, RouteAnswer } from "./parent.js";

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
  private serial = 0;
  private sessionCount = 0;
  private serversChanged = false;
  /** init's state as the parent interface (parent.ts) sees it; private members stay private. */
  private readonly ctx: ParentContext;

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

  private newService(
    s: { kind: "parent"; name: string } | { kind: "child"; name: string; server: string } | { kind: "local"; name: string; what: "config" | "session_requests" },
  ): ServiceRef {
    return { ...s, serial: ++this.serial, abandoned: false };
  }

  child(name: string): Child | undefined {
    return this.children.find((c) => c.name === name && c.state !== "ABANDONED");
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
    for (const start of cfg.starts) {
      const i = unmatched.findIndex((m) => m.name === start.name && m.version === start.version);
      if (i >= 0) {
        const m = unmatched.splice(i, 1)[0]!;
        models.push(m);
        if (m.child) { if (this.updateChild(m.child, start)) outcome.configUpdated.push(m.child.name); }
        else m.child = this.createChild(start, models);
        continue;
      }
      const m = { name: start.name ?? "", version: start.version, child: this.createChild(start, models) };
      if (m.child) outcome.created.push(m.child.name);
      models.push(m);
    }
    for (const m of unmatched) if (m.child) { this.abandon(m.child); outcome.destroyed.push(m.child.name); }
    this.startModels = models;

    // re-evaluate dependencies until no more restarts cascade (library.cc apply_config)
    for (;;) {
      let anyRestart = false;
      for (const c of [...this.children]) {
        if (c.state === "ABANDONED") continue;
        if (c.state === "RESTART_SCHEDULED") { anyRestart = true; continue; }
        if (this.serversChanged || c.uncertain) this.evaluateDependencies(c);
        if ((c.state as Child["state"]) === "RESTART_SCHEDULED") anyRestart = true;
      }
      this.parentServices = this.parentServices.filter((s) => !s.abandoned);
      this.destroyAbandoned();
      this.serversChanged = false;
      for (const m of this.startModels) if (m.child) this.tryStart(m.child);
      if (!anyRestart) break;
      for (const m of this.startModels) {
        if (m.child && m.child.state === "RESTART_SCHEDULED") {
          const start = cfg.starts.find((s) => s.name === m.name && s.version === m.version)!;
          this.abandon(m.child);
          outcome.restarted.push(m.child.name);
          m.child = undefined;
          m.child = this.createChild(start, this.startModels);
        }
      }
    }
    for (const c of this.children) this.applyDowngrade(c);
    for (const c of this.children) this.applyUpgrade(c);
    return ok(outcome);
  }

  private createChild(start: StartConfig, models: Array<{ name: string; version: string; child: Child | undefined }>): Child | undefined {
    const cfg = this.config!;
    if (cfg.affinitySpace === undefined && start.affinity !== undefined)
      this.warn(`affinity-space configuration missing, but affinity defined for child ${start.name ?? ""}`);
    if (start.name === undefined || start.name === "") {
      this.warn("missing 'name' attribute in '<start>' entry");
      this.warn("skipped startup of nameless child");
      this.error("child creation failed");
      return undefined;
    }
    // ready_to_create_child: defer while a child of that name and version exists
    if (models.some((m) => m.child && m.child.state !== "ABANDONED" && m.child.name === start.name && m.child.version === start.version)) return undefined;
    const { ram, caps } = configuredQuota(start);
    const child: Child = {
      id: ++this.childCount, name: start.name, version: start.version, binary: start.binary ?? start.name, start,
      rules: start.route ?? cfg.defaultRoute, state: "INITIAL", assignedRam: ram, assignedCaps: caps,
      services: [], inlineConfig: undefined, sessionRequests: undefined as unknown as ServiceRef, configUpdates: 0,
      uncertain: false, exited: undefined, heartbeatOutstanding: false, skippedHeartbeats: 0, requested: undefined, yieldRequest: undefined,
    };
    child.sessionRequests = this.newService({ kind: "local", name: "ROM", what: "session_requests" });
    if (start.config) child.inlineConfig = this.newService({ kind: "local", name: "ROM", what: "config" });
    if (cfg.verbose) {
      this.info(`child "${child.name}"`);
      this.info(`  RAM quota:  ${formatNumBytes(Math.max(0, ram - ENV_RAM_QUOTA))}`);
      this.info(`  cap quota:  ${Math.max(0, caps - ENV_CAP_QUOTA - INIT_STATIC_CAP_COSTS)}`);
      this.info(`  ELF binary: ${child.binary}`);
      this.info(`  priority:   ${-start.priority}`);
    }
    for (const s of start.provides) {
      if (cfg.verbose) this.info(`  provides service ${s}`);
      child.services.push(this.newService({ kind: "child", name: s, server: child.name }));
      this.childServicesCache = undefined;
    }
    if (start.provides.length > 0) this.serversChanged = true;
    this.ledger.open(pdAccount(child));
    this.children.unshift(child);
    this.childServicesCache = undefined;
    return child;
  }

  /** Child::apply_config: returns true if only the inline config changed (ROM update, no restart). */
  private updateChild(c: Child, start: StartConfig): boolean {
    if (c.state === "ABANDONED" || c.state === "STUCK" || c.state === "RESTART_SCHEDULED" || c.exited !== undefined) return false;
    if (c.state !== "INITIAL") {
      const has = (id: number): boolean => [...this.sessions.values()].some((s) => s.owner === c.id && s.env && s.clientId === id && s.phase !== "CLOSED");
      if (!has(EnvId.log) || !has(EnvId.binary)) { c.state = "STUCK"; return false; }
    }
    const old = c.start;
    let configOnly = false;
    if (old.route !== undefined && start.route !== undefined) {
      const o = old.node.children.find((n) => n.type === "route");
      const n = start.node.children.find((x) => x.type === "route");
      if (!xmlEqual(o, n)) { c.rules = parseRoute(n!); c.uncertain = true; }
    }
    if ((old.config === undefined) !== (start.config === undefined)) c.uncertain = true;
    if (old.config && start.config && !xmlEqual(old.config, start.config)) { c.configUpdates++; configOnly = true; }
    if (!old.config && start.config) c.inlineConfig = this.newService({ kind: "local", name: "ROM", what: "config" });
    if (old.config && !start.config && c.inlineConfig) c.inlineConfig.abandoned = true;
    for (const s of c.services) if (!s.abandoned && !start.provides.includes(s.name)) { s.abandoned = true; this.serversChanged = true; }
    for (const n of start.provides) {
      if (!c.services.some((s) => s.name === n && !s.abandoned)) {
        c.services.push(this.newService({ kind: "child", name: n, server: c.name }));
        this.childServicesCache = undefined;
        this.serversChanged = true;
      }
    }
    const binary = start.binary ?? start.name!;
    if (binary !== c.binary) { c.binary = binary; c.uncertain = true; }
    c.start = start;
    return configOnly;
  }

  /** Child::evaluate_dependencies: MISMATCH → restart, UNAVAILABLE → stuck. */
  private evaluateDependencies(c: Child): void {
    let changed = false;
    let unavailable = false;
    for (const s of this.sessions.values()) {
      if (s.owner !== c.id || s.phase === "CLOSED") continue;
      const r = routeSession(childRouting(c), c.rules, s.service.name, s.clientLabel, this.routingEnv());
      if (r === undefined) unavailable = true;
      else if (r.service !== s.service || r.label !== s.label) changed = true;
    }
    c.uncertain = false;
    if (unavailable) { c.state = "STUCK"; return; }
    if (changed || c.state === "STUCK") this.scheduleRestart(c);
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
  }

  /** A server vanished: its PD (holding the donations) goes back to init; metadata back to the client. */
  private serverGone(s: SessionState): void {
    const client = this.children.find((c) => c.id === s.owner && c.state !== "ABANDONED");
    this.ledger.close(`md:${s.id}`, client ? pdAccount(client) : "init");
    s.donatedRam = s.donatedCaps = s.keptRam = 0;
    s.phase = "CLOSED";
  }

  // ---- starting a child: env sessions and initial quota (Child::try_start, Child::init) ----

  private tryStart(c: Child): void {
    if (c.state !== "INITIAL" && c.state !== "RAM_INITIALIZED") return;
    if (c.state === "INITIAL") {
      const pd = this.envSession(c, EnvId.pd, "PD", c.name);
      if (pd === undefined) return;
      this.initQuota(c);
      c.state = "RAM_INITIALIZED";
    }
    const env: Array<[number, string, string]> = [[EnvId.cpu, "CPU", c.name], [EnvId.log, "LOG", c.name], [EnvId.binary, "ROM", c.name], [EnvId.linker, "ROM", "ld.lib.so"]];
    let complete = true;
    for (const [id, service, label] of env) {
      const existing = this.envSessionOf(c, id);
      if (existing) { if (existing.phase !== "OK" && existing.phase !== "AVAIL") complete = false; continue; }
      const s = this.envSession(c, id, service, label);
      if (s === undefined || (s.phase !== "OK" && s.phase !== "AVAIL")) complete = false;
    }
    if (complete) c.state = "ALIVE";
    else c.uncertain = true;
  }

  /** The child's environment session with that client id, if any (no array copy: called per child). */
  private envSessionOf(c: Child, clientId: number): SessionState | undefined {
    for (const s of this.sessions.values()) if (s.owner === c.id && s.env && s.clientId === clientId) return s;
    return undefined;
  }

  /** One environment session, paid from init's own account (base/child.h Env_connection). */
  private envSession(c: Child, clientId: number, service: string, label: string): SessionState | undefined {
    const cost = CoreSessionCosts[service] ?? { ram: 0, caps: 0 };
    const args = `label="${label}", ram_quota=${cost.ram}, cap_quota=${cost.caps}`;
    const route = routeSession(childRouting(c), c.rules, service, label, this.routingEnv());
    if (route === undefined) { this.error(`${c.name}: environment ${service} session denied (${args})`); return undefined; }
    const holder = route.service.kind === "parent" ? "parent" : route.service.kind === "child" ? this.serverAccount(route.service) : "init";
    if (!this.ledger.transfer("init", holder, cost.ram, cost.caps)) return undefined;
    const s = this.record(c, clientId, true, route, label, args, cost.ram, cost.caps, 0);
    s.phase = route.service.kind === "child" ? "CREATING" : "OK";
    return s;
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
    return s;
  }

  /** Child::init (sandbox/child.cc): transfer the configured quota, clamped to what init has. */
  private initQuota(c: Child): void {
    const costs = SESSION_ALLOC_BATCH * this.sessionCosts;
    const eff = Math.max(0, c.assignedRam - ENV_RAM_QUOTA);
    let ram = eff > costs ? eff - costs : 0;
    const availRam = Math.max(0, this.availRam() - ENV_RAM_QUOTA);
    if (ram > availRam) { this.warn(`${c.name}: configured RAM exceeds available RAM, proceed with ${formatNumBytes(availRam)}`); ram = availRam; }
    let caps = Math.max(0, c.assignedCaps - ENV_CAP_QUOTA - INIT_STATIC_CAP_COSTS);
    if (c.assignedCaps - ENV_CAP_QUOTA < INIT_STATIC_CAP_COSTS) caps = 0;
    const availCaps = Math.max(0, this.availCaps() - ENV_CAP_QUOTA);
    if (caps > availCaps) { this.warn(`${c.name}: configured caps exceed available caps, proceed with ${availCaps}`); caps = availCaps; }
    this.ledger.transfer("init", pdAccount(c), 0, Math.min(caps, this.ledger.availCaps("init")));
    this.ledger.transfer("init", pdAccount(c), Math.min(ram, this.ledger.availRam("init")), 0);
  }

  // ---- dynamic quota (apply_upgrade / apply_downgrade / yield) ----

  private applyUpgrade(c: Child): void {
    if (c.exited !== undefined || c.state === "ABANDONED") return;
    const conf = configuredQuota(c.start);
    if (conf.ambiguousRam) this.warn(`${c.name}: ambigious RAM-quota definition`);
    if (c.assignedRam < ENV_RAM_QUOTA) this.warn(`${c.name}: no valid RAM quota defined`);
    if (c.assignedCaps - ENV_CAP_QUOTA <= INIT_STATIC_CAP_COSTS) this.warn(`${c.name}: no valid capability quota defined`);
    const up = (assigned: number, configured: number, limit: number, move: (n: number) => void): number => {
      if (configured <= assigned) return assigned;
      const increment = configured - assigned;
      if (increment > limit && this.config?.verbose) this.warn(`specified quota exceeds available quota, proceeding with a quota of ${limit}`);
      const t = Math.min(increment, limit);
      if (t > 0) { move(t); if (c.requested) c.requested = undefined; }
      return assigned + t;
    };
    c.assignedRam = up(c.assignedRam, conf.ram, this.availRam(), (t) => this.ledger.transfer("init", pdAccount(c), t, 0));
    c.assignedCaps = up(c.assignedCaps, conf.caps, this.availCaps(), (t) => this.ledger.transfer("init", pdAccount(c), 0, t));
  }

  private applyDowngrade(c: Child): void {
    if (c.exited !== undefined || c.state === "ABANDONED" || !this.ledger.has(pdAccount(c))) return;
    const conf = configuredQuota(c.start);
    const acct = pdAccount(c);
    // sandbox/child.cc as of 24.11: one successful transfer ends the attempts (see report on HEAD)
    const down = (assigned: number, configured: number, keep: number, avail: () => number, move: (n: number) => boolean): number => {
      if (configured >= assigned) return assigned;
      const a = avail();
      if (a < keep) return assigned;
      const t = Math.min(a - keep, assigned - configured);
      return move(t) ? assigned - t : assigned;
    };
    c.assignedRam = down(c.assignedRam, conf.ram, DOWNGRADE_KEEP_RAM, () => this.ledger.availRam(acct), (t) => this.ledger.transfer(acct, "init", t, 0));
    c.assignedCaps = down(c.assignedCaps, conf.caps, DOWNGRADE_KEEP_CAPS, () => this.ledger.availCaps(acct), (t) => this.ledger.transfer(acct, "init", 0, t));
    const ram = Math.max(0, c.assignedRam - conf.ram);
    const caps = Math.max(0, c.assignedCaps - conf.caps);
    c.yieldRequest = ram || caps ? `ram_quota=${formatNumBytes(ram)}, cap_quota=${caps}` : undefined;
  }

  /** Parent::yield_response: the child freed memory; take what was asked for. */
  yieldResponse(child: string): void {
    const c = this.live(child);
    this.applyDowngrade(c);
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
    for (const m of this.startModels) if (m.child) this.tryStart(m.child);
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
