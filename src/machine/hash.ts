/**
 * Content hashes for determinism checks: two runs with the same seed and operations must give the
 * same trace hash and state hash. FNV-1a over a canonical walk of the data, as two independent 32-bit
 * lanes (offset bases differ) to make accidental collisions unlikely; the result is 16 hex digits.
 * Not cryptographic, and need not be.
 */
export class Hasher {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  byte(x: number): void {
    this.a = Math.imul(this.a ^ (x & 0xff), 0x01000193) >>> 0;
    this.b = Math.imul(this.b ^ (x & 0xff), 0x01000193 + 2) >>> 0;
  }

  u32(x: number): void {
    this.byte(x);
    this.byte(x >>> 8);
    this.byte(x >>> 16);
    this.byte(x >>> 24);
  }

  number(x: number): void {
    if (Number.isInteger(x) && Math.abs(x) < 2 ** 31) {
      this.byte(1);
      this.u32(x);
      return;
    }
    this.byte(2);
    this.string(String(x));
  }

  string(s: string): void {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.byte(c);
      if (c > 0xff) this.byte(c >>> 8);
    }
  }

  /** Any snapshot-shaped value (see clone.ts), walked in its own (deterministic) order. */
  value(v: unknown): void {
    if (v === null) return this.byte(3);
    switch (typeof v) {
      case "undefined":
        return this.byte(4);
      case "boolean":
        return this.byte(v ? 5 : 6);
      case "number":
        return this.number(v);
      case "bigint":
        this.byte(7);
        return this.string(v.toString(16));
      case "string":
        this.byte(8);
        return this.string(v);
    }
    if (Array.isArray(v)) {
      this.byte(9);
      this.u32(v.length);
      for (const x of v) this.value(x);
    } else if (ArrayBuffer.isView(v)) {
      this.byte(10);
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      this.u32(bytes.length);
      for (let i = 0; i < bytes.length; i++) this.byte(bytes[i]!);
    } else if (v instanceof Map) {
      this.byte(11);
      this.u32(v.size);
      for (const [k, x] of v) {
        this.value(k);
        this.value(x);
      }
    } else if (v instanceof Set) {
      this.byte(12);
      this.u32(v.size);
      for (const x of v) this.value(x);
    } else {
      this.byte(13);
      const keys = Object.keys(v as object);
      this.u32(keys.length);
      for (const k of keys) {
        this.string(k);
        this.value((v as Record<string, unknown>)[k]);
      }
    }
  }

  digest(): string {
    return this.a.toString(16).padStart(8, "0") + this.b.toString(16).padStart(8, "0");
  }
}

export function hashValue(v: unknown): string {
  const h = new Hasher();
  h.value(v);
  return h.digest();
}
