/**
 * xenstored: the XenStore daemon's request dispatch, connections and API surface.
 * Source: tools/xenstored/core.c @RELEASE-4.22.0 (`wire_funcs`, `process_message`,
 * `send_reply`, `send_error`, `handle_input`, `write_messages`, `setup_structure`).
 *
 * Deviations from C xenstored, all deliberate:
 * - the `memory` quota, write-rate limiting (XSA-206) and the 20 s watch-event timeout are not
 *   modelled (they need byte-exact talloc sizes or wall-clock time);
 * - a failed request changes nothing (C sometimes leaves partial changes behind, e.g. an RM that
 *   hits `transaction-nodes` mid-walk answers EIO after deleting part of the subtree; here it
 *   answers ENOSPC and deletes nothing; like C it still fails the transaction);
 * - hash-table iteration order (C: unspecified) is domid order here.
 */
import {
  XENSTORE_ERROR_PROTO, XENSTORE_ERROR_RINGIDX, XENSTORE_PAYLOAD_MAX, XENSTORE_SERVER_FEATURE_ERROR,
  XSD_ERRORS, XSD_SOCKMSG_SIZE, XsType, type XsdError, DOMID_ANY, XS_PERM_NONE, XS_PERM_READ,
} from "../abi/xs-wire.js";
import { Connection, Domain, type OutMsg, type PendingRequest } from "./connection.js";
import { latin1Bytes } from "./cstring.js";
import * as dom from "./domain-ops.js";
import { checkDomains } from "./lifecycle.js";
import type { XenstoreHost } from "./host.js";
import * as nodeOps from "./node-ops.js";
import type { DomId } from "./path.js";
import { QuotaTable } from "./quota.js";
import { consume, pending, produce, setField } from "./ring.js";
import { Store, XsError, type Ctx } from "./store.js";
import * as txOps from "./transaction-ops.js";
import { WatchIndex } from "./watch.js";
import * as watchOps from "./watch-ops.js";
import { decodeHeader, decodeMessage, encodeMessage, parsedMessage, requestPayload, type XsMessage, type XsParsedMessage } from "./wire.js";

export interface XenstoredOptions {
  /** The control domain (C `priv_domid`): privileged requests and unlimited quotas. Default 0. */
  privDomid?: DomId;
  /** The domain xenstored runs in (C `store_domid`): Dom0, or a stub domain. Default privDomid. */
  storeDomid?: DomId;
  /** Event-channel ports of those domains' xenstore rings (C `get_domain_evtchn`). */
  privPort?: number;
  storePort?: number;
  /** C `-K`: on domain death hand its nodes to the control domain instead of deleting them. */
  keepOrphans?: boolean;
}

/** `after` collects work to run once the reply is built (the initial event of a WATCH). */
type Handler = (ctx: Ctx, payload: string, after: (() => void)[]) => string;
/** core.c `XS_FLAG_NOTID`, `XS_FLAG_PRIV`. */
interface WireFunc { readonly handler: Handler; readonly notid: boolean; readonly priv: boolean }

/** Every entry gets both flags, so that the table's records share one shape and dispatch reads them monomorphically. */
function wireFunc(handler: Handler, flags: { notid?: boolean; priv?: boolean } = {}): WireFunc {
  return { handler, notid: flags.notid ?? false, priv: flags.priv ?? false };
}

export class Xenstored {
  readonly watches = new WatchIndex();
  readonly store: Store;
  /** C `domhash`: every domain xenstored knows of, introduced or only referenced by a permission. */
  readonly domains = new Map<DomId, Domain>();
  readonly globalQuotas = new QuotaTable();
  readonly privDomid: DomId;
  readonly storeDomid: DomId;
  readonly keepOrphans: boolean;
  private readonly wireFuncs: Partial<Record<number, WireFunc>>;

