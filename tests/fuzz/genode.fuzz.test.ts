/**
 * Genode invariant fuzzing (issue 10 item 1): random reconfigurations, session requests, upgrades,
 * closes, resource consumption and exits against init. Invariants: quota conservation — every byte
 * of RAM and every capability is in exactly one ledger account (init.conserved()) after every
 * operation, and all of it returns to init once the configuration is empty; an operation that fails
 * (a Result with ok: false) changes neither the ledger nor init's state report.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Init } from "../../src/genode/init/index.js";
import { budget, fuzzParameters } from "./harness.js";

const M = 1024 * 1024;
const RAM = 32 * M;
const CAPS = 800;
const PP = `<parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>`;
const NAMES = ["a", "b", "c", "d"] as const;

const startArb = fc.record({
  name: fc.constantFrom(...NAMES),
  ram: fc.constantFrom("1M", "2M", "4M", "40M"),
  caps: fc.constantFrom(30, 50, 100, 300),
  provides: fc.boolean(),
  route: fc.constantFrom("any", "child", "none"),
});
type Start = typeof startArb extends fc.Arbitrary<infer T> ? T : never;

function render(starts: Start[]): string {
  const seen = new Set<string>();
  return `<config>${PP}<default-route><any-service><parent/><any-child/></any-service></default-route>${starts.filter((s) => !seen.has(s.name) && seen.add(s.name)).map((s) =>
    `<start name="${s.name}" caps="${s.caps}" ram="${s.ram}">${s.provides ? `<provides><service name="Timer"/></provides>` : ""}${
      s.route === "child" ? `<route><service name="Timer"><any-child/></service><any-service><parent/></any-service></route>` : s.route === "none" ? "" : `<route><any-service><parent/></any-service></route>`}</start>`).join("")}</config>`;
}

const child = fc.constantFrom(...NAMES);
const opArb = fc.oneof(
  { weight: 1, arbitrary: fc.record({ k: fc.constant("apply" as const), starts: fc.array(startArb, { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("malformed" as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("session" as const), child, service: fc.constantFrom("Timer", "LOG", "ROM", "Nope"), ram: fc.constantFrom("0", "8K", "64K", "100M"), caps: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("upgrade" as const), child, session: fc.nat(40), ram: fc.nat(2 * M), caps: fc.nat(50) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("close" as const), child, session: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("consume" as const), child, ram: fc.nat(8 * M), caps: fc.nat(100) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("exit" as const), child, value: fc.integer({ min: -1, max: 1 }) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs one op; true if it reported failure through its Result. */
function apply(init: Init, o: Op): boolean {
  const alive = init.childNames().includes((o as { child?: string }).child ?? "");
  switch (o.k) {
    case "apply": return !init.apply(render(o.starts)).ok;
    case "malformed": return !init.apply(`<config>\n  <start name="a">\n</config>`).ok;
    case "session": return alive && !init.session(o.child, o.service, `label="f", ram_quota=${o.ram}, cap_quota=${o.caps}`).ok;
    case "upgrade": return alive && !init.upgrade(o.child, o.session, o.ram, o.caps).ok;
    case "close":
      if (alive) init.close(o.child, o.session);
      return false;
    case "consume": return alive && !init.consume(o.child, o.ram, o.caps).ok;
    case "exit":
      if (alive) init.exit(o.child, o.value);
      return false;
  }
}

const state = (init: Init) => `${JSON.stringify(init.ledger.snapshot())}\n${init.stateReport()}`;
const { numRuns, opsPerSequence } = budget(200);

describe("Genode init invariants under random operations", () => {
  it(`hold over ${numRuns} sequences of ${opsPerSequence} operations`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: opsPerSequence, maxLength: opsPerSequence }), (ops) => {
        const init = new Init({ ram: RAM, caps: CAPS });
        for (const o of ops) {
          const before = state(init);
          const failed = apply(init, o);
          if (failed) expect(state(init), `${fc.stringify(o)} failed but changed init`).toBe(before);
          expect(init.conserved(), `${fc.stringify(o)} lost or made quota`).toBe(true);
        }
        expect(init.apply(`<config>${PP}</config>`).ok).toBe(true);
        expect(init.conserved()).toBe(true);
        expect(init.ledger.availRam("init"), "all RAM returns to init").toBe(RAM);
        expect(init.ledger.availCaps("init"), "all caps return to init").toBe(CAPS);
      }),
      fuzzParameters(numRuns),
    );
  }, 600_000);
});
