/**
 * Core's LOG output as a bounded ring: the newest `capacity` lines are kept, older ones are
 * dropped and counted (like the machine's trace ring), so a long run's memory stays bounded.
 * Lines are appended to one array that is cut back to `capacity` only once it holds twice that,
 * or when read: appending stays O(1) amortised, and a reader always sees exactly the newest
 * `capacity` lines.
 */
import { UsageError } from "../../machine/index.js";

/** Lines kept by default: far more than any run configuration here prints, a few MiB at most. */
export const DEFAULT_LOG_CAPACITY = 1 << 14;

export class LogRing {
  private kept: string[] = [];
  private totalValue = 0;

  constructor(readonly capacity: number = DEFAULT_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new UsageError("bad-log-capacity", `the log capacity must be a whole number ≥ 1, got ${capacity}`);
  }

  push(line: string): void {
    this.kept.push(line);
    this.totalValue++;
    if (this.kept.length >= 2 * this.capacity) this.trim();
  }

  /** The newest `capacity` lines, oldest first (a live array: it grows as lines arrive). */
  get lines(): readonly string[] {
    if (this.kept.length > this.capacity) this.trim();
    return this.kept;
  }

  /** Lines ever printed. */
  get total(): number {
    return this.totalValue;
  }

  /** Lines printed but no longer kept. */
  get dropped(): number {
    return this.totalValue - Math.min(this.kept.length, this.capacity);
  }

  /** Lines held in memory right now (at most twice the capacity). */
  get held(): number {
    return this.kept.length;
  }

  private trim(): void {
    this.kept.splice(0, this.kept.length - this.capacity);
  }
}
