import { describe, expect, it } from "vitest";
import { History, SESSION, globToRegExp } from "../../src/kernel/history.js";

function filled(): History {
  const h = new History();
  ["const a = 1", "a + 1", "console.log(a)", "a + 1"].forEach((code, i) => h.add(i + 1, code));
  h.setOutput(2, "2");
  return h;
}

describe("History (messaging.rst, History)", () => {
  it("tail returns the last n inputs as (session, line, input)", () => {
    expect(filled().query({ hist_access_type: "tail", n: 2 })).toEqual([
      [SESSION, 3, "console.log(a)"],
      [SESSION, 4, "a + 1"],
    ]);
  });

  it("pairs inputs with outputs when output is requested", () => {
    expect(filled().query({ hist_access_type: "range", session: 0, start: 2, stop: 3, output: true })).toEqual([[SESSION, 2, ["a + 1", "2"]]]);
  });

  it("range over another session is empty", () => {
    expect(filled().query({ hist_access_type: "range", session: 7, start: 1, stop: 5 })).toEqual([]);
  });

  it("search matches shell globs against the whole input, optionally unique", () => {
    expect(filled().query({ hist_access_type: "search", pattern: "a +*" }).map((i) => i[1])).toEqual([2, 4]);
    expect(filled().query({ hist_access_type: "search", pattern: "a +*", unique: true }).map((i) => i[1])).toEqual([2]);
    expect(globToRegExp("con?ole*").test("console.log(a)")).toBe(true);
  });
});
