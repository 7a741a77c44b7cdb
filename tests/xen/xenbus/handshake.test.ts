import { describe, expect, it } from "vitest";
import {
  parseXenbusState, xenbusStateName, XenbusStateClosed, XenbusStateClosing, XenbusStateConnected, XenbusStateInitialised,
  XenbusStateInitialising, XenbusStateInitWait, XenbusStateReconfigured,
} from "../../../src/xen/abi/xenbus.js";
import { isLegalTransition, runHandshake } from "../../../src/xen/xenbus/state-machine.js";
import { vbd } from "../../../src/xen/xenbus/vbd.js";
import { vif } from "../../../src/xen/xenbus/vif.js";

const init = { frontend: XenbusStateInitialising, backend: XenbusStateInitialising };
const seq = (r: ReturnType<typeof runHandshake>) => r.trace.map((t) => `${t.end[0]}:${xenbusStateName(t.state)!.slice(11)}`);

describe("XenbusState", () => {
  it("numbers the states 0..8 as xenbus.h does and reads `state` nodes as decimal", () => {
    expect(xenbusStateName(4)).toBe("XenbusStateConnected");
    expect(xenbusStateName(8)).toBe("XenbusStateReconfigured");
    expect(xenbusStateName(9)).toBeUndefined();
    expect(parseXenbusState("6")).toBe(XenbusStateClosed);
    expect(parseXenbusState(undefined)).toBe(0);
    expect(parseXenbusState("junk")).toBe(0);
  });
});

describe("vbd handshake (blkif.h state diagrams)", () => {
  it("goes backend InitWait, frontend Initialised, backend Connected, frontend Connected", () => {
    const r = runHandshake(vbd, init);
    expect(seq(r)).toEqual(["b:InitWait", "f:Initialised", "b:Connected", "f:Connected"]);
    expect(r.trace[1]!.actions).toContain("allocate and initialize the request ring");
  });

  it("tears down: frontend straight to Closed on backend Closing, backend follows to Closed", () => {
    const r = runHandshake(vbd, { frontend: XenbusStateConnected, backend: XenbusStateClosing });
    expect(seq(r)).toEqual(["f:Closed", "b:Closed"]);
  });

  it("treats a backend Closed without Closing as Closing", () => {
    expect(vbd.react("frontend", XenbusStateConnected, XenbusStateClosed)?.next).toBe(XenbusStateClosed);
  });

  it("forbids a frontend jumping from Initialising to Connected, allows skipping InitWait", () => {
    expect(isLegalTransition(vbd, "frontend", XenbusStateInitialising, XenbusStateConnected)).toBe(false);
    expect(isLegalTransition(vbd, "backend", XenbusStateInitialising, XenbusStateInitialised)).toBe(true);
  });
});

describe("vif handshake (netback/netfront)", () => {
  it("holds the backend at InitWait after the frontend connects until hotplug-status is written", () => {
    const waiting = runHandshake(vif, init, { hotplugConnected: false });
    expect(seq(waiting)).toEqual(["b:InitWait", "f:Connected"]);
    expect(waiting.backend).toBe(XenbusStateInitWait);
    expect(vif.react("backend", XenbusStateInitWait, XenbusStateConnected, {})?.actions).toContain("wait for hotplug-status");
    const done = runHandshake(vif, { frontend: waiting.frontend, backend: waiting.backend }, { hotplugConnected: true });
    expect(seq(done)).toEqual(["b:Connected"]);
  });

  it("skips Initialised on the frontend: Initialising goes straight to Connected", () => {
    expect(isLegalTransition(vif, "frontend", XenbusStateInitialising, XenbusStateConnected)).toBe(true);
    expect(isLegalTransition(vif, "frontend", XenbusStateInitialising, XenbusStateInitialised)).toBe(false);
  });

  it("answers a frontend Reconfiguring with Reconfigured and reconnects", () => {
    expect(vif.react("backend", XenbusStateConnected, 7)?.next).toBe(XenbusStateReconfigured);
    expect(vif.react("frontend", 7, XenbusStateReconfigured)?.next).toBe(XenbusStateConnected);
  });

  it("lets either end close from any state, and a backend never goes Connected from Initialising", () => {
    expect(isLegalTransition(vif, "backend", XenbusStateInitialising, XenbusStateConnected)).toBe(false);
    expect(isLegalTransition(vif, "backend", XenbusStateConnected, XenbusStateClosing)).toBe(true);
    expect(isLegalTransition(vif, "frontend", XenbusStateClosing, XenbusStateClosed)).toBe(true);
  });
});
