/**
 * `xl sched-credit` and `xl vcpu-list`: the credit scheduler's per-domain weight and cap, and each
 * vCPU's placement and state, over XEN_DOMCTL_scheduler_op and XEN_DOMCTL_getvcpuinfo.
 * Sources @c447b7308b13: tools/xl/xl_sched.c (main_sched_credit, sched_credit_domain_output,
 * sched_credit_pool_output), tools/xl/xl_vcpu.c (vcpulist, print_vcpuinfo), tools/xl/xl_utils.c
 * (print_bitmap), tools/libs/light/libxl_sched.c (sched_credit_domain_set range checks).
 * One cpupool, "Pool-0", holding every pCPU and domain; no vCPU affinity (so "all / all").
 */
import { __HYPERVISOR_domctl } from "../abi/xen.js";
import {
  XEN_DOMCTL_getvcpuinfo, XEN_DOMCTL_INTERFACE_VERSION, XEN_DOMCTL_scheduler_op, XEN_DOMCTL_SCHEDOP_getinfo, XEN_DOMCTL_SCHEDOP_putinfo,
  XEN_SCHEDULER_CREDIT,
} from "../abi/domctl.js";
import { SCHED_DEFAULT_RATELIMIT_US, CSCHED_DEFAULT_TSLICE_MS } from "../sched-credit.js";
import type { VcpuInfo } from "../domain-info.js";
import type { XlOutput } from "../xl/format.js";
import type { XenSystem } from "./system.js";

const ERROR_INVAL = -6;
const POOL = "Pool-0";
/** vcpu_migration_delay (credit.c): 0 unless set on Xen's command line. */
const MIGRATION_DELAY_US = 0;

const ok = (stdout: string): XlOutput => ({ status: 0, stdout, stderr: "" });
const fail = (stderr: string, stdout = ""): XlOutput => ({ status: 1, stdout, stderr });

/** getopt_long for the options this command takes: "-d X", "-dX", "--domain X", "--domain=X". */
function options(args: readonly string[], withValue: Record<string, string>, flags: Record<string, string>): Map<string, string> | string {
  const got = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const long = /^--([a-z_]+)(?:=(.*))?$/.exec(a);
    const key = long ? Object.keys(withValue).find((k) => withValue[k] === long[1]) ?? Object.keys(flags).find((k) => flags[k] === long[1]) : /^-[a-z]/.test(a) ? a[1]! : undefined;
    if (key === undefined) return `xl: unrecognized option '${a}'\n`;
    if (key in flags) {
      got.set(key, "");
      continue;
    }
    if (!(key in withValue)) return `xl: invalid option -- '${key}'\n`;
    const inline = long ? long[2] : a.length > 2 ? a.slice(2) : undefined;
    const v = inline ?? args[++i];
    if (v === undefined) return `xl: option requires an argument -- '${key}'\n`;
    got.set(key, v);
  }
  return got;
}

/** strtol(s, NULL, 10): leading digits with an optional sign, 0 when there are none. */
function strtol(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m === null ? 0 : Number(m[0]);
}

function domctl(sys: XenSystem, cmd: number, domain: number, u: Record<string, unknown>): number {
  return sys.xen.hypercall(0, __HYPERVISOR_domctl, { cmd, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain, u });
}

function find(sys: XenSystem, q: string): number | string {
  const id = /^\d+$/.test(q) ? Number(q) : sys.domidOf(q);
  if (id === undefined || sys.xen.hv.domain(id) === undefined) return `${q} is an invalid domain identifier (rc=${ERROR_INVAL})\n`;
  return id;
}

const header = (): string => `${"Name".padEnd(33)} ${"ID".padStart(4)} ${"Weight".padStart(6)} ${"Cap".padStart(4)}\n`;
const poolLine = (): string => `Cpupool ${POOL}: tslice=${CSCHED_DEFAULT_TSLICE_MS}ms ratelimit=${SCHED_DEFAULT_RATELIMIT_US}us migration-delay=${MIGRATION_DELAY_US}us\n`;

/** sched_credit_domain_output: "%-33s %4d %6d %4d". */
function domainLine(sys: XenSystem, domid: number): string {
  const scheduler_op: Record<string, unknown> = { sched_id: XEN_SCHEDULER_CREDIT, cmd: XEN_DOMCTL_SCHEDOP_getinfo, u: { credit: {} } };
  domctl(sys, XEN_DOMCTL_scheduler_op, domid, { scheduler_op });
  const c = (scheduler_op.u as { credit: { weight: number; cap: number } }).credit;
  return `${(sys.name(domid) ?? "(null)").padEnd(33)} ${String(domid).padStart(4)} ${String(c.weight).padStart(6)} ${String(c.cap).padStart(4)}\n`;
}

