import { describe, expect, it } from "vitest";
import { CrdType, Status, ItemKind } from "../../src/microkernel/index.js";
import { boot, server } from "./setup.js";

/** Root calls the server (PD 0x40) with the items the root's UTCB holds; returns what landed. */
function send(nova: ReturnType<typeof boot>["nova"], items: [bigint, number, number][], del: bigint, xlt = 0n) {
  const srv = nova.ec(0x41);
  const su = nova.utcb(srv);
  su.crdDel = del;
  su.crdXlt = xlt;
  const u = nova.utcb().setMessage([]);
  for (const [c, hot, kind] of items) u.appendItem(c, hot, kind);
  nova.call(0x42);
  const got = nova.utcb(srv).items();
  nova.reply({ ec: srv });
  return got;
}

describe("Mapping database: delegate", () => {
  it("delegates an object capability into the receive window, rights = source ∧ send mask ∧ window mask", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    const got = send(nova, [[nova.crd.obj(0x30, 0, 0x1f), 0, ItemKind.DELEGATE]], nova.crd.obj(0x100, 0, 0x1));
    expect(got[0]).toMatchObject({ delegated: true, crd: { type: CrdType.OBJ, base: 0x100, perm: 0x1 } });
    expect(nova.lookup(nova.pd(0x40), nova.crd.obj(0x100))).toMatchObject({ perm: 0x1 });
  });
  it("gives a null CRD when the window's type differs from the item's", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    const got = send(nova, [[nova.crd.obj(0x30), 0, ItemKind.DELEGATE]], nova.crd.mem(0x10, 0));
    expect(got[0]!.crd.type).toBe(CrdType.NULL);
  });
  it("shrinks silently to nothing when the rights intersect to 0", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    const got = send(nova, [[nova.crd.obj(0x30, 0, 0x1), 0, ItemKind.DELEGATE]], nova.crd.obj(0x100, 0, 0x2));
    expect(got[0]!.crd.type).toBe(CrdType.NULL);
    expect(nova.lookup(nova.pd(0x40), nova.crd.obj(0x100)).type).toBe(CrdType.NULL);
  });
  it("clamps a larger window to the item's order by the hotspot (S14 Fig. 3.1)", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    const got = send(nova, [[nova.crd.obj(0x30, 0), 0x105, ItemKind.DELEGATE]], nova.crd.obj(0x100, 4));
    expect(got[0]!.crd).toMatchObject({ base: 0x105, order: 0 });
    expect(nova.lookup(nova.pd(0x40), nova.crd.obj(0x105)).type).toBe(CrdType.OBJ);
  });
  it("clamps a larger send range to the window's order by the hotspot", () => {
    const { nova } = boot();
    server(nova);
    for (let i = 0; i < 4; i++) nova.createSm(0x30 + i, 0x20);
    const got = send(nova, [[nova.crd.obj(0x30, 2), 0x2, ItemKind.DELEGATE]], nova.crd.obj(0x100, 0));
    expect(got[0]!.crd).toMatchObject({ base: 0x100, order: 0 });
    const sm32 = nova.capSpace().rows.find((r) => r.selector === "0x32")!.object;
    expect(nova.capSpace(nova.pd(0x40)).rows.find((r) => r.selector === "0x100")!.object).toBe(sm32);
  });
  it("delegates memory as a sub-range of a larger node, keeping the frame offset", () => {
    const { nova } = boot();
    server(nova);
    // the root first takes 16 pages at 0x100 from the kernel (frames 0x100…) via an H item to itself
    const root = nova.pd(0x20);
    nova.createEc(0x60, 0x20, { utcb: 0x9000n });
    nova.createPt(0x61, 0x20, 0x60, 0, 0x7000);
    nova.utcb().crdDel = nova.crd.mem(0x100, 4);
    nova.call(0x61);
    nova.utcb(nova.ec(0x60)).setMessage([]).appendItem(nova.crd.mem(0x100, 4), 0x100, 1, 1n << 11n);
    nova.reply({ ec: nova.ec(0x60) });
    expect(nova.lookup(root, nova.crd.mem(0x105))).toMatchObject({ type: CrdType.MEM, base: 0x100, order: 4, perm: 7 });
    const got = send(nova, [[nova.crd.mem(0x104, 2, 0x1), 0, ItemKind.DELEGATE]], nova.crd.mem(0x2000, 2));
    expect(got[0]!.crd).toMatchObject({ type: CrdType.MEM, base: 0x2000, order: 2, perm: 1 });
    expect(nova.capSpace(nova.pd(0x40)).rows.find((r) => r.space === "mem")).toMatchObject({ object: "frames 0x104+4", perm: "0x1" });
  });
});

