import { describe, expect, it } from "vitest";
import { boot, reqTx, show } from "./helpers.js";

function guestHome() {
  const b = boot([1]);
  b.req(0, "MKDIR", "/local/domain/1");
  b.req(0, "SET_PERMS", "/local/domain/1", "n1");
  return b;
}

describe("XenStore quotas, Xen 4.22 `>=` checks (domain.c quotas[])", () => {
  it("nodes: an unprivileged domain may own 999 nodes; the 1000th is ENOSPC; dom0 is not limited", () => {
    const { req } = guestHome(); // owns its home: 1 node
    for (let j = 0; j < 40; j++) expect(show(req(1, "MKDIR", `a${j}`))).toBe("OK");
    let leaves = 0;
    for (let i = 0; i < 960 && show(req(1, "WRITE", `a${i % 40}/n${Math.floor(i / 40)}`, "")) === "OK"; i++) leaves++;
    expect(1 + 40 + leaves).toBe(999);
    expect(show(req(1, "WRITE", "a0/extra", ""))).toBe("ENOSPC");
    expect(show(req(1, "READ", "a0/extra"))).toBe("ENOENT");
    expect(show(req(1, "RM", "a0/n0"))).toBe("OK");
    expect(show(req(1, "WRITE", "a0/extra", ""))).toBe("OK");
    for (let i = 0; i < 1200; i++) req(0, "WRITE", `/dom0/d${i % 60}/n${i}`, "");
    expect(show(req(0, "READ", "/dom0/d59/n1199"))).toBe("");
  });

  it("watches: 127 per domain, the 128th is ENOSPC", () => {
    const { req } = guestHome();
    for (let i = 0; i < 127; i++) expect(show(req(1, "WATCH", "x", `t${i}`))).toBe("OK");
    expect(show(req(1, "WATCH", "x", "more"))).toBe("ENOSPC");
    req(1, "UNWATCH", "x", "t0");
    expect(show(req(1, "WATCH", "x", "more"))).toBe("OK");
  });

  it("transactions: 9 open per domain, the 10th is ENOSPC", () => {
    const { req } = guestHome();
    for (let i = 0; i < 9; i++) expect(req(1, "TRANSACTION_START", "").name).toBe("TRANSACTION_START");
    expect(show(req(1, "TRANSACTION_START", ""))).toBe("ENOSPC");
  });

  it("node-permissions: 4 entries, 5 is ENOSPC (privileged exempt)", () => {
    const { req } = guestHome();
    req(1, "WRITE", "p", "");
    expect(show(req(1, "SET_PERMS", "p", "n1", "r0", "r0", "r0"))).toBe("OK");
    expect(show(req(1, "SET_PERMS", "p", "n1", "r0", "r0", "r0", "r0"))).toBe("ENOSPC");
    expect(show(req(0, "SET_PERMS", "/local/domain/1/p", "n1", "r0", "r0", "r0", "r0", "r0"))).toBe("OK");
  });

  it("path-max: 2047 characters after /local/domain/<id>/, 2048 is EINVAL", () => {
    const { req } = guestHome();
    req(0, "SET_QUOTA", "1", "nodes", "0");
    expect(show(req(1, "WRITE", "a/".repeat(1023) + "a", ""))).toBe("OK");
    expect(show(req(1, "WRITE", "a/".repeat(1023) + "bb", ""))).toBe("EINVAL");
    expect(show(req(1, "WRITE", "/local/domain/1/" + "a/".repeat(1023) + "c", ""))).toBe("OK");
  });

  it("node-size: header + perms + value + child names must stay below 2048 bytes", () => {
    const { req } = guestHome();
    // 16-byte header + one 8-byte perm: values up to 2023 bytes fit.
    expect(show(req(1, "WRITE", "v", "x".repeat(2023)))).toBe("OK");
    expect(show(req(1, "WRITE", "v", "x".repeat(2024)))).toBe("ENOSPC");
    expect(show(req(1, "READ", "v")).length).toBe(2023);
    expect(show(req(0, "WRITE", "/local/domain/1/v", "x".repeat(3000)))).toBe("OK");
  });

  it("transaction-nodes: 1023 accessed nodes; the next access is ENOSPC and the commit then ENOMEM", () => {
    const { xs, req } = guestHome();
    for (let i = 0; i < 1030; i++) req(0, "WRITE", `/local/domain/1/k${i}`, "");
    req(0, "SET_QUOTA", "1", "nodes", "5000");
    const t = Number(req(1, "TRANSACTION_START", "").payload[0]);
    for (let i = 0; i < 1023; i++) expect(show(reqTx(xs, 1, t, "READ", `k${i}`))).toBe("");
    expect(show(reqTx(xs, 1, t, "READ", "k1023"))).toBe("ENOSPC");
    expect(show(reqTx(xs, 1, t, "TRANSACTION_END", "T"))).toBe("ENOMEM");
  });

  it("GET_QUOTA and SET_QUOTA read and change global and per-domain values (privileged only)", () => {
    const { req } = guestHome();
    expect(show(req(0, "GET_QUOTA", "nodes"))).toBe("1000");
    expect(show(req(0, "GET_QUOTA", "1", "watches"))).toBe("128");
    expect(show(req(0, "SET_QUOTA", "1", "watches", "2"))).toBe("OK");
    expect(show(req(1, "WATCH", "x", "a"))).toBe("OK");
    expect(show(req(1, "WATCH", "x", "b"))).toBe("ENOSPC");
    expect(show(req(0, "GET_QUOTA", "bogus"))).toBe("EINVAL");
    expect(show(req(1, "GET_QUOTA", "nodes"))).toBe("EACCES");
    expect(show(req(0, "GET_QUOTA"))).toBe("nodes watches outstanding memory soft-memory transactions transaction-nodes node-permissions path-max node-size");
  });

  it("a quota of 0 disables the check", () => {
    const { req } = guestHome();
    req(0, "SET_QUOTA", "1", "watches", "0");
    for (let i = 0; i < 200; i++) expect(show(req(1, "WATCH", "x", `t${i}`))).toBe("OK");
  });
});
