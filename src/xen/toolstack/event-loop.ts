/**
 * The kernels' event-channel upcall handlers, as one loop: each kernel (Dom0 Linux, a guest's
 * drivers) registers a handler per port it owns; `settle()` delivers every pending, unmasked port
 * of those (clearing its pending bit, as the upcall handler does) until nothing is pending. Ports a
 * notebook bound itself are never touched. Deferred work (watch callbacks, which may issue
 * XenStore requests of their own) runs only at the outermost level, so handlers never re-enter.
 * Sources: Linux drivers/xen/events/events_base.c (__xen_evtchn_do_upcall order); 2-level ABI only.
 */
import { InvariantError } from "../../machine/index.js";
import type { Xen } from "../xen.js";
import type { DomId } from "../state.js";

export type PortHandler = () => void;

const MAX_ROUNDS = 100_000;

export class EventLoop {
  private readonly handlers = new Map<string, { domid: DomId; port: number; fn: PortHandler }>();
  private readonly deferred: (() => void)[] = [];
  private depth = 0;

  constructor(private readonly xen: Xen) {}

  listen(domid: DomId, port: number, fn: PortHandler): void {
    this.handlers.set(`${domid}:${port}`, { domid, port, fn });
  }

  unlisten(domid: DomId, port: number): void {
    this.handlers.delete(`${domid}:${port}`);
  }

  /** Forget every handler of a domain that is gone. */
  forgetDomain(domid: DomId): void {
    for (const [k, h] of this.handlers) if (h.domid === domid) this.handlers.delete(k);
  }

  /** Work to run once the current delivery round is over (a watch callback). */
  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  /**
   * Deliver pending events once; true if any handler ran. Like Linux's upcall handler, a domain's
   * handling ends with its selector and upcall_pending cleared (kept only for ports still pending
   * that no kernel here handles), so the next send to it notifies its vCPU again and pays for it.
   */
  deliverOnce(): boolean {
    let ran = false;
    const handled = new Set<DomId>();
    for (const h of [...this.handlers.values()]) {
      const d = this.xen.hv.domain(h.domid);
      if (d === undefined || d.dying !== 0 || d.isShutdown || (h.domid !== 0 && d.controllerPauseCount > 0)) continue;
      const si = this.xen.guest(h.domid).sharedInfo;
      if (!si.pending(h.port) || si.masked(h.port)) continue;
      si.clearPending(h.port);
      handled.add(h.domid);
      h.fn();
      ran = true;
    }
    for (const domid of handled) if (this.xen.hv.domain(domid) !== undefined) this.xen.guest(domid).sharedInfo.settleSelector(0);
    return ran;
  }

  /** Run until no registered port is pending and no deferred work is left. */
  settle(): void {
    this.depth++;
    try {
      for (let round = 0; ; round++) {
        if (round > MAX_ROUNDS) throw new InvariantError("event loop did not settle: two ends keep kicking each other");
        if (this.deliverOnce()) continue;
        if (this.depth > 1 || this.deferred.length === 0) break;
        this.deferred.shift()!();
      }
    } finally {
      this.depth--;
    }
  }

  /** Nested: deliver until `done()` holds (a synchronous request waiting for its reply). */
  until(done: () => boolean, what: string): void {
    for (let round = 0; !done(); round++) {
      if (round > MAX_ROUNDS || !this.deliverOnce()) {
        if (done()) return;
        throw new InvariantError(`${what}: no reply arrived and no event is pending`);
      }
    }
  }
}
