import { describe, expect, it } from "vitest";
import {
  __HYPERVISOR_event_channel_op, EVTCHNOP_expand_array, EVTCHNOP_init_control, EVTCHNOP_send, SharedInfoLayout,
} from "../../src/xen/index.js";
import { boot, connect, evtchn } from "./helpers.js";

describe("Xen-mapped pages (shared_info, grant frames, FIFO pages) live in machine memory", () => {
  it("shows a pending bit Xen set in shared_info to m.memory.read of the shared_info frame", () => {
    const { m, xen } = boot();
    const a = xen.createDomain({ pages: 1 });
    const b = xen.createDomain({ pages: 1 });
    const [pa, pb] = connect(xen, a, b);
    expect(evtchn(xen, a, EVTCHNOP_send, { port: pa })).toBe(0);
    const frame = xen.state().domains.get(b)!.sharedInfoFrame;
    const byte = m.memory.read(frame, SharedInfoLayout.evtchn_pending + (pb >>> 3), 1)[0]!;
    expect(byte & (1 << (pb & 7))).not.toBe(0);
    expect(xen.guest(b).sharedInfo.pending(pb)).toBe(true);
  });

  it("shows a grant entry the guest published to m.memory.read of the grant frame", () => {
    const { m, xen } = boot();
    const g = xen.createDomain({ pages: 2 });
    xen.guest(g).grantTable.grantAccess(8, 0, 1);
    const frame = xen.state().domains.get(g)!.gnttab.frames[0]!;
    expect(m.memory.read(frame, 8 * 8 + 4, 4)).toEqual(new Uint8Array([1, 0, 0, 0]));
  });

  it("keeps FIFO event words in the guest's RAM, where m.memory.read finds them", () => {
    const { m, xen } = boot();
    const d = xen.createDomain({ pages: 4 });
    expect(xen.hypercall(d, __HYPERVISOR_event_channel_op, EVTCHNOP_init_control, { control_gfn: 0, offset: 0, vcpu: 0 })).toBe(0);
    expect(xen.hypercall(d, __HYPERVISOR_event_channel_op, EVTCHNOP_expand_array, { array_gfn: 1 })).toBe(0);
    const [pd] = connect(xen, 0, d);
    expect(evtchn(xen, 0, EVTCHNOP_send, { port: pd })).toBe(0);
    const remote = xen.state().domains.get(0)!.evtchn.remotePort[pd]!;
    const word = m.memory.read(xen.guest(d).memory.frame(1), remote * 4, 4);
    expect(word[3]! & 0x80).not.toBe(0); // EVTCHN_FIFO_PENDING is bit 31
  });

  it("reacquires its views after a restore: Xen's writes land in the restored memory", () => {
    const { m, xen } = boot();
    const a = xen.createDomain({ pages: 1 });
    const b = xen.createDomain({ pages: 1 });
    const [pa, pb] = connect(xen, a, b);
    const snap = m.snapshot();
    m.restore(snap);
    expect(evtchn(xen, a, EVTCHNOP_send, { port: pa })).toBe(0);
    expect(xen.guest(b).sharedInfo.pending(pb)).toBe(true);
    m.restore(snap);
    expect(xen.guest(b).sharedInfo.pending(pb)).toBe(false);
  });
});
