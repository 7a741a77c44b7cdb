/**
 * Reconfiguration diff: what a new init config does to each `<start>` of the old one, statically
 * (reference/genode.md §1.4; sandbox/child.cc `apply_config`, config_model.h `Start_model::matches`,
 * genodelabs/genode ffb059da). The live consequences — sessions whose route changed, and the
 * cascade to their clients — are computed by `Init.apply`, which knows the sessions.
 */
import { xmlEqual } from "../xml.js";
import type { InitConfig, StartConfig } from "./config-model.js";
import { configuredQuota } from "./config-model.js";

export interface ReconfigDiff {
  /** Nothing in the `<start>` node changed. */
  unchanged: string[];
  /** Only the inline `<config>` (or quota) changed: ROM-update signal / quota transfer, no restart. */
  configOnly: string[];
  /** `<route>`, `<provides>`, `<binary>` or config presence changed: dependencies re-evaluated. */
  reevaluate: string[];
  /** Start node gone, or its `version` changed: the child is destroyed (and recreated if versioned). */
  removed: string[];
  created: string[];
}

const key = (s: StartConfig): string => `${s.name ?? ""}\u0000${s.version}`;

const sub = (s: StartConfig, type: string) => s.node.children.find((n) => n.type === type);

export function diffConfigs(oldCfg: InitConfig | undefined, newCfg: InitConfig): ReconfigDiff {
  const d: ReconfigDiff = { unchanged: [], configOnly: [], reevaluate: [], removed: [], created: [] };
  const before = new Map((oldCfg?.starts ?? []).map((s) => [key(s), s] as const));
  for (const s of newCfg.starts) {
    const name = s.name ?? "";
    const o = before.get(key(s));
    if (o === undefined) { d.created.push(name); continue; }
    before.delete(key(s));
    const routeChanged = o.route !== undefined && s.route !== undefined && !xmlEqual(sub(o, "route"), sub(s, "route"));
    const providesChanged = !xmlEqual(sub(o, "provides"), sub(s, "provides"));
    const binaryChanged = (o.binary ?? o.name) !== (s.binary ?? s.name);
    const configPresence = (o.config === undefined) !== (s.config === undefined);
    if (routeChanged || providesChanged || binaryChanged || configPresence) d.reevaluate.push(name);
    else if (!xmlEqual(o.config, s.config) || JSON.stringify(configuredQuota(o)) !== JSON.stringify(configuredQuota(s))) d.configOnly.push(name);
    else d.unchanged.push(name);
  }
  for (const s of before.values()) d.removed.push(s.name ?? "");
  return d;
}
