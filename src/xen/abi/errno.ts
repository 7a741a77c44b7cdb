/**
 * Xen's own errno values, returned negated by every hypercall (the first of the three Xen error
 * conventions; GNTST_* is in gnttab.ts and the XenStore strings in xs-wire.ts).
 * Source: xen-project/xen c447b7308b13, xen/include/public/errno.h (reference/xen.md §1.1).
 * These are Xen's numbers, not the host's: a guest compares against these, never against Linux errno.
 */
export const XenErrno = {
  XEN_EPERM: 1, // operation not permitted (XSM refused)
  XEN_ENOENT: 2, // no such entry (vCPU, physmap slot)
  XEN_ESRCH: 3, // no such domain
  XEN_EINTR: 4,
  XEN_EIO: 5,
  XEN_ENXIO: 6,
  XEN_E2BIG: 7,
  XEN_EBADF: 9,
  XEN_EAGAIN: 11,
  XEN_ENOMEM: 12,
  XEN_EACCES: 13, // e.g. domctl interface_version mismatch
  XEN_EFAULT: 14, // bad guest pointer (here: a missing argument object or array)
  XEN_EBUSY: 16,
  XEN_EEXIST: 17,
  XEN_ENODEV: 19,
  XEN_EISDIR: 21,
  XEN_EINVAL: 22,
  XEN_ENOSPC: 28,
  XEN_EROFS: 30,
  XEN_ERANGE: 34,
  XEN_ENOSYS: 38, // unknown hypercall or sub-op
  XEN_ENOTEMPTY: 39,
  XEN_ENODATA: 61,
  XEN_EOVERFLOW: 75,
  XEN_ERESTART: 85, // internal: hypercall continuation, never seen by a guest
  XEN_EOPNOTSUPP: 95,
  XEN_EISCONN: 106,
  XEN_ETIMEDOUT: 110,
} as const;
export type XenErrno = (typeof XenErrno)[keyof typeof XenErrno];

export const {
  XEN_EPERM, XEN_ENOENT, XEN_ESRCH, XEN_EINTR, XEN_EIO, XEN_ENXIO, XEN_E2BIG, XEN_EBADF, XEN_EAGAIN, XEN_ENOMEM, XEN_EACCES,
  XEN_EFAULT, XEN_EBUSY, XEN_EEXIST, XEN_ENODEV, XEN_EISDIR, XEN_EINVAL, XEN_ENOSPC, XEN_EROFS, XEN_ERANGE, XEN_ENOSYS,
  XEN_ENOTEMPTY, XEN_ENODATA, XEN_EOVERFLOW, XEN_ERESTART, XEN_EOPNOTSUPP, XEN_EISCONN, XEN_ETIMEDOUT,
} = XenErrno;

const names = new Map<number, string>(Object.entries(XenErrno).map(([k, v]) => [v, k.slice(4)]));

/** "-EINVAL" for -22, "0" for 0, the number itself for positive results: for tables and messages. */
export function errnoName(rc: number): string {
  if (rc >= 0) return String(rc);
  const name = names.get(-rc);
  return name === undefined ? String(rc) : `-${name}`;
}
