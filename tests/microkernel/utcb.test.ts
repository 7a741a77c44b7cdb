import { describe, expect, it } from "vitest";
import { Status } from "../../src/microkernel/index.js";
import { boot, server } from "./setup.js";

const le64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);

describe("UTCB (user thread control block) as a machine frame", () => {
  it("is a frame owned by the EC's PD, and utcb(ec).words is a live view of its bytes", () => {
    const { m, nova } = boot();
    server(nova);
    const ec = nova.k.ec(nova.ec(0x41).id);
    expect(m.memory.ownerOf(ec.utcbFrame)).toBe(`nova:pd${ec.pd}`);
    expect(m.memory.ownerOf(nova.k.ec(nova.k.d.rootEc).utcbFrame)).toBe(`nova:pd${nova.k.d.rootPd}`);
    const u = nova.utcb(nova.ec(0x41));
    expect(u.words).toBeInstanceOf(BigUint64Array);
    expect(u.words.length).toBe(512);
    u.words[4] = 0x1122334455667788n;
    expect(le64(m.memory.read(ec.utcbFrame, 0x20, 8))).toBe(0x1122334455667788n);
    m.memory.write(ec.utcbFrame, 0x28, new Uint8Array([0x2a, 0, 0, 0, 0, 0, 0, 0]));
    expect(u.mr[1]).toBe(0x2an);
  });
  it("carries a message through the frames: the callee's frame holds the caller's words", () => {
    const { m, nova } = boot();
    server(nova);
    nova.utcb().setMessage([7n, 8n]);
    nova.call(0x42);
    const frame = nova.k.ec(nova.ec(0x41).id).utcbFrame;
    expect(le64(m.memory.read(frame, 0x20, 8))).toBe(7n);
    expect(le64(m.memory.read(frame, 0x28, 8))).toBe(8n);
  });
  it("comes back exactly with a restore, and the view stays live over the restored frame", () => {
    const { m, nova } = boot();
    server(nova);
    const frame = nova.k.ec(nova.ec(0x41).id).utcbFrame;
    nova.utcb(nova.ec(0x41)).words[5] = 5n;
    const snap = m.snapshot();
    const h = m.stateHash();
    nova.utcb(nova.ec(0x41)).words[5] = 6n;
    m.restore(snap);
    expect(m.stateHash()).toBe(h);
    const words = nova.utcb(nova.ec(0x41)).words;
    expect(words[5]).toBe(5n);
    words[6] = 9n;
    expect(le64(m.memory.read(frame, 0x30, 8))).toBe(9n);
  });
  it("gives the frame back when the EC is destroyed", () => {
    const { m, nova } = boot();
    nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true });
    const frame = nova.k.ec(nova.ec(0x60).id).utcbFrame;
    const free = m.memory.free;
    expect(nova.revoke(nova.crd.obj(0x60), { self: true })).toBe(Status.SUCCESS);
    expect(m.memory.free).toBe(free + 1);
    expect(m.memory.ownerOf(frame)).toBeUndefined();
  });
});
