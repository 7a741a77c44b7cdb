/**
 * ICMP echo frames as bytes on the wire between Genode's network model (frames of header words,
 * src/genode/components/net.ts) and Xen's vifs: Ethernet II (ethertype 0x0800), IPv4 header without
 * options (RFC 791), ICMP echo request/reply (RFC 792), Internet checksums (RFC 1071), and ping's
 * 56 data bytes (ICMP_DATA_SIZE). The data bytes are a pattern of the sequence number, so the far
 * end's echo can be checked byte for byte.
 */
import { FrameKind, ICMP_DATA_SIZE, type Frame } from "../../genode/components/net.js";

const ETH = 14;
const IP = 20;
const ICMP = 8;
export const ICMP_FRAME_BYTES = ETH + IP + ICMP + ICMP_DATA_SIZE;
const ETHERTYPE_IPV4 = 0x0800;
const IPPROTO_ICMP = 1;

/** "00:16:3e:00:00:0a" → 6 bytes. */
export function macBytes(text: string): Uint8Array {
  return Uint8Array.from(text.split(":").map((h) => parseInt(h, 16)));
}

/** RFC 1071: one's-complement sum of 16-bit big-endian words, complemented. */
function checksum(b: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i += 2) sum += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const dataByte = (seq: number, i: number): number => (seq + i) & 0xff;

export function encodeIcmpFrame(f: Frame, srcMac: Uint8Array, dstMac: Uint8Array): Uint8Array {
  const b = new Uint8Array(ICMP_FRAME_BYTES);
  const v = new DataView(b.buffer);
  b.set(dstMac, 0);
  b.set(srcMac, 6);
  v.setUint16(12, ETHERTYPE_IPV4);
  v.setUint8(ETH, 0x45); // version 4, IHL 5 words
  v.setUint16(ETH + 2, IP + ICMP + ICMP_DATA_SIZE);
  v.setUint16(ETH + 6, 0x4000); // don't fragment
  v.setUint8(ETH + 8, f.ttl);
  v.setUint8(ETH + 9, IPPROTO_ICMP);
  v.setUint32(ETH + 12, f.src);
  v.setUint32(ETH + 16, f.dst);
  v.setUint16(ETH + 10, checksum(b, ETH, ETH + IP));
  const o = ETH + IP;
  v.setUint8(o, f.kind);
  v.setUint16(o + 4, f.id);
  v.setUint16(o + 6, f.seq);
  for (let i = 0; i < ICMP_DATA_SIZE; i++) b[o + ICMP + i] = dataByte(f.seq, i);
  v.setUint16(o + 2, checksum(b, o, b.length));
  return b;
}

/** The frame an echo packet carries, or undefined if it is not an intact IPv4 ICMP echo of ping's size. */
export function decodeIcmpFrame(b: Uint8Array): Frame | undefined {
  if (b.length !== ICMP_FRAME_BYTES) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint16(12) !== ETHERTYPE_IPV4 || v.getUint8(ETH) !== 0x45 || v.getUint8(ETH + 9) !== IPPROTO_ICMP) return undefined;
  if (checksum(b, ETH, ETH + IP) !== 0 || checksum(b, ETH + IP, b.length) !== 0) return undefined;
  const o = ETH + IP;
  const kind = v.getUint8(o);
  if (kind !== FrameKind.ECHO_REQUEST && kind !== FrameKind.ECHO_REPLY) return undefined;
  const seq = v.getUint16(o + 6);
  for (let i = 0; i < ICMP_DATA_SIZE; i++) if (b[o + ICMP + i] !== dataByte(seq, i)) return undefined;
  return { kind, src: v.getUint32(ETH + 12), dst: v.getUint32(ETH + 16), id: v.getUint16(o + 4), seq, ttl: v.getUint8(ETH + 8) };
}

/** What a host's ICMP layer answers to an echo request (Linux icmp_echo): addresses swapped, type 0, same id, seq and data. */
export function echoReply(request: Uint8Array, ttl: number): Uint8Array {
  const b = request.slice();
  const v = new DataView(b.buffer);
  b.set(request.subarray(6, 12), 0);
  b.set(request.subarray(0, 6), 6);
  b.set(request.subarray(ETH + 16, ETH + 20), ETH + 12);
  b.set(request.subarray(ETH + 12, ETH + 16), ETH + 16);
  v.setUint8(ETH + 8, ttl);
  v.setUint16(ETH + 10, 0);
  v.setUint16(ETH + 10, checksum(b, ETH, ETH + IP));
  v.setUint8(ETH + IP, FrameKind.ECHO_REPLY);
  v.setUint16(ETH + IP + 2, 0);
  v.setUint16(ETH + IP + 2, checksum(b, ETH + IP, b.length));
  return b;
}
