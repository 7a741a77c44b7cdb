/**
 * Parent interface: what a child asks of init (Genode::Parent RPCs session, upgrade, close,
 * announce, exit, resource_request, heartbeat_response) and init's answers.
 * Genode: repos/base/include/parent/parent.h, repos/base/src/lib/base/child.cc (Child::session,
 * upgrade, close), repos/os/src/lib/sandbox/child.cc (genodelabs/genode ffb059da);
 * reference/genode.md §2. Split out of init.ts: these functions act on init's state through
 * `ParentContext`, which init builds over its private members, so the state stays private to init.
 */
import { err, ok, type Result } from "../../machine/index.js";
import { childRouting, pdAccount, type Child } from "./child.js";
import type { InitConfig } from "./config-model.js";
import { formatNumBytes, parseNumBytes, type CapQuota, type Ledger, type RamQuota } from "./quota.js";
import { routeSession, type Route, type RoutingEnv, type ServiceRef } from "./route-model.js";
import type { SessionError, SessionState } from "./session-state.js";
import { argValue, labelFromArgs, prefixedLabel, setArg } from "./session-label.js";

export type ParentAnswer = "OK" | "DENIED" | "INSUFFICIENT_RAM" | "INSUFFICIENT_CAPS";
export type RouteAnswer = { target: "parent" } | { target: "child"; server: string } | { target: "local" } | { target: "denied" };

/** The parts of init the parent interface reads and changes. */
export interface ParentContext {
  readonly ledger: Ledger;
  readonly sessions: Map<number, SessionState>;
  readonly config: InitConfig | undefined;
  readonly children: readonly Child[];
  readonly sessionCosts: RamQuota;
  readonly sessionCount: number;
  readonly parentPolicy: (service: string, args: string) => ParentAnswer;
  live(name: string): Child;
  routingEnv(): RoutingEnv;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  childLine(child: string, kind: "log" | "warning" | "error", text: string): void;
  record(c: Child, clientId: number, env: boolean, route: Route, clientLabel: string, args: string, ram: RamQuota, caps: CapQuota, kept: RamQuota): SessionState;
  revert(s: SessionState, to: string): void;
  holder(s: SessionState): string;
  serverAccount(svc: ServiceRef): string;
  retryStarts(): void;
  scheduleRestart(c: Child): void;
  setExitValue(value: number): void;
  configXml(): string;
  apply(xml: string): unknown;
}

/** Parent::resource_request (child.cc resource_request). */
export function resourceRequest(ctx: ParentContext, child: string, args: string): void {
  const c = ctx.live(child);
  ctx.info(`child "${c.name}" requests resources: ${args}`);
  c.requested = { ram: parseNumBytes(argValue(args, "ram_quota") ?? "0") ?? 0, caps: Number(argValue(args, "cap_quota") ?? "0") };
}

/** The child consumes (positive) or frees (negative) quota of its own PD, e.g. for its heap. */
export function consume(ctx: ParentContext, child: string, ram: RamQuota, caps: CapQuota = 0): Result<void, "OUT_OF_RAM" | "OUT_OF_CAPS"> {
  const a = ctx.ledger.get(pdAccount(ctx.live(child)));
  if (a.usedRam + ram > a.ram) return err("OUT_OF_RAM");
  if (a.usedCaps + caps > a.caps) return err("OUT_OF_CAPS");
  a.usedRam = Math.max(0, a.usedRam + ram);
  a.usedCaps = Math.max(0, a.usedCaps + caps);
  return ok(undefined);
}

// ---- the parent interface as seen by a child (Genode::Child::session etc.) ----

/** Routing query without side effects on sessions (warnings are still logged, as init does). */
export function route(ctx: ParentContext, child: string, service: string, label: string): RouteAnswer & { label?: string } {
  const c = ctx.live(child);
  const r = routeSession(childRouting(c), c.rules, service, prefixedLabel(child, label), ctx.routingEnv());
  if (r === undefined) return { target: "denied" };
  if (r.service.kind === "parent") return { target: "parent", label: r.label };
  if (r.service.kind === "child") return { target: "child", server: r.service.server, label: r.label };
  return { target: "local", label: r.label };
}

