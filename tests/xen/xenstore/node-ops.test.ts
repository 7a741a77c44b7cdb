import { describe, expect, it } from "vitest";
import { boot, events, show } from "./helpers.js";

describe("XenStore database requests (xenstore.txt, core.c)", () => {
  it("WRITE creates missing parents with empty values and DIRECTORY lists children in creation order", () => {
    const { req } = boot();
    expect(show(req(0, "WRITE", "/a/b/c", "v"))).toBe("OK");
    expect(show(req(0, "READ", "/a/b"))).toBe("");
    req(0, "WRITE", "/a/z", "");
    req(0, "WRITE", "/a/m", "");
    expect(req(0, "DIRECTORY", "/a").payload).toEqual(["b", "z", "m"]);
    expect(req(0, "DIRECTORY", "/a/b/c").payload).toEqual([]);
  });

  it("starts with /, /tool/xenstored and the special nodes", () => {
    const { req } = boot([]);
    expect(req(0, "DIRECTORY", "/").payload).toEqual(["tool"]);
    expect(req(0, "GET_PERMS", "@releaseDomain").payload).toEqual(["n0", "r32757"]);
    expect(req(0, "GET_PERMS", "@introduceDomain").payload).toEqual(["n0"]);
  });

  it("READ of a missing node is ENOENT for a caller who may read its parent", () => {
    const { req } = boot();
    expect(show(req(0, "READ", "/missing"))).toBe("ENOENT");
    expect(show(req(1, "READ", "nothing"))).toBe("EACCES"); // its home does not exist and / is n0
    req(0, "MKDIR", "/local/domain/1");
    req(0, "SET_PERMS", "/local/domain/1", "n0", "r1");
    expect(show(req(1, "READ", "nothing"))).toBe("ENOENT");
  });

  it("MKDIR leaves an existing value alone and fires no watch", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/k", "keep");
    req(0, "WATCH", "/k", "t");
    events(xs, 0);
    expect(show(req(0, "MKDIR", "/k"))).toBe("OK");
    expect(show(req(0, "READ", "/k"))).toBe("keep");
    expect(events(xs, 0)).toEqual([]);
  });

  it("RM is recursive, OK for an absent node whose parent exists, ENOENT if the parent is absent too", () => {
    const { req } = boot();
    req(0, "WRITE", "/r/a/b", "1");
    expect(show(req(0, "RM", "/r/a"))).toBe("OK");
    expect(show(req(0, "READ", "/r/a/b"))).toBe("ENOENT");
    expect(req(0, "DIRECTORY", "/r").payload).toEqual([]);
    expect(show(req(0, "RM", "/r/gone"))).toBe("OK");
    expect(show(req(0, "RM", "/r/gone/deeper"))).toBe("ENOENT");
  });

  it("RM of / is EINVAL", () => {
    const { req } = boot();
    expect(show(req(0, "RM", "/"))).toBe("EINVAL");
  });

  it("rejects bad paths with EINVAL: characters, //, trailing /, empty, @ outside special uses", () => {
    const { req } = boot();
    for (const p of ["/a b", "/a//b", "/a/", "", "/a.b", "@foo", "/é"]) expect(show(req(0, "WRITE", p, "x"))).toBe("EINVAL");
    expect(show(req(0, "READ", "@releaseDomain"))).toBe("EINVAL");
  });

  it("resolves relative paths against /local/domain/<domid>", () => {
    const { req } = boot();
    req(0, "MKDIR", "/local/domain/1");
    req(0, "SET_PERMS", "/local/domain/1", "b1");
    expect(show(req(1, "WRITE", "data/x", "v"))).toBe("OK");
    expect(show(req(0, "READ", "/local/domain/1/data/x"))).toBe("v");
  });

  it("needs exactly one NUL-terminated argument for READ (EINVAL otherwise)", () => {
    const { req } = boot();
    expect(show(req(0, "READ", "/tool", "extra"))).toBe("EINVAL");
    expect(show(req(0, "READ"))).toBe("EINVAL");
  });

  it("WRITE without any NUL in the payload is EINVAL", () => {
    const { xs } = boot();
    expect(show(xs.request(0, { type: 11, payload: ["nonul"] }))).toBe("EINVAL");
  });

  it("DIRECTORY_PART returns the generation and children from a byte offset, an empty string at the end", () => {
    const { req } = boot();
    req(0, "MKDIR", "/p/aa");
    req(0, "MKDIR", "/p/bbb");
    const all = req(0, "DIRECTORY_PART", "/p", "0").payload;
    expect(all.slice(1)).toEqual(["aa", "bbb", ""]);
    expect(Number(all[0])).toBeGreaterThan(0);
    expect(req(0, "DIRECTORY_PART", "/p", "3").payload.slice(1)).toEqual(["bbb", ""]);
    expect(req(0, "DIRECTORY_PART", "/p", "7").payload.slice(1)).toEqual([""]);
    expect(show(req(0, "DIRECTORY_PART", "/p"))).toBe("EINVAL");
  });

  it("DIRECTORY_PART splits a list longer than the payload limit and its generation changes with the node", () => {
    const { req } = boot();
    for (let i = 0; i < 400; i++) req(0, "MKDIR", `/big/entry-name-${String(i).padStart(4, "0")}`);
    const names: string[] = [];
    let off = 0;
    let gen = "";
    for (;;) {
      const [g, ...kids] = req(0, "DIRECTORY_PART", "/big", String(off)).payload;
      gen ||= g!;
      expect(g).toBe(gen);
      const done = kids[kids.length - 1] === "";
      const real = done ? kids.slice(0, -1) : kids;
      names.push(...real);
      off += real.reduce((n, k) => n + k.length + 1, 0);
      if (done) break;
    }
    expect(names.length).toBe(400);
    req(0, "MKDIR", "/big/new");
    expect(req(0, "DIRECTORY_PART", "/big", "0").payload[0]).not.toBe(gen);
  });

  it("GET_DOMAIN_PATH answers /local/domain/<domid> and EINVAL for a non-number or > 65535", () => {
    const { req } = boot();
    expect(req(1, "GET_DOMAIN_PATH", "7").payload).toEqual(["/local/domain/7"]);
    expect(show(req(1, "GET_DOMAIN_PATH", "x"))).toBe("EINVAL");
    expect(show(req(1, "GET_DOMAIN_PATH", "65536"))).toBe("EINVAL");
  });
});
