/**
 * XenStore wire protocol ABI: message types, error strings, limits and the ring page layout.
 * Models Xen 4.22 (tag RELEASE-4.22.0 of xen-project/xen). Every table gives its source file;
 * names are spelled as xs_wire.h spells them so that a grep for the C name finds the code.
 * Reference: /work/shared/reference/xen.md §4.1–§4.2.
 */

/**
 * `enum xsd_sockmsg_type`. Source: xen/include/public/io/xs_wire.h@RELEASE-4.22.0.
 * Types 23–26 entered xs_wire.h for 4.21 (commit 0fd49cc7db).
 */
export const XsType = {
  XS_CONTROL: 0, // XS_DEBUG is a deprecated alias; privileged
  XS_DIRECTORY: 1,
  XS_READ: 2,
  XS_GET_PERMS: 3,
  XS_WATCH: 4,
  XS_UNWATCH: 5,
  XS_TRANSACTION_START: 6,
  XS_TRANSACTION_END: 7,
  XS_INTRODUCE: 8, // privileged
  XS_RELEASE: 9, // privileged
  XS_GET_DOMAIN_PATH: 10,
  XS_WRITE: 11,
  XS_MKDIR: 12,
  XS_RM: 13,
  XS_SET_PERMS: 14,
  XS_WATCH_EVENT: 15, // server -> client only
  XS_ERROR: 16, // server -> client only
  XS_IS_DOMAIN_INTRODUCED: 17, // privileged
  XS_RESUME: 18, // privileged
  XS_SET_TARGET: 19, // privileged
  // 20: XS_RESTRICT, removed; the value is invalid (ENOSYS)
  XS_RESET_WATCHES: 21,
  XS_DIRECTORY_PART: 22,
  XS_GET_FEATURE: 23,
  XS_SET_FEATURE: 24, // privileged
  XS_GET_QUOTA: 25, // privileged
  XS_SET_QUOTA: 26, // privileged
  XS_TYPE_COUNT: 27, // number of valid types, not a type
  XS_INVALID: 0xffff, // guaranteed to remain invalid
} as const;
export type XsType = (typeof XsType)[keyof typeof XsType];
export const XS_DEBUG = XsType.XS_CONTROL;

/** Short name of a message type ("WRITE" for XS_WRITE), as tools/xenstored/core.c `wire_funcs` prints it. */
export function xsTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? "**UNKNOWN**";
}
const TYPE_NAMES = new Map<number, string>(
  Object.entries(XsType).filter(([n]) => n !== "XS_TYPE_COUNT").map(([n, v]) => [v, n.slice(3)]),
);

/**
 * `xsd_errors[]`: the errno names sent as XS_ERROR payloads, in table order. Source: xs_wire.h@RELEASE-4.22.0
 * ("New errors should be added at the end of the array"; EPERM was appended in 2022).
 * An errno missing from the table is sent as "EINVAL" (core.c `send_error`).
 */
export const XSD_ERRORS = [
  "EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM", "ENOSPC", "EIO",
  "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG", "EPERM",
] as const;
export type XsdError = (typeof XSD_ERRORS)[number];

/** Size of `struct xsd_sockmsg` (type, req_id, tx_id, len: four little-endian u32). Source: xs_wire.h. */
export const XSD_SOCKMSG_SIZE = 16;

/** Limits. Source: xs_wire.h@RELEASE-4.22.0. */
export const XENSTORE_PAYLOAD_MAX = 4096; // both directions; a client exceeding it is cut off
export const XENSTORE_ABS_PATH_MAX = 3072;
export const XENSTORE_REL_PATH_MAX = 2048; // also the default `path-max` quota

/**
 * `struct xenstore_domain_interface`, byte offsets in the 4 KiB ring page (xs_wire.h; offsets are
 * the C layout: two 1024-byte arrays followed by u32 fields, reference §4.2, measured).
 */
export const XENSTORE_RING_SIZE = 1024;
export const XsRingOffset = {
  req: 0, // char req[XENSTORE_RING_SIZE]: requests to xenstored
  rsp: 1024, // char rsp[XENSTORE_RING_SIZE]: replies and watch events
  req_cons: 2048,
  req_prod: 2052,
  rsp_cons: 2056,
  rsp_prod: 2060,
  server_features: 2064,
  connection: 2068,
  error: 2072,
  evtchn_port: 2076, // 4.21+: filled by Xen for dom0less; used only if non-zero
} as const;
export const XENSTORE_PAGE_SIZE = 4096;

/** `server_features` bits. Source: xs_wire.h@RELEASE-4.22.0. */
export const XENSTORE_SERVER_FEATURE_RECONNECTION = 1;
export const XENSTORE_SERVER_FEATURE_ERROR = 2;
export const XENSTORE_SERVER_FEATURE_WATCHDEPTH = 4; // 4.22
export const XENSTORE_SERVER_FEATURE_DOMID_ANY = 8; // 4.22
/**
 * What C xenstored offers (tools/xenstored/domain.c `XENSTORE_FEATURES`@RELEASE-4.22.0): ERROR |
 * WATCHDEPTH | DOMID_ANY. RECONNECTION is not offered by C xenstored (oxenstored offers it).
 */
export const XENSTORE_FEATURES =
  XENSTORE_SERVER_FEATURE_ERROR | XENSTORE_SERVER_FEATURE_WATCHDEPTH | XENSTORE_SERVER_FEATURE_DOMID_ANY;

/** `connection` field values. Source: xs_wire.h. */
export const XENSTORE_CONNECTED = 0;
export const XENSTORE_RECONNECT = 1;

/** `error` field values. Source: xs_wire.h. */
export const XENSTORE_ERROR_NONE = 0;
export const XENSTORE_ERROR_COMM = 1;
export const XENSTORE_ERROR_RINGIDX = 2;
export const XENSTORE_ERROR_PROTO = 3;

/**
 * Domain ids xenstored treats specially. Source: xen/include/public/xen.h@RELEASE-4.22.0.
 * Kept here until src/xen/abi/xen.ts exports them.
 */
export const DOMID_SELF = 0x7ff0;
export const DOMID_ANY = 0x7ff5; // in a node permission: every domain (4.22, feature DOMID_ANY)

/** `struct xs_permissions` bits. Source: tools/include/xenstore_lib.h@RELEASE-4.22.0. */
export const XS_PERM_NONE = 0x00;
export const XS_PERM_READ = 0x01;
export const XS_PERM_WRITE = 0x02;
export const XS_PERM_ENOENT_OK = 0x04; // internal to xenstored
export const XS_PERM_OWNER = 0x08; // internal: owner or privileged
export const XS_PERM_IGNORE = 0x10; // internal: entry for a dead or unknown domain
