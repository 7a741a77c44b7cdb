import { describe, expect, it } from "vitest";
import { cfgGetBool, cfgGetList, cfgGetLong, cfgGetString, parseCfg } from "../../../src/xen/xl/cfg-parser.js";
import { parseDiskSpec } from "../../../src/xen/xl/disk-spec.js";
import { parseVifSpec } from "../../../src/xen/xl/vif-spec.js";
import { formatDomid, formatDomname, formatInfo, formatList, type DomainListRecord } from "../../../src/xen/xl/format.js";

describe("xl.cfg typed values", () => {
  const p = parseCfg('memory = 0x200\nvcpus = 010\nhap = 0\nname = "g"\nbad = "12x"\ndisk = ["a"]\nm += "1"\n', "g.cfg");
  it("reads numbers as strtol base 0: hex, leading-0 octal, decimal; 0 is false", () => {
    expect(cfgGetLong(p, "g.cfg", "memory")).toEqual({ ok: true, value: 512n });
    expect(cfgGetLong(p, "g.cfg", "vcpus")).toEqual({ ok: true, value: 8n });
    expect(cfgGetBool(p, "g.cfg", "hap")).toEqual({ ok: true, value: false });
  });
  it("warns as libxlu does for junk, lists, single values and += numbers", () => {
    expect(cfgGetLong(p, "g.cfg", "bad")).toEqual({ ok: false, errno: 22, warning: "g.cfg:5: warning: parameter `bad' is not a valid number\n" });
    expect(cfgGetString(p, "g.cfg", "disk")).toMatchObject({ warning: "g.cfg:6: warning: parameter `disk' is a list but should be a single value\n" });
    expect(cfgGetList(p, "g.cfg", "name")).toMatchObject({ warning: "g.cfg:4: warning: parameter `name' is a single value but should be a list\n" });
    expect(cfgGetLong(p, "g.cfg", "m")).toMatchObject({ warning: "g.cfg:7: warning: can't use += with numbers for parameter `m'\n" });
    expect(cfgGetString(p, "g.cfg", "absent")).toEqual({ ok: false, errno: 3, warning: "" });
  });
});

describe("disk spec", () => {
  it("reads positional target, format, vdev, access the same as the key=value form", () => {
    const a = parseDiskSpec("/dev/vg/guest,raw,xvda,rw", "g.cfg");
    const b = parseDiskSpec("format=raw, vdev=xvda, access=rw, target=/dev/vg/guest", "g.cfg");
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ok: true, disk: { target: "/dev/vg/guest", format: "raw", vdev: "xvda", readwrite: true } });
  });
  it("defaults format to raw, makes a cdrom read-only and empty without a target", () => {
    expect(parseDiskSpec("img,,hda", "g.cfg")).toMatchObject({ disk: { format: "raw", readwrite: true } });
    expect(parseDiskSpec(",,hdc:cdrom", "g.cfg")).toMatchObject({ ok: true, disk: { isCdrom: true, readwrite: false, format: "empty", vdev: "hdc" } });
    expect(parseDiskSpec("target=/a,b", "g.cfg")).toMatchObject({ ok: false }); // no vdev: target ate ",b"
  });
  it("reports errors in libxlu's format", () => {
    expect(parseDiskSpec("/img,vmdk,xvda", "g.cfg")).toEqual({ ok: false, errno: 22, report: "g.cfg: config parsing error in disk specification: unknown value for format: near `vmdk' in `/img,vmdk,xvda'\n" });
    expect(parseDiskSpec("/img,raw", "g.cfg")).toMatchObject({ report: "g.cfg: config parsing error in disk specification: no vdev specified in `/img,raw'\n" });
    expect(parseDiskSpec("/img,raw,xvda,rw,x", "g.cfg")).toMatchObject({ report: expect.stringContaining("too many positional parameters: near `x'") });
  });
});

describe("vif spec", () => {
  it("parses key=value pairs and the trusted flag", () => {
    expect(parseVifSpec("mac=00:16:3e:01:02:03, bridge=xenbr1,trusted")).toMatchObject({ ok: true, vif: { mac: [0, 0x16, 0x3e, 1, 2, 3], bridge: "xenbr1", trusted: true } });
  });
  it("rejects bad values with xl's messages", () => {
    expect(parseVifSpec("type=e1000")).toEqual({ ok: false, report: "Invalid parameter `type'.\n" });
    expect(parseVifSpec("mac=00:16:3e:zz:02:03")).toEqual({ ok: false, report: "Invalid parameter `mac'.\n" });
    expect(parseVifSpec("colour=red")).toEqual({ ok: false, report: "unrecognized argument `colour=red'\n" });
    expect(parseVifSpec("mtu=big")).toEqual({ ok: false, report: 'xl: failed to convert "big" to number\n' });
  });
});

describe("xl output formats", () => {
  const dom0: DomainListRecord = {
    name: "Domain-0", domid: 0, currentMemkb: 768000, outstandingMemkb: 0, vcpuOnline: 4, running: true, blocked: false,
    paused: false, shutdown: false, shutdownReason: 0, dying: false, cpuTime: 11794312345678n,
  };
  it("prints xl list's header with its tabs and rows as printf formats them (checked against gcc)", () => {
    expect(formatList([dom0])).toBe(
      "Name                                        ID   Mem VCPUs\tState\tTime(s)\n" +
      "Domain-0                                     0   750     4     r-----   11794.3\n",
    );
  });
  it("shows the shutdown reason letter in column 5: a crashed domain reads ---sc-", () => {
    const row = formatList([{ ...dom0, name: "g", domid: 3, running: false, shutdown: true, shutdownReason: 3, cpuTime: 0n }]).split("\n")[1]!;
    expect(row).toContain("     ---sc-       0.0");
  });
  it("pads xl info keys to 23 columns", () => {
    expect(formatInfo([["xen_major", 4], ["xen_caps", "xen-3.0-x86_64 hvm-3.0-x86_64"]])).toBe("xen_major              : 4\nxen_caps               : xen-3.0-x86_64 hvm-3.0-x86_64\n");
  });
  it("answers domid and domname, or their exact errors", () => {
    expect(formatDomid("web", 5)).toEqual({ status: 0, stdout: "5\n", stderr: "" });
    expect(formatDomid("nope", undefined).stderr).toBe("Can't get domid of domain name 'nope', maybe this domain does not exist.\n");
    expect(formatDomname("x", () => "a")).toEqual({ status: 1, stdout: "", stderr: "Invalid domain id.\n\n" });
    expect(formatDomname("7", () => undefined).stderr).toBe("Can't get domain name of domain id '7', maybe this domain does not exist.\n");
  });
});
