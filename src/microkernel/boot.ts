/**
 * Boot state of the NOVA kernel: the kernel PD with all memory, all I/O ports, the idle SCs and the
 * GSI semaphores; the root PD (0x20, all permissions), its EC (0x21) and SC (0x22, priority 1,
 * quantum 10 000 µs); the HIP mapped read-only one page below USER_ADDR with the root UTCB below it.
 * NOVA interface specification, June 2014, §6; src/bootstrap.cpp, src/pd.cpp, include/config.hpp.
 */
import { PAGE_SIZE, type Machine } from "../machine/index.js";
import { Config, CrdType, Hip, PERM_ALL, Sel, USER_ADDR } from "./abi.js";
import { installObjCap } from "./capability.js";
import { newEc } from "./ec.js";
import { buildHip } from "./hip.js";
import { NIL } from "./mdb.js";
import { newPd } from "./pd.js";
import { newSc } from "./sc.js";
import { emptyQueues, enqueue } from "./scheduler.js";
import { newSm } from "./sm.js";
import { Kernel, NONE, spaceName, type NovaData } from "./state.js";

export interface BootOptions {
  /** HIP feature flags (default VMX: the modelled Skylake and Nehalem parts have VT-x, no IOMMU is modelled). */
  features?: number;
}

export const ROOT_QUANTUM_US = 10_000;
export const ROOT_PRIORITY = 1;
export const HIP_PAGE = Number(USER_ADDR >> 12n) - 1;
export const ROOT_UTCB_PAGE = HIP_PAGE - 1;

export function emptyData(cpus: number): NovaData {
  return {
    nextId: 1,
    objects: new Map(),
    kernelPd: NONE,
    rootPd: NONE,
    rootEc: NONE,
    rootSc: NONE,
    features: Hip.FEAT_VMX,
    hipFrame: NONE,
    cpus: Array.from({ length: cpus }, () => emptyQueues()),
    xcpu: Array.from({ length: cpus }, () => []),
    threads: new Map(),
    killedTime: Array.from({ length: cpus }, () => 0),
    crossTime: Array.from({ length: cpus }, () => 0),
    gsiCpu: Array.from({ length: Config.NUM_GSI }, () => 0),
    waitSeq: 0,
  };
}

export function boot(m: Machine, options: BootOptions = {}): Kernel {
  const k = new Kernel(m, emptyData(m.cpus.length));
  k.d.features = options.features ?? Hip.FEAT_VMX;
  const mdb = k.mdb;

  const kpd = newPd(k, "kernel", NONE, NONE);
  kpd.refs = 1; // held by the kernel itself, never destroyed
  k.d.kernelPd = kpd.id;
  const memOrder = Math.ceil(Math.log2(m.memory.frameCount));
  kpd.mem.set(0, mdb.insert(kpd.id, CrdType.MEM, 0x7, memOrder, 0, 0, NIL));
  kpd.pio.set(0, mdb.insert(kpd.id, CrdType.PIO, 0x1, 16, 0, 0, NIL));
  for (let cpu = 0; cpu < m.cpus.length; cpu++) installObjCap(k, kpd, cpu, newSc(k, NONE, cpu, 0, ROOT_QUANTUM_US, kpd.id, true), 0x1);
  for (let gsi = 0; gsi < Config.NUM_GSI; gsi++) installObjCap(k, kpd, Config.NUM_CPU + gsi, newSm(k, 0, kpd.id, gsi), 0x3);

  const root = newPd(k, "root", NONE, m.memory.frameCount * PAGE_SIZE);
  k.d.rootPd = root.id;
  installObjCap(k, root, Sel.PD_ROOT, root, PERM_ALL);

  const [hipFrame] = m.memory.alloc("nova:kernel", 1);
  const [utcbFrame] = m.memory.alloc(spaceName(root.id), 1); // the root EC's UTCB, the root PD's frame
  k.d.hipFrame = hipFrame!;
  m.memory.write(hipFrame!, 0, buildHip(m, k.d.features, [hipFrame!, utcbFrame!]));
  root.mem.set(HIP_PAGE, mdb.insert(root.id, CrdType.MEM, 0x1, 0, HIP_PAGE, hipFrame!, NIL));

  const ec = newEc(k, root.id, 0, "global", ROOT_UTCB_PAGE, USER_ADDR - BigInt(PAGE_SIZE), 0, utcbFrame!);
  root.utcbs.push(ROOT_UTCB_PAGE);
  root.refs++;
  installObjCap(k, root, Sel.EC_ROOT, ec, 0xd);
  k.d.rootEc = ec.id;

  const sc = newSc(k, ec.id, 0, ROOT_PRIORITY, ROOT_QUANTUM_US, root.id);
  ec.refs++;
  installObjCap(k, root, Sel.SC_ROOT, sc, 0x1);
  k.d.rootSc = sc.id;
  ec.ownSc = sc.id;
  ec.sc = sc.id;
  ec.st = "ready";
  ec.ip = 0n;
  ec.entered = { via: "startup", pt: NONE, pid: 0n, event: NONE, ip: 0n, regs: { rdi: 0n, rsi: 0n, rdx: 0n, rax: 0n, r8: 0n } };
  enqueue(k, sc);
  return k;
}
