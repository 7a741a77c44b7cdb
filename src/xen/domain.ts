/**
 * Domains: creation (XEN_DOMCTL_createdomain), domid allocation, pause nesting, shutdown and
 * destruction. Sources at c447b7308b13: xen/common/domain.c (domain_create, sanitise_domain_config,
 * domain_pause_by_systemcontroller, domain_shutdown, domain_kill), xen/common/domid.c, domctl.c
 * (reference/xen.md §1.6).
 */
import { XEN_EINVAL, XEN_ENOMEM, XEN_EOVERFLOW } from "./abi/errno.js";
import {
  XEN_DOMCTL_CDF_hap, XEN_DOMCTL_CDF_hvm, XEN_DOMCTL_CDF_iommu, XEN_DOMCTL_CDF_MAX, XEN_DOMCTL_CDF_xs_domain,
  XEN_DOMCTL_GRANT_transitive, XEN_DOMCTL_GRANT_version_default, XEN_DOMCTL_GRANT_version_mask,
} from "./abi/domctl.js";
import { GnttabLayout } from "./abi/gnttab.js";
import { DOMID_ANY, DOMID_FIRST_RESERVED, DOMID_INVALID, SharedInfoLayout, VIRQ_DOM_EXC } from "./abi/xen.js";
import { newEvtchnState } from "./evtchn-port.js";
import { CSCHED_DEFAULT_WEIGHT, CSCHED_PRI_TS_UNDER } from "./sched-credit.js";
import type { Hv } from "./hv.js";
import { VcpuRun, type DomainState, type DomId, type VcpuState } from "./state.js";

export interface CreateDomainConfig {
  ssidref?: number;
  handle?: number[];
  flags: number;
  max_vcpus: number;
  max_evtchn_port: number;
  max_grant_frames: number;
  max_maptrack_frames: number;
  grant_opts: number;
}

/** Largest max_evtchn_port kept (evtchn_init clamps to INT_MAX; the ABI limit applies on top). */
const INT_MAX = 0x7fffffff;

/** domid_alloc: an explicit free id, or for DOMID_ANY the next free one after the last handed out (never 0). */
export function allocDomid(hv: Hv, requested: DomId): DomId {
  const used = hv.s.domains;
  if (requested >= DOMID_FIRST_RESERVED && requested !== DOMID_ANY) return DOMID_INVALID;
  if (requested < DOMID_FIRST_RESERVED) return used.has(requested) ? DOMID_INVALID : requested;
  for (let id = hv.s.domidLast + 1; id < DOMID_FIRST_RESERVED; id++) if (!used.has(id)) return id;
  for (let id = 1; id <= hv.s.domidLast; id++) if (!used.has(id)) return id;
  return DOMID_INVALID;
}

/** Check a createdomain configuration (sanitise_domain_config, grant_table_init): 0 or -errno. */
export function checkConfig(c: CreateDomainConfig): number {
  if ((c.flags & ~(XEN_DOMCTL_CDF_MAX * 2 - 1)) !== 0) return -XEN_EINVAL;
  if ((c.flags & XEN_DOMCTL_CDF_hap) !== 0 && (c.flags & XEN_DOMCTL_CDF_hvm) === 0) return -XEN_EINVAL;
  if ((c.flags & XEN_DOMCTL_CDF_iommu) !== 0) return -XEN_EINVAL; // the machine has no IOMMU
  if (c.max_vcpus < 1 || c.max_vcpus > SharedInfoLayout.XEN_LEGACY_MAX_VCPUS) return -XEN_EINVAL;
  if ((c.grant_opts & ~(XEN_DOMCTL_GRANT_version_mask | XEN_DOMCTL_GRANT_transitive)) !== 0) return -XEN_EINVAL;
  const version = c.grant_opts & XEN_DOMCTL_GRANT_version_mask;
  if (version !== XEN_DOMCTL_GRANT_version_default && (version < 1 || version > 2)) return -XEN_EINVAL;
  return 0;
}

/** Place a new vCPU on the physical CPU with the fewest vCPUs (ties: lowest CPU). */
function placeVcpu(hv: Hv, placed: readonly VcpuState[]): number {
  const load = new Array<number>(hv.m.cpus.length).fill(0);
  for (const d of hv.s.domains.values()) for (const v of d.vcpus) load[v.processor]!++;
  for (const v of placed) load[v.processor]!++;
  let best = 0;
  for (let c = 1; c < load.length; c++) if (load[c]! < load[best]!) best = c;
  return best;
}

/**
 * A vCPU as the domain builder leaves it: initialised and up (arch_set_info_guest with VGCF_online,
 * which libxl does for the boot vCPU and the guest kernel for the others it brings online at boot);
 * XEN_DOMCTL_setvcpucontext with no context takes one back down. Credit 0, priority UNDER
 * (csched_alloc_udata); no timers.
 */
