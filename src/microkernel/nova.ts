/**
 * The handle a notebook gets from `m.bootNova()`: the register-level kernel entry (the truth), thin
 * typed helpers over it, views of ECs and UTCBs, guest-code registration, events a cell can raise,
 * and the inspection tables. DESIGN.md "Public surface" and "Driving from cells".
 */
import { UsageError, type GuestProgram, type Machine } from "../machine/index.js";
import { CrdType, Evt as EvtAbi, Flag, Hypercall, Item, ItemKind, Mtd, NUM_SEL, Perm, qpd, Sel, Status, statusNames, type Regs } from "./abi.js";
import { boot, type BootOptions } from "./boot.js";
import { hc, type ExceptionEntry, type GuestEntry } from "./calls.js";
import { objCap, wrapSel } from "./capability.js";
import { crd as crdBuilders, decodeCrd, encodeCrd, type Crd } from "./crd.js";
import { recallVector, utcbView, type Ec, type EcState, type Entered } from "./ec.js";
import { endDonations } from "./ec-ctrl.js";
import { deliver, type EventInfo } from "./events.js";
import { parseHip, type HipInfo } from "./hip.js";
import { enter, enterIpc } from "./hypercalls.js";
import { ipcCall, ipcReply } from "./ipc.js";
import { capSpaceTable, capdl, derivationTree, runQueueTable, type Displayable } from "./inspect.js";
import type { Pd } from "./pd.js";
import { makeDispatcher, progId, runsCode, threadOf, enqueue } from "./scheduler.js";
import { enterSpace } from "./scheduler.js";
import { timeout, up } from "./sm.js";
import { lookup as spaceLookup } from "./space.js";
import { ecName, NONE, spaceName, type Kernel, type SavedState, type SyscallResult } from "./state.js";
import { UtcbView } from "./utcb.js";
import { xcpuArrive } from "./xcpu.js";
import { Config } from "./abi.js";
const Evt = EvtAbi;

/** The reply a local EC's program makes by ending (the handlers never write their argument registers). */
const IMPLICIT_REPLY: Readonly<Regs> = Object.freeze(hc.reply());

/** A selector field wrapped to the object space (S14 §6.2), as wrapSel does for the register-level entry. */
const SEL_MASK = NUM_SEL - 1;

/** A kernel object as a cell names it: its kind and id, and the selector it was found at. */
export class KObjectHandle {
  constructor(
    readonly kind: "pd" | "ec" | "sc" | "pt" | "sm",
    readonly id: number,
    readonly sel: number,
    readonly holder: number,
  ) {}
  toString(): string {
    return `${this.kind.toUpperCase()}#${this.id} (sel 0x${this.sel.toString(16)})`;
  }
}

export interface EcStateView {
  state: EcState;
  /** What it is blocked on, when blocked. */
  on?: { call: number } | { help: number } | { sm: number } | { ipi: true };
  entered: Entered | null;
  /** Registers of its last completed kernel entry. */
  regs: (Regs & { status: number }) | null;
  /** Set when dead: why. */
  why?: string;
  cpu: number;
  pd: number;
  sc: number;
  runsCode: boolean;
}

type EcRef = KObjectHandle | number | undefined;
type PdRef = KObjectHandle | number | undefined;

export class Nova {
  /** Register builders for every hypercall (also what guest programs yield). */
  readonly hc = hc;
  /** CRD builders: `nova.crd.obj(sel, order, perm)`, `.mem(page, order, perm)`, `.pio(port, order)`. */
  readonly crd = crdBuilders;
  readonly qpd = qpd;
  readonly abi = { Hypercall, Status, Perm, Mtd, Sel, Evt, CrdType, Item, ItemKind, statusNames };

  constructor(
    readonly k: Kernel,
    readonly m: Machine,
  ) {}

  /**
   * The kernel entry: identifier word in RDI, arguments in RSI, RDX, RAX, R8; runs as `ec` (default the
   * root EC). The cycles go to the EC's CPU clock and trace; they are not charged to an SC's budget:
   * a cell acts between scheduled runs, so SC time (sc_ctrl) counts what the dispatcher ran.
   */
  syscall(regs: Partial<Regs> & { rdi: bigint }, ec?: EcRef): SyscallResult {
    const e = this.entering(ec);
    const ipc = enterIpc(this.k, e, regs.rdi); // call and reply read RDI only
    if (ipc !== undefined) return this.entered(e, ipc);
    const a: Regs = { rdi: regs.rdi, rsi: regs.rsi ?? 0n, rdx: regs.rdx ?? 0n, rax: regs.rax ?? 0n, r8: regs.r8 ?? 0n };
    // A result that comes back at once goes to the cell only; one that completes later lands in state(ec).regs.
    return this.entered(e, enter(this.k, e, a));
  }

