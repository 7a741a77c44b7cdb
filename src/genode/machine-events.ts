/**
 * Machine event handlers that survive a rebuild of Genode. The machine accepts one handler per
 * event kind for its whole life, but Genode's objects are rebuilt when a snapshot is restored
 * (genode.ts: replay from boot), so each kind is registered once per machine and forwards to the
 * handler the newest Genode objects installed.
 */
import type { EventHandler, Machine } from "../machine/index.js";

const current = new WeakMap<Machine, Map<string, EventHandler>>();

/** `m.on(kind, handler)`, except that a later call for the same kind replaces the handler. */
export function onMachineEvent(m: Machine, kind: string, handler: EventHandler): void {
  let handlers = current.get(m);
  if (handlers === undefined) current.set(m, (handlers = new Map()));
  const known = handlers.has(kind);
  handlers.set(kind, handler);
  if (!known) m.on(kind, (payload, cpu, time) => handlers.get(kind)!(payload, cpu, time));
}
