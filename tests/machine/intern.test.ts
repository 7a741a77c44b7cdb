import { describe, expect, it } from "vitest";
import { internalized } from "../../src/machine/index.js";

describe("internalized (strings hot paths compare)", () => {
  it("returns the same string value, for run-time strings and for names that look like array indices", () => {
    for (const s of [`nova:pd${32}`, `ec${7}`, "", "0", "42", "toString", "__proto__"]) expect(internalized(s)).toBe(s);
  });
});
