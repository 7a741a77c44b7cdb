import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DOMID_SELF, ECS_FREE, ECS_INTERDOMAIN, EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_unmask,
  GNTCOPY_source_gref, GNTMAP_host_map, GNTMAP_readonly, GNTTABOP_copy, GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref,
  XENMEM_decrease_reservation, XEN_DOMCTL_destroydomain, __HYPERVISOR_memory_op, type Xen,
} from "../../src/xen/index.js";
import { boot, domctl, evtchn, gnttab, modelHash } from "./helpers.js";

type Op =
  | { k: "alloc"; d: number; r: number }
  | { k: "bind"; d: number; r: number; port: number }
  | { k: "send"; d: number; port: number }
  | { k: "close"; d: number; port: number }
  | { k: "unmask"; d: number; port: number }
  | { k: "grant"; d: number; ref: number; to: number; gfn: number; ro: boolean }
  | { k: "revoke"; d: number; ref: number }
  | { k: "map"; d: number; from: number; ref: number; ro: boolean; slot: number }
  | { k: "unmap"; d: number; handle: number; slot: number }
  | { k: "copy"; d: number; from: number; ref: number; len: number }
  | { k: "balloon"; d: number; gfn: number }
  | { k: "destroy"; d: number };

const N = 5;
const dom = fc.integer({ min: 0, max: N - 1 });
const port = fc.integer({ min: 0, max: 12 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant("alloc" as const), d: dom, r: dom }),
  fc.record({ k: fc.constant("bind" as const), d: dom, r: dom, port }),
  fc.record({ k: fc.constant("send" as const), d: dom, port }),
  fc.record({ k: fc.constant("close" as const), d: dom, port }),
  fc.record({ k: fc.constant("unmask" as const), d: dom, port }),
  fc.record({ k: fc.constant("grant" as const), d: dom, ref: fc.integer({ min: 8, max: 12 }), to: dom, gfn: fc.integer({ min: 0, max: 5 }), ro: fc.boolean() }),
  fc.record({ k: fc.constant("revoke" as const), d: dom, ref: fc.integer({ min: 8, max: 12 }) }),
  fc.record({ k: fc.constant("map" as const), d: dom, from: dom, ref: fc.integer({ min: 7, max: 12 }), ro: fc.boolean(), slot: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ k: fc.constant("unmap" as const), d: dom, handle: fc.integer({ min: 0, max: 6 }), slot: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ k: fc.constant("copy" as const), d: dom, from: dom, ref: fc.integer({ min: 7, max: 12 }), len: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ k: fc.constant("balloon" as const), d: dom, gfn: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ k: fc.constant("destroy" as const), d: dom }),
);

/** Run one op; returns whether it failed (negative rc or a GNTST error), and the ports it legitimately made pending. */
function apply(xen: Xen, ids: number[], o: Op): { failed: boolean; pending?: [number, number] } {
  const d = ids[o.d % ids.length]!;
  if (!xen.state().domains.has(d)) return { failed: false };
  const other = (i: number) => ids[i % ids.length]!;
  switch (o.k) {
    case "alloc":
      return { failed: evtchn(xen, d, EVTCHNOP_alloc_unbound, { dom: DOMID_SELF, remote_dom: other(o.r) }) < 0 };
    case "bind": {
      const a = { remote_dom: other(o.r), remote_port: o.port, local_port: 0 };
      const rc = evtchn(xen, d, EVTCHNOP_bind_interdomain, a);
      return rc < 0 ? { failed: true } : { failed: false, pending: [d, a.local_port] };
    }
    case "send": {
      const e = xen.state().domains.get(d)!.evtchn;
      const rc = evtchn(xen, d, EVTCHNOP_send, { port: o.port });
      const target: [number, number] | undefined = rc === 0 && e.state[o.port] === ECS_INTERDOMAIN ? [e.remoteDom[o.port]!, e.remotePort[o.port]!] : undefined;
      return target === undefined ? { failed: rc < 0 } : { failed: false, pending: target };
    }
    case "close":
      return { failed: evtchn(xen, d, EVTCHNOP_close, { port: o.port }) < 0 };
    case "unmask":
      return { failed: evtchn(xen, d, EVTCHNOP_unmask, { port: o.port }) < 0 };
    case "grant": {
      const g = xen.guest(d).grantTable;
      if (g.status(o.ref) !== 0) return { failed: false };
      g.grantAccess(o.ref, other(o.to), o.gfn, o.ro);
      return { failed: false };
    }
    case "revoke":
      xen.guest(d).grantTable.endAccess(o.ref);
      return { failed: false };
    case "map": {
      const m = { host_addr: (0x1000 + o.slot) * 4096, flags: GNTMAP_host_map | (o.ro ? GNTMAP_readonly : 0), ref: o.ref, dom: other(o.from) } as Record<string, unknown>;
      gnttab(xen, d, GNTTABOP_map_grant_ref, [m]);
      return { failed: m.status !== 0 };
    }
    case "unmap": {
      const u = { host_addr: (0x1000 + o.slot) * 4096, handle: o.handle } as Record<string, unknown>;
      gnttab(xen, d, GNTTABOP_unmap_grant_ref, [u]);
      return { failed: u.status !== 0 };
    }
    case "copy": {
      const c = { source: { u: { ref: o.ref }, domid: other(o.from), offset: 0 }, dest: { u: { gmfn: 1 }, domid: DOMID_SELF, offset: 0 }, len: o.len, flags: GNTCOPY_source_gref } as Record<string, unknown>;
      gnttab(xen, d, GNTTABOP_copy, [c]);
      return { failed: c.status !== 0 };
    }
    case "balloon": {
      const rc = xen.hypercall(d, __HYPERVISOR_memory_op, XENMEM_decrease_reservation, { extent_start: [o.gfn], nr_extents: 1, extent_order: 0, mem_flags: 0, domid: DOMID_SELF });
      return { failed: rc < 0 };
    }
    case "destroy":
      if (d === 0) return { failed: false };
      return { failed: domctl(xen, 0, XEN_DOMCTL_destroydomain, d).rc < 0 };
  }
}

