/**
 * One life of a Genode system on a machine: the kernel interface implementation, core, the
 * runtime every sandbox shares and, once started, the top-level init. Boot = kernel interface,
 * then core (which prints its banner and hands its quota to init), then init started from its
 * first configuration. genode.ts builds a new one when a snapshot is restored.
 */
import { PAGE_SIZE, err, ok, type Machine, type Result } from "../machine/index.js";
import type { Xen } from "../xen/index.js";
import { NovaPlatform } from "./base-nova/platform.js";
import type { NovaPort } from "./base-nova/nova-port.js";
import { XenPlatform } from "./base-xen/platform.js";
import { Core } from "./core/core.js";
import type { ApplyError, ApplyOutcome } from "./init/index.js";
import type { Kernel } from "./kernel.js";
import type { Program } from "./programs.js";
import { GenodeRuntime } from "./sandbox/runtime.js";
import { Sandbox } from "./sandbox/sandbox.js";

/** Bytes of a binary boot module as core's ROM reports it; not used for accounting. */
const BINARY_SIZE = 64 * 1024;

export interface SystemParts {
  kernel: "nova" | "xen";
  nova?: NovaPort;
  xen?: Xen;
  caps: number;
  modules: Readonly<Record<string, string>>;
  programs: readonly Program[];
  logCapacity: number | undefined;
}

export class GenodeSystem {
  readonly core: Core;
  readonly kernel: Kernel;
  readonly runtime: GenodeRuntime;
  sandbox: Sandbox | undefined;

  constructor(readonly machine: Machine, parts: SystemParts) {
    this.kernel = parts.kernel === "xen" ? new XenPlatform(machine, parts.xen!) : new NovaPlatform(machine, parts.nova!);
    const modules = new Map<string, string | number>();
    for (const p of parts.programs) modules.set(p.binary, BINARY_SIZE);
    modules.set("ld.lib.so", BINARY_SIZE);
    for (const [k, v] of Object.entries(parts.modules)) modules.set(k, v);
    this.core = new Core(machine, this.kernel, { ram: machine.memory.free * PAGE_SIZE, caps: parts.caps, modules, logCapacity: parts.logCapacity });
    this.runtime = new GenodeRuntime(machine, this.kernel, this.core, new Map(parts.programs.map((p) => [p.binary, p.factory])));
  }

  /** Core assigns init its quota, then init applies its first configuration. */
  start(xml: string): Result<ApplyOutcome, ApplyError | "CORE_PRESERVATION_EXCEEDED"> {
    this.core.modules().set("config", xml);
    const quota = this.core.assignInit();
    if (!quota.ok) return err("CORE_PRESERVATION_EXCEEDED");
    const pd = this.kernel.createPd("init");
    const ep = pd.ok ? this.kernel.createEntrypoint(pd.value, "ep") : undefined;
    if (!pd.ok || ep === undefined || !ep.ok) throw new Error("base-nova: cannot create init's PD");
    this.sandbox = new Sandbox(this.runtime, "init", {
      session: (service, label, args, client) => {
        const r = this.core.openSession(service, `init -> ${label}`, args, client);
        if (!r.ok) return err(r.error);
        const id = r.value.session.id;
        return ok({ cap: r.value.cap, close: () => this.core.closeSession(id) });
      },
    }, pd.value, ep.value, { ram: quota.value.ram, caps: quota.value.caps, parentPolicy: (s, a) => this.core.policy(s, a) });
    return this.sandbox.apply(xml);
  }

  /** Lines printed so far, core's and every init's, without moving init's queued lines. */
  linesPrinted(): number {
    let n = this.core.output.total;
    for (const s of this.runtime.sandboxes) n += s.pendingLog().length;
    return n;
  }
}
