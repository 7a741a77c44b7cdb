/**
 * Genode on an emulated kernel: the handle `m.bootGenode({ kernel })` returns (DESIGN.md public
 * surface: `g.start(xml)`, `g.reconfigure(xml)`, `g.log`, `g.state()`). Boot = kernel interface
 * implementation, then core (which prints its banner and hands its quota to init), then init
 * started from the first configuration.
 */
import { PAGE_SIZE, UsageError, err, ok, type Machine, type Result } from "../machine/index.js";
import { NovaPlatform } from "./base-nova/platform.js";
import { XenPlatform } from "./base-xen/platform.js";
import type { Xen } from "../xen/index.js";
import { bootXen } from "../xen/index.js";
import { novaPort, type NovaPort } from "./base-nova/nova-port.js";
import { bootNova } from "../microkernel/index.js";
import { Core } from "./core/core.js";
import type { ApplyError, ApplyOutcome } from "./init/index.js";
import type { CostBreakdown, Kernel } from "./kernel.js";
import { PROGRAMS, type Program } from "./programs.js";
import { GenodeRuntime } from "./sandbox/runtime.js";
import { Sandbox } from "./sandbox/sandbox.js";
import { rpcCostProbe } from "./rpc-cost.js";
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
}

/** Bytes of a binary boot module as core's ROM reports it; not used for accounting. */
const BINARY_SIZE = 64 * 1024;

export class Genode {
  readonly core: Core;
  readonly kernel: Kernel;
  readonly runtime: GenodeRuntime;
  private readonly programByBinary: ReadonlyMap<string, Program>;
  private sandbox: Sandbox | undefined;

  constructor(readonly machine: Machine, options: GenodeOptions) {
    if (options.kernel !== "nova" && options.kernel !== "xen") {
      throw new UsageError("bad-kernel", `Genode runs on "nova" or "xen", not "${String(options.kernel)}"`, 'use bootGenode({ kernel: "nova" }) or { kernel: "xen" }');
    }
    this.kernel = options.kernel === "xen"
      ? new XenPlatform(machine, options.xen ?? bootXen(machine))
      : new NovaPlatform(machine, options.nova ?? novaPort(bootNova(machine)));
    const programs = [...PROGRAMS, ...(options.programs ?? [])];
    this.programByBinary = new Map(programs.map((p) => [p.binary, p]));
    const modules = new Map<string, string | number>();
    for (const p of programs) modules.set(p.binary, BINARY_SIZE);
    modules.set("ld.lib.so", BINARY_SIZE);
    for (const [k, v] of Object.entries(options.modules ?? {})) modules.set(k, v);
    this.core = new Core(machine, this.kernel, { ram: machine.memory.free * PAGE_SIZE, caps: options.caps ?? 65536, modules });
    this.runtime = new GenodeRuntime(machine, this.kernel, this.core, new Map(programs.map((p) => [p.binary, p.factory])));
  }

  /** Core's LOG output: its own lines, init's and every component's, in order. */
  get log(): readonly string[] {
    this.runtime.flushAll();
    return this.core.log;
  }

  /** Start init with its first configuration (core assigns init its quota first). */
  start(xml: string): Result<ApplyOutcome, ApplyError | "CORE_PRESERVATION_EXCEEDED"> {
    if (this.sandbox !== undefined) throw new UsageError("already-started", "init is already running", "use g.reconfigure(xml) to change its configuration");
    this.core.modules().set("config", xml);
    const quota = this.core.assignInit();
    if (!quota.ok) return err("CORE_PRESERVATION_EXCEEDED");
    const pd = this.kernel.createPd("init");
    const ep = pd.ok ? this.kernel.createEntrypoint(pd.value, "ep") : undefined;
    if (!pd.ok || ep === undefined || !ep.ok) throw new Error("base-nova: cannot create init's PD");
    this.sandbox = new Sandbox(this.runtime, "init", {
      session: (service, label, args, client) => {
        const r = this.core.openSession(service, `init -> ${label}`, args, client);
        return r.ok ? ok(r.value.cap) : err(r.error);
      },
    }, pd.value, ep.value, { ram: quota.value.ram, caps: quota.value.caps, parentPolicy: (s, a) => this.core.policy(s, a) });
    return this.apply(xml);
  }

  /** Apply a changed configuration to the running init (its "config" ROM changed). */
  reconfigure(xml: string): Result<ApplyOutcome, ApplyError> {
    if (this.sandbox === undefined) throw new UsageError("not-started", "init is not running yet", "call g.start(xml) first");
    return this.apply(xml);
  }

  private apply(xml: string): Result<ApplyOutcome, ApplyError> {
    const sandbox = this.sandbox!;
    const r = sandbox.apply(xml);
    if (!r.ok && r.error === "MALFORMED_XML") {
      const e = sandbox.init.syntaxError;
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
    if (this.sandbox === undefined) throw new UsageError("not-started", "init is not running yet", "call g.start(xml) first");
    return this.sandbox;
  }

  /** Every byte and capability accounted for, at core and in every init. */
  conserved(): boolean {
    if (!this.core.ledger.conserved()) return false;
    for (const s of this.runtime.sandboxes) if (!s.init.conserved()) return false;
    const init = this.sandbox?.init.ledger;
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
    return rpcCostProbe(this, words, caps);
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
