/**
 * Inspection through the display protocol: a PD's capability space as a table, the mapping-database
 * derivation tree (also as capDL-like text, shared/reference/peers.md §4.6), and the run queues.
 * Every view is a value with `[Symbol.for("Jupyter.display")]()` returning text/plain and text/html.
 */
import { CrdType, NUM_PRIORITIES } from "./abi.js";
import { spaceOf } from "./capability.js";
import { pow2, type Crd } from "./crd.js";
import { NIL } from "./mdb.js";
import type { Pd } from "./pd.js";
import { runner } from "./scheduler.js";
import type { Kernel } from "./state.js";

export interface Displayable {
  readonly rows: Record<string, string | number>[];
  readonly text: string;
  [key: symbol]: () => Record<string, string>;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const hex = (n: number): string => `0x${n.toString(16)}`;
const TYPES = ["null", "mem", "pio", "obj"];

function view(title: string, rows: Record<string, string | number>[], text: string): Displayable {
  const cols = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const html =
    `<table><caption>${esc(title)}</caption><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${cols.map((c) => `<td>${esc(String(r[c]))}</td>`).join("")}</tr>`).join("") +
    `</tbody></table>`;
  return { rows, text, [Symbol.for("Jupyter.display")]: () => ({ "text/plain": text, "text/html": html }) };
}

function table(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return "(empty)";
  const cols = Object.keys(rows[0]!);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]): string => cells.map((s, i) => s.padEnd(w[i]!)).join("  ").trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join("\n");
}

export function describeNode(k: Kernel, n: number): string {
  const mdb = k.mdb;
  const type = mdb.type[n]!;
  if (type === CrdType.OBJ) {
    const o = k.obj(mdb.phys[n]!);
    return o === undefined ? "(destroyed)" : `${o.kind.toUpperCase()}#${o.id}`;
  }
  return type === CrdType.MEM ? `frames ${hex(mdb.phys[n]!)}+${pow2(mdb.order[n]!)}` : `ports ${hex(mdb.phys[n]!)}+${pow2(mdb.order[n]!)}`;
}

function where(k: Kernel, n: number): string {
  const mdb = k.mdb;
  return `PD#${mdb.space[n]}:${TYPES[mdb.type[n]!]}:${hex(mdb.base[n]!)}`;
}

/** Every capability a PD holds, object space first, by selector. */
export function capSpaceTable(k: Kernel, pd: Pd): Displayable {
  const mdb = k.mdb;
  const rows: Record<string, string | number>[] = [];
  for (const type of [CrdType.OBJ, CrdType.MEM, CrdType.PIO]) {
    const entries = Array.from(spaceOf(pd, type).entries()).sort((a, b) => a[0] - b[0]);
    for (const [base, n] of entries) {
      if (mdb.isFree(n)) continue;
      const p = mdb.parent[n]!;
      rows.push({ space: TYPES[type]!, selector: hex(base), order: mdb.order[n]!, object: describeNode(k, n), perm: hex(mdb.attr[n]!), "derived from": p === NIL ? "—" : where(k, p) });
    }
  }
  return view(`capability space of PD#${pd.id} (${pd.name})`, rows, `PD#${pd.id} (${pd.name})\n${table(rows)}`);
}

/** The derivation tree below a PD's capabilities (all, or those overlapping `crd`), as an indented list. */
export function derivationTree(k: Kernel, pd: Pd, crd?: Crd): Displayable {
  const mdb = k.mdb;
  const rows: Record<string, string | number>[] = [];
  const lines: string[] = [];
  const roots: number[] = [];
  for (const type of [CrdType.OBJ, CrdType.MEM, CrdType.PIO]) {
    if (crd !== undefined && crd.type !== type) continue;
    for (const n of spaceOf(pd, type).values()) {
      if (mdb.isFree(n)) continue;
      if (crd !== undefined && !(mdb.base[n]! < crd.base + pow2(crd.order) && crd.base < mdb.base[n]! + pow2(mdb.order[n]!))) continue;
      roots.push(n);
    }
  }
  for (const r of roots) {
    const stack: [number, number][] = [[r, 0]];
    while (stack.length > 0) {
      const [n, depth] = stack.pop()!;
      rows.push({ depth, holder: `PD#${mdb.space[n]}`, selector: hex(mdb.base[n]!), order: mdb.order[n]!, object: describeNode(k, n), perm: hex(mdb.attr[n]!) });
      lines.push(`${"  ".repeat(depth)}${where(k, n)} order ${mdb.order[n]} perm ${hex(mdb.attr[n]!)} → ${describeNode(k, n)}`);
      const kids: number[] = [];
      for (let c = mdb.child[n]!; c !== NIL; c = mdb.next[c]!) kids.push(c);
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1]);
    }
  }
  return view(`derivation tree from PD#${pd.id}`, rows, lines.join("\n") || "(empty)");
}

/** Per CPU, the SCs queued at each priority, head first, with the EC each one runs now. */
export function runQueueTable(k: Kernel): Displayable {
  const rows: Record<string, string | number>[] = [];
  k.d.cpus.forEach((q, cpu) => {
    for (let p = NUM_PRIORITIES - 1; p >= 0; p--) {
      q.prio[p]!.forEach((id, pos) => {
        const sc = k.sc(id);
        const e = runner(k, sc);
        rows.push({ cpu, priority: p, position: pos, sc: `SC#${id}`, "bound EC": `EC#${sc.ec}`, "runs EC": e === undefined ? "—" : `EC#${e.id} (${e.st})`, "budget left (µs)": Math.floor(sc.left / k.ticksPerUs), "used (µs)": Math.floor(sc.used / k.ticksPerUs) });
      });
    }
  });
  return view("run queues", rows, table(rows));
}

/** capDL-like text: `objects`, `caps` per PD, and a `CDT:` block of parent_of relations. */
export function capdl(k: Kernel): string {
  const mdb = k.mdb;
  const out: string[] = ["objects {"];
  for (const o of k.d.objects.values()) out.push(`  ${o.kind}_${o.id} = ${o.kind}`);
  out.push("}", "caps {");
  for (const o of k.d.objects.values()) {
    if (o.kind !== "pd") continue;
    const lines: string[] = [];
    for (const type of [CrdType.OBJ, CrdType.MEM, CrdType.PIO]) {
      for (const [base, n] of Array.from(spaceOf(o, type)).sort((a, b) => a[0] - b[0])) {
        if (mdb.isFree(n)) continue;
        const target = type === CrdType.OBJ ? `${k.obj(mdb.phys[n]!)?.kind ?? "dead"}_${mdb.phys[n]}` : `${TYPES[type]}_${hex(mdb.phys[n]!)}`;
        lines.push(`    ${TYPES[type]} ${hex(base)}: ${target} (order: ${mdb.order[n]}, rights: ${hex(mdb.attr[n]!)})`);
      }
    }
    if (lines.length > 0) out.push(`  pd_${o.id} {`, ...lines, "  }");
  }
  out.push("}", "CDT: {");
  for (let n = 0; n < mdb.count; n++) {
    if (mdb.isFree(n) || mdb.parent[n] === NIL) continue;
    out.push(`  parent_of(${where(k, mdb.parent[n]!)}) = ${where(k, n)}`);
  }
  out.push("}");
  return out.join("\n");
}
