/**
 * What a scenario offers the workloads: one operation per workload, issued as the participating
 * application, plus the TCB of each participant computed from the live system. The workloads
 * (./workloads) call only this, so they run unchanged on every scenario.
 */
import type { Machine, TraceRecord } from "../machine/index.js";
import type { TcbCategory } from "../metrics/index.js";

export type WorkloadName = "rpc-ping-pong" | "block-4k-random" | "packet-router";
export type ScenarioName = "nova-genode" | "xen-linux-dom0" | "genode-on-xen" | "genode-dom0" | "genode-domu";

/** Bytes per block operation (4 KiB) and the sector size the devices use. */
export const BLOCK_BYTES = 4096;
export const SECTOR = 512;

export interface WorkloadTarget {
  readonly machine: Machine;
  /** One RPC round trip from the client component to the server component; returns the reply words. */
  rpc(words: number[]): number[];
  /** Sectors of the block device behind the driver component. */
  readonly blockSectors: number;
  /**
   * One 4 KiB block operation through the driver component at `sector`. Returns the bytes read
   * where the path carries bytes, undefined where the Genode Block session model carries a
   * checksum only (src/genode/components/block-ops.ts).
   */
  block(op: "read" | "write", sector: number, data: Uint8Array | undefined): Uint8Array | undefined;
  /**
   * One packet from component A through the router or bridge to component B, and B's echo back to
   * A. Returns the echoed payload where the path carries bytes, true/false (echo arrived) where
   * the Genode Nic model carries a frame of header words only (src/genode/components/net.ts).
   */
  packet(seq: number, payload: Uint8Array): Uint8Array | boolean;
  /** The participating applications of a workload, by label. */
  participants(w: WorkloadName): string[];
  /** The TCB of a participant from the live system. */
  tcbOf(participant: string): TcbReport;
}

export interface TcbReport {
  readonly participant: string;
  /** Members as the live system shows them (labels), kernel first. */
  readonly members: readonly string[];
  /** TCB catalogue ids (src/metrics TCB_CATALOGUE). */
  readonly ids: readonly string[];
  /** LOC of members without a catalogue entry. */
  readonly extraLoc: number;
  readonly byCategory: Readonly<Record<TcbCategory, number>>;
  readonly total: number;
  readonly approximate: boolean;
}

export interface RunOptions {
  iterations: number;
  seed: number;
}

export interface RunResult {
  readonly scenario: ScenarioName;
  readonly workload: WorkloadName;
  /** Cycles per operation: the sum of the trace records each operation's path produced. */
  readonly latencies: readonly number[];
  readonly tcb: readonly TcbReport[];
  /** The measured operations' trace records, each tagged with its operation index. */
  readonly trace: ReadonlyArray<TraceRecord & { readonly iteration: number }>;
}
