/**
 * Xenbus frontend/backend state machines as pure rules: which `state` transitions an end may
 * make, and what an end does when it sees the other end's state. The XenStore daemon and the
 * drivers drive these; nothing here touches a store.
 * Sources: xen-project/xen c447b7308b13, xen/include/public/io/blkif.h "STATE DIAGRAMS";
 * Linux drivers/net/xen-netback/xenbus.c, drivers/net/xen-netfront.c (reference/xen.md §5.2).
 */
import {
  type XenbusState, XenbusStateClosed, XenbusStateClosing, XenbusStateConnected, XenbusStateInitialised,
  XenbusStateInitialising, XenbusStateInitWait, XenbusStateReconfigured, XenbusStateReconfiguring, XenbusStateUnknown,
} from "../abi/xenbus.js";

export type End = "frontend" | "backend";

/** One step an end takes: the work it does (named as the spec names it), then the state it publishes. */
export interface Step { actions: readonly string[]; next: XenbusState }

/** A device class's rules: legal transitions per end, and each end's reaction to the peer's state. */
export interface XenbusProtocol {
  readonly device: "vbd" | "vif";
  /** Transitions an end may write into its own `state` node (from → allowed to). */
  readonly legal: Record<End, ReadonlyMap<XenbusState, readonly XenbusState[]>>;
  /**
   * What `end`, sitting in `own`, does on seeing the peer in `peer`; undefined = nothing.
   * `ctx.hotplugConnected` is the backend's `hotplug-status` = "connected" (vif only).
   */
  react(end: End, own: XenbusState, peer: XenbusState, ctx?: { hotplugConnected?: boolean }): Step | undefined;
}

/** A transition an end wants to make, checked against the protocol. */
export function isLegalTransition(p: XenbusProtocol, end: End, from: XenbusState, to: XenbusState): boolean {
  if (from === to) return true; // rewriting the same value is not a transition
  return p.legal[end].get(from)?.includes(to) ?? false;
}

/** Teardown, common to both devices: any state may go to Closing, Closing to Closed, Closed may restart. */
export const CLOSING_FROM_ANY: readonly XenbusState[] = [
  XenbusStateUnknown, XenbusStateInitialising, XenbusStateInitWait, XenbusStateInitialised, XenbusStateConnected,
  XenbusStateReconfiguring, XenbusStateReconfigured,
];

export function transitionTable(entries: [XenbusState, XenbusState[]][]): ReadonlyMap<XenbusState, readonly XenbusState[]> {
  const m = new Map<XenbusState, XenbusState[]>(entries.map(([f, t]) => [f, [...t]]));
  for (const s of CLOSING_FROM_ANY) {
    const t = m.get(s) ?? [];
    for (const x of [XenbusStateClosing, XenbusStateClosed]) if (!t.includes(x)) t.push(x);
    m.set(s, t);
  }
  const closing = m.get(XenbusStateClosing) ?? [];
  if (!closing.includes(XenbusStateClosed)) closing.push(XenbusStateClosed);
  m.set(XenbusStateClosing, closing);
  return m;
}

/** Run a handshake to quiescence from both ends' states: the trace of (end, state) writes. */
export function runHandshake(
  p: XenbusProtocol,
  start: { frontend: XenbusState; backend: XenbusState },
  ctx: { hotplugConnected?: boolean } = {},
  maxSteps = 32,
): { trace: { end: End; state: XenbusState; actions: readonly string[] }[]; frontend: XenbusState; backend: XenbusState } {
  const s = { ...start };
  const trace: { end: End; state: XenbusState; actions: readonly string[] }[] = [];
  for (let i = 0; i < maxSteps; i++) {
    // Backend first: it is the one the toolstack kicks (it opens the device at Initialising).
    let moved = false;
    for (const end of ["backend", "frontend"] as const) {
      const peer = end === "backend" ? s.frontend : s.backend;
      const step = p.react(end, s[end], peer, ctx);
      if (!step || step.next === s[end]) continue;
      if (!isLegalTransition(p, end, s[end], step.next)) {
        throw new Error(`${p.device} ${end}: rule moved ${s[end]} -> ${step.next}, which its transition table forbids`);
      }
      s[end] = step.next;
      trace.push({ end, state: step.next, actions: step.actions });
      moved = true;
      break;
    }
    if (!moved) return { trace, ...s };
  }
  throw new Error(`${p.device}: handshake did not settle in ${maxSteps} steps`);
}


/**
 * Linux frontends on teardown (xenbus_frontend_closed, drivers/xen/xenbus/xenbus_probe_frontend.c
 * callers in blkfront, netfront, hvc_xen…): backend Closing → frontend straight to Closed; backend
 * Closed while the frontend is not Closed counts as a missed Closing.
 */
export function frontendTeardown(own: XenbusState, peer: XenbusState): Step | undefined {
  if (peer === XenbusStateClosing || (peer === XenbusStateClosed && own !== XenbusStateClosed)) {
    return own === XenbusStateClosed ? undefined : { actions: ["xenbus_frontend_closed"], next: XenbusStateClosed };
  }
  return undefined;
}

/** Backends on teardown: mirror the frontend's Closing, then its Closed (blkback/netback frontend_changed). */
export function backendTeardown(own: XenbusState, peer: XenbusState): Step | undefined {
  if (peer === XenbusStateClosing && own !== XenbusStateClosing && own !== XenbusStateClosed) {
    return { actions: ["disconnect rings and event channel"], next: XenbusStateClosing };
  }
  if (peer === XenbusStateClosed && own !== XenbusStateClosed) return { actions: ["release device"], next: XenbusStateClosed };
  return undefined;
}
