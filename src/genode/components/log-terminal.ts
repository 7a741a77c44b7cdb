/**
 * log_terminal (repos/os/src/server/log_terminal) provides a Terminal session whose output goes
 * to the component's LOG, one line per newline; terminal_log (repos/os/src/server/terminal_log)
 * provides LOG sessions and writes "<s>.<tenths> [<label>] <text>\n" to a Terminal session, the
 * time from its Timer session (genodelabs/genode ffb059da, terminal_log/main.cc write()). Terminal opcode modelled: write(string) → bytes written.
 */
import { err, ok } from "../../machine/index.js";
import type { Component, Connection, Env, SessionRequest } from "../component.js";
import { marshalString, unmarshalString } from "../rpc.js";

export const TerminalOp = { write: 0 } as const;

export class LogTerminal implements Component {
  private env: Env | undefined;
  private pending = new Map<string, string>();
  start(env: Env): void {
    this.env = env;
    env.announce("Terminal");
  }
  session(req: SessionRequest) {
    if (req.service !== "Terminal") return err("DENIED" as const);
    return ok([
      (args: readonly number[]) => {
        const [text] = unmarshalString(args, 0);
        let buf = (this.pending.get(req.label) ?? "") + text;
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) { this.env!.log(buf.slice(0, i)); buf = buf.slice(i + 1); }
        this.pending.set(req.label, buf);
        return [text.length];
      },
    ]);
  }
}

export class TerminalLog implements Component {
  private terminal: Connection | undefined;
  private env: Env | undefined;
  start(env: Env): void {
    this.env = env;
    const timer = env.connect("Timer");
    const t = env.connect("Terminal");
    if (!timer.ok || !t.ok) { env.error("could not open Timer and Terminal sessions"); return; }
    this.terminal = t.value;
    env.announce("LOG");
  }
  session(req: SessionRequest) {
    if (req.service !== "LOG") return err("DENIED" as const);
    return ok([
      (args: readonly number[]) => {
        const [text] = unmarshalString(args, 0);
        const words: number[] = [];
        const ms = Math.floor(this.env!.now());
        marshalString(`${Math.floor(ms / 1000)}.${Math.floor(ms / 100) % 10} [${req.label}] ${text}\n`, words);
        this.terminal?.call(TerminalOp.write, words);
        return [];
      },
    ]);
  }
}
