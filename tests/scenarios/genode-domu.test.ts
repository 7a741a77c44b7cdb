import { describe, expect, it } from "vitest";
import { createScenario, WORKLOADS, type Scenario, type WorkloadName } from "../../src/scenarios/index.js";
import type { DomuTarget } from "../../src/scenarios/domu/domu-target.js";
import { decodeIcmpFrame } from "../../src/scenarios/domu/icmp-frame.js";
import { FrameKind, ip } from "../../src/genode/components/net.js";
import { percentile } from "../../src/metrics/index.js";

const domu = () => createScenario("genode-domu");
const target = (sc: Scenario) => sc.target as DomuTarget;
const p50 = (s: "genode-domu" | "nova-genode", w: WorkloadName) => percentile(createScenario(s).run(WORKLOADS[w], { iterations: 20, seed: 3 }).latencies, 0.5);

describe("genode-domu: Genode on NOVA in an HVM DomU, bridged to Xen's split drivers", () => {
  it("pays for Xen on the block and packet paths (no longer nova-genode's latencies), not on RPC inside the DomU", () => {
    expect(p50("genode-domu", "block-4k-random")).toBeGreaterThan(2 * p50("nova-genode", "block-4k-random"));
    expect(p50("genode-domu", "packet-router")).toBeGreaterThan(2 * p50("nova-genode", "packet-router"));
    expect(p50("genode-domu", "rpc-ping-pong")).toBe(p50("nova-genode", "rpc-ping-pong"));
  });

  for (const [w, backendOps] of [["block-4k-random", ["blkback.request", "GNTTABOP_map_grant_ref", "GNTTABOP_unmap_grant_ref"]], ["packet-router", ["netback.tx", "netback.rx", "GNTTABOP_copy"]]] as const) {
    it(`${w}: every operation's path holds the driver's NOVA entry, the VMCALL exit of an HVM hypercall, the GSI upcall with its EOI exit, and the backend's Xen operations`, () => {
      const sc = domu();
      const c = sc.machine.costs;
      const r = sc.run(WORKLOADS[w], { iterations: 4, seed: 7 });
      const driver = w === "block-4k-random" ? "init -> xen_blk" : "init -> xen_nic";
      const domid = target(sc).guest.domid;
      for (let i = 0; i < 4; i++) {
        const recs = r.trace.filter((x) => x.iteration === i);
        const prims = (x: (typeof recs)[number]) => c.namesInMask(x.primsLo, x.primsHi);
        const forwards = recs.filter((x) => x.layer === "nova" && x.op === "vmcall EVTCHNOP_send" && x.actor === driver);
        const hvmCalls = recs.filter((x) => x.layer === "xen" && x.actor === `dom${domid}` && prims(x).includes("xen_hvm_hypercall"));
        const eois = recs.filter((x) => x.op === "vmexit LAPIC EOI" && x.actor === driver);
        const gsis = recs.filter((x) => prims(x).includes("irq_to_user") && x.actor === driver);
        expect(forwards.length).toBeGreaterThan(0);
        expect(forwards.every((x) => prims(x).join() === "syscall")).toBe(true);
        expect(hvmCalls.length).toBeGreaterThanOrEqual(forwards.length);
        expect(eois.length).toBeGreaterThan(0);
        expect(eois.every((x) => x.cycles === c.cycles("vmexit"))).toBe(true);
        expect(gsis).toHaveLength(eois.length);
        for (const op of backendOps) expect(recs.some((x) => x.layer === "xen" && x.op === op && x.actor === "dom0"), `${op} in operation ${i}`).toBe(true);
        expect(recs.reduce((n, x) => n + x.cycles, 0)).toBe(r.latencies[i]);
        const exitPath = c.cycles("syscall") + c.cycles("xen_hvm_hypercall") + c.cycles("irq_to_user") + c.cycles("vmexit");
        expect(r.latencies[i]).toBeGreaterThan(exitPath);
      }
    });
  }

  it("moves a block's bytes through the granted pages to Dom0's disk and back", () => {
    const sc = domu();
    const t = target(sc);
    const disk = t.xen.system.disks.get("/dev/vg/genode")!;
    const data = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff);
    expect(t.block("write", 64, data)).toBeUndefined();
    expect(disk.read(64 * 512, 4096)).toEqual(data);
    expect(t.block("read", 64, undefined)).toEqual(data);
    // bytes Dom0 put on the disk come up through blkback, the grants and xen_blk
    const other = Uint8Array.from({ length: 4096 }, (_, i) => (255 - i) & 0xff);
    disk.write(128 * 512, other);
    expect(t.block("read", 128, undefined)).toEqual(other);
    expect(t.block("read", 256, undefined)).toEqual(new Uint8Array(4096));
  });

  it("sends each echo request as an ICMP packet through netfront, netback and Dom0's bridge to the peer, which answers", () => {
    const sc = domu();
    const t = target(sc);
    const answered = t.peer.echo.answered;
    expect(t.packet(41)).toBe(true);
    expect(t.peer.echo.answered).toBe(answered + 1);
    const fromDomu = [...t.xen.system.netbacks.values()].find((nb) => nb.frontDomid === t.guest.domid)!;
    const sent = decodeIcmpFrame(fromDomu.received[fromDomu.received.length - 1]!);
    expect(sent).toMatchObject({ kind: FrameKind.ECHO_REQUEST, dst: ip("10.0.2.2"), src: ip("10.0.2.15"), seq: 41 });
    const fromPeer = [...t.xen.system.netbacks.values()].find((nb) => nb.frontDomid !== t.guest.domid)!;
    expect(decodeIcmpFrame(fromPeer.received[fromPeer.received.length - 1]!)).toMatchObject({ kind: FrameKind.ECHO_REPLY, src: ip("10.0.2.2"), seq: 41 });
  });

  it("puts the bridge drivers, Dom0's backends and the Xen world into the applications' TCB", () => {
    const sc = domu();
    const blk = sc.run(WORKLOADS["block-4k-random"], { iterations: 1, seed: 1 }).tcb[0]!;
    expect(blk.members).toEqual(expect.arrayContaining(["nova", "init -> xen_blk", "xen", "Dom0 Linux", "xenstored", "qemu (device model)"]));
    expect(blk.members.some((m) => /^Dom0 Linux vbd-\d+-51712$/.test(m))).toBe(true);
    expect(blk.members).not.toContain("init -> ram_block");
    expect(blk.ids).toEqual(expect.arrayContaining(["nova-genode", "xen-4.22", "linux-ubuntu-14.04", "xenstored-c-4.22", "qemu"]));
    expect(blk.byCategory.drivers).toBe(1771);
    const [nic, peer] = sc.run(WORKLOADS["packet-router"], { iterations: 1, seed: 1 }).tcb;
    expect(nic!.members).toEqual(expect.arrayContaining(["init -> nic_router", "init -> xen_nic"]));
    expect(nic!.members.some((m) => /^Dom0 Linux vif-\d+-0$/.test(m))).toBe(true);
    expect(nic!.byCategory.drivers).toBe(1691);
    expect(peer!.participant).toBe("peer");
    expect(peer!.ids).toContain("xen-4.22");
    const nova = createScenario("nova-genode").run(WORKLOADS["block-4k-random"], { iterations: 1, seed: 1 }).tcb[0]!;
    expect(blk.total - nova.total).toBeGreaterThan(3_000_000);
  });
});

