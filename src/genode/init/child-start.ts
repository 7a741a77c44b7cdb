/**
 * Starting a child: its PD session first, then the initial quota, then CPU, LOG and the binary
 * and linker ROMs — the environment sessions, each paid from init's own account. A child whose
 * environment cannot be routed stays incomplete and is tried again when services appear.
 * Genode: repos/os/src/lib/sandbox/child.cc `try_start`, repos/base/include/base/child.h
 * `Env_connection` (genodelabs/genode ffb059da); reference/genode.md §2.1.
 */
import { childRouting, type Child } from "./child.js";
import { initQuota } from "./child-quota.js";
import type { InitContext } from "./init-context.js";
import { CoreSessionCosts } from "./quota.js";
import { routeSession } from "./route-model.js";
import { EnvId, type SessionState } from "./session-state.js";

export function tryStart(ctx: InitContext, c: Child): void {
  if (c.state !== "INITIAL" && c.state !== "RAM_INITIALIZED") return;
  if (c.state === "INITIAL") {
    const pd = envSession(ctx, c, EnvId.pd, "PD", c.name);
    if (pd === undefined) return;
    initQuota(ctx, c);
    c.state = "RAM_INITIALIZED";
  }
  const env: Array<[number, string, string]> = [[EnvId.cpu, "CPU", c.name], [EnvId.log, "LOG", c.name], [EnvId.binary, "ROM", c.name], [EnvId.linker, "ROM", "ld.lib.so"]];
  let complete = true;
  for (const [id, service, label] of env) {
    const existing = envSessionOf(ctx, c, id);
    if (existing) { if (existing.phase !== "OK" && existing.phase !== "AVAIL") complete = false; continue; }
    const s = envSession(ctx, c, id, service, label);
    if (s === undefined || (s.phase !== "OK" && s.phase !== "AVAIL")) complete = false;
  }
  if (complete) c.state = "ALIVE";
  else c.uncertain = true;
}

/** The child's environment session with that client id, if any (no array copy: called per child). */
export function envSessionOf(ctx: InitContext, c: Child, clientId: number): SessionState | undefined {
  return ctx.envSession(c.id, clientId);
}

/** One environment session, paid from init's own account (base/child.h Env_connection). */
export function envSession(ctx: InitContext, c: Child, clientId: number, service: string, label: string): SessionState | undefined {
  const cost = CoreSessionCosts[service] ?? { ram: 0, caps: 0 };
  const args = `label="${label}", ram_quota=${cost.ram}, cap_quota=${cost.caps}`;
  const route = routeSession(childRouting(c), c.rules, service, label, ctx.routingEnv());
  if (route === undefined) { ctx.error(`${c.name}: environment ${service} session denied (${args})`); return undefined; }
  const holder = route.service.kind === "parent" ? "parent" : route.service.kind === "child" ? ctx.serverAccount(route.service) : "init";
  if (!ctx.ledger.transfer("init", holder, cost.ram, cost.caps)) return undefined;
  const s = ctx.record(c, clientId, true, route, label, args, cost.ram, cost.caps, 0);
  s.phase = route.service.kind === "child" ? "CREATING" : "OK";
  return s;
}
