/**
 * XenStore invariant fuzzing (issue 10 item 1). Two daemons run the same random requests from dom0
 * and unprivileged guests; the second also runs hidden dom0 requests that create, change and remove
 * nodes under /secret, which no guest may read. Invariants:
 *  - non-disclosure: every reply a guest gets, and every watch event it receives, is the same in
 *    both daemons — a guest learns nothing of a node it may not read, not even whether it exists;
 *  - an error reply changes nothing: the store (nodes, generation, per-domain node counts) hashes the
 *    same before and after.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashValue } from "../../src/machine/index.js";
import type { Xenstored } from "../../src/xen/xenstore/index.js";
import { boot, events, show, type T } from "../xen/xenstore/helpers.js";
import { budget, fuzzParameters } from "./harness.js";

const GUESTS = [1, 2, 3];
const PATHS = ["/pub", "/pub/a", "/pub/a/b", "/pub/c", "/secret", "/secret/a", "/secret/a/x", "/secret/b", "/secret/b/y", "/local/domain/1/d", "/local/domain/2/d"];
const HIDDEN = ["/secret/a", "/secret/a/x", "/secret/b", "/secret/b/y", "/secret/c"];
const TYPES: T[] = ["READ", "WRITE", "MKDIR", "RM", "DIRECTORY", "GET_PERMS", "SET_PERMS", "WATCH", "UNWATCH"];
const perm = fc.tuple(fc.constantFrom("n", "r", "w", "b"), fc.constantFrom(0, 1, 2, 3)).map(([l, d]) => `${l}${d}`);

type Op =
  | { k: "req"; dom: number; type: T; path: number; value: string; perms: string[]; token: number }
  | { k: "hidden"; type: "WRITE" | "MKDIR" | "RM" | "SET_PERMS"; path: number; value: string; perms: string[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("req" as const), dom: fc.constantFrom(0, ...GUESTS), type: fc.constantFrom(...TYPES), path: fc.nat(PATHS.length - 1), value: fc.constantFrom("", "v", "w"), perms: fc.array(perm, { minLength: 1, maxLength: 3 }), token: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("hidden" as const), type: fc.constantFrom("WRITE" as const, "MKDIR" as const, "RM" as const, "SET_PERMS" as const), path: fc.nat(HIDDEN.length - 1), value: fc.constantFrom("s", "t"), perms: fc.array(perm.filter((p) => p.startsWith("n")), { maxLength: 2 }).map((ps) => ["n0", ...ps]) }) },
);

function payload(o: Extract<Op, { k: "req" }>): string[] {
  switch (o.type) {
    case "WRITE": return [o.value];
    case "SET_PERMS": return o.perms;
    case "WATCH": case "UNWATCH": return [`tok${o.token}`];
    default: return [];
  }
}

function storeHash(xs: Xenstored): string {
  return hashValue({ nodes: [...xs.store.nodes], generation: xs.store.generation, counts: [...xs.store.counts] });
}

// Hidden SET_PERMS keep dom0 as owner and give nobody access ("n<d>" entries): a guest owner could read.

/** A daemon with /pub (guests may read and write it) and /secret (dom0 only). */
function daemon() {
  const b = boot(GUESTS);
  for (const [path, perms] of [["/pub", ["n0", "b1", "b2", "r3"]], ["/secret", ["n0"]]] as const) {
    b.req(0, "MKDIR", path);
    b.req(0, "SET_PERMS", path, ...perms);
  }
  for (const g of GUESTS) {
    b.req(0, "MKDIR", `/local/domain/${g}`);
    b.req(0, "SET_PERMS", `/local/domain/${g}`, `n${g}`);
  }
  return b;
}

const { numRuns, opsPerSequence } = budget(200);

describe("XenStore invariants under random requests (dom0 + 3 guests, with and without hidden secrets)", () => {
  it(`hold over ${numRuns} sequences of ${opsPerSequence} requests`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: opsPerSequence, maxLength: opsPerSequence }), (ops) => {
        const plain = daemon();
        const secret = daemon();
        for (const o of ops) {
          if (o.k === "hidden") {
            secret.req(0, o.type, HIDDEN[o.path]!, ...(o.type === "WRITE" ? [o.value] : o.type === "SET_PERMS" ? o.perms : []));
            continue;
          }
          const path = PATHS[o.path]!;
          // dom0 leaves /secret alone in plain sight: its perms (and so the hidden nodes' inherited ones) stay n0.
          if (o.dom === 0 && path.startsWith("/secret")) continue;
          const before = storeHash(plain.xs);
          const a = plain.req(o.dom, o.type, path, ...payload(o));
          const b = secret.req(o.dom, o.type, path, ...payload(o));
          if (a.name === "ERROR") expect(storeHash(plain.xs), `${o.type} ${path} from dom${o.dom} failed (${show(a)}) but changed the store`).toBe(before);
          if (o.dom !== 0) expect(show(b), `dom${o.dom} ${o.type} ${path} reveals the hidden nodes`).toBe(show(a));
          for (const g of GUESTS) expect(events(secret.xs, g), `watch events of dom${g} reveal the hidden nodes`).toEqual(events(plain.xs, g));
        }
      }),
      fuzzParameters(numRuns),
    );
  }, 600_000);
});
