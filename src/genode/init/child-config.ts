/**
 * Children from `<start>` nodes: creating one (quota, provided services, verbose lines), applying
 * a changed `<start>` to a live one (routes, inline config, provides, binary), and deciding after
 * a change whether its sessions still route the same way (restart) or cannot route (stuck).
 * Genode: repos/os/src/lib/sandbox/child.cc `apply_config`, `evaluate_dependencies`,
 * library.cc `_create_child` (genodelabs/genode ffb059da); reference/genode.md §1.4.
 */
import { xmlEqual } from "../xml.js";
import { childRouting, pdAccount, type Child } from "./child.js";
import { configuredQuota, parseRoute, type StartConfig } from "./config-model.js";
import type { InitContext } from "./init-context.js";
import { ENV_CAP_QUOTA, ENV_RAM_QUOTA, INIT_STATIC_CAP_COSTS, formatNumBytes } from "./quota.js";
import { routeSession, type ServiceRef } from "./route-model.js";
import { EnvId } from "./session-state.js";

/** `exists(name, version)`: a live child of that name and version is already modelled. */
export function createChild(ctx: InitContext, start: StartConfig, exists: (name: string, version: string) => boolean): Child | undefined {
  const cfg = ctx.config!;
  if (cfg.affinitySpace === undefined && start.affinity !== undefined)
    ctx.warn(`affinity-space configuration missing, but affinity defined for child ${start.name ?? ""}`);
  if (start.name === undefined || start.name === "") {
    ctx.warn("missing 'name' attribute in '<start>' entry");
    ctx.warn("skipped startup of nameless child");
    ctx.error("child creation failed");
    return undefined;
  }
  // ready_to_create_child: defer while a child of that name and version exists
  if (exists(start.name, start.version)) return undefined;
  const { ram, caps } = configuredQuota(start);
  const child: Child = {
    id: ctx.nextChildId(), name: start.name, version: start.version, binary: start.binary ?? start.name, start,
    rules: start.route ?? cfg.defaultRoute, state: "INITIAL", assignedRam: ram, assignedCaps: caps,
    services: [], inlineConfig: undefined, sessionRequests: undefined as unknown as ServiceRef, configUpdates: 0,
    uncertain: false, exited: undefined, heartbeatOutstanding: false, skippedHeartbeats: 0, requested: undefined, yieldRequest: undefined,
  };
  child.sessionRequests = ctx.newService({ kind: "local", name: "ROM", what: "session_requests" });
  if (start.config) child.inlineConfig = ctx.newService({ kind: "local", name: "ROM", what: "config" });
  if (cfg.verbose) {
    ctx.info(`child "${child.name}"`);
    ctx.info(`  RAM quota:  ${formatNumBytes(Math.max(0, ram - ENV_RAM_QUOTA))}`);
    ctx.info(`  cap quota:  ${Math.max(0, caps - ENV_CAP_QUOTA - INIT_STATIC_CAP_COSTS)}`);
    ctx.info(`  ELF binary: ${child.binary}`);
    ctx.info(`  priority:   ${-start.priority}`);
  }
  for (const s of start.provides) {
    if (cfg.verbose) ctx.info(`  provides service ${s}`);
    child.services.push(ctx.newService({ kind: "child", name: s, server: child.name }));
    ctx.servicesChanged(false);
  }
  if (start.provides.length > 0) ctx.servicesChanged(true);
  ctx.ledger.open(pdAccount(child));
  ctx.addChild(child);
  ctx.servicesChanged(false);
  return child;
}

/** Child::apply_config: returns true if only the inline config changed (ROM update, no restart). */
export function updateChild(ctx: InitContext, c: Child, start: StartConfig): boolean {
  if (c.state === "ABANDONED" || c.state === "STUCK" || c.state === "RESTART_SCHEDULED" || c.exited !== undefined) return false;
  if (c.state !== "INITIAL") {
    const has = (id: number): boolean => [...ctx.sessions.values()].some((s) => s.owner === c.id && s.env && s.clientId === id && s.phase !== "CLOSED");
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
  if (!old.config && start.config) c.inlineConfig = ctx.newService({ kind: "local", name: "ROM", what: "config" });
  if (old.config && !start.config && c.inlineConfig) c.inlineConfig.abandoned = true;
  for (const s of c.services) if (!s.abandoned && !start.provides.includes(s.name)) { s.abandoned = true; ctx.servicesChanged(true); }
  for (const n of start.provides) {
    if (!c.services.some((s) => s.name === n && !s.abandoned)) {
      c.services.push(ctx.newService({ kind: "child", name: n, server: c.name }));
      ctx.servicesChanged(false);
      ctx.servicesChanged(true);
    }
  }
  const binary = start.binary ?? start.name!;
  if (binary !== c.binary) { c.binary = binary; c.uncertain = true; }
  c.start = start;
  return configOnly;
}

/** Child::evaluate_dependencies: MISMATCH → restart, UNAVAILABLE → stuck. */
export function evaluateDependencies(ctx: InitContext, c: Child): void {
  let changed = false;
  let unavailable = false;
  for (const s of ctx.sessions.values()) {
    if (s.owner !== c.id || s.phase === "CLOSED") continue;
    const r = routeSession(childRouting(c), c.rules, s.service.name, s.clientLabel, ctx.routingEnv());
    if (r === undefined) unavailable = true;
    else if (r.service !== s.service || r.label !== s.label) changed = true;
  }
  c.uncertain = false;
  if (unavailable) { c.state = "STUCK"; return; }
  if (changed || c.state === "STUCK") ctx.scheduleRestart(c);
}
