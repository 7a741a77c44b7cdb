import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CrdType, Status, type Nova } from "../../src/microkernel/index.js";
import { boot } from "./setup.js";

const SELS = [0x20, 0x21, 0x22, 0x30, 0x31, 0x40, 0x41, 0x50];
const op = fc.oneof(
  fc.record({ k: fc.constant("sm"), sel: fc.constantFrom(...SELS), owner: fc.constantFrom(0x20, 0x40, 0x50) }),
  fc.record({ k: fc.constant("pd"), sel: fc.constantFrom(...SELS), quota: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ k: fc.constant("del"), src: fc.constantFrom(0x20, 0x40, 0x50), dst: fc.constantFrom(0x20, 0x40, 0x50), sel: fc.constantFrom(...SELS), perm: fc.integer({ min: 0, max: 31 }) }),
  fc.record({ k: fc.constant("rev"), sel: fc.constantFrom(...SELS), perm: fc.integer({ min: 0, max: 31 }), self: fc.boolean(), remote: fc.constantFrom(undefined, 0x40, 0x50) }),
  fc.record({ k: fc.constant("quota"), src: fc.constantFrom(0x40, 0x50), dst: fc.constantFrom(0x40, 0x50), pages: fc.integer({ min: 0, max: 20 }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(nova: Nova, o: Op): number {
  switch (o.k) {
    case "sm": return nova.createSm(o.sel, o.owner);
    case "pd": return nova.createPd(o.sel, 0x20, 0n, { lower: o.quota });
    case "del": return nova.delegate(o.src, o.dst, nova.crd.obj(o.sel, 0, o.perm));
    case "rev": return nova.revoke(nova.crd.obj(o.sel, 0, o.perm), { self: o.self, ...(o.remote === undefined ? {} : { remote: o.remote }) });
    case "quota": return nova.syscall(nova.hc.pdCtrl(o.src, 0, o.dst, o.pages)).status!;
  }
}

function invariants(nova: Nova): void {
  const k = nova.k;
  const mdb = k.mdb;
  for (let n = 0; n < mdb.count; n++) {
    if (mdb.isFree(n)) continue;
    const p = mdb.parent[n]!;
    if (p >= 0) expect(mdb.attr[n]! & ~mdb.attr[p]!).toBe(0); // rights never grow along a derivation
    if (mdb.type[n] === CrdType.OBJ) expect(k.obj(mdb.phys[n]!)).toBeDefined(); // no capability to a dead object
  }
  for (const o of k.d.objects.values()) {
    expect(o.refs).toBeGreaterThan(0); // an object dies with its last capability or reference
    if (o.kind === "pd" && o.quota.limit >= 0) expect(o.quota.limit - o.quota.used).toBeGreaterThanOrEqual(0); // quota never negative
  }
}

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
