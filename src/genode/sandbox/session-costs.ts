/**
 * What a `Connection` donates when a component opens a session: `ram_quota` and `cap_quota` per
 * service, 64-bit. Core services from repos/base/include/<x>_session/connection.h, the others from
 * repos/os/include/<x>_session/connection.h (genodelabs/genode ffb059da); reference/genode.md
 * §2.1–§2.2. Buffer sizes are the connections' defaults.
 */
import { CoreSessionCosts } from "../init/quota.js";

const K = 1024;

/** §2.2: CAP_QUOTA and default RAM donation of the non-core session types. */
export const OtherSessionCosts: Readonly<Record<string, { ram: number; caps: number }>> = {
  Timer: { ram: 10 * K, caps: 2 },
  Nic: { ram: 32 * K * 8 + 2 * 64 * K, caps: 8 }, // + tx and rx packet buffers (nic_session/connection.h defaults)
  Uplink: { ram: 32 * K * 8 + 2 * 64 * K, caps: 8 },
  Block: { ram: 14 * K + 128 * K, caps: 5 }, // + default tx buffer 128 KiB
  File_system: { ram: 8 * K * 8 + 128 * K, caps: 12 }, // + tx buffer 128 KiB
  Report: { ram: 10 * K + 4 * K, caps: 3 }, // + report buffer 4 KiB
  Terminal: { ram: 10 * K, caps: 3 },
  Gui: { ram: 96 * K, caps: 9 },
};

/** `ram_quota=<n>, cap_quota=<m>` as the service's Connection sends it; unknown services donate 8 KiB, 4 caps. */
export function connectionDonation(service: string): string {
  const c = CoreSessionCosts[service] ?? OtherSessionCosts[service] ?? { ram: 8 * K, caps: 4 };
  return `ram_quota=${c.ram}, cap_quota=${c.caps}`;
}
