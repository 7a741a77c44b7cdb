/**
 * nic_drv: the NIC driver of ping.run's "drivers" subsystem, reduced to what ping needs. It is
 * the Uplink client of nic_router (like Genode's NIC drivers since 21.x, RN 21.02) and its wire
 * leads to QEMU's user-mode network, whose gateway 10.0.2.2 answers ICMP echo requests. The wire
 * is part of this component: there is no emulated NIC device.
 */
import type { Component, Connection, Env } from "../component.js";
import { FrameKind, IPV4_TIME_TO_LIVE, NicOp, fromWords, ip, toWords } from "./net.js";

/** QEMU user-mode networking: the virtual gateway/host at 10.0.2.2 (QEMU documentation, "slirp"). */
export const QEMU_GATEWAY = ip("10.0.2.2");

export class NicDrv implements Component {
  private uplink: Connection | undefined;
  start(env: Env): void {
    const c = env.connect("Uplink");
    if (!c.ok) { env.error(`could not open Uplink session (${c.error})`); return; }
    this.uplink = c.value;
    const sig = env.signal(() => this.poll());
    if (sig) c.value.call(NicOp.sigh, [], [sig]);
  }
  private poll(): void {
    const up = this.uplink!;
    for (let w = up.call(NicOp.receive).words; w.length > 0; w = up.call(NicOp.receive).words) {
      const f = fromWords(w);
      if (f === undefined || f.kind !== FrameKind.ECHO_REQUEST || f.dst !== QEMU_GATEWAY) continue;
      up.call(NicOp.transmit, toWords({ kind: FrameKind.ECHO_REPLY, src: f.dst, dst: f.src, id: f.id, seq: f.seq, ttl: IPV4_TIME_TO_LIVE }));
    }
  }
}
