/**
 * Random Xen operation sequences shared by the property test (tests/xen/property.test.ts) and the
 * 10^5-operation fuzzing (tests/fuzz/xen.fuzz.test.ts): event-channel, grant-table, memory and
 * domctl operations across 3–5 domains, and the invariants checked after them.
 */
import fc from "fast-check";
import { expect } from "vitest";
import {
  DOMID_SELF, ECS_FREE, ECS_INTERDOMAIN, EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_unmask,
  GNTCOPY_dest_gref, GNTCOPY_source_gref, GNTMAP_host_map, GNTMAP_readonly, GNTTABOP_copy, GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref,
  GTF_permit_access, GTF_readonly, XENMEM_decrease_reservation, XEN_DOMCTL_destroydomain, __HYPERVISOR_memory_op, type Xen,
} from "../../src/xen/index.js";
import { domctl, evtchn, gnttab, type boot } from "./helpers.js";

export type Op =
  | { k: "alloc"; d: number; r: number }
  | { k: "bind"; d: number; r: number; port: number }
  | { k: "send"; d: number; port: number }
  | { k: "close"; d: number; port: number }
  | { k: "unmask"; d: number; port: number }
  | { k: "grant"; d: number; ref: number; to: number; gfn: number; ro: boolean }
  | { k: "revoke"; d: number; ref: number }
  | { k: "map"; d: number; from: number; ref: number; ro: boolean; slot: number }
  | { k: "unmap"; d: number; handle: number; slot: number }
  | { k: "copy"; d: number; from: number; ref: number; len: number; write: boolean }
  | { k: "balloon"; d: number; gfn: number }
  | { k: "destroy"; d: number };

const N = 5;
const dom = fc.nat(N - 1);
const port = fc.nat(12);
const ref = fc.integer({ min: 7, max: 12 });
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant("alloc" as const), d: dom, r: dom }),
  fc.record({ k: fc.constant("bind" as const), d: dom, r: dom, port }),
  fc.record({ k: fc.constant("send" as const), d: dom, port }),
  fc.record({ k: fc.constant("close" as const), d: dom, port }),
  fc.record({ k: fc.constant("unmask" as const), d: dom, port }),
  fc.record({ k: fc.constant("grant" as const), d: dom, ref, to: dom, gfn: fc.nat(5), ro: fc.boolean() }),
  fc.record({ k: fc.constant("revoke" as const), d: dom, ref }),
  fc.record({ k: fc.constant("map" as const), d: dom, from: dom, ref, ro: fc.boolean(), slot: fc.nat(3) }),
  fc.record({ k: fc.constant("unmap" as const), d: dom, handle: fc.nat(6), slot: fc.nat(3) }),
  fc.record({ k: fc.constant("copy" as const), d: dom, from: dom, ref, len: fc.nat(5000), write: fc.boolean() }),
  fc.record({ k: fc.constant("balloon" as const), d: dom, gfn: fc.nat(5) }),
  fc.record({ k: fc.constant("destroy" as const), d: dom }),
);

export interface Outcome { failed: boolean; pending?: [number, number] }

