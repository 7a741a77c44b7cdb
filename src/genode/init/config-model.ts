/**
 * Init configuration model: the typed view of init's "config" ROM, one field per element of
 * reference/genode.md §1.1. Genode: repos/os/src/lib/sandbox/config_model.{h,cc}, child.h,
 * schema repos/os/src/init/config.xsd (genodelabs/genode ffb059da).
 */
import { attribute, boolAttribute, signedAttribute, subNode, subNodes, unsignedAttribute, type XmlNode } from "../xml.js";
import { DEFAULT_PRESERVED_CAPS, DEFAULT_PRESERVED_RAM, parseNumBytes, type CapQuota, type RamQuota } from "./quota.js";

export type RouteTarget =
  | { kind: "parent"; rewrite: LabelRewrite }
  | { kind: "child"; name: string; rewrite: LabelRewrite }
  | { kind: "any-child"; rewrite: LabelRewrite }
  | { kind: "local"; rewrite: LabelRewrite };

/** Route-target label rewriting (child.cc `resolve_at_target`): `label`, or identity/resource/prepend_resource. */
export interface LabelRewrite {
  label?: string;
  identity?: string;
  resource?: string;
  prependResource?: string;
}

export interface RouteRule {
  /** `<service name>` (specific) or `<any-service>` (wildcard). */
  service: string | undefined;
  node: XmlNode;
  targets: RouteTarget[];
}

export interface StartConfig {
  name: string | undefined;
  version: string;
  binary: string | undefined;
  caps: CapQuota;
  /** `ram=` or default ram; `<resource name="RAM">` overrides (see `configuredRam`). */
  ram: RamQuota;
  ld: boolean;
  priority: number;
  managingSystem: boolean;
  provides: string[];
  route: RouteRule[] | undefined;
  config: XmlNode | undefined;
  exitPropagate: boolean;
  heartbeat: { restartAfterSkipped: number } | undefined;
  affinity: { xpos: number; ypos: number; width: number; height: number } | undefined;
  node: XmlNode;
}

export interface ReportConfig {
  ids: boolean;
  requested: boolean;
  provided: boolean;
  sessionArgs: boolean;
  childRam: boolean;
  childCaps: boolean;
  initRam: boolean;
  initCaps: boolean;
  delayMs: number;
  buffer: number;
}

export interface ServicePolicy {
  /** Selector node (`<policy …>` or `<default-policy>`). */
  node: XmlNode;
  child: string;
  label: string | undefined;
}

export interface InitConfig {
  version: string | undefined;
  verbose: boolean;
  ldVerbose: boolean;
  prioLevels: number;
  parentProvides: string[];
  defaultRoute: RouteRule[] | undefined;
  defaultCaps: CapQuota;
  defaultRam: RamQuota;
  preservedRam: RamQuota;
  preservedCaps: CapQuota;
  affinitySpace: { width: number; height: number } | undefined;
  report: ReportConfig | undefined;
  heartbeatRateMs: number | undefined;
  /** `<start>` and `<alias>` share one name space, in document order. */
  starts: StartConfig[];
  aliases: Array<{ name: string; child: string }>;
  services: Array<{ name: string; policies: ServicePolicy[]; defaultPolicy: ServicePolicy | undefined }>;
  node: XmlNode;
}

/** Failures that make init refuse the whole document (Library::apply_config / Config_model). */
export type ConfigError = "UNKNOWN_ELEMENT" | "UNKNOWN_RESOURCE";

const EMPTY: XmlNode = { type: "", attributes: [], children: [], text: "" };

const TOP_LEVEL = new Set([
  "parent-provides", "default-route", "default", "start", "alias", "affinity-space",
  "report", "resource", "heartbeat", "service",
]);

export function numBytesAttribute(node: XmlNode, name: string, fallback: number): number {
  const v = attribute(node, name);
  if (v === undefined) return fallback;
  return parseNumBytes(v) ?? fallback;
}

function rewriteOf(node: XmlNode): LabelRewrite {
  const r: LabelRewrite = {};
  const label = attribute(node, "label");
  const identity = attribute(node, "identity");
  const resource = attribute(node, "resource");
  const prepend = attribute(node, "prepend_resource");
  if (label !== undefined) r.label = label;
  if (identity !== undefined) r.identity = identity;
  if (resource !== undefined) r.resource = resource;
  if (prepend !== undefined) r.prependResource = prepend;
  return r;
}

/** `Route_model`: every sub node of `<route>` / `<default-route>` is one rule, kept in order. */
export function parseRoute(route: XmlNode): RouteRule[] {
  return route.children.map((rule) => ({
    service: rule.type === "service" ? (attribute(rule, "name") ?? "") : undefined,
    node: rule,
    targets: rule.children.flatMap((t): RouteTarget[] => {
      const rewrite = rewriteOf(t);
      if (t.type === "parent") return [{ kind: "parent", rewrite }];
      if (t.type === "child") return [{ kind: "child", name: attribute(t, "name") ?? "", rewrite }];
      if (t.type === "any-child") return [{ kind: "any-child", rewrite }];
      if (t.type === "local") return [{ kind: "local", rewrite }];
      return [];
    }),
  }));
}

