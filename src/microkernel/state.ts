/**
 * The NOVA kernel's state as plain data (so that a machine snapshot holds it exactly), and the
 * kernel context every hypercall handler receives. Object records are defined beside their
 * operations in pd.ts, ec.ts, sc.ts, pt.ts and sm.ts; this file only ties them together.
 */
import type { GuestThread, GuestThreadState, Machine } from "../machine/index.js";
import type { Regs } from "./abi.js";
import type { Ec } from "./ec.js";
import { Mdb, type MdbState } from "./mdb.js";
import type { Pd } from "./pd.js";
import type { Pt } from "./pt.js";
import type { Sc } from "./sc.js";
import type { Sm } from "./sm.js";

export type KObject = Pd | Ec | Sc | Pt | Sm;
export type Kind = KObject["kind"];

export interface CpuQueues {
  /** Run queue per priority, SC ids in round-robin order (head first). */
  prio: number[][];
}

/** What a kernel entry gives back: the caller's registers (status = rdi & 0xff), or that it blocked. */
export type SyscallResult =
  | (Regs & { status: number; blocked?: undefined })
  | { blocked: true; status?: undefined; rdi?: undefined; rsi?: undefined; rdx?: undefined; rax?: undefined; r8?: undefined };

export interface NovaData {
  nextId: number;
  objects: Map<number, KObject>;
  kernelPd: number;
  rootPd: number;
  rootEc: number;
  rootSc: number;
  features: number;
  hipFrame: number;
  cpus: CpuQueues[];
  /** ECs entered on a CPU through a cross-CPU (GF XCPU) call: they run there at the caller's priority. */
  xcpu: number[][];
  /** Guest programs of ECs that run registered code (EC id → thread state, restorable by replay). */
  threads: Map<number, GuestThreadState>;
  /** Time of SCs that were destroyed, per CPU (GF sc_ctrl op 2 on the idle SC). */
  killedTime: number[];
  /** GSI → SM object id (kernel-PD semaphores) and routing CPU. */
  gsiCpu: number[];
  waitSeq: number;
}

export interface SavedState {
  data: NovaData;
  mdb: MdbState;
}

/** Kernel context: the machine, the state, and live objects that are rebuilt from the state (threads). */
export class Kernel {
  readonly mdb = new Mdb();
  readonly liveThreads = new Map<number, GuestThread<unknown, unknown>>();

  constructor(
    readonly m: Machine,
    public d: NovaData,
  ) {}

  obj(id: number): KObject | undefined {
    return this.d.objects.get(id);
  }

  pd(id: number): Pd {
    return this.d.objects.get(id) as Pd;
  }

  ec(id: number): Ec {
    return this.d.objects.get(id) as Ec;
  }

  sc(id: number): Sc {
    return this.d.objects.get(id) as Sc;
  }

  newId(): number {
    return this.d.nextId++;
  }

  /** Ticks per microsecond at the profile's clock (the modelled TSC runs at the core clock). */
  get ticksPerUs(): number {
    return this.m.costs.hz / 1e6;
  }
}

const spaceNames: string[] = [];
export function spaceName(pd: number): string {
  return (spaceNames[pd] ??= `nova:pd${pd}`);
}

export const NONE = -1;