  // ---- typed helpers: thin wrappers over syscall() -------------------------------------------
  // call and reply, the hot path, decode nothing: with a selector that is a safe integer they reach
  // the same handlers as syscall(hc.call(…)) with the identifier word's fields as numbers (what
  // enter() would decode), and fall back to the register-level entry otherwise.

  call(pt: number, o?: { ec?: EcRef; db?: boolean }): SyscallResult {
    if (!Number.isSafeInteger(pt)) return this.syscall(hc.call(pt, o), o?.ec);
    const e = this.entering(o?.ec);
    return this.entered(e, ipcCall(this.k, e, pt & SEL_MASK, o?.db ? Flag.CALL_DB : 0));
  }
  reply(o?: { ec?: EcRef; sm?: number }): SyscallResult {
    const sm = o?.sm ?? 0;
    if (!Number.isSafeInteger(sm)) return this.syscall(hc.reply(sm), o?.ec);
    const e = this.entering(o?.ec);
    return this.entered(e, ipcReply(this.k, e, sm === 0 ? NONE : sm & SEL_MASK));
  }
  createPd(sel: number, owner: number = Sel.PD_ROOT, crd = 0n, o: { ec?: EcRef; lower?: number; upper?: number } = {}): number {
    return this.status(this.syscall(hc.createPd(sel, owner, crd, o), o.ec));
  }
  createEc(sel: number, owner: number, o: { cpu?: number; utcb: bigint | number; sp?: bigint; evt?: number; global?: boolean; ec?: EcRef }): number {
    return this.status(this.syscall(hc.createEc(sel, owner, o), o.ec));
  }
  createSc(sel: number, owner: number, ecSel: number, qpd: bigint, o: { ec?: EcRef } = {}): number {
    return this.status(this.syscall(hc.createSc(sel, owner, ecSel, qpd), o.ec));
  }
  createPt(sel: number, owner: number, ecSel: number, mtd: number, ip: bigint | number, o: { ec?: EcRef } = {}): number {
    return this.status(this.syscall(hc.createPt(sel, owner, ecSel, mtd, ip), o.ec));
  }
  createSm(sel: number, owner: number, count = 0, o: { ec?: EcRef; chain?: number } = {}): number {
    return this.status(this.syscall(hc.createSm(sel, owner, count, o.chain ?? 0), o.ec));
  }
  revoke(crd: bigint, o: { self?: boolean; remote?: number; keep?: boolean; sm?: number; ec?: EcRef } = {}): number {
    return this.status(this.syscall(hc.revoke(crd, o), o.ec));
  }
  delegate(srcPd: number, dstPd: number, crd: bigint, o: { ec?: EcRef } = {}): number {
    return this.status(this.syscall(hc.delegate(srcPd, dstPd, crd), o.ec));
  }
  ptCtrl(pt: number, pid: bigint | number, o: { ec?: EcRef } = {}): number {
    return this.status(this.syscall(hc.ptCtrl(pt, pid), o.ec));
  }
  up(sm: number, o: { ec?: EcRef } = {}): number {
    return this.status(this.syscall(hc.smUp(sm), o.ec));
  }
  down(sm: number, o: { ec?: EcRef; deadline?: number; zero?: boolean } = {}): SyscallResult {
    return this.syscall(hc.smDown(sm, o), o.ec);
  }

  private status(r: SyscallResult): number {
    return r.blocked ? -1 : r.status;
  }

  // ---- views --------------------------------------------------------------------------------

  /** The EC at `sel` in a PD's object space (default: the root PD's). */
  ec(sel: number, pd?: PdRef): KObjectHandle {
    return this.handle(sel, pd, "ec");
  }
  pd(sel: number, pd?: PdRef): KObjectHandle {
    return this.handle(sel, pd, "pd");
  }
  get rootEc(): KObjectHandle {
    return new KObjectHandle("ec", this.k.d.rootEc, Sel.EC_ROOT, this.k.d.rootPd);
  }

  /** The EC's UTCB page: `.words` is live (a BigUint64Array(512)), with named accessors over the same words. */
  utcb(ec?: EcRef): UtcbView {
    const e = this.ecObj(ec);
    if (e.utcb === null) throw new UsageError("no-utcb", `EC#${e.id} is a vCPU and has no UTCB`);
    return new UtcbView(e.utcb);
  }

  state(ec?: EcRef): EcStateView {
    const e = this.ecObj(ec);
    const on =
      e.st === "call" ? { call: e.callee } : e.st === "help" ? { help: e.helping } : e.st === "sm" ? { sm: e.sm } : e.st === "ipi" ? { ipi: true as const } : undefined;
    return { state: e.st, ...(on ? { on } : {}), entered: e.entered, regs: e.result, ...(e.st === "dead" ? { why: e.why } : {}), cpu: e.cpu, pd: e.pd, sc: e.sc, runsCode: runsCode(this.k, e) };
  }

