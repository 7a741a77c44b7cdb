/**
 * Parameterised runs with papermill's conventions (nteract/papermill parameterize.py, as summarised
 * in shared/reference/jupyter.md §6): defaults live in the first cell tagged `parameters`; the run's
 * values go into a new cell tagged `injected-parameters` right after it, replacing an injected cell
 * from an earlier run. papermill has no TypeScript translator, so ours writes `const name = <JSON>;`
 * (tslab lets a later cell redeclare a const).
 */
import { hasTag, lines, text, type CodeCell, type Notebook } from "./nbformat.js";

export type ParameterValue = string | number | boolean | null | ParameterValue[] | { [k: string]: ParameterValue };

/**
 * A `-p name value` value as papermill reads it: JSON when it parses (numbers, booleans, null,
 * arrays, objects), else the raw string.
 */
export function parseParameterValue(raw: string): ParameterValue {
  try {
    return JSON.parse(raw) as ParameterValue;
  } catch {
    return raw;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The defaults a `parameters` cell declares: `const name = <literal>;` lines, read as JSON where possible. */
export function defaultParameters(nb: Notebook): Record<string, ParameterValue> {
  const cell = nb.cells.find((c) => c.cell_type === "code" && hasTag(c, "parameters"));
  const out: Record<string, ParameterValue> = {};
  if (cell === undefined) return out;
  for (const m of text(cell.source).matchAll(/^\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)(?:\s*:[^=]+)?\s*=\s*(.+?);?\s*$/gm)) {
    out[m[1]!] = parseParameterValue(m[2]!.trim());
  }
  return out;
}

/** A copy of the notebook with the parameters injected; an unknown name is refused, naming the known ones. */
export function injectParameters(nb: Notebook, params: Record<string, ParameterValue>): Notebook {
  const names = Object.keys(params);
  const copy = structuredClone(nb);
  copy.cells = copy.cells.filter((c) => !hasTag(c, "injected-parameters"));
  if (names.length === 0) return copy;
  for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`parameter name "${name}" is not a TypeScript identifier`);
  const defaults = defaultParameters(copy);
  const at = copy.cells.findIndex((c) => c.cell_type === "code" && hasTag(c, "parameters"));
  if (at < 0) throw new Error(`the notebook has no cell tagged "parameters", so ${names.join(", ")} cannot be set`);
  const unknown = names.filter((n) => !(n in defaults));
  if (unknown.length > 0) {
    throw new Error(`unknown parameter(s) ${unknown.join(", ")}; the parameters cell declares: ${Object.keys(defaults).join(", ") || "nothing"}`);
  }
  const source = names.map((n) => `const ${n} = ${JSON.stringify(params[n])};\n`).join("");
  const cell: CodeCell = {
    cell_type: "code",
    id: "injected-parameters",
    source: lines(`// Parameters\n${source}`),
    metadata: { tags: ["injected-parameters"] },
    execution_count: null,
    outputs: [],
  };
  copy.cells.splice(at + 1, 0, cell);
  return copy;
}
