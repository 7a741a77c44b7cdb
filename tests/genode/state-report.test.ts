import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/index.js";
import { bootGenode, type Component, type Env, type Genode } from "../../src/genode/index.js";
import { unmarshalString } from "../../src/genode/rpc.js";

/** A ROM client that reads its "state" ROM every 100 ms and logs the content, on one line, when it changed. */
class RomReader implements Component {
  private last = "";
  start(env: Env): void {
    const timer = env.connect("Timer");
    const rom = env.connect("ROM", "state");
    if (!timer.ok || !rom.ok) { env.error("no sessions"); return; }
    const poll = (): void => {
      const [text] = unmarshalString(rom.value.call(0).words, 0);
      if (text !== this.last) env.log(`state: ${text.replace(/\n\t*/g, "")}`);
      this.last = text;
      env.after(timer.value, 100, poll);
    };
    poll();
  }
}

const PP = `<parent-provides> <service name="LOG"/> <service name="PD"/> <service name="CPU"/> <service name="ROM"/> </parent-provides>`;

const config = (subChildren: string, delay = 500) => `<config>
  ${PP}
  <default-route> <any-service> <parent/> <any-child/> </any-service> </default-route>
  <default caps="100"/>
  <start name="timer" ram="1M"> <provides> <service name="Timer"/> </provides> </start>
  <start name="report_rom" caps="200" ram="1M">
    <provides> <service name="ROM"/> <service name="Report"/> </provides>
    <config verbose="yes"> <policy label="reader -> state" report="sub -> state"/> </config>
  </start>
  <start name="sub" caps="600" ram="16M">
    <binary name="init"/>
    <route> <service name="Report"> <child name="report_rom"/> </service> <any-service> <parent/> </any-service> </route>
    <config>
      ${PP}
      <default-route> <any-service> <parent/> </any-service> </default-route>
      <default caps="50"/>
      <report delay_ms="${delay}"/>
      ${subChildren}
    </config>
  </start>
  <start name="reader" ram="1M">
    <binary name="rom_reader"/>
    <route>
      <service name="ROM" label="state"> <child name="report_rom"/> </service>
      <any-service> <parent/> <any-child/> </any-service>
    </route>
  </start>
</config>`;

function boot(): Genode {
  return bootGenode(new Machine({ memory: "256M" }), {
    kernel: "nova",
    programs: [{ binary: "rom_reader", factory: () => new RomReader(), tcbIds: [], loc: { lines: 0, source: "test" } }],
  });
}

const msFromNow = (g: Genode, ms: number) => ({ cycles: (g.machine.costs.hz * ms) / 1000 });
const readerLines = (g: Genode) => g.log.filter((l) => l.startsWith("[init -> reader] state: "));

describe("init's state report through a Report session (reference/genode.md §1.1 <report>)", () => {
  it("a nested init publishes it after delay_ms to report_rom, which serves it as ROM to the client its policy names", () => {
    const g = boot();
    expect(g.start(config(`<start name="test-log" ram="1M"/>`)).ok).toBe(true);
    g.machine.run(msFromNow(g, 400));
    expect(g.log).not.toContain("[init -> report_rom] report 'sub -> state'");
    expect(readerLines(g)).toEqual([]);
    g.machine.run(msFromNow(g, 300));
    expect(g.log).toContain("[init -> report_rom] report 'sub -> state'");
    expect(g.routes()).toContainEqual(expect.objectContaining({ client: "init -> sub", service: "Report", label: "sub -> state", server: "init -> report_rom" }));
    expect(readerLines(g)).toEqual(['[init -> reader] state: <state><child name="test-log" binary="test-log"/></state>']);
    expect(g.conserved()).toBe(true);
  });

  it("publishes a change once, delay_ms after it, with the state as it is then", () => {
    const g = boot();
    g.start(config(`<start name="test-log" ram="1M"/>`));
    g.machine.run(msFromNow(g, 1000));
    expect(readerLines(g)).toHaveLength(1);
    expect(g.reconfigure(config(`<start name="test-log" ram="1M"/> <start name="second" ram="1M"> <binary name="test-log"/> </start>`)).ok).toBe(true);
    expect(g.log).toContain("[init -> sub -> second] Test done.");
    g.machine.run(msFromNow(g, 400));
    expect(readerLines(g)).toHaveLength(1);
    g.machine.run(msFromNow(g, 300));
    const lines = readerLines(g);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('[init -> reader] state: <state><child name="second" binary="test-log"/><child name="test-log" binary="test-log"/></state>');
    expect(g.log.filter((l) => l === "[init -> report_rom] report 'sub -> state'")).toHaveLength(2);
  });

  it("publishes the same reports at the same cycles after a restore (the pending delay is part of the snapshot)", () => {
    const g = boot();
    g.start(config(`<start name="test-log" ram="1M"/>`));
    g.machine.run(msFromNow(g, 200));
    const s = g.machine.snapshot();
    g.machine.run(msFromNow(g, 800));
    const first = { log: [...g.log], trace: g.machine.trace.hash() };
    expect(readerLines(g)).toHaveLength(1);
    g.machine.restore(s);
    expect(readerLines(g)).toHaveLength(0);
    g.machine.run(msFromNow(g, 800));
    expect({ log: [...g.log], trace: g.machine.trace.hash() }).toEqual(first);
  });

  it("denies a ROM session that no report_rom policy names", () => {
    const g = boot();
    g.start(config(`<start name="test-log" ram="1M"/>`).replace('label="reader -> state"', 'label="someone-else -> state"'));
    g.machine.run(msFromNow(g, 1000));
    expect(g.log).toContain("[init -> reader] Error: no sessions");
  });
});
