import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDemo } from "../../src/notebook/demo.js";

describe("the demo (README's main job)", () => {
  it("writes a report with one figure, plotly.js once, and a summary table per cost profile", () => {
    const out = join(mkdtempSync(join(tmpdir(), "hypernote-demo-")), "report.html");
    const { path, machines } = runDemo({ rounds: 50, out });
    const html = readFileSync(path, "utf8");
    expect(html.match(/<div id="figure-\d+"/g)).toHaveLength(1);
    expect(html.split("Plotly.newPlot").length - 1).toBeGreaterThanOrEqual(1);
    expect(html.match(/<table/g)).toHaveLength(3);
    expect(html).toContain("not a hardware measurement");
    expect(machines.map((m) => m.costs.profile.id)).toEqual(["skylake", "skylake-kpti", "nehalem-2010"]);
    for (const m of machines) expect(m.trace.records({ op: "send" })).toHaveLength(100);
  });

  it("charges a shootdown to the other CPU, which used the shared buffer too", () => {
    const { machines } = runDemo({ rounds: 16, out: join(mkdtempSync(join(tmpdir(), "hypernote-demo-")), "r.html") });
    const shootdowns = machines[0]!.trace.records({ op: "tlb_shootdown" });
    expect(shootdowns).toHaveLength(2);
    for (const s of shootdowns) expect(s.args).toMatchObject({ space: "shared-buffer", remote: [1 - s.cpu] });
    expect(shootdowns[0]!.cycles).toBe(200 + 2600);
  });

  it("gives byte-identical reports for the same seed", () => {
    const dir = mkdtempSync(join(tmpdir(), "hypernote-demo-"));
    const a = readFileSync(runDemo({ rounds: 40, seed: 9, out: join(dir, "a.html") }).path, "utf8");
    const b = readFileSync(runDemo({ rounds: 40, seed: 9, out: join(dir, "b.html") }).path, "utf8");
    expect(a).toBe(b);
  });
});
