/**
 * xenstored's per-domain state: `struct domain` (introduction, features, quotas, accounting) and
 * `struct connection` (watches, transactions, output queue). Source: tools/xenstored/domain.c,
 * core.h @RELEASE-4.22.0. Every connection here is a domain connection; the Unix socket of a
 * Dom0-resident xenstored is modelled as the privileged domain's connection.
 */
import { XENSTORE_FEATURES, XsType } from "../abi/xs-wire.js";
import type { DomId } from "./path.js";
import { QuotaTable } from "./quota.js";
import type { Transaction } from "./transaction.js";
import type { Watch } from "./watch.js";
import { encodeMessage } from "./wire.js";

/**
 * A request whose reply or watch events are still queued: it counts against the requesting
 * domain's `outstanding` quota until all of them have left the queue (core.c `free_buffered_data`,
 * XSA-326). Events are linked only to requests of unprivileged domains.
 */
export interface PendingRequest {
  readonly domid: DomId;
  events: number;
  replyQueued: boolean;
}

/** One queued message to the domain, with how much of it has gone into the ring already. */
export interface OutMsg {
  readonly bytes: Uint8Array;
  readonly watchEvent: boolean;
  /** Event payload, for coalescing identical pending events (core.c `send_event`). */
  readonly eventKey: string | undefined;
  readonly request: PendingRequest | undefined;
  written: number;
}

export class Domain {
  introduced = false;
  /** domain.c `shutdown`: @releaseDomain already fired for this shutdown. */
  shutdown = false;
  features = XENSTORE_FEATURES;
  conn: Connection | undefined;
  /** The domain's ring page once introduced (undefined: API-only connection). */
  page: Uint8Array | undefined;
  /** xenstored's local event-channel port bound to the domain's store port. */
  port: number | undefined;
  /** Accounting (`acc_val[]`). Node counts live in the daemon's owner map. */
  watches = 0;
  transactions = 0;
  outstanding = 0;
  readonly quotas: QuotaTable;

  constructor(
    readonly domid: DomId,
    /** Global generation when xenstored first heard of the domain (domain.c `alloc_domain`). */
    readonly generation: number,
    globalQuotas: QuotaTable,
  ) {
    this.quotas = new QuotaTable(globalQuotas);
  }
}

export class Connection {
  target: Connection | undefined;
  readonly watches: Watch[] = [];
  readonly transactions = new Map<number, Transaction>();
  /** core.c: starts at 0, and id 0 is skipped, so the first transaction is 1. */
  nextTransactionId = 0;
  readonly out: OutMsg[] = [];
  readonly pendingEvents = new Map<string, number>();
  /** Set after a protocol or ring error: nothing more is read or written (domain.c `ignore_connection`). */
  ignored = false;
  /** Partial request being read from the ring. */
  inHeader = new Uint8Array(16);
  inHeaderUsed = 0;
  inBody: Uint8Array | undefined;
  inBodyUsed = 0;

  constructor(
    readonly domain: Domain,
    readonly privileged: boolean,
  ) {}

  get id(): DomId {
    return this.domain.domid;
  }

  queue(bytes: Uint8Array, request: PendingRequest | undefined, eventKey?: string): void {
    this.out.push({ bytes, watchEvent: eventKey !== undefined, eventKey, request, written: 0 });
    if (eventKey !== undefined) this.pendingEvents.set(eventKey, (this.pendingEvents.get(eventKey) ?? 0) + 1);
  }

  queueEvent(path: string, token: string, request: PendingRequest | undefined): void {
    const payload = `${path}\0${token}\0`;
    this.queue(encodeMessage({ type: XsType.XS_WATCH_EVENT, reqId: 0, txId: 0, payload }), request, payload);
  }

  resetInput(): void {
    this.inHeaderUsed = 0;
    this.inBody = undefined;
    this.inBodyUsed = 0;
  }
}
