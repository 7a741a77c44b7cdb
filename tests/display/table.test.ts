import { describe, expect, it } from "vitest";
import * as aq from "arquero";
import { DATARESOURCE_MIME, tableBundle, type DataResource } from "../../src/display/index.js";

describe("tableBundle", () => {
  const t = aq.table({ op: ["call", "reply"], cycles: [300, 382], ns: [88.2, 112.4], ok: [true, false] });

  it("offers HTML from arquero, a Table Schema data resource and text", () => {
    const b = tableBundle(t);
    expect(Object.keys(b).sort()).toEqual([DATARESOURCE_MIME, "text/html", "text/plain"].sort());
    const html = b["text/html"] as string;
    expect(html).toMatch(/^<table>/);
    expect(html).toContain("<th");
    expect(html).toContain(">reply</td>");
    const res = b[DATARESOURCE_MIME] as DataResource;
    expect(res.schema.fields).toEqual([
      { name: "op", type: "string" },
      { name: "cycles", type: "integer" },
      { name: "ns", type: "number" },
      { name: "ok", type: "boolean" },
    ]);
    expect(res.data).toEqual([
      { op: "call", cycles: 300, ns: 88.2, ok: true },
      { op: "reply", cycles: 382, ns: 112.4, ok: false },
    ]);
    const text = b["text/plain"] as string;
    expect(text.split("\n")).toEqual(["Table (2 rows × 4 columns)", "op     cycles  ns     ok", "call   300     88.2   true", "reply  382     112.4  false"]);
  });

  it("shows at most `limit` rows and says how many it left out", () => {
    const big = aq.table({ i: Array.from({ length: 150 }, (_, i) => i) });
    const b = tableBundle(big, { limit: 100 });
    expect((b[DATARESOURCE_MIME] as DataResource).data).toHaveLength(100);
    const html = b["text/html"] as string;
    expect(html.match(/<tr>/g)!.length).toBe(101); // header row + 100
    expect(html).toContain("50 more rows not shown (150 in all)");
    expect(b["text/plain"] as string).toContain("… 140 more rows");
    expect((tableBundle(big)[DATARESOURCE_MIME] as DataResource).data).toHaveLength(100);
    expect(() => tableBundle(big, { limit: -1 })).toThrow(RangeError);
  });

  it("makes every value JSON: non-finite numbers null, bigints numbers, dates ISO strings", () => {
    const odd = aq.table({ x: [NaN, 1.5], b: [1n, 2n], d: [new Date(0), null] });
    const res = tableBundle(odd)[DATARESOURCE_MIME] as DataResource;
    expect(res.data).toEqual([
      { x: null, b: 1, d: "1970-01-01T00:00:00.000Z" },
      { x: 1.5, b: 2, d: null },
    ]);
    expect(res.schema.fields.map((f) => f.type)).toEqual(["number", "integer", "datetime"]);
    expect(JSON.parse(JSON.stringify(res))).toEqual(res);
  });

  it("escapes markup in column names and values", () => {
    const html = tableBundle(aq.table({ "<b>": ["<i>x</i>"] }))["text/html"] as string;
    expect(html).toContain("&lt;b&gt;");
    expect(html).toContain("&lt;i&gt;x&lt;/i&gt;");
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<i>");
  });
});
