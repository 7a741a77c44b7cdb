/**
 * The notebook's interrupt flag. The Jupyter kernel (which never imports the emulator) keeps an
 * Int32Array over a SharedArrayBuffer at globalThis[Symbol.for("hypernote.interrupt")]; its socket
 * thread stores 1 there when the user interrupts. The machine's run loop polls the flag between two
 * operations, so an interrupted run stops with every layer in a consistent state.
 */
import { Interrupted } from "./errors.js";

export const INTERRUPT_FLAG = Symbol.for("hypernote.interrupt");

function flag(): Int32Array | undefined {
  const f = (globalThis as Record<symbol, unknown>)[INTERRUPT_FLAG];
  return f instanceof Int32Array ? f : undefined;
}

export function interruptRequested(): boolean {
  const f = flag();
  return f !== undefined && Atomics.load(f, 0) !== 0;
}

/** Throws Interrupted if the user asked to stop; call only between two operations. */
export function checkInterrupt(where: string): void {
  if (interruptRequested()) {
    throw new Interrupted(`interrupted at ${where}; the machine is paused between two operations and keeps its state`);
  }
}
