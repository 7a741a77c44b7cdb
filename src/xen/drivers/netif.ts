/**
 * netfront (guest) and netback (Dom0 Linux, or a driver domain): the vif split driver moving
 * packets between domains' memory over a tx and an rx ring (io/netif.h). Tx: netfront grants the
 * page holding a packet read-only, netback grant-copies it out (GNTTABOP_copy) and answers.
 * Rx: netfront posts granted empty pages, netback grant-copies a packet into one and answers in
 * the request's slot with the length (netfront must have asked for request-rx-copy: rx-flip is
 * refused). One slot per packet here (≤ 4096 bytes; no more_data chains, no GSO).
 * Sources: xen/include/public/io/netif.h @c447b7308b13; Linux drivers/net/xen-netback/{xenbus,
 * netback,rx}.c, drivers/net/xen-netfront.c (reference/xen.md §5.2–§5.4).
 */
import { UsageError } from "../../machine/index.js";
import { NETIF_RSP_DROPPED, NETIF_RSP_ERROR, NETIF_RSP_OKAY } from "../abi/netif.js";
import { XenbusStateClosed, XenbusStateClosing, XenbusStateConnected, XenbusStateInitWait, type XenbusState } from "../abi/xenbus.js";
import { BackRing, FrontRing } from "../io/ring.js";
import { netifRxProtocol, netifTxProtocol, type NetifRxRequest, type NetifRxResponse, type NetifTxRequest, type NetifTxResponse } from "../io/netif.js";
import { vif } from "../xenbus/vif.js";
import type { Kernel } from "../toolstack/kernel.js";
import type { DomId } from "../state.js";
import { XenbusEnd, type DeviceEnv } from "./xenbus-end.js";

const PAGE = 4096;
/** Receive buffers netfront keeps posted (Linux: NET_RX_RING_SIZE, 256; fewer keeps grant use small). */
export const NETFRONT_RX_BUFFERS = 64;

export class Netfront extends XenbusEnd {
  private tx?: FrontRing<NetifTxRequest, NetifTxResponse>;
  private rx?: FrontRing<NetifRxRequest, NetifRxResponse>;
  private pages: { gfn: number; ref: number }[] = [];
  private port = 0;
  private rxBufs: { gfn: number; ref: number }[] = [];
  private txInFlight = new Map<number, { gfn: number; ref: number }>();
  private nextTxId = 0;
  /** Packets netfront received, in order. */
  readonly received: Uint8Array[] = [];
  txErrors = 0;

  constructor(k: Kernel, env: DeviceEnv, readonly devid: number, backendDomid: DomId, backendDir: string) {
    super(k, env, "frontend", vif, `vif-${k.domid}-${devid}`, `device/vif/${devid}`, backendDir, backendDomid);
  }

  get connected(): boolean {
    return this.tx !== undefined;
  }

  protected act(own: XenbusState, next: XenbusState): boolean {
    if (own !== XenbusStateConnected && next === XenbusStateConnected && this.tx === undefined) return this.setup();
    if (next === XenbusStateClosed) this.disconnect();
    return true;
  }

  /** netfront talk_to_netback: rings, event channel, rx buffers, then the keys in one transaction. */
  private setup(): boolean {
    const k = this.k;
    if (this.k.xs.read(`${this.peerDir}/feature-rx-copy`) !== "1") return false;
    const txGfn = k.allocPage();
    const rxGfn = k.allocPage();
    this.tx = new FrontRing(k.page(txGfn), netifTxProtocol);
    this.rx = new FrontRing(k.page(rxGfn), netifRxProtocol);
    const txRef = k.grant(txGfn, this.peerId);
    const rxRef = k.grant(rxGfn, this.peerId);
    this.pages.push({ gfn: txGfn, ref: txRef }, { gfn: rxGfn, ref: rxRef });
    this.port = k.hc.allocUnbound(k.domid, this.peerId);
    k.loop.listen(k.domid, this.port, () => this.interrupt());
    for (let id = 0; id < NETFRONT_RX_BUFFERS; id++) {
      const gfn = k.allocPage();
      this.rxBufs.push({ gfn, ref: k.grant(gfn, this.peerId) });
      this.rx.produceRequest({ id, gref: this.rxBufs[id]!.ref });
    }
    this.rx.pushRequests();
    const d = this.ownDir;
    k.xs.transaction((t) => {
      k.xs.write(`${d}/tx-ring-ref`, String(txRef), t);
      k.xs.write(`${d}/rx-ring-ref`, String(rxRef), t);
      k.xs.write(`${d}/event-channel`, String(this.port), t);
      k.xs.write(`${d}/request-rx-copy`, "1", t);
      k.xs.write(`${d}/feature-rx-notify`, "1", t);
      k.xs.write(`${d}/feature-sg`, "1", t);
    });
    return true;
  }

