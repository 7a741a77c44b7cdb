/**
 * The Xen layer's whole state as plain data (objects, arrays, Maps, typed arrays): what
 * m.registerLayer("xen") saves and loads, so snapshot/restore is exact. Behaviour lives in the
 * modules that operate on these records (domain.ts, evtchn.ts, gnttab.ts, …), never in them.
 */
import type { GuestThreadState } from "../machine/index.js";
import type { CreditState } from "./sched-credit.js";

export type DomId = number;
export type Port = number;
export type Gfn = number;
export type Mfn = number;
export type GrantRef = number;

export interface XenState {
  domains: Map<DomId, DomainState>;
  /** Last id handed out for DOMID_ANY (xen/common/domid.c `domid_last`). */
  domidLast: DomId;
  /**
   * Frames Xen itself maps (shared_info, grant-table and status frames, FIFO control blocks and event
   * arrays). Their bytes stay in machine memory, read as 1024 little-endian u32 words through live
   * views (Hv.page), so Xen, the guest through xen.guest() and m.memory.read all see the same bytes.
   */
  xenPages: Set<Mfn>;
  /** Owner of each global VIRQ (XEN_DOMCTL_set_virq_handler; default the hardware domain, 0). */
  virqOwner: number[];
  /** The credit scheduler's global and per-pCPU state. */
  sched: CreditState;
}

/** What a vCPU is doing: runnable (running or waiting for its pCPU), blocked, polling, offline. */
export const VcpuRun = { runnable: 0, blocked: 1, polling: 2, offline: 3 } as const;
export type VcpuRun = (typeof VcpuRun)[keyof typeof VcpuRun];

export interface VcpuState {
  id: number;
  /** Physical CPU this vCPU runs on (what `v->processor` is in Xen). */
  processor: number;
  run: VcpuRun;
  /** SCHEDOP_poll: the ports polled, and the absolute deadline in cycles (Infinity: none). */
  pollPorts: Port[];
  pollDeadline: number;
  /** Bumped whenever the vCPU leaves a blocked/polling state, so stale timeout events are ignored. */
  wakeSeq: number;
  /** Cycles this vCPU has run (getdomaininfo cpu_time, converted to ns there). */
  runtime: number;
  /** VCPUOP_initialise (or the domain builder) gave it a context; VCPUOP_up needs this. */
  initialised: boolean;
  /**
   * Runstate accounting, in cycles of the vCPU's pCPU clock: when it was created, when its current
   * run state began, and the time it spent blocked (or polling) and offline so far. Running time is
   * `runtime`; runnable-but-waiting is the rest.
   */
  rsBase: number;
  rsEntry: number;
  rsBlocked: number;
  rsOffline: number;
  /** VCPUOP_register_runstate_phys_area: guest-physical address of the copy Xen keeps, or -1. */
  runstateArea: number;
  /**
   * Periodic timer (VCPUOP_set_periodic_timer): period in ns (0: none), last delivery (cycles),
   * whether an expiry is queued, and a sequence bumped on every re-arm so superseded expiries are ignored.
   */
  periodicNs: number;
  periodicLast: number;
  periodicArmed: boolean;
  periodicSeq: number;
  /** Single-shot timer (VCPUOP_set_singleshot_timer, set_timer_op): expiry in cycles or -1, and its sequence. */
  singleshotAt: number;
  singleshotSeq: number;
  /**
   * Credit scheduler (sched-credit.ts): credit left, priority (CSCHED_PRI_TS_*), parked by its cap,
   * on the active list (earning credit), and its place in the run queue (lower = earlier).
   */
  credit: number;
  pri: number;
  parked: boolean;
  active: boolean;
  rqSeq: number;
  /** A guest program driving this vCPU, if any (GuestThread state, restored by replay). */
  thread: GuestThreadState | undefined;
  /** Result of the entry the thread is waiting on (a blocked hypercall completes with it). */
  threadResult: number;
}

