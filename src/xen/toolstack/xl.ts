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
import { formatDomid, formatDomname, formatInfo, formatList, XL_INFO_KEYS, type DomainListRecord, type XlOutput } from "../xl/format.js";
import { Dominf, XEN_DOMINF_blocked, XEN_DOMINF_dying, XEN_DOMINF_paused, XEN_DOMINF_running, XEN_DOMINF_shutdown } from "../abi/domctl.js";
import { getDomainInfo } from "../domain-info.js";
import { XlListView } from "./display.js";
import { schedCredit, vcpuList } from "./xl-sched.js";
import { ToolstackError, type DomainConfig, type ShutdownAction, type XenSystem } from "./system.js";

const ERROR_INVAL = -6;

function out(stdout: string, stderr = "", status: 0 | 1 = 0): XlOutput {
  return { status, stdout, stderr };
}
const fail = (stderr: string): XlOutput => out("", stderr, 1);

/**
 * libxl_device.c device_addrm_aocomplete: a libxl_device_*_add that fails before it has a device
 * (here: its setdefault, or the disk's vdev) logs this, with no domid.
 */
const DEVICE_ADD_FAILED = "libxl: error: libxl_device.c: unable to add device\n";

/**
 * An unknown vdev, logged twice: by libxl_disk.c libxl__device_from_disk and again by its caller
 * device_disk_add. `domain` is "Domain <id>:" where the model knows the domid.
 */
function invalidVdev(vdev: string, domain: string): string {
  const line = `libxl: error: libxl_disk.c: ${domain}Invalid or unsupported virtual disk identifier ${vdev}\n`;
  return line + line;
}

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