  /** Transmit one packet (start_xmit): copy it into a granted page and post a tx request. */
  send(packet: Uint8Array): void {
    if (this.tx === undefined) throw new UsageError("vif-not-connected", `${this.name} is not connected`, "wait for the vif handshake (xl create, then the machine settles)");
    if (packet.length === 0 || packet.length > PAGE) throw new UsageError("bad-packet", `packet of ${packet.length} bytes: one tx slot carries 1..4096 bytes here`);
    if (this.tx.full()) this.interrupt();
    if (this.tx.full()) throw new UsageError("tx-ring-full", `${this.name}'s tx ring is full`);
    const gfn = this.k.allocPage();
    this.k.page(gfn).set(packet);
    const ref = this.k.grant(gfn, this.peerId, true);
    const id = this.nextTxId;
    this.nextTxId = (this.nextTxId + 1) & 0xffff;
    this.txInFlight.set(id, { gfn, ref });
    this.tx.produceRequest({ gref: ref, offset: 0, flags: 0, id, size: packet.length });
    if (this.tx.pushRequestsAndCheckNotify()) this.k.hc.send(this.k.domid, this.port);
  }

  /** The upcall: reap tx responses, take received packets and repost their buffers. */
  interrupt(): void {
    const tx = this.tx;
    const rx = this.rx;
    if (tx === undefined || rx === undefined) return;
    do {
      while (tx.checkResponses().ok && tx.unconsumedResponses() > 0) {
        const r = tx.consumeResponse();
        if (r.status !== NETIF_RSP_OKAY) this.txErrors++;
        const b = this.txInFlight.get(r.id);
        if (b === undefined) continue;
        this.txInFlight.delete(r.id);
        if (this.k.endGrant(b.ref)) this.k.freePage(b.gfn);
      }
    } while (tx.finalCheckForResponses());
    let reposted = false;
    do {
      while (rx.checkResponses().ok && rx.unconsumedResponses() > 0) {
        const r = rx.consumeResponse();
        const buf = this.rxBufs[r.id];
        if (buf === undefined) continue;
        if (r.status > 0) this.received.push(this.k.page(buf.gfn).slice(r.offset, r.offset + r.status));
        rx.produceRequest({ id: r.id, gref: buf.ref });
        reposted = true;
      }
    } while (rx.finalCheckForResponses());
    if (reposted && rx.pushRequestsAndCheckNotify()) this.k.hc.send(this.k.domid, this.port);
  }

  /** Occupancy for display: requests posted and not yet answered. */
  occupancy(): { tx: number; rx: number; size: number } {
    return { tx: this.tx ? this.tx.size - this.tx.freeRequests() : 0, rx: this.rx ? this.rx.size - this.rx.freeRequests() : 0, size: this.tx?.size ?? 256 };
  }

  protected disconnect(): void {
    if (this.tx === undefined) return;
    this.k.loop.unlisten(this.k.domid, this.port);
    this.k.hc.close(this.k.domid, this.port);
    for (const b of [...this.pages, ...this.rxBufs, ...this.txInFlight.values()]) if (this.k.endGrant(b.ref)) this.k.freePage(b.gfn);
    this.pages = [];
    this.rxBufs = [];
    this.txInFlight.clear();
    this.tx = undefined;
    this.rx = undefined;
  }
}

const RECENT_PACKETS = 1024;