  /** What a PD's space holds at the CRD's base, without being that PD. */
  lookup(pd: PdRef, c: bigint | Crd): Crd {
    const crd = typeof c === "bigint" ? decodeCrd(c) : c;
    return spaceLookup(this.k, this.pdObj(pd), crd.type, crd.base);
  }

  /** Guest code run when an EC or portal at this IP is entered: a generator yielding hypercall registers (see `hc`). */
  registerCode(ip: bigint | number, program: (ctx: { ec: number; pid?: bigint; ip: bigint; event: number; regs?: Regs }) => Generator<GuestEntry, unknown, SyscallResult>): void {
    this.m.programs.register(progId(BigInt(ip)), program as unknown as GuestProgram);
  }

  get hip(): HipInfo {
    return parseHip(this.m.memory.read(this.k.d.hipFrame, 0, 4096));
  }

  // ---- events a cell can raise ---------------------------------------------------------------

  /** The EC takes exception `vector` (e.g. 0xe with qual [error code, address]): a donating call through evt + vector. */
  exception(ec: EcRef, vector: number, info: EventInfo = {}): EcStateView {
    const e = this.ecObj(ec);
    if (e.st !== "ready") throw new UsageError("ec-not-running", `EC#${e.id} is ${e.st}; only a running EC takes an exception`);
    deliver(this.k, e, vector, info);
    return this.state(e.id);
  }
  pageFault(ec: EcRef, addr: bigint, error = 0n): EcStateView {
    return this.exception(ec, Evt.PF, { qual: [error, addr] });
  }
  /** A vCPU exits with this VMX exit reason: delivered through evt + reason at the cost of a VM exit. */
  vmExit(vcpu: EcRef, reason: number, qual: bigint = 0n): EcStateView {
    const e = this.ecObj(vcpu);
    if (e.type !== "vcpu") throw new UsageError("not-vcpu", `EC#${e.id} is not a vCPU`);
    return this.exception(e.id, reason, { qual: [qual, 0n] });
  }
  /** The device raises GSI `gsi`: the kernel ups its semaphore on the CPU it is routed to. */
  interrupt(gsi: number): void {
    if (!Number.isInteger(gsi) || gsi < 0 || gsi >= Config.NUM_GSI) throw new UsageError("bad-gsi", `GSI ${gsi} does not exist (0..${Config.NUM_GSI - 1})`);
    const kpd = this.k.pd(this.k.d.kernelPd);
    const c = objCap(this.k, kpd, Config.NUM_CPU + gsi);
    if (c?.obj.kind !== "sm") return;
    const cpu = this.k.d.gsiCpu[gsi]!;
    this.m.charge(cpu, "irq_to_user", "nova", "interrupt", "kernel", { gsi });
    up(this.k, cpu, c.obj);
  }

  // ---- inspection ---------------------------------------------------------------------------

  capSpace(pd?: PdRef): Displayable {
    return capSpaceTable(this.k, this.pdObj(pd));
  }
  derivationTree(pd?: PdRef, c?: bigint): Displayable {
    const p = this.pdObj(pd);
    const crd = c === undefined ? undefined : decodeCrd(c);
    return derivationTree(this.k, p, crd);
  }
  runQueues(): Displayable {
    return runQueueTable(this.k);
  }
  capdl(): string {
    return capdl(this.k);
  }

  // ---- internals ----------------------------------------------------------------------------

  private handle(sel: number, pd: PdRef, kind: KObjectHandle["kind"]): KObjectHandle {
    const p = this.pdObj(pd);
    const c = objCap(this.k, p, wrapSel(BigInt(sel)));
    if (c === undefined || c.obj.kind !== kind) {
      throw new UsageError("no-such-object", `selector 0x${sel.toString(16)} of PD#${p.id} holds no ${kind.toUpperCase()} capability`, "check nova.capSpace(pd)");
    }
    return new KObjectHandle(kind, c.obj.id, sel, p.id);
  }

  ecObj(ec: EcRef): Ec {
    const id = ec === undefined ? this.k.d.rootEc : typeof ec === "number" ? ec : ec.id;
    const e = this.k.obj(id);
    if (e?.kind !== "ec") throw new UsageError("no-such-ec", `there is no EC with id ${id}`, "get one with nova.ec(sel, pd)");
    return e;
  }

