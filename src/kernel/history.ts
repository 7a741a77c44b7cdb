/**
 * This kernel's input (and output) history, answering history_request.
 * Spec: jupyter_client docs/messaging.rst, "History": hist_access_type tail / range / search;
 * items are (session, line_number, input) or (session, line_number, (input, output)).
 */

/** This process's history session. Sessions are numbered from 1; 0 in a request means "the current one". */
export const SESSION = 1;

interface Entry {
  line: number;
  input: string;
  output: string | null;
}

export type HistoryItem = [number, number, string | [string, string | null]];

export interface HistoryRequest {
  hist_access_type?: string;
  output?: boolean;
  n?: number;
  session?: number;
  start?: number;
  stop?: number | null;
  pattern?: string;
  unique?: boolean;
}

export class History {
  private readonly entries: Entry[] = [];

  /** Records the input of the execute that got `line` as its execution_count. */
  add(line: number, input: string): void {
    this.entries.push({ line, input, output: null });
  }

  setOutput(line: number, output: string): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]!.line === line) {
        this.entries[i]!.output = output;
        return;
      }
    }
  }

  query(req: HistoryRequest): HistoryItem[] {
    const withOutput = req.output === true;
    const item = (e: Entry): HistoryItem => [SESSION, e.line, withOutput ? [e.input, e.output] : e.input];
    switch (req.hist_access_type) {
      case "tail":
        return this.entries.slice(-Math.max(0, req.n ?? 10)).map(item);
      case "range": {
        const session = req.session ?? 0;
        if (session !== 0 && session !== SESSION) return [];
        const start = req.start ?? 0;
        const stop = req.stop ?? Infinity;
        return this.entries.filter((e) => e.line >= start && e.line < stop).map(item);
      }
      case "search": {
        const re = globToRegExp(req.pattern ?? "*");
        let hits = this.entries.filter((e) => re.test(e.input));
        if (req.unique === true) {
          const seen = new Set<string>();
          hits = hits.filter((e) => !seen.has(e.input) && seen.add(e.input) !== undefined);
        }
        return (req.n === undefined ? hits : hits.slice(-Math.max(0, req.n))).map(item);
      }
      default:
        return [];
    }
  }
}

/** IPython's search patterns are shell globs (`*`, `?`) matched against the whole input. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}
