/**
 * `hypernote check`: a re-executed notebook must reproduce every output. Compares two notebooks
 * cell by cell and output by output, ignoring what legitimately differs between runs: timing
 * metadata, and outputs of cells marked `// NBVAL_IGNORE_OUTPUT` (nbval's marker, peers.md §4.4).
 */
import { text, type Cell, type Notebook, type Output } from "./nbformat.js";

export interface OutputDifference {
  cell: number;
  /** Index of the output within the cell, or -1 when the number of outputs differs. */
  output: number;
  what: string;
  expected: string;
  actual: string;
}

/** What an output shows, without the display ids that depend on the session. */
function comparable(o: Output | undefined): string {
  if (o === undefined) return "(nothing)";
  switch (o.output_type) {
    case "stream":
      return `${o.name}: ${text(o.text)}`;
    case "error":
      return `${o.ename}: ${o.evalue}`;
    case "execute_result":
    case "display_data":
      return JSON.stringify(o.data, Object.keys(o.data).sort());
  }
}

function ignored(cell: Cell): boolean {
  return /\/\/\s*NBVAL_(IGNORE_OUTPUT|SKIP)\b/.test(text(cell.source));
}

export function diffOutputs(expected: Notebook, actual: Notebook): OutputDifference[] {
  const out: OutputDifference[] = [];
  if (expected.cells.length !== actual.cells.length) {
    out.push({ cell: -1, output: -1, what: "number of cells", expected: String(expected.cells.length), actual: String(actual.cells.length) });
    return out;
  }
  expected.cells.forEach((e, i) => {
    const a = actual.cells[i]!;
    if (e.cell_type !== "code" || a.cell_type !== "code" || ignored(e)) return;
    if (e.outputs.length !== a.outputs.length) {
      out.push({ cell: i, output: -1, what: "number of outputs", expected: String(e.outputs.length), actual: String(a.outputs.length) });
      return;
    }
    e.outputs.forEach((eo, j) => {
      const x = comparable(eo);
      const y = comparable(a.outputs[j]);
      if (x !== y) out.push({ cell: i, output: j, what: eo.output_type, expected: x, actual: y });
    });
  });
  return out;
}
