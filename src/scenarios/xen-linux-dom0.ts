/**
 * xen-linux-dom0: Xen with Linux as Dom0 — xenstored, netback/blkback, the xl toolstack in Dom0
 * (src/xen/toolstack; Dom0 Linux itself and QEMU are opaque components with sourced LOC).
 */
import { Machine, type MachineOptions } from "../machine/index.js";
import { bootXen } from "../xen/index.js";
import { Scenario, tcbReport } from "./scenario.js";
import { XenGuestsTarget, guestFacts } from "./xen-target.js";

export function xenLinuxDom0(options: MachineOptions): Scenario {
  const m = new Machine(options);
  const xen = bootXen(m);
  const target = new XenGuestsTarget(m, xen, (domid) => {
    const f = guestFacts(xen, domid);
    const members = ["xen", "Dom0 Linux", ...(f.xenstored ? ["xenstored"] : []), ...(f.toolstack ? ["xl", "libxl"] : []), ...f.backends.map((b) => `Dom0 Linux ${b}`), ...(f.hvm ? ["qemu (device model)"] : []), "guest Linux"];
    const ids = ["xen-4.22", "linux-ubuntu-14.04", ...(f.xenstored ? ["xenstored-c-4.22"] : []), ...(f.toolstack ? ["xl-4.22", "libxl-4.22"] : []), ...(f.hvm ? ["qemu"] : [])];
    return { members, ids, extraLoc: 0 };
  }, (p, members, ids, extra) => tcbReport(p, members, ids, extra));
  return new Scenario("xen-linux-dom0", m, target, "Xen + Linux Dom0 (xenstored, backends, xl, QEMU) with two guests");
}
