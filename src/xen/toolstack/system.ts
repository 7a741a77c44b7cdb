/**
 * The Xen world above the hypervisor, as Dom0 runs it: xenstored (in Dom0 by default), Dom0
 * Linux's backends (netback, blkback, xenconsoled) and the libxl-style toolstack operations that
 * `xl` calls — domain build (xenstore and console rings seeded at grants 1 and 0, ports allocated,
 * XS_INTRODUCE), the standard paths of reference §4.8, device add and remove over xenbus, and the
 * reaction to VIRQ_DOM_EXC (checkDomains, then on_poweroff / on_reboot).
 * Sources: tools/libs/light/libxl_create.c, libxl_dom.c, libxl_device.c, libxl_domain.c @c447b7308b13.
 */
import { UsageError } from "../../machine/index.js";
import { __HYPERVISOR_domctl, __HYPERVISOR_sched_op, DOMID_SELF, VIRQ_DOM_EXC } from "../abi/xen.js";
import { SCHEDOP_shutdown } from "../abi/sched.js";
import { XEN_DOMCTL_CDF_hvm, XEN_DOMCTL_CDF_xs_domain, XEN_DOMCTL_destroydomain, XEN_DOMCTL_INTERFACE_VERSION, XEN_DOMCTL_max_mem, XEN_DOMCTL_pausedomain, XEN_DOMCTL_unpausedomain } from "../abi/domctl.js";
import { GnttabLayout } from "../abi/gnttab.js";
import { XsType } from "../abi/xs-wire.js";
import { XenbusStateClosed, XenbusStateClosing, XenbusStateInitialising } from "../abi/xenbus.js";
import { ConsoleInterface } from "../io/console.js";
import { Xenstored } from "../xenstore/xenstored.js";
import { XenXenstoreHost } from "../xenstore-host.js";
import { Blkback, Blkfront, RamDisk } from "../drivers/blkif.js";
import { Netback, Netfront, type PacketSink } from "../drivers/netif.js";
import type { StateChange } from "../drivers/xenbus-end.js";
import type { Xen } from "../xen.js";
import type { DomId } from "../state.js";
import { EventLoop } from "./event-loop.js";
import { Hcall } from "./hcall.js";
import { Kernel } from "./kernel.js";
import { Dom0RingXsClient, PrivXsClient, RingXsClient, type Dom0XsClient } from "./xs.js";
import { liveView } from "./page-views.js";
import { DeviceTimeline, RingTable, type RingOccupancy } from "./display.js";
import { setVcpusAvailable } from "./vcpu-hotplug.js";

/** Dom0 gfn of Dom0 Linux's own xenbus page when xenstored runs in a stub domain (below its kernel's driver pool). */
const DOM0_XENBUS_GFN = 511;

/** libxl.h LIBXL_MAXMEM_CONSTANT: KiB of slack libxl adds to max_mem above the target. */
export const LIBXL_MAXMEM_CONSTANT = 1024;

/**
 * How `xen.bootSystem(opts)` starts the world above the hypervisor. `xenstore: "domain"` runs
 * xenstored in a Mini-OS stub domain (XENSTORETYPE=domain in launch-xenstore) instead of Dom0.
 * Dom0 then reaches xenstored over its own ring like every other domain (Dom0RingXsClient).
 * Deviation: VIRQ_DOM_EXC stays bound in Dom0, which forwards it.
 */
export interface SystemOptions {
  xenstore?: "daemon" | "domain";
  /** init-xenstore-domain --memory (MiB), default 8 here. */
  xenstoreMemoryMb?: number;
}

export type ShutdownAction = "destroy" | "restart" | "preserve";

export interface DomainConfig {
  name: string;
  memoryMb: number;
  maxmemMb: number;
  /** vCPUs online at boot (`vcpus=`) and in all (`maxvcpus=`, default the same). */
  vcpus: number;
  maxvcpus?: number;
  onPoweroff: ShutdownAction;
  onReboot: ShutdownAction;
  vifs: { mac: string; bridge: string; backend: DomId; script: string }[];
  /** `persistent`: offer feature-persistent on this vbd's backend (hypernote option; see blkif.ts). */
  disks: { target: string; vdev: string; vdevNum: number; readwrite: boolean; backend: DomId; format: string; devtype: string; persistent?: boolean }[];
  /**
   * xl.cfg `blkif_persistent` (hypernote option standing for the Linux module parameters
   * xen_blkfront.feature_persistent and xen_blkback.feature_persistent): both ends of this domain's
   * vbds offer persistent grants. Off by default here (Linux's default is on).
   */
  blkifPersistent?: boolean;
  /** xl.cfg `driver_domain`: this domain's kernel runs backends for others (reference §7). */
  driverDomain?: boolean;
  /** xl.cfg `type`: "pvh" when absent; "hvm" brings a QEMU device model into the guest's TCB. */
  type?: "pv" | "pvh" | "hvm";
  /** The config text and file name, to rebuild on restart. */
  source?: { text: string; file: string };
}

