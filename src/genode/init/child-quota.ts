/**
 * A child's RAM and cap quota over its life: the initial transfer when it starts (Child::init),
 * upgrades when its configured quota grows and downgrades when it shrinks (apply_upgrade,
 * apply_downgrade). Genode: repos/os/src/lib/sandbox/child.cc (genodelabs/genode ffb059da);
 * reference/genode.md §1.4, §4.
 */
import { pdAccount, type Child } from "./child.js";
import { configuredQuota } from "./config-model.js";
import type { InitContext } from "./init-context.js";
import {
  DOWNGRADE_KEEP_CAPS, DOWNGRADE_KEEP_RAM, ENV_CAP_QUOTA, ENV_RAM_QUOTA, INIT_STATIC_CAP_COSTS, SESSION_ALLOC_BATCH, formatNumBytes,
} from "./quota.js";

/** Child::init (sandbox/child.cc): transfer the configured quota, clamped to what init has. */
export function initQuota(ctx: InitContext, c: Child): void {
  const costs = SESSION_ALLOC_BATCH * ctx.sessionCosts;
  const eff = Math.max(0, c.assignedRam - ENV_RAM_QUOTA);
  let ram = eff > costs ? eff - costs : 0;
  const availRam = Math.max(0, ctx.availRam() - ENV_RAM_QUOTA);
  if (ram > availRam) { ctx.warn(`${c.name}: configured RAM exceeds available RAM, proceed with ${formatNumBytes(availRam)}`); ram = availRam; }
  let caps = Math.max(0, c.assignedCaps - ENV_CAP_QUOTA - INIT_STATIC_CAP_COSTS);
  if (c.assignedCaps - ENV_CAP_QUOTA < INIT_STATIC_CAP_COSTS) caps = 0;
  const availCaps = Math.max(0, ctx.availCaps() - ENV_CAP_QUOTA);
  if (caps > availCaps) { ctx.warn(`${c.name}: configured caps exceed available caps, proceed with ${availCaps}`); caps = availCaps; }
  ctx.ledger.transfer("init", pdAccount(c), 0, Math.min(caps, ctx.ledger.availCaps("init")));
  ctx.ledger.transfer("init", pdAccount(c), Math.min(ram, ctx.ledger.availRam("init")), 0);
}

export function applyUpgrade(ctx: InitContext, c: Child): void {
  if (c.exited !== undefined || c.state === "ABANDONED") return;
  const conf = configuredQuota(c.start);
  if (conf.ambiguousRam) ctx.warn(`${c.name}: ambigious RAM-quota definition`);
  if (c.assignedRam < ENV_RAM_QUOTA) ctx.warn(`${c.name}: no valid RAM quota defined`);
  if (c.assignedCaps - ENV_CAP_QUOTA <= INIT_STATIC_CAP_COSTS) ctx.warn(`${c.name}: no valid capability quota defined`);
  const up = (assigned: number, configured: number, limit: number, move: (n: number) => void): number => {
    if (configured <= assigned) return assigned;
    const increment = configured - assigned;
    if (increment > limit && ctx.config?.verbose) ctx.warn(`specified quota exceeds available quota, proceeding with a quota of ${limit}`);
    const t = Math.min(increment, limit);
    if (t > 0) { move(t); if (c.requested) c.requested = undefined; }
    return assigned + t;
  };
  c.assignedRam = up(c.assignedRam, conf.ram, ctx.availRam(), (t) => ctx.ledger.transfer("init", pdAccount(c), t, 0));
  c.assignedCaps = up(c.assignedCaps, conf.caps, ctx.availCaps(), (t) => ctx.ledger.transfer("init", pdAccount(c), 0, t));
}

export function applyDowngrade(ctx: InitContext, c: Child): void {
  if (c.exited !== undefined || c.state === "ABANDONED" || !ctx.ledger.has(pdAccount(c))) return;
  const conf = configuredQuota(c.start);
  const acct = pdAccount(c);
  // sandbox/child.cc as of 24.11: one successful transfer ends the attempts (see report on HEAD)
  const down = (assigned: number, configured: number, keep: number, avail: () => number, move: (n: number) => boolean): number => {
    if (configured >= assigned) return assigned;
    const a = avail();
    if (a < keep) return assigned;
    const t = Math.min(a - keep, assigned - configured);
    return move(t) ? assigned - t : assigned;
  };
  c.assignedRam = down(c.assignedRam, conf.ram, DOWNGRADE_KEEP_RAM, () => ctx.ledger.availRam(acct), (t) => ctx.ledger.transfer(acct, "init", t, 0));
  c.assignedCaps = down(c.assignedCaps, conf.caps, DOWNGRADE_KEEP_CAPS, () => ctx.ledger.availCaps(acct), (t) => ctx.ledger.transfer(acct, "init", 0, t));
  const ram = Math.max(0, c.assignedRam - conf.ram);
  const caps = Math.max(0, c.assignedCaps - conf.caps);
  c.yieldRequest = ram || caps ? `ram_quota=${formatNumBytes(ram)}, cap_quota=${caps}` : undefined;
}
