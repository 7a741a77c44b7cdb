import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/index.js";
import { bootNova, type Nova } from "../../src/microkernel/index.js";
import { bootGenode, NovaPlatform, novaPort, type Genode } from "../../src/genode/index.js";
import type { XenPlatform } from "../../src/genode/base-xen/platform.js";

const PP = `<parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>`;
const start = (name: string, body: string, route = `<any-service><parent/></any-service>`, provides = "") =>
  `<start name="${name}" caps="100" ram="1M"><binary name="dummy"/>${provides}<config>${body}</config><route>${route}</route></start>`;
/** A child that stays, and a server–client pair that comes and goes (or is restarted by version). */
const keeper = start("keeper", `<log string="keeper up"/>`);
const pair = (version: number) =>
  start("server", `<log_service/>`, undefined, `<provides><service name="LOG"/></provides>`).replace('<start name="server"', `<start name="server" version="${version}"`)
  + start("client", `<log string="client ${version}"/><create_log_connections count="2"/>`, `<service name="LOG"><child name="server"/></service><any-service><parent/></any-service>`).replace('<start name="client"', `<start name="client" version="${version}"`)
  + start("other", `<create_log_connections count="1"/>`).replace('<start name="other"', `<start name="other" version="${version}"`);

/** Everything a destroyed child could leave behind: core's sessions, base-nova's records, NOVA's objects, core's selectors, init's quota. */
function census(g: Genode, nova: Nova) {
  const k = g.kernel as NovaPlatform;
  const rootPd = nova.k.d.objects.get(nova.k.d.rootPd)!;
  const init = g.top().init;
  return {
    coreSessions: g.core.sessions.size,
    ...k.records(),
    novaObjects: nova.k.d.objects.size,
    coreCapSpace: rootPd.kind === "pd" ? rootPd.obj.size : -1,
    initRam: init.ledger.availRam("init"),
    initCaps: init.ledger.availCaps("init"),
    initSessions: init.sessions.size,
  };
}

function boot(): { g: Genode; nova: Nova } {
  const m = new Machine({ memory: "64M" });
  const nova = bootNova(m);
  const g = bootGenode(m, { kernel: "nova", caps: 5000, nova: novaPort(nova) });
  return { g, nova };
}

describe("Genode on NOVA: a destroyed child leaves nothing behind", () => {
  it("returns sessions, platform records, NOVA objects, core's selectors and quota to their values before the child, over 50 create/destroy cycles", () => {
    const { g, nova } = boot();
    expect(g.start(`<config>${PP}${keeper}</config>`).ok).toBe(true);
    const before = census(g, nova);
    let during: ReturnType<typeof census> | undefined;
    for (let i = 0; i < 50; i++) {
      expect(g.reconfigure(`<config>${PP}${keeper}${pair(0)}</config>`).ok).toBe(true);
      expect(g.log).toContain("[init -> server] [client] client 0");
      const now = census(g, nova);
      // the children's sessions and objects exist while they live…
      expect(now.coreSessions).toBeGreaterThan(before.coreSessions);
      expect(now.novaObjects).toBeGreaterThan(before.novaObjects);
      // …and every life costs the same
      if (during !== undefined) expect(now).toEqual(during);
      during = now;
      expect(g.reconfigure(`<config>${PP}${keeper}</config>`).ok).toBe(true);
      expect(census(g, nova)).toEqual(before);
      expect(g.conserved()).toBe(true);
    }
  });

  it("leaves nothing behind when children are restarted by a changed version", () => {
    const { g, nova } = boot();
    expect(g.start(`<config>${PP}${keeper}${pair(0)}</config>`).ok).toBe(true);
    const first = census(g, nova);
    for (let v = 1; v <= 50; v++) {
      const r = g.reconfigure(`<config>${PP}${keeper}${pair(v)}</config>`);
      expect(r.ok && [r.value.destroyed.length, r.value.created.length]).toEqual([3, 3]);
      expect(g.log).toContain(`[init -> server] [client] client ${v}`);
      expect(census(g, nova)).toEqual(first);
      expect(g.conserved()).toBe(true);
    }
  });

  it("reuses a destroyed child's core selectors for the next child", () => {
    const { g } = boot();
    expect(g.start(`<config>${PP}${keeper}${pair(0)}</config>`).ok).toBe(true);
    const k = g.kernel as NovaPlatform;
    const used = k.records().coreSels;
    expect(g.reconfigure(`<config>${PP}${keeper}</config>`).ok).toBe(true);
    expect(k.records().coreSels).toBeLessThan(used);
    expect(g.reconfigure(`<config>${PP}${keeper}${pair(1)}</config>`).ok).toBe(true);
    expect(k.records().coreSels).toBe(used);
  });
});

