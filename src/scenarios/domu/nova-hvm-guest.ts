/**
 * The Xen interface of Genode-on-NOVA inside an HVM DomU, as its user-level drivers use it: one
 * XenStore connection over the domain's xenstore ring, the domain's grant table, its event
 * channels, and a pool of guest-physical pages for rings and buffers. It is a src/xen Kernel (what
 * blkfront and netfront drive) whose hypercalls and upcalls take the path they take when the
 * driver is a NOVA user-level component rather than guest-kernel code:
 *
 * - hypercall: Xen refuses hypercalls from CPL 3 of an HVM guest (-EPERM, hvm_hypercall), so the
 *   driver enters NOVA (`syscall`), which issues the VMCALL. The VMCALL's VM exit, Xen's dispatch and
 *   the VM entry back are Xen's `xen_hvm_hypercall` entry (ISCA'16 "hypercall": guest → Xen → guest),
 *   charged by the hypervisor model for every HVM domain; it is not charged twice here.
 * - upcall: NOVA knows nothing of Xen's vector callback, so the event arrives as the Xen platform
 *   device's interrupt (HVM_PARAM_CALLBACK_IRQ of type GSI); Xen's injection is in the event-channel
 *   entries. NOVA hands the GSI to the driver's EC through its semaphore (`irq_to_user`), and the
 *   LAPIC EOI NOVA then writes traps to Xen and back (`vmexit`: one exit + entry, minimal handling).
 *
 * Deviation: NOVA "as is" has no hypercall-forwarding entry; the path assumes a minimal one (one
 * kernel entry). The store port and ring come from XenStore's copy of what HVM_PARAM_STORE_EVTCHN
 * and HVM_PARAM_STORE_PFN give a real HVM guest (hvm_op is not modelled).
 */
import type { CpuId } from "../../machine/index.js";
import { __HYPERVISOR_domctl, XEN_DOMCTL_INTERFACE_VERSION, XEN_DOMCTL_unpausedomain, type DomId, type Xen } from "../../xen/index.js";
import { EventLoop, type PortHandler } from "../../xen/toolstack/event-loop.js";
import { Hcall, type CopyOp } from "../../xen/toolstack/hcall.js";
import { Kernel } from "../../xen/toolstack/kernel.js";
import { liveView } from "../../xen/toolstack/page-views.js";
import { RingXsClient } from "../../xen/toolstack/xs.js";

/** Who is running: the label of the driver component charged for the guest-side path. */
interface Running {
  actor: string;
  /** A driver's own code run after its frontend's interrupt routine, by driver label. */
  readonly afterUpcall: Map<string, () => void>;
}

/** Hypercalls of a NOVA user-level driver: a NOVA kernel entry, then the VMCALL Xen charges. */
class ForwardedHcall extends Hcall {
  private readonly m: Xen["m"];
  constructor(xen: Xen, private readonly cpu: () => CpuId, private readonly running: Running) {
    super(xen);
    this.m = xen.m;
  }
  private forward(op: string): void {
    this.m.charge(this.cpu(), "syscall", "nova", `vmcall ${op}`, this.running.actor);
  }
  override allocUnbound(domid: DomId, remote: DomId): number { this.forward("EVTCHNOP_alloc_unbound"); return super.allocUnbound(domid, remote); }
  override bindInterdomain(domid: DomId, remote: DomId, port: number): number { this.forward("EVTCHNOP_bind_interdomain"); return super.bindInterdomain(domid, remote, port); }
  override bindVirq(domid: DomId, virq: number): number { this.forward("EVTCHNOP_bind_virq"); return super.bindVirq(domid, virq); }
  override close(domid: DomId, port: number): number { this.forward("EVTCHNOP_close"); return super.close(domid, port); }
  override send(domid: DomId, port: number): number { this.forward("EVTCHNOP_send"); return super.send(domid, port); }
  override map(domid: DomId, granter: DomId, ref: number, gfn: number, readonly = false): number { this.forward("GNTTABOP_map_grant_ref"); return super.map(domid, granter, ref, gfn, readonly); }
  override unmap(domid: DomId, gfn: number, handle: number): number { this.forward("GNTTABOP_unmap_grant_ref"); return super.unmap(domid, gfn, handle); }
  override copy(domid: DomId, ops: readonly CopyOp[]): number[] { if (ops.length > 0) this.forward("GNTTABOP_copy"); return super.copy(domid, ops); }
}

