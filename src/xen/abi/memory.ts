/**
 * Memory ABI: XENMEM_* sub-ops of __HYPERVISOR_memory_op (12).
 * Source: xen-project/xen c447b7308b13, xen/include/public/memory.h (reference/xen.md §1.5).
 * Reservation ops take `struct xen_memory_reservation` {extent_start (array of gfns / OUT mfns),
 * nr_extents, extent_order, mem_flags, domid} and return how many extents were done.
 */
export const XenMem = {
  /** Allocate extents; OUT extent_start[i] = frame (PV view). */
  XENMEM_increase_reservation: 0,
  /** Release the extents at extent_start[i] (gfns): ballooning out. */
  XENMEM_decrease_reservation: 1,
  /** Highest machine frame number. */
  XENMEM_maximum_ram_page: 2,
  /** arg: domid → tot_pages. */
  XENMEM_current_reservation: 3,
  /** arg: domid → max_pages. */
  XENMEM_maximum_reservation: 4,
  XENMEM_machphys_mfn_list: 5,
  /** Populate the gfns at extent_start[i] with fresh frames: ballooning in, domain build. */
  XENMEM_populate_physmap: 6,
  XENMEM_add_to_physmap: 7,
  // 8: translate_gpfn_list, removed
  XENMEM_memory_map: 9,
  XENMEM_machine_memory_map: 10,
  XENMEM_exchange: 11,
  XENMEM_machphys_mapping: 12,
  XENMEM_set_memory_map: 13,
  XENMEM_maximum_gpfn: 14,
  XENMEM_remove_from_physmap: 15,
  XENMEM_set_pod_target: 16,
  XENMEM_get_pod_target: 17,
  XENMEM_get_sharing_freed_pages: 18,
  XENMEM_get_sharing_shared_pages: 19,
  XENMEM_paging_op: 20,
  XENMEM_access_op: 21,
  XENMEM_sharing_op: 22,
  XENMEM_add_to_physmap_batch: 23,
  XENMEM_claim_pages: 24,
  XENMEM_machphys_compat_mfn_list: 25,
  XENMEM_get_vnumainfo: 26,
  XENMEM_reserved_device_memory_map: 27,
  XENMEM_acquire_resource: 28,
} as const;
export type XenMem = (typeof XenMem)[keyof typeof XenMem];
export const {
  XENMEM_increase_reservation, XENMEM_decrease_reservation, XENMEM_maximum_ram_page, XENMEM_current_reservation, XENMEM_maximum_reservation,
  XENMEM_populate_physmap, XENMEM_maximum_gpfn,
} = XenMem;

/**
 * Largest extent_order a guest may ask for: memop_max_order, domU default 9 (2 MiB),
 * control domain 18 (CONFIG_CTLDOM_MAX_ORDER); xen/common/memory.c, docs/misc/xen-command-line.pandoc.
 */
export const MEMOP_MAX_ORDER_DOMU = 9;
export const MEMOP_MAX_ORDER_CTLDOM = 18;
