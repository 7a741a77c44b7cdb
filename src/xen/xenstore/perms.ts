/**
 * Node permissions: the `<letter><domid>` strings, and the rights a connection gets from a
 * node's list. Source: tools/include/xen-tools/xenstore-common.h (`xenstore_strings_to_perms`,
 * `xenstore_perm_to_string`), tools/xenstored/core.c `perm_for_conn` @RELEASE-4.22.0;
 * reference §4.4.
 */
import {
  DOMID_ANY, XS_PERM_IGNORE, XS_PERM_NONE, XS_PERM_OWNER, XS_PERM_READ, XS_PERM_WRITE,
} from "../abi/xs-wire.js";
import { strtol0 } from "./cstring.js";
import type { DomId } from "./path.js";

/** One entry: `id` is a domid (u32 as in `struct xs_permissions`), `perms` XS_PERM_* bits. */
export interface Perm {
  readonly id: number;
  readonly perms: number;
}

/** Entry 0 is the owner, and its letter is the access of every domain not listed later. */
export type PermList = readonly Perm[];

const LETTER: Record<string, number> = { r: XS_PERM_READ, w: XS_PERM_WRITE, b: XS_PERM_READ | XS_PERM_WRITE, n: XS_PERM_NONE };

/** Parse perm strings ("r5", "n0", "b0x10" — strtol base 0); undefined means EINVAL. */
export function parsePerms(strings: readonly string[]): Perm[] | undefined {
  const out: Perm[] = [];
  for (const s of strings) {
    const perms = LETTER[s[0] ?? ""];
    if (perms === undefined) return undefined;
    const id = strtol0(s.slice(1));
    if (id === undefined) return undefined;
    out.push({ id, perms });
  }
  return out;
}

/** `xenstore_perm_to_string`: the letter (ignore flag dropped) and the id printed as a C int. */
export function formatPerm(p: Perm): string {
  const letter = { [XS_PERM_NONE]: "n", [XS_PERM_READ]: "r", [XS_PERM_WRITE]: "w", [XS_PERM_READ | XS_PERM_WRITE]: "b" }[
    p.perms & ~XS_PERM_IGNORE & (XS_PERM_READ | XS_PERM_WRITE)
  ]!;
  return letter + String(p.id | 0);
}

/** core.c `perm_allows_conn`: the entry names the caller, its target, or DOMID_ANY. */
function allows(id: DomId, target: DomId | undefined, p: Perm): boolean {
  return p.id === id || (target !== undefined && p.id === target) || p.id === DOMID_ANY;
}

/**
 * core.c `perm_for_conn` for the caller `id` (with SET_TARGET `target`): privileged callers and
 * the owner get read, write and owner; otherwise the first later entry (not ignored) naming the
 * caller decides, else the owner entry's letter. The caller comes as plain values, not a record,
 * because every permission check of every request asks.
 */
export function permForConn(id: DomId, target: DomId | undefined, privileged: boolean, perms: PermList): number {
  const all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
  if (privileged || allows(id, target, perms[0]!)) return all;
  for (let i = 1; i < perms.length; i++) {
    const p = perms[i]!;
    if (!(p.perms & XS_PERM_IGNORE) && allows(id, target, p)) return p.perms & all;
  }
  return perms[0]!.perms & all;
}

/**
 * domain.c `domain_adjust_node_perms` (XSA-322): a later entry naming a domain that xenstored does
 * not know, or knew only after the node was last written, is marked ignored so a new domain
 * reusing the id inherits nothing. Returns the same array when nothing changes.
 */
export function adjustPerms(perms: PermList, generation: number, domainGeneration: (id: number) => number | undefined): PermList {
  let out: Perm[] | undefined;
  for (let i = 1; i < perms.length; i++) {
    const p = perms[i]!;
    if (p.perms & XS_PERM_IGNORE || p.id === DOMID_ANY) continue;
    const g = domainGeneration(p.id);
    if (g !== undefined && g <= generation) continue;
    out ??= perms.slice();
    out[i] = { id: p.id, perms: p.perms | XS_PERM_IGNORE };
  }
  return out ?? perms;
}
