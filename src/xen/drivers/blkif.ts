/**
 * blkfront (guest) and blkback (Dom0 Linux or a driver domain): the vbd split driver over one
 * blkif ring (io/blkif.h). Each request carries up to 11 segments, one granted 4 KiB page each
 * (sectors first_sect..last_sect of it); blkback grant-copies between the segments and a
 * RAM-backed disk (sparse, 512-byte sectors), answers in order, and kicks when the notify rule
 * says so. Persistent grants are not offered (feature-persistent = 0).
 * Sources: xen/include/public/io/blkif.h @c447b7308b13; Linux drivers/block/xen-blkback/{xenbus,
 * blkback}.c, drivers/block/xen-blkfront.c (reference/xen.md §5.2–§5.4).
 */
import { UsageError } from "../../machine/index.js";
import { BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_RSP_EOPNOTSUPP, BLKIF_RSP_ERROR, BLKIF_RSP_OKAY } from "../abi/blkif.js";
import { XenbusStateClosed, XenbusStateClosing, XenbusStateConnected, XenbusStateInitialised, XenbusStateInitWait, type XenbusState } from "../abi/xenbus.js";
import { BackRing, FrontRing } from "../io/ring.js";
import { blkifProtocol, type BlkifRequest, type BlkifResponse } from "../io/blkif.js";
import { vbd } from "../xenbus/vbd.js";
import type { Kernel } from "../toolstack/kernel.js";
import type { DomId } from "../state.js";
import { XenbusEnd, type DeviceEnv } from "./xenbus-end.js";

const SECTOR = 512;
const PAGE = 4096;
const MAX_SEGS = 11;

/** A RAM-backed disk image: sparse 4 KiB blocks. */
export class RamDisk {
  private readonly blocks = new Map<number, Uint8Array>();
  constructor(readonly sectors: number) {}
  read(byteOff: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; ) {
      const b = Math.floor((byteOff + i) / PAGE);
      const o = (byteOff + i) % PAGE;
      const n = Math.min(len - i, PAGE - o);
      const blk = this.blocks.get(b);
      if (blk) out.set(blk.subarray(o, o + n), i);
      i += n;
    }
    return out;
  }
  write(byteOff: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; ) {
      const b = Math.floor((byteOff + i) / PAGE);
      const o = (byteOff + i) % PAGE;
      const n = Math.min(data.length - i, PAGE - o);
      let blk = this.blocks.get(b);
      if (!blk) this.blocks.set(b, (blk = new Uint8Array(PAGE)));
      blk.set(data.subarray(i, i + n), o);
      i += n;
    }
  }
}

export class Blkfront extends XenbusEnd {
  private ring?: FrontRing<BlkifRequest, BlkifResponse>;
  private ringPage?: { gfn: number; ref: number };
  private port = 0;
  private nextId = 0n;
  private readonly done = new Map<bigint, number>();
  sectors = 0;
  sectorSize = SECTOR;

  constructor(k: Kernel, env: DeviceEnv, readonly vdev: number, backendDomid: DomId, backendDir: string) {
    super(k, env, "frontend", vbd, `vbd-${k.domid}-${vdev}`, `device/vbd/${vdev}`, backendDir, backendDomid);
  }

  get connected(): boolean {
    return this.readState(this.ownDir) === XenbusStateConnected;
  }

  protected act(own: XenbusState, next: XenbusState): boolean {
    if (next === XenbusStateInitialised && own !== XenbusStateInitialised) return this.setup();
    if (next === XenbusStateConnected && own === XenbusStateInitialised) {
      this.sectors = this.readInt(this.peerDir, "sectors") ?? 0;
      this.sectorSize = this.readInt(this.peerDir, "sector-size") ?? SECTOR;
      return this.sectors > 0;
    }
    if (next === XenbusStateClosed) this.disconnect();
    return true;
  }

  /** talk_to_blkback: ring page, grant, event channel, then ring-ref/event-channel/protocol. */
  private setup(): boolean {
    const k = this.k;
    const gfn = k.allocPage();
    this.ring = new FrontRing(k.page(gfn), blkifProtocol);
    this.ringPage = { gfn, ref: k.grant(gfn, this.peerId) };
    this.port = k.hc.allocUnbound(k.domid, this.peerId);
    k.loop.listen(k.domid, this.port, () => this.interrupt());
    const d = this.ownDir;
    k.xs.transaction((t) => {
      k.xs.write(`${d}/ring-ref`, String(this.ringPage!.ref), t);
      k.xs.write(`${d}/event-channel`, String(this.port), t);
      k.xs.write(`${d}/protocol`, "x86_64-abi", t);
      k.xs.write(`${d}/feature-persistent`, "0", t);
    });
    return true;
  }

