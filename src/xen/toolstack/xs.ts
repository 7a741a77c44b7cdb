/**
 * XenStore clients as kernels and the toolstack use them (libxenstore's xs_read/xs_write/…, Linux
 * xenbus_read/xenbus_write/register_xenbus_watch): Dom0's privileged connection, and a guest's
 * connection over its ring page with event-channel kicks. Both are synchronous from the caller's
 * side; watch callbacks run later from the event loop, never inside another request.
 * Source: tools/libs/store/xs.c, Linux drivers/xen/xenbus/xenbus_xs.c (reference/xen.md §4.1, §4.5).
 */
import { XsType } from "../abi/xs-wire.js";
import { XenstoreRingClient } from "../xenstore/ring.js";
import { decodeMessage, encodeMessage, joinPayload, parsedMessage, type XsParsedMessage } from "../xenstore/wire.js";
import type { Xenstored } from "../xenstore/xenstored.js";
import type { EventLoop } from "./event-loop.js";
import type { Hcall } from "./hcall.js";
import type { DomId } from "../state.js";

export type WatchCallback = (path: string, token: string) => void;

/** Thrown when a request the caller cannot do without fails: the XenStore error name. */
export class XsFailure extends Error {
  constructor(readonly errno: string, what: string) {
    super(`${what}: ${errno}`);
  }
}

export abstract class XsClient {
  private readonly watches = new Map<string, WatchCallback>();
  /** Requests made through this client (for the inspection timeline). */
  requests = 0;

  constructor(readonly domid: DomId, protected readonly loop: EventLoop) {}

  protected abstract exchange(type: number, payload: string[], txId: number): XsParsedMessage;

  request(type: number, payload: string[], txId = 0): XsParsedMessage {
    this.requests++;
    return this.exchange(type, payload, txId);
  }

  private ok(type: number, payload: string[], what: string, txId = 0): string[] {
    const r = this.request(type, payload, txId);
    if (r.type === XsType.XS_ERROR) throw new XsFailure(r.payload[0] ?? "EINVAL", `${what} ${payload[0] ?? ""}`);
    return r.payload;
  }

  /** The value, or undefined if the node is absent (or unreadable). */
  read(path: string, txId = 0): string | undefined {
    const r = this.request(XsType.XS_READ, [path], txId);
    return r.type === XsType.XS_ERROR ? undefined : r.payload[0];
  }

  write(path: string, value: string, txId = 0): void {
    this.ok(XsType.XS_WRITE, [path, value], "XS_WRITE", txId);
  }

  mkdir(path: string, txId = 0): void {
    this.ok(XsType.XS_MKDIR, [path], "XS_MKDIR", txId);
  }

  rm(path: string, txId = 0): void {
    const r = this.request(XsType.XS_RM, [path], txId);
    if (r.type === XsType.XS_ERROR && r.payload[0] !== "ENOENT") throw new XsFailure(r.payload[0]!, `XS_RM ${path}`);
  }

  setPerms(path: string, perms: string[], txId = 0): void {
    this.ok(XsType.XS_SET_PERMS, [path, ...perms], "XS_SET_PERMS", txId);
  }

  directory(path: string, txId = 0): string[] {
    const r = this.request(XsType.XS_DIRECTORY, [path], txId);
    return r.type === XsType.XS_ERROR ? [] : r.payload;
  }

  /** Run `body` in a transaction, retrying on EAGAIN as libxl does. */
  transaction(body: (tx: number) => void): void {
    for (let attempt = 0; attempt < 16; attempt++) {
      const tx = Number(this.ok(XsType.XS_TRANSACTION_START, [""], "XS_TRANSACTION_START")[0]);
      try {
        body(tx);
      } catch (e) {
        this.request(XsType.XS_TRANSACTION_END, ["F"], tx);
        throw e;
      }
      const end = this.request(XsType.XS_TRANSACTION_END, ["T"], tx);
      if (end.type !== XsType.XS_ERROR) return;
      if (end.payload[0] !== "EAGAIN") throw new XsFailure(end.payload[0]!, "XS_TRANSACTION_END");
    }
    throw new XsFailure("EAGAIN", "XS_TRANSACTION_END (16 attempts)");
  }

  /** Register a watch; `cb` runs from the event loop for each event (the first fires at once). */
  watch(path: string, token: string, cb: WatchCallback): void {
    this.watches.set(token, cb);
    const r = this.request(XsType.XS_WATCH, [path, token]);
    if (r.type === XsType.XS_ERROR) {
      this.watches.delete(token);
      throw new XsFailure(r.payload[0]!, `XS_WATCH ${path}`);
    }
  }

  unwatch(path: string, token: string): void {
    this.watches.delete(token);
    this.request(XsType.XS_UNWATCH, [path, token]);
  }