function checkInvariants(m: ReturnType<typeof boot>["m"], xen: Xen, made: Set<string>): void {
  const s = xen.state();
  // Frames are conserved, and every domain's tot_pages is what it owns.
  let owned = 0;
  for (const n of m.memory.usage().values()) owned += n;
  expect(owned + m.memory.free).toBe(m.memory.frameCount);
  for (const d of s.domains.values()) {
    expect(m.memory.usage().get(d.owner) ?? 0).toBe(d.totPages);
    // No domain maps a frame it was not granted: every foreign page is a live, pinned grant to it.
    for (const [gfn, v] of d.foreign) {
      const frame = Math.floor(v / 2);
      const entry = d.maptrack.find((e) => e !== undefined && e.hostAddr === gfn * 4096);
      expect(entry).toBeDefined();
      const granter = s.domains.get(entry!.dom)!;
      expect(granter.gnttab.active.get(entry!.ref)?.domid).toBe(d.domid);
      expect(xen.guest(granter.domid).grantTable.entry(entry!.ref).domid).toBe(d.domid);
      expect(m.memory.ownerOf(frame)).toBe(granter.owner);
    }
    // No dangling remote binding; pending only where a valid send or bind put it.
    const e = d.evtchn;
    for (let p = 1; p < e.state.length; p++) {
      if (e.state[p] === ECS_INTERDOMAIN) {
        const r = s.domains.get(e.remoteDom[p]!);
        expect(r).toBeDefined();
        expect(r!.evtchn.state[e.remotePort[p]!]).toBe(ECS_INTERDOMAIN);
        expect(r!.evtchn.remoteDom[e.remotePort[p]!]).toBe(d.domid);
        expect(r!.evtchn.remotePort[e.remotePort[p]!]).toBe(p);
      }
      if (p < 4096 && xen.guest(d.domid).sharedInfo.pending(p)) {
        expect(e.state[p]).not.toBe(ECS_FREE);
        expect(made.has(`${d.domid}:${p}`)).toBe(true);
      }
    }
  }
}

describe("Xen model under random operation sequences (3–5 domains)", () => {
  it("keeps grants, bindings, pending bits and frames consistent, and failed operations change nothing", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(op, { minLength: 1, maxLength: 60 }), (guests, ops) => {
        const { m, xen } = boot(2, "32M");
        const ids = [0];
        for (let i = 0; i < guests; i++) ids.push(xen.createDomain({ pages: 6 }));
        const made = new Set<string>();
        for (const o of ops) {
          const before = modelHash(m, xen);
          const r = apply(xen, ids, o);
          if (r.failed) expect(modelHash(m, xen), JSON.stringify(o)).toBe(before);
          if (r.pending !== undefined) made.add(`${r.pending[0]}:${r.pending[1]}`);
          checkInvariants(m, xen, made);
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
