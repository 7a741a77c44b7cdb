/**
 * Event delivery: exceptions, page faults, STARTUP, RECALL and vCPU VM exits arrive at a handler as an
 * implicit donating call through the portal at `evt + vector` in the EC's own PD.
 * NOVA interface specification, June 2014: §3.3 (exceptions), §8.3 (events), §8.5 (MTD); src/ec.cpp
 * (send_msg, handle_exc, die).
 */
import { Evt, Mtd, Utcb, UtcbArch } from "./abi.js";
import { capOf } from "./capability.js";
import { complete, done, kill, type Ec } from "./ec.js";
import { rendezvous } from "./ipc.js";
import { startCode } from "./scheduler.js";
import { ecName, NONE, type Kernel } from "./state.js";

export interface EventInfo {
  /** QUAL words (#PF: error code, fault address; VM exits: exit qualification). */
  qual?: [bigint, bigint];
  rip?: bigint;
}

/**
 * Deliver event `vector` of EC `e`: a donating call through `evt + vector`. No PT there, or a PT bound
 * to an EC on another CPU: the EC is killed ("PT not found", "PT wrong CPU"). A busy handler is helped.
 */
export function deliver(k: Kernel, e: Ec, vector: number, info: EventInfo = {}): void {
  const c = capOf(k, k.pd(e.pd), e.evt + vector, "pt");
  if (c === undefined) {
    k.m.charge(e.cpu, e.type === "vcpu" ? "vmexit" : "syscall", "nova", "event", ecName(e.id), { vector, killed: "PT not found" });
    kill(k, e, `PT not found (event 0x${vector.toString(16)})`);
    return;
  }
  const pt = c.obj;
  const handler = k.ec(pt.ec);
  if (handler.cpu !== e.cpu) {
    k.m.charge(e.cpu, "syscall", "nova", "event", ecName(e.id), { vector, killed: "PT wrong CPU" });
    kill(k, e, `PT wrong CPU (event 0x${vector.toString(16)})`);
    return;
  }
  if (e.type === "vcpu") k.m.charge(e.cpu, "vmexit", "nova", "vm_exit", ecName(e.id), { reason: vector });
  if (handler.st === "dead") {
    kill(k, e, `its handler for event 0x${vector.toString(16)} is dead`);
    return;
  }
  if (handler.st !== "wait") {
    k.m.chargeMany(e.cpu, ["ipc_oneway", "kpti_switch"], "nova", "event", ecName(e.id), { vector, helping: handler.id });
    e.st = "help";
    e.helping = handler.id;
    e.helpPt = pt.id;
    e.event = vector;
    handler.helpers.push(e.id);
    return;
  }
  rendezvous(k, e, handler, pt, vector);
  writeState(handler, e, pt.mtd, info);
}

/** The architectural state an event carries, as the portal's MTD selects (S14 Fig. 8.4 offsets). */
function writeState(handler: Ec, e: Ec, mtd: number, info: EventInfo): void {
  const u = handler.utcb;
  if (u === null) return;
  const d = Utcb.DATA;
  u[Utcb.ITEMS] = 0n;
  u[d + UtcbArch.MTD] = BigInt(mtd);
  if (mtd & Mtd.RIP_LEN) u[d + UtcbArch.RIP] = info.rip ?? e.ip;
  if (mtd & Mtd.RSP) u[d + UtcbArch.RSP] = e.sp;
  if (mtd & Mtd.QUAL) {
    u[d + UtcbArch.QUAL0] = info.qual?.[0] ?? 0n;
    u[d + UtcbArch.QUAL1] = info.qual?.[1] ?? 0n;
  }
}

/** STARTUP: a global EC raises it when its first SC is bound, a vCPU at evt + 0xfe. */
export function startup(k: Kernel, e: Ec): void {
  e.st = "ready";
  e.sc = e.ownSc;
  deliver(k, e, e.type === "vcpu" ? Evt.VCPU_STARTUP : Evt.STARTUP);
}

/**
 * The handler replied to an event: the state it wrote goes back per the MTD word in its UTCB. After
 * STARTUP the EC begins at the IP the handler gave (its registered program, if any); after any other
 * event it continues where it was.
 */
export function resumeAfterEvent(k: Kernel, e: Ec, handler: Ec, vector: number): void {
  const u = handler.utcb;
  const d = Utcb.DATA;
  if (u !== null) {
    const mtd = Number(u[d + UtcbArch.MTD]!);
    if (mtd & Mtd.RIP_LEN) e.ip = u[d + UtcbArch.RIP]!;
    if (mtd & Mtd.RSP) e.sp = u[d + UtcbArch.RSP]!;
  }
  const r = done(0);
  complete(k, e, r);
  const started = vector === Evt.STARTUP || vector === Evt.VCPU_STARTUP;
  e.entered = { via: started ? "startup" : "resume", pt: NONE, pid: 0n, event: vector, ip: e.ip, regs: r };
  if (started) {
    e.result = null;
    startCode(k, e, e.ip, { ec: e.id, ip: e.ip, sp: e.sp, event: vector });
  }
}
