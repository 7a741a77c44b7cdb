import { describe, expect, it } from "vitest";
import { XsType } from "../../../src/xen/abi/xs-wire.js";
import { XenstoreRingClient, decodeMessage, encodeMessage, getField, setField } from "../../../src/xen/xenstore/index.js";
import { boot } from "./helpers.js";

function client(domid = 1) {
  const b = boot([1, 2]);
  b.req(0, "MKDIR", `/local/domain/${domid}`);
  b.req(0, "SET_PERMS", `/local/domain/${domid}`, `n${domid}`);
  let kicks = 0;
  const c = new XenstoreRingClient(b.host.pages.get(domid)!, () => { kicks++; b.xs.kick(domid); });
  return { ...b, c, kicks: () => kicks };
}

const msg = (type: number, payload: string, reqId = 1) => encodeMessage({ type, reqId, txId: 0, payload });

describe("xenstore_domain_interface ring (xs_wire.h, xenstore-ring.txt)", () => {
  it("carries a request and its reply through the ring with event-channel kicks both ways", () => {
    const { c, host, kicks } = client();
    c.send(msg(XsType.XS_WRITE, "data/k\0val", 5));
    c.send(msg(XsType.XS_READ, "data/k\0", 6));
    const got = c.receive().map(decodeMessage);
    expect(got).toEqual([
      { type: XsType.XS_WRITE, reqId: 5, txId: 0, payload: "OK\0" },
      { type: XsType.XS_READ, reqId: 6, txId: 0, payload: "val" },
    ]);
    expect(kicks()).toBeGreaterThan(0);
    expect(host.notified.length).toBeGreaterThan(0);
  });

  it("delivers watch events in the response ring after the WATCH reply", () => {
    const { c } = client();
    c.send(msg(XsType.XS_WATCH, "data\0tok\0"));
    c.send(msg(XsType.XS_WRITE, "data/x\0" + "1"));
    const got = c.receive().map(decodeMessage).map((m) => [m.type, m.payload]);
    expect(got).toEqual([
      [XsType.XS_WATCH, "OK\0"], [XsType.XS_WATCH_EVENT, "data\0tok\0"],
      [XsType.XS_WATCH_EVENT, "data/x\0tok\0"], [XsType.XS_WRITE, "OK\0"],
    ]);
  });

  it("streams messages across the 1024-byte wrap with free-running indexes that need not start at 0", () => {
    const { c, host, xs } = client();
    const page = host.pages.get(1)!;
    for (const f of ["req_cons", "req_prod", "rsp_cons", "rsp_prod"] as const) setField(page, f, 0xfffffe00);
    const value = "v".repeat(2000);
    c.send(msg(XsType.XS_WRITE, "data/big\0" + value, 1));
    let replies = c.receive();
    for (let i = 0; i < 10 && replies.length === 0; i++) { c.flush(); xs.kick(1); replies = c.receive(); }
    expect(decodeMessage(replies[0]!).payload).toBe("OK\0");
    c.send(msg(XsType.XS_READ, "data/big\0", 2));
    const out: Uint8Array[] = [];
    for (let i = 0; i < 10 && out.length === 0; i++) { xs.kick(1); out.push(...c.receive()); }
    expect(decodeMessage(out[0]!).payload).toBe(value);
    expect(getField(page, "req_prod") >>> 0).toBeLessThan(0xfffffe00); // wrapped past 2^32
  });

  it("marks the ring with error RINGIDX and stops when the indexes are inconsistent", () => {
    const { c, host, xs } = client();
    const page = host.pages.get(1)!;
    setField(page, "req_prod", 5000);
    xs.kick(1);
    expect(getField(page, "error")).toBe(2);
    c.send(msg(XsType.XS_READ, "data\0"));
    expect(c.receive()).toEqual([]);
  });

  it("marks the ring with error PROTO for a header announcing more than 4096 bytes", () => {
    const { c, host } = client();
    const bad = msg(XsType.XS_READ, "");
    new DataView(bad.buffer).setUint32(12, 5000, true);
    c.send(bad);
    expect(getField(host.pages.get(1)!, "error")).toBe(3);
  });

  it("stops reading a domain with 20 outstanding requests until their watch events are consumed (XSA-326)", () => {
    const { xs, req, host } = boot([1, 2]);
    req(0, "MKDIR", "/local/domain/1");
    req(0, "SET_PERMS", "/local/domain/1", "n1", "r2");
    req(2, "WATCH", "/local/domain/1", "spy");
    xs.events(2);
    setField(host.pages.get(2)!, "rsp_prod", 1024); // dom2's response ring is full: its events stay queued
    const page = host.pages.get(1)!;
    const c = new XenstoreRingClient(page, () => xs.kick(1));
    for (let i = 0; i < 25; i++) c.send(msg(XsType.XS_WRITE, `d${i}\0x`, i));
    expect(c.receive().length).toBe(20);
    expect(xs.events(2).length).toBe(20);
    xs.kick(1);
    expect(c.receive().length).toBe(5);
  });

  it("resets the ring indexes and answers a RECONNECT request on INTRODUCE", () => {
    const { req, host } = boot([1]);
    const page = host.pages.get(1)!;
    setField(page, "req_prod", 7);
    setField(page, "connection", 1);
    req(0, "INTRODUCE", "1", "0", "5");
    expect([getField(page, "req_prod"), getField(page, "connection")]).toEqual([0, 0]);
  });
});
