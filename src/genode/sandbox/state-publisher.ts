/**
 * init's state report, published: with `<report …/>` in its config, init opens a Report session
 * labelled "state" at its parent and submits the report there (repos/os/src/init/main.cc, sandbox
 * state_reporter.h, genodelabs/genode ffb059da; reference/genode.md §1.1). A change does not go
 * out at once: the first change after a publication arms a `delay_ms` timeout (default 100), and
 * when it fires the report as it is then is submitted — so a burst of changes is one report. The
 * parent routes the session like any other, so a report_rom the parent routes Report to stores it
 * under "<init's name> -> state" and serves it to ROM clients its `<policy>` names.
 *
 * Simplifications: the delay runs on the machine's time directly, where init opens a Timer
 * session for it; and an unchanged report is not submitted again. The top-level init's parent is
 * core, which offers no Report service, so there g.state() is the way to read the report.
 */
import type { Capability } from "../kernel.js";
import { marshalString, rpcCall } from "../rpc.js";
import { OtherSessionCosts } from "./session-costs.js";
import type { Sandbox } from "./sandbox.js";

/** `Report::Session::submit` (report_session/report_session.h), as report_rom serves it. */
const REPORT_SUBMIT = 0;
/** Report::Connection donates its RAM plus the report buffer (report_session/connection.h). */
const REPORT_SESSION_RAM = OtherSessionCosts.Report!.ram - 4 * 1024;

export class StatePublisher {
  private session: Capability | undefined;
  /** The report when a publication was last armed or made: a change is a report unlike it. */
  private seen: string | undefined;
  private published: string | undefined;
  private armed = false;

  constructor(private readonly sandbox: Sandbox) {}

  /** Something in init may have changed: arm the delayed publication if the report differs. */
  changed(): void {
    const report = this.sandbox.init.config?.report;
    if (report === undefined || !this.sandbox.parent.offersReport) return;
    const text = this.sandbox.init.stateReport();
    if (text === this.seen) return;
    this.seen = text;
    if (this.armed) return;
    this.armed = true;
    this.sandbox.rt.after(report.delayMs, () => this.publish());
  }

  private publish(): void {
    this.armed = false;
    const init = this.sandbox.init;
    const report = init.config?.report;
    if (report === undefined || this.sandbox.destroyed) return;
    const text = init.stateReport();
    this.seen = text;
    if (text === this.published) return;
    if (this.session === undefined) {
      const args = `label="state", ram_quota=${REPORT_SESSION_RAM + report.buffer}, cap_quota=${OtherSessionCosts.Report!.caps}`;
      const s = this.sandbox.parent.session("Report", "state", args, this.sandbox.pd);
      if (!s.ok) return;
      this.session = s.value.cap;
    }
    const words: number[] = [];
    marshalString(text, words);
    rpcCall(this.sandbox.rt.kernel, this.session, REPORT_SUBMIT, words);
    this.published = text;
  }
}
