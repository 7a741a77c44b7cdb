/**
 * Guest programs: generator functions that yield one kernel entry at a time (a syscall, a hypercall)
 * and receive its result. A kernel model drives them; the machine only keeps them restorable.
 *
 * A running generator cannot be copied, so a thread remembers the results it was sent. To restore,
 * a fresh generator is started from the same program and argument and fed the same results: the
 * program must be deterministic (use the machine's RNG, not Math.random), and then it arrives in
 * exactly the same place.
 */
import { UsageError } from "./errors.js";

export type GuestProgram<Entry = unknown, Result = unknown> = (arg: unknown) => Generator<Entry, unknown, Result>;

export interface GuestThreadState {
  program: string;
  arg: unknown;
  sent: unknown[];
  started: boolean;
  done: boolean;
  pending: unknown;
}

export class ProgramRegistry {
  private programs = new Map<string, GuestProgram>();

  register(id: string, program: GuestProgram): void {
    if (typeof program !== "function") throw new UsageError("bad-program", `program "${id}" must be a generator function`);
    this.programs.set(id, program);
  }

  get(id: string): GuestProgram {
    const p = this.programs.get(id);
    if (p === undefined) throw new UsageError("unknown-program", `no guest program registered as "${id}"`);
    return p;
  }

  /** Programs registered. Never shrinks: an id has() denied stays denied while this is unchanged. */
  get size(): number {
    return this.programs.size;
  }

  has(id: string): boolean {
    return this.programs.has(id);
  }
}

export class GuestThread<Entry = unknown, Result = unknown> {
  private generator: Generator<Entry, unknown, Result>;
  private sent: Result[] = [];
  private started = false;
  private finished = false;
  /** The entry the program yielded last and that has not been answered yet. */
  private pendingEntry: Entry | undefined;

  constructor(
    private readonly registry: ProgramRegistry,
    readonly program: string,
    readonly arg: unknown,
  ) {
    this.generator = registry.get(program)(arg) as Generator<Entry, unknown, Result>;
  }

  get done(): boolean {
    return this.finished;
  }

  get pending(): Entry | undefined {
    return this.pendingEntry;
  }

  /** Start the program, or answer its pending entry; returns its next entry, or undefined when it ends. */
  resume(result?: Result): Entry | undefined {
    if (this.finished) throw new UsageError("thread-done", `guest program "${this.program}" has already ended`);
    let step: IteratorResult<Entry, unknown>;
    if (!this.started) {
      this.started = true;
      step = this.generator.next(undefined as Result);
    } else {
      this.sent.push(result as Result);
      step = this.generator.next(result as Result);
    }
    this.finished = step.done === true;
    this.pendingEntry = step.done ? undefined : step.value;
    return this.pendingEntry;
  }

  save(): GuestThreadState {
    return { program: this.program, arg: this.arg, sent: this.sent.slice(), started: this.started, done: this.finished, pending: this.pendingEntry };
  }

  /** Rebuild a thread at the point it was saved by replaying what it was sent. */
  static restore<E, R>(registry: ProgramRegistry, s: GuestThreadState): GuestThread<E, R> {
    const t = new GuestThread<E, R>(registry, s.program, s.arg);
    if (s.started) {
      t.resume();
      for (const r of s.sent) t.resume(r as R);
    }
    return t;
  }
}
