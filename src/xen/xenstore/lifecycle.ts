/**
 * Domain lifecycle in xenstored: introduction, @introduceDomain / @releaseDomain, and cleanup
 * when a domain is released or dies. Source: tools/xenstored/domain.c @RELEASE-4.22.0
 * (`introduce_domain`, `domain_conn_reset`, `fire_special_watches`, `destroy_domain`,
 * `domain_tree_remove_sub`, `do_check_domain`, `check_domains`); reference §4.4–§4.5.
 */
import { XENSTORE_CONNECTED, XENSTORE_RECONNECT } from "../abi/xs-wire.js";
import type { Domain } from "./connection.js";
import { owner, type XsNode } from "./node.js";
import { rmNode } from "./node-ops.js";
import { childPath, type DomId } from "./path.js";
import { getField, setField } from "./ring.js";
import { XsError } from "./store.js";
import * as txOps from "./transaction-ops.js";
import * as watchOps from "./watch-ops.js";
import type { Xenstored } from "./xenstored.js";

/**
 * `introduce_domain` + `domain_conn_reset`: map the ring, bind the port, make the connection,
 * then drop any watches, transactions and queued output and zero the ring indexes. A second
 * INTRODUCE of the same domain only rebinds the event channel (and resets as above).
 * `required`: INTRODUCE needs the ring page; xenstored's own start-up tolerates its absence here,
 * so that an API-only control domain works (C: the control domain always has a ring or socket).
 */
export function introduce(d: Xenstored, domid: DomId, port: number, required: boolean): Domain {
  const existing = d.domains.get(domid);
  let dom: Domain;
  if (!existing?.introduced) {
    const page = d.host.mapInterface(domid);
    if (typeof page === "string" && required) throw XsError.of(page);
    const mapped = typeof page === "string" ? undefined : page;
    const evtchn = mapped && getField(mapped, "evtchn_port") !== 0 ? getField(mapped, "evtchn_port") : port;
    const local = d.host.bindInterdomain(domid, evtchn);
    if (typeof local === "string" && required) throw XsError.of(local);
    dom = d.allocDomain(domid);
    dom.introduced = true;
    dom.shutdown = false;
    dom.page = mapped;
    dom.port = typeof local === "string" ? undefined : local;
    d.newConnection(dom);
    if (mapped) setField(mapped, "server_features", dom.features);
    if (domid !== d.privDomid) fireSpecial(d, "@introduceDomain", domid, true, true);
  } else {
    dom = existing;
    if (dom.port !== undefined) d.host.unbind(dom.port);
    const local = d.host.bindInterdomain(domid, port);
    dom.port = typeof local === "string" ? undefined : local;
  }
  const conn = dom.conn!;
  watchOps.deleteAllWatches(d.watches, conn);
  txOps.deleteAllTransactions(conn);
  d.freeOutput(conn);
  conn.resetInput();
  const page = dom.page;
  if (page) {
    for (const f of ["req_cons", "req_prod", "rsp_cons", "rsp_prod"] as const) setField(page, f, 0);
    if (getField(page, "connection") === XENSTORE_RECONNECT) {
      setField(page, "connection", XENSTORE_CONNECTED);
      if (dom.port !== undefined) d.host.notify(dom.port);
    }
  }
  return dom;
}

/**
 * `fire_special_watches`: `nodom` fires watches on the bare name without a depth; `withDom` fires
 * `<name>/<domid>` for watches on exactly that path or on the bare name with depth >= 1.
 */
export function fireSpecial(d: Xenstored, name: "@introduceDomain" | "@releaseDomain", domid: DomId, nodom: boolean, withDom: boolean): void {
  const node = d.store.read(undefined, name);
  if (!node) return;
  if (nodom) d.store.fire(undefined, name, "nodepth", node);
  if (withDom) d.store.fire(undefined, `${name}/${domid}`, "depth", node);
}

/**
 * `destroy_domain` (reached by RELEASE, or when the hypervisor reports the domain dead): the
 * domain's connection goes first (so it hears nothing), then its nodes are deleted (or, with
 * keep-orphans, handed to the control domain) and permission entries naming it removed; an
 * introduced domain's departure fires @releaseDomain.
 */
export function destroyDomain(d: Xenstored, dom: Domain): void {
  const conn = dom.conn;
  if (conn) {
    d.freeOutput(conn);
    watchOps.deleteAllWatches(d.watches, conn);
    txOps.deleteAllTransactions(conn);
    for (const other of d.domains.values()) if (other.conn?.target === conn) other.conn.target = undefined;
    dom.conn = undefined;
  }
  treeRemove(d, dom.domid, "/");
  treeRemove(d, dom.domid, "@releaseDomain");
  treeRemove(d, dom.domid, "@introduceDomain");
  d.domains.delete(dom.domid);
  d.store.counts.delete(dom.domid);
  if (!dom.introduced) return;
  if (dom.port !== undefined) d.host.unbind(dom.port);
  fireSpecial(d, "@releaseDomain", dom.domid, true, true);
}

/** `domain_tree_remove_sub`, pre-order from `root`: owned subtrees go, other entries for `domid` are dropped. */
function treeRemove(d: Xenstored, domid: DomId, root: string): void {
  const s = d.store;
  const visit = (name: string): void => {
    const n = s.nodes.get(name);
    if (!n) return;
    if (owner(n) === domid && !d.keepOrphans && name !== "/" && name[0] !== "@") {
      rmNode(s, undefined, name, s.adjusted(n));
      return;
    }
    let perms = n.perms.filter((p, i) => i === 0 || p.id !== domid);
    if (owner(n) === domid) {
      perms = [{ id: d.privDomid, perms: perms[0]!.perms }, ...perms.slice(1)];
      s.addCount(undefined, domid, -1);
      s.addCount(undefined, d.privDomid, 1);
    }
    if (perms.length !== n.perms.length || perms[0] !== n.perms[0]) s.nodes.set(name, { ...n, perms } satisfies XsNode);
    for (const c of n.children) visit(childPath(name, c));
  };
  visit(root);
}

/**
 * `check_domains`, run on VIRQ_DOM_EXC: a newly shut-down domain fires `@releaseDomain/<domid>`
 * (and, once for the batch, `@releaseDomain`); a dead one is destroyed. Domains only referenced
 * by permissions are forgotten when the hypervisor no longer knows them.
 */
export function checkDomains(d: Xenstored): void {
  let notify = false;
  for (const dom of [...d.domains.values()].sort((a, b) => a.domid - b.domid)) {
    if (dom.domid === d.privDomid || dom.domid === d.storeDomid) continue;
    const info = d.host.domainInfo(dom.domid);
    if (!dom.introduced) {
      if (!info) destroyDomain(d, dom);
      continue;
    }
    if (info?.shutdown && !dom.shutdown) {
      dom.shutdown = true;
      fireSpecial(d, "@releaseDomain", dom.domid, false, true);
      notify = true;
    }
    if (info && !info.dead) continue;
    destroyDomain(d, dom);
    notify = false; // destroyDomain fired the bare @releaseDomain
  }
  if (notify) fireSpecial(d, "@releaseDomain", 0, true, false);
}
