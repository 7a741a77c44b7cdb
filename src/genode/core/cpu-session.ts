/**
 * CPU session at core: threads of one PD (repos/base/include/cpu_session/cpu_session.h,
 * core cpu_session_component.h). CAP_QUOTA 6, Connection donates 36 KiB. Opcode modelled:
 * create_thread (counts threads; base-nova creates the EC when the PD's entrypoint is made).
 */
import type { CoreServiceSpec } from "./session-component.js";

export const cpuService: CoreServiceSpec = {
  name: "CPU",
  capQuota: 6,
  ramQuota: 36 * 1024,
  interfaceFor: (s) => [
    () => {
      s.data.threads = Number(s.data.threads ?? 0) + 1;
      return [Number(s.data.threads)];
    },
  ],
};
