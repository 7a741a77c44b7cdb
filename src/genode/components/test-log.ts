/**
 * test-log: Genode's LOG test (repos/base/src/test/log/main.cc at tag 24.11). Prints formatted
 * values, one line through an extra LOG connection labelled "log" (exactly MAX_STRING_LEN − 1
 * characters, so it is not split) and one 462-character message through Genode::log, which the
 * output buffer splits into two lines plus an empty one. Expected output: G@24.11
 * repos/base/run/log.run compare_output_to.
 */
import type { Component, Env } from "../component.js";
import { LOG_MAX_STRING_LEN } from "../core/log-session.js";
import { marshalString } from "../rpc.js";

const hex = (v: number, digits: number): string => v.toString(16).padStart(digits, "0");

/** `Hex_range<T>(base, len)` printing (util/string.h): "[base,end)" with overflow/empty notes. */
export function hexRange(base: number, len: number, bytes: number): string {
  const digits = bytes * 2;
  const max = 2 ** (bytes * 8);
  const end = base + len;
  if (len === 0) return `[${hex(base, digits)},${hex(base, digits)}) (empty!)`;
  if (end === max) return `[${hex(base, digits)},${hex(max - 1, digits)}]`;
  if (end > max) return `[${hex(base, digits)},${hex(end % max, digits)}) (overflow!)`;
  return `[${hex(base, digits)},${hex(end, digits)})`;
}

export class TestLog implements Component {
  start(env: Env): void {
    env.log(`hex range:          ${hexRange(0xe00, 0x880, 2)}`);
    env.log(`empty hex range:    ${hexRange(0xabc0000, 0, 4)}`);
    env.log(`hex range to limit: ${hexRange(0xf8, 8, 1)}`);
    env.log(`invalid hex range:  ${hexRange(0xf8, 0x10, 1)}`);
    env.log(`negative hex char:  0x${hex(-2 & 0xff, 2)}`);
    env.log(`positive hex char:  0x${hex(2, 2)}`);
    env.log(`floating point:     ${(1700 / 1000).toFixed(2)}`);
    env.log(`multiarg string:    "parent -> child.${7}"`);
    env.log(`String(Hex(3)):     0x${(3).toString(16)}`);
    env.log("Very long messages:");
    const n = LOG_MAX_STRING_LEN;
    const line = (chars: Record<number, string>, len: number): string =>
      Array.from({ length: len }, (_, i) => chars[i] ?? ".").join("");
    const conn = env.connect("LOG", "log");
    if (conn.ok) {
      const words: number[] = [];
      marshalString(line({ 0: "1", [n - 2]: "2" }, n - 1), words);
      conn.value.call(0, words);
    }
    env.log(line({ 0: "3", [n - 2]: "4", [n - 1]: "5", [2 * n - 3]: "6" }, 2 * n - 2));
    env.log("Test done.");
  }
}
