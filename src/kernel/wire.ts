/**
 * Jupyter wire format: the multipart frames of one message, their HMAC signature, and headers.
 * Spec: jupyter_client docs/messaging.rst, "The Wire Protocol" (protocol 5.5).
 *
 *   [routing ids…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const PROTOCOL_VERSION = "5.5";
const DELIMITER = "<IDS|MSG>";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Content = Record<string, unknown>;

/** One decoded message. `parent_header` is `{}` when there is no parent. */
export interface Message<C = Content> {
  idents: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** The signing key and scheme from the connection file. An empty key means "do not sign". */
export interface Signer {
  key: string;
  scheme: string;
}

/** `hmac-sha256` → `sha256`; the spec names schemes `hmac-<hash>`. */
function hashOf(scheme: string): string {
  if (!scheme.startsWith("hmac-")) throw new Error(`unsupported signature_scheme '${scheme}' (expected hmac-<hash>)`);
  return scheme.slice("hmac-".length);
}

export function sign(signer: Signer, parts: readonly (Buffer | string)[]): string {
  if (signer.key === "") return "";
  const hmac = createHmac(hashOf(signer.scheme), signer.key);
  for (const p of parts) hmac.update(p);
  return hmac.digest("hex");
}

/** Constant-time comparison, so a forger learns nothing from how long the check took. */
function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "latin1");
  const b = Buffer.from(given, "latin1");
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newHeader(msgType: string, session: string, username = "kernel"): Header {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

export function encode(signer: Signer, msg: Omit<Message, "buffers"> & { buffers?: Buffer[] }): Buffer[] {
  const parts = [
    Buffer.from(JSON.stringify(msg.header)),
    Buffer.from(JSON.stringify(msg.parent_header)),
    Buffer.from(JSON.stringify(msg.metadata)),
    Buffer.from(JSON.stringify(msg.content)),
  ];
  return [...msg.idents, Buffer.from(DELIMITER), Buffer.from(sign(signer, parts)), ...parts, ...(msg.buffers ?? [])];
}

export type Decoded = { ok: true; msg: Message } | { ok: false; reason: string };

/**
 * Splits and verifies a multipart message. Never throws: a frame set that is not a valid,
 * correctly signed message comes back as `{ok: false, reason}` so the caller can log and drop it.
 */
export function decode(signer: Signer, frames: readonly Buffer[]): Decoded {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("latin1") === DELIMITER);
  if (at < 0) return { ok: false, reason: "no <IDS|MSG> delimiter" };
  if (frames.length < at + 6) return { ok: false, reason: `expected 5 frames after the delimiter, got ${frames.length - at - 1}` };
  const [sig, h, p, m, c] = frames.slice(at + 1, at + 6) as [Buffer, Buffer, Buffer, Buffer, Buffer];
  if (signer.key !== "" && !signatureMatches(sign(signer, [h, p, m, c]), sig.toString("latin1"))) {
    return { ok: false, reason: "bad signature" };
  }
  let header: unknown, parent: unknown, metadata: unknown, content: unknown;
  try {
    header = JSON.parse(h.toString("utf8"));
    parent = JSON.parse(p.toString("utf8"));
    metadata = JSON.parse(m.toString("utf8"));
    content = JSON.parse(c.toString("utf8"));
  } catch (e) {
    return { ok: false, reason: `invalid JSON: ${(e as Error).message}` };
  }
  if (!isObject(header) || typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    return { ok: false, reason: "header lacks msg_type or msg_id" };
  }
  if (!isObject(parent) || !isObject(metadata) || !isObject(content)) {
    return { ok: false, reason: "parent_header, metadata and content must be JSON objects" };
  }
  return {
    ok: true,
    msg: {
      idents: frames.slice(0, at),
      header: header as Header,
      parent_header: parent as Header,
      metadata,
      content,
      buffers: frames.slice(at + 6),
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
