import { describe, expect, it } from "vitest";
import { BLKIF_OP_DISCARD, BLKIF_OP_WRITE, BLKIF_RING_SIZE, BLKIF_RSP_ERROR } from "../../../src/xen/abi/blkif.js";
import { NETIF_RX_RING_SIZE, NETIF_TX_RING_SIZE, NETTXF_more_data, XEN_NETIF_CTRL_RING_SIZE } from "../../../src/xen/abi/netif.js";
import { XENCONSOLE_DISCONNECTED } from "../../../src/xen/abi/console.js";
import { BackRing, FrontRing, type RingProtocol } from "../../../src/xen/io/ring.js";
import { blkifProtocol, blkifRequest, blkifRequestDiscard, blkifResponse } from "../../../src/xen/io/blkif.js";
import { netifRxProtocol, netifRxResponse, netifTxProtocol, netifTxRequest, xenNetifCtrlProtocol } from "../../../src/xen/io/netif.js";
import { ConsoleInterface } from "../../../src/xen/io/console.js";

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("blkif request/response layout (x86-64)", () => {
  it("writes struct blkif_request with id at 8, sector_number at 16 and 8-byte segments from 24", () => {
    const b = new Uint8Array(112);
    blkifRequest.encode({ operation: BLKIF_OP_WRITE, nr_segments: 1, handle: 51712, id: 0x1122334455667788n, sector_number: 5n, seg: [{ gref: 9, first_sect: 0, last_sect: 7 }] }, b);
    expect(hex(b.subarray(0, 32))).toBe("010100ca00000000" + "8877665544332211" + "0500000000000000" + "0900000000070000");
    expect(blkifRequest.decode(b).seg).toEqual([{ gref: 9, first_sect: 0, last_sect: 7 }]);
  });

  it("writes struct blkif_response as id u64, operation u8 at 8, status i16 at 10 (16 bytes)", () => {
    const b = new Uint8Array(16);
    blkifResponse.encode({ id: 3n, operation: 1, status: BLKIF_RSP_ERROR }, b);
    expect(hex(b)).toBe("0300000000000000" + "0100ffff00000000");
  });

  it("lays out a discard request with nr_sectors at 24 in the same slot", () => {
    const page = new Uint8Array(4096);
    const front = new FrontRing(page, blkifProtocol);
    const img = new Uint8Array(112);
    blkifRequestDiscard.encode({ operation: BLKIF_OP_DISCARD, flag: 1, handle: 0, id: 1n, sector_number: 8n, nr_sectors: 16n }, img);
    front.produceRequestBytes(img);
    front.pushRequests();
    const back = new BackRing(page, blkifProtocol);
    const got = back.consumeRequestBytes();
    expect(got[0]).toBe(BLKIF_OP_DISCARD);
    expect(blkifRequestDiscard.decode(got).nr_sectors).toBe(16n);
  });

  it("refuses more than BLKIF_MAX_SEGMENTS_PER_REQUEST segments", () => {
    const seg = Array.from({ length: 12 }, () => ({ gref: 1, first_sect: 0, last_sect: 7 }));
    expect(() => blkifRequest.encode({ operation: 0, nr_segments: 12, handle: 0, id: 0n, sector_number: 0n, seg }, new Uint8Array(112))).toThrow(/at most BLKIF_MAX_SEGMENTS_PER_REQUEST/);
  });

  it("has ring sizes 32 (blkif), 256 (netif tx and rx) and 128 (netif ctrl) on a 4 KiB page", () => {
    const size = <Q, S>(p: RingProtocol<Q, S>) => new FrontRing(new Uint8Array(4096), p).size;
    expect([size(blkifProtocol), size(netifTxProtocol), size(netifRxProtocol), size(xenNetifCtrlProtocol)]).toEqual([
      BLKIF_RING_SIZE, NETIF_TX_RING_SIZE, NETIF_RX_RING_SIZE, XEN_NETIF_CTRL_RING_SIZE,
    ]);
  });
});

describe("netif layouts", () => {
  it("writes netif_tx_request as gref, offset, flags, id, size (12 bytes)", () => {
    const b = new Uint8Array(12);
    netifTxRequest.encode({ gref: 0x100, offset: 2, flags: NETTXF_more_data, id: 5, size: 1514 }, b);
    expect(hex(b)).toBe("00010000" + "0200" + "0400" + "0500" + "ea05");
  });

  it("writes netif_rx_response with a signed status (length or NETIF_RSP_*)", () => {
    const b = new Uint8Array(8);
    netifRxResponse.encode({ id: 1, offset: 0, flags: 0, status: -2 }, b);
    expect(hex(b)).toBe("0100000000000000".slice(0, 12) + "feff");
    expect(() => netifRxResponse.encode({ id: 1, offset: 0, flags: 0, status: 40000 }, b)).toThrow(/does not fit i16/);
  });
});

describe("console ring (xencons_interface)", () => {
  it("wraps guest output at 2048 bytes and hands the backend exactly what was written", () => {
    const page = new Uint8Array(4096);
    const guest = new ConsoleInterface(page);
    const backend = new ConsoleInterface(page);
    expect(guest.writeOut(new Uint8Array(2000).fill(0x41))).toBe(2000);
    expect(backend.readOut()).toMatchObject({ ok: true });
    const msg = Uint8Array.from([104, 105, 10]);
    expect(guest.writeOut(new Uint8Array(100).fill(0x42))).toBe(100); // crosses the end of out[]
    expect(guest.writeOut(msg)).toBe(3);
    const r = backend.readOut();
    expect(r.ok && Array.from(r.bytes.subarray(100))).toEqual([104, 105, 10]);
    expect(guest.outProd).toBe(2103);
  });

  it("accepts no more input than in[] holds and reports a producer that ran past the ring", () => {
    const page = new Uint8Array(4096);
    const c = new ConsoleInterface(page);
    expect(c.writeIn(new Uint8Array(1500))).toBe(1024);
    new DataView(page.buffer).setUint32(3076, 5000, true);
    expect(c.readIn()).toEqual({ ok: false, error: "prod ahead of cons by more than the ring", prod: 5000, cons: 0 });
    c.setConnection(false);
    expect(page[3088]).toBe(XENCONSOLE_DISCONNECTED);
  });
});
