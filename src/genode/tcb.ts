/**
 * Trusted computing base of a component, derived from the live routing: the kernel, core, every
 * init on its path, and each server its sessions are routed to, transitively (Genode's
 * "application-specific TCB", genode.org/documentation/architecture; reference/genode.md §5.2).
 * The result names TCB catalogue ids (src/metrics sums their LOC with `tcb(ids)`) plus, for
 * programs the catalogue lacks, their own LOC (programs.ts).
 */
import type { Program } from "./programs.js";
import type { Sandbox } from "./sandbox/sandbox.js";

export type TcbRole = "kernel" | "core" | "init" | "server" | "self";
export type TcbCategoryName = "kernel" | "core/runtime" | "services" | "drivers";

export interface TcbMember {
  /** Label of the instance ("init -> timer"), or "nova" / "core". */
  readonly label: string;
  readonly binary: string;
  readonly role: TcbRole;
  readonly category: TcbCategoryName;
  /** TCB catalogue ids counting its code. */
  readonly tcbIds: readonly string[];
  /** Own LOC where the catalogue has no entry. */
  readonly loc?: { readonly lines: number; readonly source: string };
}

export interface TcbSet {
  readonly component: string;
  /** Everything the component depends on (not itself), in discovery order. */
  readonly members: readonly TcbMember[];
  /** The component itself, for reference. */
  readonly self: TcbMember;
  /** Distinct catalogue ids over the members: pass to metrics' `tcb()`. */
  readonly ids: readonly string[];
  /** LOC of members without a catalogue entry, by category. */
  readonly extraLoc: Readonly<Record<TcbCategoryName, number>>;
}

interface SystemLike {
  readonly kernel: { readonly name: string };
  readonly runtime: { readonly sandboxes: ReadonlySet<Sandbox> };
}

const KERNEL: Record<string, TcbMember> = {
  nova: { label: "nova", binary: "hypervisor", role: "kernel", category: "kernel", tcbIds: ["nova-genode"] },
  // base-xen: the Xen hypervisor is the kernel (Genode never shipped a base-xen; see base-xen/platform.ts)
  xen: { label: "xen", binary: "xen", role: "kernel", category: "kernel", tcbIds: ["xen-4.22"] },
};
const CORES: Record<string, TcbMember> = {
  nova: { label: "core", binary: "core", role: "core", category: "core/runtime", tcbIds: ["genode-core-nova-full", "genode-base-lib-nova"] },
  // no base-xen glue exists to count: generic core and base library only
  xen: { label: "core", binary: "core", role: "core", category: "core/runtime", tcbIds: ["genode-core", "genode-base-lib"] },
};

// xen_blk and xen_nic: genode-domu's bridges to Xen's split drivers (src/scenarios/domu).
const DRIVERS = new Set(["nic_drv", "ram_block", "xen_blk", "xen_nic"]);

export function tcbOf(system: SystemLike, component: string, programs: ReadonlyMap<string, Program>): TcbSet {
  const sandboxes = [...system.runtime.sandboxes];
  const find = (label: string): { sb: Sandbox; name: string } | undefined => {
    for (const sb of sandboxes) {
      if (!label.startsWith(`${sb.path} -> `)) continue;
      const name = label.slice(sb.path.length + 4);
      if (!name.includes(" -> ") && sb.init.child(name) !== undefined) return { sb, name };
    }
    return undefined;
  };
  const member = (label: string, binary: string, role: TcbRole): TcbMember => {
    const p = programs.get(binary);
    const category: TcbCategoryName = role === "kernel" ? "kernel" : role === "init" || role === "core" ? "core/runtime" : DRIVERS.has(binary) ? "drivers" : "services";
    return { label, binary, role, category, tcbIds: p?.tcbIds ?? [], ...(p?.loc ? { loc: p.loc } : {}) };
  };
  const start = find(component);
  if (start === undefined) throw new Error(`no running component labelled "${component}"; known: ${sandboxes.flatMap((s) => s.init.childNames().map((n) => `${s.path} -> ${n}`)).join(", ")}`);
  const kernel = KERNEL[system.kernel.name] ?? KERNEL.nova!;
  const members: TcbMember[] = [kernel, CORES[system.kernel.name] ?? CORES.nova!];
  const seen = new Set<string>([kernel.label, "core"]);
  const add = (m: TcbMember): void => { if (!seen.has(m.label)) { seen.add(m.label); members.push(m); } };

  const visit = (sb: Sandbox, name: string, viaService?: string): void => {
    // every init on the path, from the outermost
    const parts = sb.path.split(" -> ");
    for (let i = 1; i <= parts.length; i++) add(member(parts.slice(0, i).join(" -> "), "init", "init"));
    const child = sb.init.child(name);
    if (child === undefined) return;
    for (const s of sb.init.sessions.values()) {
      if (s.owner !== child.id || s.phase === "CLOSED") continue;
      if (viaService !== undefined && s.service.name !== viaService) continue;
      if (s.service.kind === "child") {
        const label = `${sb.path} -> ${s.service.server}`;
        const server = sb.init.child(s.service.server);
        if (!seen.has(label) && server !== undefined) { add(member(label, server.binary, "server")); visit(sb, s.service.server); }
      } else if (s.service.kind === "parent" && parts.length > 1) {
        // a nested init's parent route continues at the hosting child's own routes for that service
        const host = find(sb.path);
        if (host !== undefined) visit(host.sb, host.name, s.service.name);
      }
    }
  };
  visit(start.sb, start.name);
  const selfChild = start.sb.init.child(start.name)!;
  const ids = [...new Set(members.flatMap((m) => m.tcbIds))];
  const extraLoc: Record<TcbCategoryName, number> = { kernel: 0, "core/runtime": 0, services: 0, drivers: 0 };
  for (const m of members) if (m.tcbIds.length === 0 && m.loc) extraLoc[m.category] += m.loc.lines;
  return { component, members, self: member(component, selfChild.binary, "self"), ids, extraLoc };
}
