import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DOMID_SELF, EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_send } from "../../src/xen/index.js";
import { boot, evtchn, modelHash } from "./helpers.js";
import { apply, invariants, opArb } from "./random-ops.js";

describe("Xen model under random operation sequences (3–5 domains)", () => {
  it("keeps grants, bindings, pending bits and frames consistent, and failed operations change nothing", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(opArb, { minLength: 1, maxLength: 60 }), (guests, ops) => {
        const { m, xen } = boot(2, "32M");
        const ids = [0];
        for (let i = 0; i < guests; i++) ids.push(xen.createDomain({ pages: 6 }));
        const made = new Set<string>();
        for (const o of ops) {
          const before = modelHash(m, xen);
          const r = apply(xen, ids, o);
          if (r.failed) expect(modelHash(m, xen), JSON.stringify(o)).toBe(before);
          if (r.pending !== undefined) made.add(`${r.pending[0]}:${r.pending[1]}`);
          invariants(m, xen, made);
        }
      }),
      { numRuns: 150, seed: 20260818 },
    );
  });

  it("restores a snapshot exactly: the same operations after restore give the same state and trace", () => {
    const { m, xen } = boot();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const snap = m.snapshot();
    const run = () => {
      const al = { dom: DOMID_SELF, remote_dom: a, port: 0 };
      evtchn(xen, b, EVTCHNOP_alloc_unbound, al);
      const bi = { remote_dom: b, remote_port: al.port, local_port: 0 };
      evtchn(xen, a, EVTCHNOP_bind_interdomain, bi);
      evtchn(xen, a, EVTCHNOP_send, { port: bi.local_port });
      return [m.stateHash(), m.trace.hash()];
    };
    const first = run();
    m.restore(snap);
    expect(run()).toEqual(first);
  });
});
