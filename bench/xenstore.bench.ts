/**
 * XenStore daemon throughput: reads and writes through the API and through a domain's ring page
 * (targets ≥ 1 M/s and ≥ 200 k/s), and the cost of a write's watch matching with 10^5 nodes and
 * 10 versus 1000 watches (it must not grow with the number of watches that do not match), and the
 * XenStore-nodes scaling curve of issue 10.
 */
import { XsType, type XsdError } from "hypernote/internal/xen/abi/xs-wire";
import { Xenstored, XenstoreRingClient, encodeMessage, type XenstoreHost } from "hypernote/internal/xen/xenstore/index";
import { curve, opsPerSecond, rate, type BenchResult, type Point } from "./harness.js";

/** Nodes that carry the traffic on the curve, spread evenly over the store (as in xen.bench.ts). */
const ACTIVE_NODES = 8;

function host(n: number): XenstoreHost & { pages: Map<number, Uint8Array> } {
  const pages = new Map<number, Uint8Array>();
  for (let d = 0; d < n; d++) pages.set(d, new Uint8Array(4096));
  return {
    pages,
    domainInfo: (d) => (pages.has(d) ? { shutdown: false, dead: false } : undefined),
    mapInterface: (d) => pages.get(d) ?? ("ENOENT" as XsdError),
    bindInterdomain: (d) => d + 100,
    unbind: () => {},
    notify: () => {},
    charge: () => {},
  };
}

function watchMatching(watches: number) {
  const x = new Xenstored(host(1));
  const path = (i: number) => `/t/a${i % 100}/b${Math.floor(i / 100) % 100}/c${i}`;
  for (let i = 0; i < 100_000; i++) x.request(0, { type: XsType.XS_WRITE, payload: [path(i), ""] });
  for (let w = 0; w < watches; w++) x.request(0, { type: XsType.XS_WATCH, payload: [`/t/a${w % 100}/b${Math.floor(w / 100)}`, `tok${w}`] });
  x.events(0);
  let i = 0;
  return opsPerSecond((n) => {
    for (let k = 0; k < n; k++, i++) x.request(0, { type: XsType.XS_WRITE, payload: [path(i % 100_000), "v"] });
    x.events(0);
  }, 50_000, 5);
}

/** A store holding `n` nodes under /n (in directories of 100); a write then a read of one of them per op. */
function nodes(n: number): Point {
  const x = new Xenstored(host(1));
  const path = (i: number) => `/n/d${Math.floor(i / 100)}/k${i}`;
  for (let i = 0; i < n; i++) x.request(0, { type: XsType.XS_WRITE, payload: [path(i), "v"] });
  const active = Array.from({ length: ACTIVE_NODES }, (_, k) => path(Math.floor((k * n) / ACTIVE_NODES)));
  const writes = active.map((p) => ({ type: XsType.XS_WRITE, payload: [p, "w"] }));
  const reads = active.map((p) => ({ type: XsType.XS_READ, payload: [p] }));
  return {
    objects: n,
    body: (ops) => {
      for (let i = 0; i < ops; i++) {
        x.request(0, writes[i % ACTIVE_NODES]!);
        if (x.request(0, reads[i % ACTIVE_NODES]!).type !== XsType.XS_READ) throw new Error("read refused");
      }
    },
  };
}

export default function xenstoreSuite(): BenchResult[] {
  const h = host(3);
  const xs = new Xenstored(h);
  for (const d of [1, 2]) xs.request(0, { type: XsType.XS_INTRODUCE, payload: [String(d), "0", "1"] });
  for (let i = 0; i < 100; i++) xs.request(0, { type: XsType.XS_WRITE, payload: [`/bench/k${i}`, "v"] });

  const write = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) xs.request(0, { type: XsType.XS_WRITE, payload: [`/bench/k${i % 100}`, "value"] });
  }, 200_000);
  const read = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) xs.request(0, { type: XsType.XS_READ, payload: [`/bench/k${i % 100}`] });
  }, 200_000);
  const rawMsg = encodeMessage({ type: XsType.XS_READ, reqId: 1, txId: 0, payload: "/bench/k1\0" });
  const raw = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) xs.requestRaw(0, rawMsg);
  }, 200_000);

  // dom1's client sends batches of 8 requests; xenstored serves them on each kick. Its relative
  // paths name /local/domain/1/k*, so dom1 must own /local/domain/1 (as the toolstack sets it up):
  // without it every request of the loop was refused with EACCES and it measured only error replies.
  xs.request(0, { type: XsType.XS_MKDIR, payload: ["/local/domain/1"] });
  xs.request(0, { type: XsType.XS_SET_PERMS, payload: ["/local/domain/1", "n1"] });
  const client = new XenstoreRingClient(h.pages.get(1)!, () => xs.kick(1));
  const msgs = [0, 1, 2, 3].map((i) =>
    encodeMessage({ type: i % 2 ? XsType.XS_READ : XsType.XS_WRITE, reqId: i, txId: 0, payload: i % 2 ? `k${i}\0` : `k${i + 1}\0v` }),
  );
  for (const m of msgs) {
    client.send(m);
    xs.kick(1);
    client.flush();
    const [r] = client.receive();
    if (r === undefined || new Uint32Array(r.buffer, r.byteOffset, 1)[0] === XsType.XS_ERROR) throw new Error("ring request refused");
  }
  let replies = 0;
  let sent = 0;
  const ring = opsPerSecond((n) => {
    for (let i = 0; i < n; i += 8) {
      for (let j = 0; j < 8; j++) client.send(msgs[j % 4]!);
      sent += 8;
      replies += client.receive().length;
      while (replies < sent) {
        xs.kick(1);
        client.flush();
        replies += client.receive().length;
      }
    }
  }, 40_000);

  const w10 = watchMatching(10);
  const w1000 = watchMatching(1000);
  return [
    rate("xenstore", "write through the API", write, 1e6),
    rate("xenstore", "read through the API", read, 1e6),
    rate("xenstore", "read through requestRaw (xs_wire bytes)", raw),
    rate("xenstore", "mixed read/write through the ring page", ring, 200e3),
    rate("xenstore", "write with 10^5 nodes and 10 watches", w10, undefined, { nodes: 100_000, watches: 10 }),
    rate("xenstore", "write with 10^5 nodes and 1000 watches", w1000, undefined, { nodes: 100_000, watches: 1000 }),
    ...curve("xenstore", "XenStore nodes", "write + read of one node", [10, 100, 1_000, 10_000].map(nodes), 100_000),
  ];
}
