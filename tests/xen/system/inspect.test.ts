import { describe, expect, it } from "vitest";
import { createMachine } from "../../../src/index.js";
import { XsType } from "../../../src/xen/abi/xs-wire.js";
import { DOM0_LINUX_OPERATIONS, XEN_COMPONENTS } from "../../../src/xen/index.js";

const CFG = `name = "guest1"
memory = 16
vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]
disk = [ '/dev/vg/guest1,raw,xvda,rw' ]
`;

function boot() {
  const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
  const xen = m.bootXen();
  xen.files.set("guest1.cfg", CFG);
  xen.xl(["create", "guest1.cfg"]);
  return { m, xen };
}
const show = (v: object): Record<string, string> => (v as { [k: symbol]: () => Record<string, string> })[Symbol.for("Jupyter.display")]!();

describe("Dom0 Linux as an opaque component", () => {
  it("charges each operation as the sum of its primitives on the machine's profile", () => {
    const { m, xen } = boot();
    const c = (p: string): number => m.costs.cycles(p);
    expect(xen.dom0Linux.cost("netback.packet_1500")).toBe(c("linux_backend_request") + 1500 * c("memcpy_per_byte"));
    expect(xen.dom0Linux.cost("toolstack.domain_build")).toBe(c("libxl_op") + c("domain_create"));
    expect(xen.dom0Linux.assumed("hotplug.script")).toBe(true);
    expect(xen.dom0Linux.table().map((r) => r.op)).toEqual(Object.keys(DOM0_LINUX_OPERATIONS));
    expect(xen.dom0Linux.component.catalogueId).toBe("linux-ubuntu-14.04");
  });
  it("lists the hypervisor, xenstored, Dom0 Linux's backends and the toolstack on a PVH guest's I/O path, without QEMU", () => {
    const { xen } = boot();
    const path = xen.ioPath(1);
    expect(path.map((d) => `${d.component}@${d.domid ?? "hv"}`)).toEqual(["xen@hv", "xenstored@0", "dom0-linux@0", "libxl@0", "xl@0"]);
    expect(path.every((d) => d.catalogueId === XEN_COMPONENTS[d.component].catalogueId)).toBe(true);
  });
  it("adds QEMU for an HVM guest, and refuses an unknown domain type", () => {
    const { xen } = boot();
    xen.files.set("hvm.cfg", CFG.replace("guest1", "hvm1").replace("00:01", "00:02").replace("/guest1", "/hvm1") + 'type = "hvm"\n');
    expect(xen.xl(["create", "hvm.cfg"]).status).toBe(0);
    expect(xen.ioPath(2).map((d) => d.component)).toContain("qemu");
    expect(xen.ioPath(1).map((d) => d.component)).not.toContain("qemu");
    xen.files.set("bad.cfg", 'name = "x"\ntype = "pvx"\n');
    expect(xen.xl(["create", "bad.cfg"]).stderr).toBe("Parsing config from bad.cfg\nInvalid domain type pvx.\n");
  });
});

describe("inspection through the display protocol", () => {
  it("prints the XenStore tree as xenstore-ls does, with escaped HTML", () => {
    const { xen } = boot();
    const t = xen.xenstore.tree("/local/domain/1/device/vif");
    expect(String(t).split("\n").slice(0, 2)).toEqual(["0 = \"\"", " backend = \"/local/domain/0/backend/vif/1/0\""]);
    xen.xenstore.request(0, { type: XsType.XS_WRITE, payload: ["/tool/x", "<b>&\n"] });
    const b = show(xen.xenstore.tree("/tool"));
    expect(b["text/plain"]).toContain("x = \"<b>&\\012\"");
    expect(b["text/html"]).toContain("&lt;b&gt;&amp;\\012");
    expect(b["text/html"]).not.toContain("<b>");
  });
  it("shows xl list as a table with the text xl prints", () => {
    const { xen } = boot();
    const b = show(xen.list());
    expect(b["text/plain"]).toBe(xen.xl(["list"]).stdout);
    expect(b["text/html"]).toContain("<td>guest1</td><td>1</td><td>16</td>");
  });
  it("shows the vif's state timeline and the rings' occupancy", () => {
    const { xen } = boot();
    const tl = show(xen.system.timelineView("vif-1-0"));
    expect(tl["text/plain"].split("\n").filter((l) => l.includes("vif-1-0"))).toHaveLength(4);
    const rings = xen.system.rings();
    expect(rings.rings.find((r) => r.end === "frontend" && r.ring === "rx")!.used).toBe(64);
    expect(rings.rings.find((r) => r.end === "backend" && r.ring === "tx")!.used).toBe(0);
    expect(show(rings)["text/html"]).toContain("<td>vbd-1-51712</td>");
  });
});
