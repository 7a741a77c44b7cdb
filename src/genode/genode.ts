/**
 * Genode on an emulated kernel: the handle `m.bootGenode({ kernel })` returns (DESIGN.md public
 * surface: `g.start(xml)`, `g.reconfigure(xml)`, `g.log`, `g.state()`). The system itself —
 * kernel interface, core, init — is a GenodeSystem (system.ts); this handle keeps it part of the
 * machine's snapshots.
 *
 * Snapshots by journal and replay. Genode's objects hold closures (RPC dispatch functions, signal
 * handlers, components' timers and their captured state), and its components include scenario
 * code we do not own, so its state cannot be saved as plain data without rewriting every
 * component. The machine is deterministic instead: Genode's layer saves the operations that drove
 * the machine since Genode booted (journal.ts), and restoring puts the machine back to the boot
 * snapshot, builds a fresh GenodeSystem and replays them. That reproduces every object and every
 * byte, cycle and trace record the original run produced; replay checks this against the state
 * being restored and fails loudly if it does not match. The price is time proportional to the
 * history, paid on restore only.
 */
import { UsageError, hashValue, invariant, type Machine, type MachineSnapshot, type Result } from "../machine/index.js";
import type { Xen } from "../xen/index.js";
import { bootXen } from "../xen/index.js";
import { novaPort, type NovaPort } from "./base-nova/nova-port.js";
import { bootNova } from "../microkernel/index.js";
import type { Core } from "./core/core.js";
import type { ApplyError, ApplyOutcome } from "./init/index.js";
import { Journal, type JournalEntry, type JournalState } from "./journal.js";
import type { CostBreakdown, Kernel } from "./kernel.js";
import { PROGRAMS, type Program } from "./programs.js";
import type { GenodeRuntime } from "./sandbox/runtime.js";
import type { Sandbox } from "./sandbox/sandbox.js";
import { rpcCostProbe } from "./rpc-cost.js";
import { GenodeSystem, type SystemParts } from "./system.js";
import { tcbOf, type TcbSet } from "./tcb.js";

export interface GenodeOptions {
  kernel: "nova" | "xen";
  /** Capabilities core manages (base-nova: the size of core's cap space). Default 65,536. */
  caps?: number;
  /** Extra ROM modules, e.g. `{ "drivers.config": "<config>…</config>" }`. */
  modules?: Record<string, string>;
  /** The NOVA to run on (default: boot src/microkernel's model on the machine). */
  nova?: NovaPort;
  /** The Xen to run on with kernel "xen" (default: boot src/xen's model on the machine). */
  xen?: Xen;
  /** Further binaries core offers as boot modules (a scenario's workload components). */
  programs?: readonly Program[];
  /** Lines of LOG output `g.log` keeps (default 16,384); older lines are dropped and counted in `g.logDropped`. */
  logCapacity?: number;
}

/** Name of Genode's layer in machine snapshots. */
const LAYER = "genode";

export class Genode {
  private readonly programByBinary: ReadonlyMap<string, Program>;
  private readonly parts: SystemParts;
  private readonly journal: Journal;
  /** The machine just before the first GenodeSystem was built: where every replay starts. */
  private readonly boot: MachineSnapshot;
  /** Set while our own replay restores the boot snapshot (which loads this layer too). */
  private rebuilding = false;
  private sys: GenodeSystem;