function parseStart(node: XmlNode, defaultCaps: CapQuota, defaultRam: RamQuota): StartConfig {
  const routeNode = subNode(node, "route");
  const hb = subNode(node, "heartbeat");
  const aff = subNode(node, "affinity");
  const exit = subNode(node, "exit");
  return {
    name: attribute(node, "name"),
    version: attribute(node, "version") ?? "",
    binary: subNode(node, "binary") === undefined ? undefined : (attribute(subNode(node, "binary")!, "name") ?? ""),
    caps: unsignedAttribute(node, "caps", defaultCaps),
    ram: numBytesAttribute(node, "ram", defaultRam),
    // child.h `_use_ld`: default true in code although init.hsd documents "no"
    ld: boolAttribute(node, "ld", true),
    priority: signedAttribute(node, "priority", 0),
    managingSystem: boolAttribute(node, "managing_system", false),
    provides: subNodes(subNode(node, "provides") ?? EMPTY, "service").map((s) => attribute(s, "name") ?? ""),
    route: routeNode === undefined ? undefined : parseRoute(routeNode),
    config: subNode(node, "config"),
    exitPropagate: exit === undefined ? false : boolAttribute(exit, "propagate", false),
    heartbeat: hb === undefined ? undefined : { restartAfterSkipped: unsignedAttribute(hb, "restart_after_skipped", 0) },
    affinity: aff === undefined ? undefined : {
      xpos: signedAttribute(aff, "xpos", 0),
      ypos: signedAttribute(aff, "ypos", 0),
      width: unsignedAttribute(aff, "width", 1),
      height: unsignedAttribute(aff, "height", 1),
    },
    node,
  };
}

/**
 * `<resource name="RAM" quantum>` and `<resource name="CAP" quantum>` inside `<start>`
 * (child.h `_resources_from_start_node`): the last one wins over `ram=` / `caps=`.
 */
export function configuredQuota(start: StartConfig): { ram: RamQuota; caps: CapQuota; ambiguousRam: boolean } {
  let ram = start.ram;
  let caps = start.caps;
  let ambiguousRam = false;
  for (const r of subNodes(start.node, "resource")) {
    const name = attribute(r, "name");
    if (name === "RAM") {
      // child.cc `_configured_ram_quota` warns whenever a non-zero ram (incl. <default ram>) is overridden
      if (ram !== 0) ambiguousRam = true;
      ram = numBytesAttribute(r, "quantum", 0);
    }
    if (name === "CAP") caps = unsignedAttribute(r, "quantum", 0);
  }
  return { ram, caps, ambiguousRam };
}

function parsePolicy(node: XmlNode): ServicePolicy {
  const c = subNode(node, "child");
  return { node, child: c === undefined ? "" : (attribute(c, "name") ?? ""), label: c === undefined ? undefined : attribute(c, "label") };
}

export type ParseOutcome = { ok: true; config: InitConfig } | { ok: false; error: ConfigError; element: string };

export function parseInitConfig(root: XmlNode): ParseOutcome {
  for (const n of root.children) {
    if (!TOP_LEVEL.has(n.type)) return { ok: false, error: "UNKNOWN_ELEMENT", element: n.type };
    if (n.type === "resource" && attribute(n, "name") !== "RAM" && attribute(n, "name") !== "CAP")
      return { ok: false, error: "UNKNOWN_RESOURCE", element: attribute(n, "name") ?? "" };
  }
  const dflt = subNode(root, "default");
  const defaultCaps = dflt === undefined ? 0 : unsignedAttribute(dflt, "caps", 0);
  const defaultRam = dflt === undefined ? 0 : numBytesAttribute(dflt, "ram", 0);
  let preservedRam = DEFAULT_PRESERVED_RAM;
  let preservedCaps = DEFAULT_PRESERVED_CAPS;
  for (const r of subNodes(root, "resource")) {
    if (attribute(r, "name") === "RAM") preservedRam = numBytesAttribute(r, "preserve", DEFAULT_PRESERVED_RAM);
    else preservedCaps = unsignedAttribute(r, "preserve", DEFAULT_PRESERVED_CAPS);
  }
  const rep = subNode(root, "report");
  const hb = subNode(root, "heartbeat");
  const space = subNode(root, "affinity-space");
  const dr = subNode(root, "default-route");
  return {
    ok: true,
    config: {
      version: attribute(root, "version"),
      verbose: boolAttribute(root, "verbose", false),
      ldVerbose: boolAttribute(root, "ld_verbose", false),
      prioLevels: signedAttribute(root, "prio_levels", 0),
      parentProvides: subNodes(subNode(root, "parent-provides") ?? EMPTY, "service")
        .map((s) => attribute(s, "name") ?? ""),
      defaultRoute: dr === undefined ? undefined : parseRoute(dr),
      defaultCaps,
      defaultRam,
      preservedRam,
      preservedCaps,
      affinitySpace: space === undefined ? undefined : { width: unsignedAttribute(space, "width", 1), height: unsignedAttribute(space, "height", 1) },
      report: rep === undefined ? undefined : {
        ids: boolAttribute(rep, "ids", false),
        requested: boolAttribute(rep, "requested", false),
        provided: boolAttribute(rep, "provided", false),
        sessionArgs: boolAttribute(rep, "session_args", false),
        childRam: boolAttribute(rep, "child_ram", false),
        childCaps: boolAttribute(rep, "child_caps", false),
        initRam: boolAttribute(rep, "init_ram", false),
        initCaps: boolAttribute(rep, "init_caps", false),
        delayMs: unsignedAttribute(rep, "delay_ms", 100),
        buffer: numBytesAttribute(rep, "buffer", 4096),
      },
      heartbeatRateMs: hb === undefined ? undefined : unsignedAttribute(hb, "rate_ms", 1000),
      starts: subNodes(root, "start").map((s) => parseStart(s, defaultCaps, defaultRam)),
      aliases: subNodes(root, "alias").map((a) => ({ name: attribute(a, "name") ?? "", child: attribute(a, "child") ?? "" })),
      services: subNodes(root, "service").map((s) => ({
        name: attribute(s, "name") ?? "",
        policies: subNodes(s, "policy").map(parsePolicy),
        defaultPolicy: subNode(s, "default-policy") === undefined ? undefined : parsePolicy(subNode(s, "default-policy")!),
      })),
      node: root,
    },
  };
}
