/**
 * `xen.xl(argv)`: the xl commands over the toolstack, printing what xl prints. Config files come
 * from the handle's in-memory file table (`xen.files.set("guest.cfg", text)`), read by
 * `xl create <file>`. Status is 0 on success and 1 (EXIT_FAILURE) otherwise.
 * Sources: tools/xl/xl_vmcontrol.c, xl_info.c, xl_utils.c (find_domain), xl_parse.c
 * (parse_config_data) @c447b7308b13; docs/man/xl.1.pod.in (reference/xen.md §6).
 */
import { cfgGetList, cfgGetLong, cfgGetString, parseCfg, type CfgParse } from "../xl/cfg-parser.js";
import { parseDiskSpec } from "../xl/disk-spec.js";
import { formatMac, parseVifSpec, VIF_DEFAULTS } from "../xl/vif-spec.js";
import { formatDomid, formatDomname, formatList, type DomainListRecord, type XlOutput } from "../xl/format.js";
import { Dominf, XEN_DOMINF_blocked, XEN_DOMINF_dying, XEN_DOMINF_paused, XEN_DOMINF_running, XEN_DOMINF_shutdown } from "../abi/domctl.js";
import { getDomainInfo } from "../domain-info.js";
import { XlListView } from "./display.js";
import { ToolstackError, type DomainConfig, type ShutdownAction, type XenSystem } from "./system.js";

const ERROR_INVAL = -6;

function out(stdout: string, stderr = "", status: 0 | 1 = 0): XlOutput {
  return { status, stdout, stderr };
}
const fail = (stderr: string): XlOutput => out("", stderr, 1);

/** vbd virtual-device number (xen-vbd-interface.7): xvdX, hdX, sdX. */
export function vdevNumber(vdev: string): number | undefined {
  const m = /^(xvd|hd|sd)([a-z]+)(\d*)$/.exec(vdev);
  if (!m) return /^\d+$/.test(vdev) ? Number(vdev) : undefined;
  const disk = [...m[2]!].reduce((n, c) => n * 26 + (c.charCodeAt(0) - 96), 0) - 1;
  const part = m[3] === "" ? 0 : Number(m[3]);
  if (m[1] === "xvd") return disk <= 15 ? (202 << 8) | (disk << 4) | part : (1 << 28) | (disk << 8) | part;
  if (m[1] === "sd") return (8 << 8) | (disk << 4) | part;
  return disk < 2 ? (3 << 8) | (disk << 6) | part : (22 << 8) | ((disk - 2) << 6) | part;
}

export class Xl {
  constructor(private readonly sys: XenSystem) {}

  run(argv: readonly string[]): XlOutput {
    if (!Array.isArray(argv) || argv.some((a) => typeof a !== "string")) return fail("xl: argv must be an array of strings\n");
    const [cmd, ...args] = argv;
    try {
      const r = this.dispatch(cmd ?? "", args);
      this.sys.settle();
      return r;
    } catch (e) {
      if (e instanceof ToolstackError) return fail(e.stderr);
      throw e;
    }
  }

