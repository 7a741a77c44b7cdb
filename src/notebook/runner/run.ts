/**
 * `hypernote run` and `hypernote check`: execute a notebook top to bottom in a fresh hypernote
 * kernel, with papermill's parameter conventions, and record provenance; re-execute and report every
 * output that differs. No Python: the kernel is started and spoken to by our own client.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { diffOutputs, type OutputDifference } from "./diff.js";
import { notebookToHtml } from "./html-export.js";
import { hasTag, parseNotebook, serializeNotebook, text, type Notebook } from "./nbformat.js";
import { OutputCollector, type IopubMessage } from "./outputs.js";
import { defaultParameters, injectParameters, type ParameterValue } from "./parameters.js";
import { provenance } from "./provenance.js";

/** What the runner needs of a kernel connection. */
export interface KernelSession {
  execute(code: string): Promise<{ reply: { content: Record<string, unknown> }; iopub: IopubMessage[] }>;
  shutdown(): Promise<unknown>;
}

export type SessionFactory = () => Promise<KernelSession>;

export interface RunOptions {
  parameters?: Record<string, ParameterValue>;
  /** Stop at the first cell that fails (default), as nbclient does without allow_errors. */
  allowErrors?: boolean;
}

export interface RunResult {
  notebook: Notebook;
  /** Index of the cell that failed and stopped the run, if any. */
  failedCell?: number;
}

export async function executeNotebook(inputText: string, where: string, start: SessionFactory, options: RunOptions = {}): Promise<RunResult> {
  const input = parseNotebook(inputText, where);
  const params = options.parameters ?? {};
  const nb = injectParameters(input, params);
  const collector = new OutputCollector();
  const session = await start();
  let failedCell: number | undefined;
  try {
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      cell.outputs = [];
      cell.execution_count = null;
      if (hasTag(cell, "skip-execution") || failedCell !== undefined) continue;
      const { reply, iopub } = await session.execute(text(cell.source));
      cell.outputs = collector.collect(iopub);
      cell.execution_count = (reply.content["execution_count"] as number | undefined) ?? null;
      if (reply.content["status"] !== "ok" && !options.allowErrors && !hasTag(cell, "raises-exception")) failedCell = i;
    }
  } finally {
    await session.shutdown();
  }
  nb.metadata["hypernote"] = provenance(inputText, params, defaultParameters(input));
  nb.metadata["papermill"] = { parameters: params, default_parameters: defaultParameters(input), input_path: where };
  return failedCell === undefined ? { notebook: nb } : { notebook: nb, failedCell };
}

export async function runNotebookFile(
  path: string,
  out: string,
  start: SessionFactory,
  options: RunOptions & { html?: string } = {},
): Promise<RunResult> {
  const result = await executeNotebook(readFileSync(path, "utf8"), path, start, options);
  writeFileSync(out, serializeNotebook(result.notebook));
  if (options.html !== undefined) writeFileSync(options.html, notebookToHtml(result.notebook, basename(path, ".ipynb")));
  return result;
}

/** Re-execute a notebook that was saved with outputs and compare. */
export async function checkNotebookFile(path: string, start: SessionFactory): Promise<OutputDifference[]> {
  const saved = readFileSync(path, "utf8");
  const expected = parseNotebook(saved, path);
  const params = (expected.metadata["papermill"] as { parameters?: Record<string, ParameterValue> } | undefined)?.parameters ?? {};
  const { notebook } = await executeNotebook(saved, path, start, { parameters: params, allowErrors: true });
  return diffOutputs(expected, notebook);
}