/** `Child::session`: prefix label, keep session costs, route, transfer quota, ask the server. */
export function session(ctx: ParentContext, child: string, service: string, args: string): Result<SessionState, SessionError> {
  const c = ctx.live(child);
  const label = prefixedLabel(c.name, labelFromArgs(args));
  const ram = parseNumBytes(argValue(args, "ram_quota") ?? "0") ?? 0;
  const caps = Number(argValue(args, "cap_quota") ?? "0");
  if (ram < ctx.sessionCosts) return err("INSUFFICIENT_RAM");
  const route = routeSession(childRouting(c), c.rules, service, label, ctx.routingEnv());
  if (route === undefined) return err("DENIED");
  const acct = pdAccount(c);
  if (ctx.ledger.availRam(acct) < ram) return err("OUT_OF_RAM");
  if (ctx.ledger.availCaps(acct) < caps) return err("OUT_OF_CAPS");
  const forwarded = ram - ctx.sessionCosts;
  const serverArgs = setArg(setArg(args, "label", `"${route.label}"`), "ram_quota", String(forwarded));
  if (route.service.kind === "parent") {
    const answer = ctx.parentPolicy(service, serverArgs);
    if (answer !== "OK") return err(answer);
  }
  const holder = route.service.kind === "parent" ? "parent" : route.service.kind === "child" ? ctx.serverAccount(route.service) : "init";
  const s = ctx.record(c, ctx.sessionCount + 100, false, route, label, serverArgs, forwarded, caps, ctx.sessionCosts);
  ctx.ledger.transfer(acct, holder, forwarded, caps);
  ctx.ledger.transfer(acct, `md:${s.id}`, ctx.sessionCosts, 0);
  s.phase = route.service.kind === "child" ? "CREATING" : "OK";
  return ok(s);
}

/**
 * The client-side loop of `Expanding_parent_client::session` (base/src/lib/base/component.cc):
 * INSUFFICIENT_RAM adds 4 KiB, INSUFFICIENT_CAPS adds 4 caps, warnings after 2, 4, 8… attempts;
 * DENIED stops the component. Gives up after `maxAttempts` (the real one never does).
 */
export function sessionWithRetries(ctx: ParentContext, child: string, service: string, args: string, maxAttempts = 64): Result<SessionState, SessionError> {
  let a = args;
  let warnAfter = 2;
  for (let cnt = 0; cnt < maxAttempts; cnt++) {
    const r = session(ctx, child, service, a);
    if (r.ok) return r;
    if (r.error === "DENIED") { ctx.childLine(child, "error", `stop because parent denied ${service}-session: ${a}`); return r; }
    if (r.error === "INSUFFICIENT_RAM") a = setArg(a, "ram_quota", formatNumBytes((parseNumBytes(argValue(a, "ram_quota") ?? "0") ?? 0) + 4096));
    else if (r.error === "INSUFFICIENT_CAPS") a = setArg(a, "cap_quota", String(Number(argValue(a, "cap_quota") ?? "0") + 4));
    else return r;
    if (cnt === warnAfter) { ctx.childLine(child, "warning", `re-attempted ${service} session request ${cnt} times (args: ${a})`); warnAfter *= 2; }
  }
  return err("DENIED");
}

