import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/index.js";
import { bootNova } from "../../src/microkernel/index.js";
import { hc } from "../../src/microkernel/calls.js";
import { Status } from "../../src/microkernel/abi.js";
import { NovaPlatform, novaPort } from "../../src/genode/index.js";

function platform() {
  const m = new Machine({ memory: "64M" });
  const nova = bootNova(m);
  const k = new NovaPlatform(m, novaPort(nova));
  const server = k.createPd("server");
  const client = k.createPd("client");
  if (!server.ok || !client.ok) throw new Error("PDs");
  const ep = k.createEntrypoint(server.value, "ep");
  if (!ep.ok) throw new Error("ep");
  return { m, nova, k, server: server.value, client: client.value, ep: ep.value };
}

describe("base-nova (Genode's kernel interface on NOVA)", () => {
  it("makes an RPC object a portal whose badge is its selector in the server's space", () => {
    const { k, ep, client } = platform();
    const badges: number[] = [];
    const obj = k.manage(ep, (badge, req) => { badges.push(badge); return { words: [0, req.words[1]! + 1], caps: [] }; });
    expect(obj.ok).toBe(true);
    if (!obj.ok) return;
    const cap = k.delegate(obj.value, client);
    expect(cap.ok).toBe(true);
    if (!cap.ok) return;
    const r = k.call(cap.value, { words: [0, 41], caps: [] });
    expect(r.ok && r.value.words).toEqual([0, 42]);
    expect(badges).toEqual([obj.value.sel]);
  });

  it("revokes the PT_CTRL right after imprinting, so core's pt_ctrl on the portal fails with BAD_CAP", () => {
    const { k, nova, ep } = platform();
    const obj = k.manage(ep, () => ({ words: [0], caps: [] }));
    if (!obj.ok) throw new Error("manage");
    const r = nova.syscall(hc.ptCtrl(obj.value.sel, 99));
    expect(r.blocked ? -1 : r.status).toBe(Status.BAD_CAP);
  });

  it("transfers capability arguments as typed items: translated to the receiver's own selector, delegated otherwise", () => {
    const { k, ep, client, server } = platform();
    let received: number[] = [];
    const target = k.manage(ep, (_b, req) => { received = req.caps.map((c) => c.sel); return { words: [0], caps: [] }; });
    const own = k.manage(ep, () => ({ words: [0], caps: [] }));
    const third = k.createPd("third");
    const ep3 = third.ok ? k.createEntrypoint(third.value, "ep") : undefined;
    const foreign = ep3?.ok ? k.manage(ep3.value, () => ({ words: [0], caps: [] })) : undefined;
    if (!target.ok || !own.ok || !foreign?.ok) throw new Error("setup");
    const t = k.delegate(target.value, client);
    const o = k.delegate(own.value, client);
    const f = k.delegate(foreign.value, client);
    if (!t.ok || !o.ok || !f.ok) throw new Error("delegate");
    expect(k.call(t.value, { words: [0], caps: [o.value, f.value] }).ok).toBe(true);
    expect(received[0]).toBe(own.value.sel); // the server's own object comes back at its own selector
    expect(received[1]).not.toBe(f.value.sel); // a foreign one lands in the receive window
    expect(received[1]).toBeGreaterThanOrEqual(1 << 24);
    expect(server.id).not.toBe(client.id);
  });

  it("refuses a message with more than four capabilities (MAX_CAPS_PER_MSG)", () => {
    const { k, ep, client } = platform();
    const obj = k.manage(ep, () => ({ words: [0], caps: [] }));
    if (!obj.ok) throw new Error("manage");
    const cap = k.delegate(obj.value, client);
    if (!cap.ok) throw new Error("delegate");
    expect(k.call(cap.value, { words: [0], caps: [cap.value, cap.value, cap.value, cap.value, cap.value] })).toEqual({ ok: false, error: "TOO_MANY_CAPS" });
  });

  it("leaves no kernel object behind when a PD is destroyed: its main thread's EC, SC and STARTUP portal go too", () => {
    const { nova, k } = platform();
    const before = nova.k.d.objects.size;
    const pd = k.createPd("child");
    expect(pd.ok).toBe(true);
    if (!pd.ok) return;
    expect(nova.k.d.objects.size).toBeGreaterThan(before);
    k.destroyPd(pd.value);
    expect(nova.k.d.objects.size).toBe(before);
  });

  it("answers INVALID_OBJECT after the RPC object was dissolved", () => {
    const { k, ep, client } = platform();
    const obj = k.manage(ep, () => ({ words: [0], caps: [] }));
    if (!obj.ok) throw new Error("manage");
    const cap = k.delegate(obj.value, client);
    if (!cap.ok) throw new Error("delegate");
    k.dissolve(obj.value);
    expect(k.call(cap.value, { words: [0], caps: [] })).toEqual({ ok: false, error: "INVALID_OBJECT" });
  });

  it("delivers signals after the sender's RPC, merging submits into one handler call with their count", () => {
    const { m, k, client } = platform();
    const counts: number[] = [];
    const sig = k.createSignalContext(client, (n) => counts.push(n));
    if (!sig.ok) throw new Error("signal");
    const mine = k.delegate(sig.value, client);
    if (!mine.ok) throw new Error("delegate");
    k.submit(mine.value);
    k.submit(mine.value);
    expect(counts).toEqual([]);
    m.run({ cycles: 1000 });
    expect(counts).toEqual([2]);
  });

  it("costs an RPC round trip as the NOVA path plus marshalling per word plus typed-item transfer", () => {
    const { m, k, ep, client } = platform();
    const obj = k.manage(ep, () => ({ words: [0], caps: [] }));
    const other = k.manage(ep, () => ({ words: [0], caps: [] }));
    if (!obj.ok || !other.ok) throw new Error("manage");
    const cap = k.delegate(obj.value, client);
    const arg = k.delegate(other.value, client);
    if (!cap.ok || !arg.ok) throw new Error("delegate");
    const word = m.costs.rate("utcb_word_copy").cycles;
    const item = m.costs.rate("typed_item_xfer").cycles;
    k.call(cap.value, { words: [0], caps: [] });
    const base = k.lastCallCost();
    k.call(cap.value, { words: [0, 1, 2, 3, 4], caps: [] });
    const more = k.lastCallCost();
    k.call(cap.value, { words: [0], caps: [arg.value] });
    const withCap = k.lastCallCost();
    for (const c of [base, more, withCap]) expect(Object.values(c.layers).reduce((a, b) => a + b, 0)).toBe(c.total);
    // four more words: marshalled by the client (4) and copied by the kernel (4)
    expect(more.layers["genode-marshal"]! - base.layers["genode-marshal"]!).toBe(4 * word);
    expect(more.layers.nova! - base.layers.nova!).toBe(4 * word);
    expect(withCap.layers.nova! - base.layers.nova!).toBeGreaterThanOrEqual(item);
    expect(base.layers.nova!).toBeGreaterThanOrEqual(2 * m.costs.rate("ipc_oneway").cycles);
  });
});
