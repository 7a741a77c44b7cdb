import { describe, expect, it } from "vitest";
import {
  DOMID_SELF, GNTCOPY_dest_gref, GNTCOPY_source_gref, GNTMAP_device_map, GNTMAP_host_map, GNTMAP_readonly, GNTST_bad_copy_arg, GNTST_bad_dev_addr,
  GNTST_bad_domain, GNTST_bad_gntref, GNTST_bad_handle, GNTST_general_error, GNTST_no_space, GNTST_okay, GNTST_permission_denied,
  GNTTABOP_copy, GNTTABOP_get_version, GNTTABOP_map_grant_ref, GNTTABOP_query_size, GNTTABOP_set_version, GNTTABOP_setup_table,
  GNTTABOP_transfer, GNTTABOP_unmap_grant_ref, GNTTABOP_error_msgs, GTF_reading, GTF_writing, XEN_EBUSY, XEN_ENOSYS, XEN_DOMCTL_destroydomain,
} from "../../src/xen/index.js";
import { boot, domctl, gnttab, modelHash } from "./helpers.js";

const GRANT_GFN = 0x1000; // an unpopulated gfn in the mapper, where the grant appears

function pair() {
  const { m, xen } = boot();
  const granter = xen.createDomain({ pages: 16 });
  const mapper = xen.createDomain({ pages: 16 });
  return { m, xen, granter, mapper };
}

const mapOp = (dom: number, ref: number, flags = GNTMAP_host_map, gfn = GRANT_GFN) => ({ host_addr: gfn * 4096, flags, ref, dom } as Record<string, unknown>);

describe("GNTTABOP_map_grant_ref / unmap_grant_ref", () => {
  it("maps a granted page into the mapper, sets GTF_reading|GTF_writing, and unmap clears them", () => {
    const { xen, granter, mapper } = pair();
    xen.guest(granter).memory.write(3, 0, [1, 2, 3]);
    xen.guest(granter).grantTable.grantAccess(8, mapper, 3);
    const op = mapOp(granter, 8);
    expect(gnttab(xen, mapper, GNTTABOP_map_grant_ref, [op])).toBe(0);
    expect(op.status).toBe(GNTST_okay);
    expect(xen.guest(mapper).memory.read(GRANT_GFN, 0, 3)).toEqual(new Uint8Array([1, 2, 3]));
    xen.guest(mapper).memory.write(GRANT_GFN, 0, [9]);
    expect(xen.guest(granter).memory.read(3, 0, 1)[0]).toBe(9);
    expect(xen.guest(granter).grantTable.status(8)).toBe(GTF_reading | GTF_writing);
    expect(xen.guest(granter).grantTable.endAccess(8)).toBe(false);
    const un = { host_addr: GRANT_GFN * 4096, dev_bus_addr: 0, handle: op.handle } as Record<string, unknown>;
    expect(gnttab(xen, mapper, GNTTABOP_unmap_grant_ref, [un])).toBe(0);
    expect(un.status).toBe(GNTST_okay);
    expect(xen.guest(granter).grantTable.status(8)).toBe(0);
    expect(() => xen.guest(mapper).memory.read(GRANT_GFN, 0, 1)).toThrow(/no page/);
    expect(xen.guest(granter).grantTable.endAccess(8)).toBe(true);
  });

  it("refuses a writable map of a read-only grant with general_error, but maps it read-only", () => {
    const { xen, granter, mapper } = pair();
    xen.guest(granter).grantTable.grantAccess(8, mapper, 3, true);
    const w = mapOp(granter, 8);
    gnttab(xen, mapper, GNTTABOP_map_grant_ref, [w]);
    expect(w.status).toBe(GNTST_general_error);
    const r = mapOp(granter, 8, GNTMAP_host_map | GNTMAP_readonly);
    gnttab(xen, mapper, GNTTABOP_map_grant_ref, [r]);
    expect(r.status).toBe(GNTST_okay);
    expect(xen.guest(granter).grantTable.status(8)).toBe(GTF_reading);
    expect(() => xen.guest(mapper).memory.write(GRANT_GFN, 0, [1])).toThrow(/read-only/);
  });

  it("returns each map error: bad_gntref, bad_domain, general_error (not granted to me), no_space", () => {
    const { m, xen, granter, mapper } = pair();
    xen.guest(granter).grantTable.grantAccess(8, 0, 3);
    const h = modelHash(m, xen);
    const cases: [Record<string, unknown>, number][] = [
      [mapOp(granter, 8, 0), GNTST_bad_gntref],
      [mapOp(77, 8), GNTST_bad_domain],
      [mapOp(granter, 100000), GNTST_bad_gntref],
      [mapOp(granter, 8), GNTST_general_error],
      [mapOp(granter, 9), GNTST_general_error],
      [mapOp(granter, 8, GNTMAP_device_map | GNTMAP_host_map), GNTST_general_error],
    ];
    for (const [op, st] of cases) {
      gnttab(xen, mapper, GNTTABOP_map_grant_ref, [op]);
      expect(op.status, JSON.stringify(op)).toBe(st);
    }
    expect(modelHash(m, xen)).toBe(h);
    const tiny = xen.createDomain({ maxMaptrackFrames: 0 });
    xen.guest(granter).grantTable.grantAccess(10, tiny, 4);
    const op = mapOp(granter, 10);
    gnttab(xen, tiny, GNTTABOP_map_grant_ref, [op]);
    expect(op.status).toBe(GNTST_no_space);
  });

  it("returns bad_handle and bad_dev_addr on unmap", () => {
    const { xen, granter, mapper } = pair();
    const u = { host_addr: 0, dev_bus_addr: 0, handle: 5 } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_unmap_grant_ref, [u]);
    expect(u.status).toBe(GNTST_bad_handle);
    xen.guest(granter).grantTable.grantAccess(8, 0, 3);
    const op = mapOp(granter, 8, GNTMAP_host_map | GNTMAP_device_map);
    gnttab(xen, 0, GNTTABOP_map_grant_ref, [op]);
    expect(op.status).toBe(GNTST_okay);
    const bad = { host_addr: 0, dev_bus_addr: 4096, handle: op.handle } as Record<string, unknown>;
    gnttab(xen, 0, GNTTABOP_unmap_grant_ref, [bad]);
    expect(bad.status).toBe(GNTST_bad_dev_addr);
  });

  it("charges a TLB shootdown on every other CPU where the mapper's vCPUs ran", () => {
    const { m, xen } = boot(4);
    const granter = xen.createDomain({ pages: 4 });
    const mapper = xen.createDomain({ pages: 4, vcpus: 3 });
    xen.guest(granter).grantTable.grantAccess(8, mapper, 1);
    for (let v = 0; v < 3; v++) xen.hypercallOn(mapper, v, 17, 0); // each vCPU runs (xen_version)
    const op = mapOp(granter, 8);
    gnttab(xen, mapper, GNTTABOP_map_grant_ref, [op]);
    gnttab(xen, mapper, GNTTABOP_unmap_grant_ref, [{ host_addr: GRANT_GFN * 4096, handle: op.handle }]);
    const sd = m.trace.records({ op: "tlb_shootdown" }).at(-1)!;
    expect((sd.args as { remote: number[] }).remote).toHaveLength(2);
    expect(sd.cycles).toBe(m.costs.cycles("invlpg") + 2 * m.costs.cycles("tlb_shootdown_remote"));
  });
});

