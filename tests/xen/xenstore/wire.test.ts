import { describe, expect, it } from "vitest";
import { XsType, XSD_ERRORS, XENSTORE_PAYLOAD_MAX, xsTypeName } from "../../../src/xen/abi/xs-wire.js";
import { decodeMessage, encodeMessage } from "../../../src/xen/xenstore/index.js";
import { boot, show } from "./helpers.js";

const raw = (type: number, payload: string, reqId = 3, txId = 0): Uint8Array => encodeMessage({ type, reqId, txId, payload });

describe("xsd_sockmsg (xs_wire.h wire format)", () => {
  it("lays out the header as four little-endian u32 followed by the payload", () => {
    const b = raw(XsType.XS_READ, "/a\0", 0x01020304, 5);
    expect(Array.from(b.subarray(0, 16))).toEqual([2, 0, 0, 0, 4, 3, 2, 1, 5, 0, 0, 0, 3, 0, 0, 0]);
    expect(decodeMessage(b)).toEqual({ type: 2, reqId: 0x01020304, txId: 5, payload: "/a\0" });
  });

  it("keeps the xsd_errors table order of xs_wire.h", () => {
    expect(XSD_ERRORS.slice(0, 5)).toEqual(["EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT"]);
    expect(XSD_ERRORS[XSD_ERRORS.length - 1]).toBe("EPERM");
    expect(xsTypeName(XsType.XS_DIRECTORY_PART)).toBe("DIRECTORY_PART");
  });

  it("answers a request with the same type, req_id and tx_id, and OK for a write", () => {
    const { xs } = boot();
    const r = decodeMessage(xs.requestRaw(0, raw(XsType.XS_WRITE, "/x\0v", 99)));
    expect(r).toEqual({ type: XsType.XS_WRITE, reqId: 99, txId: 0, payload: "OK\0" });
  });

  it("sends errors as type ERROR with the errno name and a NUL, echoing req_id", () => {
    const { xs } = boot();
    const r = decodeMessage(xs.requestRaw(1, raw(XsType.XS_READ, "/nope\0", 42)));
    expect(r).toEqual({ type: XsType.XS_ERROR, reqId: 42, txId: 0, payload: "EACCES\0" });
  });

  it("answers ENOSYS for WATCH_EVENT, ERROR, the removed RESTRICT (20) and unknown types", () => {
    const { xs } = boot();
    for (const t of [15, 16, 20, 27, 0xffff, 1234]) expect(decodeMessage(xs.requestRaw(0, raw(t, ""))).payload).toBe("ENOSYS\0");
  });

  it("round-trips binary values with NULs and high bytes through WRITE and READ", () => {
    const { xs } = boot();
    const value = "\0\xff\x01x\0";
    xs.requestRaw(0, raw(XsType.XS_WRITE, "/bin\0" + value));
    expect(decodeMessage(xs.requestRaw(0, raw(XsType.XS_READ, "/bin\0"))).payload).toBe(value);
  });

  it("cuts off a client whose header announces more than XENSTORE_PAYLOAD_MAX bytes (error PROTO)", () => {
    const { xs, host, req } = boot();
    const b = raw(XsType.XS_READ, "");
    new DataView(b.buffer).setUint32(12, XENSTORE_PAYLOAD_MAX + 1, true);
    expect(xs.requestRaw(1, b).length).toBe(0);
    expect(new DataView(host.pages.get(1)!.buffer).getUint32(2072, true)).toBe(3);
    expect(() => req(1, "READ", "x")).toThrow(/ignored/);
  });

  it("accepts a payload of exactly XENSTORE_PAYLOAD_MAX bytes", () => {
    const { req } = boot();
    expect(show(req(0, "WRITE", "/big", "v".repeat(XENSTORE_PAYLOAD_MAX - 5)))).toBe("OK");
  });

  it("answers E2BIG when a reply would exceed the payload limit (XSA-72)", () => {
    const { req } = boot();
    for (let i = 0; i < 500; i++) req(0, "MKDIR", `/d/child-number-${i}`);
    expect(show(req(0, "DIRECTORY", "/d"))).toBe("E2BIG");
  });

  it("throws for API misuse naming what was wrong", () => {
    const { xs } = boot();
    expect(() => xs.request(0, { type: XsType.XS_READ, payload: [5 as unknown as string] })).toThrow(/payload\[0\] is number/);
    expect(() => xs.request(9, { type: XsType.XS_READ, payload: ["/"] })).toThrow(/not been introduced/);
    expect(() => xs.request(0, { type: XsType.XS_WRITE, payload: ["/a", "\u1234"] })).toThrow(/U\+1234/);
    expect(() => xs.requestRaw(0, new Uint8Array(20))).toThrow(/len=0/);
  });
});
