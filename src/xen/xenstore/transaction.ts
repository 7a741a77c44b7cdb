/**
 * Transactions: a per-transaction copy of every node it touched, checked at commit against the
 * global generation counts. Source: tools/xenstored/transaction.c @RELEASE-4.22.0 (header comment,
 * `access_node`, `queue_watches`, `finalize_transaction`); reference §4.6.
 *
 * Nodes are copied into the transaction on first access, not when it starts: a read sees the
 * global node as it is at that moment. Every node first accessed in the transaction is checked
 * at commit; since every C xenstored write reads its node first, an outside change to a node
 * the transaction only wrote also gives EAGAIN.
 */
import type { DomId } from "./path.js";
import type { PermList } from "./perms.js";
import { NO_GENERATION, type XsNode } from "./node.js";
import type { WatchMatch } from "./watch.js";

/** transaction.c `struct accessed_node`. */
export interface AccessedNode {
  /** Generation of the global node at first access (NO_GENERATION: it did not exist). */
  readonly generation: number;
  /** The transaction's version; undefined if absent (never existed, or deleted here). */
  node: XsNode | undefined;
  modified: boolean;
  /** Permissions at first access, so watchers who lose access by this change still hear of it. */
  readonly origPerms: PermList | undefined;
  fireWatch: boolean;
  watchMatch: WatchMatch;
}

export class Transaction {
  /** In first-access order: commit writes and fires watches in this order. */
  readonly accessed = new Map<string, AccessedNode>();
  /** Node-count changes per owner domain, applied at commit (domain.c `changed_domains`). */
  readonly changedDomains = new Map<DomId, number>();
  /** A node was created: the commit re-checks the `nodes` quota (transaction.c `node_created`). */
  nodeCreated = false;
  /** An access failed (e.g. `transaction-nodes` quota): commit answers ENOMEM, as C does. */
  fail = false;

  constructor(
    readonly id: number,
    /** Global generation at start (transaction.c `trans->generation`). */
    readonly generation: number,
  ) {}

  /** First access of `name`: remember the global version and its generation. */
  recordRead(name: string, global: XsNode | undefined): void {
    this.accessed.set(name, {
      generation: global ? global.generation : NO_GENERATION,
      node: global,
      modified: false,
      origPerms: global?.perms,
      fireWatch: false,
      watchMatch: "exact",
    });
  }

  countDelta(domid: DomId, delta: number): void {
    this.changedDomains.set(domid, (this.changedDomains.get(domid) ?? 0) + delta);
  }

  /** transaction.c `queue_watches`: a subtree event replaces an exact one, not the reverse. */
  queueWatch(name: string, match: WatchMatch): void {
    const a = this.accessed.get(name);
    if (!a) {
      this.fail = true;
      return;
    }
    if (!a.fireWatch) {
      a.fireWatch = true;
      a.watchMatch = match;
    } else if (match === "subtree") a.watchMatch = "subtree";
  }
}