  constructor(
    readonly host: XenstoreHost,
    opts: XenstoredOptions = {},
  ) {
    this.privDomid = opts.privDomid ?? 0;
    this.storeDomid = opts.storeDomid ?? this.privDomid;
    this.keepOrphans = opts.keepOrphans ?? false;
    this.store = new Store({ domainGeneration: (id) => this.domains.get(id)?.generation }, this.watches);
    const s = this.store;
    const refs: nodeOps.PermRefs = {
      isKnownDomain: (id) => this.domains.has(id),
      domainExists: (id) => this.host.domainInfo(id) !== undefined,
      allocDomain: (id) => void this.allocDomain(id),
    };
    this.wireFuncs = {
      [XsType.XS_CONTROL]: wireFunc((c, p) => dom.doControl(this, c, p), { priv: true }),
      [XsType.XS_DIRECTORY]: wireFunc((c, p) => nodeOps.doDirectory(s, c, p)),
      [XsType.XS_READ]: wireFunc((c, p) => nodeOps.doRead(s, c, p)),
      [XsType.XS_GET_PERMS]: wireFunc((c, p) => nodeOps.doGetPerms(s, c, p)),
      [XsType.XS_WATCH]: wireFunc((c, p, a) => watchOps.doWatch(s, c, p, a), { notid: true }),
      [XsType.XS_UNWATCH]: wireFunc((c, p) => watchOps.doUnwatch(s, c, p), { notid: true }),
      [XsType.XS_TRANSACTION_START]: wireFunc((c) => txOps.doTransactionStart(s, c)),
      [XsType.XS_TRANSACTION_END]: wireFunc((c, p) => txOps.doTransactionEnd(s, c, p, this.commitEnv)),
      [XsType.XS_INTRODUCE]: wireFunc((c, p) => dom.doIntroduce(this, c, p), { priv: true }),
      [XsType.XS_RELEASE]: wireFunc((c, p) => dom.doRelease(this, c, p), { priv: true }),
      [XsType.XS_GET_DOMAIN_PATH]: wireFunc((c, p) => dom.doGetDomainPath(c, p)),
      [XsType.XS_WRITE]: wireFunc((c, p) => nodeOps.doWrite(s, c, p)),
      [XsType.XS_MKDIR]: wireFunc((c, p) => nodeOps.doMkdir(s, c, p)),
      [XsType.XS_RM]: wireFunc((c, p) => nodeOps.doRm(s, c, p)),
      [XsType.XS_SET_PERMS]: wireFunc((c, p) => nodeOps.doSetPerms(s, c, p, refs)),
      [XsType.XS_IS_DOMAIN_INTRODUCED]: wireFunc((c, p) => dom.doIsDomainIntroduced(this, c, p), { priv: true }),
      [XsType.XS_RESUME]: wireFunc((c, p) => dom.doResume(this, c, p), { priv: true }),
      [XsType.XS_SET_TARGET]: wireFunc((c, p) => dom.doSetTarget(this, c, p), { priv: true }),
      [XsType.XS_RESET_WATCHES]: wireFunc((c) => dom.doResetWatches(this, c)),
      [XsType.XS_DIRECTORY_PART]: wireFunc((c, p) => nodeOps.doDirectoryPart(s, c, p)),
      [XsType.XS_GET_FEATURE]: wireFunc((c, p) => dom.doGetFeature(this, c, p)),
      [XsType.XS_SET_FEATURE]: wireFunc((c, p) => dom.doSetFeature(this, c, p), { priv: true }),
      [XsType.XS_GET_QUOTA]: wireFunc((c, p) => dom.doGetQuota(this, c, p), { priv: true }),
      [XsType.XS_SET_QUOTA]: wireFunc((c, p) => dom.doSetQuota(this, c, p), { priv: true }),
    };
    this.setupStructure();
    dom.initDomain(this, this.privDomid, opts.privPort ?? 0);
    if (this.storeDomid !== this.privDomid) dom.initDomain(this, this.storeDomid, opts.storePort ?? 0);
  }

  private readonly commitEnv: txOps.CommitEnv = {
    nodesQuotaOf: (id) => {
      const d = this.domains.get(id) ?? (this.host.domainInfo(id) ? this.allocDomain(id) : undefined);
      return d && { quota: d.quotas.hard.nodes, privileged: id === this.privDomid };
    },
  };

