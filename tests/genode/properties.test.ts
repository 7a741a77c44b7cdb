import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Machine } from "../../src/machine/index.js";
import { bootGenode } from "../../src/genode/index.js";

const PP = `<parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>`;
const NAMES = ["a", "b", "c", "d"] as const;

const child = fc.record({
  name: fc.constantFrom(...NAMES),
  provides: fc.boolean(),
  logTo: fc.constantFrom("parent", ...NAMES),
  connections: fc.integer({ min: 0, max: 2 }),
  ram: fc.constantFrom("512K", "1M", "2M"),
  caps: fc.integer({ min: 40, max: 150 }),
});
const config = fc.uniqueArray(child, { selector: (c) => c.name, maxLength: 4 }).map((cs) =>
  `<config>${PP}${cs.map((c) => {
    const body = `${c.provides ? "<log_service/>" : ""}<log string="${c.name} up"/><create_log_connections count="${c.connections}"/>`;
    const route = c.logTo === "parent" ? "" : `<service name="LOG"><child name="${c.logTo}"/></service>`;
    return `<start name="${c.name}" caps="${c.caps}" ram="${c.ram}"><binary name="dummy"/>${c.provides ? `<provides><service name="LOG"/></provides>` : ""}<config>${body}</config><route>${route}<any-service><parent/></any-service></route></start>`;
  }).join("")}</config>`);

describe("Genode system properties", () => {
  it("never loses quota and never routes to a service that was not provided, over random reconfigurations", () => {
    fc.assert(
      fc.property(fc.array(config, { minLength: 1, maxLength: 4 }), (configs) => {
        const g = bootGenode(new Machine({ memory: "64M" }), { kernel: "nova", caps: 5000 });
        g.start(configs[0]!);
        expect(g.conserved()).toBe(true);
        for (const xml of configs.slice(1)) {
          g.reconfigure(xml);
          expect(g.conserved()).toBe(true);
          const init = g.top().init;
          for (const s of init.sessions.values()) {
            if (s.service.kind !== "child" || s.phase === "CLOSED") continue;
            const server = init.child(s.service.server);
            expect(server?.start.provides).toContain(s.service.name);
          }
          // every line a server printed for a client came from a child that provides LOG
          for (const line of g.log) {
            const m = /^\[init -> (\w)\] \[/.exec(line);
            if (m) expect(configs.some((x) => x.includes(`<start name="${m[1]}"`))).toBe(true);
          }
        }
      }),
      { numRuns: 40, seed: 6 },
    );
  });
});
