import { describe, expect, it } from "vitest";
import { bootWithGuestConfig } from "./setup.js";
import { XsType } from "../../../src/xen/abi/xs-wire.js";
import { XL_INFO_KEYS } from "../../../src/xen/xl/format.js";

const CFG = `name = "guest1"
memory = 16
maxmem = 32
vcpus = 2
vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]
disk = [ '/dev/vg/guest1,raw,xvda,rw' ]
`;

function boot() {
  const { m, xen } = bootWithGuestConfig(CFG);
  expect(xen.xl(["create", "guest1.cfg"]).status).toBe(0);
  const read = (path: string): string | undefined => {
    const r = xen.xenstore.request(0, { type: XsType.XS_READ, payload: [path] });
    return r.type === XsType.XS_ERROR ? undefined : r.payload[0];
  };
  return { m, xen, read };
}

describe("xl mem-set (libxl_set_memory_target through memory/target)", () => {
  it("writes the balloon target in KiB, raises max_mem by LIBXL_MAXMEM_CONSTANT, and the guest balloons down", () => {
    const { xen, read } = boot();
    const before = xen.hv.domain(1)!.totPages;
    expect(xen.xl(["mem-set", "guest1", "12m"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(read("/local/domain/1/memory/target")).toBe("12288");
    expect(xen.hv.domain(1)!.maxPages).toBe((12288 + 1024) / 4);
    expect(xen.hv.domain(1)!.totPages).toBe(before - 1024);
    expect(xen.xl(["mem-set", "1", "16"]).status).toBe(0);
    expect(xen.hv.domain(1)!.totPages).toBe(before);
  });
  it("refuses a size xl cannot parse and a target above static-max, with xl's text", () => {
    const { xen } = boot();
    expect(xen.xl(["mem-set", "guest1", "12q"])).toEqual({ status: 1, stdout: "", stderr: "invalid memory size: 12q\n" });
    expect(xen.xl(["mem-set", "guest1", "64"])).toEqual({
      status: 1, stdout: "",
      // libxl_mem.c's format ends in "\n" and xtl_logger_stdio.c adds one: an empty line follows.
      stderr: "libxl: error: libxl_mem.c: Domain 1:memory_dynamic_max must be less than or equal to memory_static_max\n\ncannot set domid 1 dynamic max memory to : 64\n",
    });
  });
});

describe("xl vcpu-set (libxl_set_vcpuonline through cpu/<n>/availability)", () => {
  it("marks vCPUs online and offline in XenStore", () => {
    const { xen, read } = boot();
    expect(xen.xl(["vcpu-set", "guest1", "1"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect([read("/local/domain/1/cpu/0/availability"), read("/local/domain/1/cpu/1/availability")]).toEqual(["online", "offline"]);
    expect(xen.xl(["vcpu-set", "guest1", "2"]).status).toBe(0);
    expect(read("/local/domain/1/cpu/1/availability")).toBe("online");
  });
  it("refuses a non-number, overcommitment of the host and more vCPUs than the domain has", () => {
    const { xen } = boot();
    expect(xen.xl(["vcpu-set", "guest1", "x"])).toEqual({ status: 1, stdout: "", stderr: "Error: Invalid argument.\n" });
    expect(xen.xl(["vcpu-set", "guest1", "4"]).stderr).toBe("You are overcommmitting! You have 2 physical CPUs and want 4 vCPUs! Aborting, use --ignore-host to continue\n");
    expect(xen.xl(["vcpu-set", "-i", "guest1", "4"]).stderr).toBe(
      "libxl: error: libxl_domain.c: Domain 1:Requested 4 VCPUs, however maxcpus is 2!\nlibxl_set_vcpuonline failed domid=1 max_vcpus=4, rc: -3\n",
    );
  });
});

describe("xl info", () => {
  it("prints every print_info key once, in order, as \"%-23s: %s\"", () => {
    const { xen } = boot();
    const r = xen.xl(["info"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.slice(0, 23).trimEnd())).toEqual([...XL_INFO_KEYS]);
    expect(lines).toContain("nr_cpus                : 2");
    expect(lines).toContain("total_memory           : 128");
    expect(lines).toContain("xen_version            : 4.22.0");
  });
});

describe("xl domain commands that were implemented but untested", () => {
  it("domid and domname map names and ids both ways, with xl's errors", () => {
    const { xen } = boot();
    expect(xen.xl(["domid", "guest1"])).toEqual({ status: 0, stdout: "1\n", stderr: "" });
    expect(xen.xl(["domid", "nope"])).toEqual({ status: 1, stdout: "", stderr: "Can't get domid of domain name 'nope', maybe this domain does not exist.\n" });
    expect(xen.xl(["domname", "1"])).toEqual({ status: 0, stdout: "guest1\n", stderr: "" });
    expect(xen.xl(["domname", "0"]).stdout).toBe("Domain-0\n");
  });
  it("rename changes the name xl and XenStore report", () => {
    const { xen, read } = boot();
    expect(xen.xl(["rename", "guest1", "web"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(read("/local/domain/1/name")).toBe("web");
    expect(xen.xl(["domid", "web"]).stdout).toBe("1\n");
    expect(xen.xl(["rename", "guest1", "x"])).toEqual({ status: 1, stdout: "", stderr: "guest1 is an invalid domain identifier (rc=-6)\n" });
  });
  it("pause and unpause show in xl list's state column", () => {
    const { xen } = boot();
    expect(xen.xl(["pause", "guest1"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(xen.xl(["list", "guest1"]).stdout.split("\n")[1]).toMatch(/^guest1 +1 +16 +2 +--p---/);
    expect(xen.xl(["unpause", "guest1"]).status).toBe(0);
    expect(xen.xl(["list", "guest1"]).stdout.split("\n")[1]).not.toMatch(/--p---/);
  });
  it("reboot goes through control/shutdown and on_reboot=restart builds the domain again under a new domid", () => {
    const { xen } = boot();
    expect(xen.xl(["reboot", "guest1"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(xen.xl(["domid", "guest1"]).stdout).toBe("2\n");
    expect(xen.hv.domain(1)).toBeUndefined();
  });
  it("console prints what the guest wrote on hvc0; dmesg prints Xen's boot log", () => {
    const { xen } = boot();
    expect(xen.xl(["console", "guest1"]).stdout).toBe("Linux version 6.12.0 (hypernote guest guest1) #1 SMP\n");
    expect(xen.xl(["dmesg"]).stdout).toBe("(XEN) Xen version 4.22.0 (hypernote) (emulated)\n(XEN) Dom0 has maximum 1024 PAGES\n");
  });
  it("names an unknown domain as find_domain does", () => {
    const { xen } = boot();
    expect(xen.xl(["pause", "ghost"])).toEqual({ status: 1, stdout: "", stderr: "ghost is an invalid domain identifier (rc=-6)\n" });
  });
});

describe("xl network-attach/-detach and block-attach/-detach", () => {
  it("attaches a second vif that connects, and detaches it: backend Closing, frontend Closed, backend Closed, then both dirs removed", () => {
    const { xen, read } = boot();
    expect(xen.xl(["network-attach", "guest1", "mac=00:16:3e:00:00:02"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(read("/local/domain/1/device/vif/1/state")).toBe("4");
    expect(read("/local/domain/0/backend/vif/1/1/state")).toBe("4");
    const start = xen.system.timeline.length;
    expect(xen.xl(["network-detach", "guest1", "1"])).toEqual({ status: 0, stdout: "", stderr: "" });
    const order = xen.system.timeline.slice(start).filter((c) => c.device === "vif-1-1").map((c) => `${c.end}:${c.name}`);
    // Linux frontends answer a Closing backend with xenbus_frontend_closed: straight to Closed.
    expect(order).toEqual(["backend:XenbusStateClosing", "frontend:XenbusStateClosed", "backend:XenbusStateClosed"]);
    expect(read("/local/domain/1/device/vif/1")).toBeUndefined();
    expect(read("/local/domain/0/backend/vif/1/1")).toBeUndefined();
    expect(xen.xl(["network-detach", "guest1", "1"])).toEqual({ status: 1, stdout: "", stderr: "Unknown device 1.\n" }); // xl_nic.c main_networkdetach
  });
  it("attaches a disk that connects and reads back, then detaches it in the teardown order", () => {
    const { xen, read } = boot();
    expect(xen.xl(["block-attach", "guest1", "/dev/vg/data,raw,xvdb,rw"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(read("/local/domain/1/device/vbd/51728/state")).toBe("4");
    const bf = xen.system.domains.get(1)!.kernel!.blkfronts.get(51728)!;
    expect(bf.write(0, new Uint8Array(512).fill(7))).toBe(0);
    expect(bf.read(0, 1).data[511]).toBe(7);
    const start = xen.system.timeline.length;
    expect(xen.xl(["block-detach", "guest1", "xvdb"])).toEqual({ status: 0, stdout: "", stderr: "" });
    const order = xen.system.timeline.slice(start).filter((c) => c.device === "vbd-1-51728").map((c) => `${c.end}:${c.name}`);
    // Linux frontends answer a Closing backend with xenbus_frontend_closed: straight to Closed.
    expect(order).toEqual(["backend:XenbusStateClosing", "frontend:XenbusStateClosed", "backend:XenbusStateClosed"]);
    expect(read("/local/domain/1/device/vbd/51728")).toBeUndefined();
    expect(xen.xl(["block-detach", "guest1", "xvdb"])).toEqual({ status: 1, stdout: "", stderr: "Error: Device xvdb not connected.\n" });
  });
});

// Texts checked against xen-project/xen@HEAD (tools/xl, tools/libs/light); the model prints libxl's
// log lines as "libxl: error: <file>: [Domain <id>:]<text>", without the line and function.
describe("xl errors from libxl's device defaults and vdev checks", () => {
  it("reports a disk whose backend names no domain as libxl_create.c does, before any nic", () => {
    const { xen } = boot();
    xen.files.set("bad.cfg", `name = "bad"\nmemory = 16\nvif = [ 'backend=nowhere' ]\ndisk = [ '/dev/vg/a,raw,xvda,rw', '/dev/vg/b,raw,xvdb,rw,backend=nowhere' ]\n`);
    expect(xen.xl(["create", "bad.cfg"])).toEqual({ status: 1, stdout: "", stderr: "Parsing config from bad.cfg\nlibxl: error: libxl_create.c: Unable to set disk defaults for disk 1\n" });
  });
  it("reports a vif whose backend names no domain as libxl_nic.c does", () => {
    const { xen } = boot();
    xen.files.set("bad.cfg", `name = "bad"\nmemory = 16\nvif = [ 'bridge=xenbr0', 'backend=nowhere' ]\n`);
    expect(xen.xl(["create", "bad.cfg"])).toEqual({ status: 1, stdout: "", stderr: "Parsing config from bad.cfg\nlibxl: error: libxl_nic.c: Unable to set nic defaults for nic 1\n" });
  });
  it("reports an unknown vdev twice from libxl_disk.c, then create's failure to add the disks", () => {
    const { xen } = boot();
    xen.files.set("bad.cfg", `name = "bad"\nmemory = 16\ndisk = [ '/dev/vg/a,raw,qqq,rw' ]\n`);
    const line = "libxl: error: libxl_disk.c: Invalid or unsupported virtual disk identifier qqq\n";
    expect(xen.xl(["create", "bad.cfg"])).toEqual({ status: 1, stdout: "", stderr: `Parsing config from bad.cfg\n${line}${line}libxl: error: libxl_create.c: unable to add disk devices\n` });
  });
  it("refuses a second domain of the same name with libxl__domain_rename's text", () => {
    const { xen } = boot();
    expect(xen.xl(["create", "guest1.cfg"])).toEqual({ status: 1, stdout: "", stderr: 'Parsing config from guest1.cfg\nlibxl: error: libxl_domain.c: Domain with name "guest1" already exists.\n' });
  });
  it("block-attach: an unknown vdev, an unknown backend name and an unknown domain name, as xl_block.c and libxl print them", () => {
    const { xen } = boot();
    const line = "libxl: error: libxl_disk.c: Domain 1:Invalid or unsupported virtual disk identifier qqq\n";
    const failed = "libxl: error: libxl_device.c: unable to add device\nlibxl_device_disk_add failed.\n";
    expect(xen.xl(["block-attach", "guest1", "/dev/vg/data,raw,qqq,rw"])).toEqual({ status: 1, stdout: "", stderr: `${line}${line}${failed}` });
    expect(xen.xl(["block-attach", "guest1", "/dev/vg/data,raw,xvdb,rw,backend=nowhere"])).toEqual({ status: 1, stdout: "", stderr: failed });
    expect(xen.xl(["block-attach", "ghost", "/dev/vg/data,raw,xvdb,rw"])).toEqual({ status: 1, stdout: "", stderr: "ghost is an invalid domain identifier\n" });
  });
  it("create without a config file and an unknown command, as xl_vmcontrol.c and xl.c answer them", () => {
    const { xen } = boot();
    expect(xen.xl(["create"])).toEqual({ status: 1, stdout: "", stderr: "Config file not specified and none in save file\n" });
    expect(xen.xl(["frobnicate"])).toEqual({ status: 1, stdout: "", stderr: "command not implemented\n" });
  });
  it("network-attach: a backend name of no domain fails in libxl_device_nic_add", () => {
    const { xen } = boot();
    expect(xen.xl(["network-attach", "guest1", "backend=nowhere"])).toEqual({ status: 1, stdout: "", stderr: "libxl: error: libxl_device.c: unable to add device\nlibxl_device_nic_add failed.\n" });
  });
});
