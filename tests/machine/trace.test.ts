import { describe, expect, it } from "vitest";
import { Trace, TraceTag, toChromeTrace } from "../../src/machine/index.js";

function fill(trace: Trace, n: number): void {
  for (let i = 0; i < n; i++) trace.record(i * 10, i % 2, "nova", i % 3 === 0 ? "call" : "reply", `pd${i % 2}/ec0`, 10, 1, 0, { i });
}

describe("Trace (bounded ring)", () => {
  it("keeps every record while it has room", () => {
    const t = new Trace(8);
    fill(t, 5);
    expect(t.size).toBe(5);
    expect(t.dropped).toBe(0);
    expect(t.at(0)).toMatchObject({ time: 0, cpu: 0, layer: "nova", op: "call", actor: "pd0/ec0", cycles: 10, args: { i: 0 } });
  });

  it("overwrites the oldest records when full and counts them", () => {
    const t = new Trace(4);
    fill(t, 10);
    expect(t.size).toBe(4);
    expect(t.dropped).toBe(6);
    expect(t.total).toBe(10);
    expect(Array.from(t, (r) => r.args!["i"])).toEqual([6, 7, 8, 9]);
  });

  it("filters records by layer, op, actor and CPU", () => {
    const t = new Trace(100);
    fill(t, 9);
    expect(t.records({ op: "call" }).map((r) => r.args!["i"])).toEqual([0, 3, 6]);
    expect(t.records({ cpu: 1, op: "reply" }).map((r) => r.args!["i"])).toEqual([1, 5, 7]);
  });

  it("hashes equal contents equally and different contents differently", () => {
    const a = new Trace(16);
    const b = new Trace(16);
    fill(a, 12);
    fill(b, 12);
    expect(a.hash()).toBe(b.hash());
    b.record(999, 0, "xen", "send", "dom0", 1, 0, 0);
    expect(a.hash()).not.toBe(b.hash());
  });

  it("keeps the newest records when shrunk and counts the rest as dropped", () => {
    const t = new Trace(10);
    fill(t, 10);
    t.resize(3);
    expect(Array.from(t, (r) => r.args!["i"])).toEqual([7, 8, 9]);
    expect(t.dropped).toBe(7);
  });
});

describe("Trace strings of actors that come and go (objects named by ids never reused)", () => {
  /** One record per new actor, as when every restarted child brings new EC names. */
  const churn = (t: Trace, from: number, to: number) => {
    for (let i = from; i < to; i++) t.record(i, 0, "nova", i % 2 === 0 ? "call" : "reply", `ec${i}`, 1, 0, 0);
  };
  const interned = (t: Trace) => t.save().strings.length;

  it("needs no more strings over 200,000 records than over the first 20,000, and every held record reads as written", () => {
    const t = new Trace(256);
    let most = 0;
    let mostIn20k = 0;
    for (let n = 0; n < 200_000; n += 100) {
      churn(t, n, n + 100);
      most = Math.max(most, interned(t));
      if (n + 100 === 20_000) mostIn20k = most;
    }
    expect(most).toBe(mostIn20k);
    expect(Array.from(t, (r) => r.actor)).toEqual(Array.from({ length: 256 }, (_, k) => `ec${200_000 - 256 + k}`));
    expect(t.records({ op: "call" })).toHaveLength(128);
  });

  it("holds the same records as a trace that never had to drop a string", () => {
    const a = new Trace(256);
    churn(a, 0, 5_000);
    const b = new Trace(256);
    churn(b, 5_000 - 256, 5_000);
    expect(interned(a)).toBeLessThan(5_000);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe("Chrome Trace Event export", () => {
  it("writes complete events in microseconds at the profile clock, with names as metadata", () => {
    const t = new Trace(16);
    t.record(3400, 1, "nova", "call", "pd0x20/ec0x21", 680, 0, 0, { words: 2 });
    const json = toChromeTrace(t, 3.4e9, { seed: 5 });
    expect(json.displayTimeUnit).toBe("ns");
    expect(json.otherData).toMatchObject({ seed: 5, cpu_hz: 3.4e9, records: 1, dropped: 0 });
    const x = json.traceEvents.find((e) => e.ph === "X")!;
    expect(x).toMatchObject({ name: "call", cat: "nova", pid: 1, tid: 1, args: { cycles: 680, cpu: 1, words: 2 } });
    expect(x.ts).toBeCloseTo(1, 12);
    expect(x.dur).toBeCloseTo(0.2, 12);
    const names = json.traceEvents.filter((e) => e.ph === "M").map((e) => [e.name, e.args!["name"]]);
    expect(names).toEqual([["process_name", "pd0x20"], ["thread_name", "pd0x20/ec0x21"]]);
    expect(() => JSON.parse(JSON.stringify(json))).not.toThrow();
  });
});

describe("TraceTag (a hot path's layer, operation and actor)", () => {
  /** Records a mix of plain and tagged records, through the same ring; `tagged` picks the path of the tagged ones. */
  function mix(t: Trace, tagged: boolean, tags: TraceTag[]): void {
    for (let i = 0; i < 12; i++) {
      const tag = tags[i % tags.length]!;
      if (i % 4 === 3) t.record(i, 0, "genode", "rpc", `ec${i}`, 5, 2, 0, { i });
      else if (tagged) t.recordTagged(i, 1, tag, 7, 1, 0, { i });
      else t.record(i, 1, tag.layer, tag.op, tag.actor, 7, 1, 0, { i });
    }
  }

  it("writes the records, string table and hash that record() writes with the tag's strings", () => {
    const tags = [new TraceTag("nova", "call", "ec33"), new TraceTag("nova", "reply", "ec35")];
    for (const capacity of [0, 5, 64]) {
      const plain = new Trace(capacity);
      const tagged = new Trace(capacity);
      mix(plain, false, tags);
      mix(tagged, true, tags);
      expect(tagged.save()).toEqual(plain.save());
      expect(tagged.hash()).toBe(plain.hash());
    }
  });

  it("resolves its strings again in a trace whose string table a load replaced, and in another trace", () => {
    const tag = new TraceTag("nova", "call", "ec33");
    const a = new Trace(16);
    a.record(0, 0, "xen", "hypercall", "dom0", 1, 0, 0);
    const saved = a.save();
    const b = new Trace(16);
    b.recordTagged(0, 0, tag, 1, 0, 0);
    b.load(saved); // "nova", "call" and "ec33" have no ids in this table
    b.recordTagged(1, 0, tag, 1, 0, 0);
    a.recordTagged(1, 0, tag, 1, 0, 0);
    expect(b.save()).toEqual(a.save());
    expect(b.at(1)).toMatchObject({ layer: "nova", op: "call", actor: "ec33" });
  });

  it("resolves its strings again once the trace dropped unused strings and renumbered the rest", () => {
    const tag = new TraceTag("nova", "call", "ec1");
    const t = new Trace(8);
    for (let i = 0; i < 3_000; i++) {
      t.recordTagged(2 * i, 0, tag, 1, 0, 0);
      t.record(2 * i + 1, 0, "nova", "reply", `ec${i + 2}`, 1, 0, 0); // a new actor per record: the table compacts
    }
    expect(t.save().strings.length).toBeLessThan(3_000);
    for (let k = 0; k < 8; k += 2) expect(t.at(k)).toMatchObject({ layer: "nova", op: "call", actor: "ec1" });
  });
});
