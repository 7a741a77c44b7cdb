/**
 * Split-driver I/O over shared pages: io/ring.h rings, the blkif and netif request/response codecs
 * and the console ring. What the PV drivers (blkfront/blkback, netfront/netback, the console
 * backend) use to move bytes between domains' memory.
 */
export {
  BackRing, FrontRing, SharedRing, needsNotify, ringSizeFor, roundDownPow2, slotSizeOf, structView,
  SRING_req_prod, SRING_req_event, SRING_rsp_prod, SRING_rsp_event, SRING_pvt, SRING_ring,
} from "./ring.js";
export type { RingCheck, RingProtocol, StructCodec } from "./ring.js";
export {
  blkifProtocol, blkifRequest, blkifRequestDiscard, blkifRequestIndirect, blkifResponse,
} from "./blkif.js";
export type { BlkifRequest, BlkifRequestDiscard, BlkifRequestIndirect, BlkifResponse, BlkifSegment } from "./blkif.js";
export {
  netifExtraInfo, netifRxProtocol, netifRxRequest, netifRxResponse, netifTxProtocol, netifTxRequest, netifTxResponse,
  xenNetifCtrlProtocol, xenNetifCtrlRequest, xenNetifCtrlResponse,
} from "./netif.js";
export type {
  NetifExtraInfo, NetifRxRequest, NetifRxResponse, NetifTxRequest, NetifTxResponse, XenNetifCtrlRequest, XenNetifCtrlResponse,
} from "./netif.js";
export { ConsoleInterface } from "./console.js";
export type { ConsoleRead } from "./console.js";
