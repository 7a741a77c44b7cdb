/** The three workloads, by name: they run unchanged on every scenario. */
import type { WorkloadName } from "../types.js";
import { blockRandom4k } from "./block-random.js";
import { packetRouter } from "./packet-router.js";
import { rpcPingPong } from "./rpc-ping-pong.js";
import type { Workload } from "./workload.js";

export type { Workload } from "./workload.js";
export { rpcPingPong, blockRandom4k, packetRouter };
export const WORKLOADS: Readonly<Record<WorkloadName, Workload>> = {
  "rpc-ping-pong": rpcPingPong,
  "block-4k-random": blockRandom4k,
  "packet-router": packetRouter,
};
