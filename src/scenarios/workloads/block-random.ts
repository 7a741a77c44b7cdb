/**
 * 4 KiB random block reads and writes through a driver component: a 4 KiB-aligned sector chosen
 * at random, read or write with equal odds, written data random; a read returns what the last
 * write to that block left there (zeros if none) wherever the path carries bytes.
 */
import type { Rng } from "../../machine/index.js";
import { BLOCK_BYTES, SECTOR, type WorkloadTarget } from "../types.js";
import type { Workload } from "./workload.js";

export const blockRandom4k: Workload = {
  name: "block-4k-random",
  step(t: WorkloadTarget, rng: Rng, written: Map<number, Uint8Array>): void {
    const per = BLOCK_BYTES / SECTOR;
    const sector = rng.below(Math.floor(t.blockSectors / per)) * per;
    if (rng.below(2) === 0) {
      const data = new Uint8Array(BLOCK_BYTES);
      for (let i = 0; i < data.length; i += 4) new DataView(data.buffer).setUint32(i, rng.nextU32(), true);
      t.block("write", sector, data);
      written.set(sector, data);
      return;
    }
    const got = t.block("read", sector, undefined);
    if (got === undefined) return;
    const want = written.get(sector) ?? new Uint8Array(BLOCK_BYTES);
    if (got.length !== BLOCK_BYTES || got.some((b, i) => b !== want[i])) throw new Error(`block-4k-random: sector ${sector} read back different bytes`);
  },
};