/** Where netback hands received packets: a bridge, or straight back (echo) for experiments. */
export type PacketSink = (from: Netback, packet: Uint8Array) => void;

export class Netback extends XenbusEnd {
  private tx?: BackRing<NetifTxRequest, NetifTxResponse>;
  private rx?: BackRing<NetifRxRequest, NetifRxResponse>;
  private maps: { gfn: number; handle: number }[] = [];
  private port = 0;
  private bounce = 0;
  private readonly rxQueue: Uint8Array[] = [];
  hotplugRequested = false;
  /**
   * The most recent packets taken from the guest's tx ring (at most RECENT_PACKETS, oldest first),
   * for inspection: a long run must not keep every packet it ever forwarded.
   */
  readonly received: Uint8Array[] = [];
  rxDropped = 0;
  bytesTx = 0;

  constructor(k: Kernel, env: DeviceEnv, readonly frontDomid: DomId, readonly devid: number, frontendDir: string, private readonly sink: PacketSink, private readonly hotplug: (nb: Netback) => void) {
    super(k, env, "backend", vif, `vif-${frontDomid}-${devid}`, `backend/vif/${frontDomid}/${devid}`, frontendDir, frontDomid);
  }

  get connected(): boolean {
    return this.tx !== undefined;
  }

  protected override ctx(): { hotplugConnected?: boolean } {
    return { hotplugConnected: this.k.xs.read(`${this.ownDir}/hotplug-status`) === "connected" };
  }

  override start(): void {
    super.start();
    this.k.xs.watch(`${this.ownDir}/hotplug-status`, `backend:${this.ownDir}:hotplug`, () => this.changed());
  }

  override stop(): void {
    if (!this.stopped) this.k.xs.unwatch(`${this.ownDir}/hotplug-status`, `backend:${this.ownDir}:hotplug`);
    super.stop();
  }

  protected act(own: XenbusState, next: XenbusState): boolean {
    if (next === XenbusStateInitWait && own !== XenbusStateInitWait) {
      const d = this.ownDir;
      for (const [key, v] of [["feature-sg", "1"], ["feature-gso-tcpv4", "0"], ["feature-gso-tcpv6", "0"], ["feature-ipv6-csum-offload", "0"], ["feature-rx-copy", "1"], ["feature-rx-flip", "0"], ["feature-multicast-control", "0"], ["feature-split-event-channels", "0"], ["multi-queue-max-queues", "1"], ["feature-ctrl-ring", "0"]] as const) {
        this.k.xs.write(`${d}/${key}`, v);
      }
      if (!this.hotplugRequested) {
        this.hotplugRequested = true;
        this.hotplug(this);
      }
      return true;
    }
    if (own === XenbusStateInitWait && (next === XenbusStateConnected || next === XenbusStateInitWait) && this.tx === undefined) {
      if (this.readState(this.peerDir) === XenbusStateConnected) return this.connect();
    }
    if (next === XenbusStateClosing || next === XenbusStateClosed) this.disconnect();
    return true;
  }

  /** connect(): read the frontend's keys, map both rings, bind the event channel. */
  private connect(): boolean {
    const f = this.peerDir;
    const txRef = this.readInt(f, "tx-ring-ref");
    const rxRef = this.readInt(f, "rx-ring-ref");
    const evtchn = this.readInt(f, "event-channel");
    if (txRef === undefined || rxRef === undefined || evtchn === undefined) return false;
    if (this.k.xs.read(`${f}/request-rx-copy`) !== "1") return false; // rx-flip frontends: -EOPNOTSUPP
    const txMap = this.k.mapForeign(this.frontDomid, txRef);
    if (typeof txMap === "number") return false;
    const rxMap = this.k.mapForeign(this.frontDomid, rxRef);
    if (typeof rxMap === "number") {
      this.k.unmapForeign(txMap);
      return false;
    }
    const port = this.k.hc.bindInterdomain(this.k.domid, this.frontDomid, evtchn);
    if (port < 0) {
      this.k.unmapForeign(txMap);
      this.k.unmapForeign(rxMap);
      return false;
    }
    this.maps = [txMap, rxMap];
    this.tx = new BackRing(this.k.page(txMap.gfn), netifTxProtocol);
    this.rx = new BackRing(this.k.page(rxMap.gfn), netifRxProtocol);
    this.port = port;
    this.bounce = this.k.allocPage();
    this.k.loop.listen(this.k.domid, port, () => this.interrupt());
    return true;
  }

