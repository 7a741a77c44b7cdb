import { describe, expect, it } from "vitest";
import { createMachine, machineHistory, UsageError } from "../../src/index.js";
import { MachineHistory, capdlDiff, machineCapdl } from "../../src/metrics/index.js";
import { DOMID_SELF, EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, __HYPERVISOR_event_channel_op, type Xen } from "../../src/xen/index.js";
import { Status } from "../../src/microkernel/index.js";

/** A NOVA machine with PD 0x40 and an SM at root selector 0x30, watched by a fresh history. */
function novaSetup() {
  const m = createMachine({ memory: "64M", seed: 3 });
  const nova = m.bootNova();
  expect(nova.createPd(0x40, 0x20)).toBe(Status.SUCCESS);
  expect(nova.createSm(0x30, 0x20)).toBe(Status.SUCCESS);
  const h = new MachineHistory();
  const id = h.watch(m);
  return { m, nova, h, id };
}

/** Runs `body` as one cell would: the kernel's before hook, the code, the after hook. */
function cell(h: MachineHistory, n: number, body: () => void): void {
  h.beforeCell(n);
  try {
    body();
  } finally {
    h.afterCell();
  }
}

const evtchn = (xen: Xen, domid: number, cmd: number, arg: Record<string, unknown>): number => xen.hypercall(domid, __HYPERVISOR_event_channel_op, cmd, arg);

