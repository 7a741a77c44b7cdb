/**
 * Grant table ABI: GNTTABOP_* sub-ops of __HYPERVISOR_grant_table_op (20), entry flags (GTF_*),
 * mapping flags (GNTMAP_*), copy flags, and the per-op status codes GNTST_* with their messages.
 * Source: xen-project/xen c447b7308b13, xen/include/public/grant_table.h (reference/xen.md §1.3, §3).
 * Call: grant_table_op(cmd, array, count) — an array of per-op structs; each gets its own `status`.
 */
export const GnttabOp = {
  /** IN host_addr, flags (GNTMAP_*), ref, dom → OUT status, handle, dev_bus_addr. */
  GNTTABOP_map_grant_ref: 0,
  /** IN host_addr, dev_bus_addr, handle → OUT status. */
  GNTTABOP_unmap_grant_ref: 1,
  /** IN dom, nr_frames → OUT status, frame_list. */
  GNTTABOP_setup_table: 2,
  /** IN dom → OUT status (prints the table on Xen's console). */
  GNTTABOP_dump_table: 3,
  /** IN mfn, domid, ref → OUT status (PV only; not modelled). */
  GNTTABOP_transfer: 4,
  /** IN source{u.ref|u.gmfn, domid, offset}, dest{…}, len, flags → OUT status. */
  GNTTABOP_copy: 5,
  /** IN dom → OUT nr_frames, max_nr_frames, status. */
  GNTTABOP_query_size: 6,
  /** IN host_addr, new_addr, handle → OUT status (PV only; not modelled). */
  GNTTABOP_unmap_and_replace: 7,
  /** IN/OUT version (1 or 2). */
  GNTTABOP_set_version: 8,
  /** v2: IN nr_frames, dom → OUT status, frame_list (status frames). */
  GNTTABOP_get_status_frames: 9,
  /** IN dom → OUT version. */
  GNTTABOP_get_version: 10,
  /** IN ref_a, ref_b → OUT status (swap two unused entries). */
  GNTTABOP_swap_grant_ref: 11,
  /** IN a.dev_bus_addr|a.ref, offset, length, op → OUT none (Arm cache maintenance; not modelled). */
  GNTTABOP_cache_flush: 12,
} as const;
export type GnttabOp = (typeof GnttabOp)[keyof typeof GnttabOp];
export const {
  GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref, GNTTABOP_setup_table, GNTTABOP_dump_table, GNTTABOP_transfer, GNTTABOP_copy,
  GNTTABOP_query_size, GNTTABOP_unmap_and_replace, GNTTABOP_set_version, GNTTABOP_get_status_frames, GNTTABOP_get_version,
  GNTTABOP_swap_grant_ref, GNTTABOP_cache_flush,
} = GnttabOp;

/** `GTF_*`: grant entry flags. Type in bits 0–1; sub-flags above. */
export const Gtf = {
  GTF_invalid: 0,
  GTF_permit_access: 1,
  GTF_accept_transfer: 2,
  GTF_transitive: 3, // v2 only
  GTF_type_mask: 3,
  GTF_readonly: 1 << 2, // set by the granter: no writable mappings
  GTF_reading: 1 << 3, // set by Xen while the grant is pinned
  GTF_writing: 1 << 4, // set by Xen while the grant is pinned writable
  GTF_PWT: 1 << 5,
  GTF_PCD: 1 << 6,
  GTF_PAT: 1 << 7,
  GTF_sub_page: 1 << 8, // v2 only: copy-only sub-page grant
  GTF_transfer_committed: 1 << 2,
  GTF_transfer_completed: 1 << 3,
} as const;
export const {
  GTF_invalid, GTF_permit_access, GTF_accept_transfer, GTF_transitive, GTF_type_mask, GTF_readonly, GTF_reading, GTF_writing, GTF_sub_page,
} = Gtf;

/** `GNTMAP_*`: map flags. */
export const Gntmap = {
  GNTMAP_device_map: 1 << 0,
  GNTMAP_host_map: 1 << 1,
  GNTMAP_readonly: 1 << 2,
  GNTMAP_application_map: 1 << 3,
  GNTMAP_contains_pte: 1 << 4,
  GNTMAP_guest_avail_mask: 0xffff0000 >>> 0, // bits 16+ are the guest's own PTE bits
} as const;
export const { GNTMAP_device_map, GNTMAP_host_map, GNTMAP_readonly, GNTMAP_application_map, GNTMAP_contains_pte } = Gntmap;

/** `GNTCOPY_*`: which side of a copy is named by grant reference rather than frame. */
export const Gntcopy = { GNTCOPY_source_gref: 1 << 0, GNTCOPY_dest_gref: 1 << 1 } as const;
export const { GNTCOPY_source_gref, GNTCOPY_dest_gref } = Gntcopy;

/**
 * `GNTST_*`: per-op status written into each op struct (not the hypercall's return value).
 * Messages are GNTTABOP_error_msgs, indexed by −status.
 */
export const Gntst = {
  GNTST_okay: 0,
  GNTST_general_error: -1,
  GNTST_bad_domain: -2,
  GNTST_bad_gntref: -3,
  GNTST_bad_handle: -4,
  GNTST_bad_virt_addr: -5,
  GNTST_bad_dev_addr: -6,
  GNTST_no_device_space: -7,
  GNTST_permission_denied: -8,
  GNTST_bad_page: -9,
  GNTST_bad_copy_arg: -10,
  GNTST_address_too_big: -11,
  GNTST_eagain: -12,
  GNTST_no_space: -13,
} as const;
export type Gntst = (typeof Gntst)[keyof typeof Gntst];
export const {
  GNTST_okay, GNTST_general_error, GNTST_bad_domain, GNTST_bad_gntref, GNTST_bad_handle, GNTST_bad_virt_addr, GNTST_bad_dev_addr,
  GNTST_no_device_space, GNTST_permission_denied, GNTST_bad_page, GNTST_bad_copy_arg, GNTST_address_too_big, GNTST_eagain, GNTST_no_space,
} = Gntst;

export const GNTTABOP_error_msgs: readonly string[] = [
  "okay",
  "undefined error",
  "unrecognised domain id",
  "invalid grant reference",
  "invalid mapping handle",
  "invalid virtual address",
  "invalid device address",
  "no spare translation slot in the I/O MMU",
  "permission denied",
  "bad page",
  "copy arguments cross page boundary",
  "page address size too large",
  "operation not done; try again",
  "out of space",
];

/** Entry sizes and limits. v1 entry 8 B (flags u16, domid u16, frame u32); v2 entry 16 B; status u16. */
export const GnttabLayout = {
  v1_entry_size: 8,
  v2_entry_size: 16,
  status_size: 2,
  /** GNTTAB_NR_RESERVED_ENTRIES: ref 0 = console, ref 1 = xenstore ring (filled by the domain builder). */
  GNTTAB_NR_RESERVED_ENTRIES: 8,
  GNTTAB_RESERVED_CONSOLE: 0,
  GNTTAB_RESERVED_XENSTORE: 1,
  /** gnttab_max_frames default since 4.10 (32 before); xen/common/grant_table.c. */
  default_max_grant_frames: 64,
  /** gnttab_max_maptrack_frames default; a maptrack entry is 16 B, so 256 handles per frame. */
  default_max_maptrack_frames: 1024,
  maptrack_per_frame: 256,
} as const;