/** What the toolstack remembers about a domain it built (libxl's /libxl/<domid> plus xl's own). */
export interface ManagedDomain {
  domid: DomId;
  config: DomainConfig;
  uuid: string;
  kernel?: GuestKernel;
  console: ConsoleInterface;
  consolePort: number;
  consoleLog: string;
  nextVifDevid: number;
}

/** A guest's PV kernel: its xenbus connection and frontends (probed from ~/device). */
export class GuestKernel {
  readonly netfronts = new Map<number, Netfront>();
  readonly blkfronts = new Map<number, Blkfront>();
  /** The balloon target (KiB) this kernel last acted on; the one at boot is the domain's size. */
  balloonTargetKb: number | undefined;
  constructor(readonly k: Kernel, readonly sys: XenSystem) {}

  boot(): void {
    this.balloonTargetKb = Number(this.k.xs.read("memory/target") ?? "0");
    this.k.xs.watch("memory/target", "balloon:target", () => { if (this.k.hc.canRun(this.k.domid)) this.balloon(); });
    this.k.xs.watch("device", "xenbus:device", () => { if (this.k.hc.canRun(this.k.domid)) this.probe(); });
    this.k.xs.watch("control/shutdown", "xenbus:shutdown", () => { if (this.k.hc.canRun(this.k.domid)) this.shutdownRequested(); });
    this.k.xs.watch("cpu", "cpu:availability", () => { if (this.k.hc.canRun(this.k.domid)) setVcpusAvailable(this.k); });
  }

  private probe(): void {
    for (const devid of this.k.xs.directory("device/vif").map(Number)) {
      if (this.netfronts.has(devid)) continue;
      const backend = this.k.xs.read(`device/vif/${devid}/backend`);
      const bid = Number(this.k.xs.read(`device/vif/${devid}/backend-id`) ?? "0");
      if (backend === undefined) continue;
      const nf = new Netfront(this.k, this.sys, devid, bid, backend);
      this.netfronts.set(devid, nf);
      nf.start();
    }
    for (const vdev of this.k.xs.directory("device/vbd").map(Number)) {
      if (this.blkfronts.has(vdev)) continue;
      const backend = this.k.xs.read(`device/vbd/${vdev}/backend`);
      const bid = Number(this.k.xs.read(`device/vbd/${vdev}/backend-id`) ?? "0");
      if (backend === undefined) continue;
      const bf = new Blkfront(this.k, this.sys, vdev, bid, backend, this.sys.domains.get(this.k.domid)?.config.blkifPersistent === true);
      this.blkfronts.set(vdev, bf);
      bf.start();
    }
    for (const [id, nf] of this.netfronts) if (nf.stopped || this.k.xs.read(`device/vif/${id}/state`) === undefined) { nf.stop(); this.netfronts.delete(id); }
    for (const [id, bf] of this.blkfronts) if (bf.stopped || this.k.xs.read(`device/vbd/${id}/state`) === undefined) { bf.stop(); this.blkfronts.delete(id); }
  }

  /** Linux drivers/xen/balloon.c watch_target: a new target moves the reservation by the difference. */
  private balloon(): void {
    const v = this.k.xs.read("memory/target");
    if (v === undefined || !/^\d+$/.test(v)) return;
    const kb = Number(v);
    if (kb === this.balloonTargetKb) return;
    const d = this.k.xen.hv.domain(this.k.domid);
    if (d === undefined) return;
    const delta = Math.trunc((kb - (this.balloonTargetKb ?? kb)) / 4);
    this.balloonTargetKb = kb;
    this.k.balloonTo(d.totPages + delta);
  }

  /** Linux drivers/xen/manage.c shutdown_handler: ack with "" and SCHEDOP_shutdown. */
  private shutdownRequested(): void {
    const req = this.k.xs.read("control/shutdown");
    const reason = req === "poweroff" || req === "halt" ? 0 : req === "reboot" ? 1 : undefined;
    if (reason === undefined) return;
    this.k.xs.write("control/shutdown", "");
    this.k.xen.hypercall(this.k.domid, __HYPERVISOR_sched_op, SCHEDOP_shutdown, { reason });
  }

  /** The guest prints on its PV console (hvc0). */
  consoleWrite(text: string): void {
    this.sys.consoleFromGuest(this.k.domid, text);
  }
}

