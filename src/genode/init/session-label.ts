/**
 * Session label: the "a -> b -> c" path naming a session's originator, one element per parent.
 * Genode: repos/base/include/base/session_label.h (genodelabs/genode ffb059da); reference/genode.md §1.3.
 */
export const SEPARATOR = " -> ";

/** `prefixed_label`: always inserts the separator, so an empty client label yields "child -> ". */
export function prefixedLabel(prefix: string, label: string): string {
  return `${prefix}${SEPARATOR}${label}`;
}

/** `Session_label::last_element`: the text after the last separator, or the whole label. */
export function lastElement(label: string): string {
  const i = label.lastIndexOf(SEPARATOR);
  return i < 0 ? label : label.slice(i + SEPARATOR.length);
}

/** `Session_label::prefix`: everything before the last separator, empty if there is none. */
export function labelPrefix(label: string): string {
  const i = label.lastIndexOf(SEPARATOR);
  return i <= 0 ? "" : label.slice(0, i);
}

/** `skip_label_prefix` (sandbox/utils.h): the scoped label, or undefined if not "<child> -> …". */
export function skipLabelPrefix(child: string, label: string): string | undefined {
  if (!label.startsWith(child)) return undefined;
  const rest = label.slice(child.length);
  return rest.startsWith(SEPARATOR) ? rest.slice(SEPARATOR.length) : undefined;
}

/** Session-argument string `label="…", ram_quota=…, cap_quota=…` (base/connection.h, util/arg_string.h). */
export function labelFromArgs(args: string): string {
  const m = /(?:^|,)\s*label="([^"]*)"/.exec(args);
  return m === null ? "" : m[1]!;
}

export function argValue(args: string, key: string): string | undefined {
  for (const part of args.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === key) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
  }
  return undefined;
}

/** `Arg_string::set_arg`: replace the value of `key`, or append it. */
export function setArg(args: string, key: string, value: string): string {
  const parts = args.split(",").map((p) => p.trim()).filter((p) => p !== "");
  const i = parts.findIndex((p) => p.slice(0, p.indexOf("=")).trim() === key);
  const entry = `${key}=${value}`;
  if (i < 0) parts.push(entry);
  else parts[i] = entry;
  return parts.join(", ");
}