/** xl_utils.c parse_mem_size_kb: a decimal number with an optional unit t/g/m/k/b (none = MiB). */
export function parseMemSizeKb(mem: string): number | undefined {
  const m = /^\s*([+-]?\d*)(.*)$/.exec(mem)!;
  let kb = m[1] === "" || m[1] === "+" || m[1] === "-" ? 0 : Number(m[1]);
  const unit = m[2]!;
  if (unit.length > 1) return undefined;
  switch (unit.toLowerCase()) {
    case "t": kb *= 1024 * 1024 * 1024; break;
    case "g": kb *= 1024 * 1024; break;
    case "": case "m": kb *= 1024; break;
    case "k": break;
    case "b": kb = Math.floor(kb / 1024); break;
    default: return undefined;
  }
  return kb < 0 ? undefined : kb;
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
      case "info": return out(this.info());
      case "mem-set": return this.withDomain(a, (id) => { // xl_mem.c set_memory_target
        const kb = parseMemSizeKb(a[1] ?? "");
        if (kb === undefined) return fail(`invalid memory size: ${a[1] ?? ""}\n`);
        const err = this.sys.setMemoryTarget(id, kb);
        return err === undefined ? out("") : fail(`${err}cannot set domid ${id} dynamic max memory to : ${a[1]!}\n`);
      });
      case "vcpu-set": return this.vcpuSet(a);
      case "vcpu-list": return vcpuList(this.sys, a);
      case "sched-credit": return schedCredit(this.sys, a);
      case "rename": return this.withDomain(a, (id) => {
        const md = this.sys.mustBeManaged(id);
        const name = a[1];
        if (name === undefined) return fail("'xl rename' requires at least 2 arguments.\n\n"); // xl_utils.c def_getopt
        md.config.name = name;
        this.sys.dom0xs.write(`/local/domain/${id}/name`, name);
        return out("");
      });
      case "network-attach": return this.withDomain(a, (id) => {
        const p = parseVifSpec(a.slice(1).join(","));
        if (!p.ok) return fail(p.report);
        const backend = this.backendDomid(p.vif.backend);
        if (typeof backend === "string") return fail(backend);
        if (backend === undefined) return fail(`${DEVICE_ADD_FAILED}libxl_device_nic_add failed.\n`); // xl_nic.c main_networkattach
        this.sys.addVif(id, { mac: p.vif.mac ? formatMac(p.vif.mac) : this.randomMac(), bridge: p.vif.bridge ?? VIF_DEFAULTS.bridge, backend, script: p.vif.script ?? VIF_DEFAULTS.script });
        return out("");
      });
      // xl_nic.c main_networkdetach (block-detach's "Error: Device … not connected." is xl_block.c's).
      case "network-detach": return this.withDomain(a, (id) => this.sys.removeDevice(id, "vif", Number(a[1])) ? out("") : fail(`Unknown device ${a[1] ?? ""}.\n`));
      case "block-attach": return this.blockAttachDomain(a, (id) => {
        const p = parseDiskSpec(a.slice(1).join(","), "command line");
        if (!p.ok) return fail(p.report);
        // libxl_disk.c device_disk_add: the backend is resolved (setdefault) before the vdev is read.
        const backend = this.backendDomid(p.disk.backend);
        if (typeof backend === "string") return fail(backend);
        if (backend === undefined) return fail(`${DEVICE_ADD_FAILED}libxl_device_disk_add failed.\n`); // xl_block.c main_blockattach
        const n = vdevNumber(p.disk.vdev);
        if (n === undefined) return fail(`${invalidVdev(p.disk.vdev, `Domain ${id}:`)}${DEVICE_ADD_FAILED}libxl_device_disk_add failed.\n`);
        this.sys.addDisk(id, { target: p.disk.target ?? "", vdev: p.disk.vdev, vdevNum: n, readwrite: p.disk.readwrite, backend, format: p.disk.format, devtype: p.disk.isCdrom ? "cdrom" : "disk" });
        return out("");
      });
      case "block-detach": return this.withDomain(a, (id) => { // xl_block.c main_blockdetach
        const n = vdevNumber(a[1] ?? "");
        return n !== undefined && this.sys.removeDevice(id, "vbd", n) ? out("") : fail(`Error: Device ${a[1] ?? ""} not connected.\n`);
      });
      // xl.c main: what xl answers a command it does not know; commands xl has and the model lacks get the same.
      default: return fail("command not implemented\n");
    }
  }

  /** xl vcpu-set [-i] domid count (xl_vcpu.c vcpuset: its messages too). */
  private vcpuSet(args: string[]): XlOutput {
    const checkHost = !args.includes("-i") && !args.includes("--ignore-host");
    const a = args.filter((x) => x !== "-i" && x !== "--ignore-host");
    return this.withDomain(a, (id) => {
      const m = /^\s*[+-]?\d+/.exec(a[1] ?? "");
      if (m === null) return fail("Error: Invalid argument.\n");
      const n = Number(m[0]) >>> 0; // strtoul into an unsigned int
      const hostCpus = this.sys.xen.m.cpus.length;
      const online = getDomainInfo(this.sys.xen.hv, this.sys.xen.hv.domain(id)!).nr_online_vcpus;
      if (checkHost && n > online && n > hostCpus) {
        return fail(`You are overcommmitting! You have ${hostCpus} physical CPUs and want ${n} vCPUs! Aborting, use --ignore-host to continue\n`);
      }
      const err = this.sys.setVcpuOnline(id, n);
      return err === undefined ? out("") : fail(`${err}libxl_set_vcpuonline failed domid=${id} max_vcpus=${n}, rc: -3\n`);
    });
  }

  /**
   * xl info (xl_info.c print_info without -n): host and hypervisor facts of this machine, in
   * XL_INFO_KEYS order. The values describe the emulated machine (its CPU count, clock and memory);
   * strings the model has no source for (hw_caps words, changeset, compile facts) are ours.
   */
  private info(): string {
    const m = this.sys.xen.m;
    const n = m.cpus.length;
    const mib = (pages: number): number => Math.floor(pages / 256);
    const khz = Math.round(m.costs.hz / 1000);
    const values: Record<(typeof XL_INFO_KEYS)[number], string | number> = {
      host: "hypernote", release: "6.12.0-hypernote", version: "#1 SMP", machine: "x86_64",
      nr_cpus: n, max_cpu_id: n - 1, nr_nodes: 1, cores_per_socket: n, threads_per_core: 1,
      cpu_mhz: `${Math.floor(khz / 1000)}.${String(khz % 1000).padStart(3, "0")}`,
      hw_caps: "00000000:00000000:00000000:00000000:00000000:00000000:00000000:00000000",
      virt_caps: "pv hvm hap", total_memory: mib(m.memory.frameCount), free_memory: mib(m.memory.free),
      sharing_freed_memory: 0, sharing_used_memory: 0, outstanding_claims: 0, free_cpus: 0,
      xen_major: 4, xen_minor: 22, xen_extra: ".0", xen_version: "4.22.0",
      xen_caps: "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64", xen_scheduler: "credit", xen_pagesize: 4096,
      platform_params: "virt_start=0xffff800000000000", xen_changeset: "hypernote emulation", xen_commandline: "placeholder",
      cc_compiler: "hypernote", cc_compile_by: "hypernote", cc_compile_domain: "hypernote", cc_compile_date: "emulated",
      build_id: "0000000000000000000000000000000000000000", xend_config_format: 4,
    };
    return formatInfo(XL_INFO_KEYS.map((k) => [k, values[k]] as const));
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

  /**
   * xl_block.c main_blockattach names its domain with libxl_domain_qualifier_to_domid, not
   * find_domain: an unknown name gets "… is an invalid domain identifier" without the rc.
   */
  private blockAttachDomain(a: string[], f: (domid: number) => XlOutput): XlOutput {
    const q = a[0];
    if (q !== undefined && !/^\d+$/.test(q) && this.sys.domidOf(q) === undefined) return fail(`${q} is an invalid domain identifier\n`);
    return this.withDomain(a, f);
  }

  /**
   * `backend=DOMAIN` of a vif or disk spec (libxl__resolve_domid → libxl_domain_qualifier_to_domid:
   * a domid or a name; default Dom0). undefined: a name that names no domain, which libxl_name_to_domid
   * refuses with ERROR_INVAL and logs nothing, so the caller's setdefault fails. A string: the model
   * refuses a domid of no domain here; its text is unverified (libxl does not check the domid at
   * this point and fails later, while adding the device).
   */
  private backendDomid(q: string | undefined): number | undefined | string {
    if (q === undefined || q === "") return 0;
    if (!/^\d+$/.test(q)) return this.sys.domidOf(q);
    const id = Number(q);
    if (this.sys.xen.hv.domain(id) === undefined) return `libxl: error: libxl_device.c: backend domain ${q} does not exist\n`;
    return id;
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
    if (file === undefined) return fail("Config file not specified and none in save file\n"); // xl_vmcontrol.c create_domain
    const text = this.sys.files.get(file);
    if (text === undefined) return fail(`Failed to read config file: ${file}: No such file or directory\n`);
    const extra = rest.filter((x) => x.includes("=")).join("\n");
    const parse = parseCfg(extra === "" ? text : `${text}\n${extra}\n`, file);
    let stderr = `Parsing config from ${file}\n${parse.report}`;
    if (parse.err !== 0) return fail(`${stderr}Failed to parse config: Invalid argument\n`);
    const cfg = this.config(parse, file, (w) => { stderr += w; });
    if (typeof cfg === "string") return fail(stderr + cfg);
    cfg.source = { text, file };
    try {
      this.sys.create(cfg, paused);
    } catch (e) {
      if (e instanceof ToolstackError) return fail(stderr + e.stderr);
      throw e;
    }
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
    const maxvcpus = Math.max(long("maxvcpus", vcpus), vcpus);
    const action = (k: string, dflt: ShutdownAction): ShutdownAction => {
      const r = cfgGetString(p, file, k);
      if (!r.ok) return dflt;
      return r.value === "restart" || r.value === "preserve" ? r.value : "destroy";
    };
    const cfg: DomainConfig = { name: name.value, memoryMb, maxmemMb, vcpus, maxvcpus, onPoweroff: action("on_poweroff", "destroy"), onReboot: action("on_reboot", "restart"), vifs: [], disks: [] };
    const type = cfgGetString(p, file, "type");
    if (type.ok) {
      if (type.value !== "pv" && type.value !== "pvh" && type.value !== "hvm") return `Invalid domain type ${type.value}.\n`;
      cfg.type = type.value;
    }
    if (long("driver_domain", 0) !== 0) cfg.driverDomain = true;
    if (long("blkif_persistent", 0) !== 0) cfg.blkifPersistent = true;
    // Failures libxl would report, kept until xl has parsed every vif and disk (see below).
    let unresolvedNic: number | undefined;
    let unresolvedDisk: number | undefined;
    let badVdev: string | undefined;
    const vifs = cfgGetList(p, file, "vif");
    if (vifs.ok) {
      for (const item of vifs.value) {
        if (typeof item !== "string") continue;
        const v = parseVifSpec(item);
        if (!v.ok) return v.report;
        warn(v.warnings);
        const backend = this.backendDomid(v.vif.backend);
        if (typeof backend === "string") return backend;
        if (backend === undefined) unresolvedNic ??= cfg.vifs.length;
        if (backend === undefined || unresolvedNic !== undefined) continue; // refused below: draw no more random MACs
        cfg.vifs.push({ mac: v.vif.mac ? formatMac(v.vif.mac) : this.randomMac(), bridge: v.vif.bridge ?? VIF_DEFAULTS.bridge, backend, script: v.vif.script ?? VIF_DEFAULTS.script });
      }
    }
    const disks = cfgGetList(p, file, "disk");
    if (disks.ok) {
      for (const item of disks.value) {
        if (typeof item !== "string") continue;
        const d = parseDiskSpec(item, file);
        if (!d.ok) return d.report;
        const n = vdevNumber(d.disk.vdev);
        if (n === undefined) badVdev ??= d.disk.vdev;
        const backend = this.backendDomid(d.disk.backend);
        if (typeof backend === "string") return backend;
        if (backend === undefined) unresolvedDisk ??= cfg.disks.length;
        cfg.disks.push({ target: d.disk.target ?? "", vdev: d.disk.vdev, vdevNum: n ?? 0, readwrite: d.disk.readwrite, backend: backend ?? 0, format: d.disk.format, devtype: d.disk.isCdrom ? "cdrom" : "disk" });
      }
    }
    // libxl, once xl has parsed everything: initiate_domain_create sets every disk's defaults
    // (libxl_create.c), then every nic's (libxl_nic.c libxl__device_nic_set_devids); the disks'
    // vdevs are read when they are added, later still (libxl_create.c domcreate_launch_dm). Real
    // libxl logs these after building the domain, with "Domain <new domid>:" before the text, and
    // then tears the domain down; the model refuses before building, so there is no domid to show.
    if (unresolvedDisk !== undefined) return `libxl: error: libxl_create.c: Unable to set disk defaults for disk ${unresolvedDisk}\n`;
    if (unresolvedNic !== undefined) return `libxl: error: libxl_nic.c: Unable to set nic defaults for nic ${unresolvedNic}\n`;
    if (badVdev !== undefined) return `${invalidVdev(badVdev, "")}libxl: error: libxl_create.c: unable to add disk devices\n`;
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
