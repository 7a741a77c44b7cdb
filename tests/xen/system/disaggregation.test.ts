import { describe, expect, it } from "vitest";
import { createMachine } from "../../../src/index.js";
import { XsType } from "../../../src/xen/abi/xs-wire.js";

const guest = (extra: string): string => `name = "guest1"
memory = 16
vcpus = 1
disk = [ '/dev/vg/guest1,raw,xvda,rw' ]
${extra}
`;

function boot(cfg: string) {
  const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
  const xen = m.bootXen();
  xen.files.set("guest1.cfg", cfg);
  expect(xen.xl(["create", "guest1.cfg"]).status).toBe(0);
  const read = (path: string): string | undefined => {
    const r = xen.xenstore.request(0, { type: XsType.XS_READ, payload: [path] });
    return r.type === XsType.XS_ERROR ? undefined : r.payload[0];
  };
  return { m, xen, read };
}

/** Ten 4 KiB writes then ten reads of the same block: what the backend's grant traffic looks like. */
function workload(xen: ReturnType<typeof boot>["xen"], m: ReturnType<typeof boot>["m"]) {
  const bf = xen.system.domains.get(1)!.kernel!.blkfronts.get(51712)!;
  const start = m.trace.total;
  for (let i = 0; i < 10; i++) expect(bf.write(8, new Uint8Array(4096).fill(i))).toBe(0);
  for (let i = 0; i < 10; i++) expect(bf.read(8, 8).data[4095]).toBe(9);
  const recs = m.trace.records().slice(-(m.trace.total - start));
  const count = (op: string): number => recs.filter((r) => r.op === op && r.actor === "dom0").length;
  return { bf, map: count("GNTTABOP_map_grant_ref"), unmap: count("GNTTABOP_unmap_grant_ref"), shootdowns: count("tlb_shootdown") };
}

describe("blkif persistent grants (feature-persistent)", () => {
  it("without persistence maps and unmaps every segment, with a TLB shootdown on each unmap", () => {
    const { m, xen, read } = boot(guest(""));
    expect([read("/local/domain/0/backend/vbd/1/51712/feature-persistent"), read("/local/domain/1/device/vbd/51712/feature-persistent")]).toEqual(["0", "0"]);
    const r = workload(xen, m);
    expect(r.map).toBe(20);
    expect(r.unmap).toBe(20);
    expect(r.shootdowns).toBe(20);
  });
  it("with both ends agreeing maps one grant on first use, keeps it, and neither unmaps nor shoots down per request", () => {
    const { m, xen, read } = boot(guest("blkif_persistent = 1"));
    expect([read("/local/domain/0/backend/vbd/1/51712/feature-persistent"), read("/local/domain/1/device/vbd/51712/feature-persistent")]).toEqual(["1", "1"]);
    const r = workload(xen, m);
    expect(r.map).toBe(1);
    expect(r.unmap).toBe(0);
    expect(r.shootdowns).toBe(0);
    expect(r.bf.persistentGrants).toBe(1);
    expect(xen.system.blkbacks.get("1/51712")!.persistentGrants).toBe(1);
  });
  it("unmaps the kept grants when the device is detached, and the frontend then ends them", () => {
    const { m, xen } = boot(guest("blkif_persistent = 1"));
    workload(xen, m);
    const before = m.trace.total;
    expect(xen.xl(["block-detach", "guest1", "xvda"]).status).toBe(0);
    const recs = m.trace.records().slice(-(m.trace.total - before));
    expect(recs.filter((r) => r.op === "GNTTABOP_unmap_grant_ref" && r.actor === "dom0")).toHaveLength(2); // ring + the one persistent grant
    expect(xen.system.blkbacks.size).toBe(0);
  });
});

const DRIVER = `name = "netdd"
memory = 16
vcpus = 1
driver_domain = 1
`;

