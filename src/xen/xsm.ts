/**
 * XSM default ("dummy") policy: the access checks Xen makes when FLASK is not in use.
 * Source: xen/include/xsm/dummy.h `xsm_default_action` and the per-hook actions there; action
 * numbers from xen/include/xsm/xsm.h `enum xsm_default` (reference/xen.md §7).
 */
import { XEN_EPERM } from "./abi/errno.js";
import type { DomainState } from "./state.js";

export const XSM_HOOK = 0; // always allowed
export const XSM_DM_PRIV = 1; // the target's device model, or the control domain
export const XSM_TARGET = 2; // the domain itself, its device model, or the control domain
export const XSM_PRIV = 3; // the control domain only
export const XSM_XS_PRIV = 4; // the xenstore domain, or the control domain
export type XsmAction = typeof XSM_HOOK | typeof XSM_DM_PRIV | typeof XSM_TARGET | typeof XSM_PRIV | typeof XSM_XS_PRIV;

/**
 * xsm_default_action(action, src, target): each action falls through to the weaker ones below it —
 * TARGET (self) → XS_PRIV (xenstore domain) → DM_PRIV (src is target's device model) → PRIV
 * (control domain) — and fails with -EPERM.
 */
export function xsmDefaultAction(action: XsmAction, src: DomainState, target: DomainState | undefined): number {
  if (action === XSM_HOOK) return 0;
  if (action === XSM_TARGET && src === target) return 0;
  if (action === XSM_XS_PRIV && src.isXenstore) return 0;
  if (action !== XSM_PRIV && target !== undefined && src.target === target.domid) return 0;
  return src.isPrivileged ? 0 : -XEN_EPERM;
}
