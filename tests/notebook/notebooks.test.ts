import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// The kernel runs from the build, as users run it (npm test builds first).
import { startKernel } from "../../dist/notebook/runner/commands.js";
import { readNotebook, type CodeCell } from "../../src/notebook/runner/nbformat.js";
import { checkNotebookFile, runNotebookFile } from "../../src/notebook/runner/run.js";

const dir = join(import.meta.dirname, "..", "..", "notebooks");
const notebooks = readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
const out = mkdtempSync(join(tmpdir(), "hn-notebooks-"));

describe("the notebooks in notebooks/", () => {
  it("are there", () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of notebooks) {
    it(`${name} runs top to bottom, and re-executing it reproduces every output`, async () => {
      const executed = join(out, name);
      const result = await runNotebookFile(join(dir, name), executed, startKernel);
      const cells = readNotebook(executed).cells.filter((c): c is CodeCell => c.cell_type === "code");
      const errors = cells.flatMap((c) => c.outputs.filter((o) => o.output_type === "error"));
      expect(errors, JSON.stringify(errors).slice(0, 2000)).toEqual([]);
      expect(result.failedCell).toBeUndefined();
      expect(cells.every((c) => typeof c.execution_count === "number")).toBe(true);
      expect(await checkNotebookFile(executed, startKernel)).toEqual([]);
    }, 300_000);
  }
});
