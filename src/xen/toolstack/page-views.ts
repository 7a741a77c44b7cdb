/**
 * Live views of machine frames as the world above the hypervisor holds them (ring pages, console
 * pages, xenstored's mapped interfaces). Each view's buffer is remembered with its frame, so the
 * snapshot layer (./snapshot.ts) can store "frame N" instead of bytes, and hand back fresh views
 * after m.restore() — the machine's memory replaces its page arrays on load, so old views go stale.
 */
import type { Machine } from "../../machine/index.js";

const frames = new WeakMap<ArrayBufferLike, number>();

/** m.memory.view(frame), remembered as a view of `frame`. */
export function liveView(m: Machine, frame: number): Uint8Array {
  const v = m.memory.view(frame);
  frames.set(v.buffer, frame);
  return v;
}

/** The frame whose live page `buffer` is, if it is one. */
export function frameOfBuffer(buffer: ArrayBufferLike): number | undefined {
  return frames.get(buffer);
}