  constructor(readonly machine: Machine, options: GenodeOptions) {
    if (options.kernel !== "nova" && options.kernel !== "xen") {
      throw new UsageError("bad-kernel", `Genode runs on "nova" or "xen", not "${String(options.kernel)}"`, 'use bootGenode({ kernel: "nova" }) or { kernel: "xen" }');
    }
    const programs = [...PROGRAMS, ...(options.programs ?? [])];
    this.programByBinary = new Map(programs.map((p) => [p.binary, p]));
    this.parts = {
      kernel: options.kernel,
      xen: options.kernel === "xen" ? options.xen ?? bootXen(machine) : undefined,
      nova: options.kernel === "nova" ? options.nova ?? novaPort(bootNova(machine)) : undefined,
      caps: options.caps ?? 65536,
      logCapacity: options.logCapacity,
      modules: { ...options.modules },
      programs,
    };
    // the boot snapshot holds this layer too (restore insists on every layer): as an empty journal
    let bootState: JournalState | undefined = { boot: "", entries: [], texts: [], mark: "", broken: undefined };
    machine.registerLayer(LAYER, { save: () => bootState ?? this.journal.save(), load: (s) => this.load(s as JournalState) });
    // what a journal replays on: these options on this machine state (a snapshot of another Genode is refused)
    const bootId = hashValue({ options: { ...this.parts, nova: undefined, xen: undefined, programs: programs.map((p) => p.binary) }, machine: machine.stateHash() });
    bootState.boot = bootId;
    this.boot = machine.snapshot();
    bootState = undefined;
    this.sys = new GenodeSystem(machine, this.parts);
    this.journal = new Journal(machine, bootId);
    machine.wrapRuns((o, direct) => this.journal.run(o, direct));
  }

  get core(): Core {
    return this.sys.core;
  }
  get kernel(): Kernel {
    return this.sys.kernel;
  }
  get runtime(): GenodeRuntime {
    return this.sys.runtime;
  }

  /**
   * Core's LOG output: its own lines, init's and every component's, in order. Reading it moves
   * nothing: lines an init still holds are shown after core's, as the next flush will put them.
   */
  get log(): readonly string[] {
    const pending = [...this.sys.runtime.sandboxes].flatMap((s) => s.pendingLog());
    return pending.length === 0 ? this.sys.core.log : [...this.sys.core.log, ...pending];
  }

  /** Lines of LOG output printed so far that `g.log` no longer holds (see GenodeOptions.logCapacity). */
  get logDropped(): number {
    return this.sys.core.output.dropped;
  }

  /** Start init with its first configuration (core assigns init its quota first). */
  start(xml: string): Result<ApplyOutcome, ApplyError | "CORE_PRESERVATION_EXCEEDED"> {
    if (this.sys.sandbox !== undefined) throw new UsageError("already-started", "init is already running", "use g.reconfigure(xml) to change its configuration");
    const r = this.journal.record({ op: "start", text: xml }, () => this.sys.linesPrinted(), () => this.sys.start(xml), (x) => x.ok);
    return this.checked(r);
  }

  /** Apply a changed configuration to the running init (its "config" ROM changed). */
  reconfigure(xml: string): Result<ApplyOutcome, ApplyError> {
    const sandbox = this.top();
    return this.checked(this.journal.record({ op: "reconfigure", text: xml }, () => this.sys.linesPrinted(), () => sandbox.apply(xml), (x) => x.ok));
  }

  /** Malformed XML is the caller's mistake, reported with where it is; the running system is unchanged. */
  private checked<R extends Result<unknown, string>>(r: R): R {
    if (!r.ok && r.error === "MALFORMED_XML") {
      const e = this.sys.sandbox?.init.syntaxError;
      throw new UsageError("malformed-xml", `init configuration is malformed XML at line ${e?.line ?? 0}, column ${e?.column ?? 0}: ${e?.detail ?? ""}`, "the running system is unchanged; fix the XML and apply it again");
    }
    return r;
  }

  /** init's state report, as published through its "state" Report session. */
  state(): string {
    return this.top().init.stateReport();
  }

  /** The top-level sandbox (init and its processes). */
  top(): Sandbox {
    const sandbox = this.sys.sandbox;
    if (sandbox === undefined) throw new UsageError("not-started", "init is not running yet", "call g.start(xml) first");
    return sandbox;
  }

  /** Every byte and capability accounted for, at core and in every init. */
  conserved(): boolean {
    if (!this.core.ledger.conserved()) return false;
    for (const s of this.runtime.sandboxes) if (!s.init.conserved()) return false;
    const init = this.sys.sandbox?.init.ledger;
    return init === undefined || (init.totalRam === this.core.ledger.get("init").ram && init.totalCaps === this.core.ledger.get("init").caps);
  }

