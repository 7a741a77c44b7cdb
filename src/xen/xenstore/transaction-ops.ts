/**
 * TRANSACTION_START and TRANSACTION_END. Source: tools/xenstored/transaction.c
 * `do_transaction_start`, `do_transaction_end`, `finalize_transaction`; domain.c
 * `acc_fix_domains` @RELEASE-4.22.0 (reference §4.6).
 */
import type { Connection } from "./connection.js";
import { oneArg } from "./cstring.js";
import { quotaExceeded } from "./quota.js";
import { XsError, type Ctx, type Store } from "./store.js";
import { Transaction } from "./transaction.js";
import type { DomId } from "./path.js";

/** Quota facts of other domains that a commit re-checks. */
export interface CommitEnv {
  nodesQuotaOf(domid: DomId): { quota: number; privileged: boolean } | undefined;
}

/** TRANSACTION_START `|` -> decimal id. No nesting (EBUSY); the `transactions` quota gives ENOSPC. */
export function doTransactionStart(s: Store, ctx: Ctx): string {
  const conn = ctx.conn;
  if (ctx.tx) throw XsError.of("EBUSY");
  if (s.over(conn, "transactions", conn.domain.transactions + 1)) throw XsError.of("ENOSPC");
  let id: number;
  do {
    id = conn.nextTransactionId;
    conn.nextTransactionId = (conn.nextTransactionId + 1) >>> 0;
  } while (id === 0 || conn.transactions.has(id));
  conn.transactions.set(id, new Transaction(id, s.nextGeneration()));
  conn.domain.transactions++;
  return `${id}\0`;
}

export function endTransaction(conn: Connection, tx: Transaction): void {
  if (conn.transactions.delete(tx.id)) conn.domain.transactions--;
}

export function deleteAllTransactions(conn: Connection): void {
  conn.domain.transactions -= conn.transactions.size;
  conn.transactions.clear();
}

/**
 * TRANSACTION_END `T|` commits, `F|` aborts; any other argument is EINVAL and keeps the
 * transaction. Otherwise the transaction is over whatever the answer: ENOMEM if an access in
 * it failed, ENOSPC if its new nodes break an owner's `nodes` quota, EAGAIN if any node it
 * accessed has changed globally since (deleted counts as changed).
 */
export function doTransactionEnd(s: Store, ctx: Ctx, payload: string, env: CommitEnv): string {
  const arg = oneArg(payload);
  if (arg !== "T" && arg !== "F") throw XsError.of("EINVAL");
  const tx = ctx.tx;
  if (!tx) throw XsError.of("ENOENT");
  endTransaction(ctx.conn, tx);
  if (arg === "F") return "OK\0";
  if (tx.fail) throw XsError.of("ENOMEM");
  if (tx.nodeCreated && !ctx.conn.privileged) {
    for (const [domid, delta] of tx.changedDomains) {
      const q = env.nodesQuotaOf(domid);
      if (q && delta >= 0 && quotaExceeded(q.quota, s.count(domid) + delta, q.privileged)) throw XsError.of("ENOSPC");
    }
  }
  for (const [name, a] of tx.accessed) {
    const global = s.nodes.get(name);
    if ((global ? global.generation : -1) !== a.generation) throw XsError.of("EAGAIN");
  }
  const outside: Ctx = { conn: ctx.conn, tx: undefined, req: ctx.req };
  for (const [name, a] of tx.accessed) {
    if (!a.modified) continue;
    if (a.node) s.put(undefined, { ...a.node, generation: s.nextGeneration() });
    else s.remove(undefined, name);
    if (a.fireWatch) s.fire(outside, name, a.watchMatch, undefined, a.origPerms);
  }
  for (const [domid, delta] of tx.changedDomains) s.addCount(undefined, domid, delta);
  return "OK\0";
}
