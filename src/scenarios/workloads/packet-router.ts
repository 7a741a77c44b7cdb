/** Packets between two isolated components through a router or bridge: A sends, B echoes, A receives. */
import type { Rng } from "../../machine/index.js";
import type { WorkloadTarget } from "../types.js";
import type { Workload } from "./workload.js";

/** An ICMP echo of ping's size: 56 data bytes + 8-byte header (app/ping ICMP_DATA_SIZE). */
const PACKET_BYTES = 64;

export const packetRouter: Workload = {
  name: "packet-router",
  step(t: WorkloadTarget, rng: Rng, state: Map<number, Uint8Array>): void {
    const payload = new Uint8Array(PACKET_BYTES);
    for (let i = 0; i < payload.length; i++) payload[i] = rng.below(256);
    const seq = state.size + 1;
    state.set(seq, payload);
    const got = t.packet(seq, payload);
    if (got === false) throw new Error(`packet-router: echo ${seq} did not come back`);
    if (got instanceof Uint8Array && (got.length !== payload.length || got.some((b, i) => b !== payload[i]))) throw new Error(`packet-router: echo ${seq} came back changed`);
  },
};