  /** Sessions as routed: client, service, label at the server, server ("core" for parent routes). */
  routes(): Array<{ client: string; service: string; label: string; server: string; phase: string }> {
    const out: Array<{ client: string; service: string; label: string; server: string; phase: string }> = [];
    for (const sb of this.runtime.sandboxes) {
      for (const s of sb.init.sessions.values()) {
        const server = s.service.kind === "child" ? `${sb.path} -> ${s.service.server}` : s.service.kind === "local" ? sb.path : sb.path === "init" ? "core" : sb.path.split(" -> ").slice(0, -1).join(" -> ") || "core";
        out.push({ client: `${sb.path} -> ${s.client}`, service: s.service.name, label: s.label, server, phase: s.phase });
      }
    }
    return out;
  }

  /** The TCB of a component ("init -> test-log"), derived from the live routing. */
  tcbOf(component: string): TcbSet {
    return tcbOf(this, component, this.programByBinary);
  }

  /** A Genode RPC round trip with `words` argument words and `caps` capability arguments, by layer. */
  rpcCost(words = 0, caps = 0): CostBreakdown {
    return this.journal.record({ op: "rpc-cost", words, caps, times: 1 }, () => 0, () => rpcCostProbe(this, words, caps), () => true);
  }

  /**
   * Restore (the machine calls this after loading every layer registered before this one): put
   * the machine back to Genode's boot, build a fresh system and replay the journal, then check
   * that replay arrived exactly at the state being restored.
   */
  private load(s: JournalState): void {
    if (this.rebuilding) return; // the boot snapshot, loaded by our own replay below
    if (s.boot !== this.journal.boot) throw new UsageError("bad-snapshot", "this snapshot holds a different Genode (other boot options or machine state at its boot)", "restore a snapshot taken on this machine");
    if (s.broken !== undefined) {
      throw new UsageError("genode-not-restorable", `Genode's state in this snapshot cannot be rebuilt: ${s.broken}`, "drive a machine with Genode through g.start, g.reconfigure and m.run only, or re-run the notebook from the cell that created it");
    }
    if (this.journal.same(s)) return; // nothing ran since: the live objects are those of the snapshot
    this.journal.adopt(s);
    const expected = { fingerprint: this.journal.fingerprint(), hash: this.machine.stateHash() };
    this.rebuilding = true;
    try {
      this.machine.restore(this.boot);
    } finally {
      this.rebuilding = false;
    }
    this.journal.replaying = true;
    try {
      this.sys = new GenodeSystem(this.machine, this.parts);
      for (const e of s.entries) this.replay(e, s.texts);
    } finally {
      this.journal.replaying = false;
    }
    invariant(this.journal.fingerprint() === expected.fingerprint && this.machine.stateHash() === expected.hash,
      "replaying Genode's journal did not arrive at the snapshot's state: something outside the journal changed Genode (e.g. a test poking its objects), or a component is not deterministic");
  }

  private replay(e: JournalEntry, texts: readonly string[]): void {
    switch (e.op) {
      case "start":
        this.sys.start(texts[e.xml]!);
        return;
      case "reconfigure":
        this.top().apply(texts[e.xml]!);
        return;
      case "rpc-cost":
        for (let i = 0; i < e.times; i++) rpcCostProbe(this, e.words, e.caps);
        return;
      case "run":
        for (let i = 0; i < e.times; i++) this.machine.run(Journal.replayRun(e));
        return;
      case "run-until":
      case "run-while":
        this.machine.run(Journal.replayRun(e));
        return;
    }
  }

  /** Run the machine until a log line matches, or `maxMs` of simulated time passed. Returns the line. */
  runUntil(pattern: RegExp, maxMs = 60_000): string | undefined {
    const seen = (): string | undefined => this.log.find((l) => pattern.test(l));
    const deadline = this.machine.now() + (maxMs / 1000) * this.machine.costs.hz;
    this.machine.run({ until: () => seen() !== undefined || this.machine.now() >= deadline });
    return seen();
  }
}

export function bootGenode(machine: Machine, options: GenodeOptions): Genode {
  return new Genode(machine, options);
}
