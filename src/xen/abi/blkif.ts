/**
 * Block device interface (blkif): request codes, status codes, limits and the byte layout of
 * requests and responses on the blkif ring (x86-64).
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/blkif.h (reference/xen.md §5.4).
 * Offsets and sizes were measured by compiling the header with gcc on x86-64 (sizeof/offsetof).
 */

/** `BLKIF_OP_*`: struct blkif_request.operation. */
export const BlkifOp = {
  BLKIF_OP_READ: 0,
  BLKIF_OP_WRITE: 1,
  /** Writes before it complete before it; writes after wait for it. Optional (feature-barrier). */
  BLKIF_OP_WRITE_BARRIER: 2,
  /** Commit the device's volatile cache to stable storage. Optional (feature-flush-cache). */
  BLKIF_OP_FLUSH_DISKCACHE: 3,
  /** Reserved for a SLES device-specific command packet. */
  BLKIF_OP_RESERVED_1: 4,
  /** Region no longer in use (trim/unmap); uses struct blkif_request_discard. Optional (feature-discard). */
  BLKIF_OP_DISCARD: 5,
  /** Segments listed in granted indirect pages; uses struct blkif_request_indirect. */
  BLKIF_OP_INDIRECT: 6,
} as const;
export type BlkifOp = (typeof BlkifOp)[keyof typeof BlkifOp];
export const {
  BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_WRITE_BARRIER, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_RESERVED_1,
  BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT,
} = BlkifOp;

/** `BLKIF_RSP_*`: struct blkif_response.status (int16). */
export const BlkifRsp = {
  /** Operation not supported (only happens on barrier writes). */
  BLKIF_RSP_EOPNOTSUPP: -2,
  /** Operation failed for some unspecified reason (-EIO). */
  BLKIF_RSP_ERROR: -1,
  BLKIF_RSP_OKAY: 0,
} as const;
export type BlkifRsp = (typeof BlkifRsp)[keyof typeof BlkifRsp];
export const { BLKIF_RSP_EOPNOTSUPP, BLKIF_RSP_ERROR, BLKIF_RSP_OKAY } = BlkifRsp;

/** "Carefully chosen so that sizeof(blkif_ring_t) <= PAGE_SIZE" (12 if the indices lived elsewhere). */
export const BLKIF_MAX_SEGMENTS_PER_REQUEST = 11;
export const BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST = 8;
/** blkif_request_discard.flag: discarded data must become unrecoverable. */
export const BLKIF_DISCARD_SECURE = 1 << 0;
/** `info` node bits. */
export const VDISK_CDROM = 0x1;
export const VDISK_REMOVABLE = 0x2;
export const VDISK_READONLY = 0x4;
/** first_sect/last_sect and sector_number count 512-byte units whatever `sector-size` says. */
export const BLKIF_SECTOR_BYTES = 512;

/** struct blkif_request_segment (8 B): gref u32 @0, first_sect u8 @4, last_sect u8 @5, pad 2. */
export const BLKIF_SEGMENT = { gref: 0, first_sect: 4, last_sect: 5, size: 8 } as const;

/**
 * struct blkif_request (112 B): operation u8 @0, nr_segments u8 @1, handle (blkif_vdev_t, u16) @2,
 * pad 4, id u64 @8, sector_number u64 @16, seg[11] @24.
 */
export const BLKIF_REQUEST = { operation: 0, nr_segments: 1, handle: 2, id: 8, sector_number: 16, seg: 24, size: 112 } as const;

/**
 * struct blkif_request_discard (32 B): operation u8 @0, flag u8 @1, handle u16 @2, pad 4, id u64 @8,
 * sector_number u64 @16, nr_sectors u64 @24.
 */
export const BLKIF_REQUEST_DISCARD = { operation: 0, flag: 1, handle: 2, id: 8, sector_number: 16, nr_sectors: 24, size: 32 } as const;

/**
 * struct blkif_request_indirect (64 B on x86-64): operation u8 @0, indirect_op u8 @1, nr_segments
 * u16 @2, pad 4, id u64 @8, sector_number u64 @16, handle u16 @24, pad 2, indirect_grefs[8] @28,
 * tail pad 4 (the i386-only `pad` field is absent on x86-64).
 */
export const BLKIF_REQUEST_INDIRECT = {
  operation: 0, indirect_op: 1, nr_segments: 2, id: 8, sector_number: 16, handle: 24, indirect_grefs: 28, size: 64,
} as const;

/** struct blkif_response (16 B): id u64 @0, operation u8 @8, pad 1, status i16 @10, pad 4. */
export const BLKIF_RESPONSE = { id: 0, operation: 8, status: 10, size: 16 } as const;

/** A blkif ring slot is the union of request and response: 112 B; __CONST_RING_SIZE(blkif, 4096) = 32. */
export const BLKIF_SLOT_SIZE = 112;
export const BLKIF_RING_SIZE = 32;