describe("driver domains (backend= in vif specs)", () => {
  function withDriverDomain() {
    const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
    const xen = m.bootXen();
    xen.files.set("netdd.cfg", DRIVER);
    xen.files.set("guest1.cfg", `name = "guest1"\nmemory = 16\nvif = [ 'mac=00:16:3e:00:00:01,backend=netdd' ]\n`);
    expect(xen.xl(["create", "netdd.cfg"]).status).toBe(0);
    expect(xen.xl(["create", "guest1.cfg"]).status).toBe(0);
    const req = (domid: number, type: number, payload: string[]) => xen.xenstore.request(domid, { type, payload });
    return { m, xen, req };
  }
  it("runs netback in the driver domain's kernel and completes the handshake", () => {
    const { xen, req } = withDriverDomain();
    const nb = xen.system.netbacks.get("2/0")!;
    expect(nb.k.domid).toBe(1);
    expect(req(0, XsType.XS_READ, ["/local/domain/2/device/vif/0/backend"]).payload).toEqual(["/local/domain/1/backend/vif/2/0"]);
    expect(req(0, XsType.XS_READ, ["/local/domain/1/backend/vif/2/0/state"]).payload).toEqual(["4"]);
    expect(req(0, XsType.XS_READ, ["/local/domain/2/device/vif/0/state"]).payload).toEqual(["4"]);
    expect(req(0, XsType.XS_READ, ["/local/domain/1/backend/vif/2/0/hotplug-status"]).payload).toEqual(["connected"]);
  });
  it("gives the backend dir to the driver domain and lets it read the frontend dir, as libxl does", () => {
    const { req } = withDriverDomain();
    expect(req(0, XsType.XS_GET_PERMS, ["/local/domain/1/backend/vif/2/0"]).payload).toEqual(["n1", "r2"]);
    expect(req(0, XsType.XS_GET_PERMS, ["/local/domain/2/device/vif/0"]).payload).toEqual(["n2", "r1"]);
    expect(req(1, XsType.XS_READ, ["/local/domain/2/device/vif/0/mac"]).payload).toEqual(["00:16:3e:00:00:01"]);
    expect(req(2, XsType.XS_WRITE, ["/local/domain/1/backend/vif/2/0/state", "6"]).payload).toEqual(["EACCES"]);
    expect(req(0, XsType.XS_GET_PERMS, ["/local/domain/1/libxl"]).payload).toEqual(["n1"]);
  });
  it("moves packets through the driver domain's netback (echo bridge)", () => {
    const { xen, m } = withDriverDomain();
    xen.system.bridgeMode = "echo";
    const nf = xen.system.domains.get(2)!.kernel!.netfronts.get(0)!;
    const before = m.trace.total;
    const pkt = Uint8Array.from({ length: 60 }, (_, i) => i);
    nf.send(pkt);
    xen.system.settle();
    expect(nf.received).toEqual([pkt]);
    const recs = m.trace.records().slice(-(m.trace.total - before));
    expect(recs.some((r) => r.op === "GNTTABOP_copy" && r.actor === "dom1")).toBe(true);
    expect(recs.some((r) => r.op === "GNTTABOP_copy" && r.actor === "dom0")).toBe(false);
    expect(xen.ioPath(2).filter((d) => d.component === "dom0-linux").map((d) => d.domid)).toEqual([0, 1]);
  });
  it("refuses a backend domain that is not a driver domain", () => {
    const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
    const xen = m.bootXen();
    xen.files.set("plain.cfg", `name = "plain"\nmemory = 16\n`);
    xen.files.set("guest1.cfg", `name = "guest1"\nmemory = 16\nvif = [ 'backend=plain' ]\n`);
    expect(xen.xl(["create", "plain.cfg"]).status).toBe(0);
    const r = xen.xl(["create", "guest1.cfg"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("Parsing config from guest1.cfg\nlibxl: error: libxl_device.c: unable to add device with path /local/domain/1/backend/vif/2/0\n");
    expect(xen.xl(["list"]).stdout.split("\n").filter((l) => l.startsWith("guest1"))).toEqual([]);
  });
});

describe("snapshot of persistent grants, ballooning and driver domains (xen.world)", () => {
  it("snapshot → run → restore → run gives the same trace and the same kept grants", () => {
    const { m, xen } = boot(guest("blkif_persistent = 1\nmaxmem = 32"));
    const s = m.snapshot();
    const go = () => {
      const t0 = m.trace.total;
      const r = workload(xen, m);
      expect(xen.xl(["mem-set", "guest1", "12"]).status).toBe(0);
      return { r: { map: r.map, unmap: r.unmap, kept: r.bf.persistentGrants }, tot: xen.hv.domain(1)!.totPages, ops: m.trace.records().slice(-(m.trace.total - t0)).map((x) => `${x.op}/${x.actor}/${x.cycles}`) };
    };
    const first = go();
    m.restore(s);
    expect(go()).toEqual(first);
  });
});