/** A child server answers an asynchronous request (Parent::session_response / deliver_session_cap). */
export function sessionResponse(ctx: ParentContext, server: string, sessionId: number, answer: ParentAnswer): void {
  const s = ctx.sessions.get(sessionId);
  if (s === undefined || s.service.kind !== "child" || s.service.server !== server || s.phase !== "CREATING") return;
  if (answer === "OK") { s.phase = "AVAIL"; ctx.retryStarts(); return; }
  const client = ctx.children.find((c) => c.id === s.owner && c.state !== "ABANDONED");
  ctx.revert(s, client ? pdAccount(client) : "init");
  s.phase = answer === "DENIED" ? "DENIED" : answer === "INSUFFICIENT_RAM" ? "INSUFFICIENT_RAM" : "INSUFFICIENT_CAP";
}


/** Parent::close: donation and kept costs return to the client; env sessions cannot be closed. */
export function close(ctx: ParentContext, child: string, sessionId: number): boolean {
  const s = ctx.sessions.get(sessionId);
  const c = ctx.live(child);
  if (s === undefined || s.owner !== c.id || s.env || s.phase === "CLOSED") return false;
  ctx.revert(s, pdAccount(c));
  ctx.sessions.delete(sessionId);
  return true;
}

/** Parent::upgrade: only in phase OK/AVAIL; same two-hop transfer. */
export function upgrade(ctx: ParentContext, child: string, sessionId: number, ram: RamQuota, caps: CapQuota): Result<void, "OUT_OF_RAM" | "OUT_OF_CAPS" | "INVALID_STATE"> {
  const s = ctx.sessions.get(sessionId);
  const c = ctx.live(child);
  if (s === undefined || s.owner !== c.id || (s.phase !== "OK" && s.phase !== "AVAIL")) {
    ctx.warn("attempt to upgrade session in invalid state");
    return err("INVALID_STATE");
  }
  const acct = pdAccount(c);
  if (ctx.ledger.availRam(acct) < ram) return err("OUT_OF_RAM");
  if (ctx.ledger.availCaps(acct) < caps) return err("OUT_OF_CAPS");
  ctx.ledger.transfer(acct, ctx.holder(s), ram, caps);
  s.donatedRam += ram;
  s.donatedCaps += caps;
  return ok(undefined);
}

/** Parent::announce (child.cc announce_service). */
export function announce(ctx: ParentContext, child: string, service: string): void {
  const c = ctx.live(child);
  if (ctx.config?.verbose) ctx.info(`child "${c.name}" announces service "${service}"`);
  if (!c.services.some((s) => s.name === service)) ctx.error(`${c.name}: illegal announcement of service "${service}"`);
}

/** Parent::exit (child.h exit). */
export function exit(ctx: ParentContext, child: string, value: number): void {
  const c = ctx.live(child);
  if (c.start.exitPropagate) { ctx.setExitValue(value); return; }
  c.exited = value;
  for (const s of [...ctx.sessions.values()]) if (s.owner === c.id && !s.env && s.phase !== "CLOSED") { ctx.revert(s, pdAccount(c)); ctx.sessions.delete(s.id); }
  ctx.info(`child "${c.name}" exited with exit value ${value}`);
}

// ---- heartbeats (sandbox/heartbeat.h, base Child::heartbeat) ----

/** One period of `<heartbeat rate_ms>`: children that did not answer the last one skip a beat. */
export function heartbeat(ctx: ParentContext): void {
  if (ctx.config?.heartbeatRateMs === undefined) return;
  let restart = false;
  for (const c of ctx.children) {
    if (c.start.heartbeat === undefined || c.state !== "ALIVE") continue;
    if (c.heartbeatOutstanding) c.skippedHeartbeats++;
    c.heartbeatOutstanding = true;
    const n = c.start.heartbeat.restartAfterSkipped;
    if (n > 0 && c.skippedHeartbeats > n) { ctx.scheduleRestart(c); restart = true; }
  }
  // the heartbeat alarm re-runs the config handler, which restarts the child (init/main.cc)
  if (restart && ctx.config) ctx.apply(ctx.configXml());
}

export function heartbeatResponse(ctx: ParentContext, child: string): void {
  const c = ctx.live(child);
  c.heartbeatOutstanding = false;
  c.skippedHeartbeats = 0;
}

