/**
 * The cost model a machine charges from: one profile, plus the overrides a notebook cell made.
 * Kernels ask it for cycles by primitive name; every charge remembers which primitives it rested on,
 * so a figure can say when a result depends on an approximate or assumed entry.
 */
import { UsageError } from "../errors.js";
import { nehalem2010 } from "./nehalem-2010.js";
import { skylake, type Primitive } from "./skylake.js";
import { skylakeKpti } from "./skylake-kpti.js";
import type { Confidence, CostEntry, CostProfile } from "./types.js";

export const profiles = {
  skylake,
  "skylake-kpti": skylakeKpti,
  "nehalem-2010": nehalem2010,
} as const satisfies Record<string, CostProfile<Primitive>>;

export type ProfileName = keyof typeof profiles;

/** Every primitive, in a fixed order; a primitive's bit in a charge's mask is its index here. */
export const primitiveNames = Object.keys(skylake.entries) as Primitive[];
const primitiveIndex = new Map<string, number>(primitiveNames.map((n, i) => [n, i]));

/** An override from a cell: a bare number, or a full entry with its own source. */
export type CostOverride = number | { cycles: number; source?: string; confidence?: Confidence };

/**
 * What charging one unit of a primitive costs, and its bit in a charge's primitive mask. A model
 * keeps one Rate object per primitive for its whole life and updates `cycles` in place when the
 * entry is overridden, so a layer may look a Rate up once and keep it on its hot path.
 */
export interface Rate {
  readonly name: Primitive;
  readonly cycles: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Cycles of `units` of a primitive: one unit costs exactly its entry, several round up once over the
 * product (a per-byte or per-word rate times a count), so that fractional rates never lose cycles.
 */
export function cyclesOf(rate: Rate, units: number): number {
  return units === 1 ? rate.cycles : Math.ceil(rate.cycles * units);
}

type MutableRate = { -readonly [K in keyof Rate]: Rate[K] };

export function profileByName(name: string): CostProfile<Primitive> {
  const profile = (profiles as Record<string, CostProfile<Primitive>>)[name];
  if (profile === undefined) {
    throw new UsageError("unknown-profile", `unknown cost profile "${name}"`, `known profiles: ${Object.keys(profiles).join(", ")}`);
  }
  return profile;
}

export function unknownPrimitive(name: string): UsageError {
  return new UsageError("unknown-primitive", `unknown cost primitive "${name}"`, `known primitives: ${primitiveNames.join(", ")}`);
}

export class CostModel {
  readonly profile: CostProfile<Primitive>;
  private readonly current = new Map<string, CostEntry>();
  // A plain object (fast properties and inline caches for the constant names callers pass): a
  // null-prototype object lives in V8's slow dictionary mode and a Map look-up halves the charging
  // rate. Inherited names ("toString") are told apart from rates in rate().
  private readonly rates: Record<string, MutableRate> = {};
  private readonly overridden = new Map<Primitive, CostEntry>();

  constructor(profile: ProfileName | string = "skylake", overrides: Partial<Record<string, CostOverride>> = {}) {
    this.profile = profileByName(profile);
    for (const name of primitiveNames) this.set(name, this.profile.entries[name]);
    this.override(overrides);
  }

  get hz(): number {
    return this.profile.hz;
  }

  /** Cycles per unit of a primitive. */
  cycles(name: Primitive | string): number {
    return this.rate(name).cycles;
  }

  /** Cycles and mask bits of a primitive in one look-up: the machine's charging fast path. */
  rate(name: Primitive | string): Rate {
    const r = this.rates[name];
    if (typeof r !== "object" || r.name !== name) throw unknownPrimitive(name);
    return r;
  }

  entry(name: Primitive | string): CostEntry {
    const e = this.current.get(name);
    if (e === undefined) throw unknownPrimitive(name);
    return e;
  }

  /** Bit index of a primitive in a charge's mask. */
  index(name: Primitive | string): number {
    const i = primitiveIndex.get(name);
    if (i === undefined) throw unknownPrimitive(name);
    return i;
  }

  /**
   * Replace entries for this machine. All names are checked before any entry changes, so a bad
   * override leaves the model as it was.
   */
  override(overrides: Partial<Record<string, CostOverride>>): void {
    const checked: [Primitive, CostEntry][] = [];
    for (const [name, o] of Object.entries(overrides)) {
      if (o === undefined) continue;
      if (!primitiveIndex.has(name)) throw unknownPrimitive(name);
      const entry = typeof o === "number" ? { cycles: o } : o;
      if (!Number.isFinite(entry.cycles) || entry.cycles < 0) {
        throw new UsageError("bad-cost", `cost override for "${name}" must be a non-negative number of cycles, got ${String(entry.cycles)}`);
      }
      checked.push([
        name as Primitive,
        {
          cycles: entry.cycles,
          confidence: entry.confidence ?? "assumed",
          source: entry.source ?? `overridden in the notebook (profile value ${this.profile.entries[name as Primitive].cycles})`,
        },
      ]);
    }
    for (const [name, entry] of checked) {
      this.set(name, entry);
      this.overridden.set(name, entry);
    }
  }

  /** Undo every override: the profile's own figures again. */
  reset(): void {
    for (const name of this.overridden.keys()) this.set(name, this.profile.entries[name]);
    this.overridden.clear();
  }

  overrides(): Record<string, CostEntry> {
    return Object.fromEntries(this.overridden);
  }

  /** All entries as they stand, in primitive order. */
  entries(): { name: Primitive; entry: CostEntry }[] {
    return primitiveNames.map((name) => ({ name, entry: this.current.get(name)! }));
  }

  /** Names of the primitives whose bit is set in a charge mask (see Trace). */
  namesInMask(lo: number, hi: number): Primitive[] {
    return primitiveNames.filter((_, i) => (i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1) === 1);
  }

  private set(name: Primitive, entry: CostEntry): void {
    this.current.set(name, entry);
    const i = primitiveIndex.get(name)!;
    const rate = Object.hasOwn(this.rates, name) ? this.rates[name] : undefined;
    if (rate !== undefined) rate.cycles = entry.cycles;
    else this.rates[name] = { name, cycles: entry.cycles, lo: i < 32 ? (1 << i) >>> 0 : 0, hi: i < 32 ? 0 : (1 << (i - 32)) >>> 0 };
  }
}
