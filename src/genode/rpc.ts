/**
 * RPC framework: opcodes, exception codes and argument marshalling into message words.
 * Genode: repos/base/include/base/rpc.h (opcode = index in GENODE_RPC_INTERFACE),
 * base/rpc_server.h, base/ipc.h `Rpc_exception_code` (genodelabs/genode ffb059da);
 * reference/genode.md §3.1. A message is the opcode word followed by the marshalled arguments;
 * a reply is the exception code word followed by the results.
 */
import type { Capability, Kernel, Msgbuf, RpcDispatch } from "./kernel.js";

/** `Rpc_exception_code` (base/rpc.h). Declared exceptions are −1000 − k. */
export const RpcException = { SUCCESS: 0, INVALID_OBJECT: -1, INVALID_OPCODE: -2 } as const;

/**
 * Bytes packed per message word. A Genode word carries 8 bytes; our words are JavaScript numbers
 * (exact to 2^53), so a string takes 6 bytes per word and a 232-byte LOG line 40 words, not 30.
 */
const BYTES_PER_WORD = 6;

/** Marshal a string as Genode's `Rpc_in_buffer`: a length word, then the bytes. */
export function marshalString(text: string, out: number[]): void {
  out.push(text.length);
  for (let i = 0; i < text.length; i += BYTES_PER_WORD) {
    let w = 0;
    for (let j = 0; j < BYTES_PER_WORD && i + j < text.length; j++) w += (text.charCodeAt(i + j) & 0xff) * 256 ** j;
    out.push(w);
  }
}

/** Inverse of `marshalString`, reading from `words[at]`; returns the string and the next index. */
export function unmarshalString(words: readonly number[], at: number): [string, number] {
  const len = words[at] ?? 0;
  let i = at + 1;
  let s = "";
  for (let off = 0; off < len; off += BYTES_PER_WORD) {
    let w = words[i++] ?? 0;
    for (let j = 0; j < BYTES_PER_WORD && off + j < len; j++) { s += String.fromCharCode(w % 256); w = Math.floor(w / 256); }
  }
  return [s, i];
}

/** A server-side RPC interface: one handler per opcode, in declaration order. */
export type RpcInterface = ReadonlyArray<(args: readonly number[], caps: readonly Capability[]) => Msgbuf | number[]>;

/**
 * Rpc_object dispatch: look up the opcode, run it, turn the result into a reply with exception
 * code SUCCESS; an unknown opcode answers INVALID_OPCODE ("invalid opcode <n>" on the server).
 */
export function dispatcher(iface: RpcInterface): RpcDispatch {
  return (_badge, request) => {
    const op = request.words[0] ?? -1;
    const fn = iface[op];
    if (fn === undefined) return { words: [RpcException.INVALID_OPCODE], caps: [] };
    const r = fn(request.words.slice(1), request.caps);
    return Array.isArray(r) ? { words: [RpcException.SUCCESS, ...r], caps: [] } : { words: [RpcException.SUCCESS, ...r.words], caps: r.caps };
  };
}

/** Client stub: call `opcode` on `cap` with arguments; returns the result words, or the exception code. */
export function rpcCall(kernel: Kernel, cap: Capability, opcode: number, args: number[] = [], caps: Capability[] = []): { code: number; words: number[]; caps: Capability[] } {
  const r = kernel.call(cap, { words: [opcode, ...args], caps });
  if (!r.ok) return { code: RpcException.INVALID_OBJECT, words: [], caps: [] };
  return { code: r.value.words[0] ?? RpcException.INVALID_OBJECT, words: r.value.words.slice(1), caps: r.value.caps };
}
