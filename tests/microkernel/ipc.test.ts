import { describe, expect, it } from "vitest";
import { Status, hc, type Nova, type SyscallResult } from "../../src/microkernel/index.js";
import { boot, server } from "./setup.js";

describe("IPC call and reply", () => {
  it("costs exactly 2 × 288 cycles for an empty call + reply between two PDs on nehalem-2010", () => {
    const { m, nova } = boot({ costs: "nehalem-2010" });
    server(nova);
    const t = m.now(0);
    nova.call(0x42);
    nova.reply({ ec: nova.ec(0x41) });
    expect(m.now(0) - t).toBe(2 * 288);
    expect(nova.state().regs?.status).toBe(Status.SUCCESS);
  });
  it("adds the KPTI page-table switch to both directions on skylake-kpti", () => {
    const { m, nova } = boot({ costs: "skylake-kpti" });
    server(nova);
    const t = m.now(0);
    nova.call(0x42);
    nova.reply({ ec: nova.ec(0x41) });
    expect(m.now(0) - t).toBe(2 * (m.costs.cycles("ipc_oneway") + 455));
  });
  it("copies untyped words both ways and charges each word", () => {
    const { m, nova } = boot();
    server(nova);
    nova.utcb().setMessage([1n, 2n, 3n]);
    const t = m.now(0);
    nova.call(0x42);
    const srv = nova.ec(0x41);
    expect(nova.utcb(srv).message()).toEqual([1n, 2n, 3n]);
    nova.utcb(srv).setMessage([42n]);
    nova.reply({ ec: srv });
    expect(nova.utcb().message()).toEqual([42n]);
    expect(m.now(0) - t).toBe(2 * m.costs.cycles("ipc_oneway") + 4 * m.costs.cycles("utcb_word_copy"));
  });
  it("enters the callee at the portal IP with the PID in RDI, donating the caller's SC", () => {
    const { nova } = boot();
    server(nova, 0x40, 0x5000);
    nova.ptCtrl(0x42, 7);
    nova.call(0x42);
    const st = nova.state(nova.ec(0x41));
    expect(st.entered).toMatchObject({ via: "portal", ip: 0x5000n, pid: 7n });
    expect(st.sc).toBe(nova.state().sc);
    expect(nova.state().state).toBe("call");
  });
  it("returns BAD_CAP for a selector that is not a portal", () => {
    const { nova } = boot();
    expect((nova.call(0x21) as SyscallResult).status).toBe(Status.BAD_CAP);
  });
  it("does not test the CALL permission, as S14 and GF sys_call do not", () => {
    const { nova } = boot();
    server(nova);
    nova.revoke(nova.crd.obj(0x42, 0, 0x2), { self: true });
    expect(nova.lookup(undefined, nova.crd.obj(0x42)).perm).toBe(0x11); // CT | XCPU (GF)
    expect(nova.call(0x42)).toEqual({ blocked: true });
  });
  it("returns BAD_CPU for a callee on another CPU without the GF XCPU right", () => {
    const { nova } = boot({ cpus: 2 });
    nova.createPd(0x40, 0x20);
    nova.createEc(0x41, 0x40, { utcb: 0x1000n, cpu: 1 });
    nova.createPt(0x42, 0x40, 0x41, 0, 0x5000);
    nova.revoke(nova.crd.obj(0x42, 0, 0x10), { self: true }); // GF portals are born with XCPU
    expect((nova.call(0x42) as SyscallResult).status).toBe(Status.BAD_CPU);
  });
  it("returns TIMEOUT when the callee is busy and DB is set; without DB the caller helps it", () => {
    const { nova } = boot();
    server(nova);
    nova.createEc(0x50, 0x20, { utcb: 0x3000n });
    nova.createPt(0x51, 0x20, 0x50, 0, 0x6000);
    nova.delegate(0x20, 0x40, nova.crd.obj(0x51));
    nova.call(0x51); // root → a
    const a = nova.ec(0x50);
    nova.call(0x42, { ec: a }); // a → server: a is busy in a call now
    const srv = nova.ec(0x41);
    expect((nova.call(0x51, { ec: srv, db: true }) as SyscallResult).status).toBe(Status.TIMEOUT);
    expect(nova.call(0x51, { ec: srv })).toEqual({ blocked: true });
    expect(nova.state(srv)).toMatchObject({ state: "help", on: { help: a.id } });
  });
  it("aborts the waiting caller with ABORTED when the callee dies", () => {
    const { nova } = boot();
    server(nova);
    nova.call(0x42);
    const srv = nova.ec(0x41);
    nova.exception(srv, 0xd); // #GP with no portal at evt + 0xd: the server dies
    expect(nova.state(srv).state).toBe("dead");
    expect(nova.state().regs?.status).toBe(Status.ABORTED);
    expect((nova.call(0x42) as SyscallResult).status).toBe(Status.TIMEOUT);
  });
  it("parks the caller on a semaphore with GF reply(sm)", () => {
    const { nova } = boot();
    server(nova);
    nova.createSm(0x30, 0x20);
    nova.delegate(0x20, 0x40, nova.crd.obj(0x30));
    nova.call(0x42);
    nova.reply({ ec: nova.ec(0x41), sm: 0x30 });
    expect(nova.state().state).toBe("sm");
  });
  it("runs registered portal code: a generator that replies with a word", () => {
    const { m, nova } = boot();
    nova.registerCode(0x5000, function* () {
      nova.utcb(nova.ec(0x41, nova.pd(0x20))).setMessage([99n]);
      yield hc.reply();
    });
    server(nova);
    expect(nova.call(0x42)).toEqual({ blocked: true });
    m.run({ cycles: 10_000 });
    expect(nova.state()).toMatchObject({ state: "ready", regs: { status: Status.SUCCESS } });
    expect(nova.utcb().message()).toEqual([99n]);
  });
});