  private dispatch(cmd: string, a: string[]): XlOutput {
    switch (cmd) {
      case "create": return this.create(a);
      case "list": return this.list(a);
      case "destroy": return this.withDomain(a, (id) => { this.sys.destroy(id); return out(""); });
      case "shutdown": return this.withDomain(a, (id) => { this.sys.requestShutdown(id, "poweroff"); return out(""); });
      case "reboot": return this.withDomain(a, (id) => { this.sys.requestShutdown(id, "reboot"); return out(""); });
      case "pause": return this.withDomain(a, (id) => { this.sys.pause(id); return out(""); });
      case "unpause": return this.withDomain(a, (id) => { this.sys.unpause(id); return out(""); });
      case "domid": return formatDomid(a[0] ?? "", this.sys.domidOf(a[0] ?? ""));
      case "domname": return formatDomname(a[0] ?? "", (id) => this.sys.name(id));
      case "console": return this.withDomain(a, (id) => out(this.sys.mustBeManaged(id).consoleLog));
      case "dmesg": return out(this.sys.dmesg);
      case "rename": return this.withDomain(a, (id) => {
        const md = this.sys.mustBeManaged(id);
        const name = a[1];
        if (name === undefined) return fail("'xl rename' requires at least 2 arguments.\n\n");
        md.config.name = name;
        this.sys.dom0xs.write(`/local/domain/${id}/name`, name);
        return out("");
      });
      case "network-attach": return this.withDomain(a, (id) => {
        const p = parseVifSpec(a.slice(1).join(","));
        if (!p.ok) return fail(p.report);
        this.sys.addVif(id, { mac: p.vif.mac ? formatMac(p.vif.mac) : this.randomMac(), bridge: p.vif.bridge ?? VIF_DEFAULTS.bridge, backend: 0, script: p.vif.script ?? VIF_DEFAULTS.script });
        return out("");
      });
      case "network-detach": return this.withDomain(a, (id) => this.sys.removeDevice(id, "vif", Number(a[1])) ? out("") : fail(`Error: Device ${a[1] ?? ""} not connected.\n`));
      case "block-attach": return this.withDomain(a, (id) => {
        const p = parseDiskSpec(a.slice(1).join(","), "command line");
        if (!p.ok) return fail(p.report);
        const n = vdevNumber(p.disk.vdev);
        if (n === undefined) return fail(`Invalid virtual disk identifier ${p.disk.vdev}\n`);
        this.sys.addDisk(id, { target: p.disk.target ?? "", vdev: p.disk.vdev, vdevNum: n, readwrite: p.disk.readwrite, backend: 0, format: p.disk.format, devtype: p.disk.isCdrom ? "cdrom" : "disk" });
        return out("");
      });
      case "block-detach": return this.withDomain(a, (id) => {
        const n = vdevNumber(a[1] ?? "");
        return n !== undefined && this.sys.removeDevice(id, "vbd", n) ? out("") : fail(`Error: Device ${a[1] ?? ""} not connected.\n`);
      });
      default: return fail(`xl: command not implemented: ${cmd}\n`);
    }
  }

  /** find_domain: a name or a number; unknown names → "… is an invalid domain identifier (rc=-6)". */
  private withDomain(a: string[], f: (domid: number) => XlOutput): XlOutput {
    const q = a[0];
    if (q === undefined) return fail("'xl' requires at least 1 argument.\n\n");
    const id = /^\d+$/.test(q) ? Number(q) : this.sys.domidOf(q);
    if (id === undefined) return fail(`${q} is an invalid domain identifier (rc=${ERROR_INVAL})\n`);
    if (this.sys.xen.hv.domain(id) === undefined) return fail(`libxl: error: libxl_domain.c: Domain ${id}:Non-existant domain\n`);
    return f(id);
  }

  private randomMac(): string {
    const r = this.sys.xen.m.rng;
    return formatMac([0x00, 0x16, 0x3e, r.below(128), r.below(256), r.below(256)]);
  }

  /** xl create [-p] <file> [key=value…] */
  private create(a: string[]): XlOutput {
    let paused = false;
    const rest: string[] = [];
    for (const x of a) if (x === "-p") paused = true; else if (x !== "-q" && x !== "-F") rest.push(x);
    const file = rest.find((x) => !x.includes("="));
    if (file === undefined) return fail("Config file not specified\n");
    const text = this.sys.files.get(file);
    if (text === undefined) return fail(`Failed to read config file: ${file}: No such file or directory\n`);
    const extra = rest.filter((x) => x.includes("=")).join("\n");
    const parse = parseCfg(extra === "" ? text : `${text}\n${extra}\n`, file);
    let stderr = `Parsing config from ${file}\n${parse.report}`;
    if (parse.err !== 0) return fail(`${stderr}Failed to parse config: Invalid argument\n`);
    const cfg = this.config(parse, file, (w) => { stderr += w; });
    if (typeof cfg === "string") return fail(stderr + cfg);
    cfg.source = { text, file };
    this.sys.create(cfg, paused);
    return out("", stderr);
  }

