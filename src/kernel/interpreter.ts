/**
 * The interpreter: tslab 1.0.22's converter (type-checks each cell with its TypeScript 5.0.4 fork)
 * and executor (runs it, keeping declarations across cells). It knows nothing of sockets: the
 * last expression's value and thrown errors come back as an outcome; console output and displays
 * leave through the runtime the handler installed.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as ConverterModule from "tslab/dist/converter.js";
import type * as ExecutorModule from "tslab/dist/executor.js";
import type * as InspectModule from "tslab/dist/inspect.js";
import { toBundle, inspectText } from "./mime.js";
import type { MimeBundle } from "./runtime.js";
import { rewriteOwnPackage, type TsForSpecifiers } from "./own-package.js";
import { expandShorthandProperties } from "./shorthand.js";

/** The package entry the prelude loads; `from "hypernote"` in a cell resolves to it. */
const OWN_ENTRY = fileURLToPath(new URL("../index.js", import.meta.url));

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

export type ExecuteOutcome =
  | { status: "ok"; result?: MimeBundle }
  | ({ status: "error" } & ErrorContent);

export interface Completion {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
}

export type Completeness = { status: "complete" | "invalid" } | { status: "incomplete"; indent: string };

/** tslab's format string for a diagnostic: console.error("%s%d:%d - %s", file, line, col, message). */
const DIAGNOSTIC_FORMAT = "%s%d:%d - %s";

interface Captured {
  value?: { v: unknown };
  errors: unknown[][];
}

type TsModule = TsForSpecifiers;

export class Interpreter {
  private captured: Captured = { errors: [] };

  private constructor(
    private readonly executor: ExecutorModule.Executor,
    private readonly converter: typeof ConverterModule,
    private readonly printQuickInfo: typeof InspectModule.printQuickInfo,
    private readonly ts: TsModule,
  ) {}

  /** Builds the converter (the slow part: ~1 s, TypeScript's program over lib and @types). */
  static create(rootDir: string): Interpreter {
    const req = createRequire(import.meta.url);
    const converter = req("tslab/dist/converter.js") as typeof ConverterModule;
    const executorMod = req("tslab/dist/executor.js") as typeof ExecutorModule;
    const inspectMod = req("tslab/dist/inspect.js") as typeof InspectModule;
    const ts = createRequire(req.resolve("tslab/dist/converter.js"))("@tslab/typescript-for-tslab") as TsModule;
    const node = converter.createConverter({ isJS: false, isBrowser: false });
    let browser: ConverterModule.Converter | undefined;
    const convs = {
      node,
      // Only `/** @browser */` cells need it; building it costs as much as the node one.
      get browser() {
        return (browser ??= converter.createConverter({ isJS: false, isBrowser: true }));
      },
      close() {
        node.close();
        browser?.close();
      },
    };
    let self: Interpreter | undefined = undefined;
    const console = {
      log: (value: unknown) => {
        if (self) self.captured.value = { v: value };
      },
      error: (...args: unknown[]) => {
        self?.captured.errors.push(args);
      },
    };
    const executor = executorMod.createExecutor(rootDir, convs, console);
    self = new Interpreter(executor, converter, inspectMod.printQuickInfo, ts);
    return self;
  }

  /** Runs a cell. The last expression's value comes back as a bundle; errors as one ErrorContent. */
  async execute(code: string): Promise<ExecuteOutcome> {
    this.captured = { errors: [] };
    let ok: boolean;
    try {
      ok = await this.executor.execute(rewriteOwnPackage(this.ts, expandShorthandProperties(this.ts, code), "hypernote", OWN_ENTRY));
    } catch (e) {
      // tslab reports errors itself; something escaping it is a converter failure
      this.captured.errors.push([e]);
      ok = false;
    }
    const { value, errors } = this.captured;
    this.captured = { errors: [] };
    if (!ok || errors.length > 0) return { status: "error", ...errorContent(errors, code) };
    if (value === undefined) return { status: "ok" };
    try {
      return { status: "ok", result: await toBundle(value.v) };
    } catch (e) {
      return { status: "error", ...thrown(e) };
    }
  }

