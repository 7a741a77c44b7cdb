/**
 * The workloads on a Genode system (any kernel): init starts the workload components next to
 * Genode's own servers and drivers — rpc_ping → rpc_pong; blk_client → ram_block (the block
 * driver component); nic_client → nic_router → nic_drv (the peer that answers echo requests, as
 * in ping.run). Operations are issued as the client components through their sessions.
 */
import type { Machine } from "../machine/index.js";
import type { Genode } from "../genode/index.js";
import { BlockOp } from "../genode/components/block-ops.js";
import { FrameKind, IPV4_TIME_TO_LIVE, NicOp, ip, toWords } from "../genode/components/net.js";
import { QEMU_GATEWAY } from "../genode/components/nic-drv.js";
import type { WorkloadPorts } from "./programs.js";
import { BLOCK_BYTES, SECTOR, type TcbReport, type WorkloadName, type WorkloadTarget } from "./types.js";
import { genodeTcbReport } from "./scenario.js";

/** Size of the RAM block device (ram_block's config). */
export const DISK_BYTES = 2 * 1024 * 1024;
/** Simulated time a packet may take before the workload gives up on its echo. */
const PACKET_DEADLINE_CYCLES = 1e9;

/**
 * init's configuration for the workloads. A scenario may put its own block server and NIC driver
 * in place of ram_block and nic_drv, starting them in `extraStarts`.
 */
export function workloadInitConfig(blockServer = "ram_block", extraStarts = "", nicDriver = "nic_drv"): string {
  const route = (service: string, server: string) => `<route><service name="${service}"><child name="${server}"/></service><any-service><parent/></any-service></route>`;
  return `<config>
  <parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/><service name="RM"/></parent-provides>
  <default-route><any-service><parent/><any-child/></any-service></default-route>
  <default caps="200"/>
  <start name="rpc_pong"><resource name="RAM" quantum="1M"/><provides><service name="Pong"/></provides></start>
  <start name="rpc_ping"><resource name="RAM" quantum="1M"/>${route("Pong", "rpc_pong")}</start>
  ${blockServer === "ram_block" ? `<start name="ram_block"><resource name="RAM" quantum="4M"/><provides><service name="Block"/></provides><config size="${DISK_BYTES}" block_size="${SECTOR}"/></start>` : ""}
  ${extraStarts}
  <start name="blk_client"><resource name="RAM" quantum="1M"/>${route("Block", blockServer)}</start>
  <start name="nic_router" caps="200"><resource name="RAM" quantum="10M"/><provides><service name="Nic"/><service name="Uplink"/></provides>
    <config>
      <policy label_prefix="${nicDriver}" domain="uplink"/>
      <policy label_prefix="nic_client" domain="downlink"/>
      <domain name="uplink"><nat domain="downlink" icmp-ids="100"/></domain>
      <domain name="downlink" interface="10.0.3.1/24"><dhcp-server ip_first="10.0.3.100" ip_last="10.0.3.200"/><icmp dst="10.0.2.2/24" domain="uplink"/></domain>
    </config>
  </start>
  ${nicDriver === "nic_drv" ? `<start name="nic_drv"><resource name="RAM" quantum="1M"/>${route("Uplink", "nic_router")}</start>` : ""}
  <start name="nic_client"><resource name="RAM" quantum="1M"/>${route("Nic", "nic_router")}</start>
</config>`;
}

export class GenodeTarget implements WorkloadTarget {
  readonly blockSectors = DISK_BYTES / SECTOR;

  constructor(
    readonly machine: Machine,
    readonly genode: Genode,
    private readonly ports: WorkloadPorts,
    /** Below Genode's own TCB: e.g. the Xen world an HVM DomU runs on. */
    private readonly below: (participant: string) => { members: readonly string[]; ids: readonly string[] } = () => ({ members: [], ids: [] }),
    /** A block operation's bytes, where a driver below carries them (genode-domu's Xen block bridge). */
    private readonly blockBytes?: { put(data: Uint8Array): void; take(): Uint8Array | undefined },
  ) {}

  private conn(name: string) {
    const c = this.ports.connections.get(name);
    if (c === undefined) throw new Error(`${name} has no session: ${this.genode.log.filter((l) => l.includes("Error")).join("; ")}`);
    return c;
  }

  rpc(words: number[]): number[] {
    const r = this.conn("rpc_ping").call(0, words);
    if (r.code !== 0) throw new Error(`rpc_pong answered exception ${r.code}`);
    return r.words;
  }

  /**
   * Block session request for 8 sectors. The client copies the 4 KiB between its buffer and the
   * packet-stream dataspace shared with the driver (Block::Connection tx buffer), charged as a copy.
   */
  block(op: "read" | "write", sector: number, data: Uint8Array | undefined): Uint8Array | undefined {
    const c = this.conn("blk_client");
    const n = BLOCK_BYTES / SECTOR;
    const copy = (): void => { this.machine.charge(0, "memcpy_per_byte", "genode", "packet-stream copy", "init -> blk_client", undefined, BLOCK_BYTES); };
    if (op === "write") {
      copy();
      this.blockBytes?.put(data!);
      let sum = 0;
      for (const b of data!) sum = (sum * 31 + b) % 2 ** 31;
      const r = c.call(BlockOp.write, [sector, n, sum]);
      if (r.code !== 0) throw new Error(`Block write failed (${r.code})`);
      return undefined;
    }
    const r = c.call(BlockOp.read, [sector, n]);
    if (r.code !== 0) throw new Error(`Block read failed (${r.code})`);
    copy();
    return this.blockBytes?.take();
  }

  /** An ICMP echo request from nic_client to the gateway behind nic_router's uplink; nic_drv answers. */
  packet(seq: number): boolean {
    const c = this.conn("nic_client");
    const inbox = this.ports.inbox.get("nic_client")!;
    inbox.length = 0;
    c.call(NicOp.transmit, toWords({ kind: FrameKind.ECHO_REQUEST, src: this.ports.ips.get("nic_client") ?? ip("10.0.3.100"), dst: QEMU_GATEWAY, id: 7, seq, ttl: IPV4_TIME_TO_LIVE }));
    const m = this.machine;
    const deadline = m.now() + PACKET_DEADLINE_CYCLES;
    m.run({ until: () => inbox.some((f) => f.seq === seq) || m.now() >= deadline });
    return inbox.some((f) => f.seq === seq);
  }

  participants(w: WorkloadName): string[] {
    if (w === "rpc-ping-pong") return ["init -> rpc_ping", "init -> rpc_pong"];
    if (w === "block-4k-random") return ["init -> blk_client"];
    return ["init -> nic_client", "init -> nic_drv"];
  }

  tcbOf(participant: string): TcbReport {
    return genodeTcbReport(participant, this.genode.tcbOf(participant), this.below(participant));
  }
}
