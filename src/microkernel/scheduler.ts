/**
 * Scheduler: 128 priorities, round robin within a priority, one run queue per CPU; an SC runs the EC
 * at the end of its donation chain (its own EC, or whichever EC its EC called or helps).
 * NOVA interface specification, June 2014, §3.1; include/sc.hpp, src/sc.cpp (Sc::schedule,
 * remote_enqueue); helping from include/ec.hpp (Ec::activate).
 *
 * Model choices: an SC's budget is charged with the cycles its steps spend; a preempted SC keeps its
 * place at the head of its list and one whose budget ran out goes to the tail with a fresh quantum
 * (S14 Sc::schedule). An EC that runs no registered code is driven by the notebook: the dispatcher
 * skips SCs that end at such an EC (the cell acts for it between runs), so lower priorities still run.
 */
import { GuestThread, type Dispatcher } from "../machine/index.js";
import { NUM_PRIORITIES, type Regs } from "./abi.js";
import type { Ec } from "./ec.js";
import type { Pt } from "./pt.js";
import type { Sc } from "./sc.js";
import { NONE, spaceName, type Kernel } from "./state.js";
import { endDonations } from "./ec-ctrl.js";

/** NOVA kills the kernel after 100 helping loops ("Livelock"); we stop following a chain there. */
const MAX_CHAIN = 100;

export function emptyQueues(): { prio: number[][] } {
  return { prio: Array.from({ length: NUM_PRIORITIES }, () => []) };
}

/**
 * Bit p of word p >> 5 is set exactly when priority p's run queue on the CPU is non-empty: pick()
 * visits only those, instead of all 128, each time the machine asks whether a CPU is ready. Host-side
 * (Kernel.readyBits), rebuilt from the queues whenever they are other objects than it was built from
 * (after a restore); enqueue and dequeue, the only writers of the queues, keep it exact.
 */
function readyBits(k: Kernel, cpu: number): Uint32Array {
  const queues = k.d.cpus[cpu]!;
  const r = k.readyBits[cpu];
  if (r !== undefined && r.queues === queues) return r.bits;
  const bits = new Uint32Array(NUM_PRIORITIES >> 5);
  queues.prio.forEach((q, p) => {
    if (q.length > 0) bits[p >> 5] |= 1 << (p & 31);
  });
  k.readyBits[cpu] = { queues, bits };
  return bits;
}

export function enqueue(k: Kernel, sc: Sc): void {
  if (sc.queued) return;
  k.d.cpus[sc.cpu]!.prio[sc.prio]!.push(sc.id);
  readyBits(k, sc.cpu)[sc.prio >> 5] |= 1 << (sc.prio & 31);
  sc.queued = true;
}

export function dequeue(k: Kernel, sc: Sc): void {
  if (!sc.queued) return;
  const q = k.d.cpus[sc.cpu]!.prio[sc.prio]!;
  const i = q.indexOf(sc.id);
  if (i >= 0) q.splice(i, 1);
  if (q.length === 0) readyBits(k, sc.cpu)[sc.prio >> 5] &= ~(1 << (sc.prio & 31));
  sc.queued = false;
}

/** Enqueue from `cpu`: directly on the same CPU, else through the remote run queue and an IPI (VEC_IPI_RRQ). */
export function enqueueFrom(k: Kernel, cpu: number, sc: Sc): void {
  if (sc.cpu === cpu) enqueue(k, sc);
  else k.m.ipi(cpu, sc.cpu, "nova.rrq", { sc: sc.id });
}

/** A blocked EC was released from `cpu`: on another CPU it becomes ready when the wake-up IPI arrives. */
export function wake(k: Kernel, cpu: number, e: Ec): void {
  if (e.cpu === cpu || e.st !== "ready") return;
  e.st = "ipi";
  k.m.ipi(cpu, e.cpu, "nova.wake", { ec: e.id });
}

/** The EC an SC runs now: follow call and helping links to the end of the chain. */
export function runner(k: Kernel, sc: Sc): Ec | undefined {
  let e = k.ec(sc.ec);
  for (let i = 0; e !== undefined && i < MAX_CHAIN; i++) {
    if (e.st === "call") e = k.ec(e.callee);
    else if (e.st === "help") e = k.ec(e.helping);
    else return e;
  }
  return undefined;
}

const progIds = new Map<bigint, string>();
export function progId(ip: bigint): string {
  let id = progIds.get(ip);
  if (id === undefined) {
    id = `nova:0x${ip.toString(16)}`;
    if (progIds.size < 4096) progIds.set(ip, id);
  }
  return id;
}

/** The CPU runs in a PD's address space from now on (Cpu.enter only when it changes: the hot IPC path). */
export function enterSpace(k: Kernel, cpu: number, pd: number): void {
  const c = k.m.cpus[cpu]!;
  const name = spaceName(pd);
  if (c.current !== name) c.enter(name);
}

/** The guest program an EC runs, if it runs registered code (rebuilt by replay after a restore). */
export function threadOf(k: Kernel, e: Ec): GuestThread | undefined {
  let t = k.liveThreads.get(e.id);
  if (t === undefined) {
    const s = k.d.threads.get(e.id);
    if (s === undefined) return undefined;
    t = GuestThread.restore(k.m.programs, s);
    k.liveThreads.set(e.id, t);
    k.d.threads.delete(e.id);
  }
  return t;
}

