/**
 * xl vif specification (one string of the `vif=[…]` list): comma-separated `key=value` settings
 * and the `trusted`/`untrusted` flags, with xl's messages and the documented defaults.
 * Sources: xen-project/xen c447b7308b13, tools/xl/xl_parse.c parse_nic_config / parse_ulong,
 * docs/man/xl-network-configuration.5.pod.in (defaults; reference/xen.md §6.1).
 * Not modelled: rate (xlu_vif_parse_rate), the COLO keys (accepted as strings), vlan semantics.
 */

export interface VifSpec {
  mac?: [number, number, number, number, number, number];
  bridge?: string;
  ip?: string;
  script?: string;
  backend?: string;
  vifname?: string;
  type?: "vif" | "ioemu";
  model?: string;
  gatewaydev?: string;
  rate?: string;
  mtu?: number;
  devid?: number;
  vlan?: string;
  trusted?: boolean;
  /** Other recognised string keys (COLO), kept as written. */
  extra: Record<string, string>;
}

export type VifParse = { ok: true; vif: VifSpec; warnings: string } | { ok: false; report: string };

/** Documented defaults for unset keys (xl-network-configuration.5); `mac` is random in 00:16:3e (the Xen OUI). */
export const VIF_DEFAULTS = { bridge: "xenbr0", script: "vif-bridge", backend: "0", mtu: 1500, model: "rtl8139", macOui: [0x00, 0x16, 0x3e] } as const;

const STRING_KEYS = ["bridge", "gatewaydev", "ip", "script", "backend", "vifname", "model", "rate", "vlan"] as const;
const COLO_KEYS = [
  "forwarddev", "colo_sock_mirror_id", "colo_sock_mirror_ip", "colo_sock_mirror_port", "colo_sock_compare_pri_in_id",
  "colo_sock_compare_pri_in_ip", "colo_sock_compare_pri_in_port", "colo_sock_compare_sec_in_id", "colo_sock_compare_sec_in_ip",
  "colo_sock_compare_sec_in_port", "colo_sock_compare_notify_id", "colo_sock_compare_notify_ip", "colo_sock_compare_notify_port",
  "colo_sock_redirector0_id", "colo_sock_redirector0_ip", "colo_sock_redirector0_port", "colo_sock_redirector1_id",
  "colo_sock_redirector1_ip", "colo_sock_redirector1_port", "colo_sock_redirector2_id", "colo_sock_redirector2_ip",
  "colo_sock_redirector2_port", "colo_filter_mirror_queue", "colo_filter_mirror_outdev", "colo_filter_redirector0_queue",
  "colo_filter_redirector0_indev", "colo_filter_redirector0_outdev", "colo_filter_redirector1_queue", "colo_filter_redirector1_indev",
  "colo_filter_redirector1_outdev", "colo_compare_pri_in", "colo_compare_sec_in", "colo_compare_out", "colo_compare_notify_dev",
  "colo_sock_sec_redirector0_id", "colo_sock_sec_redirector0_ip", "colo_sock_sec_redirector0_port", "colo_sock_sec_redirector1_id",
  "colo_sock_sec_redirector1_ip", "colo_sock_sec_redirector1_port", "colo_filter_sec_redirector0_queue",
  "colo_filter_sec_redirector0_indev", "colo_filter_sec_redirector0_outdev", "colo_filter_sec_redirector1_queue",
  "colo_filter_sec_redirector1_indev", "colo_filter_sec_redirector1_outdev", "colo_filter_sec_rewriter0_queue",
  "colo_checkpoint_host", "colo_checkpoint_port",
];

/** libc strtoul(s, &end, base): value and characters consumed (0 if nothing converted). */
function strtoul(s: string, base: 10 | 16): { value: number; used: number } {
  const m = (base === 16 ? /^[ \t\n\v\f\r]*[+-]?(0[xX](?=[0-9a-fA-F]))?[0-9a-fA-F]+/ : /^[ \t\n\v\f\r]*[+-]?[0-9]+/).exec(s);
  if (!m) return { value: 0, used: 0 };
  const neg = m[0].includes("-");
  const digits = m[0].replace(/^[ \t\n\v\f\r]*[+-]?(0[xX])?/, "");
  const v = parseInt(digits, base);
  return { value: neg ? -v : v, used: m[0].length };
}

/** parse_nic_config over every `,`-separated token of one vif spec (xl_parse.c). */
export function parseVifSpec(spec: string): VifParse {
  const vif: VifSpec = { extra: {} };
  let warnings = "";
  const bad = (msg: string): VifParse => ({ ok: false, report: msg });
  for (const raw of spec.split(",").filter((t) => t !== "")) {
    const token = raw.replace(/^ +/, "");
    const eq = token.indexOf("=");
    const key = eq < 0 ? token : token.slice(0, eq);
    const arg = eq < 0 ? "" : token.slice(eq + 1);
    if (eq < 0) {
      if (token === "trusted") vif.trusted = true;
      else if (token === "untrusted") vif.trusted = false;
      else return bad(`unrecognized argument \`${token}'\n`);
      continue;
    }
    if (key === "type") {
      if (arg !== "vif" && arg !== "ioemu") return bad("Invalid parameter `type'.\n");
      vif.type = arg;
    } else if (key === "mac") {
      const mac: number[] = [];
      let rest = arg;
      for (let i = 0; i < 6; i++) {
        const { value, used } = strtoul(rest, 16);
        if (used === 0 || value > 255 || value < 0) return bad("Invalid parameter `mac'.\n");
        mac.push(value);
        rest = rest.slice(used + 1); // xl skips one separator character, whatever it is
      }
      vif.mac = mac as VifSpec["mac"];
    } else if (key === "netdev") {
      warnings += "the netdev parameter is deprecated, please use gatewaydev instead\n";
      vif.gatewaydev = arg;
    } else if ((STRING_KEYS as readonly string[]).includes(key)) {
      (vif as unknown as Record<string, string>)[key] = arg;
    } else if (key === "accel") {
      warnings += "the accel parameter for vifs is currently not supported\n";
    } else if (key === "devid" || key === "mtu") {
      const { value, used } = strtoul(arg, 10);
      // parse_ulong: only "no digits at all" fails; trailing junk is ignored.
      if (used === 0) return bad(`xl: failed to convert "${arg}" to number\n`);
      vif[key] = value;
    } else if (COLO_KEYS.includes(key)) {
      vif.extra[key] = arg;
    } else {
      return bad(`unrecognized argument \`${token}'\n`);
    }
  }
  return { ok: true, vif, warnings };
}

/** The interface name netback creates when `vifname` is unset: vif<domid>.<devid>. */
export function defaultVifName(domid: number, devid: number): string {
  return `vif${domid}.${devid}`;
}

/** A MAC in xl's printed form (lower-case hex, colon separated). */
export function formatMac(mac: readonly number[]): string {
  return mac.map((b) => b.toString(16).padStart(2, "0")).join(":");
}
