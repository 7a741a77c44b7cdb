import { describe, expect, it } from "vitest";
import { CrdType, Sel, Config } from "../../src/microkernel/index.js";
import { boot } from "./setup.js";

describe("NOVA boot state (S14 §6)", () => {
  it("gives the root PD 0x20 with all permissions, the root EC 0x21 and the root SC 0x22", () => {
    const { nova } = boot();
    const rows = nova.capSpace().rows;
    expect(rows.find((r) => r.selector === "0x20")).toMatchObject({ object: expect.stringMatching(/^PD#/), perm: "0x1f" });
    expect(rows.find((r) => r.selector === "0x21")).toMatchObject({ object: expect.stringMatching(/^EC#/) });
    expect(rows.find((r) => r.selector === "0x22")).toMatchObject({ object: expect.stringMatching(/^SC#/) });
  });

  it("queues the root SC at priority 1 with a 10 000 µs quantum", () => {
    const { nova } = boot();
    const q = nova.runQueues().rows;
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ priority: 1, "budget left (µs)": 10000 });
  });

  it("lets the root EC issue syscalls from the cell (it is entered)", () => {
    const { nova } = boot();
    expect(nova.state().state).toBe("ready");
  });

  it("publishes a HIP with signature NOVA, a zero checksum sum, SEL 2^26, EXC 32, VMI 256 and one descriptor per CPU", () => {
    const { m, nova } = boot({ cpus: 2 });
    const hip = nova.hip;
    expect(hip.signature).toBe(0x41564f4e);
    expect(hip.sel).toBe(2 ** 26);
    expect(hip.exc).toBe(32);
    expect(hip.vmi).toBe(256);
    expect(hip.gsi).toBe(Config.NUM_GSI);
    expect(hip.cpus).toHaveLength(2);
    expect(hip.memory[0]).toMatchObject({ addr: 0n, size: BigInt(64 * 1024 * 1024), type: 1 });
    expect(hip.tscFreqKhz).toBe(m.costs.hz / 1000);
    const bytes = m.memory.read(nova.k.d.hipFrame, 0, hip.length);
    let sum = 0;
    for (let i = 0; i < bytes.length; i += 2) sum = (sum + bytes[i]! + (bytes[i + 1]! << 8)) & 0xffff;
    expect(sum).toBe(0);
  });

  it("maps the HIP read-only one page below USER_ADDR in the root PD", () => {
    const { nova } = boot();
    const page = Number(0x00007ffffffff000n >> 12n) - 1;
    expect(nova.lookup(undefined, { type: CrdType.MEM, base: page, order: 0, perm: 0 })).toEqual({ type: CrdType.MEM, base: page, order: 0, perm: 1 });
  });

  it("keeps idle SCs and GSI semaphores in the kernel PD, obtainable through typed items with H", () => {
    const { nova } = boot();
    const kpd = nova.k.d.kernelPd;
    expect(nova.lookup(kpd, nova.crd.obj(0))).toMatchObject({ type: CrdType.OBJ, base: 0 });
    expect(nova.lookup(kpd, nova.crd.obj(Config.NUM_CPU + 5))).toMatchObject({ type: CrdType.OBJ, base: Config.NUM_CPU + 5 });
    expect(nova.lookup(undefined, nova.crd.obj(Config.NUM_CPU + 5)).type).toBe(CrdType.NULL);
    expect(Sel.PD_ROOT).toBe(0x20);
  });
});
