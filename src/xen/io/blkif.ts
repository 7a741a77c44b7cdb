/**
 * blkif ring codecs: struct blkif_request / _discard / _indirect and struct blkif_response as
 * bytes in a ring slot, and the blkif ring protocol (112-byte slots, 32 per page).
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/blkif.h; layouts in ../abi/blkif.ts.
 */
import {
  BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST, BLKIF_MAX_SEGMENTS_PER_REQUEST, BLKIF_REQUEST, BLKIF_REQUEST_DISCARD,
  BLKIF_REQUEST_INDIRECT, BLKIF_RESPONSE, BLKIF_SEGMENT,
} from "../abi/blkif.js";
import { type RingProtocol, type StructCodec, structView } from "./ring.js";

export interface BlkifSegment { gref: number; first_sect: number; last_sect: number }

/** IN (front → back): a read/write/barrier/flush request. `seg` holds the first nr_segments entries. */
export interface BlkifRequest {
  operation: number;
  nr_segments: number;
  handle: number;
  id: bigint;
  sector_number: bigint;
  seg: BlkifSegment[];
}

/** OUT (back → front). */
export interface BlkifResponse { id: bigint; operation: number; status: number }

export interface BlkifRequestDiscard {
  operation: number; flag: number; handle: number; id: bigint; sector_number: bigint; nr_sectors: bigint;
}

export interface BlkifRequestIndirect {
  operation: number; indirect_op: number; nr_segments: number; id: bigint; sector_number: bigint; handle: number;
  indirect_grefs: number[];
}

/** Range check for an unsigned field; API misuse if it does not fit. */
export function checkUint(v: number, bits: 8 | 16 | 32, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new Error(`${what} = ${v} does not fit u${bits}`);
  return v;
}

function checkU64(v: bigint, what: string): bigint {
  if (v < 0n || v >= 1n << 64n) throw new Error(`${what} = ${v} does not fit u64`);
  return v;
}

export const blkifRequest: StructCodec<BlkifRequest> = {
  size: BLKIF_REQUEST.size,
  encode(r, into) {
    const v = structView(into, BLKIF_REQUEST.size, "struct blkif_request");
    if (r.seg.length > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
      throw new Error(`struct blkif_request: ${r.seg.length} segments, at most BLKIF_MAX_SEGMENTS_PER_REQUEST (11)`);
    }
    into.fill(0, 0, BLKIF_REQUEST.size);
    v.setUint8(BLKIF_REQUEST.operation, checkUint(r.operation, 8, "blkif_request.operation"));
    v.setUint8(BLKIF_REQUEST.nr_segments, checkUint(r.nr_segments, 8, "blkif_request.nr_segments"));
    v.setUint16(BLKIF_REQUEST.handle, checkUint(r.handle, 16, "blkif_request.handle"), true);
    v.setBigUint64(BLKIF_REQUEST.id, checkU64(r.id, "blkif_request.id"), true);
    v.setBigUint64(BLKIF_REQUEST.sector_number, checkU64(r.sector_number, "blkif_request.sector_number"), true);
    r.seg.forEach((s, i) => {
      const o = BLKIF_REQUEST.seg + i * BLKIF_SEGMENT.size;
      v.setUint32(o + BLKIF_SEGMENT.gref, checkUint(s.gref, 32, `seg[${i}].gref`), true);
      v.setUint8(o + BLKIF_SEGMENT.first_sect, checkUint(s.first_sect, 8, `seg[${i}].first_sect`));
      v.setUint8(o + BLKIF_SEGMENT.last_sect, checkUint(s.last_sect, 8, `seg[${i}].last_sect`));
    });
  },
  decode(from) {
    const v = structView(from, BLKIF_REQUEST.size, "struct blkif_request");
    const nr = v.getUint8(BLKIF_REQUEST.nr_segments);
    const seg: BlkifSegment[] = [];
    // A hostile nr_segments may exceed 11: decode only what the struct holds; blkback rejects the rest.
    for (let i = 0; i < Math.min(nr, BLKIF_MAX_SEGMENTS_PER_REQUEST); i++) {
      const o = BLKIF_REQUEST.seg + i * BLKIF_SEGMENT.size;
      seg.push({
        gref: v.getUint32(o + BLKIF_SEGMENT.gref, true),
        first_sect: v.getUint8(o + BLKIF_SEGMENT.first_sect),
        last_sect: v.getUint8(o + BLKIF_SEGMENT.last_sect),
      });
    }
    return {
      operation: v.getUint8(BLKIF_REQUEST.operation),
      nr_segments: nr,
      handle: v.getUint16(BLKIF_REQUEST.handle, true),
      id: v.getBigUint64(BLKIF_REQUEST.id, true),
      sector_number: v.getBigUint64(BLKIF_REQUEST.sector_number, true),
      seg,
    };
  },
};

