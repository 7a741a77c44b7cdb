/**
 * Inspection of the world above the hypervisor through the display protocol: the XenStore tree as
 * xenstore-ls prints it, `xl list` as a table, the xenbus state timeline of devices and the
 * occupancy of the split drivers' rings. Reading never goes through xenstored's request path, so
 * looking costs no cycles and changes nothing. Each view renders text/plain and escaped text/html.
 * Source for the tree format: tools/xenstore/xenstore_client.c @RELEASE-4.22.0 (do_ls: one space of
 * indent per level, `name = "value"`).
 */
import { table, type MimeBundle } from "../inspect.js";
import type { Store } from "../xenstore/store.js";
import type { DomainListRecord } from "../xl/format.js";
import type { StateChange } from "../drivers/xenbus-end.js";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const DISPLAY = Symbol.for("Jupyter.display");

/** xenstore_client.c `sanitise_value`: printable bytes as they are, others as \ooo; `\` doubled. `value` is latin1. */
function sanitise(value: string): string {
  let s = "";
  for (let i = 0; i < value.length; i++) {
    const b = value.charCodeAt(i);
    s += b === 0x5c ? "\\\\" : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`;
  }
  return s;
}

/** The XenStore tree below `path`, as `xenstore-ls path` prints it. */
export class XenstoreTree {
  /** One line per node below `path`: [depth, name, value]. */
  readonly lines: { depth: number; name: string; value: string; perms: string }[] = [];

  constructor(store: Store, readonly path = "/") {
    const walk = (p: string, depth: number): void => {
      const n = store.nodes.get(p);
      if (n === undefined) return;
      for (const c of n.children) {
        const child = p === "/" ? `/${c}` : `${p}/${c}`;
        const cn = store.nodes.get(child);
        if (cn === undefined) continue;
        const perms = cn.perms.map((x) => `${"nrwb"[x.perms & 3] ?? "?"}${x.id}`).join(",");
        this.lines.push({ depth, name: c, value: sanitise(cn.value), perms });
        walk(child, depth + 1);
      }
    };
    walk(path, 0);
  }

  toString(): string {
    return this.lines.map((l) => `${" ".repeat(l.depth)}${l.name} = "${l.value}"\n`).join("");
  }

  [DISPLAY](): MimeBundle {
    const rows = this.lines.map((l) => `<tr><td style="padding-left:${l.depth}em;font-family:monospace">${esc(l.name)}</td><td><code>${esc(l.value)}</code></td><td><code>${esc(l.perms)}</code></td></tr>`).join("");
    return {
      "text/plain": this.toString(),
      "text/html": `<table><caption>xenstore-ls ${esc(this.path)}</caption><thead><tr><th>node</th><th>value</th><th>perms</th></tr></thead><tbody>${rows}</tbody></table>`,
    };
  }
}

/** `xl list` as a table. */
export class XlListView {
  constructor(readonly records: readonly DomainListRecord[], readonly text: string) {}

  [DISPLAY](): MimeBundle {
    const state = (d: DomainListRecord): string => (d.running ? "r" : "-") + (d.blocked ? "b" : "-") + (d.paused ? "p" : "-") + (d.shutdown ? "s" : "-") + (d.dying ? "d" : "-");
    const t = table("xl list", ["Name", "ID", "Mem", "VCPUs", "State", "Time(s)"], this.records.map((d) => [d.name, d.domid, Math.floor((d.currentMemkb + d.outstandingMemkb) / 1024), d.vcpuOnline, state(d), (Number(d.cpuTime) / 1e9).toFixed(1)]));
    return { "text/plain": this.text, "text/html": t["text/html"]! };
  }
}

/** The xenbus state writes of devices, in order (from xen.system.timeline). */
export class DeviceTimeline {
  constructor(readonly changes: readonly StateChange[], private readonly hz: number) {}

  [DISPLAY](): MimeBundle {
    return table("xenbus device state timeline", ["cycle", "µs", "device", "end", "dom", "state", "actions"],
      this.changes.map((c) => [Math.round(c.cycle), (c.cycle / this.hz * 1e6).toFixed(1), c.device, c.end, c.domid, `${c.state} ${c.name}`, c.actions.join("; ")]));
  }
}

/** One ring's occupancy: requests posted and not yet answered, of `size` slots. */
export interface RingOccupancy {
  device: string;
  end: "frontend" | "backend";
  domid: number;
  ring: string;
  used: number;
  size: number;
}

export class RingTable {
  constructor(readonly rings: readonly RingOccupancy[]) {}

  [DISPLAY](): MimeBundle {
    const bar = (r: RingOccupancy): string => `${"#".repeat(Math.round((r.used / r.size) * 20)).padEnd(20, ".")}`;
    return table("split-driver rings", ["device", "end", "dom", "ring", "used", "size", ""], this.rings.map((r) => [r.device, r.end, r.domid, r.ring, r.used, r.size, bar(r)]));
  }
}
