/**
 * Turns a cell's iopub messages into nbformat outputs the way nbclient does: consecutive stream
 * messages of the same name merge into one output, `clear_output` empties the cell's outputs (at
 * once, or before the next output when `wait` is set), and `update_display_data` rewrites every
 * output already shown with that display_id, in any cell of the notebook.
 */
import type { Output } from "./nbformat.js";

export interface IopubMessage {
  header: { msg_type: string };
  content: Record<string, unknown>;
}

export class OutputCollector {
  /** display_id → the output arrays and positions showing it. */
  private readonly displays = new Map<string, { outputs: Output[]; index: number }[]>();

  /** Collect one cell's outputs from its iopub messages (in arrival order). */
  collect(messages: readonly IopubMessage[]): Output[] {
    const outputs: Output[] = [];
    let clearPending = false;
    const add = (o: Output): void => {
      if (clearPending) {
        outputs.length = 0;
        clearPending = false;
      }
      outputs.push(o);
    };
    for (const m of messages) {
      const c = m.content;
      switch (m.header.msg_type) {
        case "stream": {
          const name = c["name"] as "stdout" | "stderr";
          const last = outputs[outputs.length - 1];
          if (!clearPending && last?.output_type === "stream" && last.name === name) last.text = String(last.text) + String(c["text"]);
          else add({ output_type: "stream", name, text: String(c["text"]) });
          break;
        }
        case "display_data": {
          add({ output_type: "display_data", data: (c["data"] ?? {}) as Record<string, unknown>, metadata: (c["metadata"] ?? {}) as Record<string, unknown> });
          const id = (c["transient"] as { display_id?: string } | undefined)?.display_id;
          if (id !== undefined) {
            const list = this.displays.get(id) ?? [];
            list.push({ outputs, index: outputs.length - 1 });
            this.displays.set(id, list);
          }
          break;
        }
        case "update_display_data": {
          const id = (c["transient"] as { display_id?: string } | undefined)?.display_id;
          for (const place of (id === undefined ? undefined : this.displays.get(id)) ?? []) {
            const target = place.outputs[place.index];
            if (target?.output_type === "display_data") {
              target.data = (c["data"] ?? {}) as Record<string, unknown>;
              target.metadata = (c["metadata"] ?? {}) as Record<string, unknown>;
            }
          }
          break;
        }
        case "execute_result":
          add({
            output_type: "execute_result",
            execution_count: (c["execution_count"] as number | undefined) ?? null,
            data: (c["data"] ?? {}) as Record<string, unknown>,
            metadata: (c["metadata"] ?? {}) as Record<string, unknown>,
          });
          break;
        case "error":
          add({ output_type: "error", ename: String(c["ename"]), evalue: String(c["evalue"]), traceback: (c["traceback"] ?? []) as string[] });
          break;
        case "clear_output":
          if (c["wait"] === true) clearPending = true;
          else outputs.length = 0;
          break;
      }
    }
    return outputs;
  }
}
