/**
 * timer: the Timer service (repos/base-nova/src/timer/nova + repos/base/src/lib/timeout,
 * genodelabs/genode ffb059da). Session RPCs modelled: trigger_once(us) and elapsed_us(). The
 * timeout itself fires as a machine event at the simulated time (GenodeRuntime.after), so a
 * client's handler runs when `m.run()` reaches it.
 */
import { ok } from "../../machine/index.js";
import type { Component, Env } from "../component.js";

export const TimerOp = { trigger_once: 0, elapsed_us: 1 } as const;

export class Timer implements Component {
  private env: Env | undefined;
  start(env: Env): void {
    this.env = env;
    env.announce("Timer");
  }
  session() {
    const env = this.env!;
    return ok([
      () => [],
      () => [Math.round(env.now() * 1000)],
    ]);
  }
}
