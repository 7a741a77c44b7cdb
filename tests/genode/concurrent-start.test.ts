import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/index.js";
import { bootGenode, type Genode } from "../../src/genode/index.js";

const PP = `<parent-provides> <service name="LOG"/> <service name="PD"/> <service name="CPU"/> <service name="ROM"/> </parent-provides>`;

const CLIENT = `<start name="client" ram="1M"> <binary name="dummy"/>
    <config> <log string="client started"/> <create_log_connections count="1"/> <log string="client done"/> </config>
    <route> <service name="LOG" label="0"> <child name="server"/> </service> <any-service> <parent/> </any-service> </route>
  </start>`;
const server = (announce: boolean) => `<start name="server" ram="1M"> <binary name="dummy"/> <provides> <service name="LOG"/> </provides>
    <config version="${announce ? 2 : 1}"> <log string="server up"/> ${announce ? "<log_service/>" : ""} </config>
    <route> <any-service> <parent/> </any-service> </route>
  </start>`;
const config = (announce: boolean) => `<config> ${PP} <default caps="60"/> ${CLIENT} ${server(announce)} </config>`;

function boot(): Genode {
  return bootGenode(new Machine({ memory: "64M" }), { kernel: "nova" });
}

describe("init starts all children at once (sandbox child.cc; reference/genode.md §2 session_requests)", () => {
  it("starts a client before the server it names later in the document; its request waits for the server to announce", () => {
    const g = boot();
    expect(g.start(config(true)).ok).toBe(true);
    expect(g.log.filter((l) => l.startsWith("[init -> "))).toEqual([
      "[init -> client] client started",
      "[init -> client] going to create 1 LOG connections",
      "[init -> server] config 1: 2",
      "[init -> server] server up",
      "[init -> server] created LOG service",
      "[init -> client] created all LOG connections",
      "[init -> client] client done",
    ]);
    expect(g.routes()).toContainEqual(expect.objectContaining({ client: "init -> client", service: "LOG", label: "client -> 0", server: "init -> server", phase: "OK" }));
  });

  it("holds a request to a started server that has not announced the service, and delivers it when it does", () => {
    const g = boot();
    g.start(config(false));
    expect(g.log).toContain("[init -> server] server up");
    expect(g.routes()).toContainEqual(expect.objectContaining({ client: "init -> client", label: "client -> 0", server: "init -> server", phase: "CREATING" }));
    expect(g.reconfigure(config(true)).ok).toBe(true);
    expect(g.log).toContain("[init -> server] created LOG service");
    expect(g.routes()).toContainEqual(expect.objectContaining({ client: "init -> client", label: "client -> 0", server: "init -> server", phase: "AVAIL" }));
  });
});
