/**
 * xl output formats from plain records: `xl list`, `xl info`, `xl domid`, `xl domname`, `xl dmesg`.
 * Source: xen-project/xen c447b7308b13, tools/xl/xl_info.c (list_domains, print_info and its
 * output_* helpers, main_domid, main_domname). Note the list header uses tabs before State and
 * Time(s) while rows use spaces — both as xl prints them.
 */

/** One domain as libxl_dominfo gives it to list_domains. */
export interface DomainListRecord {
  name: string;
  domid: number;
  currentMemkb: number;
  outstandingMemkb: number;
  vcpuOnline: number;
  running: boolean;
  blocked: boolean;
  paused: boolean;
  shutdown: boolean;
  /** libxl_shutdown_reason: -1 unknown, 0 poweroff, 1 reboot, 2 suspend, 3 crash, 4 watchdog, 5 soft_reset. */
  shutdownReason: number;
  dying: boolean;
  /** nanoseconds */
  cpuTime: bigint;
}

export const XL_LIST_HEADER = "Name                                        ID   Mem VCPUs\tState\tTime(s)";

/** list_domains: letters indexed by shutdown reason, '?' outside the table; only read when shut down. */
const SHUTDOWN_REASON_LETTERS = "-rscwS";

/** printf("%8.1f", (float)ns / 1e9): the cast rounds the nanoseconds to single precision, the division is double. */
function seconds(ns: bigint): string {
  return (Math.fround(Number(ns)) / 1e9).toFixed(1).padStart(8);
}

/** One `xl list` row: "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f". */
export function formatListRow(d: DomainListRecord): string {
  const reason = d.shutdown ? d.shutdownReason : 0;
  const letter = reason >= 0 && reason < SHUTDOWN_REASON_LETTERS.length ? SHUTDOWN_REASON_LETTERS[reason]! : "?";
  const mem = Math.floor((d.currentMemkb + d.outstandingMemkb) / 1024);
  const state = (d.running ? "r" : "-") + (d.blocked ? "b" : "-") + (d.paused ? "p" : "-") + (d.shutdown ? "s" : "-") + letter + (d.dying ? "d" : "-");
  return `${d.name.padEnd(40)} ${String(d.domid).padStart(5)} ${String(mem).padStart(5)} ${String(d.vcpuOnline).padStart(5)}     ${state}  ${seconds(d.cpuTime)}`;
}

/** `xl list` without options: the header, then one row per domain, each line ending in "\n". */
export function formatList(domains: readonly DomainListRecord[]): string {
  return [XL_LIST_HEADER, ...domains.map(formatListRow)].map((l) => l + "\n").join("");
}

/** `xl info` lines: "%-23s: %s" — the key padded to 23 columns, then ": " (e.g. "xen_major              : 4"). */
export function formatInfo(fields: readonly (readonly [key: string, value: string | number])[]): string {
  return fields.map(([k, v]) => `${k.padEnd(23)}: ${v}\n`).join("");
}

/** Key order of print_info without -n and without xenstore: nodeinfo, physinfo, xeninfo, then xend_config_format. */
export const XL_INFO_KEYS = [
  "host", "release", "version", "machine",
  "nr_cpus", "max_cpu_id", "nr_nodes", "cores_per_socket", "threads_per_core", "cpu_mhz", "hw_caps", "virt_caps",
  "total_memory", "free_memory", "sharing_freed_memory", "sharing_used_memory", "outstanding_claims", "free_cpus",
  "xen_major", "xen_minor", "xen_extra", "xen_version", "xen_caps", "xen_scheduler", "xen_pagesize", "platform_params",
  "xen_changeset", "xen_commandline", "cc_compiler", "cc_compile_by", "cc_compile_domain", "cc_compile_date", "build_id",
  "xend_config_format",
] as const;

export type XlOutput = { status: 0 | 1; stdout: string; stderr: string };

/** `xl domid NAME`. */
export function formatDomid(name: string, domid: number | undefined): XlOutput {
  return domid === undefined
    ? { status: 1, stdout: "", stderr: `Can't get domid of domain name '${name}', maybe this domain does not exist.\n` }
    : { status: 0, stdout: `${domid}\n`, stderr: "" };
}

/** `xl domname ID`: the argument goes through strtol(…, 10) into a uint32_t. */
export function formatDomname(arg: string, lookup: (domid: number) => string | undefined): XlOutput {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(arg);
  if (!m) return { status: 1, stdout: "", stderr: "Invalid domain id.\n\n" };
  const domid = Number(BigInt.asUintN(32, BigInt(m[1] === "-" ? -1 : 1) * BigInt(m[2]!)));
  const name = lookup(domid);
  return name === undefined
    ? { status: 1, stdout: "", stderr: `Can't get domain name of domain id '${domid}', maybe this domain does not exist.\n` }
    : { status: 0, stdout: `${name}\n`, stderr: "" };
}

/** `xl dmesg`: the hypervisor console ring's text, printed as it is. */
export function formatDmesg(consoleRing: string): XlOutput {
  return { status: 0, stdout: consoleRing, stderr: "" };
}
