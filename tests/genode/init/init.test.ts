import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Init, ENV_RAM_QUOTA, formatNumBytes, parseNumBytes, diffConfigs, parseInitConfig } from "../../../src/genode/init/index.js";
import { parseXml } from "../../../src/genode/xml.js";

const M = 1024 * 1024;
const K = 1024;
const PP = `<parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>`;

// G@24.11 repos/base/run/log.run (reference/genode.md §7a)
const LOG_RUN = `<config>${PP}<default-route><any-service><parent/></any-service></default-route>
  <default caps="50"/><start name="test-log"><resource name="RAM" quantum="10M"/></start></config>`;

function chain(indirectRoute: string): string {
  const dummy = (name: string, route: string) => `<start name="${name}"><binary name="dummy"/><resource name="RAM" quantum="1M"/>
    <provides><service name="LOG"/></provides><config><log_service/></config><route>${route}</route></start>`;
  return `<config>${PP}<default caps="100"/><report requested="yes" provided="yes" child_ram="yes" child_caps="yes" ids="yes"/>
    ${dummy("server", `<any-service><parent/></any-service>`)}
    ${dummy("indirect_server", indirectRoute)}
    <start name="client"><binary name="dummy"/><resource name="RAM" quantum="1M"/><config><log string="client started"/></config>
      <route><service name="LOG"><child name="indirect_server"/></service><any-service><parent/></any-service></route></start></config>`;
}

describe("Num_bytes (util/string.h)", () => {
  it("parses upper-case K/M/G suffixes and rejects anything else", () => {
    expect(parseNumBytes("10M")).toBe(10 * M);
    expect(parseNumBytes("8K")).toBe(8 * K);
    expect(parseNumBytes("10MB")).toBeUndefined();
    expect(parseNumBytes("1m")).toBeUndefined();
  });
  it("prints the largest suffix that divides exactly", () => {
    expect(formatNumBytes(4 * M)).toBe("4M");
    expect(formatNumBytes(8 * K + 1)).toBe("8193");
    expect(formatNumBytes(0)).toBe("0");
  });
});

describe("Init configuration", () => {
  it("starts log.run's test-log with its env sessions at the parent and conserves quota", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    expect(init.apply(LOG_RUN)).toEqual({ ok: true, value: { created: ["test-log"], destroyed: [], restarted: [], configUpdated: [] } });
    expect(init.child("test-log")?.state).toBe("ALIVE");
    expect(init.atParent().ram).toBe(ENV_RAM_QUOTA);
    expect(init.atParent().caps).toBe(27);
    expect(init.ledger.get("pd:test-log#1").ram).toBe(10 * M - ENV_RAM_QUOTA - 16 * 1024);
    expect(init.ledger.get("pd:test-log#1").caps).toBe(50 - 28 - 6);
    expect(init.conserved()).toBe(true);
  });

  it("reports malformed XML with line and column and leaves the running system untouched", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    init.apply(LOG_RUN);
    const before = JSON.stringify(init.ledger.snapshot());
    const r = init.apply(`<config>\n  <start name="a">\n</config>`);
    expect(r).toEqual({ ok: false, error: "MALFORMED_XML" });
    expect(init.syntaxError?.line).toBe(3);
    expect(init.syntaxError?.column).toBeGreaterThan(0);
    expect(JSON.stringify(init.ledger.snapshot())).toBe(before);
    expect(init.child("test-log")?.state).toBe("ALIVE");
  });

  it("prints init's messages for an unknown element and keeps the old configuration", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    init.apply(LOG_RUN);
    expect(init.apply(`<config><bogus/></config>`).ok).toBe(false);
    expect(init.log.slice(-2)).toEqual(["[init] Error: unknown config element type <bogus>", "[init] Error: unable to apply complete configuration"]);
    expect(init.child("test-log")?.state).toBe("ALIVE");
  });

  it("warns about prio_levels that are not a power of two, nameless children and affinity without space", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    init.apply(`<config prio_levels="3">${PP}<start caps="50" ram="1M"/><start name="a" caps="50" ram="1M"><affinity xpos="1"/></start></config>`);
    expect(init.log).toEqual(expect.arrayContaining([
      "[init] Warning: prio levels is not power of two, priorities are disabled",
      "[init] Warning: missing 'name' attribute in '<start>' entry",
      "[init] Warning: skipped startup of nameless child",
      "[init] Error: child creation failed",
      "[init] Warning: affinity-space configuration missing, but affinity defined for child a",
    ]));
  });

  it("clamps a child's RAM to what init has and says so", () => {
    const init = new Init({ ram: 8 * M, caps: 1000 });
    init.apply(`<config>${PP}<default-route><any-service><parent/></any-service></default-route><start name="big" caps="100" ram="64M"/></config>`);
    const line = init.log.find((l) => l.includes("configured RAM exceeds available RAM"));
    expect(line).toMatch(/^\[init\] Warning: big: configured RAM exceeds available RAM, proceed with \d+[KM]?$/);
    expect(init.conserved()).toBe(true);
  });

  it("warns about an ambiguous RAM definition (sic) when ram= and <resource name=\"RAM\"> are both given", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    init.apply(`<config>${PP}<default-route><any-service><parent/></any-service></default-route><start name="a" caps="100" ram="2M"><resource name="RAM" quantum="1M"/></start></config>`);
    expect(init.log).toContain("[init] Warning: a: ambigious RAM-quota definition");
  });

  it("denies an unroutable env session with the exact message and marks the child incomplete", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    init.apply(`<config>${PP}<report/><start name="a" caps="100" ram="1M"><route><service name="PD"><parent/></service><service name="CPU"><parent/></service><service name="ROM"><parent/></service></route></start></config>`);
    expect(init.log).toContain('[init] Error: a: environment LOG session denied (label="a", ram_quota=8192, cap_quota=2)');
    expect(init.stateReport()).toContain('<child name="a" binary="a" state="incomplete"/>');
  });
});

