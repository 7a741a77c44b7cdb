/**
 * NOVA microhypervisor (S14 + GF): what other layers and notebooks use. Everything else in this
 * folder is the kernel's inside.
 */
export { bootNova, Nova, KObjectHandle, type EcStateView } from "./nova.js";
export type { BootOptions } from "./boot.js";
export { hc, type GuestEntry, type ExceptionEntry } from "./calls.js";
export { crd, decodeCrd, encodeCrd, type Crd } from "./crd.js";
export { UtcbView } from "./utcb.js";
export type { SyscallResult } from "./state.js";
export type { HipInfo } from "./hip.js";
export type { Displayable } from "./inspect.js";
export {
  Hypercall, Status, Flag, MiscOp, PdOp, EcOp, ScOp, SemOp, CrdType, Perm, InitialPerm, Mtd, Item, ItemKind, Utcb, UtcbArch,
  Sel, Evt, GenodeSel, Config, Hip, USER_ADDR, NUM_SEL, NUM_PRIORITIES, identifier, qpd, statusNames, hypercallNames, type Regs,
} from "./abi.js";
