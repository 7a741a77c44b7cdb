/** Quantities of the machine, named so that a signature says what it takes. */
import { UsageError } from "./errors.js";

/** Simulated CPU cycles (the TSC of the modelled machine). */
export type Cycles = number;
/** A byte count. */
export type Bytes = number;
/** Index of a physical CPU, 0-based. */
export type CpuId = number;
/** Number of a 4 KiB physical frame. */
export type FrameNumber = number;

export const PAGE_SIZE: Bytes = 4096;

const SIZE_UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** "256M", "1G", "64K" or a plain byte count → bytes. */
export function parseSize(size: string | number): Bytes {
  if (typeof size === "number") {
    if (!Number.isSafeInteger(size) || size < 0) throw new UsageError("bad-size", `memory size ${size} is not a byte count`);
    return size;
  }
  const match = /^(\d+)\s*([KMG]?)(?:i?B)?$/i.exec(size.trim());
  if (match === null) {
    throw new UsageError("bad-size", `cannot read memory size "${size}"`, 'write it as bytes or with K, M or G, e.g. "256M"');
  }
  return Number(match[1]) * (SIZE_UNITS[match[2]!.toUpperCase()] ?? 1);
}