describe("GNTTABOP_copy", () => {
  it("copies into a granted page; len 0 is a no-op; crossing a page is bad_copy_arg", () => {
    const { m, xen, granter, mapper } = pair();
    xen.guest(granter).grantTable.grantAccess(8, mapper, 5);
    xen.guest(mapper).memory.write(2, 100, [7, 7, 7]);
    const op = { source: { u: { gmfn: 2 }, domid: DOMID_SELF, offset: 100 }, dest: { u: { ref: 8 }, domid: granter, offset: 0 }, len: 3, flags: GNTCOPY_dest_gref } as Record<string, unknown>;
    expect(gnttab(xen, mapper, GNTTABOP_copy, [op])).toBe(0);
    expect(op.status).toBe(GNTST_okay);
    expect(xen.guest(granter).memory.read(5, 0, 3)).toEqual(new Uint8Array([7, 7, 7]));
    const h = modelHash(m, xen);
    const zero = { ...op, len: 0, source: { u: { gmfn: 999 }, domid: 555, offset: 0 } } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_copy, [zero]);
    expect(zero.status).toBe(GNTST_okay);
    const cross = { ...op, len: 8, dest: { u: { ref: 8 }, domid: granter, offset: 4090 } } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_copy, [cross]);
    expect(cross.status).toBe(GNTST_bad_copy_arg);
    expect(GNTTABOP_error_msgs[-GNTST_bad_copy_arg]).toBe("copy arguments cross page boundary");
    const foreignFrame = { ...op, source: { u: { gmfn: 2 }, domid: granter, offset: 0 } } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_copy, [foreignFrame]);
    expect(foreignFrame.status).toBe(GNTST_permission_denied);
    expect(modelHash(m, xen)).toBe(h);
  });

  it("refuses to copy into a read-only grant and out of an ungranted ref (general_error)", () => {
    const { xen, granter, mapper } = pair();
    xen.guest(granter).grantTable.grantAccess(8, mapper, 5, true);
    const into = { source: { u: { gmfn: 2 }, domid: DOMID_SELF, offset: 0 }, dest: { u: { ref: 8 }, domid: granter, offset: 0 }, len: 4, flags: GNTCOPY_dest_gref } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_copy, [into]);
    expect(into.status).toBe(GNTST_general_error);
    const from = { source: { u: { ref: 9 }, domid: granter, offset: 0 }, dest: { u: { gmfn: 2 }, domid: DOMID_SELF, offset: 0 }, len: 4, flags: GNTCOPY_source_gref } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_copy, [from]);
    expect(from.status).toBe(GNTST_general_error);
  });

  it("v2: sub-page grants bound the copy window; transitive grants copy through an intermediate", () => {
    const { xen, granter, mapper } = pair();
    const third = xen.createDomain({ pages: 4 });
    expect(gnttab(xen, granter, GNTTABOP_set_version, [{ version: 2 }])).toBe(0);
    expect(gnttab(xen, third, GNTTABOP_set_version, [{ version: 2 }])).toBe(0);
    xen.guest(granter).memory.write(5, 200, [4, 5, 6, 7]);
    xen.guest(granter).grantTable.grantSubPage(8, mapper, 5, 200, 4);
    const ok = { source: { u: { ref: 8 }, domid: granter, offset: 200 }, dest: { u: { gmfn: 1 }, domid: DOMID_SELF, offset: 0 }, len: 4, flags: GNTCOPY_source_gref } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_copy, [ok]);
    expect(ok.status).toBe(GNTST_okay);
    const out = { ...ok, len: 5 } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_copy, [out]);
    expect(out.status).toBe(GNTST_general_error);
    const sub = mapOp(granter, 8);
    gnttab(xen, mapper, GNTTABOP_map_grant_ref, [sub]);
    expect(sub.status).toBe(GNTST_general_error);
    xen.guest(granter).grantTable.grantAccess(9, third, 5);
    xen.guest(third).grantTable.grantTransitive(8, mapper, granter, 9);
    const trans = { source: { u: { ref: 8 }, domid: third, offset: 200 }, dest: { u: { gmfn: 1 }, domid: DOMID_SELF, offset: 8 }, len: 4, flags: GNTCOPY_source_gref } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_copy, [trans]);
    expect(trans.status).toBe(GNTST_okay);
    expect(xen.guest(mapper).memory.read(1, 8, 4)).toEqual(new Uint8Array([4, 5, 6, 7]));
  });
});