  ownsToken(token: string): boolean {
    return this.watches.has(token);
  }

  /** A WATCH_EVENT arrived: run its callback from the event loop. */
  protected event(path: string, token: string): void {
    const cb = this.watches.get(token);
    if (cb !== undefined) this.loop.defer(() => { if (this.watches.get(token) === cb) cb(path, token); });
  }

  protected dispatchEvent(bytes: Uint8Array): boolean {
    const m = parsedMessage(decodeMessage(bytes), "reply");
    const [path, token] = m.payload;
    if (path === undefined || token === undefined || !this.watches.has(token)) return false;
    this.event(path, token);
    return true;
  }
}

/** Dom0's connection as the toolstack uses it; watch events no callback claims are kept for `xen.xenstore.events(0)`. */
export interface Dom0XsClient extends XsClient {
  readonly foreignEvents: Uint8Array[];
  /** Let xenstored deliver what it has queued for Dom0. */
  pumpEvents(): void;
}

/**
 * Dom0's privileged connection (the toolstack's and Dom0 kernel's, C: the unix socket): requests go
 * straight to xenstored; watch events with tokens this client registered are dispatched, others are
 * kept for the notebook's `xen.xenstore.events(0)`.
 */
export class PrivXsClient extends XsClient implements Dom0XsClient {
  readonly foreignEvents: Uint8Array[] = [];

  constructor(domid: DomId, loop: EventLoop, private readonly xsd: Xenstored) {
    super(domid, loop);
  }

  protected exchange(type: number, payload: string[], txId: number): XsParsedMessage {
    const r = this.xsd.request(this.domid, { type, txId, payload });
    this.pumpEvents();
    return r;
  }

  /** Take queued watch events for this connection and route them. */
  pumpEvents(): void {
    for (const b of this.xsd.events(this.domid)) if (!this.dispatchEvent(b)) this.foreignEvents.push(b);
    this.xsd.kick();
  }
}

/** A guest kernel's xenbus connection over its ring page (Linux xenbus_comms.c). */
export class RingXsClient extends XsClient {
  private readonly client: XenstoreRingClient;
  private readonly replies = new Map<number, XsParsedMessage>();
  private nextReq = 1;

  constructor(domid: DomId, loop: EventLoop, page: Uint8Array, readonly port: number, hc: Hcall, charge: (bytes: number) => void) {
    super(domid, loop);
    this.client = new XenstoreRingClient(page, () => { if (hc.canRun(domid)) hc.send(domid, port); }, charge);
    loop.listen(domid, port, () => this.onEvent());
  }

  private onEvent(): void {
    for (const bytes of this.client.receive()) {
      const m = decodeMessage(bytes);
      if (m.type === XsType.XS_WATCH_EVENT) {
        if (!this.dispatchEvent(bytes)) this.unclaimed(bytes);
      } else this.replies.set(m.reqId, parsedMessage(m, "reply"));
    }
    this.client.flush();
  }

  /** A watch event no callback of this client registered (a guest kernel drops it). */
  protected unclaimed(_bytes: Uint8Array): void {}

  protected exchange(type: number, payload: string[], txId: number): XsParsedMessage {
    const reqId = this.nextReq++;
    this.client.send(encodeMessage({ type, reqId, txId, payload: joinPayload(type, payload, "request") }));
    this.loop.until(() => this.replies.has(reqId), `dom${this.domid} xenstore request ${reqId}`);
    const r = this.replies.get(reqId)!;
    this.replies.delete(reqId);
    return r;
  }
}

/**
 * Dom0's connection when xenstored runs in a stub domain: Dom0 Linux's xenbus over its own ring,
 * granted to the stub domain as GNTTAB_RESERVED_XENSTORE with an event channel bound by xenstored
 * at start-up (Linux xenbus_dev_backend.c IOCTL_XENBUS_BACKEND_SETUP; init-xenstore-domain's
 * `--event`; xenstored domain.c init_domains). libxenstore in Dom0 reaches it through
 * /dev/xen/xenbus, so the toolstack's requests travel the ring like every other domain's.
 */
export class Dom0RingXsClient extends RingXsClient implements Dom0XsClient {
  readonly foreignEvents: Uint8Array[] = [];

  constructor(domid: DomId, loop: EventLoop, page: Uint8Array, port: number, hc: Hcall, charge: (bytes: number) => void, private readonly xsd: Xenstored) {
    super(domid, loop, page, port, hc, charge);
  }

  protected override unclaimed(bytes: Uint8Array): void {
    this.foreignEvents.push(bytes);
  }

  /** Requests the notebook made for Dom0 directly queue their events; xenstored writes them to the ring. */
  pumpEvents(): void {
    this.xsd.kick(this.domid);
  }
}
