import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Status } from "../../src/microkernel/index.js";
import { apply, invariants, opArb as op, SELS } from "./random-ops.js";
import { boot } from "./setup.js";

describe("Properties over random hypercall sequences", () => {
  it("keep rights monotone along derivations, objects alive exactly while referenced, and quota non-negative", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { nova } = boot({ memory: "16M" });
        for (const o of ops) {
          apply(nova, o);
          invariants(nova);
        }
      }),
      { numRuns: 150, seed: 5 },
    );
  });

  it("leave no descendant holding revoked rights", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.constantFrom(...SELS), fc.integer({ min: 1, max: 31 }), (ops, sel, perm) => {
        const { nova } = boot({ memory: "16M" });
        for (const o of ops) apply(nova, o);
        const root = nova.pd(0x20);
        const node = root.id >= 0 ? nova.k.pd(root.id).obj.get(sel) : undefined;
        nova.revoke(nova.crd.obj(sel, 0, perm));
        if (node === undefined || nova.k.mdb.isFree(node)) return;
        for (const d of nova.k.mdb.descendants(node)) expect(nova.k.mdb.attr[d]! & perm).toBe(0);
      }),
      { numRuns: 150, seed: 6 },
    );
  });

  it("change nothing when a hypercall returns an error", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const { m, nova } = boot({ memory: "16M" });
        for (const o of ops) {
          const before = m.stateHash();
          const s = apply(nova, o);
          if (s !== Status.SUCCESS) expect(m.stateHash()).toBe(before);
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