describe("helping and scheduling with registered code", () => {
  /** Two global client ECs (code at 0x8000) started by a STARTUP handler (code at 0x7000), a server (0x5000) that blocks on SM 0x30. */
  function world(prios: [number, number], log: string[]) {
    const { m, nova } = boot();
    nova.registerCode(0x7000, function* (ctx) {
      const u = nova.utcb(ctx.ec);
      u.words[4] = BigInt(nova.abi.Mtd.RIP_LEN);
      u.words[4 + 2] = 0x8000n;
      yield hc.reply();
    });
    nova.registerCode(0x8000, function* (ctx) {
      log.push(`start ${ctx.ec}`);
      const r = (yield hc.call(0x42)) as SyscallResult;
      log.push(`done ${ctx.ec} ${r.status}`);
    });
    nova.registerCode(0x5000, function* (ctx) {
      log.push(`serve ${ctx.pid}`);
      yield hc.smDown(0x30);
      yield hc.reply();
    });
    nova.createSm(0x30, 0x20);
    nova.createEc(0x41, 0x20, { utcb: 0x1000n });
    nova.createPt(0x42, 0x20, 0x41, 0, 0x5000);
    nova.createEc(0x43, 0x20, { utcb: 0x2000n });
    nova.createPt(0x11e, 0x20, 0x43, nova.abi.Mtd.RIP_LEN, 0x7000);
    nova.createEc(0x60, 0x20, { utcb: 0x3000n, global: true, evt: 0x100 });
    nova.createEc(0x61, 0x20, { utcb: 0x4000n, global: true, evt: 0x100 });
    return { m, nova, c1: nova.ec(0x60), c2: nova.ec(0x61), go: () => {
      nova.createSc(0x70, 0x20, 0x60, nova.qpd(prios[0], 1000));
      nova.createSc(0x71, 0x20, 0x61, nova.qpd(prios[1], 1000));
    } };
  }

  it("helps a busy server and retries the call when the server replies", () => {
    const log: string[] = [];
    const { m, nova, c1, c2, go } = world([10, 10], log);
    go();
    m.run({ cycles: 100_000 });
    expect(nova.state(c1).state).toBe("call");
    expect(nova.state(c2)).toMatchObject({ state: "help" });
    nova.up(0x30);
    m.run({ cycles: 100_000 });
    nova.up(0x30);
    m.run({ cycles: 100_000 });
    expect(log.filter((l) => l.startsWith("done"))).toEqual([`done ${c1.id} 0`, `done ${c2.id} 0`]);
    expect(log.filter((l) => l.startsWith("serve"))).toHaveLength(2);
  });

  it("runs the higher priority first", () => {
    const log: string[] = [];
    const { m, nova, c1, c2, go } = world([5, 50], log);
    go();
    m.run({ cycles: 100_000 });
    expect(log[0]).toBe(`start ${c2.id}`);
    expect(nova.state(c1).state).toBe("help");
  });

  it("accounts the server's time to the caller's donated SC", () => {
    const log: string[] = [];
    const { m, nova, go } = world([10, 10], log);
    go();
    m.run({ cycles: 100_000 });
    const t = nova.syscall(hc.scCtrl(0x70));
    expect(t.status).toBe(Status.SUCCESS);
    expect(nova.k.sc(nova.k.d.objects.get(nova.ec(0x60).id)!.kind === "ec" ? (nova.k.ec(nova.ec(0x60).id).ownSc) : -1).used).toBeGreaterThan(m.costs.cycles("ipc_oneway"));
  });

  it("restores a snapshot exactly: replaying from it gives the same state and trace", () => {
    const log: string[] = [];
    const { m, nova, go } = world([10, 10], log);
    go();
    m.run({ cycles: 50_000 });
    const snap = m.snapshot();
    const h0 = m.stateHash();
    nova.up(0x30);
    m.run({ cycles: 100_000 });
    const h1 = m.stateHash();
    m.restore(snap);
    expect(m.stateHash()).toBe(h0);
    nova.up(0x30);
    m.run({ cycles: 100_000 });
    expect(m.stateHash()).toBe(h1);
  });
});

