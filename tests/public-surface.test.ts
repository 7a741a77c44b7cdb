import { describe, expect, it } from "vitest";
import * as hypernote from "../src/index.js";

describe("the package entry (src/index.ts)", () => {
  it("exports exactly the names notebook cells rely on", () => {
    expect(Object.keys(hypernote).sort()).toEqual([
      "CapdlDiff", "DISPLAY", "Figure", "HtmlReport", "HypernoteMachine", "Interrupted", "InvariantError", "Machine", "PAGE_SIZE",
      "SCENARIOS", "Scenario", "TCB_CATALOGUE", "TCB_CATEGORIES", "TcbError", "UsageError", "WORKLOADS", "capdlDiff", "cdf",
      "combinedProvenance", "createMachine", "createScenario", "figure", "groupedBars", "histogram", "isUncertain", "lastDiff",
      "latencySummary", "latencyTable", "lineChart", "locProvenance", "machineHistory", "percentile", "primitiveNames", "profiles",
      "provenanceNote", "provenanceOf", "rewind", "stackedBars", "tableBundle", "tcb", "tcbBarData", "timeline", "uncertaintyMarker", "withReferenceLine",
    ]);
  });

  it("boots every system DESIGN.md lists through createMachine", () => {
    const m = hypernote.createMachine({ cpus: 2, memory: "256M", costs: "skylake", seed: 1 });
    expect(typeof m.bootNova).toBe("function");
    expect(typeof m.bootXen).toBe("function");
    expect(typeof m.bootGenode).toBe("function");
    expect(m.bootNova().ec(0x21)).toBeDefined();
  });
});
