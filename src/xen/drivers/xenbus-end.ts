/**
 * One end of a xenbus device (Linux drivers/xen/xenbus/xenbus_probe.c, xenbus_client.c): it
 * watches the other end's `state` node (and its own, which the toolstack writes on teardown),
 * asks the device's pure protocol (src/xen/xenbus) what to do, does that work for real, and
 * publishes the next state. A failed connect (a hostile or broken peer) sends the end to Closing.
 * Reference: xen.md §5.2.
 */
import { XenbusStateClosed, XenbusStateClosing, XenbusStateUnknown, xenbusStateName, type XenbusState } from "../abi/xenbus.js";
import type { End, XenbusProtocol } from "../xenbus/state-machine.js";
import type { Kernel } from "../toolstack/kernel.js";
import type { DomId } from "../state.js";

/** One state write, for the device timeline. */
export interface StateChange {
  cycle: number;
  device: string;
  end: End;
  domid: DomId;
  state: XenbusState;
  name: string;
  actions: readonly string[];
}

export interface DeviceEnv {
  record(c: StateChange): void;
}

export abstract class XenbusEnd {
  stopped = false;

  constructor(
    readonly k: Kernel,
    readonly env: DeviceEnv,
    readonly end: End,
    readonly protocol: XenbusProtocol,
    /** "vif-1-0": device class, frontend domid, devid. */
    readonly name: string,
    readonly ownDir: string,
    readonly peerDir: string,
    readonly peerId: DomId,
  ) {}

  start(): void {
    this.k.xs.watch(`${this.peerDir}/state`, `${this.end}:${this.ownDir}:peer`, () => this.changed());
    this.k.xs.watch(`${this.ownDir}/state`, `${this.end}:${this.ownDir}:own`, () => this.changed());
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.k.xs.unwatch(`${this.peerDir}/state`, `${this.end}:${this.ownDir}:peer`);
    this.k.xs.unwatch(`${this.ownDir}/state`, `${this.end}:${this.ownDir}:own`);
    this.disconnect();
  }

  /**
   * This end's state as it last wrote or read it: a driver's hot path (a block request) checks this,
   * as Linux checks its in-memory `dev->state`, instead of asking XenStore every time.
   */
  protected ownState: XenbusState = XenbusStateUnknown;

  readState(dir: string): XenbusState {
    return this.parseState(dir, this.k.xs.read(`${dir}/state`));
  }

  private parseState(dir: string, v: string | undefined): XenbusState {
    if (v === undefined) return dir === this.peerDir ? XenbusStateClosed : XenbusStateUnknown;
    const n = Number(v);
    return (Number.isInteger(n) && xenbusStateName(n) !== undefined ? n : XenbusStateUnknown) as XenbusState;
  }

  /** Extra context for the protocol's rules (netback's hotplug-status). */
  protected ctx(): { hotplugConnected?: boolean } {
    return {};
  }

  /** Do the work of moving from `own` to `next`; false = the peer gave us something unusable. */
  protected abstract act(own: XenbusState, next: XenbusState): boolean;

  /** Release rings, grants and ports (idempotent). */
  protected abstract disconnect(): void;

  changed(): void {
    if (this.stopped) return;
    if (!this.k.hc.canRun(this.k.domid)) return; // a paused or shut-down kernel reacts to nothing
    const ownValue = this.k.xs.read(`${this.ownDir}/state`);
    // The toolstack removed the device's directory: xenbus unregisters the device (xenbus_dev_changed).
    if (ownValue === undefined) return this.stop();
    const own = this.parseState(this.ownDir, ownValue);
    this.ownState = own;
    const peer = this.readState(this.peerDir);
    const step = this.protocol.react(this.end, own, peer, this.ctx());
    if (step === undefined) return;
    if (!this.act(own, step.next)) {
      this.setState(XenbusStateClosing, ["xenbus_dev_fatal"]);
      return;
    }
    if (step.next !== own) this.setState(step.next, step.actions);
  }

  setState(s: XenbusState, actions: readonly string[]): void {
    this.k.xs.write(`${this.ownDir}/state`, String(s));
    this.ownState = s;
    this.env.record({ cycle: this.k.xen.m.now(), device: this.name, end: this.end, domid: this.k.domid, state: s, name: xenbusStateName(s) ?? String(s), actions });
  }

  protected readInt(dir: string, key: string): number | undefined {
    const v = this.k.xs.read(`${dir}/${key}`);
    if (v === undefined || !/^\d+$/.test(v)) return undefined;
    return Number(v);
  }
}
