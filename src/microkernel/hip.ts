/**
 * Hypervisor information page (HIP): what the kernel tells the root PD about itself and the machine —
 * selector counts, features, TSC frequency, one descriptor per CPU and per memory region.
 * NOVA interface specification, June 2014, §6.2; field layout as Genode reads it (`Nova::Hip`,
 * base-nova syscall-generic.h@03470e7b). The 16-bit words of the page sum to 0 (the checksum).
 */
import { PAGE_SIZE, type Machine } from "../machine/index.js";
import { Config, Hip, NUM_SEL, Sel } from "./abi.js";

export const HIP_HEADER = 56;
/** CPU descriptor: flags, thread, core, package, acpi id, family, model, stepping/platform, patch (u32), reserved (u32). */
export const CPU_DESC_SIZE = 16;
/** Memory descriptor: addr (u64), size (u64), type (i32), aux (u32). */
export const MEM_DESC_SIZE = 24;

export interface HipInfo {
  signature: number;
  checksum: number;
  length: number;
  cpuOffset: number;
  cpuSize: number;
  memOffset: number;
  memSize: number;
  features: number;
  apiVersion: number;
  sel: number;
  exc: number;
  vmi: number;
  gsi: number;
  pageSizes: number;
  utcbSizes: number;
  tscFreqKhz: number;
  busFreqKhz: number;
  cpus: { flags: number; thread: number; core: number; package: number }[];
  memory: { addr: bigint; size: bigint; type: number }[];
}

/** Build the HIP bytes for this machine: one CPU descriptor per CPU, the RAM, and the hypervisor's own frames. */
export function buildHip(m: Machine, features: number, hypervisorFrames: number[]): Uint8Array {
  const cpus = m.cpus.length;
  const mem: [bigint, bigint, number][] = [[0n, BigInt(m.memory.frameCount * PAGE_SIZE), Hip.MEM_AVAILABLE]];
  for (const f of hypervisorFrames) mem.push([BigInt(f * PAGE_SIZE), BigInt(PAGE_SIZE), Hip.MEM_HYPERVISOR]);
  const length = HIP_HEADER + cpus * CPU_DESC_SIZE + mem.length * MEM_DESC_SIZE;
  const b = new Uint8Array(length);
  const v = new DataView(b.buffer);
  v.setUint32(0, Hip.SIGNATURE, true);
  v.setUint16(6, length, true);
  v.setUint16(8, HIP_HEADER, true);
  v.setUint16(10, CPU_DESC_SIZE, true);
  v.setUint16(12, HIP_HEADER + cpus * CPU_DESC_SIZE, true);
  v.setUint16(14, MEM_DESC_SIZE, true);
  v.setUint32(16, features, true);
  v.setUint32(20, Config.CFG_VER, true);
  v.setUint32(24, NUM_SEL, true);
  v.setUint32(28, Sel.NUM_EXC, true);
  v.setUint32(32, Sel.NUM_VMI, true);
  v.setUint32(36, Config.NUM_GSI, true);
  v.setUint32(40, (1 << 12) | (1 << 21) | (1 << 30), true); // 4 KiB, 2 MiB and 1 GiB pages
  v.setUint32(44, 1 << 12, true); // 4 KiB UTCBs
  v.setUint32(48, Math.round(m.costs.hz / 1000), true);
  v.setUint32(52, 0, true); // no bus frequency is modelled
  for (let i = 0; i < cpus; i++) {
    const o = HIP_HEADER + i * CPU_DESC_SIZE;
    b[o] = 1; // enabled
    b[o + 1] = 0; // thread
    b[o + 2] = i; // core
    b[o + 3] = 0; // package
    b[o + 4] = i; // ACPI id
  }
  mem.forEach(([addr, size, type], i) => {
    const o = HIP_HEADER + cpus * CPU_DESC_SIZE + i * MEM_DESC_SIZE;
    v.setBigUint64(o, addr, true);
    v.setBigUint64(o + 8, size, true);
    v.setInt32(o + 16, type, true);
  });
  let sum = 0;
  for (let i = 0; i < length; i += 2) sum = (sum + v.getUint16(i, true)) & 0xffff;
  v.setUint16(4, (0x10000 - sum) & 0xffff, true);
  return b;
}

/** Read a HIP back from its bytes. */
export function parseHip(b: Uint8Array): HipInfo {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const cpuOffset = v.getUint16(8, true);
  const cpuSize = v.getUint16(10, true);
  const memOffset = v.getUint16(12, true);
  const memSize = v.getUint16(14, true);
  const length = v.getUint16(6, true);
  const cpus = [];
  for (let o = cpuOffset; o + cpuSize <= memOffset; o += cpuSize) cpus.push({ flags: b[o]!, thread: b[o + 1]!, core: b[o + 2]!, package: b[o + 3]! });
  const memory = [];
  for (let o = memOffset; o + memSize <= length; o += memSize) memory.push({ addr: v.getBigUint64(o, true), size: v.getBigUint64(o + 8, true), type: v.getInt32(o + 16, true) });
  return {
    signature: v.getUint32(0, true),
    checksum: v.getUint16(4, true),
    length,
    cpuOffset,
    cpuSize,
    memOffset,
    memSize,
    features: v.getUint32(16, true),
    apiVersion: v.getUint32(20, true),
    sel: v.getUint32(24, true),
    exc: v.getUint32(28, true),
    vmi: v.getUint32(32, true),
    gsi: v.getUint32(36, true),
    pageSizes: v.getUint32(40, true),
    utcbSizes: v.getUint32(44, true),
    tscFreqKhz: v.getUint32(48, true),
    busFreqKhz: v.getUint32(52, true),
    cpus,
    memory,
  };
}

/** Do the HIP's 16-bit words sum to 0? */
export function hipChecksumOk(b: Uint8Array): boolean {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let sum = 0;
  for (let i = 0; i < v.getUint16(6, true); i += 2) sum = (sum + v.getUint16(i, true)) & 0xffff;
  return sum === 0;
}
