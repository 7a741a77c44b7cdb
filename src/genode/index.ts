/**
 * Genode: core, init and components over a kernel interface (base-nova now, base-xen with the
 * scenarios issue). What other layers use.
 */
export { Genode, bootGenode, type GenodeOptions } from "./genode.js";
export type { Kernel, KernelPd, KernelThread, Capability, Msgbuf, CostBreakdown, KernelError } from "./kernel.js";
export { NovaPlatform } from "./base-nova/platform.js";
export { novaPort, type NovaPort } from "./base-nova/nova-port.js";
export { Core, CORE_PRESERVED_RAM, CORE_PRESERVED_CAPS } from "./core/core.js";
export { PROGRAMS, type Program } from "./programs.js";
export type { TcbSet, TcbMember } from "./tcb.js";
export type { Component, Env, Connection } from "./component.js";
export { Init } from "./init/index.js";
