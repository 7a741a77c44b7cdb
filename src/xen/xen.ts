/**
 * The Xen handle a notebook gets from m.bootXen(): hypercalls as any domain's vCPU, the guest's own
 * view of its memory and shared pages, guest programs on vCPUs, and inspection.
 * Boot state: the hypervisor plus Dom0 (domid 0, privileged, one vCPU per physical CPU up to 32,
 * 1024 pages = 4 MiB of RAM at gfns 0…1023 — a deliberately small Dom0 so the machine's memory stays
 * free for guests; a real Dom0 takes most of the host by default).
 */
import { GuestThread, UsageError, type GuestThreadState, type Machine } from "../machine/index.js";
import { __HYPERVISOR_domctl, __HYPERVISOR_memory_op, DOMID_ANY, NR_VIRQS, SharedInfoLayout } from "./abi/xen.js";
import { XEN_DOMCTL_createdomain, XEN_DOMCTL_GRANT_version_default, XEN_DOMCTL_INTERFACE_VERSION, XEN_DOMCTL_max_mem, XEN_DOMCTL_setvcpucontext, XEN_DOMCTL_unpausedomain } from "./abi/domctl.js";
import { XENMEM_populate_physmap } from "./abi/memory.js";
import { errnoName } from "./abi/errno.js";
import { createDomain, domainRunnable } from "./domain.js";
import { raiseVirq } from "./evtchn.js";
import { Hv } from "./hv.js";
import { dispatch } from "./hypercall.js";
import { XenGuest } from "./guest.js";
import { domainTable, DomainView } from "./inspect.js";
import { pollTimeout } from "./sched.js";
import { creditAcctEvent, creditBurn, creditPick, creditReady, newCreditState } from "./sched-credit.js";
import { periodicTimerFired, singleshotTimerFired, type TimerEvent } from "./timer.js";
import { watchdogFired } from "./schedop.js";
import { VcpuRun, type DomainState, type DomId, type VcpuState, type XenState } from "./state.js";
import { attachSystem, type SystemOptions, type XenstoreApi, type XenSystem, type XlListView } from "./toolstack/index.js";
import { Dom0Linux, ioPathComponents, type IoPathDependency } from "./dom0-linux.js";
import type { XlOutput } from "./xl/format.js";
import { WorldSnapshotLayer, type WorldSnapshot } from "./toolstack/snapshot.js";

const DOM0_PAGES = 1024;

/** A guest program's entry: a hypercall, or guest work that takes `compute` cycles. */
export type XenEntry = { hypercall: number; args?: unknown[] } | { compute: number };

export interface CreateDomainOptions {
  vcpus?: number;
  /** RAM in 4 KiB pages, populated at gfns 0…pages-1 (default 256 = 1 MiB). */
  pages?: number;
  /** max_pages (default: pages): more than pages leaves room to balloon up. */
  maxPages?: number;
  hvm?: boolean;
  flags?: number;
  maxEvtchnPort?: number;
  maxGrantFrames?: number;
  maxMaptrackFrames?: number;
  grantOpts?: number;
  /** Leave the new domain paused (as `xl create -p`). */
  paused?: boolean;
  /**
   * vCPUs up at boot (default: all). The rest are reset with XEN_DOMCTL_setvcpucontext (no
   * context): down and uninitialised, as a guest leaves vCPUs beyond `vcpus=` up to `maxvcpus=`.
   */
  onlineVcpus?: number;
}

export class Xen {
  readonly hv: Hv;
  /**
   * XenStore in Dom0, the toolstack and the guests' PV kernels (src/xen/toolstack). They start on
   * first use, so that a hypervisor-only experiment sees no Dom0 services binding ports.
   */
  private attached?: ReturnType<typeof attachSystem>;
  private get world(): ReturnType<typeof attachSystem> {
    return (this.attached ??= attachSystem(this));
  }
  get system(): XenSystem {
    return this.world.system;
  }
  /**
   * Start XenStore, the toolstack and the drivers with options, before first use: e.g.
   * `xen.bootSystem({ xenstore: "domain" })` runs xenstored in a stub domain instead of Dom0.
   */
  bootSystem(opts: SystemOptions = {}): XenSystem {
    if (this.attached !== undefined) throw new UsageError("system-started", "XenStore and the toolstack are already running", "call xen.bootSystem(opts) before any xen.xl, xen.xenstore or xen.system use");
    this.attached = attachSystem(this, opts);
    return this.attached.system;
  }
  /** `xen.xenstore.request/requestRaw/events` as DESIGN.md describes, served by xenstored in Dom0. */
  get xenstore(): XenstoreApi {
    return this.world.xenstore;
  }
  /** `xl` with argv as on a shell, e.g. ["create", "guest.cfg"]; config files come from `files`. */
  xl(argv: string[]): XlOutput {
    return this.world.xl(argv);
  }
  /** `xl list` for display (a table), without running xl. */
  list(): XlListView {
    return this.world.tool.listView();
  }
  /** Dom0 Linux as an opaque component: catalogue id and per-operation costs on this machine. */
  get dom0Linux(): Dom0Linux {
    return new Dom0Linux(this.m);
  }
  /** The components domain `domid`'s I/O depends on, from the live system (for TCB accounting). */
  ioPath(domid: DomId): IoPathDependency[] {
    return ioPathComponents(this, domid);
  }
  /** In-memory files `xl create <file>` reads: xen.files.set("guest.cfg", text). */
  get files(): Map<string, string> {
    return this.world.system.files;
  }
  private readonly threads = new Map<string, GuestThread<XenEntry, number>>();

