/**
 * The Xen world above the hypervisor, attached to the Xen handle by bootXen: XenStore in Dom0
 * (`xen.xenstore`), the toolstack (`xen.xl(argv)`, `xen.files`) and the guests' PV kernels.
 */
import type { XsParsedMessage } from "../xenstore/wire.js";
import type { Xen } from "../xen.js";
import type { DomId } from "../state.js";
import { XenSystem, type SystemOptions } from "./system.js";
import { Xl } from "./xl.js";
import type { XlOutput } from "../xl/format.js";
import { XenstoreTree } from "./display.js";

export { XenSystem, GuestKernel, ToolstackError, type DomainConfig, type ManagedDomain, type SystemOptions } from "./system.js";
export { Xl, vdevNumber } from "./xl.js";
export { XenstoreTree, XlListView, DeviceTimeline, RingTable, type RingOccupancy } from "./display.js";

/** `xen.xenstore`: requests as any domain's connection (DESIGN.md), each followed by the kernels reacting. */
export class XenstoreApi {
  constructor(private readonly sys: XenSystem) {}
  request(domid: DomId, r: { type: number; reqId?: number; txId?: number; payload?: string[] }): XsParsedMessage {
    const reply = this.sys.xenstored.request(domid, r);
    this.sys.settle();
    return reply;
  }
  requestRaw(domid: DomId, bytes: Uint8Array): Uint8Array {
    const reply = this.sys.xenstored.requestRaw(domid, bytes);
    this.sys.settle();
    return reply;
  }
  /** Watch events queued for the domain's connection and not taken by the toolstack or drivers, drained. */
  events(domid: DomId): Uint8Array[] {
    if (domid === this.sys.dom0xs.domid) {
      this.sys.dom0xs.pumpEvents();
      return this.sys.dom0xs.foreignEvents.splice(0);
    }
    return this.sys.xenstored.events(domid);
  }
  /** The tree below `path` as xenstore-ls prints it (read directly: no request, no cycles). */
  tree(path = "/"): XenstoreTree {
    return new XenstoreTree(this.sys.xenstored.store, path);
  }
  /** A domain kicked xenstored's port (or the notebook acts for it): serve the rings and settle. */
  kick(domid?: DomId): void {
    this.sys.xenstored.kick(domid);
    this.sys.settle();
  }
}

export function attachSystem(xen: Xen, opts: SystemOptions = {}): { system: XenSystem; xenstore: XenstoreApi; xl: (argv: string[]) => XlOutput; tool: Xl } {
  const system = new XenSystem(xen, opts);
  const xl = new Xl(system);
  return { system, xenstore: new XenstoreApi(system), xl: (argv) => xl.run(argv), tool: xl };
}
