/**
 * Xenbus: the state each end of a split device publishes in its XenStore `state` node.
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/xenbus.h (reference/xen.md §5.1).
 * The node holds the number as a decimal string ("4" = Connected); each end watches the other's.
 */
export const XenbusState = {
  XenbusStateUnknown: 0,
  XenbusStateInitialising: 1,
  /** Finished early initialisation, waiting for information from the peer or hotplug scripts. */
  XenbusStateInitWait: 2,
  /** Waiting for a connection from the peer. */
  XenbusStateInitialised: 3,
  XenbusStateConnected: 4,
  /** The device is being closed because of an error or an unplug event. */
  XenbusStateClosing: 5,
  XenbusStateClosed: 6,
  /** The device is being reconfigured. */
  XenbusStateReconfiguring: 7,
  XenbusStateReconfigured: 8,
} as const;
export type XenbusState = (typeof XenbusState)[keyof typeof XenbusState];
export const {
  XenbusStateUnknown, XenbusStateInitialising, XenbusStateInitWait, XenbusStateInitialised, XenbusStateConnected,
  XenbusStateClosing, XenbusStateClosed, XenbusStateReconfiguring, XenbusStateReconfigured,
} = XenbusState;

const names = Object.keys(XenbusState) as (keyof typeof XenbusState)[];

/** The header's name for a state number ("XenbusStateConnected"), or undefined outside 0..8. */
export function xenbusStateName(state: number): keyof typeof XenbusState | undefined {
  return names.find((n) => XenbusState[n] === state);
}

export function isXenbusState(n: number): n is XenbusState {
  return Number.isInteger(n) && n >= XenbusStateUnknown && n <= XenbusStateReconfigured;
}

/**
 * A `state` node's value as a state. Linux xenbus_read_driver_state (drivers/xen/xenbus/
 * xenbus_client.c) scans it with "%d" and takes a missing or unparsable node as Unknown; it does
 * not range-check, but no rule applies to a number outside 0..8, so we read those as Unknown too.
 */
export function parseXenbusState(value: string | undefined): XenbusState {
  if (value === undefined) return XenbusStateUnknown;
  const m = /^\s*([+-]?\d+)/.exec(value);
  const n = m ? Number(m[1]) : NaN;
  return isXenbusState(n) ? n : XenbusStateUnknown;
}
