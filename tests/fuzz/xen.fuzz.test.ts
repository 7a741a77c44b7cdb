/**
 * Xen invariant fuzzing (issue 10 item 1): random event-channel, grant-table, memory and domctl
 * operations across 3–5 domains. Invariants: isolation — a domain maps or copies a foreign page
 * only through a live grant naming it (and writes only through a writable one); an event is pending
 * only on a port a valid send or bind made pending; frames are conserved; and an operation that
 * fails (negative rc or GNTST_* status) changes nothing. State is compared with the model hash of
 * tests/xen/helpers.ts: m.stateHash() also records the CPU TLB bookkeeping a failing hypercall
 * legitimately changes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boot, modelHash } from "../xen/helpers.js";
import { apply, invariants, opArb } from "../xen/random-ops.js";
import { budget, fuzzParameters } from "./harness.js";

const { numRuns, opsPerSequence } = budget(200);
/** The model hash copies all of memory (~2 ms): compare it around every HASH_EVERY-th operation. */
const HASH_EVERY = 10;

describe("Xen invariants under random operations (3–5 domains)", () => {
  it(`hold over ${numRuns} sequences of ${opsPerSequence} operations`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(opArb, { minLength: opsPerSequence, maxLength: opsPerSequence }), (guests, ops) => {
        const { m, xen } = boot(2, "32M");
        const ids = [0];
        for (let i = 0; i < guests; i++) ids.push(xen.createDomain({ pages: 6 }));
        const made = new Set<string>();
        for (const [i, o] of ops.entries()) {
          const before = i % HASH_EVERY === 0 ? modelHash(m, xen) : undefined;
          const r = apply(xen, ids, o);
          if (r.failed && before !== undefined) expect(modelHash(m, xen), `${fc.stringify(o)} failed but changed the model`).toBe(before);
          if (r.pending !== undefined) made.add(`${r.pending[0]}:${r.pending[1]}`);
          if (i % 4 === 3 || i === ops.length - 1) invariants(m, xen, made);
        }
      }),
      fuzzParameters(numRuns),
    );
  }, 600_000);
});
