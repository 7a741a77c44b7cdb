import { describe, expect, it } from "vitest";
import { Init } from "../../../src/genode/init/index.js";
import { rewriteLabel } from "../../../src/genode/init/route-model.js";

const M = 1024 * 1024;

function boot(body: string, provides = ""): Init {
  const init = new Init({ ram: 256 * M, caps: 5000 });
  const r = init.apply(`<config>
    <parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/><service name="Timer"/></parent-provides>
    <default caps="100"/>
    <start name="server" ram="1M"><provides><service name="LOG"/>${provides}</provides><route><any-service><parent/></any-service></route></start>
    <start name="server2" ram="1M"><provides><service name="LOG"/></provides><route><any-service><parent/></any-service></route></start>
    <start name="client" ram="1M">${body}</start>
  </config>`);
  expect(r.ok).toBe(true);
  return init;
}

const envRoute = `<service name="ROM"><parent/></service><service name="PD"><parent/></service><service name="CPU"><parent/></service>`;

describe("init route model (reference/genode.md §1.2)", () => {
  it("uses the first rule in document order that matches", () => {
    const init = boot(`<route><service name="LOG"><child name="server"/></service><service name="LOG"><parent/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "LOG", "x")).toMatchObject({ target: "child", server: "server" });
  });

  it("matches label= against the scoped label, without the leading child name", () => {
    const init = boot(`<route><service name="LOG" label="dbg"><child name="server"/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "LOG", "dbg")).toMatchObject({ target: "child", server: "server" });
    expect(init.route("client", "LOG", "other")).toMatchObject({ target: "parent" });
  });

  it("matches label_prefix and label_suffix against the scoped label", () => {
    const init = boot(`<route><service name="LOG" label_prefix="vfs"><child name="server"/></service>
      <service name="LOG" label_suffix="log"><child name="server2"/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "LOG", "vfs -> a")).toMatchObject({ target: "child", server: "server" });
    expect(init.route("client", "LOG", "my log")).toMatchObject({ target: "child", server: "server2" });
    expect(init.route("client", "LOG", "none")).toMatchObject({ target: "parent" });
  });

  it("matches label_last against the last element of the full label", () => {
    const init = boot(`<route><service name="LOG" label_last="out"><child name="server"/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "LOG", "a -> b -> out")).toMatchObject({ target: "child", server: "server" });
    expect(init.route("client", "LOG", "out -> b")).toMatchObject({ target: "parent" });
  });

  it("matches unscoped_label against the full label, so env sessions labelled with the bare child name can be routed", () => {
    const init = boot(`<route><service name="LOG" unscoped_label="client"><child name="server"/></service>${envRoute}</route>`);
    expect(init.route("client", "LOG", "x")).toMatchObject({ target: "denied" }); // full label "client -> x"
    expect(init.child("client")?.state).toBe("RAM_INITIALIZED"); // env LOG went to the (async) child server
  });

  it("warns when a rule mixes scoped and unscoped label attributes, and the unscoped one decides", () => {
    const init = boot(`<route><service name="LOG" label="x" unscoped_label="client -> y"><child name="server"/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "LOG", "y")).toMatchObject({ target: "child", server: "server" });
    expect(init.log).toContain("[init] Warning: service node contains both scoped and unscoped label attributes");
  });

  it("lets a scoped label attribute never match an env session, whose label lacks the child prefix", () => {
    const init = boot(`<route><service name="LOG" label_prefix=""><child name="server"/></service><any-service><parent/></any-service></route>`);
    expect(init.sessions.size).toBeGreaterThan(0);
    const envLog = [...init.sessions.values()].find((s) => s.client === "client" && s.clientId === 3)!;
    expect(envLog.service.kind).toBe("parent");
  });

  it("routes to <parent/> only services listed in <parent-provides>", () => {
    const init = boot(`<route><service name="Nic"><parent/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "Nic", "")).toMatchObject({ target: "denied" });
    expect(init.route("client", "Timer", "")).toMatchObject({ target: "parent" });
  });

  it("routes to <child name> only if that child provides the service", () => {
    const init = boot(`<route><service name="Timer"><child name="server"/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "Timer", "")).toMatchObject({ target: "denied" });
  });

  it("reports an ambiguous <any-child/> as an error and denies through that target", () => {
    const init = boot(`<route><service name="LOG"><any-child/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "LOG", "x")).toMatchObject({ target: "denied" });
    expect(init.log).toContain('[init] Error: client: ambiguous routes to service "LOG"');
  });

  it("tries the next target of the same rule after an ambiguous <any-child/>", () => {
    const init = boot(`<route><service name="LOG"><any-child/><parent/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "LOG", "x")).toMatchObject({ target: "parent" });
  });

  it("denies when every target of a <service> rule fails, without falling through", () => {
    const init = boot(`<route><service name="Timer"><child name="server"/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "Timer", "t")).toEqual({ target: "denied" });
    expect(init.log.some((l) => l.includes("no route"))).toBe(false);
  });

  it("falls through to the next rule when every target of an <any-service> rule fails", () => {
    const init = boot(`<route><any-service><child name="server2"/></any-service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "Timer", "t")).toMatchObject({ target: "parent" });
  });

  it("warns 'no route to service' with the full label when no rule matches", () => {
    const init = boot(`<route>${envRoute}<service name="LOG"><parent/></service></route>`);
    expect(init.route("client", "Timer", "t")).toEqual({ target: "denied" });
    expect(init.log).toContain('[init] Warning: client: no route to service "Timer" (label="client -> t")');
  });

  it("rewrites the label with label=, identity=, resource= and prepend_resource=", () => {
    expect(rewriteLabel("c -> a -> r", { label: "L" })).toBe("L");
    expect(rewriteLabel("c -> a -> r", { identity: "id" })).toBe("id -> r");
    expect(rewriteLabel("c -> a -> r", { resource: "x" })).toBe("c -> a -> x");
    expect(rewriteLabel("c -> a -> r", { prependResource: "p/" })).toBe("c -> a -> p/r");
    expect(rewriteLabel("c", {})).toBe("c");
    const init = boot(`<route><service name="ROM" label="config"><parent label="drivers.config"/></service><any-service><parent/></any-service></route>`);
    expect(init.route("client", "ROM", "config")).toEqual({ target: "parent", label: "drivers.config" });
  });

  it("serves ROM 'config' locally when the start node has an inline <config>", () => {
    const init = boot(`<config><x/></config><route><any-service><parent/></any-service></route>`);
    expect(init.route("client", "ROM", "config")).toMatchObject({ target: "local" });
  });

  it("routes the binary ROM with the <binary name> as label", () => {
    const init = boot(`<binary name="dummy"/><route><any-service><parent/></any-service></route>`);
    const bin = [...init.sessions.values()].find((s) => s.client === "client" && s.clientId === 4)!;
    expect(bin.label).toBe("dummy");
  });
});