  /** parse_config_data: the keys this model uses, with xl's messages. */
  private config(p: CfgParse, file: string, warn: (w: string) => void): DomainConfig | string {
    const name = cfgGetString(p, file, "name");
    if (!name.ok) return "Domain name must be specified.\n";
    const long = (k: string, dflt: number): number => {
      const r = cfgGetLong(p, file, k);
      if (!r.ok) {
        if (r.warning) warn(r.warning);
        return dflt;
      }
      return Number(r.value);
    };
    const memoryMb = long("memory", 32);
    const maxmemMb = Math.max(long("maxmem", memoryMb), memoryMb);
    const vcpus = long("vcpus", 1);
    const action = (k: string, dflt: ShutdownAction): ShutdownAction => {
      const r = cfgGetString(p, file, k);
      if (!r.ok) return dflt;
      return r.value === "restart" || r.value === "preserve" ? r.value : "destroy";
    };
    const cfg: DomainConfig = { name: name.value, memoryMb, maxmemMb, vcpus, onPoweroff: action("on_poweroff", "destroy"), onReboot: action("on_reboot", "restart"), vifs: [], disks: [] };
    const type = cfgGetString(p, file, "type");
    if (type.ok) {
      if (type.value !== "pv" && type.value !== "pvh" && type.value !== "hvm") return `Invalid domain type ${type.value}.\n`;
      cfg.type = type.value;
    }
    const vifs = cfgGetList(p, file, "vif");
    if (vifs.ok) {
      for (const item of vifs.value) {
        if (typeof item !== "string") continue;
        const v = parseVifSpec(item);
        if (!v.ok) return v.report;
        warn(v.warnings);
        cfg.vifs.push({ mac: v.vif.mac ? formatMac(v.vif.mac) : this.randomMac(), bridge: v.vif.bridge ?? VIF_DEFAULTS.bridge, backend: 0, script: v.vif.script ?? VIF_DEFAULTS.script });
      }
    }
    const disks = cfgGetList(p, file, "disk");
    if (disks.ok) {
      for (const item of disks.value) {
        if (typeof item !== "string") continue;
        const d = parseDiskSpec(item, file);
        if (!d.ok) return d.report;
        const n = vdevNumber(d.disk.vdev);
        if (n === undefined) return `Invalid virtual disk identifier ${d.disk.vdev}\n`;
        cfg.disks.push({ target: d.disk.target ?? "", vdev: d.disk.vdev, vdevNum: n, readwrite: d.disk.readwrite, backend: 0, format: d.disk.format, devtype: d.disk.isCdrom ? "cdrom" : "disk" });
      }
    }
    return cfg;
  }

  /** `xl list` for display: the records and the text xl prints. */
  listView(): XlListView {
    const rows = this.records(this.sys.xen.domids());
    return new XlListView(rows as DomainListRecord[], formatList(rows as DomainListRecord[]));
  }

  /** xl list [domid…]: list_domains over XEN_DOMCTL_getdomaininfo. */
  private list(a: string[]): XlOutput {
    const ids = a.length > 0 ? a.map((q) => (/^\d+$/.test(q) ? Number(q) : this.sys.domidOf(q))) : this.sys.xen.domids();
    const rows = this.records(ids);
    if (typeof rows === "number") return fail(`${String(a[rows])} is an invalid domain identifier (rc=${ERROR_INVAL})\n`);
    return out(formatList(rows));
  }

  /** libxl_dominfo of each domain, or the index of the first that does not exist. */
  private records(ids: readonly (number | undefined)[]): DomainListRecord[] | number {
    const rows: DomainListRecord[] = [];
    for (const [i, id] of ids.entries()) {
      if (id === undefined || this.sys.xen.hv.domain(id) === undefined) return i;
      const info = getDomainInfo(this.sys.xen.hv, this.sys.xen.hv.domain(id)!);
      const f = info.flags;
      rows.push({
        name: this.sys.name(id) ?? `(null)`, domid: id, currentMemkb: info.tot_pages * 4, outstandingMemkb: info.outstanding_pages * 4,
        vcpuOnline: info.nr_online_vcpus, running: (f & XEN_DOMINF_running) !== 0, blocked: (f & XEN_DOMINF_blocked) !== 0,
        paused: (f & XEN_DOMINF_paused) !== 0, shutdown: (f & XEN_DOMINF_shutdown) !== 0,
        shutdownReason: (f >>> Dominf.XEN_DOMINF_shutdownshift) & Dominf.XEN_DOMINF_shutdownmask, dying: (f & XEN_DOMINF_dying) !== 0,
        cpuTime: BigInt(info.cpu_time),
      });
    }
    return rows;
  }
}
