/**
 * Invariant fuzzing harness (issue 10). Each layer's fuzz suite runs random operation sequences
 * through fast-check with a fixed budget — at least 10^5 operations per layer per CI run — and checks
 * its invariants after every operation. On failure fast-check prints the seed and the shrunk
 * sequence; to replay exactly that case:
 *
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run tests/fuzz/<layer>.fuzz.test.ts
 */
import fc from "fast-check";

/** Operations per layer per run: runs × ops per sequence. */
export const FUZZ_OPERATIONS = Number(process.env["FUZZ_OPERATIONS"] ?? 100_000);

export function budget(opsPerSequence: number): { numRuns: number; opsPerSequence: number } {
  return { numRuns: Math.max(1, Math.ceil(FUZZ_OPERATIONS / opsPerSequence)), opsPerSequence };
}

/** fast-check parameters: the budget, plus a replay when FUZZ_SEED/FUZZ_PATH are set. */
export function fuzzParameters<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env["FUZZ_SEED"];
  const path = process.env["FUZZ_PATH"];
  return {
    numRuns,
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path, endOnFailure: true }),
  };
}

/** Run `body` and report whether it threw; the machine-state checks compare before and after. */
export function threw(body: () => unknown): boolean {
  try {
    body();
    return false;
  } catch {
    return true;
  }
}
