/**
 * Frames as the network components here exchange them: one ICMP echo packet per frame, in words
 * [kind, src, dst, id, seq, ttl] (IPv4 addresses as 32-bit numbers). Nic and Uplink sessions
 * (repos/os/include/nic_session, uplink_session; genodelabs/genode ffb059da) carry frames through
 * packet streams with signals; here: transmit(frame), receive() → frame or nothing, sigh(signal
 * capability, passed as a capability argument), dhcp() → (ip, gateway) standing for the DHCP exchange.
 */
export const NicOp = { transmit: 0, receive: 1, sigh: 2, dhcp: 3 } as const;
export const FrameKind = { ECHO_REQUEST: 8, ECHO_REPLY: 0 } as const;

/** `Ipv4_packet` default TTL used by ping and answered by the peer (net/ipv4.h IPV4_TIME_TO_LIVE). */
export const IPV4_TIME_TO_LIVE = 64;
/** ICMP payload bytes ping sends (app/ping/main.cc ICMP_DATA_SIZE); plus the 8-byte ICMP header = 64. */
export const ICMP_DATA_SIZE = 56;

export interface Frame { kind: number; src: number; dst: number; id: number; seq: number; ttl: number }

export const toWords = (f: Frame): number[] => [f.kind, f.src, f.dst, f.id, f.seq, f.ttl];
export const fromWords = (w: readonly number[]): Frame | undefined =>
  w.length < 6 ? undefined : { kind: w[0]!, src: w[1]!, dst: w[2]!, id: w[3]!, seq: w[4]!, ttl: w[5]! };

export function ip(text: string): number {
  const p = text.split("/")[0]!.split(".").map(Number);
  return (((p[0]! * 256 + p[1]!) * 256 + p[2]!) * 256 + p[3]!) >>> 0;
}
export function ipText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
export function sameSubnet(a: number, cidr: string): boolean {
  const bits = Number(cidr.split("/")[1] ?? "32");
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((ip(cidr) & mask) >>> 0);
}
