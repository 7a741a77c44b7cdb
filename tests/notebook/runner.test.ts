import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// The kernel runs from the build, as users run it (npm test builds first).
import { startKernel } from "../../dist/notebook/runner/commands.js";
import { readNotebook, text, type CodeCell } from "../../src/notebook/runner/nbformat.js";
import { injectParameters } from "../../src/notebook/runner/parameters.js";
import { checkNotebookFile, runNotebookFile } from "../../src/notebook/runner/run.js";

const fixture = join(import.meta.dirname, "fixtures", "params.ipynb");
const code = (path: string) => readNotebook(path).cells.filter((c): c is CodeCell => c.cell_type === "code");

describe("parameter injection (papermill's conventions)", () => {
  it("inserts an injected-parameters cell right after the parameters cell", () => {
    const nb = injectParameters(readNotebook(fixture), { seed: 7, profile: "nehalem-2010" });
    expect(nb.cells[2]!.metadata.tags).toEqual(["injected-parameters"]);
    expect(text(nb.cells[2]!.source)).toBe('// Parameters\nconst seed = 7;\nconst profile = "nehalem-2010";\n');
    const again = injectParameters(nb, { seed: 8 });
    expect(again.cells.filter((c) => c.metadata.tags?.includes("injected-parameters"))).toHaveLength(1);
  });

  it("refuses a parameter the notebook does not declare, naming the declared ones", () => {
    expect(() => injectParameters(readNotebook(fixture), { sede: 1 })).toThrowError(/unknown parameter\(s\) sede; the parameters cell declares: seed, profile/);
  });
});

describe("hypernote run and check (end to end, no Python)", () => {
  const dir = mkdtempSync(join(tmpdir(), "hn-runner-"));
  const out = join(dir, "out.ipynb");
  const html = join(dir, "out.html");

  it("executes every cell with parameters injected, records provenance and writes HTML", async () => {
    const result = await runNotebookFile(fixture, out, startKernel, { parameters: { seed: 7, profile: "nehalem-2010" }, html });
    expect(result.failedCell).toBeUndefined();
    const cells = code(out);
    expect(cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4]);
    const stream = cells[2]!.outputs.find((o) => o.output_type === "stream");
    expect(stream && text((stream as { text: string }).text)).toBe("profile nehalem-2010, seed 7, now 135\n");
    expect(cells[3]!.outputs[0]).toMatchObject({ output_type: "execute_result", execution_count: 4 });
    expect(Object.keys((cells[3]!.outputs[0] as { data: object }).data)).toContain("application/vnd.plotly.v1+json");
    const meta = readNotebook(out).metadata as { hypernote: Record<string, unknown>; papermill: Record<string, unknown> };
    expect(meta.hypernote).toMatchObject({ package: "hypernote", cost_profile: "nehalem-2010", seed: 7, parameters: { seed: 7, profile: "nehalem-2010" } });
    expect(meta.hypernote["input_sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.papermill).toMatchObject({ parameters: { seed: 7, profile: "nehalem-2010" }, default_parameters: { seed: 1, profile: "skylake" } });
    const page = readFileSync(html, "utf8");
    expect(page.split('data-hypernote="plotly.js"').length - 1).toBe(1);
    expect(page).toContain("Plotly.newPlot");
  });

  it("reports no difference when re-executing, and names the output that changed after an edit", async () => {
    expect(await checkNotebookFile(out, startKernel)).toEqual([]);
    const nb = JSON.parse(readFileSync(out, "utf8"));
    const work = nb.cells.find((c: { id?: string }) => c.id === "work");
    work.outputs.find((o: { output_type: string }) => o.output_type === "stream").text = "something else\n";
    const edited = join(dir, "edited.ipynb");
    writeFileSync(edited, JSON.stringify(nb));
    const diffs = await checkNotebookFile(edited, startKernel);
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ what: "stream", expected: "stdout: something else\n", actual: "stdout: profile nehalem-2010, seed 7, now 135\n" });
  });
});
