import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize } from "../../../src/xen/xenstore/path.js";

/** core.c `canonicalize`, read rule by rule (reference §4.3), to check the one-pass version against. */
function byTheRules(path: string, home: string, allowSpecial: boolean, pathMax: number | undefined): string | undefined {
  if (!/^[A-Za-z0-9\-/_@]*$/.test(path) || (path.startsWith("@") && !allowSpecial)) return undefined;
  const name = path.startsWith("/") || path.startsWith("@") ? path : `${home}/${path}`;
  if (name.endsWith("/") && name !== "/") return undefined;
  if (name.includes("//")) return undefined;
  const prefix = /^\/local\/domain\/(?:-[0-9]{1,4}|[0-9]{1,5})\//.exec(name)?.[0].length ?? 0;
  if (pathMax !== undefined && name.length - prefix >= pathMax) return undefined;
  return name;
}

describe("XenStore path canonicalization (core.c canonicalize)", () => {
  it("accepts and names exactly the paths the rules allow, for any mix of valid and invalid characters", () => {
    const chars = fc.constantFrom("a", "Z", "0", "/", "-", "_", "@", ".", " ", "\0", "é");
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((cs) => cs.join("")), fc.boolean(), fc.option(fc.nat(12), { nil: undefined }), (path, special, pathMax) => {
        expect(canonicalize(path, "/local/domain/3", special, pathMax)).toBe(byTheRules(path, "/local/domain/3", special, pathMax));
      }),
      { numRuns: 2000 },
    );
  });
  it("refuses a missing path", () => {
    expect(canonicalize(undefined, "/local/domain/0", true, undefined)).toBeUndefined();
  });
});
