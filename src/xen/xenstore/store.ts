/**
 * The node database and the access rules every request goes through: transaction overlay,
 * permission checks with non-revealing errors, node ownership counts and watch firing.
 * Source: tools/xenstored/core.c @RELEASE-4.22.0 (`read_node`, `get_node_chk_perm`,
 * `errno_from_parents`, `ask_parents`) and transaction.c `access_node`; reference §4.3–§4.4.
 */
import { XS_PERM_READ, type XsdError } from "../abi/xs-wire.js";
import type { Connection, PendingRequest } from "./connection.js";
import type { XsNode } from "./node.js";
import { canonicalize, domainPath, parentOf, type DomId } from "./path.js";
import { adjustPerms, permForConn, type PermList } from "./perms.js";
import { quotaExceeded, type QuotaName } from "./quota.js";
import type { Transaction } from "./transaction.js";
import type { WatchIndex, WatchMatch } from "./watch.js";

/**
 * A XenStore error reply: thrown inside the daemon, caught by the dispatcher, sent as its name.
 * One shared instance per errno (XsError.of): building an Error captures a stack trace, which cost
 * more than the failing request itself, and the dispatcher only ever reads `errno`.
 */
export class XsError extends Error {
  private static readonly cache = new Map<XsdError, XsError>();

  private constructor(readonly errno: XsdError) {
    super(errno);
  }

  static of(errno: XsdError): XsError {
    let e = XsError.cache.get(errno);
    if (e === undefined) {
      e = new XsError(errno);
      XsError.cache.set(errno, e);
    }
    return e;
  }
}

/** What one request runs with. */
export interface Ctx {
  readonly conn: Connection;
  readonly tx: Transaction | undefined;
  /** Set for unprivileged requesters: watch events it causes keep it outstanding. */
  readonly req: PendingRequest | undefined;
}

/** The daemon services the store needs. */
export interface StoreEnv {
  domainGeneration(domid: DomId): number | undefined;
}

export class Store {
  readonly nodes = new Map<string, XsNode>();
  /** Global generation count: incremented before every copy to a node or transaction. */
  generation = 0;
  /** Nodes owned per domain (domain.c `ACC_NODES`). */
  readonly counts = new Map<DomId, number>();

  /** Bound once: `adjusted` runs on every node read and would otherwise build a closure each time. */
  private readonly domainGeneration: (id: DomId) => number | undefined;

  constructor(
    env: StoreEnv,
    readonly watches: WatchIndex,
  ) {
    this.domainGeneration = (id) => env.domainGeneration(id);
  }

  /** A hard quota of the connection's domain, exceeded at `value`? (`domain_max_chk`) */
  over(conn: Connection, name: QuotaName, value: number): boolean {
    return quotaExceeded(conn.domain.quotas.hard[name], value, conn.privileged);
  }

  count(domid: DomId): number {
    return this.counts.get(domid) ?? 0;
  }

  addCount(ctx: Ctx | undefined, domid: DomId, delta: number): void {
    if (ctx?.tx) ctx.tx.countDelta(domid, delta);
    else this.counts.set(domid, this.count(domid) + delta);
  }

  /** Node as the request sees it, with XSA-322 perms adjustment; records transaction access. */
  read(ctx: Ctx | undefined, name: string): XsNode | undefined {
    const tx = ctx?.tx;
    let n: XsNode | undefined;
    const a = tx?.accessed.get(name);
    if (a) n = a.node;
    else {
      n = this.nodes.get(name);
      if (tx) {
        if (this.over(ctx!.conn, "transaction-nodes", tx.accessed.size + 1)) {
          tx.fail = true;
          throw XsError.of("ENOSPC");
        }
        tx.recordRead(name, n);
      }
    }
    return n && this.adjusted(n);
  }

  adjusted(n: XsNode): XsNode {
    const perms = adjustPerms(n.perms, n.generation, this.domainGeneration);
    return perms === n.perms ? n : { ...n, perms };
  }

  /** Rights of `conn` on a node (`perm_for_conn`). */
  perm(conn: Connection, perms: PermList): number {
    return permForConn(conn.id, conn.target?.id, conn.privileged, perms);
  }

