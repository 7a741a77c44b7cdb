/**
 * xs_wire message codec: `struct xsd_sockmsg` header (16 bytes, little-endian u32 type, req_id,
 * tx_id, len) followed by `len` payload bytes. Source: xen/include/public/io/xs_wire.h; payload
 * conventions from docs/misc/xenstore.txt (reference §4.1).
 */
import { XSD_SOCKMSG_SIZE, XsType, xsTypeName } from "../abi/xs-wire.js";
import { latin1, latin1Bytes } from "./cstring.js";

/** One message with its payload kept as a latin1 string (one char per byte). */
export interface XsMessage {
  type: number;
  reqId: number;
  txId: number;
  payload: string;
}

/** A request or reply with the payload split into its strings, as the public API shows it. */
export interface XsParsedMessage {
  type: number;
  /** "WRITE", "ERROR", ... (core.c `sockmsg_string`). */
  name: string;
  reqId: number;
  txId: number;
  payload: string[];
}

export function encodeMessage(m: XsMessage): Uint8Array {
  const out = new Uint8Array(XSD_SOCKMSG_SIZE + m.payload.length);
  putU32(out, 0, m.type);
  putU32(out, 4, m.reqId);
  putU32(out, 8, m.txId);
  putU32(out, 12, m.payload.length);
  for (let i = 0; i < m.payload.length; i++) out[XSD_SOCKMSG_SIZE + i] = m.payload.charCodeAt(i);
  return out;
}

export interface XsHeader {
  type: number;
  reqId: number;
  txId: number;
  len: number;
}

export function decodeHeader(bytes: Uint8Array, offset = 0): XsHeader {
  return { type: getU32(bytes, offset), reqId: getU32(bytes, offset + 4), txId: getU32(bytes, offset + 8), len: getU32(bytes, offset + 12) };
}

/** Little-endian u32 (x86 byte order of xsd_sockmsg). */
export function getU32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** Decode exactly one message; throws if `bytes` is not a 16-byte header plus `len` bytes. */
export function decodeMessage(bytes: Uint8Array): XsMessage {
  if (!(bytes instanceof Uint8Array)) throw new Error("xs_wire message must be a Uint8Array");
  if (bytes.length < XSD_SOCKMSG_SIZE) {
    throw new Error(`xs_wire message is ${bytes.length} bytes, shorter than the 16-byte xsd_sockmsg header`);
  }
  const h = decodeHeader(bytes);
  if (bytes.length !== XSD_SOCKMSG_SIZE + h.len) {
    throw new Error(`xs_wire header says len=${h.len} but ${bytes.length - XSD_SOCKMSG_SIZE} payload bytes follow`);
  }
  return { type: h.type, reqId: h.reqId, txId: h.txId, payload: latin1(bytes, XSD_SOCKMSG_SIZE) };
}

/**
 * Types whose last payload element is raw bytes with no terminating NUL: the value of a WRITE
 * request and the value in a READ reply (xenstore.txt: `WRITE <path>|<value|>`, `READ ... <value|>`).
 * (Plain comparisons rather than a Set: these run on every request and reply.)
 */
function rawTail(type: number, direction: "request" | "reply"): boolean {
  return direction === "request" ? type === XsType.XS_WRITE : type === XsType.XS_READ;
}

/** Join strings into a payload: each NUL-terminated, except a raw tail. */
export function joinPayload(type: number, strings: readonly string[], direction: "request" | "reply"): string {
  const raw = rawTail(type, direction);
  let out = "";
  const n = strings.length;
  for (let i = 0; i < n; i++) out += raw && i === n - 1 ? strings[i] : strings[i] + "\0";
  return out;
}

/** Split a payload the way `joinPayload` built it. Bytes after the last NUL become a last element. */
export function splitPayload(type: number, payload: string, direction: "request" | "reply"): string[] {
  const raw = rawTail(type, direction);
  if (raw && direction === "reply") return [payload];
  if (payload === "OK\0") return ["OK"]; // most replies: skip split's intermediate array
  const parts = payload.split("\0");
  const tail = parts.pop()!;
  if (raw) parts.push(tail);
  else if (tail !== "") parts.push(tail);
  return parts;
}

export function parsedMessage(m: XsMessage, direction: "request" | "reply"): XsParsedMessage {
  return { type: m.type, name: xsTypeName(m.type), reqId: m.reqId, txId: m.txId, payload: splitPayload(m.type, m.payload, direction) };
}

/** Only chars 0x00–0xff (one regular-expression scan is faster than charCodeAt in a loop). */
const LATIN1 = /^[\0-\xff]*$/;

/**
 * Validate an API request's fields and build its payload; API misuse throws, naming the field.
 * Each string is checked before it is joined: testing the joined payload made V8 flatten the
 * concatenation first, a copy per request.
 */
export function requestPayload(type: number, payload: unknown): string {
  if (!Array.isArray(payload)) throw new Error("xenstore request payload must be an array of strings");
  let latin1Only = true;
  for (let i = 0; i < payload.length; i++) {
    const p: unknown = payload[i];
    if (typeof p !== "string") throw new Error(`xenstore request payload[${i}] is ${typeof p}, not a string`);
    if (latin1Only && !LATIN1.test(p)) latin1Only = false;
  }
  const s = joinPayload(type, payload as string[], "request");
  if (!latin1Only) latin1Bytes(s, "xenstore request payload"); // throws, naming the character's index in the payload
  return s;
}
