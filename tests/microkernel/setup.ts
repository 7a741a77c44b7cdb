import { createMachine } from "../../src/index.js";
import type { MachineOptions } from "../../src/machine/index.js";
import { Status, type Nova } from "../../src/microkernel/index.js";

export function boot(options: MachineOptions = {}): { m: ReturnType<typeof createMachine>; nova: Nova } {
  const m = createMachine({ memory: "64M", ...options });
  return { m, nova: m.bootNova() };
}

/** A PD at `pd` with a local EC at pd+1 (UTCB at 0x1000) and a portal at pd+2 entering it at `ip`. */
export function server(nova: Nova, pd = 0x40, ip = 0x5000): void {
  if (nova.createPd(pd, 0x20) !== Status.SUCCESS) throw new Error("create_pd");
  if (nova.createEc(pd + 1, pd, { utcb: 0x1000n }) !== Status.SUCCESS) throw new Error("create_ec");
  if (nova.createPt(pd + 2, pd, pd + 1, 0, ip) !== Status.SUCCESS) throw new Error("create_pt");
}

export { Status };
