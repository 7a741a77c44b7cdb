import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { expandShorthandProperties, type TsForShorthand } from "../../src/kernel/shorthand.js";

const req = createRequire(import.meta.url);
const ts = createRequire(req.resolve("tslab/dist/converter.js"))("@tslab/typescript-for-tslab") as TsForShorthand;

describe("shorthand properties (tslab converter work-around)", () => {
  it("spells out shorthand properties in object literals", () => {
    expect(expandShorthandProperties(ts, "const o = { seed, costs: profile };")).toBe("const o = { seed: seed, costs: profile };");
  });

  it("spells them out in destructuring patterns too, keeping defaults", () => {
    expect(expandShorthandProperties(ts, "({ a, b = 1 } = obj);")).toBe("({ a: a, b: b = 1 } = obj);");
  });

  it("leaves everything else alone: comments, strings, binding patterns that declare names", () => {
    const code = "const x = { a: 1 };\n// { seed }\nconst s = `{ seed }`;\nfunction f({ a }: { a: number }) { return a; }\nconst { b } = x;";
    expect(expandShorthandProperties(ts, code)).toBe(code);
    expect(expandShorthandProperties(ts, "1 + 1")).toBe("1 + 1");
  });
});
