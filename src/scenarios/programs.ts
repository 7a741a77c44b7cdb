/**
 * The workloads' own Genode components: the two ends of the RPC ping-pong, the block client and
 * the network client. Each opens its sessions through init like any component, then hands its
 * Connection to the scenario, which issues the workload's calls as that component. Their code is
 * the measured application itself, so it is never part of anyone's TCB; the servers and drivers
 * they talk to (ram_block, nic_router, nic_drv) are Genode's own components from src/genode.
 */
import type { Component, Connection, Env, SessionRequest } from "../genode/component.js";
import type { Capability } from "../genode/kernel.js";
import type { Program } from "../genode/programs.js";
import { FrameKind, NicOp, fromWords, type Frame } from "../genode/components/net.js";
import { err, ok } from "../machine/index.js";

/** What the workload components hand to their scenario, by component name. */
export class WorkloadPorts {
  readonly connections = new Map<string, Connection>();
  /** Frames a network client received, in order. */
  readonly inbox = new Map<string, Frame[]>();
  readonly ips = new Map<string, number>();
}

const OWN = "workload component of src/scenarios (the measured application, not part of its own TCB)";

/** Pong session: opcode 0 echoes its argument words (the null RPC with a payload). */
class RpcPong implements Component {
  start(env: Env): void {
    env.announce("Pong");
  }
  session(req: SessionRequest) {
    if (req.service !== "Pong") return err("DENIED" as const);
    return ok([(args: readonly number[]) => [...args]]);
  }
}

/** A client holding one session of `service` and handing it to the scenario. */
class SessionClient implements Component {
  constructor(private readonly ports: WorkloadPorts, private readonly service: string) {}
  start(env: Env): void {
    const c = env.connect(this.service);
    if (!c.ok) { env.error(`could not open ${this.service} session (${c.error})`); return; }
    this.ports.connections.set(env.name, c.value);
  }
}

/** A Nic client (as ping is): DHCP, a signal handler that drains received frames into the inbox. */
class NicClient implements Component {
  constructor(private readonly ports: WorkloadPorts) {}
  start(env: Env): void {
    const nic = env.connect("Nic");
    if (!nic.ok) { env.error(`could not open Nic session (${nic.error})`); return; }
    const c = nic.value;
    this.ports.connections.set(env.name, c);
    this.ports.ips.set(env.name, c.call(NicOp.dhcp).words[0] ?? 0);
    const inbox: Frame[] = [];
    this.ports.inbox.set(env.name, inbox);
    const sig: Capability | undefined = env.signal(() => {
      for (let w = c.call(NicOp.receive).words; w.length > 0; w = c.call(NicOp.receive).words) {
        const f = fromWords(w);
        if (f !== undefined && f.kind === FrameKind.ECHO_REPLY) inbox.push(f);
      }
    });
    if (sig) c.call(NicOp.sigh, [], [sig]);
  }
}

export function workloadPrograms(ports: WorkloadPorts): Program[] {
  return [
    { binary: "rpc_pong", factory: () => new RpcPong(), tcbIds: [], loc: { lines: 0, source: OWN } },
    { binary: "rpc_ping", factory: () => new SessionClient(ports, "Pong"), tcbIds: [], loc: { lines: 0, source: OWN } },
    { binary: "blk_client", factory: () => new SessionClient(ports, "Block"), tcbIds: [], loc: { lines: 0, source: OWN } },
    { binary: "nic_client", factory: () => new NicClient(ports), tcbIds: [], loc: { lines: 0, source: OWN } },
  ];
}
