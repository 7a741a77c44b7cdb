/**
 * netif ring codecs: the tx ring (netif_tx_request / netif_tx_response, 12-byte slots, 256 per
 * page), the rx ring (netif_rx_request / netif_rx_response, 8-byte slots, 256 per page), the
 * netif_extra_info slot and the control ring (16-byte slots, 128 per page).
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/netif.h; layouts in ../abi/netif.ts.
 */
import {
  NETIF_EXTRA_INFO, NETIF_RX_REQUEST, NETIF_RX_RESPONSE, NETIF_TX_REQUEST, NETIF_TX_RESPONSE,
  XEN_NETIF_CTRL_REQUEST, XEN_NETIF_CTRL_RESPONSE,
} from "../abi/netif.js";
import { checkUint } from "./blkif.js";
import { type RingProtocol, type StructCodec, structView } from "./ring.js";

/** IN (front → back): one fragment of a packet to transmit, in a granted page. */
export interface NetifTxRequest { gref: number; offset: number; flags: number; id: number; size: number }
/** OUT: NETIF_RSP_* for the request with that id. */
export interface NetifTxResponse { id: number; status: number }
/** IN: a granted page the back end may fill with a received packet. */
export interface NetifRxRequest { id: number; gref: number }
/** OUT: status < 0 is NETIF_RSP_*, status > 0 the byte count written at `offset`. */
export interface NetifRxResponse { id: number; offset: number; flags: number; status: number }
/** An extra-info slot: `u` is the 6 union bytes (gso / mcast / hash), interpreted by `type`. */
export interface NetifExtraInfo { type: number; flags: number; u: Uint8Array }
export interface XenNetifCtrlRequest { id: number; type: number; data: [number, number, number] }
export interface XenNetifCtrlResponse { id: number; type: number; status: number; data: number }

function checkI16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) throw new Error(`${what} = ${v} does not fit i16`);
  return v;
}

export const netifTxRequest: StructCodec<NetifTxRequest> = {
  size: NETIF_TX_REQUEST.size,
  encode(r, into) {
    const v = structView(into, NETIF_TX_REQUEST.size, "struct netif_tx_request");
    v.setUint32(NETIF_TX_REQUEST.gref, checkUint(r.gref, 32, "netif_tx_request.gref"), true);
    v.setUint16(NETIF_TX_REQUEST.offset, checkUint(r.offset, 16, "netif_tx_request.offset"), true);
    v.setUint16(NETIF_TX_REQUEST.flags, checkUint(r.flags, 16, "netif_tx_request.flags"), true);
    v.setUint16(NETIF_TX_REQUEST.id, checkUint(r.id, 16, "netif_tx_request.id"), true);
    v.setUint16(NETIF_TX_REQUEST.size_, checkUint(r.size, 16, "netif_tx_request.size"), true);
  },
  decode(from) {
    const v = structView(from, NETIF_TX_REQUEST.size, "struct netif_tx_request");
    return {
      gref: v.getUint32(NETIF_TX_REQUEST.gref, true),
      offset: v.getUint16(NETIF_TX_REQUEST.offset, true),
      flags: v.getUint16(NETIF_TX_REQUEST.flags, true),
      id: v.getUint16(NETIF_TX_REQUEST.id, true),
      size: v.getUint16(NETIF_TX_REQUEST.size_, true),
    };
  },
};

export const netifTxResponse: StructCodec<NetifTxResponse> = {
  size: NETIF_TX_RESPONSE.size,
  encode(r, into) {
    const v = structView(into, NETIF_TX_RESPONSE.size, "struct netif_tx_response");
    v.setUint16(NETIF_TX_RESPONSE.id, checkUint(r.id, 16, "netif_tx_response.id"), true);
    v.setInt16(NETIF_TX_RESPONSE.status, checkI16(r.status, "netif_tx_response.status"), true);
  },
  decode(from) {
    const v = structView(from, NETIF_TX_RESPONSE.size, "struct netif_tx_response");
    return { id: v.getUint16(NETIF_TX_RESPONSE.id, true), status: v.getInt16(NETIF_TX_RESPONSE.status, true) };
  },
};

export const netifRxRequest: StructCodec<NetifRxRequest> = {
  size: NETIF_RX_REQUEST.size,
  encode(r, into) {
    const v = structView(into, NETIF_RX_REQUEST.size, "struct netif_rx_request");
    v.setUint16(NETIF_RX_REQUEST.id, checkUint(r.id, 16, "netif_rx_request.id"), true);
    v.setUint16(2, 0, true); // pad
    v.setUint32(NETIF_RX_REQUEST.gref, checkUint(r.gref, 32, "netif_rx_request.gref"), true);
  },
  decode(from) {
    const v = structView(from, NETIF_RX_REQUEST.size, "struct netif_rx_request");
    return { id: v.getUint16(NETIF_RX_REQUEST.id, true), gref: v.getUint32(NETIF_RX_REQUEST.gref, true) };
  },
};

