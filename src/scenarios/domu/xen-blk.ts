/**
 * xen_blk: a Genode Block server inside the DomU whose device is the DomU's Xen vbd. It is the
 * bridge the seed asks for ("user-level device drivers for Xen's inter-domain communication
 * facilities"): each Block request becomes a blkif request of src/xen's blkfront — granted pages,
 * the shared ring, an event-channel kick — served by blkback in the backend domain. The request's
 * bytes travel as the Block session's packet-stream payload (BlockPayload) and through the granted
 * pages; the RPC carries their checksum, which the driver checks against the bytes it moves.
 */
import { err, ok } from "../../machine/index.js";
import type { Component, Env, SessionRequest } from "../../genode/component.js";
import { blockServer } from "../../genode/components/block-ops.js";
import { Blkfront } from "../../xen/drivers/blkif.js";
import type { NovaHvmGuest } from "./nova-hvm-guest.js";

/** The Block session's packet-stream payload: what the client put there for a write, what the driver left for a read. */
export class BlockPayload {
  private bytes: Uint8Array | undefined;
  put(data: Uint8Array): void {
    this.bytes = data;
  }
  take(): Uint8Array | undefined {
    const b = this.bytes;
    this.bytes = undefined;
    return b;
  }
}

/** The checksum the Block RPC carries for a request's data (as the workload's client computes it). */
export function blockChecksum(data: Uint8Array): number {
  let sum = 0;
  for (const b of data) sum = (sum * 31 + b) % 2 ** 31;
  return sum;
}

export class XenBlk implements Component {
  private front: Blkfront | undefined;
  private env: Env | undefined;

  constructor(private readonly guest: NovaHvmGuest, private readonly payload: BlockPayload) {}

  start(env: Env): void {
    this.env = env;
    const g = this.guest;
    const a = g.attach(env.label, "vbd", (d) => new Blkfront(g.kernel, g.xen.system, d.devid, d.backendId, d.backend));
    if (typeof a === "string") { env.error(a); return; }
    const { front: bf, dev } = a;
    this.front = bf;
    env.log(`vbd ${dev.devid}: ${bf.sectors} sectors of ${bf.sectorSize} bytes via ${dev.backend}`);
    env.announce("Block");
  }

  session(req: SessionRequest) {
    const bf = this.front;
    if (req.service !== "Block" || bf === undefined) return err("DENIED" as const);
    return ok(blockServer({
      info: () => [bf.sectors, bf.sectorSize],
      read: (lba, n) => this.read(bf, lba, n),
      write: (lba, n, sum) => this.write(bf, lba, n, sum),
      sync: () => undefined,
    }));
  }

  private read(bf: Blkfront, lba: number, n: number): number {
    const r = this.guest.as(this.env!.label, () => bf.read(lba, n));
    if (r.status !== 0) { this.env!.error(`blkif read at ${lba}: status ${r.status}`); return 0; }
    this.payload.put(r.data);
    return blockChecksum(r.data);
  }

  private write(bf: Blkfront, lba: number, n: number, sum: number): void {
    const data = this.payload.take();
    if (data === undefined || data.length !== n * bf.sectorSize || blockChecksum(data) !== sum) {
      this.env!.error(`write at ${lba}: the packet-stream payload does not match the request`);
      return;
    }
    const st = this.guest.as(this.env!.label, () => bf.write(lba, data));
    if (st !== 0) this.env!.error(`blkif write at ${lba}: status ${st}`);
  }
}
