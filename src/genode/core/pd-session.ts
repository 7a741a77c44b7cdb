/**
 * PD session at core: a protection domain with its RAM and capability account
 * (repos/base/include/pd_session/pd_session.h; core pd_session_component.h). CAP_QUOTA 13,
 * Connection donates 24 KiB·sizeof(long) = 192 KiB on 64-bit (reference/genode.md §2.1, §4).
 * Opcodes modelled: ram_quota, used_ram, cap_quota, used_caps (answered from the session data).
 */
import type { CoreServiceSpec } from "./session-component.js";

export const PdOp = { ram_quota: 0, used_ram: 1, cap_quota: 2, used_caps: 3 } as const;

export const pdService: CoreServiceSpec = {
  name: "PD",
  capQuota: 13,
  ramQuota: 24 * 1024 * 8,
  interfaceFor: (s) => [
    () => [Number(s.data.ram ?? 0)],
    () => [Number(s.data.usedRam ?? 0)],
    () => [Number(s.data.caps ?? 0)],
    () => [Number(s.data.usedCaps ?? 0)],
  ],
};
