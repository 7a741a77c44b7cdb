/**
 * The database requests: READ, WRITE, MKDIR, RM, DIRECTORY, DIRECTORY_PART, GET_PERMS, SET_PERMS.
 * Source: tools/xenstored/core.c @RELEASE-4.22.0 (`do_read`, `do_write`, `construct_node`,
 * `create_node`, `do_mkdir`, `do_rm`, `rm_node`, `send_directory(_part)`, `do_get/set_perms`);
 * payloads per docs/misc/xenstore.txt (reference §4.1, §4.4).
 *
 * Every handler checks everything before it changes anything, so an error reply leaves the store
 * as it was (C xenstored instead writes node by node and undoes on failure).
 */
import { DOMID_ANY, XENSTORE_PAYLOAD_MAX, XENSTORE_SERVER_FEATURE_DOMID_ANY, XS_PERM_IGNORE, XS_PERM_OWNER, XS_PERM_READ, XS_PERM_WRITE } from "../abi/xs-wire.js";
import { atoi, nulStrings, oneArg } from "./cstring.js";
import { nodeSize, nodeSizeOf, owner, withChild, withoutChild, type XsNode } from "./node.js";
import { baseName, childPath, parentOf, type DomId } from "./path.js";
import { formatPerm, parsePerms, type Perm } from "./perms.js";
import { XsError, type Ctx, type Store } from "./store.js";

const OK = "OK\0";

/** What SET_PERMS needs to know about domains (domain.c `domain_alloc_permrefs`). */
export interface PermRefs {
  isKnownDomain(domid: DomId): boolean;
  domainExists(domid: DomId): boolean;
  allocDomain(domid: DomId): void;
}

export function doRead(s: Store, ctx: Ctx, payload: string): string {
  const { node } = s.lookup(ctx, oneArg(payload), XS_PERM_READ, false);
  if (!node) throw XsError.of("ENOENT");
  return node.value;
}

export function doDirectory(s: Store, ctx: Ctx, payload: string): string {
  const { node } = s.lookup(ctx, oneArg(payload), XS_PERM_READ, false);
  if (!node) throw XsError.of("ENOENT");
  return childList(node);
}

function childList(node: XsNode): string {
  let out = "";
  for (const c of node.children) out += c + "\0";
  return out;
}

/** `<path>|<offset>|` -> `<gencnt>|<children from byte offset>`, a final extra NUL marking the end. */
export function doDirectoryPart(s: Store, ctx: Ctx, payload: string): string {
  const args = nulStrings(payload);
  if (args.length !== 2) throw XsError.of("EINVAL");
  const { node } = s.lookup(ctx, args[0], XS_PERM_READ, false);
  if (!node) throw XsError.of("ENOENT");
  const off = atoi(args[1]!) >>> 0; // unsigned int in C: a negative offset is past the end
  const gen = `${node.generation}\0`;
  if (off >= node.childlen) return gen + "\0";
  const all = childList(node);
  // core.c `send_directory_part`: whole names while they fit below the payload limit.
  const maxlen = XENSTORE_PAYLOAD_MAX - gen.length - 1;
  let len = 0;
  for (let pos = off; ; ) {
    const n = all.indexOf("\0", pos) - pos;
    if (len + n >= maxlen) break;
    len += n + 1;
    pos += n + 1;
    if (off + len === node.childlen) break;
  }
  const part = all.slice(off, off + len);
  return gen + part + (off + len === node.childlen ? "\0" : "");
}

export function doGetPerms(s: Store, ctx: Ctx, payload: string): string {
  const { node } = s.lookup(ctx, oneArg(payload), XS_PERM_READ, true);
  if (!node) throw XsError.of("ENOENT");
  return node.perms.map((p) => formatPerm(p) + "\0").join("");
}

/** WRITE `<path>|<value|>`: creates missing parents with empty values. */
export function doWrite(s: Store, ctx: Ctx, payload: string): string {
  const nul = payload.indexOf("\0");
  if (nul < 0) throw XsError.of("EINVAL");
  // The payload is latin1 already: the API checks it, and ring bytes arrive one char per byte.
  const value = payload.slice(nul + 1);
  const { name, node } = s.lookup(ctx, payload.slice(0, nul), XS_PERM_WRITE, false);
  let written: XsNode;
  if (node) {
    if (s.over(ctx.conn, "node-size", nodeSizeOf(node.perms, value, node.childlen))) throw XsError.of("ENOSPC");
    written = { name: node.name, generation: s.nextGeneration(), perms: node.perms, value, children: node.children, childlen: node.childlen };
    s.put(ctx, written);
  } else written = createNode(s, ctx, name, value);
  s.fire(ctx, name, "subtree", written);
  return OK;
}

export function doMkdir(s: Store, ctx: Ctx, payload: string): string {
  const { name, node } = s.lookup(ctx, oneArg(payload), XS_PERM_WRITE, false);
  if (!node) {
    const created = createNode(s, ctx, name, "");
    s.fire(ctx, name, "subtree", created);
  }
  return OK;
}

/**
 * core.c `construct_node` + `create_node`: the new nodes copy the nearest existing ancestor's
 * permissions; an unprivileged creator becomes their owner. Quota checks run leaf first, as in C;
 * the `nodes` check compares the committed count + 1 for each new node, so one request creating
 * several parents can pass the quota by more than one node (C xenstored does the same).
 */
