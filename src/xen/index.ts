/**
 * Xen hypervisor model: what other layers and notebooks use. XenStore (./xenstore) is plugged in by
 * the boot code separately.
 */
export { Xen, bootXen, type CreateDomainOptions, type XenEntry } from "./xen.js";
export { XenGuest, SharedInfoView, VcpuInfoView, GrantTableView } from "./guest.js";
export { DomainView, type MimeBundle } from "./inspect.js";
export { Dom0Linux, ioPathComponents, XEN_COMPONENTS, DOM0_LINUX_OPERATIONS, type XenComponent, type XenComponentName, type Dom0LinuxOperation, type IoPathDependency } from "./dom0-linux.js";
export { XenstoreTree, XlListView, DeviceTimeline, RingTable, type RingOccupancy } from "./toolstack/index.js";
export type { SystemOptions } from "./toolstack/index.js";
export type { DomainInfo } from "./domain-info.js";
export type { XenState, DomainState, VcpuState, DomId, Port, GrantRef, Gfn, Mfn } from "./state.js";
export * from "./abi/xen.js";
export * from "./abi/errno.js";
export * from "./abi/evtchn.js";
export * from "./abi/gnttab.js";
export * from "./abi/sched.js";
export * from "./abi/memory.js";
export * from "./abi/domctl.js";
export * from "./abi/vcpu.js";
