/**
 * Strings that hot paths compare with `===`, made internal to the engine. V8 keeps one internalized
 * copy of each string literal and property name, and compares two internalized strings by
 * reference; a string built at run time (a template literal such as `nova:pd${id}`) is not
 * internalized, so comparing two of equal length calls into the runtime and compares characters.
 * A CPU's address-space switch compares such names on every IPC (Cpu.enter). Using the string as a
 * property name internalizes it, and Object.keys hands back that internalized copy. The value is
 * the same string either way: only the cost of comparing it changes.
 */
export function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}
