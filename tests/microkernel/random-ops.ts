/**
 * Random NOVA hypercalls for the property tests (tests/microkernel/properties.test.ts) and the
 * invariant fuzzer (tests/fuzz/nova.fuzz.test.ts), with the invariants both check.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { CrdType, Sel, type Nova } from "../../src/microkernel/index.js";

export const SELS = [0x20, 0x21, 0x22, 0x30, 0x31, 0x40, 0x41, 0x50, 0x51];
const PDS = [0x20, 0x40, 0x50] as const;
const sel = fc.constantFrom(...SELS);
const pd = fc.constantFrom(...PDS);
// No create_ec/create_pt: a local EC created over the cell's selectors stops the cell acting for
// the root EC (UsageError ec-not-running, a facade limit rather than a kernel error return).
export const opArb = fc.oneof(
  fc.record({ k: fc.constant("sm" as const), sel, owner: pd, count: fc.nat(3) }),
  fc.record({ k: fc.constant("pd" as const), sel, quota: fc.nat(40) }),
  fc.record({ k: fc.constant("del" as const), src: pd, dst: pd, sel, perm: fc.nat(31) }),
  // A self-revoke of the root PD, EC or SC ends the cell's own EC: only non-root selectors revoke themselves.
  fc.record({ k: fc.constant("rev" as const), sel, perm: fc.nat(31), self: fc.boolean(), remote: fc.constantFrom(undefined, 0x40, 0x50) })
    .map((r) => (r.sel <= Sel.SC_ROOT ? { ...r, self: false } : r)),
  fc.record({ k: fc.constant("quota" as const), src: fc.constantFrom(0x40, 0x50), dst: fc.constantFrom(0x40, 0x50), pages: fc.nat(20) }),
  fc.record({ k: fc.constant("up" as const), sel }),
  // Raw entries with random selector, flags and argument registers (not call, reply, create_ec/sc,
  // ec_ctrl or sm_ctrl, which may leave the root EC blocked).
  fc.record({ k: fc.constant("raw" as const), nr: fc.constantFrom(0x2, 0x5, 0x6, 0x7, 0x8, 0xa, 0xb, 0xd, 0xe, 0xf), flags: fc.nat(15), sel: fc.integer({ min: Sel.SC_ROOT + 1, max: 0x60 }), rsi: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
);
export type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

export function apply(nova: Nova, o: Op): number {
  switch (o.k) {
    case "sm": return nova.createSm(o.sel, o.owner, o.count);
    case "pd": return nova.createPd(o.sel, 0x20, 0n, { lower: o.quota });
    case "del": return nova.delegate(o.src, o.dst, nova.crd.obj(o.sel, 0, o.perm));
    case "rev": return nova.revoke(nova.crd.obj(o.sel, 0, o.perm), { self: o.self, ...(o.remote === undefined ? {} : { remote: o.remote }) });
    case "quota": return nova.syscall(nova.hc.pdCtrl(o.src, 0, o.dst, o.pages)).status!;
    case "up": return nova.up(o.sel);
    case "raw": return nova.syscall({ rdi: BigInt(o.nr | (o.flags << 4) | (o.sel << 8)), rsi: o.rsi }).status!;
  }
}

/** Capability safety and quota: rights never grow along a derivation, no capability names a dead object, an object lives exactly while referenced, PD quota never negative. */
export function invariants(nova: Nova): void {
  const k = nova.k;
  const mdb = k.mdb;
  for (let n = 0; n < mdb.count; n++) {
    if (mdb.isFree(n)) continue;
    const p = mdb.parent[n]!;
    if (p >= 0) expect(mdb.attr[n]! & ~mdb.attr[p]!, `node ${n} has rights its parent ${p} lacks`).toBe(0);
    if (mdb.type[n] === CrdType.OBJ) expect(k.obj(mdb.phys[n]!), `node ${n} names a dead object`).toBeDefined();
  }
  for (const obj of k.d.objects.values()) {
    expect(obj.refs).toBeGreaterThan(0);
    if (obj.kind === "pd" && obj.quota.limit >= 0) expect(obj.quota.limit - obj.quota.used).toBeGreaterThanOrEqual(0);
  }
}