  complete(code: string, cursor: number): Completion {
    const c = this.executor.complete(code, cursor);
    return { matches: c.candidates, cursorStart: c.start, cursorEnd: c.end };
  }

  /** Quick info (type and doc comment) of the identifier at the cursor, as plain text. */
  inspect(code: string, cursor: number): string | undefined {
    // The cursor usually sits just after the name; step back onto it.
    const at = cursor > 0 && !/[\w$]/.test(code[cursor] ?? "") ? cursor - 1 : cursor;
    const info = this.executor.inspect(code, at);
    if (!info) return undefined;
    const text = this.printQuickInfo(info);
    return text.trim() === "" ? undefined : text;
  }

  isComplete(code: string): Completeness {
    const r = this.converter.isCompleteCode(code);
    if (!r.completed) return { status: "incomplete", indent: r.indent ?? "" };
    // parseDiagnostics is internal to TypeScript's SourceFile, hence the cast.
    const sf = this.ts.createSourceFile("cell.ts", code, this.ts.ScriptTarget.Latest, false, this.ts.ScriptKind.TS) as { parseDiagnostics?: unknown[] };
    return (sf.parseDiagnostics?.length ?? 0) > 0 ? { status: "invalid" } : { status: "complete" };
  }

  /** Ends an awaited cell ("Interrupted asynchronously"); the awaited work itself keeps running. */
  interrupt(): void {
    this.executor.interrupt();
  }

  close(): void {
    this.executor.close();
  }
}

/** One error message for the cell, however many diagnostics tslab reported. */
function errorContent(errors: unknown[][], code: string): ErrorContent {
  const diagnostics = errors.filter((a) => a[0] === DIAGNOSTIC_FORMAT);
  if (diagnostics.length > 0) {
    const lines = code.split("\n");
    const traceback: string[] = [];
    for (const [, file, line, col, message] of diagnostics as [string, string, number, number, string][]) {
      traceback.push(`${file}${line}:${col} - ${message}`);
      if (file === "" && lines[line - 1] !== undefined) {
        traceback.push(`  ${line} | ${lines[line - 1]}`, `  ${" ".repeat(String(line).length)} | ${" ".repeat(Math.max(0, col - 1))}^`);
      }
    }
    const [, file, line, col, message] = diagnostics[0] as [string, string, number, number, string];
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
    return { ename: "TSError", evalue: `${file}${line}:${col} - ${message}${more}`, traceback };
  }
  const first = errors[0];
  if (first === undefined) return { ename: "Error", evalue: "the cell failed without reporting why", traceback: [] };
  return thrown(first[0]);
}

/** ename/evalue/traceback of a thrown value, with the kernel's own stack frames cut off. */
export function thrown(e: unknown): ErrorContent {
  if (e instanceof Error || (typeof e === "object" && e !== null && "message" in e)) {
    const err = e as Error & { code?: string };
    let ename = err.name || "Error";
    if (err.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" || err.message === "Interrupted asynchronously") ename = "Interrupted";
    let stack = typeof err.stack === "string" ? err.stack.split("\n") : [`${ename}: ${err.message}`];
    // Node prefixes errors thrown in vm code with "file:line", the source line and a caret; drop that.
    const head = stack.findIndex((l) => l.startsWith(`${err.name}`));
    if (head > 0) stack = stack.slice(head);
    const cut = stack.findIndex((l) => /node_modules[\\/]tslab|node:vm|node:internal|[\\/]dist[\\/]kernel[\\/]/.test(l));
    return { ename, evalue: String(err.message), traceback: cut > 0 ? stack.slice(0, cut) : stack };
  }
  return { ename: typeof e, evalue: inspectText(e), traceback: [`Uncaught ${inspectText(e)}`] };
}
