import { describe, expect, it } from "vitest";
import { createMachine } from "../../../src/index.js";
import { XsType } from "../../../src/xen/abi/xs-wire.js";

function boot() {
  const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
  const xen = m.bootXen();
  const sys = xen.bootSystem({ xenstore: "domain" });
  xen.files.set("guest1.cfg", `name = "guest1"\nmemory = 16\nvif = [ 'mac=00:16:3e:00:00:01' ]\n`);
  expect(xen.xl(["create", "guest1.cfg"]).status).toBe(0);
  return { m, xen, sys };
}

describe("xenstored in a stub domain (XENSTORETYPE=domain)", () => {
  it("builds the xenstore domain first, with XEN_DOMCTL_CDF_xs_domain, and lists it as Xenstore", () => {
    const { xen, sys } = boot();
    expect(sys.storeDomain).toEqual({ domid: 1, name: "Xenstore" });
    expect(sys.host.storeDomid).toBe(1);
    expect(xen.xl(["list"]).stdout.split("\n").map((l) => l.split(/ +/)[0])).toEqual(["Name", "Domain-0", "Xenstore", "guest1", ""]);
  });
  it("serves a guest's request from the stub domain: xenstored's work is charged to its actor", () => {
    const { m, xen } = boot();
    const k = xen.system.domains.get(2)!.kernel!.k;
    const before = m.trace.total;
    expect(k.xs.read("name")).toBe("guest1");
    const recs = m.trace.records().slice(-(m.trace.total - before));
    const served = recs.filter((r) => r.op === "xenstored.request");
    expect(served.length).toBe(1);
    expect(served[0]!.actor).toBe(xen.hv.domain(1)!.actor);
    // the guest's ring is mapped into the stub domain, not Dom0
    expect(xen.guest(2).grantTable.entry(1).domid).toBe(1);
  });
  it("completes the guest's vif handshake through the stub domain's XenStore", () => {
    const { xen } = boot();
    expect(xen.system.domains.get(2)!.kernel!.netfronts.get(0)!.connected).toBe(true);
  });
  it("lists Mini-OS instead of Dom0 Linux for xenstored on the guest's I/O path", () => {
    const { xen } = boot();
    const path = xen.ioPath(2).map((d) => `${d.component}@${d.domid ?? "-"}`);
    expect(path.slice(0, 4)).toEqual(["xen@-", "xenstored@1", "mini-os@1", "dom0-linux@0"]);
    expect(xen.ioPath(2).find((d) => d.component === "dom0-linux")!.reason).toMatch(/netback/);
  });
  it("has Dom0 reach xenstored over its own ring too: grant 1 to the stub domain, bound at start-up", () => {
    const { m, xen, sys } = boot();
    expect(xen.guest(0).grantTable.entry(1).domid).toBe(1);
    expect(sys.xenstored.domains.get(0)!.page).toBeDefined();
    const before = m.trace.total;
    expect(sys.dom0xs.read("/local/domain/2/name")).toBe("guest1");
    const recs = m.trace.records().slice(-(m.trace.total - before));
    expect(recs.filter((r) => r.op === "xenbus.ring_copy" && r.actor === "dom0").length).toBeGreaterThan(0);
    expect(recs.filter((r) => r.op === "xenstored.request").map((r) => r.actor)).toEqual([xen.hv.domain(1)!.actor]);
    expect(recs.some((r) => r.op === "EVTCHNOP_send" && r.actor === "dom0")).toBe(true);
  });
  it("delivers Dom0's watch events through that ring, the ones no toolstack callback claims to xenstore.events(0)", () => {
    const { xen } = boot();
    const w = xen.xenstore.request(0, { type: XsType.XS_WATCH, payload: ["/local/domain/2/name", "nb"] });
    expect(w.type).toBe(XsType.XS_WATCH);
    const ev = xen.xenstore.events(0).map((b) => new TextDecoder().decode(b.subarray(16)));
    expect(ev).toEqual(["/local/domain/2/name\0nb\0"]);
    expect(xen.xl(["rename", "guest1", "guest2"]).status).toBe(0);
    expect(xen.xenstore.events(0).length).toBe(1);
  });
  it("keeps Dom0's direct connection when xenstored runs in Dom0", () => {
    const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
    const xen = m.bootXen();
    const sys = xen.bootSystem();
    expect(sys.xenstored.domains.get(0)!.page).toBeUndefined();
    expect(xen.guest(0).grantTable.entry(1).flags).toBe(0);
  });
  it("refuses bootSystem once the world has started", () => {
    const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
    const xen = m.bootXen();
    xen.xl(["list"]);
    expect(() => xen.bootSystem({ xenstore: "domain" })).toThrow(/already running/);
  });
});