export class XenSystem {
  readonly hc: Hcall;
  readonly loop: EventLoop;
  readonly host: XenXenstoreHost;
  readonly xenstored: Xenstored;
  readonly dom0: Kernel;
  readonly dom0xs: Dom0XsClient;
  readonly domains = new Map<DomId, ManagedDomain>();
  readonly netbacks = new Map<string, Netback>();
  readonly blkbacks = new Map<string, Blkback>();
  /** RAM-backed disk images by target path; they outlive attach and detach. */
  readonly disks = new Map<string, RamDisk>();
  /** The in-memory files `xl create <file>` reads (set them with xen.files.set(name, text)). */
  readonly files = new Map<string, string>();
  readonly timeline: StateChange[] = [];
  /** Where netback sends packets it takes from a guest: "bridge" floods the other vifs, "echo" sends it back. */
  bridgeMode: "bridge" | "echo" = "bridge";
  dmesg = "";

  /** The xenstore stub domain (XENSTORETYPE=domain), when xenstored runs in one. */
  readonly storeDomain?: { domid: DomId; name: string };

  constructor(readonly xen: Xen, opts: SystemOptions = {}) {
    this.hc = new Hcall(xen);
    this.loop = new EventLoop(xen);
    this.host = new XenXenstoreHost(xen, this.hc);
    if (opts.xenstore === "domain") {
      // tools/helpers/init-xenstore-domain.c: XEN_DOMCTL_CDF_xs_domain, unlimited event channels,
      // 4 grant frames, mandatory memory; the Mini-OS xenstored then serves every other domain.
      const memoryMb = opts.xenstoreMemoryMb ?? 8;
      const domid = this.xen.createDomain({ pages: memoryMb * 256, vcpus: 1, flags: XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_xs_domain, maxEvtchnPort: 0xffffffff, maxGrantFrames: 4 });
      this.xen.m.charge(0, "domain_create", "xen", "init-xenstore-domain", "dom0", { domid });
      this.host.storeDomid = domid;
      this.storeDomain = { domid, name: "Xenstore" };
      // Dom0 Linux's IOCTL_XENBUS_BACKEND_SETUP: its xenbus page granted to the stub domain, and an
      // unbound port for it, which init-xenstore-domain passes to xenstored as --event.
      const g = this.xen.guest(0);
      g.memory.write(DOM0_XENBUS_GFN, 0, new Uint8Array(4096));
      g.grantTable.grantAccess(GnttabLayout.GNTTAB_RESERVED_XENSTORE, domid, DOM0_XENBUS_GFN);
      const port = this.hc.allocUnboundFor(0, DOMID_SELF, domid);
      this.xenstored = new Xenstored(this.host, { privDomid: 0, storeDomid: domid, privPort: port });
      const xsdPort = this.xenstored.domains.get(0)!.port;
      if (xsdPort !== undefined) this.loop.listen(domid, xsdPort, () => this.xenstored.kick(0));
      const page = liveView(this.xen.m, g.memory.frame(DOM0_XENBUS_GFN));
      this.dom0xs = new Dom0RingXsClient(0, this.loop, page, port, this.hc, (bytes) => this.chargeRingCopy(0, bytes), this.xenstored);
    } else {
      this.xenstored = new Xenstored(this.host, { privDomid: 0, storeDomid: 0 });
      this.dom0xs = new PrivXsClient(0, this.loop, this.xenstored);
    }
    this.dom0 = new Kernel(xen, this.hc, this.loop, 0, this.dom0xs, 512, 1024);
    const virqPort = this.hc.bindVirq(0, VIRQ_DOM_EXC);
    if (virqPort > 0) this.loop.listen(0, virqPort, () => this.domainException());
    this.dom0xs.write("/local/domain/0/name", "Domain-0");
    this.dom0xs.write("/local/domain/0/domid", "0");
    this.dom0xs.watch("@releaseDomain", "libxl:release", () => this.reapDomains());
    this.dmesg = "(XEN) Xen version 4.22.0 (hypernote) (emulated)\n(XEN) Dom0 has maximum 1024 PAGES\n";
    this.settle();
  }

  /** The xenbus state timeline for display, of one device ("vif-1-0") or all. */
  timelineView(device?: string): DeviceTimeline {
    return new DeviceTimeline(device === undefined ? this.timeline : this.timeline.filter((c) => c.device === device), this.xen.m.costs.hz);
  }

