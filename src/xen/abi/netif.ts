/**
 * Network interface (netif): flags, status codes, limits and the byte layout of the tx, rx and
 * control rings' requests and responses (x86-64).
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/netif.h (reference/xen.md §5.4).
 * Offsets and sizes were measured by compiling the header with gcc on x86-64.
 */

/** `NETTXF_*`: netif_tx_request.flags. */
export const NETTXF_csum_blank = 1 << 0; // protocol checksum field is blank (offload)
export const NETTXF_data_validated = 1 << 1; // data validated against the protocol checksum
export const NETTXF_more_data = 1 << 2; // packet continues in the next request
export const NETTXF_extra_info = 1 << 3; // followed by netif_extra_info slot(s)

/** `NETRXF_*`: netif_rx_response.flags. Note csum_blank / data_validated swap bits with NETTXF. */
export const NETRXF_data_validated = 1 << 0;
export const NETRXF_csum_blank = 1 << 1;
export const NETRXF_more_data = 1 << 2;
export const NETRXF_extra_info = 1 << 3;
export const NETRXF_gso_prefix = 1 << 4; // deprecated, kept for compatibility

/** `NETIF_RSP_*`: tx response status; an rx response's status is a length when positive. */
export const NetifRsp = {
  NETIF_RSP_DROPPED: -2,
  NETIF_RSP_ERROR: -1,
  NETIF_RSP_OKAY: 0,
  /** No response: used for auxiliary requests (netif_extra_info slots). */
  NETIF_RSP_NULL: 1,
} as const;
export type NetifRsp = (typeof NetifRsp)[keyof typeof NetifRsp];
export const { NETIF_RSP_DROPPED, NETIF_RSP_ERROR, NETIF_RSP_OKAY, NETIF_RSP_NULL } = NetifRsp;

/** `XEN_NETIF_EXTRA_TYPE_*`: netif_extra_info.type. */
export const XenNetifExtraType = {
  XEN_NETIF_EXTRA_TYPE_NONE: 0, // never used: invalid
  XEN_NETIF_EXTRA_TYPE_GSO: 1, // u.gso
  XEN_NETIF_EXTRA_TYPE_MCAST_ADD: 2, // u.mcast
  XEN_NETIF_EXTRA_TYPE_MCAST_DEL: 3, // u.mcast
  XEN_NETIF_EXTRA_TYPE_HASH: 4, // u.hash
  XEN_NETIF_EXTRA_TYPE_MAX: 5,
} as const;
export const XEN_NETIF_EXTRA_FLAG_MORE = 1 << 0;
export const XEN_NETIF_GSO_TYPE_NONE = 0;
export const XEN_NETIF_GSO_TYPE_TCPV4 = 1;
export const XEN_NETIF_GSO_TYPE_TCPV6 = 2;

/** A backend must accept packets spanning at least this many tx slots. */
export const XEN_NETIF_NR_SLOTS_MIN = 18;
export const XEN_NETIF_MAX_TX_SIZE = 0xffff;

/** `XEN_NETIF_CTRL_TYPE_*`: xen_netif_ctrl_request.type. */
export const XenNetifCtrlType = {
  XEN_NETIF_CTRL_TYPE_INVALID: 0,
  XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS: 1,
  XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS: 2,
  XEN_NETIF_CTRL_TYPE_SET_HASH_KEY: 3,
  XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE: 4,
  XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE: 5,
  XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING: 6,
  XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM: 7,
  XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE: 8,
  XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING: 9,
  XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING: 10,
} as const;
/** `XEN_NETIF_CTRL_STATUS_*`: xen_netif_ctrl_response.status. */
export const XenNetifCtrlStatus = {
  XEN_NETIF_CTRL_STATUS_SUCCESS: 0,
  XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED: 1,
  XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER: 2,
  XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW: 3,
} as const;

/** struct netif_tx_request (12 B): gref u32 @0, offset u16 @4, flags u16 @6, id u16 @8, size u16 @10. */
export const NETIF_TX_REQUEST = { gref: 0, offset: 4, flags: 6, id: 8, size_: 10, size: 12 } as const;
/** struct netif_tx_response (4 B): id u16 @0, status i16 @2. */
export const NETIF_TX_RESPONSE = { id: 0, status: 2, size: 4 } as const;
/** struct netif_rx_request (8 B): id u16 @0 (echoed), pad u16 @2, gref u32 @4. */
export const NETIF_RX_REQUEST = { id: 0, gref: 4, size: 8 } as const;
/** struct netif_rx_response (8 B): id u16 @0, offset u16 @2, flags u16 @4, status i16 @6 (−errno or length). */
export const NETIF_RX_RESPONSE = { id: 0, offset: 2, flags: 4, status: 6, size: 8 } as const;
/**
 * struct netif_extra_info (8 B, fits a tx request and an rx response slot): type u8 @0, flags u8 @1,
 * union u @2: gso {size u16 @2, type u8 @4, pad u8 @5, features u16 @6} | mcast {addr[6] @2} |
 * hash {type u8 @2, algorithm u8 @3, value[4] @4}.
 */
export const NETIF_EXTRA_INFO = { type: 0, flags: 1, u: 2, size: 8 } as const;
/** struct xen_netif_ctrl_request (16 B): id u16 @0, type u16 @2, data[3] u32 @4. */
export const XEN_NETIF_CTRL_REQUEST = { id: 0, type: 2, data: 4, size: 16 } as const;
/** struct xen_netif_ctrl_response (12 B): id u16 @0, type u16 @2, status u32 @4, data u32 @8. */
export const XEN_NETIF_CTRL_RESPONSE = { id: 0, type: 2, status: 4, data: 8, size: 12 } as const;

/** Slot sizes (union of request and response) and __CONST_RING_SIZE(…, 4096), measured. */
export const NETIF_TX_SLOT_SIZE = 12;
export const NETIF_TX_RING_SIZE = 256;
export const NETIF_RX_SLOT_SIZE = 8;
export const NETIF_RX_RING_SIZE = 256;
export const XEN_NETIF_CTRL_SLOT_SIZE = 16;
export const XEN_NETIF_CTRL_RING_SIZE = 128;