function createNode(s: Store, ctx: Ctx, name: string, value: string): XsNode {
  const names = [name];
  let parent: XsNode | undefined;
  for (let p = name; ; ) {
    p = parentOf(p);
    parent = s.read(ctx, p);
    if (parent) break;
    if (p === "/") throw XsError.of("ENOENT");
    names.push(p);
  }
  const conn = ctx.conn;
  const perms = conn.privileged ? parent.perms : [{ id: conn.id, perms: parent.perms[0]!.perms }, ...parent.perms.slice(1)];
  const fresh: XsNode[] = names.map((n, i) => {
    const child = i > 0 ? baseName(names[i - 1]!) : undefined;
    return {
      name: n, generation: 0, perms, value: i === 0 ? value : "",
      children: child === undefined ? [] : [child], childlen: child === undefined ? 0 : child.length + 1,
    };
  });
  for (const n of fresh) {
    if (s.over(conn, "nodes", s.count(conn.id) + 1)) throw XsError.of("ENOSPC");
    if (s.over(conn, "node-size", nodeSize(n))) throw XsError.of("ENOSPC");
  }
  const grown = { ...parent, ...withChild(parent, baseName(names[names.length - 1]!)) };
  if (s.over(conn, "node-size", nodeSize(grown))) throw XsError.of("ENOSPC");

  if (ctx.tx) ctx.tx.nodeCreated = true;
  for (const n of fresh) {
    s.put(ctx, { ...n, generation: s.nextGeneration() });
    s.addCount(ctx, owner(n), 1);
  }
  s.put(ctx, { ...grown, generation: s.nextGeneration() });
  return s.read(ctx, name)!;
}

/** RM `<path>|`: recursive; OK if absent but its parent exists; "/" is EINVAL. */
export function doRm(s: Store, ctx: Ctx, payload: string): string {
  const { name, node } = s.lookup(ctx, oneArg(payload), XS_PERM_WRITE, false);
  if (!node) {
    if (s.read(ctx, parentOf(name))) return OK;
    throw XsError.of("ENOENT");
  }
  if (name === "/") throw XsError.of("EINVAL");
  rmNode(s, ctx, name, node);
  return OK;
}

/**
 * core.c `rm_node`: delete `node` and everything below it, children before parents, firing each
 * deleted node's watches (the root with subtree match, the rest exact) while its permissions are
 * still known. `ctx` undefined: xenstored's own cleanup (no transaction, no requester).
 */
export function rmNode(s: Store, ctx: Ctx | undefined, name: string, node: XsNode): void {
  const parent = s.read(ctx, parentOf(name));
  if (!parent) throw XsError.of("EINVAL");
  const doomed: { node: XsNode; parent: XsNode }[] = [];
  const collect = (n: XsNode, p: XsNode): void => {
    for (const c of n.children) {
      const child = s.read(ctx, childPath(n.name, c));
      if (child) collect(child, n);
    }
    doomed.push({ node: n, parent: p });
  };
  collect(node, parent);
  for (const d of doomed) {
    s.nextGeneration();
    s.addCount(ctx, owner(d.node), -1);
    s.remove(ctx, d.node.name);
    s.fire(ctx, d.node.name, d.node === node ? "subtree" : "exact", d.node, undefined, d.parent);
  }
  s.put(ctx, { ...parent, ...withoutChild(parent, baseName(name)), generation: s.nextGeneration() });
}

/** SET_PERMS `<path>|<perm>|+`: needs write and owner rights; only privileged callers change the owner. */
export function doSetPerms(s: Store, ctx: Ctx, payload: string, refs: PermRefs): string {
  const args = nulStrings(payload);
  if (args.length < 2) throw XsError.of("EINVAL");
  const conn = ctx.conn;
  if (s.over(conn, "node-permissions", args.length - 1)) throw XsError.of("ENOSPC");
  const parsed = parsePerms(args.slice(1));
  if (!parsed) throw XsError.of("EINVAL");
  const alloc: DomId[] = [];
  const perms: Perm[] = parsed.map((p) => {
    const ignore = p.id === DOMID_ANY
      ? !(conn.domain.features & XENSTORE_SERVER_FEATURE_DOMID_ANY)
      : !refs.isKnownDomain(p.id) && !refs.domainExists(p.id);
    if (!ignore && p.id !== DOMID_ANY && !refs.isKnownDomain(p.id)) alloc.push(p.id);
    return ignore ? { id: p.id, perms: p.perms | XS_PERM_IGNORE } : p;
  });
  if (perms[0]!.perms & XS_PERM_IGNORE) throw XsError.of("ENOENT");
  const { name, node } = s.lookup(ctx, args[0], XS_PERM_WRITE | XS_PERM_OWNER, true);
  if (!node) throw XsError.of("ENOENT");
  if (!conn.privileged && perms[0]!.id !== owner(node)) throw XsError.of("EPERM");
  const next = { ...node, perms };
  if (s.over(conn, "node-size", nodeSize(next))) throw XsError.of("ENOSPC");

  for (const id of alloc) refs.allocDomain(id);
  s.addCount(ctx, owner(node), -1);
  s.addCount(ctx, owner(next), 1);
  const written = { ...next, generation: s.nextGeneration() };
  s.put(ctx, written);
  s.fire(ctx, name, "subtree", written, node.perms);
  return OK;
}
