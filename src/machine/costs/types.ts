/**
 * Cost-model types. Every cycle figure the emulator charges is an entry of a profile, and every entry
 * can defend itself: its source, and how sure we are of it (STYLE §8).
 */

/**
 * - measured: a published number, read in its source.
 * - derived: arithmetic on published numbers; the arithmetic is written in `source`.
 * - approximate: a published number recalled from the literature but not re-read
 *   (latency-tcb.md marks these ⚠ and asks that they ship labelled approximate).
 * - assumed: our own estimate; `source` says why this value.
 */
export type Confidence = "measured" | "derived" | "approximate" | "assumed";

export interface CostEntry {
  /** Cycles per unit of the primitive (per operation, or per byte for *_per_byte entries). */
  readonly cycles: number;
  readonly source: string;
  readonly confidence: Confidence;
}

export interface CostProfile<Name extends string = string> {
  readonly id: string;
  readonly description: string;
  /** The modelled CPU; cycles convert to time at this clock. */
  readonly cpuModel: string;
  readonly hz: number;
  readonly entries: Readonly<Record<Name, CostEntry>>;
}