  /** Occupancy of every split-driver ring, both ends. */
  rings(): RingTable {
    const rows: RingOccupancy[] = [];
    for (const md of this.domains.values()) {
      for (const nf of md.kernel?.netfronts.values() ?? []) {
        const o = nf.occupancy();
        rows.push({ device: nf.name, end: "frontend", domid: md.domid, ring: "tx", used: o.tx, size: o.size }, { device: nf.name, end: "frontend", domid: md.domid, ring: "rx", used: o.rx, size: o.size });
      }
      for (const bf of md.kernel?.blkfronts.values() ?? []) {
        const o = bf.occupancy();
        rows.push({ device: bf.name, end: "frontend", domid: md.domid, ring: "blkif", used: o.inFlight, size: o.size });
      }
    }
    for (const nb of this.netbacks.values()) {
      const o = nb.occupancy();
      rows.push({ device: nb.name, end: "backend", domid: nb.k.domid, ring: "tx", used: o.tx, size: o.size }, { device: nb.name, end: "backend", domid: nb.k.domid, ring: "rx", used: o.rx, size: o.size });
    }
    for (const bb of this.blkbacks.values()) {
      const o = bb.occupancy();
      rows.push({ device: bb.name, end: "backend", domid: bb.k.domid, ring: "blkif", used: o.inFlight, size: o.size });
    }
    return new RingTable(rows);
  }

  record(c: StateChange): void {
    this.timeline.push(c);
  }

  /** Let every kernel handle what is pending: event channels, then watch callbacks. */
  settle(): void {
    this.dom0xs.pumpEvents();
    this.loop.settle();
  }

  /** VIRQ_DOM_EXC in Dom0: xenstored's check_domains, then drop ring mappings of domains it forgot. */
  private domainException(): void {
    this.xenstored.checkDomains();
    for (const id of [...this.domains.keys()]) if (!this.xenstored.domains.get(id)?.introduced) this.host.unmapInterface(id);
    this.dom0xs.pumpEvents();
  }

  /** xl's per-domain child (domain_death / shutdown events): apply on_poweroff / on_reboot. */
  private reapDomains(): void {
    for (const [id, md] of [...this.domains]) {
      const d = this.xen.hv.domain(id);
      if (d === undefined) continue;
      if (!d.isShutdown) continue;
      const action = d.shutdownCode === 1 ? md.config.onReboot : md.config.onPoweroff;
      if (action === "preserve") continue;
      this.destroy(id);
      if (action === "restart") this.create(md.config, false);
    }
  }

  name(domid: DomId): string | undefined {
    if (domid === 0) return "Domain-0";
    if (domid === this.storeDomain?.domid) return this.storeDomain.name;
    return this.domains.get(domid)?.config.name;
  }

  domidOf(name: string): DomId | undefined {
    if (name === "Domain-0") return 0;
    if (name === this.storeDomain?.name) return this.storeDomain.domid;
    for (const [id, md] of this.domains) if (md.config.name === name) return id;
    return undefined;
  }

  private uuid(): string {
    const h = (n: number): string => Array.from({ length: n }, () => this.xen.m.rng.below(16).toString(16)).join("");
    return `${h(8)}-${h(4)}-4${h(3)}-${(8 + this.xen.m.rng.below(4)).toString(16)}${h(3)}-${h(12)}`;
  }

  /** A kernel's xenbus copied `bytes` through its xenstore ring. */
  private chargeRingCopy(domid: DomId, bytes: number): void {
    const d = this.xen.hv.domain(domid);
    if (d !== undefined) this.xen.m.charge(d.vcpus[0]?.processor ?? 0, "memcpy_per_byte", "xen", "xenbus.ring_copy", d.actor, { bytes }, bytes);
  }

  private chargeToolstack(op: string): void {
    this.xen.m.charge(0, "libxl_op", "xen", `xl.${op}`, "dom0");
  }

