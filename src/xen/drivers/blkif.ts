/**
 * blkfront (guest) and blkback (Dom0 Linux or a driver domain): the vbd split driver over one
 * blkif ring (io/blkif.h). Each request carries up to 11 segments, one granted 4 KiB page each
 * (sectors first_sect..last_sect of it); blkback grant-copies between the segments and a
 * RAM-backed disk (sparse, 512-byte sectors), answers in order, and kicks when the notify rule
 * says so. Without persistent grants, blkback maps each segment's grant for the request and unmaps
 * it afterwards (GNTTABOP_map_grant_ref / unmap_grant_ref; every unmap flushes the TLBs of the CPUs
 * the backend domain ran on). With `feature-persistent` offered by both ends (Linux module parameter
 * feature_persistent of xen-blkback and xen-blkfront; here the `persistent` option of each end),
 * blkfront copies data through a pool of pages it grants once and reuses, and blkback maps each
 * gref on first use and keeps it (up to xen_blkif_max_pgrants = 1056; past that it maps per request
 * again) until the device disconnects: no unmap, so no shootdown, per request.
 * Source for the cost: LKML 2012-10 "[PATCH RFC] Persistent grant maps for xen blk drivers"
 * (reference/latency-tcb.md §3).
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
/** Linux xen-blkback: max_persistent_grants default (xen_blkif_max_pgrants), per ring. */
const XEN_BLKIF_MAX_PGRANTS = 1056;

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
  /** Both ends agreed on feature-persistent (read when the backend connects). */
  persistent = false;
  /** Granted pages kept for reuse while persistent (Linux blkfront's `grants` list). */
  private pool: { gfn: number; ref: number }[] = [];
  private poolSize = 0;

  constructor(k: Kernel, env: DeviceEnv, readonly vdev: number, backendDomid: DomId, backendDir: string, readonly offerPersistent = false) {
    super(k, env, "frontend", vbd, `vbd-${k.domid}-${vdev}`, `device/vbd/${vdev}`, backendDir, backendDomid);
  }

  get connected(): boolean {
    return this.ownState === XenbusStateConnected;
  }

  protected act(own: XenbusState, next: XenbusState): boolean {
    if (next === XenbusStateInitialised && own !== XenbusStateInitialised) return this.setup();
    if (next === XenbusStateConnected && own === XenbusStateInitialised) {
      this.sectors = this.readInt(this.peerDir, "sectors") ?? 0;
      this.sectorSize = this.readInt(this.peerDir, "sector-size") ?? SECTOR;
      this.persistent = this.offerPersistent && this.k.xs.read(`${this.peerDir}/feature-persistent`) === "1";
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
      k.xs.write(`${d}/feature-persistent`, this.offerPersistent ? "1" : "0", t);
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
        const bytes = Math.min(PAGE, chunk - s);
        if (this.persistent) {
          const g = this.pool.pop() ?? this.newPersistentPage();
          if (op === BLKIF_OP_WRITE) {
            this.k.page(g.gfn).set(buf.subarray(off + s, off + s + bytes));
            this.chargeCopy(bytes);
          }
          segs.push({ ...g, bytes });
          continue;
        }
        const gfn = this.k.allocPage();
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
        if (op === BLKIF_OP_READ && status === BLKIF_RSP_OKAY) {
          buf.set(this.k.page(g.gfn).subarray(0, g.bytes), off + i * PAGE);
          if (this.persistent) this.chargeCopy(g.bytes);
        }
        if (this.persistent) this.pool.push({ gfn: g.gfn, ref: g.ref });
        else if (this.k.endGrant(g.ref)) this.k.freePage(g.gfn);
      });
    }
    return worst;
  }

  /** A page granted read-write once, for the pool (blkfront get_free_grant with persistent grants). */
  private newPersistentPage(): { gfn: number; ref: number } {
    const gfn = this.k.allocPage();
    this.poolSize++;
    return { gfn, ref: this.k.grant(gfn, this.peerId) };
  }

  /** blkfront's memcpy between the request's buffer and a persistent page. */
  private chargeCopy(bytes: number): void {
    const d = this.k.xen.hv.domain(this.k.domid);
    if (d !== undefined) this.k.xen.m.charge(d.vcpus[0]?.processor ?? 0, "memcpy_per_byte", "xen", "blkfront.persistent_copy", d.actor, { bytes }, bytes);
  }

  /** Pages granted persistently so far (each granted once). */
  get persistentGrants(): number {
    return this.poolSize;
  }

  occupancy(): { inFlight: number; size: number } {
    return { inFlight: this.ring ? this.ring.size - this.ring.freeRequests() : 0, size: this.ring?.size ?? 32 };
  }

  protected disconnect(): void {
    // Persistent grants end once the backend has unmapped them (it disconnects first, on Closing).
    this.pool = this.pool.filter((g) => {
      if (!this.k.endGrant(g.ref)) return true;
      this.k.freePage(g.gfn);
      this.poolSize--;
      return false;
    });
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
  requests = 0;
  /** Both ends agreed on feature-persistent (decided in connect_ring). */
  persistent = false;
  /** gref → its mapping, kept while persistent (Linux: the ring's persistent_gnts tree). */
  private readonly pgnts = new Map<number, { gfn: number; handle: number }>();

  constructor(k: Kernel, env: DeviceEnv, readonly frontDomid: DomId, readonly vdev: number, frontendDir: string, readonly disk: RamDisk, readonly readonly: boolean, readonly offerPersistent = false) {
    super(k, env, "backend", vbd, `vbd-${frontDomid}-${vdev}`, `backend/vbd/${frontDomid}/${vdev}`, frontendDir, frontDomid);
  }

  /** Grants mapped persistently right now. */
  get persistentGrants(): number {
    return this.pgnts.size;
  }

  get connected(): boolean {
    return this.ring !== undefined;
  }

  protected act(own: XenbusState, next: XenbusState): boolean {
    if (next === XenbusStateInitWait && own !== XenbusStateInitWait) {
      const d = this.ownDir;
      for (const [key, v] of [["feature-flush-cache", "1"], ["feature-discard", "0"], ["feature-persistent", this.offerPersistent ? "1" : "0"], ["max-ring-page-order", "0"], ["multi-queue-max-queues", "1"]] as const) this.k.xs.write(`${d}/${key}`, v);
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
    this.persistent = this.offerPersistent && this.k.xs.read(`${f}/feature-persistent`) === "1";
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
    this.k.backendWork("blkback.request", req.seg.reduce((n, sg) => n + (sg.last_sect - sg.first_sect + 1) * SECTOR, 0));
    if (req.operation === BLKIF_OP_FLUSH_DISKCACHE) return BLKIF_RSP_OKAY;
    if (req.operation !== BLKIF_OP_READ && req.operation !== BLKIF_OP_WRITE) return BLKIF_RSP_EOPNOTSUPP;
    if (req.operation === BLKIF_OP_WRITE && this.readonly) return BLKIF_RSP_ERROR;
    if (req.nr_segments === 0 || req.nr_segments > MAX_SEGS) return BLKIF_RSP_ERROR;
    let pos = Number(req.sector_number) * SECTOR;
    const total = req.seg.reduce((n, s) => n + (s.last_sect - s.first_sect + 1) * SECTOR, 0);
    if (req.seg.some((s) => s.first_sect > s.last_sect || s.last_sect > 7) || pos + total > this.disk.sectors * SECTOR) return BLKIF_RSP_ERROR;
    // xen_blkbk_map: persistent grants already mapped are reused, the rest are mapped now.
    const maps: { gfn: number; handle: number; keep: boolean }[] = [];
    let status: number = BLKIF_RSP_OKAY;
    for (const s of req.seg) {
      const kept = this.persistent ? this.pgnts.get(s.gref) : undefined;
      if (kept !== undefined) {
        maps.push({ ...kept, keep: true });
        continue;
      }
      // Linux maps persistent grants read-write; a per-request mapping of a write's data is read-only.
      const keep = this.persistent && this.pgnts.size < XEN_BLKIF_MAX_PGRANTS;
      const m = this.k.mapForeign(this.frontDomid, s.gref, !keep && req.operation === BLKIF_OP_WRITE);
      if (typeof m === "number") {
        status = BLKIF_RSP_ERROR;
        break;
      }
      if (keep) this.pgnts.set(s.gref, m);
      maps.push({ ...m, keep });
    }
    if (status === BLKIF_RSP_OKAY) {
      req.seg.forEach((s, i) => {
        const off = s.first_sect * SECTOR;
        const len = (s.last_sect - s.first_sect + 1) * SECTOR;
        const page = this.k.page(maps[i]!.gfn);
        // The bio works on the mapped page directly (DMA): no copy in the backend.
        if (req.operation === BLKIF_OP_WRITE) this.disk.write(pos, page.slice(off, off + len));
        else page.set(this.disk.read(pos, len), off);
        pos += len;
      });
    }
    // xen_blkbk_unmap: only the non-persistent mappings go, each unmap flushing TLBs.
    for (const m of maps) if (!m.keep) this.k.unmapForeign(m);
    return status;
  }

  occupancy(): { inFlight: number; size: number } {
    return { inFlight: this.ring?.unconsumedRequests() ?? 0, size: this.ring?.size ?? 32 };
  }

  protected disconnect(): void {
    if (this.ring === undefined) return;
    this.k.loop.unlisten(this.k.domid, this.port);
    this.k.hc.close(this.k.domid, this.port);
    if (this.map) this.k.unmapForeign(this.map);
    for (const m of this.pgnts.values()) this.k.unmapForeign(m);
    this.pgnts.clear();
    this.ring = undefined;
    this.map = undefined;
  }
}
