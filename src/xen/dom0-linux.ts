/**
 * Linux as Dom0, and the other components a guest's I/O depends on, as opaque components: the
 * model does not emulate Linux, it charges each Dom0 operation as the sum of the cost-model
 * primitives its path runs, and names each component by its TCB catalogue id (src/metrics/
 * tcb-catalogue.ts, ids only: the model folder must not import src/metrics).
 * Sources: reference/latency-tcb.md §3 (split-driver paths), §4 (LOC); xen.md §8.1.
 */
import type { Machine } from "../machine/index.js";
import type { Xen } from "./xen.js";
import type { DomId } from "./state.js";

/** A piece of software in the Xen system, by its TCB catalogue id. */
export interface XenComponent {
  /** Stable name used in this model. */
  readonly name: "xen" | "dom0-linux" | "xenstored" | "xl" | "libxl" | "qemu" | "mini-os";
  /** Row id in src/metrics/tcb-catalogue.ts. */
  readonly catalogueId: string;
  readonly description: string;
}

export const XEN_COMPONENTS = {
  xen: { name: "xen", catalogueId: "xen-4.22", description: "Xen hypervisor 4.22, x86 build" },
  "dom0-linux": { name: "dom0-linux", catalogueId: "linux-ubuntu-14.04", description: "Linux kernel of Dom0 (or of a driver domain): netback, blkback, xenbus, privcmd, gntdev" },
  xenstored: { name: "xenstored", catalogueId: "xenstored-c-4.22", description: "C xenstored, the XenStore daemon" },
  xl: { name: "xl", catalogueId: "xl-4.22", description: "xl command-line toolstack" },
  libxl: { name: "libxl", catalogueId: "libxl-4.22", description: "libxl toolstack library" },
  qemu: { name: "qemu", catalogueId: "qemu", description: "QEMU device model (HVM guests' emulated devices)" },
  "mini-os": { name: "mini-os", catalogueId: "mini-os", description: "Mini-OS, the OS of a stub domain" },
} as const satisfies Record<string, XenComponent>;

export type XenComponentName = keyof typeof XEN_COMPONENTS;

/**
 * The Dom0 operations the model charges, each as the primitives its path runs (STYLE §8: compound
 * costs are sums, never entries). Units of per-byte primitives are given per operation where fixed.
 */
export const DOM0_LINUX_OPERATIONS = {
  /** One xl invocation's fixed work in Dom0 user space. */
  "toolstack.xl_command": { parts: [["libxl_op", 1]], path: "xl → libxl_ctx_alloc → xenstore + privcmd opens" },
  /** libxl__domain_build for a PV/PVH guest, plus the xl command around it. */
  "toolstack.domain_build": { parts: [["libxl_op", 1], ["domain_create", 1]], path: "libxl_domain_create_new → xc_dom_* → XEN_DOMCTL_createdomain …" },
  /** One XenStore request from a Dom0 process (xenstored's work; the socket round trip is inside the estimate). */
  "xenstore.request": { parts: [["xenstored_request", 1]], path: "libxenstore → unix socket → xenstored" },
  /** vif-bridge / block hotplug script run by udev or libxl. */
  "hotplug.script": { parts: [["linux_hotplug_script", 1]], path: "udev → /etc/xen/scripts/vif-bridge (bash, brctl)" },
  /** netback moving one packet of 1500 bytes: skb work plus the grant copy (the copy's hypercall is charged by Xen). */
  "netback.packet_1500": { parts: [["linux_backend_request", 1], ["memcpy_per_byte", 1500]], path: "xenvif_tx_action → gnttab_batch_copy → netif_receive_skb" },
  /** blkback serving one 4 KiB segment with a grant copy (non-persistent). */
  "blkback.segment_4k": { parts: [["linux_backend_request", 1], ["memcpy_per_byte", 4096]], path: "xen_blkbk_map / gnttab copy → submit_bio" },
} as const satisfies Record<string, { parts: readonly (readonly [string, number])[]; path: string }>;

export type Dom0LinuxOperation = keyof typeof DOM0_LINUX_OPERATIONS;

/** Dom0 Linux as an opaque component: its catalogue id and what its operations cost on `m`'s profile. */
export class Dom0Linux {
  readonly component = XEN_COMPONENTS["dom0-linux"];
  constructor(private readonly m: Machine) {}

  /** Cycles of one operation on this machine's cost profile (with overrides). */
  cost(op: Dom0LinuxOperation): number {
    return DOM0_LINUX_OPERATIONS[op].parts.reduce((n, [p, units]) => n + this.m.costs.cycles(p) * units, 0);
  }

  /** Does the operation's cost rest on an `assumed` cost entry? (Plots mark such results.) */
  assumed(op: Dom0LinuxOperation): boolean {
    return DOM0_LINUX_OPERATIONS[op].parts.some(([p]) => this.m.costs.entry(p).confidence === "assumed");
  }

  /** Every operation with its cycles, for a table in a notebook. */
  table(): { op: Dom0LinuxOperation; cycles: number; assumed: boolean; path: string }[] {
    return (Object.keys(DOM0_LINUX_OPERATIONS) as Dom0LinuxOperation[]).map((op) => ({ op, cycles: this.cost(op), assumed: this.assumed(op), path: DOM0_LINUX_OPERATIONS[op].path }));
  }
}

/** One component a domain's I/O depends on, where it runs and why. */
export interface IoPathDependency {
  component: XenComponentName;
  catalogueId: string;
  /** The domain it runs in (the hypervisor: undefined). */
  domid: DomId | undefined;
  reason: string;
}

/**
 * The components domain `domid`'s I/O path depends on, read from the live system: the
 * hypervisor; xenstored (and the kernel of the domain it runs in); for each vif and vbd the Linux
 * kernel of its backend domain (netback, blkback) and the toolstack that set it up and tears it
 * down; QEMU for an HVM guest's device model. Each component appears once, with its first reason.
 */
export function ioPathComponents(xen: Xen, domid: DomId): IoPathDependency[] {
  const sys = xen.system;
  const out: IoPathDependency[] = [];
  const add = (component: XenComponentName, at: DomId | undefined, reason: string): void => {
    if (out.some((d) => d.component === component && d.domid === at)) return;
    out.push({ component, catalogueId: XEN_COMPONENTS[component].catalogueId, domid: at, reason });
  };
  add("xen", undefined, "event channels, grant tables and scheduling of every domain");
  const store = sys.host.storeDomid;
  add("xenstored", store, "device discovery and the xenbus handshakes go through XenStore");
  add(store === 0 ? "dom0-linux" : "mini-os", store, store === 0 ? "xenstored runs as a Dom0 Linux process" : "xenstored runs in a stub domain");
  const md = sys.domains.get(domid);
  for (const nb of sys.netbacks.values()) if (nb.frontDomid === domid) add("dom0-linux", nb.k.domid, `netback for ${nb.name} runs in dom${nb.k.domid}'s Linux kernel`);
  for (const bb of sys.blkbacks.values()) if (bb.frontDomid === domid) add("dom0-linux", bb.k.domid, `blkback for ${bb.name} runs in dom${bb.k.domid}'s Linux kernel`);
  if (md !== undefined) {
    add("libxl", 0, "libxl built the domain and adds and removes its devices");
    add("xl", 0, "xl drives libxl and reacts to the domain's shutdown");
    if (md.config.type === "hvm") add("qemu", 0, "QEMU emulates the HVM guest's devices");
  }
  return out;
}