export const blkifRequestDiscard: StructCodec<BlkifRequestDiscard> = {
  size: BLKIF_REQUEST_DISCARD.size,
  encode(r, into) {
    const v = structView(into, BLKIF_REQUEST_DISCARD.size, "struct blkif_request_discard");
    into.fill(0, 0, BLKIF_REQUEST_DISCARD.size);
    v.setUint8(BLKIF_REQUEST_DISCARD.operation, checkUint(r.operation, 8, "operation"));
    v.setUint8(BLKIF_REQUEST_DISCARD.flag, checkUint(r.flag, 8, "flag"));
    v.setUint16(BLKIF_REQUEST_DISCARD.handle, checkUint(r.handle, 16, "handle"), true);
    v.setBigUint64(BLKIF_REQUEST_DISCARD.id, checkU64(r.id, "id"), true);
    v.setBigUint64(BLKIF_REQUEST_DISCARD.sector_number, checkU64(r.sector_number, "sector_number"), true);
    v.setBigUint64(BLKIF_REQUEST_DISCARD.nr_sectors, checkU64(r.nr_sectors, "nr_sectors"), true);
  },
  decode(from) {
    const v = structView(from, BLKIF_REQUEST_DISCARD.size, "struct blkif_request_discard");
    return {
      operation: v.getUint8(BLKIF_REQUEST_DISCARD.operation),
      flag: v.getUint8(BLKIF_REQUEST_DISCARD.flag),
      handle: v.getUint16(BLKIF_REQUEST_DISCARD.handle, true),
      id: v.getBigUint64(BLKIF_REQUEST_DISCARD.id, true),
      sector_number: v.getBigUint64(BLKIF_REQUEST_DISCARD.sector_number, true),
      nr_sectors: v.getBigUint64(BLKIF_REQUEST_DISCARD.nr_sectors, true),
    };
  },
};

export const blkifRequestIndirect: StructCodec<BlkifRequestIndirect> = {
  size: BLKIF_REQUEST_INDIRECT.size,
  encode(r, into) {
    const v = structView(into, BLKIF_REQUEST_INDIRECT.size, "struct blkif_request_indirect");
    if (r.indirect_grefs.length > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST) {
      throw new Error(`struct blkif_request_indirect: ${r.indirect_grefs.length} indirect_grefs, at most 8`);
    }
    into.fill(0, 0, BLKIF_REQUEST_INDIRECT.size);
    v.setUint8(BLKIF_REQUEST_INDIRECT.operation, checkUint(r.operation, 8, "operation"));
    v.setUint8(BLKIF_REQUEST_INDIRECT.indirect_op, checkUint(r.indirect_op, 8, "indirect_op"));
    v.setUint16(BLKIF_REQUEST_INDIRECT.nr_segments, checkUint(r.nr_segments, 16, "nr_segments"), true);
    v.setBigUint64(BLKIF_REQUEST_INDIRECT.id, checkU64(r.id, "id"), true);
    v.setBigUint64(BLKIF_REQUEST_INDIRECT.sector_number, checkU64(r.sector_number, "sector_number"), true);
    v.setUint16(BLKIF_REQUEST_INDIRECT.handle, checkUint(r.handle, 16, "handle"), true);
    r.indirect_grefs.forEach((g, i) => v.setUint32(BLKIF_REQUEST_INDIRECT.indirect_grefs + 4 * i, checkUint(g, 32, "gref"), true));
  },
  decode(from) {
    const v = structView(from, BLKIF_REQUEST_INDIRECT.size, "struct blkif_request_indirect");
    const indirect_grefs: number[] = [];
    for (let i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++) {
      indirect_grefs.push(v.getUint32(BLKIF_REQUEST_INDIRECT.indirect_grefs + 4 * i, true));
    }
    return {
      operation: v.getUint8(BLKIF_REQUEST_INDIRECT.operation),
      indirect_op: v.getUint8(BLKIF_REQUEST_INDIRECT.indirect_op),
      nr_segments: v.getUint16(BLKIF_REQUEST_INDIRECT.nr_segments, true),
      id: v.getBigUint64(BLKIF_REQUEST_INDIRECT.id, true),
      sector_number: v.getBigUint64(BLKIF_REQUEST_INDIRECT.sector_number, true),
      handle: v.getUint16(BLKIF_REQUEST_INDIRECT.handle, true),
      indirect_grefs,
    };
  },
};

export const blkifResponse: StructCodec<BlkifResponse> = {
  size: BLKIF_RESPONSE.size,
  encode(r, into) {
    const v = structView(into, BLKIF_RESPONSE.size, "struct blkif_response");
    if (!Number.isInteger(r.status) || r.status < -0x8000 || r.status > 0x7fff) throw new Error(`blkif_response.status = ${r.status} does not fit i16`);
    into.fill(0, 0, BLKIF_RESPONSE.size);
    v.setBigUint64(BLKIF_RESPONSE.id, checkU64(r.id, "blkif_response.id"), true);
    v.setUint8(BLKIF_RESPONSE.operation, checkUint(r.operation, 8, "blkif_response.operation"));
    v.setInt16(BLKIF_RESPONSE.status, r.status, true);
  },
  decode(from) {
    const v = structView(from, BLKIF_RESPONSE.size, "struct blkif_response");
    return {
      id: v.getBigUint64(BLKIF_RESPONSE.id, true),
      operation: v.getUint8(BLKIF_RESPONSE.operation),
      status: v.getInt16(BLKIF_RESPONSE.status, true),
    };
  },
};

/**
 * DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response): 112-byte slots.
 * Discard and indirect requests share the slot: a back end takes the copied bytes with
 * consumeRequestBytes, looks at byte 0 (operation) and decodes with blkifRequestDiscard /
 * blkifRequestIndirect; a front end writes them with produceRequestBytes.
 */
export const blkifProtocol: RingProtocol<BlkifRequest, BlkifResponse> = {
  name: "blkif",
  request: blkifRequest,
  response: blkifResponse,
};