  /** core.c `setup_structure`: "/", "/tool/xenstored" and the two special nodes, owned by the control domain. */
  private setupStructure(): void {
    const p = this.privDomid;
    const none = [{ id: p, perms: XS_PERM_NONE }];
    const mk = (name: string, children: string[], perms = none): void => {
      const childlen = children.reduce((n, c) => n + c.length + 1, 0);
      this.store.nodes.set(name, { name, generation: this.store.nextGeneration(), perms, value: "", children, childlen });
    };
    mk("/", ["tool"]);
    mk("/tool", ["xenstored"]);
    mk("/tool/xenstored", []);
    // 4.22 (commit 258263a4fb): every domain may watch @releaseDomain.
    mk("@releaseDomain", [], [...none, { id: DOMID_ANY, perms: XS_PERM_READ }]);
    mk("@introduceDomain", []);
    this.store.addCount(undefined, p, 5);
  }

  /** domain.c `alloc_domain`: remember a domain, stamped with the current generation. */
  allocDomain(domid: DomId): Domain {
    let d = this.domains.get(domid);
    if (!d) {
      d = new Domain(domid, this.store.generation, this.globalQuotas);
      this.domains.set(domid, d);
    }
    return d;
  }

  newConnection(d: Domain): Connection {
    const conn = new Connection(d, d.domid === this.privDomid);
    d.conn = conn;
    return conn;
  }

  connection(domid: DomId): Connection {
    if (!Number.isInteger(domid) || domid < 0) throw new Error(`domid must be a non-negative integer, got ${String(domid)}`);
    const conn = this.domains.get(domid)?.conn;
    if (!conn) throw new Error(`domain ${domid} has no xenstored connection: it has not been introduced (XS_INTRODUCE)`);
    return conn;
  }

  /**
   * core.c `process_message`: dispatch one request and build its reply. `req` may be undefined
   * for a privileged connection, whose requests are never held outstanding.
   */
  process(conn: Connection, m: XsMessage, after: (() => void)[], req: PendingRequest | undefined): XsMessage {
    this.host.charge(this.storeDomid, "xs_request", m.payload.length);
    const f = m.type < XsType.XS_TYPE_COUNT ? this.wireFuncs[m.type] : undefined;
    if (!f) return errorReply(m, "ENOSYS");
    if (f.priv && !conn.privileged) return errorReply(m, "EACCES");
    let tx;
    if (!f.notid && m.txId !== 0) {
      tx = conn.transactions.get(m.txId);
      if (!tx) return errorReply(m, "ENOENT");
    }
    const ctx: Ctx = { conn, tx, req: conn.privileged ? undefined : req };
    let payload: string;
    try {
      payload = f.handler(ctx, m.payload, after);
    } catch (e) {
      if (e instanceof XsError) {
        after.length = 0;
        return errorReply(m, e.errno);
      }
      throw e;
    }
    if (payload.length > XENSTORE_PAYLOAD_MAX) return errorReply(m, "E2BIG"); // XSA-72
    return { type: m.type, reqId: m.reqId, txId: m.txId, payload };
  }

  /** Handle one request from `domid` and return its reply (nothing is queued for the reply). */
  handle(domid: DomId, m: XsMessage): XsMessage | undefined {
    const conn = this.connection(domid);
    if (conn.ignored) return undefined;
    if (m.payload.length > XENSTORE_PAYLOAD_MAX) {
      this.ignoreConnection(conn, XENSTORE_ERROR_PROTO);
      return undefined;
    }
    // Only an unprivileged request can be held outstanding by its events (see `process`).
    const req: PendingRequest | undefined = conn.privileged ? undefined : { domid, events: 0, replyQueued: false };
    const after: (() => void)[] = [];
    const reply = this.process(conn, m, after, req);
    for (const f of after) f();
    if (req !== undefined && req.events > 0) conn.domain.outstanding++; // held until its events are drained (XSA-326)
    return reply;
  }