describe("Init sessions and quota (reference/genode.md §2, §4)", () => {
  function running(): Init {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    init.apply(chain(`<service name="LOG"><child name="server"/></service><any-service><parent/></any-service>`));
    return init;
  }

  it("keeps session costs, forwards the rest to the server and returns both on close", () => {
    const init = running();
    const pd = init.ledger.get("pd:client#3");
    const before = pd.ram;
    const s = init.session("client", "LOG", `label="log", ram_quota=8K, cap_quota=2`);
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.value.label).toBe("client -> log");
    expect(s.value.donatedRam).toBe(8 * K - 1024);
    expect(init.ledger.get("pd:client#3").ram).toBe(before - 8 * K);
    expect(init.conserved()).toBe(true);
    init.sessionResponse("indirect_server", s.value.id, "OK");
    expect(init.close("client", s.value.id)).toBe(true);
    expect(init.ledger.get("pd:client#3").ram).toBe(before);
    expect(init.conserved()).toBe(true);
  });

  it("answers INSUFFICIENT_RAM when the donation does not cover the session costs, and the client retries with +4K", () => {
    const init = running();
    expect(init.session("client", "LOG", `label="x", ram_quota=100, cap_quota=2`)).toEqual({ ok: false, error: "INSUFFICIENT_RAM" });
    const r = init.sessionWithRetries("client", "LOG", `label="x", ram_quota=0, cap_quota=2`);
    expect(r.ok).toBe(true);
  });

  it("retries INSUFFICIENT_CAPS from the parent with +4 caps and warns after 2 attempts", () => {
    const init = running();
    const r = init.sessionWithRetries("client", "PD", `label="p", ram_quota=16K, cap_quota=0`);
    expect(r.ok).toBe(true);
    expect(init.log).toContain("[init -> client] Warning: re-attempted PD session request 2 times (args: label=\"p\", ram_quota=16K, cap_quota=12)");
    expect(init.conserved()).toBe(true);
  });

  it("stops a component whose session the parent denied, with the exact message", () => {
    const init = running();
    init.sessionWithRetries("client", "Nic", `label="n", ram_quota=8K, cap_quota=2`);
    expect(init.log).toContain('[init -> client] Error: stop because parent denied Nic-session: label="n", ram_quota=8K, cap_quota=2');
  });

  it("logs a resource request and shows it in the report until an upgrade satisfies it", () => {
    const init = running();
    init.resourceRequest("client", "ram_quota=4M");
    expect(init.log).toContain('[init] child "client" requests resources: ram_quota=4M');
    expect(init.stateReport()).toContain('requested="4M"');
    init.apply(chain(`<service name="LOG"><child name="server"/></service><any-service><parent/></any-service>`).replace(
      `<start name="client"><binary name="dummy"/><resource name="RAM" quantum="1M"/>`, `<start name="client"><binary name="dummy"/><resource name="RAM" quantum="6M"/>`));
    expect(init.stateReport()).not.toContain('requested="4M"');
    expect(init.child("client")?.assignedRam).toBe(6 * M);
    expect(init.conserved()).toBe(true);
  });

  it("downgrades by transfer when the child has the quota free, else issues a yield request", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    const cfg = (ram: string) => `<config>${PP}<default-route><any-service><parent/></any-service></default-route><start name="a" caps="100" ram="${ram}"/></config>`;
    init.apply(cfg("8M"));
    init.apply(cfg("4M"));
    expect(init.child("a")?.assignedRam).toBe(4 * M);
    expect(init.child("a")?.yieldRequest).toBeUndefined();
    expect(init.consume("a", 3 * M).ok).toBe(true);
    init.apply(cfg("2M"));
    expect(init.child("a")?.yieldRequest).toMatch(/^ram_quota=\d+K?, cap_quota=0$/);
    init.consume("a", -3 * M);
    init.yieldResponse("a");
    expect(init.child("a")?.assignedRam).toBe(2 * M);
    expect(init.conserved()).toBe(true);
  });

  it("reports an illegal announcement and a child's exit with Genode's exact strings", () => {
    const init = running();
    init.announce("server", "Nic");
    init.exit("client", 0);
    expect(init.log).toContain('[init] Error: server: illegal announcement of service "Nic"');
    expect(init.log).toContain('[init] child "client" exited with exit value 0');
    expect(init.stateReport()).toContain('exited="0"');
  });
});

