/**
 * The remaining core services: RM (managed dataspaces), IO_MEM, IO_PORT, IRQ (device access),
 * TRACE and VM. Their contracts are from repos/base/include/<x>_session/*.h and
 * repos/base-nova/src/core/platform_services.cc (VM and IO_PORT on NOVA), genodelabs/genode
 * ffb059da; reference/genode.md §2.1. No scenario here uses their RPCs beyond opening a session,
 * so each answers a single `info` opcode with its session id; what matters is their quota.
 */
import type { CoreServiceSpec } from "./session-component.js";

const K = 1024;

function contract(name: string, capQuota: number, ramQuota: number): CoreServiceSpec {
  return { name, capQuota, ramQuota, interfaceFor: (s) => [() => [s.id]] };
}

export const rmService = contract("RM", 2, 64 * K);
export const ioMemService = contract("IO_MEM", 3, 6 * K);
export const ioPortService = contract("IO_PORT", 2, 6 * K);
export const irqService = contract("IRQ", 3, 6 * K);
export const traceService = contract("TRACE", 6, 10 * K);
export const vmService = contract("VM", 10, 5 * K * K);