export const netifRxResponse: StructCodec<NetifRxResponse> = {
  size: NETIF_RX_RESPONSE.size,
  encode(r, into) {
    const v = structView(into, NETIF_RX_RESPONSE.size, "struct netif_rx_response");
    v.setUint16(NETIF_RX_RESPONSE.id, checkUint(r.id, 16, "netif_rx_response.id"), true);
    v.setUint16(NETIF_RX_RESPONSE.offset, checkUint(r.offset, 16, "netif_rx_response.offset"), true);
    v.setUint16(NETIF_RX_RESPONSE.flags, checkUint(r.flags, 16, "netif_rx_response.flags"), true);
    v.setInt16(NETIF_RX_RESPONSE.status, checkI16(r.status, "netif_rx_response.status"), true);
  },
  decode(from) {
    const v = structView(from, NETIF_RX_RESPONSE.size, "struct netif_rx_response");
    return {
      id: v.getUint16(NETIF_RX_RESPONSE.id, true),
      offset: v.getUint16(NETIF_RX_RESPONSE.offset, true),
      flags: v.getUint16(NETIF_RX_RESPONSE.flags, true),
      status: v.getInt16(NETIF_RX_RESPONSE.status, true),
    };
  },
};

/** Written into a tx request slot (after NETTXF_extra_info) or an rx response slot (after NETRXF_extra_info). */
export const netifExtraInfo: StructCodec<NetifExtraInfo> = {
  size: NETIF_EXTRA_INFO.size,
  encode(r, into) {
    const v = structView(into, NETIF_EXTRA_INFO.size, "struct netif_extra_info");
    if (r.u.byteLength !== 6) throw new Error(`netif_extra_info.u: 6 bytes expected, got ${r.u.byteLength}`);
    v.setUint8(NETIF_EXTRA_INFO.type, checkUint(r.type, 8, "netif_extra_info.type"));
    v.setUint8(NETIF_EXTRA_INFO.flags, checkUint(r.flags, 8, "netif_extra_info.flags"));
    into.set(r.u, NETIF_EXTRA_INFO.u);
  },
  decode(from) {
    structView(from, NETIF_EXTRA_INFO.size, "struct netif_extra_info");
    return { type: from[NETIF_EXTRA_INFO.type]!, flags: from[NETIF_EXTRA_INFO.flags]!, u: from.slice(2, 8) };
  },
};

export const xenNetifCtrlRequest: StructCodec<XenNetifCtrlRequest> = {
  size: XEN_NETIF_CTRL_REQUEST.size,
  encode(r, into) {
    const v = structView(into, XEN_NETIF_CTRL_REQUEST.size, "struct xen_netif_ctrl_request");
    v.setUint16(XEN_NETIF_CTRL_REQUEST.id, checkUint(r.id, 16, "ctrl_request.id"), true);
    v.setUint16(XEN_NETIF_CTRL_REQUEST.type, checkUint(r.type, 16, "ctrl_request.type"), true);
    r.data.forEach((d, i) => v.setUint32(XEN_NETIF_CTRL_REQUEST.data + 4 * i, checkUint(d, 32, `ctrl_request.data[${i}]`), true));
  },
  decode(from) {
    const v = structView(from, XEN_NETIF_CTRL_REQUEST.size, "struct xen_netif_ctrl_request");
    const d = (i: number): number => v.getUint32(XEN_NETIF_CTRL_REQUEST.data + 4 * i, true);
    return { id: v.getUint16(0, true), type: v.getUint16(2, true), data: [d(0), d(1), d(2)] };
  },
};

export const xenNetifCtrlResponse: StructCodec<XenNetifCtrlResponse> = {
  size: XEN_NETIF_CTRL_RESPONSE.size,
  encode(r, into) {
    const v = structView(into, XEN_NETIF_CTRL_RESPONSE.size, "struct xen_netif_ctrl_response");
    v.setUint16(XEN_NETIF_CTRL_RESPONSE.id, checkUint(r.id, 16, "ctrl_response.id"), true);
    v.setUint16(XEN_NETIF_CTRL_RESPONSE.type, checkUint(r.type, 16, "ctrl_response.type"), true);
    v.setUint32(XEN_NETIF_CTRL_RESPONSE.status, checkUint(r.status, 32, "ctrl_response.status"), true);
    v.setUint32(XEN_NETIF_CTRL_RESPONSE.data, checkUint(r.data, 32, "ctrl_response.data"), true);
  },
  decode(from) {
    const v = structView(from, XEN_NETIF_CTRL_RESPONSE.size, "struct xen_netif_ctrl_response");
    return {
      id: v.getUint16(XEN_NETIF_CTRL_RESPONSE.id, true),
      type: v.getUint16(XEN_NETIF_CTRL_RESPONSE.type, true),
      status: v.getUint32(XEN_NETIF_CTRL_RESPONSE.status, true),
      data: v.getUint32(XEN_NETIF_CTRL_RESPONSE.data, true),
    };
  },
};

/** DEFINE_RING_TYPES(netif_tx, …): 12-byte slots, 256 per page. */
export const netifTxProtocol: RingProtocol<NetifTxRequest, NetifTxResponse> = { name: "netif_tx", request: netifTxRequest, response: netifTxResponse };
/**
 * DEFINE_RING_TYPES(netif_rx, …): 8-byte slots, 256 per page. A response must land in the slot of
 * the request it answers: netfront ignores the rx id (netif.h), so produce in request order.
 */
export const netifRxProtocol: RingProtocol<NetifRxRequest, NetifRxResponse> = { name: "netif_rx", request: netifRxRequest, response: netifRxResponse };
/** DEFINE_RING_TYPES(xen_netif_ctrl, …): 16-byte slots, 128 per page. */
export const xenNetifCtrlProtocol: RingProtocol<XenNetifCtrlRequest, XenNetifCtrlResponse> = {
  name: "xen_netif_ctrl", request: xenNetifCtrlRequest, response: xenNetifCtrlResponse,
};