describe("Init reconfiguration (reference/genode.md §1.4)", () => {
  const base = `<service name="LOG"><child name="server"/></service><any-service><parent/></any-service>`;

  it("updates a changed inline <config> with a ROM update and no restart", () => {
    const init = new Init({ ram: 64 * M, caps: 2000 });
    init.apply(chain(base));
    const r = init.apply(chain(base).replace("client started", "client changed"));
    expect(r.ok && r.value).toEqual({ created: [], destroyed: [], restarted: [], configUpdated: ["client"] });
    expect(init.child("client")?.configUpdates).toBe(1);
    expect(init.child("client")?.id).toBe(3);
  });

  it("restarts a re-routed child and, by cascade, its client (test-init chained LOG)", () => {
    const init = new Init({ ram: 64 * M, caps: 2000 });
    init.apply(chain(base));
    const s = init.session("client", "LOG", `label="log", ram_quota=8K, cap_quota=2`);
    expect(s.ok).toBe(true);
    const r = init.apply(chain(`<any-service><parent/></any-service>`));
    expect(r.ok && r.value.restarted).toEqual(["indirect_server", "client"]);
    expect(init.child("indirect_server")?.id).toBe(4);
    expect(init.child("client")?.id).toBe(5);
    expect(init.conserved()).toBe(true);
  });

  it("destroys a removed child and returns all of its quota to init", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    const before = init.ledger.availRam("init");
    init.apply(LOG_RUN);
    const r = init.apply(`<config>${PP}</config>`);
    expect(r.ok && r.value.destroyed).toEqual(["test-log"]);
    expect(init.ledger.availRam("init")).toBe(before);
    expect(init.atParent()).toEqual({ ram: 0, caps: 0 });
  });

  it("classifies start nodes statically: config-only, re-evaluation, removal, creation", () => {
    const p = (x: string) => { const r = parseInitConfig(parseXml(x)); if (!r.ok) throw new Error(); return r.config; };
    const d = diffConfigs(p(chain(base)), p(chain(`<any-service><parent/></any-service>`).replace("client started", "x")));
    expect(d.configOnly).toEqual(["client"]);
    expect(d.reevaluate).toEqual(["indirect_server"]);
    expect(d.unchanged).toEqual(["server"]);
  });
});