describe("genode-dom0: the Genode backends' own path", () => {
  for (const w of ["block-4k-random", "packet-router"] as const) {
    it(`${w}: charges no Linux backend work; the backends' requests are Genode session RPCs and Xen grant and event operations`, () => {
      const sc = createScenario("genode-dom0");
      const c = sc.machine.costs;
      const r = sc.run(WORKLOADS[w], { iterations: 4, seed: 2 });
      expect(r.trace.some((x) => c.namesInMask(x.primsLo, x.primsHi).includes("linux_backend_request"))).toBe(false);
      const rpcFrom = w === "block-4k-random" ? "init -> ram_block" : "init -> nic_bridge";
      for (let i = 0; i < 4; i++) {
        const recs = r.trace.filter((x) => x.iteration === i);
        expect(recs.some((x) => x.op === "rpc-dispatch" && x.actor === rpcFrom)).toBe(true);
        expect(recs.some((x) => x.layer === "xen" && /GNTTABOP_(copy|map_grant_ref)/.test(x.op))).toBe(true);
      }
    });
  }
  it("keeps Linux's backend work where Linux is Dom0", () => {
    const sc = createScenario("xen-linux-dom0");
    const r = sc.run(WORKLOADS["packet-router"], { iterations: 2, seed: 2 });
    expect(r.trace.filter((x) => x.op === "netback.tx" && sc.machine.costs.namesInMask(x.primsLo, x.primsHi).includes("linux_backend_request")).length).toBeGreaterThan(0);
  });
  it("adds nic_bridge to a networked guest's TCB", () => {
    const t = createScenario("genode-dom0").run(WORKLOADS["packet-router"], { iterations: 1, seed: 1 }).tcb[0]!;
    expect(t.ids).toEqual(expect.arrayContaining(["genode-nic-bridge", "genode-net-lib"]));
    expect(t.members).toContain("init -> nic_bridge");
  });
});

describe("ICMP echo frames on the DomU's wire", () => {
  it("round-trips a frame, refuses one with a corrupted byte, and answers with addresses swapped", async () => {
    const { encodeIcmpFrame, echoReply, macBytes, ICMP_FRAME_BYTES } = await import("../../src/scenarios/domu/icmp-frame.js");
    const f = { kind: FrameKind.ECHO_REQUEST, src: ip("10.0.2.15"), dst: ip("10.0.2.2"), id: 3, seq: 9, ttl: 64 };
    const b = encodeIcmpFrame(f, macBytes("00:16:3e:00:00:0a"), macBytes("00:16:3e:00:00:0b"));
    expect(b.length).toBe(ICMP_FRAME_BYTES);
    expect(decodeIcmpFrame(b)).toEqual(f);
    for (const at of [16, 30, 40, 70]) {
      const bad = b.slice();
      bad[at]! ^= 0x10;
      expect(decodeIcmpFrame(bad), `byte ${at}`).toBeUndefined();
    }
    const reply = echoReply(b, 64);
    expect(decodeIcmpFrame(reply)).toEqual({ ...f, kind: FrameKind.ECHO_REPLY, src: f.dst, dst: f.src });
    expect(reply.subarray(0, 6)).toEqual(macBytes("00:16:3e:00:00:0a"));
  });
});
