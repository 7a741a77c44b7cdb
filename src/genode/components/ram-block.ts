/**
 * A RAM block device: a Block server whose blocks live in its own RAM quota (the role Genode's
 * former os/src/server/ram_block played). Block session opcodes, as in block-ops.ts.
 */
import { err, ok } from "../../machine/index.js";
import type { Component, Env, SessionRequest } from "../component.js";
import { attribute } from "../xml.js";
import { parseNumBytes } from "../init/quota.js";
import { blockServer, SparseBlocks } from "./block-ops.js";

export class RamBlock implements Component {
  private store: SparseBlocks | undefined;
  start(env: Env): void {
    const cfg = env.config();
    const blockSize = Number((cfg && attribute(cfg, "block_size")) ?? "512");
    const size = parseNumBytes((cfg && attribute(cfg, "size")) ?? "1M") ?? 1024 * 1024;
    this.store = new SparseBlocks(size / blockSize, blockSize);
    if (!env.consume(size).ok) env.error("RAM quota too small for the device");
    env.announce("Block");
  }
  session(req: SessionRequest) {
    if (req.service !== "Block" || this.store === undefined) return err("DENIED" as const);
    const s = this.store;
    return ok(blockServer({ info: () => [s.count, s.blockSize], read: (lba, n) => s.read(lba, n), write: (lba, n, v) => s.write(lba, n, v), sync: () => undefined }));
  }
}
