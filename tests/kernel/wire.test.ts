import { describe, expect, it } from "vitest";
import { decode, encode, newHeader, sign } from "../../src/kernel/wire.js";

const signer = { key: "secret", scheme: "hmac-sha256" };
const msg = () => ({ idents: [Buffer.from("client-1")], header: newHeader("execute_request", "s1"), parent_header: {}, metadata: {}, content: { code: "1" } });

describe("wire protocol (messaging.rst, The Wire Protocol)", () => {
  it("round-trips a message with its routing identities and buffers", () => {
    const frames = encode(signer, { ...msg(), buffers: [Buffer.from([1, 2, 3])] });
    const d = decode(signer, frames);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.msg.idents.map(String)).toEqual(["client-1"]);
    expect(d.msg.content).toEqual({ code: "1" });
    expect([...d.msg.buffers[0]!]).toEqual([1, 2, 3]);
  });

  it("signs the four JSON frames with HMAC-SHA256 as hex", () => {
    const frames = encode(signer, msg());
    expect(frames[2]!.toString()).toBe(sign(signer, frames.slice(3, 7)));
    expect(frames[2]!.toString()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("honours signature_scheme (hmac-sha512 gives a 128-digit signature)", () => {
    const s512 = { key: "secret", scheme: "hmac-sha512" };
    const frames = encode(s512, msg());
    expect(frames[2]!.toString()).toMatch(/^[0-9a-f]{128}$/);
    expect(decode(s512, frames).ok).toBe(true);
    expect(decode(signer, frames)).toEqual({ ok: false, reason: "bad signature" });
  });

  it("rejects a message whose signature does not match, or whose content was altered", () => {
    const frames = encode(signer, msg());
    expect(decode({ key: "other", scheme: "hmac-sha256" }, frames)).toEqual({ ok: false, reason: "bad signature" });
    frames[6] = Buffer.from('{"code":"2"}');
    expect(decode(signer, frames)).toEqual({ ok: false, reason: "bad signature" });
  });

  it("with an empty key sends an empty signature and checks none", () => {
    const unsigned = { key: "", scheme: "hmac-sha256" };
    const frames = encode(unsigned, msg());
    expect(frames[2]!.length).toBe(0);
    expect(decode(unsigned, frames).ok).toBe(true);
  });

  it("reports malformed frame sets instead of throwing", () => {
    expect(decode(signer, [Buffer.from("x")])).toEqual({ ok: false, reason: "no <IDS|MSG> delimiter" });
    expect(decode(signer, [Buffer.from("<IDS|MSG>"), Buffer.from("")]).ok).toBe(false);
    const unsigned = { key: "", scheme: "hmac-sha256" };
    const bad = encode(unsigned, msg());
    bad[3] = Buffer.from("{nope");
    const d = decode(unsigned, bad);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(/^invalid JSON/);
    const noType = encode(unsigned, { ...msg(), header: { ...newHeader("x", "s"), msg_type: undefined as unknown as string } });
    expect(decode(unsigned, noType)).toEqual({ ok: false, reason: "header lacks msg_type or msg_id" });
  });

  it("refuses a signature scheme that is not hmac-<hash>", () => {
    expect(() => sign({ key: "k", scheme: "rsa" }, [])).toThrow(/unsupported signature_scheme 'rsa'/);
  });
});
