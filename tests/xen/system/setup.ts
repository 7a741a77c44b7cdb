import { createMachine } from "../../../src/index.js";

/** The guest the system tests build: one vif on xenbr0 and one disk. */
export const GUEST1_CFG = `name = "guest1"
memory = 16
vcpus = 1
vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]
disk = [ '/dev/vg/guest1,raw,xvda,rw' ]
`;

/** A two-CPU machine with Xen booted and `cfg` readable by `xl create guest1.cfg`. */
export function bootWithGuestConfig(cfg = GUEST1_CFG) {
  const m = createMachine({ cpus: 2, memory: "128M", seed: 7 });
  const xen = m.bootXen();
  xen.files.set("guest1.cfg", cfg);
  return { m, xen };
}
