/**
 * nic_router: routes frames between domains (repos/os/src/server/nic_router, genodelabs/genode
 * ffb059da). Modelled of ping.run's configuration: sessions join the domain of their best
 * `<policy label_prefix domain>`; a domain with `interface` and `<dhcp-server>` hands out
 * addresses from ip_first; `<icmp dst domain>` forwards echo requests to that domain, whose
 * `<nat domain icmp-ids>` rewrites the source to the domain's own address and the ICMP id to a
 * NAT id, reversed for the reply.
 */
import { err, ok } from "../../machine/index.js";
import type { Component, Env, SessionRequest } from "../component.js";
import type { Capability } from "../kernel.js";
import { attribute, subNode, subNodes, type XmlNode } from "../xml.js";
import { FrameKind, fromWords, ip, sameSubnet, toWords, type Frame } from "./net.js";
import { selectPolicy } from "./session-policy.js";

/** The uplink domain's address as QEMU's user-mode network assigns it by DHCP (10.0.2.15). */
const UPLINK_DHCP_ADDRESS = ip("10.0.2.15");

interface Port { domain: string; queue: Frame[]; sigh: Capability | undefined; ip: number }

export class NicRouter implements Component {
  private env: Env | undefined;
  private readonly ports: Port[] = [];
  private readonly nat = new Map<number, { port: Port; id: number; src: number }>();
  private nextNatId = 1;
  private nextLease = 0;

  start(env: Env): void {
    this.env = env;
    env.announce("Nic");
    env.announce("Uplink");
  }

  private domain(name: string): XmlNode | undefined {
    return subNodes(this.env!.config() ?? { type: "", attributes: [], children: [], text: "" }, "domain").find((d) => attribute(d, "name") === name);
  }

  session(req: SessionRequest) {
    const policy = selectPolicy(this.env!.config(), req.label);
    const domain = policy && attribute(policy, "domain");
    if ((req.service !== "Nic" && req.service !== "Uplink") || domain === undefined || this.domain(domain) === undefined) return err("DENIED" as const);
    const port: Port = { domain, queue: [], sigh: undefined, ip: 0 };
    this.ports.push(port);
    return ok([
      (a: readonly number[]) => { const f = fromWords(a); if (f) this.route(port, f); return []; },
      () => { const f = port.queue.shift(); return f ? toWords(f) : []; },
      (_a: readonly number[], caps: readonly Capability[]) => { port.sigh = caps[0]; return []; },
      () => {
        const d = this.domain(domain)!;
        const server = subNode(d, "dhcp-server");
        const iface = attribute(d, "interface");
        if (server === undefined || iface === undefined) return [0, 0];
        port.ip = (ip(attribute(server, "ip_first") ?? "0.0.0.0") + this.nextLease++) >>> 0;
        return [port.ip, ip(iface)];
      },
    ]);
  }

  private deliver(port: Port, f: Frame): void {
    port.queue.push(f);
    if (port.sigh) this.env!.submit(port.sigh);
  }

  private route(from: Port, f: Frame): void {
    if (f.kind === FrameKind.ECHO_REPLY) {
      const back = this.nat.get(f.id);
      if (back === undefined || f.dst !== UPLINK_DHCP_ADDRESS) return;
      this.nat.delete(f.id);
      this.deliver(back.port, { ...f, dst: back.src, id: back.id });
      return;
    }
    const rule = subNodes(this.domain(from.domain)!, "icmp").find((r) => sameSubnet(f.dst, attribute(r, "dst") ?? "0.0.0.0/32"));
    const to = rule && attribute(rule, "domain");
    const natOk = to !== undefined && subNodes(this.domain(to) ?? { type: "", attributes: [], children: [], text: "" }, "nat").some((n) => attribute(n, "domain") === from.domain);
    const out = this.ports.find((p) => p.domain === to);
    if (!natOk || out === undefined) return;
    const natId = this.nextNatId++;
    this.nat.set(natId, { port: from, id: f.id, src: f.src });
    this.deliver(out, { ...f, src: UPLINK_DHCP_ADDRESS, id: natId });
  }
}
