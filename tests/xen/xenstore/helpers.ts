/** A stand-in XenStore host (domains, ring pages, event channels) and request shorthands for tests. */
import type { XsdError } from "../../../src/xen/abi/xs-wire.js";
import { XsType } from "../../../src/xen/abi/xs-wire.js";
import { Xenstored, type XenstoreHost, type XenstoreDomainInfo, type XsParsedMessage } from "../../../src/xen/xenstore/index.js";

export class TestHost implements XenstoreHost {
  readonly info = new Map<number, XenstoreDomainInfo>();
  readonly pages = new Map<number, Uint8Array>();
  readonly notified: number[] = [];
  readonly charges: { domid: number; op: string; bytes: number }[] = [];
  private nextPort = 100;
  constructor(domids: number[]) {
    for (const d of domids) this.add(d);
  }
  add(d: number): void {
    this.info.set(d, { shutdown: false, dead: false });
    this.pages.set(d, new Uint8Array(4096));
  }
  domainInfo(domid: number): XenstoreDomainInfo | undefined {
    return this.info.get(domid);
  }
  mapInterface(domid: number): Uint8Array | XsdError {
    return this.pages.get(domid) ?? "ENOENT";
  }
  bindInterdomain(domid: number): number | XsdError {
    return this.info.has(domid) ? this.nextPort++ : "ESRCH" as XsdError;
  }
  unbind(): void {}
  notify(port: number): void {
    this.notified.push(port);
  }
  charge(domid: number, op: string, bytes: number): void {
    this.charges.push({ domid, op, bytes });
  }
}

export type T = keyof typeof XsType extends `XS_${infer N}` ? N : never;

/** A daemon with dom0 plus the given guests introduced. */
export function boot(guests: number[] = [1, 2], host = new TestHost([0, ...guests])): { xs: Xenstored; host: TestHost; req: Req } {
  const xs = new Xenstored(host);
  const req = requester(xs);
  for (const g of guests) expectOk(req(0, "INTRODUCE", String(g), "0", "1"));
  for (const g of guests) xs.events(g);
  return { xs, host, req };
}

export type Req = (domid: number, type: T, ...payload: string[]) => XsParsedMessage;
export function requester(xs: Xenstored, txId = 0): Req {
  return (domid, type, ...payload) => xs.request(domid, { type: XsType[`XS_${type}` as keyof typeof XsType], reqId: 7, txId, payload });
}
export function reqTx(xs: Xenstored, domid: number, txId: number, type: T, ...payload: string[]): XsParsedMessage {
  return xs.request(domid, { type: XsType[`XS_${type}` as keyof typeof XsType], reqId: 7, txId, payload });
}

/** "OK", the error name, or the payload joined with "|". */
export function show(r: XsParsedMessage): string {
  return r.name === "ERROR" ? r.payload[0]! : r.payload.join("|");
}
export function expectOk(r: XsParsedMessage): void {
  if (r.name === "ERROR") throw new Error(`expected success, got ${r.payload[0]}`);
}

/** Watch events drained for a domain, as "path token" strings. */
export function events(xs: Xenstored, domid: number): string[] {
  return xs.events(domid).map((b) => {
    const s = String.fromCharCode(...b.subarray(16));
    const [p, t] = s.split("\0");
    return `${p} ${t}`;
  });
}
