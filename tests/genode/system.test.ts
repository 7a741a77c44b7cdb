import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/index.js";
import { createMachine, UsageError } from "../../src/index.js";
import { bootGenode, type Genode } from "../../src/genode/index.js";
import { DRIVERS_CONFIG, LOG_RUN, PING_RUN, VFS_BLOCK_RUN } from "./support/run-configs.js";

const PP = `<parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/><service name="RM"/></parent-provides>`;
const dummy = (name: string, config: string, route = `<any-service><parent/></any-service>`, provides = "") =>
  `<start name="${name}" caps="100" ram="1M"><binary name="dummy"/>${provides}<config>${config}</config><route>${route}</route></start>`;

function chain(indirectRoute: string): string {
  return `<config>${PP}
    ${dummy("server", "<log_service/>", undefined, `<provides><service name="LOG"/></provides>`)}
    ${dummy("indirect_server", "<log_service/>", indirectRoute, `<provides><service name="LOG"/></provides>`)}
    ${dummy("client", `<log string="client started"/>`, `<service name="LOG"><child name="indirect_server"/></service><any-service><parent/></any-service>`)}
  </config>`;
}

function boot(): Genode {
  return bootGenode(new Machine({ memory: "256M" }), { kernel: "nova", modules: { "drivers.config": DRIVERS_CONFIG } });
}

