/**
 * LOG session at core: each `write` prints one line prefixed with the session label,
 * "[<label>] <text>" (repos/base/src/core/include/log_session_component.h).
 * Interface: repos/base/include/log_session/log_session.h — one RPC, write(String), with
 * MAX_STRING_LEN = 232 (genodelabs/genode 24.11); CAP_QUOTA 2, Connection donates 8 KiB.
 */
import { unmarshalString } from "../rpc.js";
import type { CoreServiceSpec } from "./session-component.js";

/** `Log_session::MAX_STRING_LEN` (log_session.h, 24.11). */
export const LOG_MAX_STRING_LEN = 232;

export function logService(print: (line: string) => void): CoreServiceSpec {
  return {
    name: "LOG",
    capQuota: 2,
    ramQuota: 8 * 1024,
    interfaceFor: (s) => [
      (args) => {
        const [text] = unmarshalString(args, 0);
        // the component strips its trailing newline; core prints the rest as one line
        print(`[${s.label}] ${text.slice(0, LOG_MAX_STRING_LEN - 1)}`);
        return [];
      },
    ],
  };
}
