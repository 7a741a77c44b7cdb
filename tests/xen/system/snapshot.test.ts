import { describe, expect, it } from "vitest";
import { createMachine } from "../../../src/index.js";
import { GUEST1_CFG, bootWithGuestConfig } from "./setup.js";
import { hashValue } from "../../../src/machine/index.js";
import { XsType } from "../../../src/xen/abi/xs-wire.js";
import type { Xen } from "../../../src/xen/index.js";

const boot = () => bootWithGuestConfig();

/** Everything XenStore holds, as Dom0 reads it. */
function storeDump(xen: Xen): string[] {
  return [...xen.system.xenstored.store.nodes.keys()].sort().map((p) => `${p}=${xen.xenstore.request(0, { type: XsType.XS_READ, payload: [p] }).payload[0] ?? ""}`);
}

/** A run that moves data through both rings, attaches and detaches devices and builds a second guest. */
function run(xen: Xen): unknown {
  const sys = xen.system;
  sys.bridgeMode = "echo";
  const nf = sys.domains.get(1)!.kernel!.netfronts.get(0)!;
  for (let i = 0; i < 20; i++) nf.send(Uint8Array.from({ length: 64 + i }, (_, j) => (i + j) & 0xff));
  sys.settle();
  const bf = sys.domains.get(1)!.kernel!.blkfronts.get(51712)!;
  const data = Uint8Array.from({ length: 512 * 9 }, (_, i) => (i * 13) & 0xff);
  const w = bf.write(3, data);
  const r = bf.read(3, 9);
  const attach = xen.xl(["network-attach", "guest1", "bridge=xenbr0"]);
  const detach = xen.xl(["block-detach", "guest1", "xvda"]);
  xen.files.set("g2.cfg", GUEST1_CFG.replace("guest1", "guest2").replace("00:01", "00:02").replace("/guest1", "/guest2"));
  const create = xen.xl(["create", "g2.cfg"]);
  return {
    rx: nf.received.map((p) => Array.from(p)), w, r: r.status, same: hashValue(r.data) === hashValue(data), attach, detach, create,
    list: xen.xl(["list"]).stdout.replace(/\d+\.\d+$/gm, ""), store: storeDump(xen), timeline: sys.timeline.map((c) => `${c.device}:${c.end}:${c.state}`),
    now: xen.m.now(), trace: xen.m.trace.hash(), hv: hashValue(xen.state()),
  };
}

describe("snapshot layer of the Xen world (xen.world)", () => {
  it("restores XenStore, drivers and toolstack with the hypervisor: snapshot → run → restore → run is identical", () => {
    const { m, xen } = boot();
    expect(xen.xl(["create", "guest1.cfg"]).status).toBe(0);
    const snap = m.snapshot();
    const first = run(xen);
    m.restore(snap);
    const second = run(xen);
    expect(second).toEqual(first);
    expect((first as { rx: unknown[] }).rx).toHaveLength(20);
  });
  it("puts the store and the domain list back exactly as they were at the snapshot", () => {
    const { m, xen } = boot();
    xen.xl(["create", "guest1.cfg"]);
    const before = { store: storeDump(xen), list: xen.xl(["list"]).stdout, timeline: xen.system.timeline.length };
    const snap = m.snapshot();
    xen.xl(["destroy", "guest1"]);
    expect(xen.domids()).toEqual([0]);
    m.restore(snap);
    expect(xen.domids()).toEqual([0, 1]);
    expect({ store: storeDump(xen), list: xen.xl(["list"]).stdout, timeline: xen.system.timeline.length }).toEqual(before);
    const nf = xen.system.domains.get(1)!.kernel!.netfronts.get(0)!;
    xen.system.bridgeMode = "echo";
    nf.send(Uint8Array.of(1, 2, 3));
    xen.system.settle();
    expect(Array.from(nf.received.at(-1)!)).toEqual([1, 2, 3]);
  });
  it("holds the world as plain data, and none at all before XenStore is first used", () => {
    const { m, xen } = boot();
    const empty = createMachine({ cpus: 1, memory: "64M" });
    empty.bootXen();
    expect(empty.snapshot().layers["xen.world"]).toBeNull();
    const snap0 = m.snapshot();
    xen.xl(["create", "guest1.cfg"]);
    const snap1 = m.snapshot();
    expect(JSON.stringify(snap1.layers["xen.world"], (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).toContain("\"kind\":\"page\"");
    m.restore(snap0);
    expect(xen.domids()).toEqual([0]);
    expect(xen.xl(["list"]).stdout.split("\n")).toHaveLength(3);
    m.restore(snap1);
    expect(xen.xl(["list"]).stdout.split("\n")[2]).toMatch(/^guest1 +1 +16 +1/);
  });
});
