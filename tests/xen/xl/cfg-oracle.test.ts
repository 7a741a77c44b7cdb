import { describe, expect, it } from "vitest";
import { parseCfg } from "../../../src/xen/xl/cfg-parser.js";
import { oracleCases } from "./libxlu-cases.js";

describe("xl.cfg parser against recorded libxlu behaviour", () => {
  it.each(oracleCases.map((c) => [JSON.stringify(c.src), c] as const))("parses %s as libxlu does", (_name, c) => {
    const r = parseCfg(c.src, "xl.cfg");
    // libxlu keeps a shadowed setting emptied after `+=` moved its list; only the effective ones are compared
    const effective = (s: [string, number, unknown][]) => s.filter(([n], i) => !s.slice(i + 1).some(([m]) => m === n));
    expect({ report: r.report, err: r.err }).toEqual({ report: c.report, err: c.err });
    expect(effective(r.settings.map((s) => [s.name, s.line, s.value]))).toEqual(effective(c.settings));
  });
});
