/**
 * NOVA invariant fuzzing (issue 10 item 1): random hypercall sequences against a booted NOVA.
 * Invariants: capability safety — rights never grow along a derivation (mapping database), a
 * revoke leaves no descendant holding the revoked rights, no capability names a dead object — PD
 * quota never negative, and a hypercall that returns an error leaves the machine state unchanged (checked around every
 * tenth hypercall: a machine hash costs about a millisecond).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Status, type Nova } from "../../src/microkernel/index.js";
import { apply, invariants, opArb, type Op } from "../microkernel/random-ops.js";
import { boot } from "../microkernel/setup.js";
import { budget, fuzzParameters } from "./harness.js";

/** The mapping-database node a revoke of `sel` acts on, in the PD it names (root unless remote). */
function nodeOf(nova: Nova, o: Extract<Op, { k: "rev" }>): number | undefined {
  try {
    const h = nova.pd(o.remote ?? 0x20);
    return h.id < 0 ? undefined : nova.k.pd(h.id).obj.get(o.sel);
  } catch {
    return undefined; // the selector names no PD: the revoke will fail
  }
}

const { numRuns, opsPerSequence } = budget(250);
const HASH_EVERY = 10;
/** The whole-database scan walks every mapping node (thousands, with memory): every CHECK_EVERY-th hypercall and at the end. */
const CHECK_EVERY = 25;

describe("NOVA invariants under random hypercalls", () => {
  it(`hold over ${numRuns} sequences of ${opsPerSequence} hypercalls`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: opsPerSequence, maxLength: opsPerSequence }), (ops) => {
        const { m, nova } = boot({ memory: "16M" });
        for (const [i, o] of ops.entries()) {
          // Hashing the machine costs about a millisecond: compare it around every HASH_EVERY-th hypercall.
          const before = i % HASH_EVERY === 0 ? m.stateHash() : undefined;
          const node = o.k === "rev" ? nodeOf(nova, o) : undefined;
          const s = apply(nova, o);
          if (s !== Status.SUCCESS && before !== undefined) expect(m.stateHash(), `${fc.stringify(o)} returned ${s} but changed the machine`).toBe(before);
          if (o.k === "rev" && s === Status.SUCCESS && node !== undefined && !nova.k.mdb.isFree(node)) {
            for (const d of nova.k.mdb.descendants(node)) expect(nova.k.mdb.attr[d]! & o.perm, `descendant ${d} keeps revoked rights`).toBe(0);
          }
          if (i % CHECK_EVERY === CHECK_EVERY - 1 || i === ops.length - 1) invariants(nova);
        }
      }),
      fuzzParameters(numRuns),
    );
  }, 600_000);
});
