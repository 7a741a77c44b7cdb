/**
 * NOVA port: the part of the NOVA handle (DESIGN.md public surface: `syscall(regs, ec)`,
 * `utcb(ec)`, `state(ec)`) that base-nova drives. base-nova speaks only the register-level ABI of
 * reference/nova.md §1–§3 through it, so the real src/microkernel model and the stand-in in
 * stand-in.ts are interchangeable behind it.
 */
import type { Regs } from "../../microkernel/abi.js";
import type { Nova } from "../../microkernel/index.js";

/** Result of a kernel entry: the caller's registers with the status, or blocked (e.g. a call in progress). */
export type EntryResult = (Regs & { status: number }) | { blocked: true };

/** Where an EC stands, as far as base-nova needs to know. */
export type EcView =
  | { kind: "entered"; pid: bigint } // entered through a portal; pid = the portal id (Genode's badge)
  | { kind: "done"; regs: Regs & { status: number } } // its last kernel entry completed with these registers
  | { kind: "other" };

export interface NovaPort {
  /** One kernel entry, issued as the EC `ec` (an EC id as the port names it). */
  syscall(regs: Regs, ec: number): EntryResult;
  /** The EC's UTCB as 512 words (S14 §4.6 layout): header words 0–3, data from word 4, items from the top. */
  utcb(ec: number): BigUint64Array;
  state(ec: number): EcView;
  /** The portal id an EC was entered through, if it stands entered (state(ec) without building a view: hot path). */
  enteredPid(ec: number): bigint | undefined;
  /** The EC id of the EC at selector `sel` of the root PD's object space (after create_ec). */
  ecAt(sel: number): number;
  /** core's root PD and root EC (S14 boot state: PD 0x20, EC 0x21). */
  readonly rootEc: number;
}

/** The port over src/microkernel's NOVA model (`bootNova(m)`): its register-level entry and views. */
export function novaPort(nova: Nova): NovaPort {
  return {
    rootEc: nova.rootEc.id,
    syscall: (regs, ec) => {
      const r = nova.syscall(regs, ec);
      return r.blocked ? { blocked: true } : r;
    },
    // The EC's own array, not a cache of it: a cache keyed by EC id kept every destroyed EC's
    // UTCB alive (8 KiB per restarted child, found by the soak). A vCPU has none: nova.utcb throws.
    utcb: (ec) => nova.ecObj(ec).utcb ?? nova.utcb(ec).words,
    state: (ec) => {
      const e = nova.ecObj(ec);
      if (e.entered !== null && e.st === "ready") return { kind: "entered", pid: e.entered.pid };
      if (e.result !== null && e.st === "ready") return { kind: "done", regs: e.result };
      return { kind: "other" };
    },
    enteredPid: (ec) => {
      const e = nova.ecObj(ec);
      return e.entered !== null && e.st === "ready" ? e.entered.pid : undefined;
    },
    ecAt: (sel) => nova.ec(sel).id,
  };
}
