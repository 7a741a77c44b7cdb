/**
 * XenStore: the C xenstored model (Xen 4.22) and the ring-page client. The Xen layer builds a
 * `Xenstored` over its own `XenstoreHost` and exposes `request`, `requestRaw` and `events`.
 */
export { Xenstored, type XenstoredOptions } from "./xenstored.js";
export type { XenstoreHost, XenstoreDomainInfo, XenstoreCost } from "./host.js";
export { XenstoreRingClient, consume, produce, getField, setField } from "./ring.js";
export { encodeMessage, decodeMessage, decodeHeader, parsedMessage, type XsMessage, type XsParsedMessage } from "./wire.js";
export { checkDomains } from "./lifecycle.js";
export type { DomId } from "./path.js";
