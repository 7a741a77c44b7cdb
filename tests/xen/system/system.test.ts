import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bootWithGuestConfig } from "./setup.js";
import { XsType } from "../../../src/xen/abi/xs-wire.js";

const boot = () => bootWithGuestConfig();

describe("XenStore in Dom0 through the Xen handle", () => {
  it("answers WRITE then READ for Dom0 with the value written", () => {
    const { xen } = boot();
    expect(xen.xenstore.request(0, { type: XsType.XS_WRITE, payload: ["/a/b", "v"] }).payload).toEqual(["OK"]);
    expect(xen.xenstore.request(0, { type: XsType.XS_READ, payload: ["/a/b"] }).payload).toEqual(["v"]);
  });
  it("serves a guest's requests over its ring page, and the guest reads its own name", () => {
    const { xen } = boot();
    expect(xen.xl(["create", "guest1.cfg"]).status).toBe(0);
    const k = xen.system.domains.get(1)!.kernel!;
    expect(k.k.xs.read("name")).toBe("guest1");
    expect(k.k.xs.read("/local/domain/1/domid")).toBe("1");
  });
});

describe("xl create with a vif and a vbd", () => {
  it("writes the standard paths and takes both devices to Connected in the §5.2 order", () => {
    const { xen } = boot();
    const r = xen.xl(["create", "guest1.cfg"]);
    expect(r.stderr).toBe("Parsing config from guest1.cfg\n");
    expect(xen.xenstore.request(0, { type: XsType.XS_READ, payload: ["/local/domain/1/device/vif/0/state"] }).payload).toEqual(["4"]);
    expect(xen.xenstore.request(0, { type: XsType.XS_READ, payload: ["/local/domain/0/backend/vif/1/0/hotplug-status"] }).payload).toEqual(["connected"]);
    const vif = xen.system.timeline.filter((c) => c.device === "vif-1-0").map((c) => `${c.end}:${c.state}`);
    expect(vif).toEqual(["backend:1", "backend:2", "frontend:4", "backend:4"]);
    const vbd = xen.system.timeline.filter((c) => c.device === "vbd-1-51712").map((c) => `${c.end}:${c.state}`);
    expect(vbd).toEqual(["backend:1", "backend:2", "frontend:3", "backend:4", "frontend:4"]);
  });
  it("holds netback in InitWait until hotplug-status is written on network-attach", () => {
    const { xen } = boot();
    xen.xl(["create", "guest1.cfg"]);
    const n = xen.system.timeline.length;
    expect(xen.xl(["network-attach", "guest1", "bridge=xenbr0"]).status).toBe(0);
    const seq = xen.system.timeline.slice(n).filter((c) => c.device === "vif-1-1").map((c) => `${c.end}:${c.state}`);
    expect(seq).toEqual(["backend:1", "backend:2", "frontend:4", "backend:4"]);
  });
});

describe("netfront/netback data path", () => {
  it("delivers every packet unchanged to netback and back to netfront (echo bridge)", () => {
    const { xen } = boot();
    xen.xl(["create", "guest1.cfg"]);
    xen.system.bridgeMode = "echo";
    const nf = xen.system.domains.get(1)!.kernel!.netfronts.get(0)!;
    const nb = xen.system.netbacks.get("1/0")!;
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 1514 }), { minLength: 1, maxLength: 8 }), (pkts) => {
      const before = nb.received.length;
      const beforeRx = nf.received.length;
      for (const p of pkts) nf.send(p);
      xen.system.settle();
      expect(nb.received.slice(before)).toEqual(pkts);
      expect(nf.received.slice(beforeRx)).toEqual(pkts);
    }), { numRuns: 25 });
  });
});

describe("blkfront/blkback data path", () => {
  it("reads back exactly what was written, across a multi-request transfer", () => {
    const { xen } = boot();
    xen.xl(["create", "guest1.cfg"]);
    const bf = xen.system.domains.get(1)!.kernel!.blkfronts.get(51712)!;
    const data = Uint8Array.from({ length: 512 * 100 }, (_, i) => (i * 7 + 3) & 0xff);
    expect(bf.write(10, data)).toBe(0);
    const r = bf.read(10, 100);
    expect(r.status).toBe(0);
    expect(r.data).toEqual(data);
  });
});

describe("xl list, shutdown, destroy and errors", () => {
  it("lists Dom0 and the guest with xl's header", () => {
    const { xen } = boot();
    xen.xl(["create", "guest1.cfg"]);
    const out = xen.xl(["list"]).stdout.split("\n");
    expect(out[0]).toBe("Name                                        ID   Mem VCPUs\tState\tTime(s)");
    expect(out[2]!.startsWith("guest1                                       1    16     1")).toBe(true);
  });
  it("shuts a guest down through control/shutdown and destroys it (on_poweroff=destroy)", () => {
    const { xen } = boot();
    xen.xl(["create", "guest1.cfg"]);
    expect(xen.xl(["shutdown", "guest1"]).status).toBe(0);
    expect(xen.domids()).toEqual([0]);
    expect(xen.xenstore.request(0, { type: XsType.XS_READ, payload: ["/local/domain/1/name"] }).payload).toEqual(["ENOENT"]);
  });
  it("destroys a guest and frees its name", () => {
    const { xen } = boot();
    xen.xl(["create", "guest1.cfg"]);
    expect(xen.xl(["destroy", "1"]).status).toBe(0);
    expect(xen.domids()).toEqual([0]);
    expect(xen.xl(["create", "guest1.cfg"]).status).toBe(0);
  });
  it("prints xl's errors with status 1", () => {
    const { xen } = boot();
    expect(xen.xl(["create", "nofile.cfg"])).toEqual({ status: 1, stdout: "", stderr: "Failed to read config file: nofile.cfg: No such file or directory\n" });
    xen.files.set("noname.cfg", "memory = 16\n");
    expect(xen.xl(["create", "noname.cfg"]).stderr).toBe("Parsing config from noname.cfg\nDomain name must be specified.\n");
    expect(xen.xl(["destroy", "nosuch"]).stderr).toBe("nosuch is an invalid domain identifier (rc=-6)\n");
  });
});
