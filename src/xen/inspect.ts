/**
 * Inspection through the display protocol: a table of domains (like `xl list`, with Xen's own
 * counts), and per domain its event-channel table and grant table. Each renders text/plain and
 * simple escaped text/html.
 */
import { Ecs, ECS_FREE } from "./abi/evtchn.js";
import { errnoName } from "./abi/errno.js";
import { Dominf } from "./abi/domctl.js";
import { getDomainInfo } from "./domain-info.js";
import { portMasked, portPending } from "./evtchn-port.js";
import { nrEntries, readEntry, statusFlags } from "./gnttab-entry.js";
import type { Hv } from "./hv.js";
import type { DomainState } from "./state.js";

export type MimeBundle = Record<string, string>;

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A table as text/plain (aligned columns) and text/html. */
export function table(title: string, head: string[], rows: (string | number)[][]): MimeBundle {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const text = [title, ...cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd())].join("\n");
  const html = `<table><caption>${esc(title)}</caption><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
  return { "text/plain": text, "text/html": html };
}

function stateLetters(flags: number): string {
  const f = (bit: number, c: string): string => ((flags & bit) !== 0 ? c : "-");
  const code = (flags >>> Dominf.XEN_DOMINF_shutdownshift) & Dominf.XEN_DOMINF_shutdownmask;
  const reason = (flags & Dominf.XEN_DOMINF_shutdown) !== 0 ? ("-rscwS"[code] ?? "?") : "-";
  return f(Dominf.XEN_DOMINF_running, "r") + f(Dominf.XEN_DOMINF_blocked, "b") + f(Dominf.XEN_DOMINF_paused, "p") + f(Dominf.XEN_DOMINF_shutdown, "s") + reason + f(Dominf.XEN_DOMINF_dying, "d");
}

export function domainTable(hv: Hv): MimeBundle {
  const rows = [...hv.s.domains.values()].sort((a, b) => a.domid - b.domid).map((d) => {
    const info = getDomainInfo(hv, d);
    return [d.domid, stateLetters(info.flags), info.nr_online_vcpus, info.tot_pages, info.max_pages, d.evtchn.inUse - 1, d.evtchn.abi === 0 ? "2-level" : "FIFO", d.gnttab.active.size, d.maptrackInUse, (info.cpu_time / 1e9).toFixed(6)];
  });
  return table("Xen domains", ["ID", "State", "VCPUs", "tot_pages", "max_pages", "ports", "evtchn ABI", "grants pinned", "maps held", "Time(s)"], rows);
}

const ECS_NAMES = Object.fromEntries(Object.entries(Ecs).map(([k, v]) => [v, k.slice(4).toLowerCase()]));

export class DomainView {
  constructor(private readonly hv: Hv, private readonly d: DomainState) {}

  eventChannels(): MimeBundle {
    const e = this.d.evtchn;
    const rows: (string | number)[][] = [];
    for (let p = 0; p < e.state.length; p++) {
      const st = e.state[p]!;
      if (st === ECS_FREE) continue;
      const remote = st === Ecs.ECS_INTERDOMAIN ? `dom${e.remoteDom[p]}:${e.remotePort[p]}` : st === Ecs.ECS_UNBOUND ? `dom${e.remoteDom[p]} may bind` : st === Ecs.ECS_VIRQ ? `virq ${e.remotePort[p]}` : "";
      rows.push([p, ECS_NAMES[st]!, e.notify[p]!, remote, portPending(this.hv, this.d, p) ? "P" : "", portMasked(this.hv, this.d, p) ? "M" : "", e.priority[p]!]);
    }
    return table(`dom${this.d.domid} event channels (${e.abi === 0 ? "2-level" : "FIFO"})`, ["port", "state", "vcpu", "remote", "pending", "masked", "priority"], rows);
  }

  grants(): MimeBundle {
    const gt = this.d.gnttab;
    const rows: (string | number)[][] = [];
    for (let r = 0; r < nrEntries(gt); r++) {
      const e = readEntry(this.hv, gt, r);
      if (e.flags === 0 && !gt.active.has(r)) continue;
      const act = gt.active.get(r);
      rows.push([r, `0x${e.flags.toString(16)}`, e.domid, e.frame, `0x${statusFlags(this.hv, gt, r).toString(16)}`, act === undefined ? "" : `dom${act.domid} pin 0x${act.pin.toString(16)}`]);
    }
    return table(`dom${this.d.domid} grant table v${gt.version} (${gt.frames.length}/${gt.maxFrames} frames)`, ["ref", "flags", "domid", "frame", "status", "active"], rows);
  }

  [Symbol.for("Jupyter.display")](): MimeBundle {
    const a = this.eventChannels();
    const b = this.grants();
    return { "text/plain": `${a["text/plain"]}\n\n${b["text/plain"]}`, "text/html": `${a["text/html"]}${b["text/html"]}` };
  }
}

export { errnoName };