  /** `xen.xenstore.request`: payload strings in, reply strings out. */
  request(domid: DomId, r: { type: number; reqId?: number; txId?: number; payload?: string[] }): XsParsedMessage {
    if (typeof r !== "object" || r === null || !Number.isInteger(r.type)) throw new Error("xenstore request needs an integer `type` (XsType.XS_*)");
    const m: XsMessage = { type: r.type >>> 0, reqId: (r.reqId ?? 0) >>> 0, txId: (r.txId ?? 0) >>> 0, payload: requestPayload(r.type, r.payload ?? []) };
    if (m.payload.length > XENSTORE_PAYLOAD_MAX) {
      throw new Error(`payload is ${m.payload.length} bytes; XENSTORE_PAYLOAD_MAX is 4096 (xenstored would cut the connection off; use requestRaw to see that)`);
    }
    const reply = this.handle(domid, m);
    if (!reply) throw new Error(`domain ${domid}'s xenstored connection is ignored after a protocol or ring error`);
    return parsedMessage(reply, "reply");
  }

  /** `xen.xenstore.requestRaw`: one xs_wire message in, the reply's bytes out (empty: connection cut off). */
  requestRaw(domid: DomId, bytes: Uint8Array): Uint8Array {
    if (!(bytes instanceof Uint8Array) || bytes.length < XSD_SOCKMSG_SIZE) throw new Error("requestRaw needs a Uint8Array holding at least the 16-byte xsd_sockmsg header");
    const h = decodeHeader(bytes);
    const m: XsMessage = h.len > XENSTORE_PAYLOAD_MAX ? { ...h, payload: "\0".repeat(h.len) } : decodeMessage(bytes);
    const reply = this.handle(domid, m);
    return reply ? encodeMessage(reply) : new Uint8Array(0);
  }

  /** `xen.xenstore.events`: the WATCH_EVENT messages queued for `domid` and not yet in its ring, drained. */
  events(domid: DomId): Uint8Array[] {
    const conn = this.connection(domid);
    const out: Uint8Array[] = [];
    for (const m of conn.out.slice()) {
      if (!m.watchEvent || m.written > 0) continue;
      out.push(m.bytes);
      this.dequeue(conn, m);
    }
    return out;
  }

  /** core.c `free_buffered_data`: a message left the queue; release what it held outstanding. */
  dequeue(conn: Connection, m: OutMsg): void {
    const i = conn.out.indexOf(m);
    if (i >= 0) conn.out.splice(i, 1);
    if (m.eventKey !== undefined) {
      const n = conn.pendingEvents.get(m.eventKey)! - 1;
      if (n > 0) conn.pendingEvents.set(m.eventKey, n);
      else conn.pendingEvents.delete(m.eventKey);
    }
    const r = m.request;
    if (!r) return;
    if (m.watchEvent) r.events--;
    else r.replyQueued = false;
    if (r.events === 0 && !r.replyQueued) {
      const d = this.domains.get(r.domid);
      if (d && d.outstanding > 0) d.outstanding--;
    }
  }

  /** Drop everything queued for `conn` (core.c `conn_free_buffered_data`). */
  freeOutput(conn: Connection): void {
    while (conn.out.length > 0) this.dequeue(conn, conn.out[0]!);
  }

  /** domain.c `ignore_connection`: stop talking to the domain after a protocol or ring error. */
  ignoreConnection(conn: Connection, err: number): void {
    const page = conn.domain.page;
    if (page && conn.domain.features & XENSTORE_SERVER_FEATURE_ERROR) setField(page, "error", err);
    conn.ignored = true;
    watchOps.deleteAllWatches(this.watches, conn);
    txOps.deleteAllTransactions(conn);
    this.freeOutput(conn);
    conn.resetInput();
  }

  /**
   * VIRQ_DOM_EXC arrived: ask the host about every known domain and fire @releaseDomain for
   * shut-down ones, clean up dead ones (domain.c `check_domains`).
   */
  checkDomains(): void {
    checkDomains(this);
  }