describe("Genode system: init driving processes on NOVA", () => {
  it("prints a message through chained LOG servers with every label, as test-init expects", () => {
    const g = boot();
    g.start(chain(`<service name="LOG"><child name="server"/></service><any-service><parent/></any-service>`));
    expect(g.log).toContain("[init -> server] [indirect_server] [client] client started");
    expect(g.log).toContain("[init -> server] created LOG service");
    expect(g.conserved()).toBe(true);
  });

  it("restarts indirect_server and client when indirect_server's LOG is re-routed to the parent", () => {
    const g = boot();
    g.start(chain(`<service name="LOG"><child name="server"/></service><any-service><parent/></any-service>`));
    const r = g.reconfigure(chain(`<any-service><parent/></any-service>`));
    expect(r.ok && r.value.restarted.sort()).toEqual(["client", "indirect_server"]);
    expect(g.log.at(-1)).toBe("[init -> indirect_server] [client] client started");
    expect(g.conserved()).toBe(true);
  });

  it("destroys a removed child's PD and returns its quota, and starts an added one", () => {
    const g = boot();
    g.start(`<config>${PP}${dummy("a", `<log string="a up"/>`)}${dummy("b", `<log string="b up"/>`)}</config>`);
    const before = g.top().init.ledger.availRam("init");
    const r = g.reconfigure(`<config>${PP}${dummy("b", `<log string="b up"/>`)}${dummy("c", `<log string="c up"/>`)}</config>`);
    expect(r.ok && r.value).toMatchObject({ created: ["c"], destroyed: ["a"] });
    expect(g.top().processByName("a")).toBeUndefined();
    expect(g.log).toContain("[init -> c] c up");
    expect(g.top().init.ledger.availRam("init")).toBe(before);
    expect(g.conserved()).toBe(true);
  });

  it("re-runs a dummy's config on a changed version without restarting it", () => {
    const g = boot();
    g.start(`<config>${PP}${dummy("a", `<log string="first"/>`).replace("<config>", '<config version="1">')}</config>`);
    const r = g.reconfigure(`<config>${PP}${dummy("a", `<log string="second"/>`).replace("<config>", '<config version="2">')}</config>`);
    expect(r.ok && r.value).toMatchObject({ configUpdated: ["a"], restarted: [] });
    expect(g.log.slice(-2)).toEqual(["[init -> a] config 2: 2", "[init -> a] second"]);
  });

  it("rejects malformed XML with its line and column and leaves the running system untouched", () => {
    const g = boot();
    g.start(LOG_RUN);
    const state = g.state();
    const lines = g.log.length;
    const hash = g.machine.stateHash();
    expect(() => g.reconfigure(`<config>\n  <start name="x">\n</config>`)).toThrow(/line 3, column \d+/);
    expect(g.state()).toBe(state);
    expect(g.log.length).toBe(lines);
    expect(g.machine.stateHash()).toBe(hash);
  });

  it("opens and closes LOG connections of a dummy, with quota back where it was", () => {
    const g = boot();
    g.start(`<config>${PP}${dummy("a", `<create_log_connections count="2"/><destroy_log_connections/>`)}${dummy("b", `<log string="b"/>`)}</config>`);
    expect(g.log).toEqual(expect.arrayContaining(["[init -> a] going to create 2 LOG connections", "[init -> a] created all LOG connections", "[init -> a] destroyed all LOG connections"]));
    const init = g.top().init;
    const avail = (n: string) => init.ledger.availRam(`pd:${n}#${init.child(n)!.id}`);
    expect(avail("a")).toBe(avail("b"));
    expect([...g.top().init.sessions.values()].filter((s) => s.client === "a" && !s.env)).toEqual([]);
    expect(g.conserved()).toBe(true);
  });

  it("reports a child's exit as init does and keeps it in state exited", () => {
    const g = boot();
    g.start(`<config>${PP}<report/>${dummy("a", "<exit/>")}</config>`);
    expect(g.log).toContain('[init] child "a" exited with exit value 0');
    expect(g.state()).toMatch(/<child name="a"[^>]*exited="0"/);
  });

  it("derives vfs_block's TCB from the live routing: kernel, core, init and the vfs it uses", () => {
    const g = boot();
    g.start(VFS_BLOCK_RUN);
    const t = g.tcbOf("init -> vfs_block");
    expect(t.members.map((m) => m.label)).toEqual(["nova", "core", "init", "init -> vfs"]);
    expect(t.ids).toEqual(["nova-genode", "genode-core-nova-full", "genode-base-lib-nova", "genode-init", "genode-vfs-server", "genode-vfs-lib"]);
    expect(t.self.tcbIds).toEqual(["genode-vfs-block"]);
  });

  it("follows a nested init's parent route to the outer server in the TCB (ping.run's drivers)", () => {
    const g = boot();
    g.start(PING_RUN);
    const t = g.tcbOf("init -> drivers -> nic_drv");
    expect(t.members.map((m) => m.label)).toEqual(["nova", "core", "init", "init -> drivers", "init -> nic_router"]);
    expect(t.self.loc?.lines).toBeGreaterThan(0);
    expect(t.extraLoc.drivers).toBe(0);
    expect(() => g.tcbOf("init -> nobody")).toThrow(/no running component/);
  });

  it("sends heartbeats every rate_ms of simulated time and restarts a child that stops answering", () => {
    const g = boot();
    g.start(`<config>${PP}<heartbeat rate_ms="100"/><report/>${dummy("a", `<log string="a up"/>`).replace('ram="1M">', 'ram="1M"><heartbeat restart_after_skipped="2"/>')}</config>`);
    g.machine.run({ cycles: g.machine.costs.hz * 0.35 });
    expect(g.state()).not.toContain("skipped_heartbeats");
    g.top().processByName("a")!.respondsToHeartbeat = false;
    g.machine.run({ cycles: g.machine.costs.hz * 0.2 });
    expect(g.state()).toContain('skipped_heartbeats="1"');
    g.machine.run({ cycles: g.machine.costs.hz * 0.3 });
    expect(g.log.filter((l) => l === "[init -> a] a up")).toHaveLength(2);
    expect(g.conserved()).toBe(true);
  });

  it("carries a client's LOG through terminal_log and a Terminal session to log_terminal", () => {
    const g = boot();
    g.start(`<config>${PP}<default-route><any-service><parent/><any-child/></any-service></default-route><default caps="100"/>
      <start name="timer" ram="1M"><provides><service name="Timer"/></provides></start>
      <start name="log_terminal" ram="1M"><provides><service name="Terminal"/></provides></start>
      <start name="terminal_log" ram="1M"><provides><service name="LOG"/></provides></start>
      ${dummy("client", `<log string="hello"/>`, `<service name="LOG"><child name="terminal_log"/></service><any-service><parent/><any-child/></any-service>`)}
    </config>`);
    expect(g.log).toContain("[init -> log_terminal] 0.0 [client] hello");
    expect(g.tcbOf("init -> client").members.map((m) => m.label)).toEqual(["nova", "core", "init", "init -> terminal_log", "init -> timer", "init -> log_terminal"]);
  });

  it("runs block_tester against a RAM block device and exits with 0", () => {
    const g = boot();
    g.start(`<config>${PP}<default-route><any-service><parent/><any-child/></any-service></default-route><default caps="100"/>
      <start name="timer" ram="1M"><provides><service name="Timer"/></provides></start>
      <start name="ram_block" ram="4M"><provides><service name="Block"/></provides><config size="2M" block_size="512"/></start>
      <start name="block_tester" ram="2M"><config><tests><sequential length="1M" size="4K" write="yes"/><random length="1M" size="8K"/></tests></config></start>
    </config>`);
    expect(g.log).toContain('[init] child "block_tester" exited with exit value 0');
    expect(g.log).toContain("[init -> block_tester] finished sequential rx:0 tx:128K success:yes");
    // the exited tester closed its sessions: nothing is routed on its behalf any more
    expect(g.routes().filter((r) => r.client === "init -> block_tester" && r.service === "Block")).toEqual([]);
  });

  it("has createMachine().bootGenode boot NOVA underneath, once per machine", () => {
    const m = createMachine({ memory: "64M" });
    const g = m.bootGenode({ kernel: "nova" });
    g.start(LOG_RUN);
    expect(g.log).toContain("[init -> test-log] Test done.");
    expect(() => m.bootNova()).toThrow(UsageError);
    expect(() => m.bootGenode({ kernel: "nova" })).toThrow(/Genode is already booted on this machine/);
  });
});