  constructor(readonly m: Machine) {
    const s: XenState = { domains: new Map(), domidLast: 0, xenPages: new Set(), virqOwner: new Array<number>(NR_VIRQS).fill(0), sched: newCreditState(m.cpus.length) };
    this.hv = new Hv(m, s);
    const dom0 = createDomain(this.hv, 0, {
      flags: 0, max_vcpus: Math.min(m.cpus.length, SharedInfoLayout.XEN_LEGACY_MAX_VCPUS), max_evtchn_port: 0xffffffff,
      max_grant_frames: -1, max_maptrack_frames: -1, grant_opts: XEN_DOMCTL_GRANT_version_default,
    }, true);
    if (typeof dom0 === "number") throw new UsageError("out-of-memory", "the machine has too little memory to boot Xen's Dom0");
    dom0.controllerPauseCount = 0;
    dom0.creationFinished = true;
    dom0.maxPages = m.memory.frameCount;
    const frames = m.memory.tryAlloc(dom0.owner, DOM0_PAGES);
    if (frames === undefined) throw new UsageError("out-of-memory", `Dom0 needs ${DOM0_PAGES} free pages`);
    frames.forEach((f, gfn) => dom0.p2m.set(gfn, f));
    dom0.totPages = DOM0_PAGES;
    m.registerLayer("xen", { save: () => this.hv.s, load: (state) => { this.hv.load(state as XenState); this.threads.clear(); } });
    // XenStore, the toolstack and the drivers (null until first used), restored after the hypervisor.
    const world = new WorldSnapshotLayer(m, [this, this.hv, m]);
    m.registerLayer("xen.world", {
      save: () => (this.attached === undefined ? null : world.save(this.attached)),
      load: (state) => { this.attached = state === null ? undefined : (world.load(state as WorldSnapshot) as ReturnType<typeof attachSystem>); },
    });
    m.on("xen.poll_timeout", (p) => pollTimeout(this.hv, p as { domid: number; vcpu: number; seq: number }));
    m.on("xen.watchdog", (p, cpu) => { this.hv.cpu = cpu; watchdogFired(this.hv, p as { domid: number; slot: number; seq: number }); });
    m.on("xen.periodic_timer", (p) => periodicTimerFired(this.hv, p as TimerEvent));
    m.on("xen.singleshot_timer", (p) => singleshotTimerFired(this.hv, p as TimerEvent));
    m.on("xen.csched_acct", (_p, _cpu, time) => creditAcctEvent(this.hv, time));
    m.addDispatcher({ ready: (cpu) => creditReady(this.hv, cpu), step: (cpu) => this.step(cpu) });
  }

  /** Issue hypercall `nr` as vCPU 0 of `domid`: args mirror the C structs; OUT fields are written into them. */
  hypercall(domid: DomId, nr: number, ...args: unknown[]): number {
    return this.call(domid, 0, nr, args);
  }

  /** The same, as a given vCPU. */
  hypercallOn(domid: DomId, vcpu: number, nr: number, ...args: unknown[]): number {
    return this.call(domid, vcpu, nr, args);
  }

  private call(domid: DomId, vcpu: number, nr: number, args: unknown[]): number {
    const d = this.domainState(domid);
    const v = d.vcpus[vcpu];
    if (v === undefined) throw new UsageError("bad-vcpu", `dom${domid} has no vCPU ${vcpu}`, `it has vCPUs 0..${d.vcpus.length - 1}`);
    if (!domainRunnable(d)) {
      throw new UsageError("domain-not-running", `dom${domid} is ${d.isShutdown ? "shut down" : "paused"}: its vCPUs cannot make hypercalls`, "unpause it from Dom0 with XEN_DOMCTL_unpausedomain");
    }
    if (v.run === VcpuRun.offline) throw new UsageError("vcpu-down", `vCPU ${vcpu} of dom${domid} is down`, "bring it up with VCPUOP_up from another of its vCPUs");
    if (v.run !== VcpuRun.runnable) throw new UsageError("vcpu-blocked", `vCPU ${vcpu} of dom${domid} is blocked`, "send it an event (or run the machine) to wake it");
    return dispatch(this.hv, d, v, nr, args);
  }

  /** What domain `domid`'s kernel sees and writes itself. */
  guest(domid: DomId): XenGuest {
    this.domainState(domid);
    return new XenGuest(this.hv, domid);
  }