  /** libxl_domain_create_new: build, write the store, introduce, add devices, unpause unless `paused`. */
  create(cfg: DomainConfig, paused: boolean): DomId {
    // libxl_domain.c libxl__domain_rename, called by libxl__domain_make once the domain exists (so
    // real libxl puts "Domain <new domid>:" before the text and then destroys it); the model refuses first.
    if (this.domidOf(cfg.name) !== undefined) throw new ToolstackError(`libxl: error: libxl_domain.c: Domain with name "${cfg.name}" already exists.\n`);
    this.chargeToolstack("create");
    const pages = cfg.memoryMb * 256;
    const maxvcpus = Math.max(cfg.maxvcpus ?? cfg.vcpus, cfg.vcpus);
    const domid = this.xen.createDomain({ pages, maxPages: cfg.maxmemMb * 256, vcpus: maxvcpus, onlineVcpus: cfg.vcpus, paused: true });
    this.xen.m.charge(0, "domain_create", "xen", "libxl.domain_build", "dom0", { domid });
    const g = this.xen.guest(domid);
    // Domain builder (xc_dom_gnttab_seed): xenstore ring at the last gfn, console ring below it.
    const xsGfn = pages - 1;
    const conGfn = pages - 2;
    g.memory.write(xsGfn, 0, new Uint8Array(4096));
    g.memory.write(conGfn, 0, new Uint8Array(4096));
    g.grantTable.grantAccess(GnttabLayout.GNTTAB_RESERVED_XENSTORE, this.host.storeDomid, xsGfn);
    g.grantTable.grantAccess(GnttabLayout.GNTTAB_RESERVED_CONSOLE, 0, conGfn);
    const storePort = this.hc.allocUnboundFor(0, domid, this.host.storeDomid);
    const conPortGuest = this.hc.allocUnboundFor(0, domid, 0);
    const uuid = this.uuid();
    const home = `/local/domain/${domid}`;
    const xs = this.dom0xs;
    xs.transaction((t) => {
      xs.mkdir(home, t);
      xs.setPerms(home, ["n0", `r${domid}`], t);
      xs.write(`${home}/name`, cfg.name, t);
      xs.write(`${home}/domid`, String(domid), t);
      xs.write(`${home}/vm`, `/vm/${uuid}`, t);
      xs.write(`/vm/${uuid}/name`, cfg.name, t);
      xs.write(`/vm/${uuid}/uuid`, uuid, t);
      xs.write(`${home}/memory/static-max`, String(cfg.maxmemMb * 1024), t);
      xs.write(`${home}/memory/target`, String(cfg.memoryMb * 1024), t);
      for (let c = 0; c < maxvcpus; c++) xs.write(`${home}/cpu/${c}/availability`, c < cfg.vcpus ? "online" : "offline", t);
      xs.write(`${home}/store/port`, String(storePort), t);
      xs.write(`${home}/store/ring-ref`, String(xsGfn), t);
      xs.write(`${home}/console/ring-ref`, String(conGfn), t);
      xs.write(`${home}/console/port`, String(conPortGuest), t);
      xs.write(`${home}/console/type`, "xenconsoled", t);
      xs.write(`${home}/console/limit`, "1048576", t);
      for (const dir of ["data", "drivers", "feature", "attr", "error", "control/shutdown", "control/feature-poweroff", "control/feature-reboot", "control/feature-suspend", "control/sysrq", "device/suspend/event-channel"]) {
        xs.mkdir(`${home}/${dir}`, t);
        xs.setPerms(`${home}/${dir}`, [`n${domid}`], t);
      }
      xs.mkdir(`${home}/device`, t);
      xs.setPerms(`${home}/device`, ["n0", `r${domid}`], t);
      if (cfg.driverDomain === true) {
        // libxl_create.c: a driver domain gets ~/libxl and ~/device-model writable by itself.
        for (const dir of ["libxl", "device-model"]) {
          xs.mkdir(`${home}/${dir}`, t);
          xs.setPerms(`${home}/${dir}`, [`n${domid}`], t);
        }
      }
      xs.write(`/libxl/${domid}/type`, cfg.type ?? "pvh", t);
      xs.setPerms(`/libxl/${domid}`, ["n0"], t);
    });
    const intro = xs.request(XsType.XS_INTRODUCE, [String(domid), String(xsGfn), String(storePort)]);
    if (intro.type === XsType.XS_ERROR) throw new ToolstackError(`libxl: error: libxl_dom.c: xs_introduce_domain failed: ${intro.payload[0]}\n`);
    const xsdPort = this.xenstored.domains.get(domid)!.port;
    if (xsdPort !== undefined) this.loop.listen(this.host.storeDomid, xsdPort, () => this.xenstored.kick(domid));
    // xenconsoled binds the console port.
    const conPort = this.hc.bindInterdomain(0, domid, conPortGuest);
    const console = new ConsoleInterface(liveView(this.xen.m, g.memory.frame(conGfn)));
    const md: ManagedDomain = { domid, config: cfg, uuid, console, consolePort: conPortGuest, consoleLog: "", nextVifDevid: 0 };
    if (conPort > 0) this.loop.listen(0, conPort, () => this.drainConsole(md));
    this.domains.set(domid, md);
    try {
      for (const v of cfg.vifs) this.addVif(domid, v);
      for (const d of cfg.disks) this.addDisk(domid, d);
    } catch (e) {
      // xl create's error_out: a domain whose devices could not be added is destroyed.
      if (e instanceof ToolstackError) this.destroy(domid);
      throw e;
    }
    this.settle();
    if (!paused) this.unpause(domid);
    return domid;
  }