  /** The domain kicked xenstored's port for it: serve every ring until nothing moves. */
  kick(_domid?: DomId): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (const d of [...this.domains.values()]) {
        if (d.conn && d.page && this.serviceRing(d.conn, d.page)) progress = true;
      }
    }
  }

  private notify(d: Domain, bytes: number): void {
    this.host.charge(this.storeDomid, "xs_ring_copy", bytes);
    if (d.port !== undefined) {
      this.host.charge(this.storeDomid, "evtchn_send", 0);
      this.host.notify(d.port);
    }
  }

  /** One pass of core.c `handle_output` then `handle_input` for a ring connection. */
  private serviceRing(conn: Connection, page: Uint8Array): boolean {
    let progress = false;
    const d = conn.domain;
    while (!conn.ignored && conn.out.length > 0) {
      const m = conn.out[0]!;
      const n = produce(page, "rsp", m.bytes, m.written, m.bytes.length - m.written);
      if (n < 0) this.ignoreConnection(conn, XENSTORE_ERROR_RINGIDX);
      if (n <= 0) break;
      m.written += n;
      progress = true;
      this.notify(d, n);
      if (m.written === m.bytes.length) this.dequeue(conn, m);
    }
    // domain.c `domain_can_read`: an unprivileged domain with too many outstanding requests waits.
    while (!conn.ignored && pending(page, "req") !== 0 && !this.store.over(conn, "outstanding", d.outstanding)) {
      const need = conn.inBody === undefined ? XSD_SOCKMSG_SIZE - conn.inHeaderUsed : conn.inBody.length - conn.inBodyUsed;
      const dst = conn.inBody ?? conn.inHeader;
      const n = need === 0 ? 0 : consume(page, "req", dst, conn.inBody ? conn.inBodyUsed : conn.inHeaderUsed, need);
      if (n < 0) {
        this.ignoreConnection(conn, XENSTORE_ERROR_RINGIDX);
        break;
      }
      if (n > 0) this.notify(d, n);
      progress = true;
      if (conn.inBody === undefined) {
        conn.inHeaderUsed += n;
        if (conn.inHeaderUsed < XSD_SOCKMSG_SIZE) continue;
        const len = decodeHeader(conn.inHeader).len;
        if (len > XENSTORE_PAYLOAD_MAX) {
          this.ignoreConnection(conn, XENSTORE_ERROR_PROTO);
          break;
        }
        conn.inBody = new Uint8Array(len);
        conn.inBodyUsed = 0;
        if (len > 0) continue;
      } else {
        conn.inBodyUsed += n;
        if (conn.inBodyUsed < conn.inBody.length) continue;
      }
      this.processFromRing(conn);
      break; // write the reply before reading on, as the C main loop interleaves them
    }
    return progress;
  }

  private processFromRing(conn: Connection): void {
    const bytes = new Uint8Array(XSD_SOCKMSG_SIZE + conn.inBody!.length);
    bytes.set(conn.inHeader);
    bytes.set(conn.inBody!, XSD_SOCKMSG_SIZE);
    conn.resetInput();
    const m = decodeMessage(bytes);
    const req: PendingRequest = { domid: conn.id, events: 0, replyQueued: true };
    const after: (() => void)[] = [];
    const reply = this.process(conn, m, after, req);
    conn.domain.outstanding++;
    conn.queue(encodeMessage(reply), req);
    for (const f of after) f();
  }

  /** Encode an API string as bytes (exported for the Xen layer's convenience). */
  static bytes(s: string): Uint8Array {
    return latin1Bytes(s, "string");
  }
}

/** core.c `send_error`: an XS_ERROR reply to `m` naming `e` (EINVAL for a name not in xsd_errors). */
function errorReply(m: XsMessage, e: XsdError): XsMessage {
  return { type: XsType.XS_ERROR, reqId: m.reqId, txId: m.txId, payload: (XSD_ERRORS.includes(e) ? e : "EINVAL") + "\0" };
}
