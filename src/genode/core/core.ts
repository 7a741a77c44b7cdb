/**
 * Core: Genode's root component. It owns all physical resources, offers the core services
 * (PD, CPU, ROM, LOG, RM, IO_MEM, IO_PORT, IRQ, TRACE, VM), keeps 224 KiB RAM and 1,000 caps for
 * itself and hands the rest to init, printing "Genode <version>" and
 * "<N> MiB RAM and <M> caps assigned to init" (repos/base/src/core/main.cc lines 126, 177–191,
 * genodelabs/genode ffb059da; reference/genode.md §2.1).
 */
import { err, ok, type Machine, type Result } from "../../machine/index.js";
import { LogRing } from "./log-ring.js";
import { Ledger, parseNumBytes, type CapQuota, type RamQuota } from "../init/quota.js";
import { argValue } from "../init/session-label.js";
import type { ParentAnswer } from "../init/index.js";
import type { SessionError } from "../init/session-state.js";
import type { Capability, Kernel, KernelPd, KernelThread } from "../kernel.js";
import { dispatcher } from "../rpc.js";
import { cpuService } from "./cpu-session.js";
import { logService } from "./log-session.js";
import { pdService } from "./pd-session.js";
import { ioMemService, ioPortService, irqService, rmService, traceService, vmService } from "./platform-sessions.js";
import { romService } from "./rom-session.js";
import type { CoreServiceSpec, CoreSession } from "./session-component.js";

/** What core withdraws for itself before assigning the rest to init (core/main.cc). */
export const CORE_PRESERVED_RAM: RamQuota = 224 * 1024;
export const CORE_PRESERVED_CAPS: CapQuota = 1000;
/** The version string core prints first; the release our reference code is closest to. */
export const GENODE_VERSION = "26.02";

export interface CoreOptions {
  /** RAM core manages: the machine's memory minus kernel and boot image. */
  ram: RamQuota;
  /**
   * Capabilities core manages. base-nova derives it from the size of core's capability space
   * (base-nova/src/core/platform.cc `_max_caps`); the value is a parameter here.
   */
  caps: CapQuota;
  /** Boot modules: name → size in bytes (binaries) or content (configs). */
  modules: Map<string, string | number>;
  /** Lines of LOG output kept (default DEFAULT_LOG_CAPACITY). */
  logCapacity?: number;
}

export class Core {
  /** Everything core's LOG printed (its own lines, init's, every component's), bounded. */
  readonly output: LogRing;
  /** Core's budget: account "core" (what it keeps) and "init" (init's PD session). */
  readonly ledger: Ledger;
  readonly services = new Map<string, CoreServiceSpec>();
  readonly sessions = new Map<number, CoreSession>();
  readonly ep: KernelThread;
  /** Called before every line core prints, so that queued init log lines keep their order. */
  beforePrint: () => void = () => {};
  private nextSession = 1;

  constructor(readonly machine: Machine, readonly kernel: Kernel, private readonly options: CoreOptions) {
    this.output = new LogRing(options.logCapacity);
    const ep = kernel.createEntrypoint(kernel.corePd, "entrypoint");
    if (!ep.ok) throw new Error(`core: cannot create its entrypoint (${ep.error})`);
    this.ep = ep.value;
    for (const s of [pdService, cpuService, romService((n) => this.moduleSize(n)), logService((l) => this.print(l)),
      rmService, ioMemService, ioPortService, irqService, traceService]) this.services.set(s.name, s);
    // platform_add_local_services on NOVA adds VM and IO_PORT (base-nova/src/core/platform_services.cc)
    if (kernel.name === "nova") this.services.set(vmService.name, vmService);
    this.ledger = new Ledger("core", options.ram, options.caps);
    this.ledger.open("init");
    this.print(`Genode ${GENODE_VERSION}`);
  }

  /** Withdraw core's preservation and give init the rest; returns init's quota or the error core prints. */
  assignInit(): Result<{ ram: RamQuota; caps: CapQuota }, "RAM" | "CAPS"> {
    if (this.ledger.availRam("core") < CORE_PRESERVED_RAM) { this.print("Error: core preservation exceeds available RAM"); return err("RAM"); }
    if (this.ledger.availCaps("core") < CORE_PRESERVED_CAPS) { this.print("Error: core preservation exceeds available caps"); return err("CAPS"); }
    const ram = this.ledger.availRam("core") - CORE_PRESERVED_RAM;
    const caps = this.ledger.availCaps("core") - CORE_PRESERVED_CAPS;
    this.ledger.transfer("core", "init", ram, caps);
    this.print(`${Math.floor(ram / (1024 * 1024))} MiB RAM and ${caps} caps assigned to init`);
    return ok({ ram, caps });
  }

  print(line: string): void {
    this.beforePrint();
    this.output.push(line);
  }

  /** The newest lines core printed, oldest first. */
  get log(): readonly string[] {
    return this.output.lines;
  }

  moduleSize(name: string): number | undefined {
    const m = this.options.modules.get(name);
    return m === undefined ? undefined : typeof m === "number" ? m : m.length;
  }
  /** Core's ROM modules (boot image): binaries by size, configs by content. */
  modules(): Map<string, string | number> {
    return this.options.modules;
  }
  module(name: string): string | number | undefined {
    return this.options.modules.get(name);
  }

  /** How core answers a session request: the service's cap contract (service.h budget_adjusted_args). */
  policy(service: string, args: string): ParentAnswer {
    const spec = this.services.get(service);
    if (spec === undefined) return "DENIED";
    const caps = Number(argValue(args, "cap_quota") ?? "0");
    if (caps < Math.max(1, spec.capQuota)) return "INSUFFICIENT_CAPS";
    if (service === "ROM") {
      const label = argValue(args, "label")?.replace(/^"|"$/g, "") ?? "";
      if (this.moduleSize(label.split(" -> ").pop() ?? "") === undefined) return "DENIED";
    }
    return "OK";
  }

  /** Create a session component and hand its capability to `client`. */
  openSession(service: string, label: string, args: string, client: KernelPd): Result<{ session: CoreSession; cap: Capability }, SessionError> {
    const spec = this.services.get(service);
    const answer = this.policy(service, `${args}, label="${label}"`);
    if (spec === undefined || answer === "DENIED") return err("DENIED");
    if (answer !== "OK") return err(answer);
    const s: CoreSession = { id: this.nextSession++, service, label, args, cap: undefined, data: {} };
    if (service === "ROM") s.data.module = label.split(" -> ").pop() ?? "";
    if (service === "PD") s.data.ram = parseNumBytes(argValue(args, "ram_quota") ?? "0") ?? 0;
    const cap = this.kernel.manage(this.ep, dispatcher(spec.interfaceFor(s)));
    if (!cap.ok) return err("OUT_OF_CAPS");
    s.cap = cap.value;
    const handed = this.kernel.delegate(cap.value, client);
    if (!handed.ok) { this.kernel.dissolve(cap.value); return err("DENIED"); }
    this.sessions.set(s.id, s);
    return ok({ session: s, cap: handed.value });
  }

  closeSession(id: number): void {
    const s = this.sessions.get(id);
    if (s === undefined) return;
    if (s.cap) this.kernel.dissolve(s.cap);
    this.sessions.delete(id);
  }
}
