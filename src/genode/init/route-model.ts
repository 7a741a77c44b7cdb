/**
 * Route model: how init resolves a child's session request to a server (reference/genode.md §1.2).
 * Genode: repos/os/src/lib/sandbox/route_model.h, utils.h `service_node_matches`, child.cc
 * `_with_route` / `resolve_at_target`, os/session_policy.h `Node_label_score` (genodelabs/genode ffb059da).
 * Pure functions: the caller supplies the registries of parent and child services.
 */
import { attribute, hasAttribute, type XmlNode } from "../xml.js";
import type { LabelRewrite, RouteRule } from "./config-model.js";
import { labelPrefix, lastElement, prefixedLabel, skipLabelPrefix } from "./session-label.js";

/** A service object. Identity (`serial`) matters: a route is valid only if it still hits the same object. */
export type ServiceRef =
  | { kind: "parent"; name: string; serial: number; abandoned: boolean }
  | { kind: "child"; name: string; server: string; serial: number; abandoned: boolean }
  | { kind: "local"; name: string; what: "config" | "session_requests"; serial: number; abandoned: boolean };

export interface Route {
  service: ServiceRef;
  /** Label as presented to the server, after rewriting. */
  label: string;
}

export interface RouteQuery {
  child: string;
  service: string;
  label: string;
}

/** What the routing needs from init: registries newest-first, as Genode's `Registry` iterates. */
export interface RoutingEnv {
  parentServices: readonly ServiceRef[];
  childServices: readonly ServiceRef[];
  derefAlias(name: string): string;
  warning(text: string): void;
  error(text: string): void;
}

/** Child-specific shortcuts taken before the rules (child.cc `_with_route`). */
export interface ChildRouting {
  name: string;
  binary: string;
  useLd: boolean;
  inlineConfig: ServiceRef | undefined;
  sessionRequests: ServiceRef;
}

const trim = (s: string): string => s.trim();

/** `Node_label_score(...).conflict()`: label exact, label_prefix and label_suffix all must hold. */
export function labelConflicts(node: XmlNode, label: string): boolean {
  const l = trim(label);
  const exact = attribute(node, "label");
  const prefix = attribute(node, "label_prefix");
  const suffix = attribute(node, "label_suffix");
  if (exact !== undefined && l !== trim(exact)) return true;
  if (prefix !== undefined && !l.startsWith(trim(prefix))) return true;
  if (suffix !== undefined && !l.endsWith(trim(suffix))) return true;
  return false;
}

/** `service_node_matches` (sandbox/utils.h). */
export function ruleMatches(rule: RouteRule, q: RouteQuery, env: Pick<RoutingEnv, "warning">): boolean {
  const node = rule.node;
  const serviceMatches = node.type === "any-service" || (node.type === "service" && rule.service === q.service);
  if (!serviceMatches) return false;

  const scoped = ["label", "label_prefix", "label_suffix", "label_last"].some((a) => hasAttribute(node, a));
  const unscoped = attribute(node, "unscoped_label");
  if (unscoped !== undefined) {
    if (scoped) env.warning("service node contains both scoped and unscoped label attributes");
    return q.label === unscoped;
  }
  const last = attribute(node, "label_last");
  if (last !== undefined) return last === lastElement(q.label);
  if (!scoped) return true;
  const scopedLabel = skipLabelPrefix(q.child, q.label);
  if (scopedLabel === undefined) return false;
  return !labelConflicts(node, scopedLabel);
}

/** `rewritten_target_label` in child.cc `resolve_at_target`. */
export function rewriteLabel(label: string, r: LabelRewrite): string {
  if (r.label !== undefined) return r.label;
  const identity = r.identity ?? labelPrefix(label);
  const resource = r.resource ?? lastElement(label);
  const prepended = (r.prependResource ?? "") + resource;
  return identity.length > 0 ? prefixedLabel(identity, prepended) : prepended;
}

/** `find_service`: first object with that name passing the filter; an abandoned hit denies. */
function findService(list: readonly ServiceRef[], name: string, filter: (s: ServiceRef) => boolean): ServiceRef | undefined {
  const s = list.find((x) => x.name === name && filter(x));
  return s === undefined || s.abandoned ? undefined : s;
}

function resolveAtTarget(rule: RouteRule, q: RouteQuery, env: RoutingEnv): Route | undefined {
  for (const t of rule.targets) {
    const label = rewriteLabel(q.label, t.rewrite);
    if (t.kind === "parent") {
      const s = findService(env.parentServices, q.service, () => true);
      if (s) return { service: s, label };
    } else if (t.kind === "child") {
      const server = env.derefAlias(t.name);
      const s = findService(env.childServices, q.service, (x) => x.kind === "child" && x.server === server);
      if (s) return { service: s, label };
    } else if (t.kind === "any-child") {
      const providers = env.childServices.filter((x) => x.name === q.service && !x.abandoned);
      if (providers.length > 1) {
        env.error(`${q.child}: ambiguous routes to service "${q.service}"`);
        // Service_denied from one target: Rule::resolve goes on with the rule's next target
        continue;
      }
      const s = findService(env.childServices, q.service, () => true);
      if (s) return { service: s, label };
    }
    // <local/> targets name services of a sandbox host; init registers none, so they always fail.
  }
  return undefined;
}

/**
 * `Route_model::resolve`: first matching rule; a `<service>` rule whose targets all fail denies,
 * an `<any-service>` rule falls through to the next rule. `rules === undefined` means init has no
 * route model for the child (no `<route>` and no `<default-route>`): denied without a warning.
 */
export function resolveRules(rules: readonly RouteRule[] | undefined, q: RouteQuery, env: RoutingEnv): Route | undefined {
  if (rules === undefined) return undefined;
  for (const rule of rules) {
    if (!ruleMatches(rule, q, env)) continue;
    const r = resolveAtTarget(rule, q, env);
    if (r) return r;
    if (rule.service !== undefined) return undefined;
  }
  env.warning(`${q.child}: no route to service "${q.service}" (label="${q.label}")`);
  return undefined;
}

/** `Child::_with_route`: the local shortcuts first, then the rules. */
export function routeSession(child: ChildRouting, rules: readonly RouteRule[] | undefined, service: string, label: string, env: RoutingEnv): Route | undefined {
  const rom = service === "ROM";
  if (rom && lastElement(label) === "config" && child.inlineConfig && !child.inlineConfig.abandoned)
    return { service: child.inlineConfig, label };
  if (rom && label === child.name && child.name !== child.binary) return routeSession(child, rules, service, child.binary, env);
  if (rom && !child.useLd && label === "ld.lib.so") return routeSession(child, rules, service, child.binary, env);
  if (rom && lastElement(label) === "session_requests") return { service: child.sessionRequests, label: "" };
  return resolveRules(rules, { child: child.name, service, label }, env);
}
