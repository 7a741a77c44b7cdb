/**
 * vif (virtual network interface) handshake between netfront and netback: backend Initialising →
 * InitWait (hotplug script runs) → frontend straight to Connected (no Initialised) → backend
 * connects the rings but publishes Connected only once `hotplug-status` reads "connected".
 * Sources: Linux drivers/net/xen-netback/xenbus.c (frontend_changed, set_backend_state,
 * hotplug_status_changed), drivers/net/xen-netfront.c (netback_changed) (reference/xen.md §5.2).
 */
import {
  XenbusStateClosed, XenbusStateConnected, XenbusStateInitialising, XenbusStateInitWait,
  XenbusStateReconfigured, XenbusStateReconfiguring, XenbusStateUnknown,
} from "../abi/xenbus.js";
import { type XenbusProtocol, backendTeardown, frontendTeardown, transitionTable } from "./state-machine.js";

export const vif: XenbusProtocol = {
  device: "vif",
  legal: {
    frontend: transitionTable([
      [XenbusStateUnknown, [XenbusStateInitialising]],
      [XenbusStateInitialising, [XenbusStateConnected]],
      // XDP headroom change: netfront Reconfiguring, netback answers Reconfigured, netfront back to Connected.
      [XenbusStateConnected, [XenbusStateReconfiguring]],
      [XenbusStateReconfiguring, [XenbusStateConnected]],
      [XenbusStateClosed, [XenbusStateInitialising]],
    ]),
    // set_backend_state's graph: Initialising → InitWait → Connected; any → Closing ↔ Closed.
    backend: transitionTable([
      [XenbusStateUnknown, [XenbusStateInitialising]],
      [XenbusStateInitialising, [XenbusStateInitWait]],
      [XenbusStateInitWait, [XenbusStateConnected]],
      [XenbusStateConnected, [XenbusStateReconfigured]],
      [XenbusStateReconfigured, [XenbusStateConnected]],
      [XenbusStateClosed, [XenbusStateInitWait]],
    ]),
  },
  react(end, own, peer, ctx = {}) {
    if (end === "backend") {
      const down = backendTeardown(own, peer);
      if (down) return down;
      if (own === XenbusStateInitialising) {
        return {
          actions: ["write feature-sg, feature-gso-tcpv4/6, feature-rx-copy=1, feature-rx-flip=0, multi-queue-max-queues", "run hotplug script"],
          next: XenbusStateInitWait,
        };
      }
      if (own === XenbusStateInitWait && peer === XenbusStateConnected) {
        const actions = ["map tx and rx rings", "bind event channel(s)"];
        // Connected is held back until the hotplug script has written hotplug-status = "connected".
        return ctx.hotplugConnected
          ? { actions, next: XenbusStateConnected }
          : { actions: [...actions, "wait for hotplug-status"], next: XenbusStateInitWait };
      }
      if (own === XenbusStateConnected && peer === XenbusStateReconfiguring) {
        return { actions: ["read xdp-headroom"], next: XenbusStateReconfigured };
      }
      if (own === XenbusStateReconfigured && peer === XenbusStateConnected) return { actions: [], next: XenbusStateConnected };
      return undefined;
    }
    const down = frontendTeardown(own, peer);
    if (down) return down;
    if (own === XenbusStateInitialising && peer === XenbusStateInitWait) {
      return {
        actions: ["write tx-ring-ref, rx-ring-ref, event-channel, request-rx-copy=1, feature-rx-notify, feature-sg"],
        next: XenbusStateConnected,
      };
    }
    if (own === XenbusStateReconfiguring && peer === XenbusStateReconfigured) return { actions: [], next: XenbusStateConnected };
    return undefined;
  },
};