  /** Queue a packet for the guest (the bridge's transmit to this vif). */
  deliver(packet: Uint8Array): void {
    if (this.rx === undefined) {
      this.rxDropped++;
      return;
    }
    this.rxQueue.push(packet);
    this.flushRx();
  }

  private flushRx(): void {
    const rx = this.rx;
    if (rx === undefined) return;
    let answered = false;
    while (this.rxQueue.length > 0) {
      const chk = rx.checkRequests();
      if (!chk.ok) return this.fatal();
      if (rx.unconsumedRequests() === 0) break;
      const req = rx.consumeRequest();
      const pkt = this.rxQueue.shift()!;
      this.k.page(this.bounce).set(pkt);
      this.k.backendWork("netback.rx", pkt.length);
      const [st] = this.k.hc.copy(this.k.domid, [{ granter: this.frontDomid, ref: req.gref, foreignOffset: 0, gfn: this.bounce, localOffset: 0, len: pkt.length, toForeign: true }]);
      rx.produceResponse({ id: req.id, offset: 0, flags: 0, status: st === 0 ? pkt.length : NETIF_RSP_ERROR });
      answered = true;
    }
    if (answered && rx.pushResponsesAndCheckNotify()) this.k.hc.send(this.k.domid, this.port);
  }

  /** The upcall: drain the tx ring (xenvif_tx_action), then fill rx with queued packets. */
  interrupt(): void {
    const tx = this.tx;
    if (tx === undefined) return;
    const got: Uint8Array[] = [];
    do {
      for (;;) {
        const chk = tx.checkRequests();
        if (!chk.ok) return this.fatal();
        if (tx.unconsumedRequests() === 0) break;
        const req = tx.consumeRequest();
        let status: number = NETIF_RSP_OKAY;
        if (req.size === 0 || req.offset + req.size > PAGE) status = NETIF_RSP_ERROR;
        else {
          this.k.backendWork("netback.tx", req.size);
          const [st] = this.k.hc.copy(this.k.domid, [{ granter: this.frontDomid, ref: req.gref, foreignOffset: req.offset, gfn: this.bounce, localOffset: 0, len: req.size, toForeign: false }]);
          if (st === 0) got.push(this.k.page(this.bounce).slice(0, req.size));
          else status = NETIF_RSP_DROPPED;
        }
        tx.produceResponse({ id: req.id, status });
      }
      if (tx.pushResponsesAndCheckNotify()) this.k.hc.send(this.k.domid, this.port);
    } while (tx.finalCheckForRequests());
    for (const p of got) {
      this.received.push(p);
      if (this.received.length > RECENT_PACKETS) this.received.splice(0, this.received.length - RECENT_PACKETS);
      this.bytesTx += p.length;
      this.sink(this, p);
    }
    this.flushRx();
    this.rx?.finalCheckForRequests();
  }

  /** A hostile producer index: stop using the rings (xenvif_fatal_tx_err). */
  private fatal(): void {
    this.disconnect();
    this.setState(XenbusStateClosing, ["xenvif_fatal_tx_err"]);
  }

  occupancy(): { tx: number; rx: number; size: number } {
    return { tx: this.tx?.unconsumedRequests() ?? 0, rx: this.rx?.unconsumedRequests() ?? 0, size: this.tx?.size ?? 256 };
  }

  protected disconnect(): void {
    if (this.tx === undefined) return;
    this.k.loop.unlisten(this.k.domid, this.port);
    this.k.hc.close(this.k.domid, this.port);
    for (const m of this.maps) this.k.unmapForeign(m);
    this.k.freePage(this.bounce);
    this.maps = [];
    this.tx = undefined;
    this.rx = undefined;
  }
}
