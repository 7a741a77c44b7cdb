/**
 * ROM session at core: read-only boot modules (binaries, configs) by name = last label element
 * (repos/base/src/core/include/rom_session_component.h, rom_fs.h). Interface
 * repos/base/include/rom_session/rom_session.h: dataspace(), update(), sigh(); CAP_QUOTA 3,
 * Connection donates 6 KiB. A module unknown to core denies the session (`Service_denied`),
 * which the client reports as `could not open ROM session for "<label>"`.
 */
import type { CoreServiceSpec } from "./session-component.js";

export const RomOp = { dataspace: 0, update: 1, sigh: 2 } as const;

export function romService(size: (module: string) => number | undefined): CoreServiceSpec {
  return {
    name: "ROM",
    capQuota: 3,
    ramQuota: 6 * 1024,
    interfaceFor: (s) => [
      () => [size(String(s.data.module)) ?? 0],
      () => [0],
      () => [],
    ],
  };
}
