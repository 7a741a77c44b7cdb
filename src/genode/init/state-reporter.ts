/**
 * State reporter: init's "state" report (Report session labelled "state").
 * Genode: repos/os/src/lib/sandbox/state_reporter.h, report.h, child.cc `report_state`,
 * child_registry.h, library.cc `produce_state_report`, base session_state.cc
 * `generate_client_side_info` (genodelabs/genode ffb059da).
 */
import { serializeXml, xmlNode, type XmlNode } from "../xml.js";
import { pdAccount, type Child } from "./child.js";
import type { InitConfig } from "./config-model.js";
import { formatNumBytes, type Ledger } from "./quota.js";
import type { SessionState } from "./session-state.js";

export interface ReportInput {
  config: InitConfig | undefined;
  /** Registry order: newest first, as Genode's child list iterates. */
  children: readonly Child[];
  sessions: readonly SessionState[];
  ledger: Ledger;
}

type Attrs = Array<readonly [string, string]>;

function sessionNode(s: SessionState, withArgs: boolean): XmlNode {
  const attrs: Attrs = [
    ["name", s.service.name], ["state", s.phase], ["label", s.label],
    ["ram", formatNumBytes(s.donatedRam)], ["caps", String(s.donatedCaps)],
  ];
  return xmlNode("session", attrs, withArgs ? [xmlNode("args", [], [], s.args)] : []);
}

function resourceNode(type: "ram" | "caps", ledger: Ledger, account: string, head: Attrs, tail: Attrs): XmlNode {
  const a = ledger.get(account);
  const [quota, used] = type === "ram" ? [a.ram, a.usedRam] : [a.caps, a.usedCaps];
  const f = type === "ram" ? formatNumBytes : String;
  return xmlNode(type, [...head, ["quota", f(quota)], ["used", f(used)], ["avail", f(quota - used)], ...tail]);
}

function childNode(c: Child, input: ReportInput): XmlNode {
  const d = input.config!.report!;
  const attrs: Attrs = [["name", c.name], ["binary", c.binary]];
  if (c.version !== "") attrs.push(["version", c.version]);
  if (d.ids) attrs.push(["id", String(c.id)]);
  if (c.state === "STUCK" || c.state === "RAM_INITIALIZED") attrs.push(["state", "incomplete"]);
  if (c.exited !== undefined) attrs.push(["exited", String(c.exited)]);
  if (c.start.heartbeat !== undefined && c.skippedHeartbeats > 0) attrs.push(["skipped_heartbeats", String(c.skippedHeartbeats)]);
  const kids: XmlNode[] = [];
  const pdValid = c.state !== "INITIAL" && input.ledger.has(pdAccount(c));
  const alive = c.state !== "RESTART_SCHEDULED" && c.exited === undefined;
  if (d.childRam && pdValid) {
    const tail: Attrs = c.requested && c.requested.ram ? [["requested", formatNumBytes(c.requested.ram)]] : [];
    kids.push(alive
      ? resourceNode("ram", input.ledger, pdAccount(c), [["assigned", formatNumBytes(c.assignedRam)]], tail)
      : xmlNode("ram", [["assigned", formatNumBytes(c.assignedRam)], ...tail]));
  }
  if (d.childCaps && pdValid) {
    const tail: Attrs = c.requested && c.requested.caps ? [["requested", String(c.requested.caps)]] : [];
    kids.push(alive
      ? resourceNode("caps", input.ledger, pdAccount(c), [["assigned", String(c.assignedCaps)]], tail)
      : xmlNode("caps", [["assigned", String(c.assignedCaps)], ...tail]));
  }
  if (d.requested)
    kids.push(xmlNode("requested", [], input.sessions.filter((s) => s.owner === c.id).map((s) => sessionNode(s, d.sessionArgs))));
  if (d.provided)
    kids.push(xmlNode("provided", [], input.sessions
      .filter((s) => s.service.kind === "child" && c.services.includes(s.service))
      .map((s) => sessionNode(s, d.sessionArgs))));
  return xmlNode("child", attrs, kids);
}

/** `State_reporter::generate`: `<state version="…">` plus what `<report>` asks for. */
export function stateReport(input: ReportInput): string {
  const cfg = input.config;
  const attrs: Attrs = cfg?.version !== undefined ? [["version", cfg.version]] : [];
  const kids: XmlNode[] = [];
  const d = cfg?.report;
  if (d !== undefined) {
    if (d.initRam) kids.push(resourceNode("ram", input.ledger, "init", [], []));
    if (d.initCaps) kids.push(resourceNode("caps", input.ledger, "init", [], []));
    for (const c of input.children) if (c.state !== "ABANDONED") kids.push(childNode(c, input));
    // Child_registry::report_state: aliases after the children, newest first
    for (const a of [...(cfg?.aliases ?? [])].reverse()) kids.push(xmlNode("alias", [["name", a.name], ["child", a.child]]));
  }
  return serializeXml(xmlNode("state", attrs, kids));
}