/** The system's event loop, with each of this guest's handlers entered the NOVA way (GSI → semaphore → EC, then EOI). */
class GsiDeliveredLoop extends EventLoop {
  private readonly m: Xen["m"];
  constructor(xen: Xen, private readonly inner: EventLoop, private readonly cpu: () => CpuId, private readonly running: Running) {
    super(xen);
    this.m = xen.m;
  }
  override listen(domid: DomId, port: number, fn: PortHandler): void {
    const actor = this.running.actor;
    this.inner.listen(domid, port, () => {
      const before = this.running.actor;
      this.running.actor = actor;
      this.m.charge(this.cpu(), "irq_to_user", "nova", "xen platform GSI → driver EC", actor, { port });
      fn();
      this.running.afterUpcall.get(actor)?.();
      this.m.charge(this.cpu(), "vmexit", "nova", "vmexit LAPIC EOI", actor, { port });
      this.running.actor = before;
    });
  }
  override unlisten(domid: DomId, port: number): void { this.inner.unlisten(domid, port); }
  override forgetDomain(domid: DomId): void { this.inner.forgetDomain(domid); }
  override defer(fn: () => void): void { this.inner.defer(fn); }
  override deliverOnce(): boolean { return this.inner.deliverOnce(); }
  override settle(): void { this.inner.settle(); }
  override until(done: () => boolean, what: string): void { this.inner.until(done, what); }
}

/** A device the toolstack gave the DomU: its id and where its backend is. */
export interface GuestDevice {
  devid: number;
  backend: string;
  backendId: DomId;
}

export class NovaHvmGuest {
  readonly kernel: Kernel;
  private readonly running: Running = { actor: "nova", afterUpcall: new Map() };

  /** `domid` was built paused by `xl create -p`: its devices wait in XenStore for this guest's drivers. */
  constructor(readonly xen: Xen, readonly domid: DomId) {
    const sys = xen.system;
    const cpu = (): CpuId => xen.vcpu(domid, 0)?.processor ?? 0;
    const hc = new ForwardedHcall(xen, cpu, this.running);
    const loop = new GsiDeliveredLoop(xen, sys.loop, cpu, this.running);
    const pages = sys.mustBeManaged(domid).config.memoryMb * 256;
    const port = Number(sys.dom0xs.read(`/local/domain/${domid}/store/port`));
    const ring = liveView(xen.m, xen.guest(domid).memory.frame(pages - 1));
    const copy = (bytes: number): void => { xen.m.charge(cpu(), "memcpy_per_byte", "xen", "xenbus.ring_copy", this.running.actor, { bytes }, bytes); };
    // One XenStore connection for the DomU, shared by the drivers (each carries the xenbus library).
    const xs = this.as("xenbus", () => new RingXsClient(domid, loop, ring, port, hc, copy));
    // Rings and buffers come from the top half of guest RAM (below the console and xenstore pages).
    this.kernel = new Kernel(xen, hc, loop, domid, xs, pages / 2, pages - 2);
    xen.hypercall(0, __HYPERVISOR_domctl, { cmd: XEN_DOMCTL_unpausedomain, interface_version: XEN_DOMCTL_INTERFACE_VERSION, domain: domid });
  }

  /** Run `fn` as driver `label`: its hypercalls and the handlers it registers are charged to it. */
  as<T>(label: string, fn: () => T): T {
    const before = this.running.actor;
    this.running.actor = label;
    try {
      return fn();
    } finally {
      this.running.actor = before;
    }
  }

  /** Run `fn` in driver `label`'s handler after each of its frontends' interrupt routines. */
  onUpcall(label: string, fn: () => void): void {
    this.running.afterUpcall.set(label, fn);
  }

  /**
   * Let the Xen world react until `done()` (a device handshake): each round delivers the pending
   * events, and the watch events Dom0's XenStore connection queued meanwhile reach it in the next.
   */
  settleUntil(done: () => boolean, rounds = 8): boolean {
    for (let i = 0; i < rounds && !done(); i++) this.xen.system.settle();
    return done();
  }

  /**
   * Driver `label` takes the first device of `kind` in ~/device: `make` builds its frontend, which
   * then runs the xenbus handshake with the backend. The frontend, or why there is none.
   */
  attach<F extends { start(): void; readonly connected: boolean }>(label: string, kind: "vif" | "vbd", make: (dev: GuestDevice) => F): { front: F; dev: GuestDevice } | string {
    const dev = this.devices(kind)[0];
    if (dev === undefined) return `no ${kind} in ~/device: the DomU's config has none`;
    const front = this.as(label, () => {
      const f = make(dev);
      f.start();
      this.settleUntil(() => f.connected);
      return f;
    });
    return front.connected ? { front, dev } : `${kind} ${dev.devid} did not connect`;
  }

  /** The backend path and id of each device this guest's xenbus sees under ~/device/<kind>. */
  devices(kind: "vif" | "vbd"): GuestDevice[] {
    const xs = this.kernel.xs;
    return xs.directory(`device/${kind}`).map(Number).flatMap((devid) => {
      const backend = xs.read(`device/${kind}/${devid}/backend`);
      return backend === undefined ? [] : [{ devid, backend, backendId: Number(xs.read(`device/${kind}/${devid}/backend-id`) ?? "0") }];
    });
  }
}
