/**
 * Work a hypercall caused on other physical CPUs (a cross-CPU upcall, a wake-up), queued while the
 * call runs and charged there after the caller's own record, in the order it was caused.
 * The queue is columns reused from call to call rather than an object per charge and a fresh array
 * per call: an event-channel send to another CPU queues one charge on every call, and those
 * allocations were a measurable share of its host time.
 */
import type { Rate } from "../machine/index.js";

export class RemoteCharges {
  /** Charges queued (entries past it are stale). */
  length = 0;
  private readonly cpus: number[] = [];
  private readonly rates: Rate[] = [];
  private readonly ops: string[] = [];
  private readonly actors: string[] = [];

  push(cpu: number, rate: Rate, op: string, actor: string): void {
    const i = this.length++;
    this.cpus[i] = cpu;
    this.rates[i] = rate;
    this.ops[i] = op;
    this.actors[i] = actor;
  }

  cpu(i: number): number {
    return this.cpus[i]!;
  }
  rate(i: number): Rate {
    return this.rates[i]!;
  }
  op(i: number): string {
    return this.ops[i]!;
  }
  actor(i: number): string {
    return this.actors[i]!;
  }

  clear(): void {
    this.length = 0;
  }
}
