/**
 * report_rom: provides Report sessions (a client publishes XML) and ROM sessions that read the
 * latest report whose label matches the ROM's label (repos/os/src/server/report_rom,
 * genodelabs/genode ffb059da). With `<config verbose="yes"/>` it logs each report:
 * "report '<label>'" followed by the content (report_rom/report_service.h). A ROM session is granted
 * by the best-matching `<policy label… report="<report label>"/>` and serves that report
 * (report_rom/rom_service.h); with no matching policy it is denied.
 */
import { err, ok } from "../../machine/index.js";
import type { Component, Env, SessionRequest } from "../component.js";
import { marshalString, unmarshalString } from "../rpc.js";
import { attribute } from "../xml.js";
import { selectPolicy } from "./session-policy.js";

export const ReportOp = { submit: 0 } as const;
export const RomOp = { content: 0 } as const;

export class ReportRom implements Component {
  private env: Env | undefined;
  /** Latest report per label. */
  readonly reports = new Map<string, string>();
  start(env: Env): void {
    this.env = env;
    env.announce("Report");
    env.announce("ROM");
  }
  session(req: SessionRequest) {
    const env = this.env!;
    const verbose = attribute(env.config() ?? { type: "config", attributes: [], children: [], text: "" }, "verbose") === "yes";
    if (req.service === "Report") {
      return ok([
        (args: readonly number[]) => {
          const [text] = unmarshalString(args, 0);
          this.reports.set(req.label, text);
          if (verbose) { env.log(`report '${req.label}'`); env.log(`  ${text}`); }
          return [];
        },
      ]);
    }
    if (req.service === "ROM") {
      const policy = selectPolicy(env.config(), req.label);
      const report = policy === undefined ? undefined : attribute(policy, "report");
      if (report === undefined) return err("DENIED" as const);
      return ok([
        () => {
          const words: number[] = [];
          marshalString(this.reports.get(report) ?? "", words);
          return words;
        },
      ]);
    }
    return err("DENIED" as const);
  }
}
