/**
 * A XenStore node: value bytes, permission list, ordered child names and generation count.
 * The value is kept as a latin1 string (one char per byte), the form requests and replies carry
 * it in, so that a WRITE stores its payload's tail and a READ answers with it, with no conversion.
 * Records are immutable, so a transaction can hold the version it read while the global
 * database moves on. Source: tools/xenstored/core.h `struct node_hdr`, `struct node` @RELEASE-4.22.0.
 */
import type { PermList } from "./perms.js";

/** core.h `NO_GENERATION` (~0ULL): the generation recorded for a node that did not exist. */
export const NO_GENERATION = -1;

/**
 * sizeof(struct node_hdr) = u64 generation + u16 num_perms + u16 datalen + u32 childlen, and
 * sizeof(struct xs_permissions) = two unsigned ints (x86-64). They make up the `node-size` quota.
 */
export const NODE_HDR_SIZE = 16;
export const XS_PERMISSIONS_SIZE = 8;

export interface XsNode {
  readonly name: string;
  readonly generation: number;
  readonly perms: PermList;
  /** The value's bytes as a latin1 string (every char <= 0xff). */
  readonly value: string;
  /** Child leaf names in the order they were created (DIRECTORY answers in this order). */
  readonly children: readonly string[];
  /** Bytes of the NUL-terminated child list, `hdr.childlen` in C. */
  readonly childlen: number;
}

/** core.c `calc_node_acc_size`: what the `node-size` quota is checked against. */
export function nodeSize(n: Pick<XsNode, "perms" | "value" | "childlen">): number {
  return nodeSizeOf(n.perms, n.value, n.childlen);
}

/** `nodeSize` of a node version not yet built (a WRITE checks its quota before making the record). */
export function nodeSizeOf(perms: PermList, value: string, childlen: number): number {
  return NODE_HDR_SIZE + perms.length * XS_PERMISSIONS_SIZE + value.length + childlen;
}

export function withChild(n: XsNode, child: string): Pick<XsNode, "children" | "childlen"> {
  return { children: [...n.children, child], childlen: n.childlen + child.length + 1 };
}

export function withoutChild(n: XsNode, child: string): Pick<XsNode, "children" | "childlen"> {
  const i = n.children.indexOf(child);
  if (i < 0) return n;
  const children = n.children.slice();
  children.splice(i, 1);
  return { children, childlen: n.childlen - child.length - 1 };
}

export function owner(n: Pick<XsNode, "perms">): number {
  return n.perms[0]!.id;
}
