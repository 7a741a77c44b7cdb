import { describe, expect, it } from "vitest";
import { boot, events, reqTx, show } from "./helpers.js";

function start(req: ReturnType<typeof boot>["req"], d = 0): number {
  return Number(req(d, "TRANSACTION_START", "").payload[0]);
}

describe("XenStore transactions (transaction.c)", () => {
  it("numbers transactions from 1 in decimal and keeps their writes private until commit", () => {
    const { xs, req } = boot();
    const t = start(req);
    expect(t).toBe(1);
    expect(show(reqTx(xs, 0, t, "WRITE", "/t/a", "1"))).toBe("OK");
    expect(show(req(0, "READ", "/t/a"))).toBe("ENOENT");
    expect(show(reqTx(xs, 0, t, "READ", "/t/a"))).toBe("1");
    expect(show(reqTx(xs, 0, t, "TRANSACTION_END", "T"))).toBe("OK");
    expect(show(req(0, "READ", "/t/a"))).toBe("1");
  });

  it("discards everything on abort (F)", () => {
    const { xs, req } = boot();
    const t = start(req);
    reqTx(xs, 0, t, "WRITE", "/t/a", "1");
    expect(show(reqTx(xs, 0, t, "TRANSACTION_END", "F"))).toBe("OK");
    expect(show(req(0, "READ", "/t/a"))).toBe("ENOENT");
    expect(show(reqTx(xs, 0, t, "READ", "/t"))).toBe("ENOENT");
  });

  it("answers EAGAIN when a node read in the transaction changed outside, applying nothing", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/a", "0");
    const t = start(req);
    reqTx(xs, 0, t, "READ", "/a");
    reqTx(xs, 0, t, "WRITE", "/b", "tx");
    req(0, "WRITE", "/a", "outside");
    expect(show(reqTx(xs, 0, t, "TRANSACTION_END", "T"))).toBe("EAGAIN");
    expect(show(req(0, "READ", "/b"))).toBe("ENOENT");
    expect(show(reqTx(xs, 0, t, "READ", "/a"))).toBe("ENOENT");
  });

  it("answers EAGAIN for a node only written in the transaction but changed outside (C xenstored, not oxenstored)", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/a", "0");
    const t = start(req);
    reqTx(xs, 0, t, "WRITE", "/a", "tx");
    req(0, "WRITE", "/a", "outside");
    expect(show(reqTx(xs, 0, t, "TRANSACTION_END", "T"))).toBe("EAGAIN");
    expect(show(req(0, "READ", "/a"))).toBe("outside");
  });

  it("counts an outside delete as a conflict", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/a", "0");
    const t = start(req);
    reqTx(xs, 0, t, "READ", "/a");
    req(0, "RM", "/a");
    expect(show(reqTx(xs, 0, t, "TRANSACTION_END", "T"))).toBe("EAGAIN");
  });

  it("commits when outside writes touch nodes the transaction never accessed", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/a", "0");
    const t = start(req);
    reqTx(xs, 0, t, "WRITE", "/a", "tx");
    req(0, "WRITE", "/unrelated", "x");
    expect(show(reqTx(xs, 0, t, "TRANSACTION_END", "T"))).toBe("OK");
    expect(show(req(0, "READ", "/a"))).toBe("tx");
  });

  it("two interfering transactions: the first to commit wins, the second gets EAGAIN", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/A", "a");
    req(0, "WRITE", "/B", "b");
    const t1 = start(req);
    const t2 = start(req);
    reqTx(xs, 0, t1, "READ", "/A");
    reqTx(xs, 0, t2, "READ", "/B");
    reqTx(xs, 0, t1, "WRITE", "/B", "1");
    reqTx(xs, 0, t2, "WRITE", "/A", "2");
    expect(show(reqTx(xs, 0, t1, "TRANSACTION_END", "T"))).toBe("OK");
    expect(show(reqTx(xs, 0, t2, "TRANSACTION_END", "T"))).toBe("EAGAIN");
    expect([show(req(0, "READ", "/A")), show(req(0, "READ", "/B"))]).toEqual(["a", "1"]);
  });

  it("holds watch events back until commit and drops them on abort", () => {
    const { xs, req } = boot();
    req(0, "WATCH", "/w", "t");
    events(xs, 0);
    const t = start(req);
    reqTx(xs, 0, t, "WRITE", "/w/x", "1");
    expect(events(xs, 0)).toEqual([]);
    reqTx(xs, 0, t, "TRANSACTION_END", "T");
    expect(events(xs, 0)).toEqual(["/w/x t"]);
    const t2 = start(req);
    reqTx(xs, 0, t2, "WRITE", "/w/y", "1");
    reqTx(xs, 0, t2, "TRANSACTION_END", "F");
    expect(events(xs, 0)).toEqual([]);
  });

  it("answers ENOENT for an unknown tx_id, EBUSY for a nested START, EINVAL for an END argument other than T/F", () => {
    const { xs, req } = boot();
    expect(show(reqTx(xs, 0, 77, "READ", "/"))).toBe("ENOENT");
    const t = start(req);
    expect(show(reqTx(xs, 0, t, "TRANSACTION_START", ""))).toBe("EBUSY");
    expect(show(reqTx(xs, 0, t, "TRANSACTION_END", "X"))).toBe("EINVAL");
    expect(show(reqTx(xs, 0, t, "TRANSACTION_END", "T"))).toBe("OK");
    expect(show(req(0, "TRANSACTION_END", "T"))).toBe("ENOENT");
  });

  it("keeps transaction ids per connection and ignores tx_id for WATCH", () => {
    const { xs, req } = boot();
    const t = start(req, 0);
    expect(show(reqTx(xs, 1, t, "READ", "/"))).toBe("ENOENT");
    expect(show(reqTx(xs, 0, 999, "WATCH", "/x", "t"))).toBe("OK");
  });

  it("RM inside a transaction is invisible outside until commit", () => {
    const { xs, req } = boot();
    req(0, "WRITE", "/r/a", "1");
    const t = start(req);
    reqTx(xs, 0, t, "RM", "/r");
    expect(show(reqTx(xs, 0, t, "READ", "/r/a"))).toBe("ENOENT");
    expect(show(req(0, "READ", "/r/a"))).toBe("1");
    reqTx(xs, 0, t, "TRANSACTION_END", "T");
    expect(show(req(0, "READ", "/r"))).toBe("ENOENT");
  });
});
