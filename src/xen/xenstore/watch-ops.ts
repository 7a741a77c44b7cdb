/**
 * WATCH, UNWATCH and RESET_WATCHES. Source: tools/xenstored/watch.c `do_watch`, `do_unwatch`,
 * `conn_delete_all_watches`; domain.c `do_reset_watches` @RELEASE-4.22.0 (reference §4.5).
 */
import { XENSTORE_SERVER_FEATURE_WATCHDEPTH } from "../abi/xs-wire.js";
import type { Connection } from "./connection.js";
import { atoi, nulStrings } from "./cstring.js";
import { domainPath, isRelative } from "./path.js";
import { XsError, type Ctx, type Store } from "./store.js";
import type { WatchIndex } from "./watch.js";

/**
 * WATCH `<wpath>|<token>|[<depth>|]`: a third argument only with the WATCHDEPTH feature. A
 * duplicate (path, token) is EEXIST; the `watches` quota gives ENOSPC. The watch fires once at
 * once, after the OK, with the path as given (relative stays relative).
 */
export function doWatch(s: Store, ctx: Ctx, payload: string, after: (() => void)[]): string {
  const conn = ctx.conn;
  const args = nulStrings(payload);
  let depth = -1;
  if (args.length === 3 && conn.domain.features & XENSTORE_SERVER_FEATURE_WATCHDEPTH) {
    depth = atoi(args[2]!);
    if (depth < 0) throw XsError.of("EINVAL");
  } else if (args.length !== 2) throw XsError.of("EINVAL");
  const name = s.canonical(conn, args[0], true);
  const token = args[1]!;
  if (conn.watches.some((w) => w.node === name && w.token === token)) throw XsError.of("EEXIST");
  if (s.over(conn, "watches", conn.domain.watches + 1)) throw XsError.of("ENOSPC");
  const prefixLen = isRelative(args[0]!) ? domainPath(conn.id).length + 1 : 0;
  const w = { conn, node: name, token, depth, prefixLen, seq: s.watches.nextSeq() };
  conn.watches.push(w);
  s.watches.add(w);
  conn.domain.watches++;
  // Not linked to the request: the initial event does not hold the WATCH outstanding.
  after.push(() => conn.queueEvent(name.slice(prefixLen), token, undefined));
  return "OK\0";
}

/** UNWATCH `<wpath>|<token>|`: exactly two strings; ENOENT if no such watch. */
export function doUnwatch(s: Store, ctx: Ctx, payload: string): string {
  const conn = ctx.conn;
  const args = nulStrings(payload);
  if (args.length !== 2) throw XsError.of("EINVAL");
  const name = s.canonical(conn, args[0], true);
  const i = conn.watches.findIndex((w) => w.node === name && w.token === args[1]);
  if (i < 0) throw XsError.of("ENOENT");
  s.watches.remove(conn.watches[i]!);
  conn.watches.splice(i, 1);
  conn.domain.watches--;
  return "OK\0";
}

export function deleteAllWatches(index: WatchIndex, conn: Connection): void {
  for (const w of conn.watches) index.remove(w);
  conn.domain.watches -= conn.watches.length;
  conn.watches.length = 0;
}