  pdObj(pd: PdRef): Pd {
    const id = pd === undefined ? this.k.d.rootPd : typeof pd === "number" ? pd : pd.kind === "pd" ? pd.id : NONE;
    const p = this.k.obj(id);
    if (p?.kind !== "pd") throw new UsageError("no-such-pd", `there is no PD with id ${id}`, "get one with nova.pd(sel)");
    return p;
  }

  /** The EC a cell enters the kernel as: it must run user code driven by the cell; the CPU switches to its space. */
  private entering(ec: EcRef): Ec {
    const e = this.ecObj(ec);
    this.checkCellDriven(e);
    enterSpace(this.k, e.cpu, e.pd);
    return e;
  }

  /** After a cell's kernel entry: a recall pending on an EC that runs again is delivered before it returns to user mode. */
  private entered(e: Ec, r: SyscallResult): SyscallResult {
    if (e.helpers.length > 0) endDonations(this.k, e);
    if (e.recall && e.st === "ready") {
      e.recall = false;
      deliver(this.k, e, recallVector(e));
    }
    return r;
  }

  private checkCellDriven(e: Ec): void {
    if (runsCode(this.k, e)) throw new UsageError("ec-runs-code", `EC#${e.id} runs registered code; the machine drives it`, "use m.run(...)");
    if (e.st !== "ready") {
      const hint =
        e.st === "wait" ? "it waits for a call on one of its portals" : e.st === "nosc" ? "bind an SC to it first (create_sc)" : e.st === "dead" ? `it is dead: ${e.why}` : "run the machine until it completes";
      throw new UsageError("ec-not-running", `EC#${e.id} is ${e.st}, not running user code, so a cell cannot act for it`, hint);
    }
  }
}

/** Boot NOVA on a machine: S14 boot state, the dispatcher, event handlers and the snapshot layer. */
export function bootNova(m: Machine, options: BootOptions = {}): Nova {
  const k = boot(m, options);
  m.cpus[0]!.enter(spaceName(k.d.rootPd)); // the root EC runs on the boot CPU
  m.on("nova.rrq", (p) => {
    const sc = k.obj((p as { sc: number }).sc);
    if (sc?.kind === "sc") enqueue(k, sc);
  });
  m.on("nova.wake", (p) => {
    const e = k.obj((p as { ec: number }).ec);
    if (e?.kind === "ec" && e.st === "ipi") e.st = "ready";
  });
  m.on("nova.xcpu", (p, cpu) => xcpuArrive(k, p as { ec: number; seq: number }, cpu));
  m.on("nova.sm_timeout", (p, cpu) => timeout(k, p as { ec: number; sm: number; seq: number }, cpu));
  m.on("nova.recall", (p) => {
    const e = k.obj((p as { ec: number }).ec);
    if (e?.kind === "ec" && e.recall && e.st === "ready") {
      e.recall = false;
      deliver(k, e, recallVector(e));
    }
  });
  m.addDispatcher(
    makeDispatcher(k, (_sc, e, cpu) => {
      if (e.recall) {
        e.recall = false;
        deliver(k, e, recallVector(e));
        return;
      }
      const t = threadOf(k, e)!;
      const entry = t.resume(e.result ?? undefined) as GuestEntry | undefined;
      e.result = null;
      if (entry === undefined) {
        if (e.caller !== NONE || e.type === "local") enter(k, e, IMPLICIT_REPLY);
        else {
          m.charge(cpu, "syscall", "nova", "ec_exit", ecName(e.id));
          e.st = "done";
        }
      } else if ("rdi" in entry) {
        const r = enter(k, e, entry);
        if (r.blocked === undefined) e.result = r;
      } else if ("exception" in entry) deliver(k, e, (entry as ExceptionEntry).exception, entry as ExceptionEntry);
      else throw new UsageError("bad-entry", `EC#${e.id}'s program yielded something that is neither hypercall registers nor an exception`);
    }),
  );
  m.registerLayer("nova", {
    save: (): SavedState => {
      const all = new Map(k.d.threads);
      for (const [id, t] of k.liveThreads) all.set(id, t.save());
      // by EC id, so that the state does not depend on which threads were replayed since a restore
      const threads = new Map(Array.from(all).sort((a, b) => a[0] - b[0]));
      return { data: { ...k.d, threads }, mdb: k.mdb.save() };
    },
    load: (s) => {
      const st = s as SavedState;
      k.d = st.data;
      k.liveThreads.clear();
      k.mdb.load(st.mdb);
      // UTCBs are machine frames (restored before the layers): views over them replace the copies.
      for (const o of k.d.objects.values()) if (o.kind === "ec" && o.utcbFrame !== NONE) o.utcb = utcbView(k, o.utcbFrame);
    },
  });
  return new Nova(k, m);
}

export { encodeCrd, CrdType };