describe("Init state report and heartbeats", () => {
  it("publishes version, init ram/caps and each child's ram, caps and sessions", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    init.apply(LOG_RUN.replace("<config>", `<config version="7">`).replace("</config>", `<report init_ram="yes" init_caps="yes" child_ram="yes" child_caps="yes" requested="yes"/></config>`));
    const rep = init.stateReport();
    expect(rep.startsWith(`<state version="7">`)).toBe(true);
    expect(rep).toContain(`<child name="test-log" binary="test-log">`);
    expect(rep).toContain(`<ram assigned="10M" quota="`);
    expect(rep).toContain(`<session name="LOG" state="OK" label="test-log" ram="8K" caps="2"/>`);
  });

  it("counts skipped heartbeats and restarts after restart_after_skipped", () => {
    const init = new Init({ ram: 64 * M, caps: 1000 });
    init.apply(`<config>${PP}<heartbeat rate_ms="500"/><report/><default-route><any-service><parent/></any-service></default-route>
      <start name="a" caps="100" ram="1M"><heartbeat restart_after_skipped="2"/></start></config>`);
    init.heartbeat();
    init.heartbeat();
    expect(init.stateReport()).toContain('skipped_heartbeats="1"');
    init.heartbeat();
    init.heartbeat();
    expect(init.child("a")?.id).toBe(2);
    expect(init.conserved()).toBe(true);
  });
});

describe("Init properties", () => {
  const arbStart = fc.record({
    name: fc.constantFrom("a", "b", "c", "d"),
    ram: fc.constantFrom("1M", "2M", "4M", "40M"),
    caps: fc.constantFrom(50, 100, 300),
    provides: fc.boolean(),
    route: fc.constantFrom("any", "child", "none"),
  });
  const render = (starts: Array<{ name: string; ram: string; caps: number; provides: boolean; route: string }>) => {
    const seen = new Set<string>();
    return `<config>${PP}<default-route><any-service><parent/><any-child/></any-service></default-route>${starts.filter((s) => !seen.has(s.name) && seen.add(s.name)).map((s) =>
      `<start name="${s.name}" caps="${s.caps}" ram="${s.ram}">${s.provides ? `<provides><service name="Timer"/></provides>` : ""}${
        s.route === "child" ? `<route><service name="Timer"><any-child/></service><any-service><parent/></any-service></route>` : s.route === "none" ? "" : `<route><any-service><parent/></any-service></route>`}</start>`).join("")}</config>`;
  };

  it("never loses quota and never routes to a service that is not provided, across random reconfigurations", () => {
    fc.assert(fc.property(fc.array(fc.array(arbStart, { maxLength: 4 }), { minLength: 1, maxLength: 4 }), (configs) => {
      const init = new Init({ ram: 32 * M, caps: 800 });
      for (const c of configs) {
        expect(init.apply(render(c)).ok).toBe(true);
        expect(init.conserved()).toBe(true);
        for (const name of init.childNames()) {
          const r = init.route(name, "Timer", "t");
          if (r.target === "child") expect(init.child(r.server)?.start.provides).toContain("Timer");
          if (r.target === "parent") expect.fail("Timer is not in parent-provides");
          const s = init.session(name, "Timer", `label="t", ram_quota=8K, cap_quota=2`);
          expect(init.conserved()).toBe(true);
          if (s.ok) expect(s.value.service.kind).toBe("child");
        }
      }
      expect(init.apply(`<config>${PP}</config>`).ok).toBe(true);
      expect(init.ledger.availRam("init")).toBe(32 * M);
      expect(init.ledger.availCaps("init")).toBe(800);
    }), { numRuns: 150 });
  });
});