describe("IPC typed helpers and the register-level entry", () => {
  /** The same script through nova.call / nova.reply and through nova.syscall(hc.…): the trace and the state must match. */
  function script(typed: boolean) {
    const { m, nova } = boot({ cpus: 2 });
    server(nova);
    nova.createSm(0x30, 0x20, 1);
    nova.createEc(0x51, 0x40, { utcb: 0x2000n, cpu: 1 });
    nova.createPt(0x52, 0x40, 0x51, 0, 0x6000);
    nova.revoke(nova.crd.obj(0x52, 0, 0x10), { self: true }); // no XCPU: calling it fails with BAD_CPU
    const srv = nova.ec(0x41);
    const call = (pt: number, db?: boolean): unknown => (typed ? nova.call(pt, { db }) : nova.syscall(hc.call(pt, { db })));
    const reply = (sm?: number): unknown => (typed ? nova.reply({ ec: srv, sm }) : nova.syscall(hc.reply(sm), srv));
    const out: unknown[] = [];
    out.push(call(0x42), reply());
    nova.utcb().setMessage([1n, 2n]);
    out.push(call(0x42), reply());
    out.push(call(0x21), call(0x52, true), call(0x7ffff), call(0x42 + 2 ** 26), reply()); // the selector wraps (S14 §6.2)
    out.push(call(0x42), reply(0x30), nova.state());
    const records = m.trace.records().map((r) => ({ ...r, args: r.args === undefined ? undefined : { ...r.args } }));
    return { out, records, hash: m.stateHash(), now: [m.now(0), m.now(1)] };
  }

  it("record the same trace and leave the same state for calls, replies, failures and a parking reply", () => {
    expect(script(true)).toEqual(script(false));
  });
});

describe("host-side caches of the IPC hot path", () => {
  it("forget a destroyed EC and portal, so a dead EC's UTCB page is not kept alive", () => {
    const { nova } = boot();
    server(nova);
    const ec = nova.ec(0x41).id;
    nova.call(0x42);
    nova.reply({ ec: nova.ec(0x41) });
    expect(nova.k.utcbHead.has(ec)).toBe(true);
    expect(nova.k.portals.size).toBeGreaterThan(0);
    nova.revoke(nova.crd.obj(0x40, 2, 0x1f), { self: true });
    expect(nova.k.d.objects.has(ec)).toBe(false);
    expect([nova.k.utcbHead.has(ec), nova.k.resumed.has(ec), nova.k.replyArgs.has(ec)]).toEqual([false, false, false]);
    for (const id of nova.k.portals.keys()) expect(nova.k.d.objects.has(id), `portal cache entry for dead object ${id}`).toBe(true);
  });
});

