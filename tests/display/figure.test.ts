import { beforeEach, describe, expect, it } from "vitest";
import { Script } from "node:vm";
import * as aq from "arquero";
import { Machine } from "../../src/machine/index.js";
import { histogram, provenanceOf } from "../../src/metrics/index.js";
import { DISPLAY, Figure, PLOTLY_MIME, bundleOf, isDisplayable, resetFigureIds, scriptJson } from "../../src/display/index.js";

function spec(title = "IPC latency") {
  const m = new Machine();
  m.charge(0, "typed_item_xfer", "nova", "call", "ec");
  return histogram({ name: "call", values: [300, 320, 350] }, { provenance: provenanceOf(m), title });
}

describe("display protocol", () => {
  it("uses the symbol Deno's kernel uses", () => {
    expect(DISPLAY).toBe(Symbol.for("Jupyter.display"));
  });

  it("bundleOf returns an object's own bundle, a table's bundle, and undefined for anything else", async () => {
    const own = { [DISPLAY]: () => ({ "text/plain": "mine" }) };
    expect(isDisplayable(own)).toBe(true);
    expect(bundleOf(own)).toEqual({ "text/plain": "mine" });
    const later = { [DISPLAY]: async () => ({ "text/plain": "later" }) };
    await expect(bundleOf(later)).resolves.toEqual({ "text/plain": "later" });
    const table = bundleOf(aq.table({ a: [1, 2] })) as Record<string, unknown>;
    expect(Object.keys(table).sort()).toEqual(["application/vnd.dataresource+json", "text/html", "text/plain"]);
    expect(bundleOf({ a: 1 })).toBeUndefined();
    expect(bundleOf(42)).toBeUndefined();
    expect(bundleOf(null)).toBeUndefined();
  });
});

describe("Figure", () => {
  beforeEach(() => resetFigureIds());

  it("offers the plotly JSON object, an HTML fallback and one line of text", () => {
    const bundle = new Figure(spec())[DISPLAY]();
    expect(Object.keys(bundle).sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"].sort());
    const value = bundle[PLOTLY_MIME] as { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> };
    expect(typeof value).toBe("object");
    expect(value.data).toHaveLength(1);
    expect(value.layout["title"]).toMatchObject({ text: "IPC latency ⚠" });
    expect(value.config).toMatchObject({ displaylogo: false });
    const html = bundle["text/html"] as string;
    expect(html).toMatch(/^<div id="hypernote-figure-1-[0-9a-f]{8}" class="hypernote-figure"/);
    expect(html).toContain("window.Plotly.newPlot(el, spec.data, spec.layout, spec.config)");
    expect(html).toContain("setTimeout(draw, 50)");
    expect(html).not.toContain("plotly.js v4"); // plotly.js itself is sent once per session, not per figure
    const text = bundle["text/plain"] as string;
    expect(text).not.toContain("\n");
    expect(text).toContain('Figure "IPC latency": 1 trace (histogram)');
    expect(text).toContain("Simulated on hypernote — cost profile skylake");
    expect(text).toContain("⚠ rests on approximate/assumed cost entries: typed_item_xfer (assumed)");
  });

  it("gives each display a new div id, and the same ids again after a reset", () => {
    const f = new Figure(spec());
    const id = (b: Record<string, unknown>) => /id="([^"]+)"/.exec(b["text/html"] as string)![1];
    const first = id(f[DISPLAY]());
    const second = id(f[DISPLAY]());
    expect(first).not.toBe(second);
    resetFigureIds();
    expect(id(f[DISPLAY]())).toBe(first);
    expect(id(new Figure(spec("other"))[DISPLAY]())).not.toBe(second); // same counter, different figure
  });

  it("keeps the spec's text from closing the script element", () => {
    const f = new Figure({ data: [{ type: "bar", name: "</script><script>alert(1)</script>" }], layout: { title: { text: "<!-- x" } } });
    const html = f[DISPLAY]()["text/html"] as string;
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<!--");
    expect(JSON.parse(scriptJson({ s: "</script>\u2028&" }))).toEqual({ s: "</script>\u2028&" });
  });

  it("copies the spec into the bundle, so later edits do not change an output already shown", () => {
    const s = spec();
    const bundle = new Figure(s)[DISPLAY]();
    (s.data[0] as Record<string, unknown>)["name"] = "changed";
    expect(((bundle[PLOTLY_MIME] as { data: Record<string, unknown>[] }).data[0]!)["name"]).toBe("call");
  });

  it("draws with Plotly.newPlot into the first not-yet-drawn element with its id, once plotly.js has arrived", () => {
    const f = new Figure(spec());
    const html = f[DISPLAY]()["text/html"] as string;
    const id = /id="([^"]+)"/.exec(html)![1]!;
    const script = html.slice(html.indexOf("<script") + html.slice(html.indexOf("<script")).indexOf(">") + 1, html.lastIndexOf("</script>"));
    const element = (drawn: boolean) => {
      const attrs: Record<string, string> = drawn ? { "data-drawn": "1" } : {};
      return { textContent: "fallback", getAttribute: (k: string) => attrs[k] ?? null, setAttribute: (k: string, v: string) => void (attrs[k] = v) };
    };
    const old = element(true);
    const fresh = element(false);
    const calls: unknown[][] = [];
    const timers: (() => void)[] = [];
    const context: Record<string, unknown> = {
      document: { querySelectorAll: (sel: string) => (sel === `[id="${id}"]` ? [old, fresh] : []) },
      setTimeout: (fn: () => void) => void timers.push(fn),
    };
    context["window"] = context;
    new Script(script).runInNewContext(context);
    expect(calls).toHaveLength(0);
    expect(timers).toHaveLength(1); // plotly.js not there yet: waits
    context["Plotly"] = { newPlot: (...args: unknown[]) => void calls.push(args) };
    timers.shift()!();
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe(fresh);
    expect(calls[0]!.slice(1)).toEqual([f.toJSON().data, f.toJSON().layout, f.toJSON().config]);
    expect(fresh.textContent).toBe("");
    expect(fresh.getAttribute("data-drawn")).toBe("1");
  });

  it("refuses something that is not a plotly spec", () => {
    expect(() => new Figure({ layout: {} } as never)).toThrow(/needs a plotly spec/);
  });
});