describe("Genode on NOVA: host bookkeeping stays bounded however many children are restarted (npm run soak)", () => {
  /** Structures keyed by something every restarted child brings anew (ids never reused, names after them). */
  function bookkeeping(g: Genode, nova: Nova) {
    const m = g.machine;
    return {
      // fixed-size caches (IdCache): what they may not hold is an entry of a destroyed object
      deadInIpcCaches: [nova.k.portals, nova.k.replyArgs, nova.k.resumed, nova.k.utcbHead].map((c) => [...c.keys()].filter((id) => !nova.k.d.objects.has(id)).length),
      exact: {
        cachedSpaces: m.cpus.map((c) => c.cached.size),
        journalObjects: new Set(g["journal"].entries).size,
      },
      // compacted when they double: bounded, not constant
      memoryOwners: m.memory["ownerNames"].length,
      traceStrings: m.trace["strings"].length,
    };
  }

  it("keeps the same cached spaces and journal objects after 10 and after 1,500 restarts, no IPC cache entry of a dead object; owner names and trace strings stay under their compaction bounds", () => {
    const m = new Machine({ memory: "64M", traceCapacity: 256 });
    const nova = bootNova(m);
    const g = bootGenode(m, { kernel: "nova", caps: 5000, nova: novaPort(nova) });
    expect(g.start(`<config>${PP}${keeper}</config>`).ok).toBe(true);
    const restart = (i: number) => expect(g.reconfigure(`<config>${PP}${keeper}${start(i % 2 === 0 ? "a" : "b", "")}</config>`).ok).toBe(true);
    for (let i = 0; i < 10; i++) restart(i);
    const after10 = bookkeeping(g, nova);
    let most = { memoryOwners: 0, traceStrings: 0 };
    for (let i = 10; i < 1500; i++) {
      restart(i);
      const now = bookkeeping(g, nova);
      most = { memoryOwners: Math.max(most.memoryOwners, now.memoryOwners), traceStrings: Math.max(most.traceStrings, now.traceStrings) };
    }
    const after1500 = bookkeeping(g, nova);
    expect(after1500.exact).toEqual(after10.exact);
    expect(after1500.deadInIpcCaches).toEqual([0, 0, 0, 0]);
    expect(nova.k.portals.size).toBeGreaterThan(0); // the live children's portals are cached
    // each restart brought a new PD (an owner) and new EC names (trace actors)
    expect(most.memoryOwners).toBeLessThanOrEqual(64);
    expect(most.traceStrings).toBeLessThanOrEqual(1024);
  });
});

describe("Genode on Xen: a destroyed child leaves nothing behind", () => {
  it("returns core's sessions, base-xen's records and init's quota to their values before the child, over 50 create/destroy cycles", () => {
    const g = bootGenode(new Machine({ memory: "256M" }), { kernel: "xen", caps: 5000 });
    expect(g.start(`<config>${PP}${keeper}</config>`).ok).toBe(true);
    const k = g.kernel as XenPlatform;
    const census = () => ({ coreSessions: g.core.sessions.size, ...k.records(), initRam: g.top().init.ledger.availRam("init"), initCaps: g.top().init.ledger.availCaps("init") });
    const before = census();
    for (let i = 0; i < 50; i++) {
      expect(g.reconfigure(`<config>${PP}${keeper}${pair(0)}</config>`).ok).toBe(true);
      expect(g.log).toContain("[init -> server] [client] client 0");
      expect(census().coreSessions).toBeGreaterThan(before.coreSessions);
      expect(g.reconfigure(`<config>${PP}${keeper}</config>`).ok).toBe(true);
      expect(census()).toEqual(before);
      expect(g.conserved()).toBe(true);
    }
  });
});
