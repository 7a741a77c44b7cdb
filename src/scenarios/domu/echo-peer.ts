/**
 * The far end of genode-domu's packets: a Linux HVM guest on the same Xen bridge whose kernel
 * answers ICMP echo requests addressed to it (Linux icmp_rcv → icmp_echo, run from the NAPI poll of
 * netfront's receive). It stands where QEMU's user-mode gateway 10.0.2.2 stands for nic_drv in the
 * Genode-only scenarios. Linux's network-stack work per packet has no sourced cycle figure and is
 * not charged; its netfront's hypercalls, grant copies and event channels are.
 */
import { FrameKind, IPV4_TIME_TO_LIVE } from "../../genode/components/net.js";
import type { Netfront } from "../../xen/drivers/netif.js";
import { decodeIcmpFrame, echoReply } from "./icmp-frame.js";

export class IcmpEchoPeer {
  /** Echo requests answered, and packets that were something else (dropped). */
  answered = 0;
  dropped = 0;

  constructor(private readonly front: Netfront, private readonly address: number) {
    // Linux's receive path continues into the IP stack after netfront's interrupt routine.
    const receive = front.interrupt.bind(front);
    front.interrupt = () => {
      receive();
      this.poll();
    };
  }

  private poll(): void {
    for (const p of this.front.received.splice(0)) {
      const f = decodeIcmpFrame(p);
      if (f === undefined || f.kind !== FrameKind.ECHO_REQUEST || f.dst !== this.address) { this.dropped++; continue; }
      this.answered++;
      this.front.send(echoReply(p, IPV4_TIME_TO_LIVE));
    }
  }
}