export interface EvtchnState {
  /** 0 = 2-level, 1 = FIFO. */
  abi: 0 | 1;
  /** max_evtchn_port from createdomain (clamped): no port above it is ever allocated. */
  maxPort: Port;
  /** Lowest port that may be free (allocation scans up from here). */
  freeHint: Port;
  /** Ports in use (not FREE; port 0, reserved, included). */
  inUse: number;
  /** ECS_* per port. Arrays grow by doubling; a port beyond their length is free. */
  state: Uint8Array;
  notify: Uint16Array;
  /** UNBOUND: the domid allowed to bind; INTERDOMAIN: the remote domid. */
  remoteDom: Uint16Array;
  /** INTERDOMAIN: remote port; VIRQ: virq number; PIRQ: pirq number. */
  remotePort: Uint32Array;
  priority: Uint8Array;
  /** vcpu * NR_VIRQS + virq → port (0: not bound). */
  virqToPort: number[];
  /** Number of vCPUs of this domain currently in SCHEDOP_poll (fast path: 0 means skip). */
  pollers: number;
  fifo: FifoState | undefined;
}

export interface FifoState {
  /** Per vCPU: the control block's machine frame and byte offset, or undefined. */
  control: ({ gfn: Gfn; frame: Mfn; offset: number } | undefined)[];
  /** Event-array pages, in order (page i holds ports i*1024 … i*1024+1023). */
  arrayFrames: Mfn[];
  arrayGfns: Gfn[];
  /** Per vCPU × 16 queues: the tail port (Xen-private; head lives in the control block). 0 = empty. */
  tail: Uint32Array;
}

export interface ActiveGrant {
  /** GNTPIN_* packed counts: host read 0–7, host write 8–15, device read 16–23, device write 24–31. */
  pin: number;
  /** Domain that holds the pins. */
  domid: DomId;
  frame: Mfn;
}

export interface GrantTableState {
  version: 1 | 2;
  maxVersion: 1 | 2;
  transitive: boolean;
  maxFrames: number;
  maxMaptrackFrames: number;
  /** Shared grant-table frames (Xen-mapped: XenState.xenPages). */
  frames: Mfn[];
  /** v2 status frames (Xen-mapped: XenState.xenPages). */
  statusFrames: Mfn[];
  /** Xen's active entries, by ref: present only while pinned. */
  active: Map<GrantRef, ActiveGrant>;
}

export interface MaptrackEntry {
  /** Granting domain. */
  dom: DomId;
  ref: GrantRef;
  /** GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly still held by this handle. */
  flags: number;
  hostAddr: number;
  frame: Mfn;
}

export interface DomainState {
  domid: DomId;
  /** "dom1": the actor name in the trace. */
  actor: string;
  /** Memory owner of the domain's RAM ("xen:dom1") and of its Xen-heap pages ("xen:dom1:xenheap"). */
  owner: string;
  heapOwner: string;
  /** Address space name for TLB accounting on the machine's CPUs. */
  space: string;
  flags: number;
  ssidref: number;
  handle: number[];
  isPrivileged: boolean;
  isXenstore: boolean;
  /** Domain this one is device model for (XEN_DOMCTL_set_target), or DOMID_INVALID. */
  target: DomId;
  vcpus: VcpuState[];
  controllerPauseCount: number;
  creationFinished: boolean;
  /** 0 alive, 1 dying (destroydomain started), 2 dead. */
  dying: 0 | 1 | 2;
  isShutdown: boolean;
  shutdownCode: number;
  /** SCHEDOP_shutdown_code: reason reported at a later shutdown, or -1. */
  latchedShutdownCode: number;
  maxPages: number;
  totPages: number;
  /** gfn → machine frame of the domain's own RAM. */
  p2m: Map<Gfn, Mfn>;
  /** gfn → (frame * 2 + readonly) of a foreign page mapped here by GNTTABOP_map_grant_ref. */
  foreign: Map<Gfn, number>;
  sharedInfoFrame: Mfn;
  evtchn: EvtchnState;
  gnttab: GrantTableState;
  /** The maptrack table: handles of grants this domain has mapped (index = handle). */
  maptrack: (MaptrackEntry | undefined)[];
  maptrackFree: number[];
  maptrackInUse: number;
  /** SCHEDOP_watchdog slots: timeout in seconds, -1 = free; plus a sequence per arm to ignore stale expiries. */
  watchdogs: number[];
  watchdogSeq: number[];
  /** Credit scheduler weight (CSCHED_DEFAULT_WEIGHT 256) and cap (% of one pCPU; 0 = none). */
  weight: number;
  cap: number;
}
