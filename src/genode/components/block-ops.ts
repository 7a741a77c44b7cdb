/**
 * Block session as modelled here (repos/os/include/block_session/block_session.h, genodelabs/genode
 * ffb059da): info → (block count, block size); read(lba, count) → a checksum of the blocks'
 * contents; write(lba, count, value); sync. The packet stream's bulk data is not copied byte by
 * byte: a block holds one word, and the checksum stands for the data a client would compare.
 */
import type { RpcInterface } from "../rpc.js";

export const BlockOp = { info: 0, read: 1, write: 2, sync: 3 } as const;

export interface BlockBackend {
  info(): [number, number];
  read(lba: number, count: number): number;
  write(lba: number, count: number, value: number): void;
  sync(): void;
}

export function blockServer(b: BlockBackend): RpcInterface {
  return [
    () => b.info(),
    (a) => [b.read(a[0] ?? 0, a[1] ?? 0)],
    (a) => { b.write(a[0] ?? 0, a[1] ?? 0, a[2] ?? 0); return []; },
    () => { b.sync(); return []; },
  ];
}

/** Blocks that were never written read as zero (like a `<zero>` file). */
export class SparseBlocks {
  private readonly blocks = new Map<number, number>();
  constructor(readonly count: number, readonly blockSize: number) {}
  read(lba: number, n: number): number {
    let sum = 0;
    for (let i = 0; i < n; i++) sum = (sum * 31 + (this.blocks.get(lba + i) ?? 0)) % 2 ** 31;
    return sum;
  }
  write(lba: number, n: number, v: number): void {
    for (let i = 0; i < n; i++) this.blocks.set(lba + i, v);
  }
}
