/**
 * vbd (virtual block device) handshake between blkfront and blkback, as blkif.h's "STATE
 * DIAGRAMS" draw it: backend Initialising → InitWait → (frontend Initialised) → Connected →
 * frontend Connected.
 * Source: xen-project/xen c447b7308b13, xen/include/public/io/blkif.h (reference/xen.md §5.2).
 */
import {
  XenbusStateClosed, XenbusStateClosing, XenbusStateConnected, XenbusStateInitialised, XenbusStateInitialising,
  XenbusStateInitWait, XenbusStateUnknown,
} from "../abi/xenbus.js";
import { type XenbusProtocol, backendTeardown, frontendTeardown, transitionTable } from "./state-machine.js";

export const vbd: XenbusProtocol = {
  device: "vbd",
  legal: {
    // "A frontend may transition to XenbusStateInitialised without waiting for the backend to enter InitWait."
    frontend: transitionTable([
      [XenbusStateUnknown, [XenbusStateInitialising]],
      [XenbusStateInitialising, [XenbusStateInitialised]],
      [XenbusStateInitialised, [XenbusStateConnected]],
      [XenbusStateClosed, [XenbusStateInitialising]],
    ]),
    // "A backend may transition to XenbusStateInitialised, bypassing XenbusStateInitWait."
    backend: transitionTable([
      [XenbusStateUnknown, [XenbusStateInitialising]],
      [XenbusStateInitialising, [XenbusStateInitWait, XenbusStateInitialised]],
      [XenbusStateInitWait, [XenbusStateConnected]],
      [XenbusStateInitialised, [XenbusStateConnected]],
      [XenbusStateClosed, [XenbusStateInitialising]],
    ]),
  },
  react(end, own, peer) {
    if (end === "backend") {
      const down = backendTeardown(own, peer);
      if (down) return down;
      if (own === XenbusStateInitialising && peer !== XenbusStateClosing && peer !== XenbusStateClosed) {
        return {
          actions: ["query backend device identification data", "open and validate backend device", "publish backend features and transport parameters"],
          next: XenbusStateInitWait,
        };
      }
      if ((own === XenbusStateInitWait || own === XenbusStateInitialised) && (peer === XenbusStateInitialised || peer === XenbusStateConnected)) {
        return {
          actions: ["query frontend transport parameters", "connect to the request ring and event channel", "publish backend device properties"],
          next: XenbusStateConnected,
        };
      }
      return undefined;
    }
    const down = frontendTeardown(own, peer);
    if (down) return down;
    if (own === XenbusStateInitialising && peer === XenbusStateInitWait) {
      return {
        actions: ["query backend features and transport parameters", "allocate and initialize the request ring", "publish transport parameters"],
        next: XenbusStateInitialised,
      };
    }
    if (own === XenbusStateInitialised && peer === XenbusStateConnected) {
      return { actions: ["query backend device properties", "finalize OS virtual device instance"], next: XenbusStateConnected };
    }
    return undefined;
  },
};
