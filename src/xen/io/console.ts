/**
 * PV console ring (struct xencons_interface): the guest writes `out` and reads `in`; the backend
 * (xenconsoled, or a Genode terminal) does the opposite. Byte streams, not io/ring.h slots.
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/console.h; layout in ../abi/console.ts.
 * A producer index more than the ring size ahead of the consumer cannot come from an honest peer;
 * console.h sets no rule for it, so we return it as data rather than read stale bytes (our choice).
 */
import {
  MASK_XENCONS_IDX, XENCONS_IN_SIZE, XENCONS_INTERFACE_SIZE, XENCONS_LAYOUT, XENCONS_OUT_SIZE,
  XENCONSOLE_CONNECTED, XENCONSOLE_DISCONNECTED,
} from "../abi/console.js";

export type ConsoleRead = { ok: true; bytes: Uint8Array } | { ok: false; error: "prod ahead of cons by more than the ring"; prod: number; cons: number };

type Dir = "in" | "out";

export class ConsoleInterface {
  private readonly view: DataView;

  constructor(readonly page: Uint8Array) {
    if (page.byteLength < XENCONS_INTERFACE_SIZE) {
      throw new Error(`ConsoleInterface: struct xencons_interface needs ${XENCONS_INTERFACE_SIZE} bytes, got ${page.byteLength}`);
    }
    this.view = new DataView(page.buffer, page.byteOffset, XENCONS_INTERFACE_SIZE);
  }

  private idx(name: keyof typeof XENCONS_LAYOUT): number { return this.view.getUint32(XENCONS_LAYOUT[name], true); }
  private setIdx(name: keyof typeof XENCONS_LAYOUT, v: number): void { this.view.setUint32(XENCONS_LAYOUT[name], v >>> 0, true); }

  get inCons(): number { return this.idx("in_cons"); }
  get inProd(): number { return this.idx("in_prod"); }
  get outCons(): number { return this.idx("out_cons"); }
  get outProd(): number { return this.idx("out_prod"); }
  get connected(): boolean { return this.page[XENCONS_LAYOUT.connection] === XENCONSOLE_CONNECTED; }
  /** Backend only: XENCONSOLE_CONNECTED (0) or XENCONSOLE_DISCONNECTED (1). */
  setConnection(connected: boolean): void {
    this.page[XENCONS_LAYOUT.connection] = connected ? XENCONSOLE_CONNECTED : XENCONSOLE_DISCONNECTED;
  }

  /** Guest: append console output; returns how many bytes fitted (the rest waits for the backend). */
  writeOut(bytes: Uint8Array): number { return this.write("out", bytes); }
  /** Backend: take all pending console output. */
  readOut(): ConsoleRead { return this.read("out"); }
  /** Backend: queue keyboard input for the guest; returns how many bytes fitted. */
  writeIn(bytes: Uint8Array): number { return this.write("in", bytes); }
  /** Guest: take all pending input. */
  readIn(): ConsoleRead { return this.read("in"); }

  private geometry(dir: Dir): { base: number; size: number; prod: "in_prod" | "out_prod"; cons: "in_cons" | "out_cons" } {
    return dir === "in"
      ? { base: XENCONS_LAYOUT.in, size: XENCONS_IN_SIZE, prod: "in_prod", cons: "in_cons" }
      : { base: XENCONS_LAYOUT.out, size: XENCONS_OUT_SIZE, prod: "out_prod", cons: "out_cons" };
  }

  private write(dir: Dir, bytes: Uint8Array): number {
    const g = this.geometry(dir);
    const cons = this.idx(g.cons);
    let prod = this.idx(g.prod);
    const used = (prod - cons) >>> 0;
    const room = used > g.size ? 0 : g.size - used;
    const n = Math.min(room, bytes.byteLength);
    for (let i = 0; i < n; i++, prod = (prod + 1) >>> 0) this.page[g.base + MASK_XENCONS_IDX(prod, g.size)] = bytes[i]!;
    this.setIdx(g.prod, prod); // data before index: the wmb() in the real writers
    return n;
  }

  private read(dir: Dir): ConsoleRead {
    const g = this.geometry(dir);
    const prod = this.idx(g.prod);
    let cons = this.idx(g.cons);
    const n = (prod - cons) >>> 0;
    if (n > g.size) return { ok: false, error: "prod ahead of cons by more than the ring", prod, cons };
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++, cons = (cons + 1) >>> 0) out[i] = this.page[g.base + MASK_XENCONS_IDX(cons, g.size)]!;
    this.setIdx(g.cons, cons);
    return { ok: true, bytes: out };
  }
}
