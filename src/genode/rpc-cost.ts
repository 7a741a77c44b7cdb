/**
 * Cost of one Genode RPC round trip, by layer: a probe client PD calls a probe server object
 * (created once, outside init's accounting, like core's own test entrypoints) through the kernel
 * interface. On NOVA the path is: marshal into the UTCB, call, portal entry into the server's
 * local EC, dispatch, reply with the marshalled result (reference/nova.md §6); the kernel's part
 * and Genode's part are charged separately, so `layers` shows how they add up.
 */
import type { Capability, CostBreakdown, Kernel, Msgbuf } from "./kernel.js";

interface Probe {
  kernel: Kernel;
  client: Capability;
  extra: Capability[];
  /** Request messages by shape, built once so that measuring allocates nothing of ours. */
  messages: Map<number, Msgbuf>;
}

/** By kernel interface object: a restored Genode gets a new one, and with it a new probe. */
const EMPTY_REPLY: Msgbuf = { words: [0], caps: [] };

const probes = new WeakMap<Kernel, Probe>();

export function rpcProbe(owner: { kernel: Kernel }): Probe {
  const k = owner.kernel;
  let p = probes.get(k);
  if (p !== undefined) return p;
  const server = k.createPd("rpc-probe-server");
  const client = k.createPd("rpc-probe-client");
  if (!server.ok || !client.ok) throw new Error("rpc probe: cannot create its PDs");
  const ep = k.createEntrypoint(server.value, "ep");
  if (!ep.ok) throw new Error("rpc probe: cannot create its entrypoint");
  // the server echoes its arguments after exception code SUCCESS; one reply buffer serves every
  // call, since the kernel interface copies a reply into the message area before returning
  const reply: Msgbuf = { words: [], caps: [] };
  const obj = k.manage(ep.value, (_badge, req) => {
    const n = req.words.length;
    reply.words.length = n;
    reply.words[0] = 0;
    for (let i = 1; i < n; i++) reply.words[i] = req.words[i]!;
    return reply;
  });
  if (!obj.ok) throw new Error("rpc probe: cannot manage its object");
  const handed = k.delegate(obj.value, client.value);
  if (!handed.ok) throw new Error("rpc probe: cannot delegate");
  const extra: Capability[] = [];
  for (let i = 0; i < 4; i++) {
    const o = k.manage(ep.value, () => EMPTY_REPLY);
    const d = o.ok ? k.delegate(o.value, client.value) : undefined;
    if (d?.ok) extra.push(d.value);
  }
  p = { kernel: k, client: handed.value, extra, messages: new Map() };
  probes.set(k, p);
  return p;
}

export function rpcCostProbe(owner: { kernel: Kernel }, words: number, caps: number): CostBreakdown {
  const p = rpcProbe(owner);
  let msg = p.messages.get(words * 8 + caps);
  if (msg === undefined) {
    msg = { words: [0, ...new Array<number>(words).fill(7)], caps: p.extra.slice(0, Math.min(4, caps)) };
    p.messages.set(words * 8 + caps, msg);
  }
  const r = p.kernel.call(p.client, msg);
  if (!r.ok) throw new Error(`rpc probe call failed: ${r.error}`);
  return p.kernel.lastCallCost();
}