// The size tests spare the hot IPC path its Map look-ups when no EC runs registered code.
export function runsCode(k: Kernel, e: Ec): boolean {
  return (k.liveThreads.size > 0 && k.liveThreads.has(e.id)) || (k.d.threads.size > 0 && k.d.threads.has(e.id));
}

/** The EC's program, if it had one, is over (it replied, died, or is entered afresh). */
export function forgetCode(k: Kernel, ec: number): void {
  if (k.liveThreads.size > 0) k.liveThreads.delete(ec);
  if (k.d.threads.size > 0) k.d.threads.delete(ec);
}

/** Start the program registered at `ip` for an EC that was just entered there, if there is one. */
export function startCode(k: Kernel, e: Ec, ip: bigint, arg: unknown): void {
  forgetCode(k, e.id);
  const id = progId(ip);
  if (k.m.programs.has(id)) k.liveThreads.set(e.id, new GuestThread(k.m.programs, id, arg));
}

/**
 * startCode for an EC entered through a portal: the program's argument is built only when there is a
 * program. Returns whether there is one.
 */
export function startPortalCode(k: Kernel, e: Ec, id: string, pt: Pt, event: number, regs: Regs): boolean {
  forgetCode(k, e.id);
  if (!k.m.programs.has(id)) return false;
  k.liveThreads.set(e.id, new GuestThread(k.m.programs, id, { ec: e.id, pid: pt.pid, ip: pt.ip, event, regs }));
  return true;
}

function steppable(k: Kernel, e: Ec | undefined, cpu: number): boolean {
  return e !== undefined && e.st === "ready" && e.cpu === cpu && runsCode(k, e);
}

/** The highest-priority SC on `cpu` whose chain ends at an EC that runs code there, head of its list first. */
export function pick(k: Kernel, cpu: number): { sc: Sc; ec: Ec } | undefined {
  const q = k.d.cpus[cpu]!.prio;
  const x = k.d.xcpu[cpu]!;
  if (x.length === 0) {
    // No cross-CPU ECs: only the non-empty priorities, highest first (the loop below visits the same).
    const bits = readyBits(k, cpu);
    for (let w = bits.length - 1; w >= 0; w--) {
      for (let word = bits[w]!; word !== 0; ) {
        const b = 31 - Math.clz32(word);
        word &= ~(1 << b);
        for (const id of q[(w << 5) | b]!) {
          const sc = k.sc(id);
          const e = runner(k, sc);
          if (steppable(k, e, cpu)) return { sc, ec: e! };
        }
      }
    }
    return undefined;
  }
  for (let p = NUM_PRIORITIES - 1; p >= 0; p--) {
    for (const id of q[p]!) {
      const sc = k.sc(id);
      const e = runner(k, sc);
      if (steppable(k, e, cpu)) return { sc, ec: e! };
    }
    for (const id of x) {
      const e = k.ec(id);
      const sc = e === undefined ? undefined : k.obj(e.sc);
      if (sc?.kind === "sc" && sc.prio === p && steppable(k, e, cpu)) return { sc, ec: e! };
    }
  }
  return undefined;
}

/** Charge an SC the cycles its chain just spent; an exhausted budget sends it to the tail, refilled. */
export function account(k: Kernel, sc: Sc, cycles: number): void {
  sc.used += cycles;
  sc.left -= cycles;
  if (sc.left > 0) return;
  sc.left = sc.quantumUs * k.ticksPerUs;
  if (!sc.queued) return;
  const q = k.d.cpus[sc.cpu]!.prio[sc.prio]!;
  const i = q.indexOf(sc.id);
  if (i >= 0) {
    q.splice(i, 1);
    q.push(sc.id);
  }
}

/**
 * The machine's run loop asks ready(cpu) of every CPU and then steps the earliest ready one, with
 * nothing in between (machine.ts nextReadyCpu): so the last pick that found something is the one
 * step() is about to make, and step() takes it instead of picking again. Any other order of calls
 * just misses the slot and picks afresh.
 */
export function makeDispatcher(k: Kernel, runOne: (sc: Sc, e: Ec, cpu: number) => void): Dispatcher {
  let slotCpu = NONE;
  let slot: { sc: Sc; ec: Ec } | undefined;
  return {
    ready: (cpu) => {
      const p = pick(k, cpu);
      if (p === undefined) return false;
      slotCpu = cpu;
      slot = p;
      return true;
    },
    step: (cpu) => {
      const p = slotCpu === cpu ? slot : pick(k, cpu);
      slotCpu = NONE;
      slot = undefined;
      if (p === undefined) return;
      const before = k.m.now(cpu);
      k.m.cpus[cpu]!.enter(spaceName(p.ec.pd));
      runOne(p.sc, p.ec, cpu);
      const spent = k.m.now(cpu) - before;
      p.ec.time += spent;
      // An SC of another CPU here is an XCPU clone's (xcpu.ts): its time is the CPU's cross time.
      if (p.sc.cpu === cpu) account(k, p.sc, spent);
      else k.d.crossTime[cpu] = (k.d.crossTime[cpu] ?? 0) + spent;
      if (p.ec.helpers.length > 0) endDonations(k, p.ec);
    },
  };
}

export function isNone(x: number): boolean {
  return x === NONE;
}
