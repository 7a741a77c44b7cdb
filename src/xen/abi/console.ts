/**
 * Console ring page `struct xencons_interface`: the PV console's two byte rings.
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/console.h; offsets measured with
 * gcc on x86-64 (reference/xen.md §4.8). Not an io/ring.h slot ring: a byte stream per direction,
 * byte x at `x & (sizeof ring - 1)` (MASK_XENCONS_IDX), free-running u32 indices.
 */
export const XENCONS_LAYOUT = {
  /** IN char in[1024]: backend → guest (keyboard input). Written by the backend, read by the guest. */
  in: 0,
  /** OUT char out[2048]: guest → backend (console output). Written by the guest, read by the backend. */
  out: 1024,
  /** XENCONS_RING_IDX (u32) in_cons: guest advances after reading `in`. */
  in_cons: 3072,
  /** in_prod: backend advances after writing `in`. */
  in_prod: 3076,
  /** out_cons: backend advances after reading `out`. */
  out_cons: 3080,
  /** out_prod: guest advances after writing `out`. */
  out_prod: 3084,
  /** uint8_t connection: XENCONSOLE_CONNECTED / _DISCONNECTED, set by the backend. */
  connection: 3088,
} as const;

/** sizeof in[] and out[]. */
export const XENCONS_IN_SIZE = 1024;
export const XENCONS_OUT_SIZE = 2048;
/** sizeof(struct xencons_interface), measured: 3092 bytes (3089 rounded up to u32 alignment). */
export const XENCONS_INTERFACE_SIZE = 3092;

/** Backend → frontend: the console is serviced and emptied. */
export const XENCONSOLE_CONNECTED = 0;
/** The flag "starts as disconnected" (console.h comment); note it is 1, not 0. */
export const XENCONSOLE_DISCONNECTED = 1;

/** MASK_XENCONS_IDX(idx, ring): the slot of a free-running index in a ring of `size` bytes. */
export function MASK_XENCONS_IDX(idx: number, size: number): number {
  return idx & (size - 1);
}