describe("host-side bookkeeping over servers that come and go", () => {
  /** Create a server PD with its EC and portal, call it once, and destroy the PD with everything in it. */
  function serverLife(nova: ReturnType<typeof boot>["nova"]): void {
    server(nova);
    nova.call(0x42);
    nova.reply({ ec: nova.ec(0x41) });
    nova.revoke(nova.crd.obj(0x40, 2, 0x1f), { self: true });
  }
  const sizes = ({ m, nova }: ReturnType<typeof boot>) => ({
    portals: nova.k.portals.size,
    replyArgs: nova.k.replyArgs.size,
    resumed: nova.k.resumed.size,
    utcbHead: nova.k.utcbHead.size,
    cachedSpaces: m.cpus.map((c) => c.cached.size),
  });

  it("keeps the IPC caches and the CPUs' cached spaces the same size after 10 and after 200 lives", () => {
    const b = boot();
    for (let i = 0; i < 10; i++) serverLife(b.nova);
    const after10 = sizes(b);
    for (let i = 10; i < 200; i++) serverLife(b.nova);
    expect(sizes(b)).toEqual(after10);
  });

  it("see code registered at a portal's IP after calls through it found none", () => {
    const { m, nova } = boot();
    server(nova);
    nova.call(0x42);
    nova.reply({ ec: nova.ec(0x41) });
    expect(nova.state(nova.ec(0x41)).runsCode).toBe(false);
    nova.registerCode(0x9000, function* () {}); // another IP: the portal still has no code
    nova.call(0x42);
    nova.reply({ ec: nova.ec(0x41) });
    nova.registerCode(0x5000, function* () {
      yield hc.reply();
    });
    nova.call(0x42);
    expect(nova.state(nova.ec(0x41)).runsCode).toBe(true);
    m.run({ until: () => nova.state().state === "ready" });
    expect(nova.state().regs?.status).toBe(Status.SUCCESS);
  });

  for (const typed of [true, false]) {
    const path = typed ? "typed helpers" : "register-level entry";
    const call = (nova: Nova, pt: number): SyscallResult => (typed ? nova.call(pt) : nova.syscall(hc.call(pt)));
    const reply = (nova: Nova): SyscallResult => (typed ? nova.reply({ ec: nova.ec(0x41) }) : nova.syscall(hc.reply(), nova.ec(0x41)));

    it(`see a portal revoked between two calls: the second returns BAD_CAP (${path})`, () => {
      const { nova } = boot();
      server(nova);
      expect(call(nova, 0x42).blocked).toBe(true);
      expect(reply(nova).blocked).toBe(true);
      expect(nova.state().regs?.status).toBe(Status.SUCCESS);
      nova.revoke(nova.crd.obj(0x42, 0, 0x1f), { self: true });
      expect(call(nova, 0x42).status).toBe(Status.BAD_CAP);
    });

    it(`see a portal destroyed and another created at its selector between two calls (${path})`, () => {
      const { nova } = boot();
      server(nova);
      nova.ptCtrl(0x42, 7n);
      call(nova, 0x42);
      reply(nova);
      nova.revoke(nova.crd.obj(0x42, 0, 0x1f), { self: true });
      expect(nova.createPt(0x42, 0x40, 0x41, 0, 0x6000)).toBe(Status.SUCCESS);
      expect(call(nova, 0x42).blocked).toBe(true);
      // the new portal's IP and PID (0), not the destroyed one's cached facts
      expect(nova.state(nova.ec(0x41)).entered).toMatchObject({ via: "portal", ip: 0x6000n, pid: 0n });
    });

    it(`see the callee's destruction between two calls: the second returns BAD_CAP (${path})`, () => {
      const { nova } = boot();
      server(nova);
      call(nova, 0x42);
      reply(nova);
      const callee = nova.ec(0x41).id;
      nova.revoke(nova.crd.obj(0x40, 2, 0x1f), { self: true }); // the PD, its EC and the portal die
      expect(nova.k.obj(callee)).toBeUndefined();
      expect(call(nova, 0x42).status).toBe(Status.BAD_CAP);
    });

    it(`look up the restored objects after a restore, not those of before (${path})`, () => {
      const { m, nova } = boot();
      const empty = m.snapshot();
      server(nova);
      const served = m.snapshot();
      call(nova, 0x42);
      reply(nova);
      m.restore(empty);
      expect(call(nova, 0x42).status).toBe(Status.BAD_CAP);
      m.restore(served);
      expect(call(nova, 0x42).blocked).toBe(true);
      expect(nova.k.ec(nova.ec(0x41).id)).toBe(nova.k.d.objects.get(nova.ec(0x41).id));
      expect(reply(nova).blocked).toBe(true);
      expect(nova.state().regs?.status).toBe(Status.SUCCESS);
    });
  }
});
