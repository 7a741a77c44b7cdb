import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Machine, PAGE_SIZE, primitiveNames, type MachineSnapshot, type Primitive } from "../../src/machine/index.js";
import { budget, fuzzParameters, threw } from "./harness.js";

type Op =
  | { op: "alloc"; owner: number; count: number }
  | { op: "release"; owner: number; index: number }
  | { op: "releaseBogus"; frame: number }
  | { op: "write"; frame: number; offset: number; bytes: number[] }
  | { op: "charge"; cpu: number; primitive: Primitive }
  | { op: "schedule"; cpu: number; delay: number }
  | { op: "run"; cycles: number }
  | { op: "enter"; cpu: number; space: number }
  | { op: "shootdown"; cpu: number; space: number }
  | { op: "snapshot" }
  | { op: "restore" };

const FRAMES = 64;
const CPUS = 3;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("alloc" as const), owner: fc.nat(3), count: fc.nat(24) }),
  fc.record({ op: fc.constant("release" as const), owner: fc.nat(3), index: fc.nat(30) }),
  fc.record({ op: fc.constant("releaseBogus" as const), frame: fc.integer({ min: -2, max: FRAMES + 2 }) }),
  fc.record({ op: fc.constant("write" as const), frame: fc.nat(FRAMES - 1), offset: fc.nat(4100), bytes: fc.array(fc.nat(255), { maxLength: 8 }) }),
  fc.record({ op: fc.constant("charge" as const), cpu: fc.nat(CPUS - 1), primitive: fc.constantFrom(...primitiveNames) }),
  fc.record({ op: fc.constant("schedule" as const), cpu: fc.nat(CPUS - 1), delay: fc.nat(50_000) }),
  fc.record({ op: fc.constant("run" as const), cycles: fc.nat(100_000) }),
  fc.record({ op: fc.constant("enter" as const), cpu: fc.nat(CPUS - 1), space: fc.nat(3) }),
  fc.record({ op: fc.constant("shootdown" as const), cpu: fc.nat(CPUS - 1), space: fc.nat(3) }),
  fc.constant({ op: "snapshot" as const }),
  fc.constant({ op: "restore" as const }),
);

const { numRuns, opsPerSequence } = budget(500);

describe("machine invariants under random operations", () => {
  it(`hold over ${numRuns} sequences of ${opsPerSequence} operations`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: opsPerSequence, maxLength: opsPerSequence }), (ops) => {
        const m = new Machine({ cpus: CPUS, memory: FRAMES * PAGE_SIZE, traceCapacity: 64, seed: 1 });
        m.on("tick", (_, cpu) => m.charge(cpu, "irq_to_user", "fuzz", "tick", "timer"));
        let saved: { snap: MachineSnapshot; hash: string; trace: string } | undefined;
        for (const o of ops) {
          // Only these operations can fail; hashing the state around them checks that a failure changes nothing.
          const canFail = o.op === "alloc" || o.op === "release" || o.op === "releaseBogus" || o.op === "write";
          const before = canFail ? m.stateHash() : "";
          let failed = false;
          switch (o.op) {
            case "alloc":
              failed = threw(() => m.memory.alloc(`owner${o.owner}`, o.count));
              break;
            case "release": {
              const frames = m.memory.framesOf(`owner${o.owner}`);
              failed = threw(() => m.memory.release(frames.slice(o.index, o.index + 2), `owner${o.owner}`));
              break;
            }
            case "releaseBogus":
              failed = threw(() => m.memory.release([o.frame, o.frame]));
              break;
            case "write":
              failed = threw(() => m.memory.write(o.frame, o.offset, Uint8Array.from(o.bytes)));
              break;
            case "charge":
              m.charge(o.cpu, o.primitive, "fuzz", "op", "actor");
              break;
            case "schedule":
              m.after(o.cpu, o.delay, "tick");
              break;
            case "run":
              m.run({ cycles: o.cycles });
              break;
            case "enter":
              m.cpus[o.cpu]!.enter(`space${o.space}`);
              break;
            case "shootdown":
              m.tlbShootdown(o.cpu, `space${o.space}`, "fuzz", "actor");
              break;
            case "snapshot":
              saved = { snap: m.snapshot(), hash: m.stateHash(), trace: m.trace.hash() };
              break;
            case "restore":
              if (saved) {
                m.restore(saved.snap);
                expect(m.stateHash()).toBe(saved.hash);
                expect(m.trace.hash()).toBe(saved.trace);
              }
              break;
          }
          if (failed) expect(m.stateHash(), `${o.op} failed but changed the machine`).toBe(before);
          const used = [...m.memory.usage().values()].reduce((a, b) => a + b, 0);
          expect(used + m.memory.free, "frames are conserved").toBe(FRAMES);
          expect(m.trace.size + m.trace.dropped, "every trace record is held or counted as dropped").toBe(m.trace.total);
          expect(m.trace.size).toBeLessThanOrEqual(m.trace.capacity);
        }
      }),
      fuzzParameters(numRuns),
    );
  }, 600_000);
});
