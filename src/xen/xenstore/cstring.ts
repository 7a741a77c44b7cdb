/**
 * C string helpers xenstored's parsing relies on: latin1 bytes <-> JS strings, NUL-separated
 * payload splitting, and the libc number parsers (atoi, strtoul base 10, strtol base 0) whose
 * exact acceptance rules decide which requests get EINVAL.
 * Model folder: no TextEncoder (not in lib ES2022), so bytes map 1:1 onto char codes 0..255.
 */

/** Bytes to a string with one char per byte (latin1), so any byte sequence round-trips. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = "";
  if (end - start <= 64) {
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  for (let i = start; i < end; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
  }
  return s;
}

/** True if every char of `s` is a byte (<= 0xff). */
export function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** A string whose every char is <= 0xff, as bytes. `what` names the value in the error. */
export function latin1Bytes(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) {
      throw new Error(
        `${what} has character U+${c.toString(16).padStart(4, "0")} at index ${i}: ` +
          "XenStore payloads are bytes; use chars 0x00-0xff (latin1) or requestRaw",
      );
    }
    out[i] = c;
  }
  return out;
}

/**
 * NUL-terminated strings at the start of a payload, as core.c `get_strings` sees them: only
 * strings ending in a NUL count; bytes after the last NUL are ignored.
 */
export function nulStrings(payload: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let nul = payload.indexOf("\0"); nul >= 0; nul = payload.indexOf("\0", start)) {
    out.push(payload.slice(start, nul));
    start = nul + 1;
  }
  return out;
}

/** core.c `onearg`: the payload must hold exactly one NUL, at its end. */
export function oneArg(payload: string): string | undefined {
  if (payload.length === 0 || payload.indexOf("\0") !== payload.length - 1) return undefined;
  return payload.slice(0, -1);
}

const isSpace = (c: string): boolean => c === " " || (c >= "\t" && c <= "\r");

/** libc atoi: leading space, optional sign, decimal digits; stops at the first other char; "" is 0. */
export function atoi(s: string): number {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  let v = 0;
  while (i < s.length && s[i]! >= "0" && s[i]! <= "9") v = (v * 10 + (s.charCodeAt(i++) - 48)) % 2 ** 32;
  v = v | 0; // atoi returns a C int
  return neg ? -v | 0 : v;
}

/**
 * domain.c `parse_domid`: strtoul(s, &end, 10) must consume the whole string and give <= 65535.
 * Like strtoul, "" parses as 0 and a leading '-' negates (so "-1" is out of range).
 * Returns undefined where xenstored answers EINVAL.
 */
export function parseDomid(s: string): number | undefined {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  const digitsStart = i;
  let v = 0;
  while (i < s.length && s[i]! >= "0" && s[i]! <= "9") v = Math.min(v * 10 + (s.charCodeAt(i++) - 48), 2 ** 64);
  if (i === digitsStart) return s.length === 0 ? 0 : undefined; // no digits: end = s
  if (i !== s.length) return undefined;
  if (neg && v !== 0) return undefined; // wraps to a huge unsigned long
  return v > 65535 ? undefined : v;
}

/**
 * strtol(s, &end, 0) as used by xenstore_strings_to_perms: optional space and sign, "0x" for hex,
 * leading "0" for octal. Returns the value truncated to an unsigned 32-bit id (the C assigns a long
 * to `unsigned int id`), or undefined if the string is empty or has trailing junk.
 */
export function strtol0(s: string): number | undefined {
  let i = 0;
  while (i < s.length && isSpace(s[i]!)) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  let base = 10;
  if (s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X") && /[0-9a-fA-F]/.test(s[i + 2] ?? "")) {
    base = 16;
    i += 2;
  } else if (s[i] === "0") base = 8;
  const start = i;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= base) break;
    v = v * BigInt(base) + BigInt(d);
  }
  if (i === start || i !== s.length) return undefined;
  const max = 2n ** 63n - 1n; // LONG_MAX on x86-64: strtol saturates
  if (v > max) v = neg ? max + 1n : max;
  return Number(BigInt.asUintN(32, neg ? -v : v));
}