/** xl sched-credit [-d DOMAIN [-w WEIGHT] [-c CAP]] [-s [-t MS] [-r US] [-m US]] [-p CPUPOOL]. */
export function schedCredit(sys: XenSystem, args: readonly string[]): XlOutput {
  const o = options(args, { d: "domain", w: "weight", c: "cap", p: "cpupool", t: "tslice_ms", r: "ratelimit_us", m: "migration_delay_us" }, { s: "schedparam" });
  if (typeof o === "string") return fail(o);
  const dom = o.get("d");
  const optW = o.has("w");
  const optC = o.has("c");
  const optS = o.has("s");
  if ((o.has("p") || optS) && (dom !== undefined || optW || optC)) return fail("Specifying a cpupool or schedparam is not allowed with domain options.\n");
  if (dom === undefined && (optW || optC)) return fail("Must specify a domain.\n");
  if (!optS && (o.has("t") || o.has("r") || o.has("m"))) return fail("Must specify schedparam to set schedule parameter values.\n");
  const pool = o.get("p");
  if (pool !== undefined && pool !== POOL && pool !== "0") return fail(`unknown cpupool '${pool}'\n`);
  if (optS) {
    if (o.has("t") || o.has("r") || o.has("m")) return fail("xl: sched-credit: changing the pool's tslice, ratelimit or migration delay is not modelled\n");
    return ok(poolLine());
  }
  if (dom === undefined) return ok(poolLine() + header() + sys.xen.domids().map((id) => domainLine(sys, id)).join(""));
  const id = find(sys, dom);
  if (typeof id === "string") return fail(id);
  if (!optW && !optC) return ok(header() + domainLine(sys, id));
  const credit: Record<string, number> = { weight: 0, cap: 0xffff }; // "unchanged" in csched_dom_cntl
  if (optW) {
    const weight = strtol(o.get("w")!);
    if (weight < 1 || weight > 65535) return setFailed(id, "Cpu weight out of range, valid values are within range from 1 to 65535");
    credit.weight = weight;
  }
  if (optC) {
    const cap = strtol(o.get("c")!);
    const max = sys.xen.hv.domain(id)!.vcpus.length * 100;
    if (cap < 0 || cap > max) return setFailed(id, `Cpu cap out of range, valid range is from 0 to ${max} for specified number of vcpus`);
    credit.cap = cap;
  }
  const rc = domctl(sys, XEN_DOMCTL_scheduler_op, id, { scheduler_op: { sched_id: XEN_SCHEDULER_CREDIT, cmd: XEN_DOMCTL_SCHEDOP_putinfo, u: { credit } } });
  if (rc < 0) return setFailed(id, "Setting domain sched credit");
  return ok("");
}

function setFailed(domid: number, why: string): XlOutput {
  return fail(`libxl: error: libxl_sched.c: Domain ${domid}:${why}\nlibxl_domain_sched_params_set failed.\n`);
}

/** xl vcpu-list [domain…]: one line per vCPU (print_vcpuinfo). */
export function vcpuList(sys: XenSystem, args: readonly string[]): XlOutput {
  let ids: number[] = sys.xen.domids();
  if (args.length > 0) {
    ids = [];
    for (const q of args) {
      const id = find(sys, q);
      if (typeof id === "string") return fail(id);
      ids.push(id);
    }
  }
  let text = `${"Name".padEnd(32)} ${"ID".padStart(5)} ${"VCPU".padStart(5)} ${"CPU".padStart(5)} ${"State".padStart(5)} ${"Time(s)".padStart(9)} Affinity (Hard / Soft)\n`;
  for (const id of ids) {
    const d = sys.xen.hv.domain(id)!;
    for (const v of d.vcpus) {
      const u: Record<string, unknown> = { getvcpuinfo: { vcpu: v.id } };
      domctl(sys, XEN_DOMCTL_getvcpuinfo, id, u);
      const i = u.getvcpuinfo as VcpuInfo;
      const where = i.online === 0 ? `${"-".padStart(5)} ${"-".padStart(3)}-p ` : `${String(i.cpu).padStart(5)} ${(i.running ? "r" : "-").padStart(3)}${i.blocked ? "b" : "-"}- `;
      text += `${(sys.name(id) ?? "(null)").padEnd(32)} ${String(id).padStart(5)} ${String(v.id).padStart(5)}${where}${(i.cpu_time / 1e9).toFixed(1).padStart(9)}  all / all\n`;
    }
  }
  return ok(text);
}