  /** Start the guest: unpause it and boot its kernel's xenbus (it reads start_info for the ring). */
  unpause(domid: DomId): void {
    const md = this.domains.get(domid);
    this.xen.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_unpausedomain, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: domid });
    if (md !== undefined && md.kernel === undefined) this.bootGuest(md);
    this.settle();
  }

  pause(domid: DomId): number {
    return this.xen.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_pausedomain, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: domid });
  }

  private bootGuest(md: ManagedDomain): void {
    const domid = md.domid;
    const pages = md.config.memoryMb * 256;
    const g = this.xen.guest(domid);
    const port = Number(this.dom0xs.read(`/local/domain/${domid}/store/port`));
    const page = liveView(this.xen.m, g.memory.frame(pages - 1));
    const xs = new RingXsClient(domid, this.loop, page, port, this.hc, (bytes) => this.chargeRingCopy(domid, bytes));
    const k = new Kernel(this.xen, this.hc, this.loop, domid, xs, 16, pages - 2);
    md.kernel = new GuestKernel(k, this);
    md.kernel.boot();
    md.kernel.consoleWrite(`Linux version 6.12.0 (hypernote guest ${md.config.name}) #1 SMP\n`);
  }

  consoleFromGuest(domid: DomId, text: string): void {
    const md = this.domains.get(domid);
    if (md === undefined) return;
    md.console.writeOut(Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff));
    this.hc.send(domid, md.consolePort);
    this.settle();
  }

  private drainConsole(md: ManagedDomain): void {
    const r = md.console.readOut();
    if (r.ok) md.consoleLog += String.fromCharCode(...r.bytes);
  }

  /** libxl__device_vif_add: both directories in one transaction, states Initialising. */
  addVif(domid: DomId, v: DomainConfig["vifs"][number]): number {
    const md = this.domains.get(domid)!;
    const backendKernel = this.backendKernel(v.backend, `/local/domain/${v.backend}/backend/vif/${domid}/${md.nextVifDevid}`);
    const devid = md.nextVifDevid++;
    const be = `/local/domain/${v.backend}/backend/vif/${domid}/${devid}`;
    const fe = `/local/domain/${domid}/device/vif/${devid}`;
    const xs = this.dom0xs;
    xs.transaction((t) => {
      xs.mkdir(be, t);
      xs.setPerms(be, [`n${v.backend}`, `r${domid}`], t);
      for (const [k, val] of [["frontend", fe], ["frontend-id", String(domid)], ["online", "1"], ["state", String(XenbusStateInitialising)], ["script", v.script], ["mac", v.mac], ["bridge", v.bridge], ["handle", String(devid)], ["type", "vif"]] as const) xs.write(`${be}/${k}`, val, t);
      xs.mkdir(fe, t);
      xs.setPerms(fe, [`n${domid}`, `r${v.backend}`], t);
      for (const [k, val] of [["backend", be], ["backend-id", String(v.backend)], ["state", String(XenbusStateInitialising)], ["handle", String(devid)], ["mac", v.mac], ["trusted", "1"]] as const) xs.write(`${fe}/${k}`, val, t);
    });
    this.record({ cycle: this.xen.m.now(), device: `vif-${domid}-${devid}`, end: "backend", domid: v.backend, state: XenbusStateInitialising, name: "XenbusStateInitialising", actions: ["libxl: write backend and frontend directories"] });
    const sink: PacketSink = (from, p) => this.bridge(from, p);
    const nb = new Netback(backendKernel, this, domid, devid, fe, sink, (n) => this.loop.defer(() => this.runHotplug(n)));
    this.netbacks.set(`${domid}/${devid}`, nb);
    nb.start();
    this.settle();
    return devid;
  }

  /** /etc/xen/scripts/vif-bridge: put the vif on the bridge, then write hotplug-status. */
  private runHotplug(nb: Netback): void {
    if (nb.stopped) return;
    if (nb.k.domid === 0) {
      this.xen.m.charge(0, "linux_hotplug_script", "xen", "hotplug.vif-bridge", "dom0", { vif: nb.name });
      this.dom0xs.write(`/local/domain/0/${nb.ownDir}/hotplug-status`, "connected");
      return;
    }
    // In a driver domain `xl devd` runs the script and writes hotplug-status in its own backend dir.
    const d = this.xen.hv.domain(nb.k.domid);
    if (d === undefined || !nb.k.hc.canRun(nb.k.domid)) return;
    this.xen.m.charge(d.vcpus[0]?.processor ?? 0, "linux_hotplug_script", "xen", "hotplug.vif-bridge", d.actor, { vif: nb.name });
    nb.k.xs.write(`${nb.ownDir}/hotplug-status`, "connected");
  }

  /**
   * The kernel that runs a device's backend: Dom0 Linux, or a driver domain's kernel. A driver
   * domain must be a running domain built with `driver_domain = 1` (its Linux carries netback and
   * blkback); anything else would never answer the handshake, so libxl's device add fails.
   * Unverified text: real libxl waits for the backend state and then reports a timeout.
   */
  private backendKernel(backend: DomId, dir: string): Kernel {
    if (backend === 0) return this.dom0;
    const md = this.domains.get(backend);
    if (md?.kernel === undefined || md.config.driverDomain !== true) throw new ToolstackError(`libxl: error: libxl_device.c: unable to add device with path ${dir}\n`);
    return md.kernel.k;
  }

  private bridge(from: Netback, p: Uint8Array): void {
    if (this.bridgeMode === "echo") return from.deliver(p);
    for (const nb of this.netbacks.values()) if (nb !== from) nb.deliver(p);
  }

  /** libxl__device_disk_add: vbd directories, states Initialising, a RAM disk behind target. */
  addDisk(domid: DomId, d: DomainConfig["disks"][number]): void {
    const be = `/local/domain/${d.backend}/backend/vbd/${domid}/${d.vdevNum}`;
    const fe = `/local/domain/${domid}/device/vbd/${d.vdevNum}`;
    const backendKernel = this.backendKernel(d.backend, be);
    const xs = this.dom0xs;
    let disk = this.disks.get(d.target);
    if (disk === undefined) this.disks.set(d.target, (disk = new RamDisk(2 * 1024 * 1024)));
    xs.transaction((t) => {
      xs.mkdir(be, t);
      xs.setPerms(be, [`n${d.backend}`, `r${domid}`], t);
      for (const [k, val] of [["frontend", fe], ["frontend-id", String(domid)], ["online", "1"], ["state", String(XenbusStateInitialising)], ["params", d.target], ["type", "phy"], ["mode", d.readwrite ? "w" : "r"], ["device-type", d.devtype], ["dev", d.vdev], ["removable", "0"], ["bootable", "1"], ["discard-enable", "0"]] as const) xs.write(`${be}/${k}`, val, t);
      xs.mkdir(fe, t);
      xs.setPerms(fe, [`n${domid}`, `r${d.backend}`], t);
      for (const [k, val] of [["backend", be], ["backend-id", String(d.backend)], ["state", String(XenbusStateInitialising)], ["virtual-device", String(d.vdevNum)], ["device-type", d.devtype], ["trusted", "1"]] as const) xs.write(`${fe}/${k}`, val, t);
    });
    this.record({ cycle: this.xen.m.now(), device: `vbd-${domid}-${d.vdevNum}`, end: "backend", domid: d.backend, state: XenbusStateInitialising, name: "XenbusStateInitialising", actions: ["libxl: write backend and frontend directories"] });
    const bb = new Blkback(backendKernel, this, domid, d.vdevNum, fe, disk, !d.readwrite, d.persistent === true || this.domains.get(domid)?.config.blkifPersistent === true);
    this.blkbacks.set(`${domid}/${d.vdevNum}`, bb);
    bb.start();
    this.settle();
  }

  /** libxl__device_destroy with the guest's help: backend online=0 + Closing, wait for Closed, remove both dirs. */
  removeDevice(domid: DomId, kind: "vif" | "vbd", devid: number): boolean {
    const map = kind === "vif" ? this.netbacks : this.blkbacks;
    const be = map.get(`${domid}/${devid}`);
    if (be === undefined) return false;
    const dir = `/local/domain/${be.k.domid}/${be.ownDir}`;
    this.dom0xs.write(`${dir}/online`, "0");
    be.setState(XenbusStateClosing, ["libxl: online=0, request Closing"]);
    this.settle();
    if (be.readState(dir) !== XenbusStateClosed) be.setState(XenbusStateClosed, ["libxl: timeout, force Closed"]);
    be.stop();
    map.delete(`${domid}/${devid}`);
    this.dom0xs.rm(dir);
    this.dom0xs.rm(`/local/domain/${domid}/device/${kind}/${devid}`);
    this.settle();
    return true;
  }

  /** libxl_domain_destroy: force devices down, destroy the domain, clean the store. */
  destroy(domid: DomId): void {
    const md = this.domains.get(domid);
    this.chargeToolstack("destroy");
    for (const [key, nb] of [...this.netbacks]) if (nb.frontDomid === domid) { nb.stop(); this.netbacks.delete(key); this.dom0xs.rm(`/local/domain/${nb.k.domid}/${nb.ownDir}`); }
    for (const [key, bb] of [...this.blkbacks]) if (bb.frontDomid === domid) { bb.stop(); this.blkbacks.delete(key); this.dom0xs.rm(`/local/domain/${bb.k.domid}/${bb.ownDir}`); }
    if (md?.kernel) {
      for (const f of [...md.kernel.netfronts.values(), ...md.kernel.blkfronts.values()]) f.stopped = true;
    }
    this.loop.forgetDomain(domid);
    const rc = this.xen.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_destroydomain, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: domid });
    if (rc < 0) throw new ToolstackError(`libxl: error: libxl_domain.c: Domain ${domid}:xc_domain_destroy failed: ${rc}\n`);
    this.settle();
    this.dom0xs.rm(`/local/domain/${domid}`);
    this.dom0xs.rm(`/libxl/${domid}`);
    if (md) this.dom0xs.rm(`/vm/${md.uuid}`);
    this.domains.delete(domid);
    this.settle();
  }

  /**
   * libxl_set_memory_target(ctx, domid, target_memkb, relative 0, enforce 1) (libxl_mem.c): refuse a
   * target above memory/static-max, raise max_mem to target + LIBXL_MAXMEM_CONSTANT (1024 KiB) with
   * XEN_DOMCTL_max_mem, then write the balloon target `memory/target` (KiB; videoram 0 for PV/PVH),
   * which the guest's balloon driver watches. Returns libxl's error line, or undefined.
   * Unverified: libxl's log prefix carries file:line:function, which the model omits as the rest of
   * this toolstack does. The texts are libxl_mem.c's; libxl__logv hands them to the stdio logger
   * (xtl_logger_stdio.c), which adds ": strerror(errno)" for LOGED and always ends the line with
   * '\n', so a format that already ends in "\n" leaves an empty line after it.
   */
  setMemoryTarget(domid: DomId, targetKb: number): string | undefined {
    const home = `/local/domain/${domid}`;
    const staticMaxText = this.dom0xs.read(`${home}/memory/static-max`);
    // LOGED after xs_read failed on a missing node: errno is ENOENT.
    if (staticMaxText === undefined) return `libxl: error: libxl_mem.c: Domain ${domid}:Cannot get memory info from ${home}/memory/static-max: No such file or directory\n`;
    const staticMax = Number(staticMaxText);
    if (!Number.isFinite(staticMax)) return `libxl: error: libxl_mem.c: Domain ${domid}:Cannot get memory static max\n`; // unverified: libxl's strtoull check words it otherwise
    if (targetKb > staticMax) return `libxl: error: libxl_mem.c: Domain ${domid}:memory_dynamic_max must be less than or equal to memory_static_max\n\n`;
    this.chargeToolstack("mem-set");
    const rc = this.xen.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_max_mem, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: domid, u: { max_mem: { max_memkb: targetKb + LIBXL_MAXMEM_CONSTANT } } });
    if (rc < 0) return `libxl: error: libxl_mem.c: Domain ${domid}:xc_domain_setmaxmem domid=${domid} memkb=${targetKb + LIBXL_MAXMEM_CONSTANT} failed rc=${rc}\n`;
    this.dom0xs.write(`${home}/memory/target`, String(targetKb));
    const md = this.domains.get(domid);
    if (md !== undefined) this.dom0xs.write(`/vm/${md.uuid}/memory`, String(Math.floor(targetKb / 1024)));
    this.settle();
    return undefined;
  }

  /**
   * libxl_set_vcpuonline for a PV/PVH guest (libxl_domain.c): `cpu/<n>/availability` = "online" for
   * the first `count` vCPUs and "offline" for the rest, in one transaction; the guest's vCPU hotplug
   * watch acts on it. Returns libxl's error line, or undefined.
   */
  setVcpuOnline(domid: DomId, count: number): string | undefined {
    const d = this.xen.hv.domain(domid);
    if (d === undefined) return `libxl: error: libxl_domain.c: Domain ${domid}:Getting domain info list\n`;
    if (count === 0) return `libxl: error: libxl_domain.c: Domain ${domid}:Requested 0 VCPUs!\n`;
    if (count > d.vcpus.length) return `libxl: error: libxl_domain.c: Domain ${domid}:Requested ${count} VCPUs, however maxcpus is ${d.vcpus.length}!\n`;
    this.chargeToolstack("vcpu-set");
    const xs = this.dom0xs;
    xs.transaction((t) => {
      for (let c = 0; c < d.vcpus.length; c++) xs.write(`/local/domain/${domid}/cpu/${c}/availability`, c < count ? "online" : "offline", t);
    });
    this.settle();
    return undefined;
  }

  /** libxl_domain_shutdown / reboot: the PV protocol through control/shutdown. */
  requestShutdown(domid: DomId, what: "poweroff" | "reboot"): void {
    this.dom0xs.write(`/local/domain/${domid}/control/shutdown`, what);
    this.settle();
  }

  mustBeManaged(domid: DomId): ManagedDomain {
    const md = this.domains.get(domid);
    if (md === undefined) throw new UsageError("no-domain", `domain ${domid} was not built by xl`, "create it with xen.xl([\"create\", file])");
    return md;
  }
}

/** A toolstack failure with the text xl/libxl prints on stderr. */
export class ToolstackError extends Error {
  constructor(readonly stderr: string) {
    super(stderr.trimEnd());
  }
}