  /**
   * Toolstack shortcut: create, size and populate a domain with the hypercalls `xl create` makes,
   * issued as Dom0 (XEN_DOMCTL_createdomain, XEN_DOMCTL_max_mem, XENMEM_populate_physmap,
   * XEN_DOMCTL_unpausedomain). Returns the new domid; throws if Xen refuses, with its errno.
   */
  createDomain(o: CreateDomainOptions = {}): DomId {
    const pages = o.pages ?? 256;
    const op = {
      cmd: XEN_DOMCTL_createdomain, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: DOMID_ANY,
      u: { createdomain: {
        flags: o.flags ?? (o.hvm === false ? 0 : 1), max_vcpus: o.vcpus ?? 1, max_evtchn_port: o.maxEvtchnPort ?? 1023,
        max_grant_frames: o.maxGrantFrames ?? -1, max_maptrack_frames: o.maxMaptrackFrames ?? -1, grant_opts: o.grantOpts ?? XEN_DOMCTL_GRANT_version_default,
      } },
    };
    this.check("XEN_DOMCTL_createdomain", this.hypercall(0, __HYPERVISOR_domctl, op));
    const domid = op.domain;
    const maxKb = (o.maxPages ?? pages) * 4;
    this.check("XEN_DOMCTL_max_mem", this.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_max_mem, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: domid, u: { max_mem: { max_memkb: maxKb } } }));
    const extent_start = Array.from({ length: pages }, (_, i) => i);
    const done = this.hypercall(0, __HYPERVISOR_memory_op, XENMEM_populate_physmap, { extent_start, nr_extents: pages, extent_order: 0, mem_flags: 0, domid });
    if (done !== pages) throw new UsageError("populate-failed", `XENMEM_populate_physmap populated ${done} of ${pages} pages of dom${domid}`, "give the machine more memory");
    for (let vcpu = o.onlineVcpus ?? op.u.createdomain.max_vcpus; vcpu < op.u.createdomain.max_vcpus; vcpu++) {
      this.check("XEN_DOMCTL_setvcpucontext", this.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_setvcpucontext, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: domid, u: { vcpucontext: { vcpu, ctxt: null } } }));
    }
    if (o.paused !== true) this.check("XEN_DOMCTL_unpausedomain", this.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_unpausedomain, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: domid }));
    return domid;
  }

  /** Drive a vCPU with a registered guest program (m.programs) yielding XenEntry values. */
  run(domid: DomId, vcpu: number, program: string, arg?: unknown): void {
    const v = this.domainState(domid).vcpus[vcpu];
    if (v === undefined) throw new UsageError("bad-vcpu", `dom${domid} has no vCPU ${vcpu}`);
    const t = new GuestThread<XenEntry, number>(this.m.programs, program, arg);
    this.threads.set(`${domid}:${vcpu}`, t);
    v.thread = t.save();
  }

  /** Xen raises a VIRQ for a domain (as the timer or a console would). */
  raiseVirq(domid: DomId, virq: number, vcpu = 0): void {
    this.hv.cpu = this.domainState(domid).vcpus[vcpu]?.processor ?? 0;
    raiseVirq(this.hv, this.domainState(domid), virq, vcpu);
  }

  vcpu(domid: DomId, vcpu: number): Readonly<VcpuState> | undefined {
    return this.domainState(domid).vcpus[vcpu];
  }

  /** Live domain ids, ascending. */
  domids(): DomId[] {
    return [...this.hv.s.domains.keys()].sort((a, b) => a - b);
  }

  /** A domain's event-channel and grant tables for display. */
  domain(domid: DomId): DomainView {
    return new DomainView(this.hv, this.domainState(domid));
  }

  /** The live model state (read it; do not change it). */
  state(): Readonly<XenState> {
    return this.hv.s;
  }

  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return domainTable(this.hv);
  }

  private check(what: string, rc: number): void {
    if (rc < 0) throw new UsageError("xen-refused", `${what} failed with ${errnoName(rc)}`);
  }

  private domainState(domid: DomId): DomainState {
    const d = this.hv.domain(domid);
    if (d === undefined) throw new UsageError("no-domain", `there is no domain ${domid}`, `live domains: ${this.domids().join(", ")}`);
    return d;
  }

  // ---- guest programs on vCPUs, scheduled by the credit scheduler (sched-credit.ts) ----

  private step(cpu: number): void {
    const picked = creditPick(this.hv, cpu);
    if (picked === undefined) return; // accounting just parked the last ready vCPU
    const [d, v] = picked;
    const before = v.runtime;
    const key = `${d.domid}:${v.id}`;
    let t = this.threads.get(key);
    if (t === undefined) {
      t = GuestThread.restore<XenEntry, number>(this.m.programs, v.thread as GuestThreadState);
      this.threads.set(key, t);
    }
    const entry = v.thread!.started ? t.resume(v.threadResult) : t.resume();
    v.thread = t.save();
    if (entry !== undefined) {
      if ("compute" in entry) {
        this.m.cpus[cpu]!.enter(d.space);
        v.runtime += this.m.account(cpu, entry.compute, "guest", "compute", d.actor);
        v.threadResult = 0;
      } else {
        v.threadResult = dispatch(this.hv, d, v, entry.hypercall, entry.args ?? []);
      }
    }
    creditBurn(this.hv, v, v.runtime - before);
  }
}

export function bootXen(m: Machine): Xen {
  return new Xen(m);
}