describe("table management", () => {
  it("setup_table grows to nr_frames (general_error above max), query_size reports it, bad dom → bad_domain", () => {
    const { xen, granter, mapper } = pair();
    const st = { dom: DOMID_SELF, nr_frames: 4 } as Record<string, unknown>;
    gnttab(xen, granter, GNTTABOP_setup_table, [st]);
    expect(st.status).toBe(GNTST_okay);
    expect(st.frame_list).toHaveLength(4);
    const q = { dom: DOMID_SELF } as Record<string, unknown>;
    gnttab(xen, granter, GNTTABOP_query_size, [q]);
    expect([q.nr_frames, q.max_nr_frames, q.status]).toEqual([4, 64, GNTST_okay]);
    const big = { dom: DOMID_SELF, nr_frames: 65 } as Record<string, unknown>;
    gnttab(xen, granter, GNTTABOP_setup_table, [big]);
    expect(big.status).toBe(GNTST_general_error);
    const other = { dom: granter, nr_frames: 1 } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_setup_table, [other]);
    expect(other.status).toBe(GNTST_permission_denied);
    const none = { dom: 99 } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_query_size, [none]);
    expect(none.status).toBe(GNTST_bad_domain);
  });

  it("set_version keeps reserved entries, refuses -EBUSY while grants are mapped; get_version reports it", () => {
    const { xen, granter, mapper } = pair();
    xen.guest(granter).grantTable.grantAccess(1, 0, 7);
    xen.guest(granter).grantTable.grantAccess(8, mapper, 3);
    const op = mapOp(granter, 8);
    gnttab(xen, mapper, GNTTABOP_map_grant_ref, [op]);
    expect(gnttab(xen, granter, GNTTABOP_set_version, [{ version: 2 }])).toBe(-XEN_EBUSY);
    gnttab(xen, mapper, GNTTABOP_unmap_grant_ref, [{ host_addr: GRANT_GFN * 4096, handle: op.handle }]);
    expect(gnttab(xen, granter, GNTTABOP_set_version, [{ version: 2 }])).toBe(0);
    expect(xen.guest(granter).grantTable.entry(1).frame).toBe(7);
    expect(xen.guest(granter).grantTable.entry(8).flags).toBe(0);
    const gv = { dom: DOMID_SELF } as Record<string, unknown>;
    expect(gnttab(xen, granter, GNTTABOP_get_version, [gv])).toBe(0);
    expect(gv.version).toBe(2);
    expect(gnttab(xen, granter, GNTTABOP_set_version, [{ version: 3 }])).toBe(-22);
    expect(gnttab(xen, granter, GNTTABOP_transfer, [{}])).toBe(-XEN_ENOSYS);
  });

  it("destroying the granter revokes the mapping: the handle is gone and the page unreachable", () => {
    const { xen, granter, mapper } = pair();
    xen.guest(granter).grantTable.grantAccess(8, mapper, 3);
    const op = mapOp(granter, 8);
    gnttab(xen, mapper, GNTTABOP_map_grant_ref, [op]);
    expect(domctl(xen, 0, XEN_DOMCTL_destroydomain, granter).rc).toBe(0);
    expect(() => xen.guest(mapper).memory.read(GRANT_GFN, 0, 1)).toThrow();
    const un = { host_addr: GRANT_GFN * 4096, handle: op.handle } as Record<string, unknown>;
    gnttab(xen, mapper, GNTTABOP_unmap_grant_ref, [un]);
    expect(un.status).toBe(GNTST_bad_handle);
  });
});