/** Runs one operation; whether it failed (negative rc or a GNTST_* status), and the port it legitimately made pending. */
export function apply(xen: Xen, ids: number[], o: Op): Outcome {
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
      const mp = { host_addr: (0x1000 + o.slot) * 4096, flags: GNTMAP_host_map | (o.ro ? GNTMAP_readonly : 0), ref: o.ref, dom: other(o.from) } as Record<string, unknown>;
      const granter = xen.state().domains.get(other(o.from));
      const grant = granter === undefined ? undefined : xen.guest(granter.domid).grantTable.entry(o.ref);
      gnttab(xen, d, GNTTABOP_map_grant_ref, [mp]);
      if (mp.status === 0) {
        // Isolation: a mapping exists only through a live grant to this domain, writable only if the grant is.
        expect(grant, "mapped a page of a domain that does not exist").toBeDefined();
        expect(grant!.domid, `dom${d} mapped ref ${o.ref} of dom${other(o.from)} granted to someone else`).toBe(d);
        expect(grant!.flags & GTF_permit_access).not.toBe(0);
        if (!o.ro) expect(grant!.flags & GTF_readonly, "writable mapping of a read-only grant").toBe(0);
      }
      return { failed: mp.status !== 0 };
    }
    case "unmap": {
      const u = { host_addr: (0x1000 + o.slot) * 4096, handle: o.handle } as Record<string, unknown>;
      gnttab(xen, d, GNTTABOP_unmap_grant_ref, [u]);
      return { failed: u.status !== 0 };
    }
    case "copy": {
      const granter = xen.state().domains.get(other(o.from));
      const grant = granter === undefined ? undefined : xen.guest(granter.domid).grantTable.entry(o.ref);
      const foreign = { u: { ref: o.ref }, domid: other(o.from), offset: 0 };
      const local = { u: { gmfn: 1 }, domid: DOMID_SELF, offset: 0 };
      const c = (o.write
        ? { source: local, dest: foreign, len: o.len, flags: GNTCOPY_dest_gref }
        : { source: foreign, dest: local, len: o.len, flags: GNTCOPY_source_gref }) as Record<string, unknown>;
      gnttab(xen, d, GNTTABOP_copy, [c]);
      if (c.status === 0 && o.len > 0 && other(o.from) !== d) {
        // Isolation: no copy from or into another domain's page without its grant (writable for a write).
        expect(grant?.domid, `dom${d} copied ${o.write ? "into" : "from"} ref ${o.ref} of dom${other(o.from)} without a grant`).toBe(d);
        expect(grant!.flags & GTF_permit_access).not.toBe(0);
        if (o.write) expect(grant!.flags & GTF_readonly, "copy into a read-only grant").toBe(0);
      }
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

/** Isolation, binding symmetry, pending bits only from valid sends or binds, frame conservation. */
export function invariants(m: ReturnType<typeof boot>["m"], xen: Xen, made: Set<string>): void {
  const s = xen.state();
  let owned = 0;
  for (const n of m.memory.usage().values()) owned += n;
  expect(owned + m.memory.free, "frames are conserved").toBe(m.memory.frameCount);
  for (const d of s.domains.values()) {
    expect(m.memory.usage().get(d.owner) ?? 0).toBe(d.totPages);
    for (const [gfn, v] of d.foreign) {
      const entry = d.maptrack.find((e) => e !== undefined && e.hostAddr === gfn * 4096);
      expect(entry, `dom${d.domid} maps foreign gfn ${gfn} with no maptrack entry`).toBeDefined();
      const granter = s.domains.get(entry!.dom)!;
      expect(granter.gnttab.active.get(entry!.ref)?.domid).toBe(d.domid);
      expect(xen.guest(granter.domid).grantTable.entry(entry!.ref).domid).toBe(d.domid);
      expect(m.memory.ownerOf(Math.floor(v / 2))).toBe(granter.owner);
    }
    const e = d.evtchn;
    for (let p = 1; p < e.state.length; p++) {
      if (e.state[p] === ECS_INTERDOMAIN) {
        const r = s.domains.get(e.remoteDom[p]!);
        expect(r, `dom${d.domid} port ${p} bound to a dead domain`).toBeDefined();
        expect(r!.evtchn.state[e.remotePort[p]!]).toBe(ECS_INTERDOMAIN);
        expect(r!.evtchn.remoteDom[e.remotePort[p]!]).toBe(d.domid);
        expect(r!.evtchn.remotePort[e.remotePort[p]!]).toBe(p);
      }
      if (p < 4096 && xen.guest(d.domid).sharedInfo.pending(p)) {
        expect(e.state[p], `dom${d.domid} port ${p} pending while free`).not.toBe(ECS_FREE);
        expect(made.has(`${d.domid}:${p}`), `dom${d.domid} port ${p} pending without a valid send`).toBe(true);
      }
    }
  }
}
