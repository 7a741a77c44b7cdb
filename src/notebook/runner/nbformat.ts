/**
 * Notebook documents, nbformat 4 (nbformat.readthedocs.io, "The Notebook file format"): the cell and
 * output shapes the runner reads and writes. Written back with one-space indentation and a trailing
 * newline, as Jupyter writes them, so a re-run changes only what really changed.
 */
import { readFileSync, writeFileSync } from "node:fs";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient?: { display_id?: string };
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  execution_count: number | null;
  outputs: Output[];
}
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export function text(s: MultilineString): string {
  return Array.isArray(s) ? s.join("") : s;
}

/** Jupyter's own split: lines keep their "\n", the last line has none. */
export function lines(s: string): string[] {
  const parts = s.split(/(?<=\n)/);
  return parts.length === 1 && parts[0] === "" ? [] : parts;
}

export function parseNotebook(json: string, where: string): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch (e) {
    throw new Error(`${where} is not JSON: ${(e as Error).message}`);
  }
  const n = nb as Partial<Notebook>;
  if (n.nbformat !== 4 || !Array.isArray(n.cells)) throw new Error(`${where} is not an nbformat 4 notebook (nbformat=${String(n.nbformat)})`);
  return n as Notebook;
}

export function readNotebook(path: string): Notebook {
  return parseNotebook(readFileSync(path, "utf8"), path);
}

export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

export function writeNotebook(path: string, nb: Notebook): void {
  writeFileSync(path, serializeNotebook(nb));
}

export function hasTag(cell: Cell, tag: string): boolean {
  return cell.metadata.tags?.includes(tag) === true;
}