  private interrupt(): void {
    const r = this.ring;
    if (r === undefined) return;
    do {
      while (r.checkResponses().ok && r.unconsumedResponses() > 0) {
        const rsp = r.consumeResponse();
        this.done.set(rsp.id, rsp.status);
      }
    } while (r.finalCheckForResponses());
  }

  /** Write `data` (a multiple of 512 bytes) at `sector`; resolves to BLKIF_RSP_* of the worst request. */
  write(sector: number, data: Uint8Array): number {
    return this.io(BLKIF_OP_WRITE, sector, data.length, data);
  }

  /** Read `count` sectors at `sector`. */
  read(sector: number, count: number): { status: number; data: Uint8Array } {
    const data = new Uint8Array(count * SECTOR);
    const status = this.io(BLKIF_OP_READ, sector, data.length, data);
    return { status, data };
  }

  private io(op: number, sector: number, len: number, buf: Uint8Array): number {
    const ring = this.ring;
    if (ring === undefined || !this.connected) throw new UsageError("vbd-not-connected", `${this.name} is not connected`, "wait for the vbd handshake");
    if (len === 0 || len % SECTOR !== 0) throw new UsageError("bad-length", `block I/O of ${len} bytes: use a positive multiple of 512`);
    let worst: number = BLKIF_RSP_OKAY;
    for (let off = 0; off < len; off += MAX_SEGS * PAGE) {
      const chunk = Math.min(MAX_SEGS * PAGE, len - off);
      const segs: { gfn: number; ref: number; bytes: number }[] = [];
      for (let s = 0; s < chunk; s += PAGE) {
        const gfn = this.k.allocPage();
        const bytes = Math.min(PAGE, chunk - s);
        if (op === BLKIF_OP_WRITE) this.k.page(gfn).set(buf.subarray(off + s, off + s + bytes));
        segs.push({ gfn, ref: this.k.grant(gfn, this.peerId, op === BLKIF_OP_WRITE), bytes });
      }
      const id = this.nextId++;
      ring.produceRequest({
        operation: op, nr_segments: segs.length, handle: this.vdev & 0xffff, id, sector_number: BigInt(sector + off / SECTOR),
        seg: segs.map((g) => ({ gref: g.ref, first_sect: 0, last_sect: g.bytes / SECTOR - 1 })),
      });
      if (ring.pushRequestsAndCheckNotify()) this.k.hc.send(this.k.domid, this.port);
      this.k.loop.until(() => this.done.has(id), `${this.name} request ${id}`);
      const status = this.done.get(id)!;
      this.done.delete(id);
      if (status !== BLKIF_RSP_OKAY) worst = status;
      segs.forEach((g, i) => {
        if (op === BLKIF_OP_READ && status === BLKIF_RSP_OKAY) buf.set(this.k.page(g.gfn).subarray(0, g.bytes), off + i * PAGE);
        if (this.k.endGrant(g.ref)) this.k.freePage(g.gfn);
      });
    }
    return worst;
  }

  occupancy(): { inFlight: number; size: number } {
    return { inFlight: this.ring ? this.ring.size - this.ring.freeRequests() : 0, size: this.ring?.size ?? 32 };
  }

  protected disconnect(): void {
    if (this.ring === undefined) return;
    this.k.loop.unlisten(this.k.domid, this.port);
    this.k.hc.close(this.k.domid, this.port);
    if (this.ringPage && this.k.endGrant(this.ringPage.ref)) this.k.freePage(this.ringPage.gfn);
    this.ring = undefined;
    this.ringPage = undefined;
  }
}

export class Blkback extends XenbusEnd {
  private ring?: BackRing<BlkifRequest, BlkifResponse>;
  private map?: { gfn: number; handle: number };
  private port = 0;
  private bounce = 0;
  requests = 0;

  constructor(k: Kernel, env: DeviceEnv, readonly frontDomid: DomId, readonly vdev: number, frontendDir: string, readonly disk: RamDisk, readonly readonly: boolean) {
    super(k, env, "backend", vbd, `vbd-${frontDomid}-${vdev}`, `backend/vbd/${frontDomid}/${vdev}`, frontendDir, frontDomid);
  }

  get connected(): boolean {
    return this.ring !== undefined;
  }

  protected act(own: XenbusState, next: XenbusState): boolean {
    if (next === XenbusStateInitWait && own !== XenbusStateInitWait) {
      const d = this.ownDir;
      for (const [key, v] of [["feature-flush-cache", "1"], ["feature-discard", "0"], ["feature-persistent", "0"], ["max-ring-page-order", "0"], ["multi-queue-max-queues", "1"]] as const) this.k.xs.write(`${d}/${key}`, v);
      return true;
    }
    if (next === XenbusStateConnected && own !== XenbusStateConnected) return this.connect();
    if (next === XenbusStateClosing || next === XenbusStateClosed) this.disconnect();
    return true;
  }

