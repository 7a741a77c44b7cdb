import { describe, expect, it } from "vitest";
import { boot, events, show } from "./helpers.js";

function home(req: ReturnType<typeof boot>["req"], d: number): void {
  req(0, "MKDIR", `/local/domain/${d}`);
  req(0, "SET_PERMS", `/local/domain/${d}`, `n${d}`);
}

describe("XenStore watches (xenstore.txt; watch.c)", () => {
  it("fires once immediately with the watched path, after the OK", () => {
    const { xs, req } = boot();
    expect(show(req(0, "WATCH", "/w", "tok"))).toBe("OK");
    expect(events(xs, 0)).toEqual(["/w tok"]);
  });

  it("fires for the node and any descendant, with the changed path", () => {
    const { xs, req } = boot();
    req(0, "WATCH", "/w", "t");
    events(xs, 0);
    req(0, "WRITE", "/w/a/b", "1");
    req(0, "WRITE", "/w", "2");
    req(0, "WRITE", "/other", "3");
    expect(events(xs, 0)).toEqual(["/w/a/b t", "/w t"]);
  });

  it("limits matches by depth: 0 the node only, 1 direct children", () => {
    const { xs, req } = boot();
    req(0, "WATCH", "/d", "zero", "0");
    req(0, "WATCH", "/d", "one", "1");
    events(xs, 0);
    req(0, "WRITE", "/d", "x");
    req(0, "WRITE", "/d/c", "x");
    req(0, "WRITE", "/d/c/g", "x");
    expect(events(xs, 0)).toEqual(["/d zero", "/d one", "/d/c one"]);
    expect(show(req(0, "WATCH", "/d", "neg", "-1"))).toBe("EINVAL");
  });

  it("a watch on / sees everything (depth counts from the root)", () => {
    const { xs, req } = boot();
    req(0, "WATCH", "/", "all");
    req(0, "WATCH", "/", "top", "1");
    events(xs, 0);
    req(0, "WRITE", "/x/y", "1");
    req(0, "WRITE", "/z", "1");
    expect(events(xs, 0)).toEqual(["/x/y all", "/z all", "/z top"]);
  });

  it("rejects a duplicate (path, token) with EEXIST and UNWATCH of an unknown watch with ENOENT", () => {
    const { req } = boot();
    expect(show(req(0, "WATCH", "/a", "t"))).toBe("OK");
    expect(show(req(0, "WATCH", "/a", "t"))).toBe("EEXIST");
    expect(show(req(0, "WATCH", "/a", "u"))).toBe("OK");
    expect(show(req(0, "UNWATCH", "/a", "t"))).toBe("OK");
    expect(show(req(0, "UNWATCH", "/a", "t"))).toBe("ENOENT");
    expect(show(req(0, "UNWATCH", "/a"))).toBe("EINVAL");
  });

  it("reports relative watches relative", () => {
    const { xs, req } = boot();
    home(req, 1);
    req(1, "WATCH", "device", "d");
    req(1, "WRITE", "device/vif/0", "x");
    expect(events(xs, 1)).toEqual(["device d", "device/vif/0 d"]);
  });

  it("on a recursive RM fires the root for watches above it and each deleted node for watches on exactly that node", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/r/a/b", "1");
    req(0, "WRITE", "/r/c", "1");
    req(0, "WATCH", "/r/a/b", "deep");
    req(0, "WATCH", "/r", "top");
    events(xs, 0);
    req(0, "RM", "/r");
    expect(events(xs, 0)).toEqual(["/r/a/b deep", "/r top"]);
  });

  it("coalesces an identical event that is still queued", () => {
    const { xs, req } = boot();
    req(0, "WATCH", "/c", "t");
    events(xs, 0);
    req(0, "WRITE", "/c", "1");
    req(0, "WRITE", "/c", "2");
    expect(events(xs, 0)).toEqual(["/c t"]);
    req(0, "WRITE", "/c", "3");
    expect(events(xs, 0)).toEqual(["/c t"]);
  });

  it("sends events only to watchers who can read the node or its parent (XSA-115)", () => {
    const { xs, req } = boot();
    req(0, "WATCH", "/", "spy");
    req(2, "WATCH", "/", "spy");
    events(xs, 0);
    events(xs, 2);
    req(0, "WRITE", "/secret/x", "1");
    expect(events(xs, 2)).toEqual([]);
    expect(events(xs, 0)).toEqual(["/secret/x spy"]);
    req(0, "SET_PERMS", "/secret", "n0", "r2");
    req(0, "WRITE", "/secret/x", "2");
    expect(events(xs, 2)).toEqual(["/secret spy", "/secret/x spy"]);
  });

  it("tells a watcher that loses read access through SET_PERMS", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/p/n", "1");
    req(0, "SET_PERMS", "/p", "r0");
    req(0, "SET_PERMS", "/p/n", "r0");
    req(2, "WATCH", "/p/n", "t");
    events(xs, 2);
    req(0, "SET_PERMS", "/p", "n0");
    req(0, "SET_PERMS", "/p/n", "n0");
    expect(events(xs, 2)).toEqual(["/p/n t"]);
    req(0, "WRITE", "/p/n", "2");
    expect(events(xs, 2)).toEqual([]);
  });

  it("drops events longer than XENSTORE_PAYLOAD_MAX (XSA-324)", () => {
    const { xs, req } = boot();
    req(0, "WATCH", "/l", "t".repeat(2100));
    xs.events(0);
    req(0, "WRITE", `/l/${"x".repeat(2000)}`, "1");
    expect(events(xs, 0)).toEqual([]);
  });

  it("RESET_WATCHES drops all watches and transactions of the caller", () => {
    const { xs, req } = boot();
    req(0, "WATCH", "/a", "t");
    const tx = req(0, "TRANSACTION_START", "").payload[0]!;
    expect(show(req(0, "RESET_WATCHES"))).toBe("OK");
    events(xs, 0);
    req(0, "WRITE", "/a", "1");
    expect(events(xs, 0)).toEqual([]);
    expect(show(xs.request(0, { type: 2, txId: Number(tx), payload: ["/a"] }))).toBe("ENOENT");
  });

  it("@introduceDomain and @releaseDomain fire on INTRODUCE and RELEASE, with /<domid> at depth 1", () => {
    const { xs, req, host } = boot([1]);
    host.add(5);
    req(0, "WATCH", "@introduceDomain", "i");
    req(0, "WATCH", "@releaseDomain", "r1", "1");
    req(0, "WATCH", "@releaseDomain", "r");
    req(0, "WATCH", "@releaseDomain/5", "only5");
    events(xs, 0);
    req(0, "INTRODUCE", "5", "0", "1");
    expect(events(xs, 0)).toEqual(["@introduceDomain i"]);
    req(0, "RELEASE", "5");
    expect(events(xs, 0)).toEqual(["@releaseDomain r", "@releaseDomain/5 r1", "@releaseDomain/5 only5"]);
  });

  it("in 4.22 lets every domain watch @releaseDomain but not @introduceDomain", () => {
    const { xs, req, host } = boot([1]);
    host.add(5);
    req(1, "WATCH", "@releaseDomain", "r");
    req(1, "WATCH", "@introduceDomain", "i");
    events(xs, 1);
    req(0, "INTRODUCE", "5", "0", "1");
    req(0, "RELEASE", "5");
    expect(events(xs, 1)).toEqual(["@releaseDomain r"]);
  });

  it("fires @releaseDomain/<domid> on shutdown and @releaseDomain again when the domain dies", () => {
    const { xs, req, host } = boot([1, 2]);
    req(0, "WATCH", "@releaseDomain", "r");
    req(0, "WATCH", "@releaseDomain", "d", "1");
    events(xs, 0);
    host.info.set(2, { shutdown: true, dead: false });
    xs.checkDomains();
    expect(events(xs, 0)).toEqual(["@releaseDomain/2 d", "@releaseDomain r"]);
    xs.checkDomains();
    expect(events(xs, 0)).toEqual([]);
    host.info.delete(2);
    xs.checkDomains();
    expect(events(xs, 0)).toEqual(["@releaseDomain r", "@releaseDomain/2 d"]);
    expect(show(req(0, "IS_DOMAIN_INTRODUCED", "2"))).toBe("F");
  });
});