  /** Canonical name of a request path, or EINVAL (`canonicalize`). */
  canonical(conn: Connection, path: string | undefined, allowSpecial: boolean): string {
    const pathMax = conn.privileged ? undefined : conn.domain.quotas.hard["path-max"] || undefined;
    const name = canonicalize(path, domainPath(conn.id), allowSpecial, pathMax);
    if (name === undefined) throw XsError.of("EINVAL");
    return name;
  }

  /**
   * core.c `get_node` + `get_node_chk_perm`: the node if the caller has `perm` on it; node undefined
   * when it does not exist and the nearest existing ancestor grants some of `perm` (so ENOENT may be
   * told); EACCES otherwise, so that a caller learns nothing of nodes it may not see.
   */
  lookup(ctx: Ctx, path: string | undefined, perm: number, allowSpecial: boolean): { name: string; node: XsNode | undefined } {
    const name = this.canonical(ctx.conn, path, allowSpecial);
    const node = this.read(ctx, name);
    if (node && (this.perm(ctx.conn, node.perms) & perm) === perm) return { name, node };
    const errno = this.errnoFromParents(ctx, name, node ? "EACCES" : "ENOENT", perm);
    if (errno === "ENOENT") return { name, node: undefined };
    throw XsError.of(errno);
  }

  /** core.c `errno_from_parents`: keep `errno` only if the nearest existing ancestor grants `perm`. */
  private errnoFromParents(ctx: Ctx, name: string, errno: XsdError, perm: number): XsdError {
    let p = name;
    let parent: XsNode | undefined;
    do {
      p = parentOf(p);
      parent = this.read(ctx, p);
    } while (!parent && p !== "/");
    if (!parent) return "EACCES";
    return this.perm(ctx.conn, parent.perms) & perm ? errno : "EACCES";
  }

  /** Store a node version: in the transaction, or globally (caller has bumped the generation). */
  put(ctx: Ctx | undefined, node: XsNode): void {
    const a = ctx?.tx?.accessed.get(node.name);
    if (ctx?.tx) {
      if (!a) throw new Error(`invariant: ${node.name} written in a transaction without being read first`);
      a.node = node;
      a.modified = true;
    } else this.nodes.set(node.name, node);
  }

  remove(ctx: Ctx | undefined, name: string): void {
    const a = ctx?.tx?.accessed.get(name);
    if (ctx?.tx) {
      if (!a) throw new Error(`invariant: ${name} deleted in a transaction without being read first`);
      a.node = undefined;
      a.modified = true;
    } else this.nodes.delete(name);
  }

  nextGeneration(): number {
    return ++this.generation;
  }

  /**
   * watch.c `fire_watches`: inside a transaction the event is queued until commit. Otherwise each
   * matching watch's connection gets WATCH_EVENT if it may read the node (or, failing that, its
   * parent), or could read it under `oldPerms` before a permission change (XSA-115).
   * `node` and `parent` are the versions to judge by (read from the database when undefined).
   */
  fire(ctx: Ctx | undefined, name: string, match: WatchMatch, node?: XsNode, oldPerms?: PermList, parent?: XsNode): void {
    if (ctx?.tx) {
      ctx.tx.queueWatch(name, match);
      return;
    }
    const ws = this.watches.match(name, match);
    if (ws.length === 0) return;
    const verdict = new Map<Connection, boolean>();
    for (const w of ws) {
      let ok = verdict.get(w.conn);
      if (ok === undefined) {
        ok = this.watchPermitted(w.conn, name, node, oldPerms, parent);
        verdict.set(w.conn, ok);
      }
      if (!ok) continue;
      const path = name.slice(w.prefixLen);
      if (path.length + w.token.length + 2 > 4096) continue; // XSA-324: over-long events are dropped
      const key = `${path}\0${w.token}\0`;
      if (path[0] !== "@" && w.conn.pendingEvents.has(key)) continue; // identical event still queued
      w.conn.queueEvent(path, w.token, ctx?.req);
      if (ctx?.req) ctx.req.events++;
    }
  }

  private watchPermitted(conn: Connection, name: string, node?: XsNode, oldPerms?: PermList, parent?: XsNode): boolean {
    if (oldPerms && this.perm(conn, oldPerms) & XS_PERM_READ) return true;
    const n = node ?? this.read(undefined, name);
    if (!n) return false;
    if (this.perm(conn, n.perms) & XS_PERM_READ) return true;
    const p = parent ?? this.read(undefined, parentOf(n.name));
    return p !== undefined && (this.perm(conn, p.perms) & XS_PERM_READ) !== 0;
  }
}