  /** connect_ring + connect: map the ring, bind, publish sectors/info/sector-size. */
  private connect(): boolean {
    const f = this.peerDir;
    const ref = this.readInt(f, "ring-ref");
    const evtchn = this.readInt(f, "event-channel");
    const proto = this.k.xs.read(`${f}/protocol`) ?? "x86_64-abi";
    if (ref === undefined || evtchn === undefined || proto !== "x86_64-abi") return false;
    const map = this.k.mapForeign(this.frontDomid, ref);
    if (typeof map === "number") return false;
    const port = this.k.hc.bindInterdomain(this.k.domid, this.frontDomid, evtchn);
    if (port < 0) {
      this.k.unmapForeign(map);
      return false;
    }
    this.map = map;
    this.port = port;
    this.ring = new BackRing(this.k.page(map.gfn), blkifProtocol);
    this.bounce = this.k.allocPage();
    this.k.loop.listen(this.k.domid, port, () => this.interrupt());
    const d = this.ownDir;
    this.k.xs.write(`${d}/sectors`, String(this.disk.sectors));
    this.k.xs.write(`${d}/info`, this.readonly ? "4" : "0"); // VDISK_READONLY
    this.k.xs.write(`${d}/sector-size`, String(SECTOR));
    return true;
  }

  private interrupt(): void {
    const r = this.ring;
    if (r === undefined) return;
    do {
      for (;;) {
        const chk = r.checkRequests();
        if (!chk.ok) {
          this.disconnect();
          this.setState(XenbusStateClosing, ["blkif: RING_REQUEST_PROD_OVERFLOW"]);
          return;
        }
        if (r.unconsumedRequests() === 0) break;
        const req = r.consumeRequest();
        r.produceResponse({ id: req.id, operation: req.operation, status: this.serve(req) });
      }
      if (r.pushResponsesAndCheckNotify()) this.k.hc.send(this.k.domid, this.port);
    } while (r.finalCheckForRequests());
  }

  private serve(req: BlkifRequest): number {
    this.requests++;
    const d = this.k.xen.hv.domain(this.k.domid)!;
    this.k.xen.m.charge(d.vcpus[0]?.processor ?? 0, "linux_backend_request", "xen", "blkback.request", d.actor, { op: req.operation });
    if (req.operation === BLKIF_OP_FLUSH_DISKCACHE) return BLKIF_RSP_OKAY;
    if (req.operation !== BLKIF_OP_READ && req.operation !== BLKIF_OP_WRITE) return BLKIF_RSP_EOPNOTSUPP;
    if (req.operation === BLKIF_OP_WRITE && this.readonly) return BLKIF_RSP_ERROR;
    if (req.nr_segments === 0 || req.nr_segments > MAX_SEGS) return BLKIF_RSP_ERROR;
    let pos = Number(req.sector_number) * SECTOR;
    const total = req.seg.reduce((n, s) => n + (s.last_sect - s.first_sect + 1) * SECTOR, 0);
    if (req.seg.some((s) => s.first_sect > s.last_sect || s.last_sect > 7) || pos + total > this.disk.sectors * SECTOR) return BLKIF_RSP_ERROR;
    for (const s of req.seg) {
      const off = s.first_sect * SECTOR;
      const len = (s.last_sect - s.first_sect + 1) * SECTOR;
      if (req.operation === BLKIF_OP_WRITE) {
        const [st] = this.k.hc.copy(this.k.domid, [{ granter: this.frontDomid, ref: s.gref, foreignOffset: off, gfn: this.bounce, localOffset: 0, len, toForeign: false }]);
        if (st !== 0) return BLKIF_RSP_ERROR;
        this.disk.write(pos, this.k.page(this.bounce).slice(0, len));
      } else {
        this.k.page(this.bounce).set(this.disk.read(pos, len));
        const [st] = this.k.hc.copy(this.k.domid, [{ granter: this.frontDomid, ref: s.gref, foreignOffset: off, gfn: this.bounce, localOffset: 0, len, toForeign: true }]);
        if (st !== 0) return BLKIF_RSP_ERROR;
      }
      pos += len;
    }
    return BLKIF_RSP_OKAY;
  }

  occupancy(): { inFlight: number; size: number } {
    return { inFlight: this.ring?.unconsumedRequests() ?? 0, size: this.ring?.size ?? 32 };
  }

  protected disconnect(): void {
    if (this.ring === undefined) return;
    this.k.loop.unlisten(this.k.domid, this.port);
    this.k.hc.close(this.k.domid, this.port);
    if (this.map) this.k.unmapForeign(this.map);
    this.k.freePage(this.bounce);
    this.ring = undefined;
    this.map = undefined;
  }
}
