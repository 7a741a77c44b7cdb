/**
 * xen_nic: a Genode NIC driver inside the DomU whose wire is the DomU's Xen vif. Like Genode's NIC
 * drivers it is the Uplink client of nic_router; frames from the router leave as ICMP echo packets
 * (icmp-frame.ts) through src/xen's netfront — a granted page, the tx ring, an event-channel kick —
 * to netback and the backend domain's bridge; packets netfront receives go back to the router.
 * ARP is not modelled: the gateway's MAC comes from `<config gateway_mac="…"/>`.
 */
import type { Component, Connection, Env } from "../../genode/component.js";
import { NicOp, fromWords, toWords } from "../../genode/components/net.js";
import { attribute } from "../../genode/xml.js";
import { Netfront } from "../../xen/drivers/netif.js";
import { decodeIcmpFrame, encodeIcmpFrame, macBytes } from "./icmp-frame.js";
import type { NovaHvmGuest } from "./nova-hvm-guest.js";

export class XenNic implements Component {
  private uplink: Connection | undefined;
  private front: Netfront | undefined;
  private mac: Uint8Array = new Uint8Array(6);
  private gatewayMac: Uint8Array = new Uint8Array(6);
  /** Inside our own transmit: received packets wait until it is done. */
  private sending = false;
  /** Packets netfront delivered that were not echo frames (counted, dropped). */
  dropped = 0;

  constructor(private readonly guest: NovaHvmGuest) {}

  start(env: Env): void {
    const g = this.guest;
    const cfg = env.config();
    this.gatewayMac = macBytes((cfg && attribute(cfg, "gateway_mac")) ?? "ff:ff:ff:ff:ff:ff");
    const up = env.connect("Uplink");
    if (!up.ok) { env.error(`could not open Uplink session (${up.error})`); return; }
    this.uplink = up.value;
    g.onUpcall(env.label, () => this.fromWire());
    const a = g.attach(env.label, "vif", (d) => new Netfront(g.kernel, g.xen.system, d.devid, d.backendId, d.backend));
    if (typeof a === "string") { env.error(a); return; }
    const dev = a.dev;
    this.front = a.front;
    this.mac = macBytes(g.kernel.xs.read(`device/vif/${dev.devid}/mac`) ?? "00:00:00:00:00:00");
    env.log(`vif ${dev.devid} connected via ${dev.backend}`);
    const sig = env.signal(() => g.as(env.label, () => this.fromRouter()));
    if (sig) up.value.call(NicOp.sigh, [], [sig]);
  }

  /** Frames the router queued for the uplink: onto the wire, then hand back what came in meanwhile. */
  private fromRouter(): void {
    const up = this.uplink!;
    const nf = this.front;
    if (nf === undefined) return;
    this.sending = true;
    try {
      for (let w = up.call(NicOp.receive).words; w.length > 0; w = up.call(NicOp.receive).words) {
        const f = fromWords(w);
        if (f === undefined) continue;
        nf.send(encodeIcmpFrame(f, this.mac, this.gatewayMac));
        this.guest.xen.system.settle();
      }
    } finally {
      this.sending = false;
    }
    this.fromWire();
  }

  /** After netfront's interrupt routine: its received packets, as frames, to the router. */
  private fromWire(): void {
    const nf = this.front;
    if (nf === undefined || this.sending) return;
    const got = nf.received.splice(0);
    for (const p of got) {
      const f = decodeIcmpFrame(p);
      if (f === undefined) { this.dropped++; continue; }
      this.uplink!.call(NicOp.transmit, toWords(f));
    }
  }
}