describe("Mapping database: translate", () => {
  it("names the receiver's own selector when the capability was derived from the receiver", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    nova.delegate(0x20, 0x40, nova.crd.obj(0x30));
    // now the server sends it back as a translate item: the root learns its own selector 0x30
    nova.utcb().crdXlt = nova.crd.obj(0, 26);
    nova.call(0x42);
    const srv = nova.ec(0x41);
    nova.utcb(srv).setMessage([]).appendItem(nova.crd.obj(0x30), 0, ItemKind.TRANSLATE);
    nova.reply({ ec: srv });
    expect(nova.utcb().item(0)).toMatchObject({ delegated: false, crd: { base: 0x30, type: CrdType.OBJ } });
  });
  it("gives a null CRD when the capability did not come from the receiver, and GF kind 2 then delegates", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    const got = send(nova, [[nova.crd.obj(0x30), 0, ItemKind.TRANSLATE], [nova.crd.obj(0x30), 0, ItemKind.TRANSLATE_ELSE_DELEGATE]], nova.crd.obj(0x200, 0), nova.crd.obj(0, 26));
    expect(got[0]!.crd.type).toBe(CrdType.NULL);
    expect(got[1]).toMatchObject({ delegated: true, crd: { base: 0x200 } });
  });
});

describe("Mapping database: revoke and lookup", () => {
  it("revokes descendants but not the caller's own node without SR, and both with SR", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    nova.delegate(0x20, 0x40, nova.crd.obj(0x30));
    expect(nova.revoke(nova.crd.obj(0x30))).toBe(Status.SUCCESS);
    expect(nova.lookup(nova.pd(0x40), nova.crd.obj(0x30)).type).toBe(CrdType.NULL);
    expect(nova.lookup(undefined, nova.crd.obj(0x30)).type).toBe(CrdType.OBJ);
    nova.revoke(nova.crd.obj(0x30), { self: true });
    expect(nova.lookup(undefined, nova.crd.obj(0x30)).type).toBe(CrdType.NULL);
  });
  it("demotes the subtree on a partial revoke and keeps its nodes", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    nova.delegate(0x20, 0x40, nova.crd.obj(0x30, 0, 0x3));
    nova.revoke(nova.crd.obj(0x30, 0, 0x1));
    expect(nova.lookup(nova.pd(0x40), nova.crd.obj(0x30))).toMatchObject({ type: CrdType.OBJ, perm: 0x2 });
    expect(nova.lookup(undefined, nova.crd.obj(0x30)).perm).toBe(0x3);
  });
  it("destroys an object with its last capability", () => {
    const { nova } = boot();
    nova.createSm(0x30, 0x20);
    const before = nova.k.d.objects.size;
    nova.revoke(nova.crd.obj(0x30), { self: true });
    expect(nova.k.d.objects.size).toBe(before - 1);
  });
  it("GF remote revoke acts in the named PD; keep_in_mdb drops only the local access", () => {
    const { nova } = boot();
    server(nova);
    nova.createPd(0x50, 0x20);
    nova.createSm(0x30, 0x20);
    nova.delegate(0x20, 0x40, nova.crd.obj(0x30));
    nova.delegate(0x40, 0x50, nova.crd.obj(0x30));
    expect(nova.revoke(nova.crd.obj(0x30), { self: true, remote: 0x40, keep: true })).toBe(Status.SUCCESS);
    expect(nova.lookup(nova.pd(0x40), nova.crd.obj(0x30)).type).toBe(CrdType.NULL);
    expect(nova.lookup(nova.pd(0x50), nova.crd.obj(0x30)).type).toBe(CrdType.OBJ);
    expect(nova.revoke(nova.crd.obj(0x30), { remote: 0x21 })).toBe(Status.BAD_CAP);
  });
  it("charges a TLB shootdown on every other CPU that ran the PD when its memory is revoked", () => {
    const { m, nova } = boot({ cpus: 2 });
    nova.createEc(0x60, 0x20, { utcb: 0x9000n });
    nova.createPt(0x61, 0x20, 0x60, 0, 0x7000);
    nova.utcb().crdDel = nova.crd.mem(0x100, 4);
    nova.call(0x61);
    nova.utcb(nova.ec(0x60)).setMessage([]).appendItem(nova.crd.mem(0x100, 4), 0x100, 1, 1n << 11n);
    nova.reply({ ec: nova.ec(0x60) });
    m.cpus[1]!.enter(`nova:pd${nova.pd(0x20).id}`);
    nova.revoke(nova.crd.mem(0x100, 4), { self: true });
    const shoot = m.trace.records({ layer: "nova", op: "tlb_shootdown" });
    expect(shoot).toHaveLength(1);
    expect(shoot[0]!.args).toMatchObject({ remote: [1] });
    expect(shoot[0]!.cycles).toBe(m.costs.cycles("invlpg") + m.costs.cycles("tlb_shootdown_remote"));
    expect(nova.lookup(undefined, nova.crd.mem(0x100)).type).toBe(CrdType.NULL);
  });
  it("returns the full CRD of the node containing the base, or a null CRD (always SUCCESS)", () => {
    const { nova } = boot();
    const r = nova.syscall(nova.hc.lookup(nova.crd.obj(0x21)));
    expect(r.status).toBe(Status.SUCCESS);
    expect(r.rsi).toBe(nova.crd.obj(0x21, 0, 0xd));
    expect(nova.syscall(nova.hc.lookup(nova.crd.obj(0x999))).rsi).toBe(0n);
  });
});
