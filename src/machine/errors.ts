/**
 * The three ways things go wrong in hypernote (STYLE §4): a guest's request that the ABI refuses is a
 * returned status and never an exception; a cell that misuses our API gets a UsageError; our own model
 * contradicting itself is an InvariantError, a bug in the emulator.
 */

/** A notebook cell misused the API. `hint` says what to do instead. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(hint === undefined ? message : `${message} (${hint})`);
  }
}

/** The emulator's own state is inconsistent. Never caught to carry on. */
export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

export function invariant(condition: unknown, why: string): asserts condition {
  if (!condition) throw new InvariantError(why);
}

/** The machine's run loop saw the notebook's interrupt flag and stopped between two operations. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";
}

export type Result<T, E extends string> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E extends string>(error: E): { ok: false; error: E } => ({ ok: false, error });
