/**
 * `hypernote run notebook.ipynb [-p name value]… [-o out.ipynb] [--html out.html] [--allow-errors]`
 * and `hypernote check notebook.ipynb`: the runner's command line. The kernel is this package's own,
 * started from this very installation (its kernelspec argv), so no Jupyter or Python is needed.
 */
import { parseArgs } from "node:util";
import { KernelClient } from "../client.js";
import { kernelSpec } from "../kernelspec.js";
import { parseParameterValue, type ParameterValue } from "./parameters.js";
import { checkNotebookFile, runNotebookFile, type KernelSession, type SessionFactory } from "./run.js";

/** Cells of a benchmark notebook may run for minutes; the runner waits, as nbclient's timeout=None does. */
const CELL_TIMEOUT_MS = 30 * 60 * 1000;

export const startKernel: SessionFactory = async (): Promise<KernelSession> => {
  const client = await KernelClient.start({ argv: kernelSpec().argv });
  return {
    execute: (code) => client.execute(code, {}, CELL_TIMEOUT_MS),
    shutdown: () => client.shutdown(),
  };
};

/** `-p name value` pairs, in order; parseArgs cannot take two values per flag. */
function splitParameters(argv: string[]): { rest: string[]; params: Record<string, ParameterValue> } {
  const rest: string[] = [];
  const params: Record<string, ParameterValue> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-p" || argv[i] === "--parameter") {
      const name = argv[i + 1];
      const value = argv[i + 2];
      if (name === undefined || value === undefined) throw new Error(`${argv[i]} takes a name and a value, e.g. -p seed 7`);
      params[name] = parseParameterValue(value);
      i += 2;
    } else {
      rest.push(argv[i]!);
    }
  }
  return { rest, params };
}

export async function runCommand(argv: string[]): Promise<number> {
  const { rest, params } = splitParameters(argv);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { output: { type: "string", short: "o" }, html: { type: "string" }, "allow-errors": { type: "boolean" } },
  });
  const input = positionals[0];
  if (input === undefined || positionals.length > 1) throw new Error("usage: hypernote run notebook.ipynb [-p name value]... [-o out.ipynb] [--html out.html]");
  const out = values.output ?? input.replace(/\.ipynb$/, ".out.ipynb");
  const result = await runNotebookFile(input, out, startKernel, {
    parameters: params,
    allowErrors: values["allow-errors"] === true,
    ...(values.html === undefined ? {} : { html: values.html }),
  });
  process.stdout.write(`executed ${input} → ${out}${values.html ? ` and ${values.html}` : ""}\n`);
  if (result.failedCell !== undefined) {
    process.stderr.write(`cell ${result.failedCell} failed; later cells were not run (see its error output in ${out})\n`);
    return 1;
  }
  return 0;
}

export async function checkCommand(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (positionals.length === 0) throw new Error("usage: hypernote check notebook.ipynb [more.ipynb ...]");
  let failures = 0;
  for (const path of positionals) {
    const diffs = await checkNotebookFile(path, startKernel);
    for (const d of diffs) {
      process.stdout.write(`${path}: cell ${d.cell}${d.output >= 0 ? ` output ${d.output}` : ""} (${d.what}) differs\n  expected: ${d.expected.slice(0, 300)}\n  actual:   ${d.actual.slice(0, 300)}\n`);
    }
    process.stdout.write(`${path}: ${diffs.length === 0 ? "every output reproduced" : `${diffs.length} output(s) differ`}\n`);
    if (diffs.length > 0) failures++;
  }
  return failures === 0 ? 0 : 1;
}
