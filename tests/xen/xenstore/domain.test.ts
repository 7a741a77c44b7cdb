import { describe, expect, it } from "vitest";
import { boot, events, show } from "./helpers.js";

describe("XenStore domain management (domain.c)", () => {
  it("refuses privileged requests from unprivileged domains with EACCES", () => {
    const { req } = boot();
    for (const t of ["INTRODUCE", "RELEASE", "RESUME", "SET_TARGET", "IS_DOMAIN_INTRODUCED", "CONTROL", "SET_FEATURE", "GET_QUOTA", "SET_QUOTA"] as const) {
      expect([t, show(req(1, t, "1", "2", "3"))]).toEqual([t, "EACCES"]);
    }
  });

  it("INTRODUCE needs three arguments and a port > 0; IS_DOMAIN_INTRODUCED answers T/F", () => {
    const { req, host } = boot([1]);
    host.add(4);
    expect(show(req(0, "INTRODUCE", "4", "0"))).toBe("EINVAL");
    expect(show(req(0, "INTRODUCE", "4", "0", "0"))).toBe("EINVAL");
    expect(show(req(0, "IS_DOMAIN_INTRODUCED", "4"))).toBe("F");
    expect(show(req(0, "INTRODUCE", "4", "0", "9"))).toBe("OK");
    expect(show(req(0, "IS_DOMAIN_INTRODUCED", "4"))).toBe("T");
    expect(show(req(0, "IS_DOMAIN_INTRODUCED", "32752"))).toBe("T"); // DOMID_SELF
    expect(show(req(0, "INTRODUCE", "8", "0", "9"))).toBe("ENOENT"); // no ring page to map
  });

  it("advertises ERROR|WATCHDEPTH|DOMID_ANY in the ring page and via GET_FEATURE", () => {
    const { req, host } = boot([1]);
    expect(new DataView(host.pages.get(1)!.buffer).getUint32(2064, true)).toBe(14);
    expect(show(req(1, "GET_FEATURE"))).toBe("14");
    expect(show(req(1, "GET_FEATURE", "0"))).toBe("EACCES");
  });

  it("SET_FEATURE works only before INTRODUCE, and without WATCHDEPTH a depth argument is EINVAL", () => {
    const { req, host } = boot([1]);
    host.add(6);
    expect(show(req(0, "SET_FEATURE", "1", "2"))).toBe("EBUSY");
    expect(show(req(0, "SET_FEATURE", "6", "16"))).toBe("EINVAL");
    expect(show(req(0, "SET_FEATURE", "6", "2"))).toBe("OK");
    req(0, "INTRODUCE", "6", "0", "3");
    expect(show(req(6, "WATCH", "/x", "t", "1"))).toBe("EINVAL");
    expect(show(req(6, "WATCH", "/x", "t"))).toBe("OK");
  });

  it("RELEASE of dom0 is EINVAL, of an unknown domain ENOENT", () => {
    const { req } = boot([1]);
    expect(show(req(0, "RELEASE", "0"))).toBe("EINVAL");
    expect(show(req(0, "RELEASE", "9"))).toBe("ENOENT");
    expect(show(req(0, "RESUME", "1"))).toBe("OK");
  });

  it("when a domain dies deletes the nodes it owns and strips its permission entries, firing watches", () => {
    const { xs, req, host } = boot([1, 2]);
    req(0, "MKDIR", "/local/domain/2");
    req(0, "SET_PERMS", "/local/domain/2", "n0", "b2");
    req(2, "WRITE", "data/x", "v");
    req(0, "WRITE", "/shared", "s");
    req(0, "SET_PERMS", "/shared", "n0", "r2", "r1");
    req(0, "WATCH", "/local/domain/2", "w");
    events(xs, 0);
    host.info.delete(2);
    xs.checkDomains();
    expect(show(req(0, "READ", "/local/domain/2/data"))).toBe("ENOENT");
    expect(show(req(0, "READ", "/local/domain/2"))).toBe("");
    expect(req(0, "GET_PERMS", "/shared").payload).toEqual(["n0", "r1"]);
    expect(events(xs, 0)).toEqual(["/local/domain/2/data w"]);
    expect(() => req(2, "READ", "/")).toThrow(/not been introduced/);
  });

  it("a new domain reusing a dead domain's id inherits none of its access (XSA-322)", () => {
    const { xs, req, host } = boot([1, 2]);
    req(0, "WRITE", "/priv", "p");
    req(0, "SET_PERMS", "/priv", "n0", "r2");
    host.info.delete(2);
    xs.checkDomains();
    host.add(2);
    req(0, "INTRODUCE", "2", "0", "1");
    expect(show(req(2, "READ", "/priv"))).toBe("EACCES");
  });

  it("CONTROL answers check/print/help and sets global quotas; unknown commands are EINVAL", () => {
    const { req } = boot([1]);
    expect(show(req(0, "CONTROL", "check"))).toBe("OK");
    expect(show(req(0, "CONTROL", "print", "hi"))).toBe("OK");
    expect(show(req(0, "CONTROL", "quota", "set", "watches", "3"))).toBe("OK");
    expect(show(req(0, "GET_QUOTA", "watches"))).toBe("3");
    expect(show(req(0, "CONTROL", "nonsense"))).toBe("EINVAL");
    expect(show(req(0, "CONTROL", "help"))).toContain("quota");
  });
});