function newVcpu(id: number, processor: number, now: number): VcpuState {
  return {
    id, processor, run: VcpuRun.runnable, pollPorts: [], pollDeadline: Infinity, wakeSeq: 0, runtime: 0,
    initialised: true, rsBase: now, rsEntry: now, rsBlocked: 0, rsOffline: 0, runstateArea: -1,
    periodicNs: 0, periodicLast: 0, periodicArmed: false, periodicSeq: 0, singleshotAt: -1, singleshotSeq: 0,
    credit: 0, pri: CSCHED_PRI_TS_UNDER, parked: false, active: false, rqSeq: 0,
    thread: undefined, threadResult: 0,
  };
}

/** domain_create: allocate the domain, its shared_info page and first grant frame. New domains start paused. */
export function createDomain(hv: Hv, domid: DomId, c: CreateDomainConfig, privileged = false): DomainState | number {
  const owner = `xen:dom${domid}`;
  const heapOwner = `${owner}:xenheap`;
  const version = c.grant_opts & XEN_DOMCTL_GRANT_version_mask;
  const vcpus: VcpuState[] = [];
  const d: DomainState = {
    domid,
    actor: `dom${domid}`,
    owner,
    heapOwner,
    space: owner,
    flags: c.flags,
    ssidref: c.ssidref ?? 0,
    handle: c.handle?.slice(0, 16) ?? Array.from(hv.m.rng.bytes(16)),
    isPrivileged: privileged,
    isXenstore: (c.flags & XEN_DOMCTL_CDF_xs_domain) !== 0,
    target: DOMID_INVALID,
    vcpus,
    controllerPauseCount: 1,
    creationFinished: false,
    dying: 0,
    isShutdown: false,
    shutdownCode: 0,
    latchedShutdownCode: -1,
    maxPages: 0,
    totPages: 0,
    p2m: new Map(),
    foreign: new Map(),
    sharedInfoFrame: 0,
    evtchn: newEvtchnState(Math.min(c.max_evtchn_port >>> 0, INT_MAX), c.max_vcpus),
    gnttab: {
      version: 1,
      maxVersion: version === XEN_DOMCTL_GRANT_version_default ? 2 : (version as 1 | 2),
      transitive: (c.grant_opts & XEN_DOMCTL_GRANT_transitive) !== 0 || version === XEN_DOMCTL_GRANT_version_default,
      maxFrames: c.max_grant_frames < 0 ? GnttabLayout.default_max_grant_frames : c.max_grant_frames,
      maxMaptrackFrames: c.max_maptrack_frames < 0 ? GnttabLayout.default_max_maptrack_frames : c.max_maptrack_frames,
      frames: [],
      statusFrames: [],
      active: new Map(),
    },
    maptrack: [],
    maptrackFree: [],
    maptrackInUse: 0,
    watchdogs: [-1, -1],
    watchdogSeq: [0, 0],
    weight: CSCHED_DEFAULT_WEIGHT,
    cap: 0,
  };
  const pages = hv.allocXenPages(d, 2);
  if (pages === undefined) return -XEN_ENOMEM;
  d.sharedInfoFrame = pages[0]!;
  d.gnttab.frames.push(pages[1]!);
  for (let i = 0; i < c.max_vcpus; i++) {
    const cpu = placeVcpu(hv, vcpus);
    vcpus.push(newVcpu(i, cpu, hv.m.now(cpu)));
  }
  hv.addDomain(d);
  if (domid !== 0 && domid < DOMID_FIRST_RESERVED) hv.s.domidLast = domid;
  return d;
}

/** Is the domain's vCPU able to run at all (not paused by the controller, not shut down, alive)? */
export function domainRunnable(d: DomainState): boolean {
  return d.controllerPauseCount === 0 && !d.isShutdown && d.dying === 0;
}

/** domain_pause_by_systemcontroller: nests up to 255, then -EOVERFLOW. */
export function pauseDomain(d: DomainState): number {
  if (d.controllerPauseCount + 1 > 255) return -XEN_EOVERFLOW;
  d.controllerPauseCount++;
  return 0;
}

/** domain_unpause_by_systemcontroller: below zero → -EINVAL; reaching zero the first time finishes creation. */
export function unpauseDomain(d: DomainState): number {
  if (d.controllerPauseCount === 0) return -XEN_EINVAL;
  d.controllerPauseCount--;
  if (d.controllerPauseCount === 0) d.creationFinished = true;
  return 0;
}

/** domain_shutdown: the first reason sticks (a latched SCHEDOP_shutdown_code wins); the VIRQ_DOM_EXC owner hears of it. */
export function shutdownDomain(hv: Hv, d: DomainState, reason: number, raiseVirq: (virq: number) => void): void {
  if (d.isShutdown) return;
  d.isShutdown = true;
  d.shutdownCode = d.latchedShutdownCode >= 0 ? d.latchedShutdownCode : reason & 0xff;
  raiseVirq(VIRQ_DOM_EXC);
}

/** Domain ids in ascending order. */
export function domainIds(hv: Hv): DomId[] {
  return [...hv.s.domains.keys()].sort((a, b) => a - b);
}
