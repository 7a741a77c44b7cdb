/**
 * xl disk specification (one string of the `disk=[…]` list): positional `target, format, vdev,
 * access` and/or `key=value` settings, with libxlu's error messages.
 * Sources: xen-project/xen c447b7308b13, docs/man/xl-disk-configuration.5.pod.in,
 * tools/libs/util/libxlu_disk_l.l (token rules, setformat/setaccess/setbackendtype, vdev_and_devtype)
 * and libxlu_disk.c (xlu_disk_parse defaults and final checks, xlu__disk_err format).
 * Not modelled: the deprecated `prefix:` forms and the COLO keys (they report "unknown parameter").
 */

export type DiskFormat = "raw" | "qcow" | "qcow2" | "vhd" | "qed" | "empty";
export type DiskBackendType = "phy" | "tap" | "qdisk" | "standalone";

export interface DiskSpec {
  target?: string; // pdev_path
  format: DiskFormat;
  vdev: string;
  readwrite: boolean;
  isCdrom: boolean;
  removable: boolean;
  backend?: string; // backend_domname; unset = dom0
  backendtype?: DiskBackendType; // unset = libxl chooses
  specification?: "xen" | "virtio";
  script?: string;
  discard?: boolean;
  directIoSafe: boolean;
  trusted?: boolean;
}

export type DiskParse = { ok: true; disk: DiskSpec } | { ok: false; errno: number; report: string };

/**
 * xlu_disk_parse for one spec. `source` is the config's name in messages ("command line" for
 * block-attach). Errors come back as the text libxlu prints, never thrown.
 */
export function parseDiskSpec(spec: string, source: string): DiskParse {
  let report = "";
  const err = (msg: string, near?: string): void => {
    report += `${source}: config parsing error in disk specification: ${msg}${near !== undefined ? `: near \`${near}'` : ""} in \`${spec}'\n`;
  };
  const d: Partial<DiskSpec> & { readwrite: boolean; isCdrom: boolean; directIoSafe: boolean } = {
    readwrite: true, isCdrom: false, directIoSafe: false,
  };
  let formatSet = false;
  let accessSet = false;

  const setFormat = (v: string): void => {
    const f = v === "" ? "raw" : v;
    if (["raw", "qcow", "qcow2", "vhd", "qed", "empty"].includes(f)) { d.format = f as DiskFormat; formatSet = true; } else err("unknown value for format", v);
  };
  const setAccess = (v: string): void => {
    if (v === "" || v === "rw" || v === "w") d.readwrite = true;
    else if (v === "ro" || v === "r") d.readwrite = false;
    else err("unknown value for access", v);
  };
  /** `<vdev>:<devtype>` (deprecated) in a positional slot: returns false if there is no colon. */
  const vdevAndDevtype = (v: string): boolean => {
    const colon = v.lastIndexOf(":");
    if (colon < 0) return false;
    d.vdev = v.slice(0, colon);
    const t = v.slice(colon + 1);
    if (t === "cdrom") d.isCdrom = true;
    else if (t === "disk") d.isCdrom = false;
    else err("unknown deprecated type", t);
    return true;
  };

  let rest = spec.replace(/^[ \t\n]+/, "");
  while (rest !== "" && report === "") {
    const target = /^target=(.*)$/s.exec(rest);
    if (target) { d.target = target[1]!; break; } // "target=" eats the rest of the string, commas included
    const comma = rest.indexOf(",");
    const tok = comma < 0 ? rest : rest.slice(0, comma);
    rest = comma < 0 ? "" : rest.slice(comma + 1).replace(/^[ \t\n]+(?=[^ \t\n])/, "");
    const kv = /^([a-z][-a-z0-9]*)=(.*)$/s.exec(tok);
    if (kv) {
      const [, k, v] = kv as unknown as [string, string, string];
      switch (k) {
        case "format": setFormat(v); break;
        case "access": setAccess(v); break;
        case "vdev": d.vdev = v; break;
        case "backend": d.backend = v; break;
        case "script": d.script = v; break;
        case "devtype":
          if (v === "cdrom") d.isCdrom = true;
          else if (v === "disk") d.isCdrom = false;
          else err("unknown value for type", `${tok}${comma < 0 ? "" : ","}`);
          break;
        case "backendtype":
          if (["phy", "tap", "qdisk", "standalone"].includes(v)) d.backendtype = v as DiskBackendType; else err("unknown value for backendtype", v);
          break;
        case "specification":
          if (v === "xen" || v === "virtio") d.specification = v; else err("unknown value for specification", v);
          break;
        default: err("unknown parameter", `${k}=${v.slice(0, 1)}${comma < 0 || v.length > 1 ? "" : ","}`);
      }
      continue;
    }
    const flags: Record<string, () => void> = {
      cdrom: () => { d.isCdrom = true; },
      "direct-io-safe": () => { d.directIoSafe = true; },
      discard: () => { d.discard = true; },
      "no-discard": () => { d.discard = false; },
      trusted: () => { d.trusted = true; },
      untrusted: () => { d.trusted = false; },
    };
    if (tok in flags) { flags[tok]!(); continue; }
    if (tok.includes("=")) { err("bad disk syntax", tok); break; }
    // positional parameters: target, format, vdev, access
    if (d.target === undefined) d.target = tok;
    else if (!formatSet) {
      if (d.target === "" && vdevAndDevtype(tok)) { d.format = "empty"; formatSet = true; } else setFormat(tok);
    } else if (d.vdev === undefined) {
      if (!vdevAndDevtype(tok)) d.vdev = tok;
    } else if (!accessSet) { accessSet = true; setAccess(tok); }
    else { err("too many positional parameters", `${tok}${comma < 0 ? "" : ","}`); break; }
  }
  if (report) return { ok: false, errno: 22, report };

  const format: DiskFormat = d.format ?? "raw";
  const disk: DiskSpec = { ...d, format, vdev: d.vdev ?? "", removable: false };
  if (disk.isCdrom) {
    disk.removable = true;
    disk.readwrite = false;
    if (!disk.target) disk.format = "empty";
  }
  if (d.vdev === undefined) err("no vdev specified");
  else if (disk.target === undefined && !disk.removable) err("no target specified (and device not removable)");
  return report ? { ok: false, errno: 22, report } : { ok: true, disk };
}
