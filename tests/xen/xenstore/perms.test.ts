import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boot, events, show } from "./helpers.js";

/** /h owned by dom1 with the given perms, dom1 and dom2 guests. */
function owned(perms: string[]) {
  const b = boot([1, 2, 3]);
  b.req(0, "WRITE", "/h/v", "secret");
  b.req(0, "SET_PERMS", "/h", "b0", "r1", "r2");
  b.req(0, "SET_PERMS", "/h/v", ...perms);
  return b;
}

describe("XenStore permissions (xenstore.txt; core.c perm_for_conn)", () => {
  it("gives the owner full access whatever its letter, others the default letter", () => {
    const { req } = owned(["n1"]);
    expect(show(req(1, "READ", "/h/v"))).toBe("secret");
    expect(show(req(1, "WRITE", "/h/v", "new"))).toBe("OK");
    expect(show(req(2, "READ", "/h/v"))).toBe("EACCES");
    expect(show(req(2, "WRITE", "/h/v", "x"))).toBe("EACCES");
  });

  it("applies the first matching later entry before the default letter", () => {
    const { req } = owned(["r1", "w2", "n3"]);
    expect(show(req(2, "READ", "/h/v"))).toBe("EACCES");
    expect(show(req(2, "WRITE", "/h/v", "w"))).toBe("OK");
    expect(show(req(3, "READ", "/h/v"))).toBe("EACCES");
  });

  it("permission matrix: letter x access for a listed non-owner", () => {
    const cases: [string, string, string][] = [
      ["n2", "EACCES", "EACCES"], ["r2", "secret", "EACCES"], ["w2", "EACCES", "OK"], ["b2", "secret", "OK"],
    ];
    for (const [perm, read, write] of cases) {
      const { req } = owned(["n1", perm]);
      expect([perm, show(req(2, "READ", "/h/v"))]).toEqual([perm, read]);
      expect([perm, show(req(2, "WRITE", "/h/v", "secret"))]).toEqual([perm, write]);
    }
  });

  it("lets a domain read a node it may read under a parent it may not (non-revealing errors only)", () => {
    const { req } = boot([1, 2]);
    req(0, "WRITE", "/p/open", "x");
    req(0, "SET_PERMS", "/p/open", "r0", "r1"); // r0 default: everybody may read
    expect(show(req(2, "READ", "/p/open"))).toBe("x");
    expect(show(req(2, "READ", "/p"))).toBe("EACCES");
    expect(show(req(2, "READ", "/p/absent"))).toBe("EACCES");
  });

  it("inherits the parent's permissions on create, an unprivileged creator becoming owner", () => {
    const { req } = boot([1, 2]);
    req(0, "MKDIR", "/g");
    req(0, "SET_PERMS", "/g", "n0", "w1", "r2");
    expect(show(req(1, "WRITE", "/g/x/y", "v"))).toBe("OK");
    expect(req(0, "GET_PERMS", "/g/x/y").payload).toEqual(["n1", "w1", "r2"]);
    req(0, "WRITE", "/g/z", "v");
    expect(req(0, "GET_PERMS", "/g/z").payload).toEqual(["n0", "w1", "r2"]);
  });

  it("creation needs write access on the nearest existing ancestor (EACCES otherwise)", () => {
    const { req } = boot([1, 2]);
    req(0, "MKDIR", "/g");
    req(0, "SET_PERMS", "/g", "n0", "r2");
    expect(show(req(2, "WRITE", "/g/a/b", "v"))).toBe("EACCES");
    expect(show(req(2, "MKDIR", "/g/a"))).toBe("EACCES");
    expect(show(req(0, "READ", "/g/a"))).toBe("ENOENT");
  });

  it("SET_PERMS: owner may change entries, not the owner (EPERM); non-owner EACCES; no entries EINVAL; bad letter EINVAL", () => {
    const { req } = owned(["n1"]);
    expect(show(req(1, "SET_PERMS", "/h/v", "n1", "r2"))).toBe("OK");
    expect(show(req(2, "READ", "/h/v"))).toBe("secret");
    expect(show(req(1, "SET_PERMS", "/h/v", "n2"))).toBe("EPERM");
    expect(show(req(2, "SET_PERMS", "/h/v", "n2"))).toBe("EACCES");
    expect(show(req(1, "SET_PERMS", "/h/v"))).toBe("EINVAL");
    expect(show(req(1, "SET_PERMS", "/h/v", "x1"))).toBe("EINVAL");
    expect(show(req(1, "SET_PERMS", "/h/v", "n1junk"))).toBe("EINVAL");
    expect(show(req(0, "SET_PERMS", "/h/v", "n2"))).toBe("OK");
  });

  it("SET_PERMS with a nonexistent owner domain is ENOENT; other unknown domids are kept but ignored", () => {
    const { req } = owned(["n1"]);
    expect(show(req(0, "SET_PERMS", "/h/v", "n77"))).toBe("ENOENT");
    expect(show(req(0, "SET_PERMS", "/h/v", "n1", "r77"))).toBe("OK");
    expect(req(0, "GET_PERMS", "/h/v").payload).toEqual(["n1", "r77"]);
  });

  it("accepts strtol syntax for domids and prints them back in decimal", () => {
    const { req } = owned(["n1"]);
    expect(show(req(0, "SET_PERMS", "/h/v", "n0x1", "r02"))).toBe("OK");
    expect(req(0, "GET_PERMS", "/h/v").payload).toEqual(["n1", "r2"]);
  });

  it("DOMID_ANY in an entry grants every domain", () => {
    const { req } = owned(["n1", "r32757"]);
    expect(show(req(3, "READ", "/h/v"))).toBe("secret");
    expect(show(req(3, "WRITE", "/h/v", "x"))).toBe("EACCES");
  });

  it("SET_TARGET lets a domain act with its target's rights (privileged only)", () => {
    const { req } = owned(["n1"]);
    expect(show(req(3, "READ", "/h/v"))).toBe("EACCES");
    expect(show(req(3, "SET_TARGET", "3", "1"))).toBe("EACCES");
    expect(show(req(0, "SET_TARGET", "3", "1"))).toBe("OK");
    expect(show(req(3, "READ", "/h/v"))).toBe("secret");
    expect(show(req(3, "SET_PERMS", "/h/v", "n1", "r2"))).toBe("OK");
    expect(show(req(0, "SET_TARGET", "3", "9"))).toBe("ENOENT");
  });

  it("an unprivileged domain learns nothing of a node it may not read, not even whether it exists", () => {
    fc.assert(
      fc.property(fc.constantFrom("READ", "DIRECTORY", "GET_PERMS", "WRITE", "MKDIR", "RM", "SET_PERMS", "WATCH"),
        fc.boolean(), fc.stringMatching(/^[a-z]{1,4}$/), (op, exists, leaf) => {
          const { xs, req } = boot([1, 2]);
          req(0, "MKDIR", "/s");
          if (exists) req(0, "WRITE", `/s/${leaf}`, "v");
          const args = op === "SET_PERMS" ? ["n2"] : op === "WRITE" ? ["x"] : op === "WATCH" ? ["tok"] : [];
          const r = show(req(2, op as "READ", `/s/${leaf}`, ...args));
          if (op === "WATCH") {
            expect(r).toBe("OK");
            const ev = events(xs, 2);
            req(0, "WRITE", `/s/${leaf}`, "changed");
            expect([...ev, ...events(xs, 2)]).toEqual([`/s/${leaf} tok`]);
          } else expect(r).toBe("EACCES");
          expect(show(req(0, "READ", `/s/${leaf}`))).toBe(op === "WATCH" ? "changed" : exists ? "v" : "ENOENT");
        }),
      { numRuns: 60 },
    );
  });

  it("an error reply changes nothing (property over random unprivileged requests)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("WRITE", "MKDIR", "RM", "SET_PERMS"), fc.constantFrom("/q", "/q/a", "/q/a/b", "/local/domain/1/x", "/q/ro"), fc.constantFrom(1, 2)), { maxLength: 12 }), (ops) => {
        const { req } = boot([1, 2]);
        req(0, "WRITE", "/q/ro", "0");
        req(0, "SET_PERMS", "/q", "n0", "w1");
        req(0, "SET_PERMS", "/q/ro", "r1");
        req(0, "MKDIR", "/local/domain/1");
        req(0, "SET_PERMS", "/local/domain/1", "n1");
        const dump = (): string => ["/q", "/q/a", "/q/a/b", "/q/ro", "/local/domain/1", "/local/domain/1/x"]
          .map((p) => `${show(req(0, "READ", p))}:${show(req(0, "GET_PERMS", p))}:${show(req(0, "DIRECTORY", p))}`).join(";");
        for (const [op, path, dom] of ops) {
          const before = dump();
          const r = req(dom, op as "WRITE", path, ...(op === "WRITE" ? ["v"] : op === "SET_PERMS" ? [`n${dom}`] : []));
          if (r.name === "ERROR") expect(dump()).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
  });
});