describe("MachineHistory: rewind", () => {
  it("puts back the capDL text and the stateHash a delegating cell changed", () => {
    const { m, nova, h } = novaSetup();
    cell(h, 1, () => {});
    const text = nova.capdl();
    const hash = m.stateHash();
    const now = m.now();
    cell(h, 2, () => expect(nova.delegate(0x20, 0x40, nova.crd.obj(0x30))).toBe(Status.SUCCESS));
    expect(nova.capdl()).not.toBe(text);
    const r = h.rewind();
    expect(r.cell).toBe(2);
    expect(nova.capdl()).toBe(text);
    expect(m.stateHash()).toBe(hash);
    expect(m.now()).toBe(now);
  });

  it("inside a cell, undoes the previous cell and what this cell did so far; called again it goes one more cell back", () => {
    const { nova, h } = novaSetup();
    const t0 = nova.capdl();
    cell(h, 1, () => nova.delegate(0x20, 0x40, nova.crd.obj(0x30)));
    const t1 = nova.capdl();
    cell(h, 2, () => nova.createSm(0x31, 0x20));
    h.beforeCell(3);
    nova.createSm(0x32, 0x20);
    expect(h.rewind().cell).toBe(2);
    expect(nova.capdl()).toBe(t1);
    h.afterCell();
    cell(h, 4, () => expect(h.rewind().cell).toBe(1));
    expect(nova.capdl()).toBe(t0);
    expect(() => h.rewind()).toThrow(/no earlier cell/);
  });

  it("keeps at most `depth` cells", () => {
    const { nova, h } = novaSetup();
    h.configure({ depth: 2 });
    for (let i = 0; i < 4; i++) cell(h, i + 1, () => nova.createSm(0x50 + i, 0x20));
    expect(h.size).toBe(2);
    h.rewind();
    h.rewind();
    expect(() => h.rewind()).toThrow(UsageError);
  });

  it("shares one snapshot between cells that left the machine alone, and drops the oldest past maxBytes", () => {
    const { nova, h } = novaSetup();
    cell(h, 1, () => {});
    const one = h.bytes;
    expect(one).toBeGreaterThan(0);
    cell(h, 2, () => {});
    expect(h.bytes).toBe(one);
    cell(h, 3, () => nova.createSm(0x60, 0x20));
    cell(h, 4, () => {});
    // cells 3 and 4 share one snapshot (cell 4 changed nothing): two snapshots' worth, not three
    expect(h.bytes).toBeGreaterThan(1.9 * one);
    expect(h.bytes).toBeLessThan(2.1 * one);
    h.configure({ maxBytes: one * 1.5 });
    expect(h.size).toBe(1);
  });

  it("leaves a machine created during the undone cell as it is, and lists it as untouched", () => {
    const { m, h, id } = novaSetup();
    h.beforeCell(1);
    const m2 = createMachine({ memory: "16M" });
    const id2 = h.watch(m2);
    const n2 = m2.bootNova();
    n2.createSm(0x30, 0x20);
    h.afterCell();
    const text2 = n2.capdl();
    const hash = m.stateHash();
    const r = h.rewind();
    expect(r.restored).toEqual([id]);
    expect(r.untouched).toEqual([id2]);
    expect(n2.capdl()).toBe(text2);
    expect(m.stateHash()).toBe(hash);
  });

  it("refuses with rewind-past-boot, and changes nothing, when a system was booted after the checkpoint", () => {
    const m = createMachine({ memory: "64M" });
    const h = new MachineHistory();
    h.watch(m);
    cell(h, 1, () => m.bootXen());
    const hash = m.stateHash();
    let err: unknown;
    try {
      h.rewind();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe("rewind-past-boot");
    expect((err as Error).message).toMatch(/Xen was booted/);
    expect(m.stateHash()).toBe(hash);
    expect(h.size).toBe(1);
  });

  it.each(["nova", "xen"] as const)("undoes a cell that reconfigured and ran Genode on %s: log, state report and hash as before", (kernel) => {
    const m = createMachine({ memory: "128M" });
    const g = m.bootGenode({ kernel });
    const h = new MachineHistory();
    h.watch(m);
    const config = (extra: string) => `<config><parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>
      <default-route><any-service><parent/></any-service></default-route><default caps="50"/><report/>
      <start name="test-log" ram="2M"/>${extra}</config>`;
    cell(h, 1, () => expect(g.start(config("")).ok).toBe(true));
    const before = { log: [...g.log], report: g.state(), hash: m.stateHash(), trace: m.trace.hash() };
    cell(h, 2, () => {
      expect(g.reconfigure(config('<start name="again" ram="2M"><binary name="test-log"/></start>')).ok).toBe(true);
      m.run({ cycles: 100_000 });
    });
    expect(g.log).toContain("[init -> again] Test done.");
    const r = h.rewind();
    expect(r.cell).toBe(2);
    expect({ log: [...g.log], report: g.state(), hash: m.stateHash(), trace: m.trace.hash() }).toEqual(before);
    expect(g.state()).not.toContain('name="again"');
  });

  it("refuses with rewind-genode, naming why, when the checkpoint was taken after a cell drove the machine around Genode", () => {
    const m = createMachine({ memory: "64M" });
    const g = m.bootGenode({ kernel: "nova" });
    const h = new MachineHistory();
    h.watch(m);
    cell(h, 1, () => g.start("<config/>"));
    cell(h, 2, () => m.charge(0, "syscall", "cell", "by-hand", "notebook"));
    cell(h, 3, () => {});
    const hash = m.stateHash();
    let err: unknown;
    try {
      h.rewind();
    } catch (e) {
      err = e;
    }
    expect((err as UsageError).code).toBe("rewind-genode");
    expect((err as Error).message).toMatch(/driven outside Genode/);
    expect(m.stateHash()).toBe(hash);
  });
});

describe("MachineHistory: lastDiff", () => {
  it("lists exactly the added cap line (and its CDT relation) for a delegation", () => {
    const { nova, h, id } = novaSetup();
    cell(h, 1, () => nova.delegate(0x20, 0x40, nova.crd.obj(0x30)));
    const d = h.lastDiff();
    const caps = d.in("caps");
    expect(caps).toHaveLength(1);
    expect(caps[0]!.sign).toBe("+");
    expect(caps[0]!.path).toEqual([`machine #${id}`, "caps", caps[0]!.path[2]]);
    expect(caps[0]!.path[2]).toMatch(/^pd_\d+$/);
    expect(caps[0]!.line).toMatch(/^obj 0x30: sm_\d+ \(order: 0, rights: 0x[0-9a-f]+\)$/);
    expect(nova.capdl()).toContain(`    ${caps[0]!.line}`);
    expect(d.removed).toEqual([]);
    expect(d.in("CDT")).toHaveLength(1);
    expect(d.in("CDT")[0]!.line).toMatch(/^parent_of\(/);
    expect(d.in("objects")).toEqual([]);
  });

  it("shows an event-channel bind as capDL-like evtchn lines for both ends", () => {
    const m = createMachine({ memory: "64M" });
    const xen = m.bootXen();
    const a = xen.createDomain();
    const b = xen.createDomain();
    const h = new MachineHistory();
    h.watch(m);
    const alloc = { dom: DOMID_SELF, remote_dom: a, port: 0 };
    cell(h, 1, () => expect(evtchn(xen, b, EVTCHNOP_alloc_unbound, alloc)).toBe(0));
    expect(h.lastDiff().added).toEqual([`evtchn dom${b}:${alloc.port} unbound (dom${a} may bind)`]);
    const bind = { remote_dom: b, remote_port: alloc.port, local_port: 0 };
    cell(h, 2, () => expect(evtchn(xen, a, EVTCHNOP_bind_interdomain, bind)).toBe(0));
    const d = h.lastDiff();
    expect(d.added.sort()).toEqual([`evtchn dom${a}:${bind.local_port} -> dom${b}:${alloc.port} interdomain`, `evtchn dom${b}:${alloc.port} -> dom${a}:${bind.local_port} interdomain`].sort());
    expect(d.removed).toEqual([`evtchn dom${b}:${alloc.port} unbound (dom${a} may bind)`]);
    expect(d.in("xen")).toHaveLength(3);
  });

  it("shows a grant as a `grant domN ref R -> domM gfn 0x… rw` line", () => {
    const m = createMachine({ memory: "64M" });
    const xen = m.bootXen();
    const a = xen.createDomain();
    const h = new MachineHistory();
    h.watch(m);
    cell(h, 1, () => xen.guest(a).grantTable.grantAccess(8, 0, 0x5));
    expect(h.lastDiff().added).toEqual([`grant dom${a} ref 8 -> dom0 gfn 0x5 rw`]);
    expect(machineCapdl(m)).toContain(`grant dom${a} ref 8 -> dom0 gfn 0x5 rw`);
  });

  it("renders +/- lines inside their blocks as text/plain and coloured text/html", () => {
    const d = capdlDiff("caps {\n  pd_1 {\n    OBJ 0x1: sm_2\n  }\n}", "caps {\n  pd_1 {\n    OBJ 0x2: sm_2\n  }\n}");
    expect(String(d)).toBe(["  caps {", "    pd_1 {", "-     OBJ 0x1: sm_2", "+     OBJ 0x2: sm_2", "    }", "  }"].join("\n"));
    const b = (d as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]!();
    expect(b["text/plain"]).toBe(String(d));
    expect(b["text/html"]).toMatch(/<span style="color:#cf222e[^"]*">- {5}OBJ 0x1: sm_2<\/span>/);
    expect(b["text/html"]).toMatch(/<span style="color:#1a7f37[^"]*">\+ {5}OBJ 0x2: sm_2<\/span>/);
  });

  it("says so when a cell changed no capability", () => {
    const { h } = novaSetup();
    cell(h, 1, () => {});
    expect(h.lastDiff().changes).toEqual([]);
    expect(String(h.lastDiff())).toBe("(no capability changes)");
  });
});

describe("machineHistory and createMachine", () => {
  const KERNEL = Symbol.for("hypernote.kernel");
  const g = globalThis as Record<symbol, unknown>;

  it("watch a new machine only inside a kernel: outside one no cell checkpoints it, and a WeakRef would keep it alive until the job ends", () => {
    expect(g[KERNEL]).toBeUndefined();
    expect(machineHistory.idOf(createMachine({ memory: "16M" }))).toBeUndefined();
    const hooks = new Set<unknown>();
    g[KERNEL] = { hooks };
    try {
      const m = createMachine({ memory: "16M" });
      expect(machineHistory.idOf(m)).toBeGreaterThan(0);
      expect(hooks.size).toBe(1); // the history's before/after-cell hook
    } finally {
      delete g[KERNEL];
    }
  });
});
