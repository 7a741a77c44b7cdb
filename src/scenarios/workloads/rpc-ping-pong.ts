/** RPC ping-pong between two isolated components: a two-word request, echoed back. */
import type { Rng } from "../../machine/index.js";
import type { WorkloadTarget } from "../types.js";
import type { Workload } from "./workload.js";

export const rpcPingPong: Workload = {
  name: "rpc-ping-pong",
  step(t: WorkloadTarget, rng: Rng): void {
    const words = [rng.below(1 << 30), rng.below(1 << 30)];
    const reply = t.rpc(words);
    if (reply.length !== 2 || reply[0] !== words[0] || reply[1] !== words[1]) {
      throw new Error(`rpc-ping-pong: echo mismatch (${words.join(",")} → ${reply.join(",")})`);
    }
  },
};
