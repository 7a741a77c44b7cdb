/**
 * Domain-management requests: INTRODUCE, RELEASE, RESUME, GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED,
 * SET_TARGET, RESET_WATCHES, GET/SET_FEATURE, GET/SET_QUOTA and CONTROL.
 * Source: tools/xenstored/domain.c, control.c @RELEASE-4.22.0; docs/misc/xenstore.txt (ref. §4.1).
 */
import { DOMID_SELF, XENSTORE_FEATURES } from "../abi/xs-wire.js";
import type { Domain } from "./connection.js";
import { atoi, nulStrings, oneArg, parseDomid } from "./cstring.js";
import { destroyDomain, introduce } from "./lifecycle.js";
import { domainPath, type DomId } from "./path.js";
import { QUOTA_NAMES, QuotaTable, Q_VAL_DISABLED } from "./quota.js";
import { XsError, type Ctx } from "./store.js";
import * as txOps from "./transaction-ops.js";
import * as watchOps from "./watch-ops.js";
import type { Xenstored } from "./xenstored.js";

const OK = "OK\0";

function domid(s: string | undefined): DomId {
  const id = s === undefined ? undefined : parseDomid(s);
  if (id === undefined) throw XsError.of("EINVAL");
  return id;
}

/** Start-up introduction of xenstored's own domains (domain.c `init_domain`). */
export function initDomain(d: Xenstored, id: DomId, port: number): void {
  introduce(d, id, port, false);
}

/** INTRODUCE `<domid>|<gfn>|<evtchn>|`: the gfn is ignored (the ring comes from grant 1); port must be > 0. */
export function doIntroduce(d: Xenstored, _ctx: Ctx, payload: string): string {
  const args = nulStrings(payload);
  if (args.length < 3) throw XsError.of("EINVAL");
  const id = domid(args[0]);
  const port = atoi(args[2]!);
  if (port <= 0) throw XsError.of("EINVAL");
  introduce(d, id, port, true);
  return OK;
}

/** domain.c `find_connected_domain`: ENOENT if not introduced. */
function connected(d: Xenstored, id: DomId): Domain {
  const dom = d.domains.get(id);
  if (!dom?.introduced) throw XsError.of("ENOENT");
  if (!dom.conn) throw XsError.of("EINVAL");
  return dom;
}

/** `onearg_domain`: RELEASE and RESUME refuse xenstored's own and the control domain (EINVAL). */
function oneArgDomain(d: Xenstored, payload: string): Domain {
  const arg = oneArg(payload);
  if (arg === undefined) throw XsError.of("EINVAL");
  const id = domid(arg);
  if (id === d.storeDomid || id === d.privDomid) throw XsError.of("EINVAL");
  return connected(d, id);
}

export function doRelease(d: Xenstored, _ctx: Ctx, payload: string): string {
  destroyDomain(d, oneArgDomain(d, payload));
  return OK;
}

/** RESUME: @releaseDomain may fire again on the next shutdown. */
export function doResume(d: Xenstored, _ctx: Ctx, payload: string): string {
  oneArgDomain(d, payload).shutdown = false;
  return OK;
}

export function doGetDomainPath(_ctx: Ctx, payload: string): string {
  const arg = oneArg(payload);
  if (arg === undefined) throw XsError.of("EINVAL");
  return `${domainPath(domid(arg))}\0`;
}

export function doIsDomainIntroduced(d: Xenstored, _ctx: Ctx, payload: string): string {
  const arg = oneArg(payload);
  if (arg === undefined) throw XsError.of("EINVAL");
  const id = domid(arg);
  return id === DOMID_SELF || d.domains.get(id)?.introduced ? "T\0" : "F\0";
}

/** SET_TARGET `<domid>|<tdomid>|`: <domid> acts for <tdomid> (both must be introduced). */
export function doSetTarget(d: Xenstored, _ctx: Ctx, payload: string): string {
  const args = nulStrings(payload);
  if (args.length < 2) throw XsError.of("EINVAL");
  const id = domid(args[0]);
  const tid = domid(args[1]);
  const dom = connected(d, id);
  const tdom = connected(d, tid);
  dom.conn!.target = tdom.conn;
  return OK;
}

export function doResetWatches(d: Xenstored, ctx: Ctx): string {
  watchOps.deleteAllWatches(d.watches, ctx.conn);
  txOps.deleteAllTransactions(ctx.conn);
  return OK;
}

/** `find_or_alloc_existing_domain`: a known domain, or one the hypervisor knows (remembered now). */
function existing(d: Xenstored, id: DomId): Domain {
  const dom = d.domains.get(id) ?? (d.host.domainInfo(id) ? d.allocDomain(id) : undefined);
  if (!dom) throw XsError.of("ENOENT");
  return dom;
}

/** GET_FEATURE `[<domid>|]`: without a domid, the caller's own features (a domid needs privilege). */
export function doGetFeature(d: Xenstored, ctx: Ctx, payload: string): string {
  const args = nulStrings(payload);
  if (args.length === 0) return `${ctx.conn.domain.features}\0`;
  if (!ctx.conn.privileged) throw XsError.of("EACCES");
  if (args.length > 1) throw XsError.of("EINVAL");
  return `${existing(d, domid(args[0])).features}\0`;
}

/** SET_FEATURE `<domid>|<value>|`: only before INTRODUCE (EBUSY), only supported bits (EINVAL). */
export function doSetFeature(d: Xenstored, _ctx: Ctx, payload: string): string {
  const args = nulStrings(payload);
  if (args.length !== 2) throw XsError.of("EINVAL");
  const id = domid(args[0]);
  const features = atoi(args[1]!) >>> 0;
  const dom = existing(d, id);
  if (dom.introduced) throw XsError.of("EBUSY");
  if (features & ~XENSTORE_FEATURES) throw XsError.of("EINVAL");
  dom.features = features;
  return OK;
}

function quotaTable(d: Xenstored, args: string[], n: number): { table: QuotaTable; rest: string[] } {
  if (args.length < n) return { table: d.globalQuotas, rest: args };
  return { table: existing(d, domid(args[0])).quotas, rest: args.slice(1) };
}

/** GET_QUOTA `[[<domid>|]<quota>|]`: no argument lists the quota names. */
export function doGetQuota(d: Xenstored, _ctx: Ctx, payload: string): string {
  const args = nulStrings(payload);
  if (args.length > 2) throw XsError.of("EINVAL");
  if (args.length === 0) {
    return QUOTA_NAMES.flatMap((q) => (q === "memory" ? [q, "soft-memory"] : [q])).join(" ") + "\0";
  }
  const { table, rest } = quotaTable(d, args, 2);
  const q = QuotaTable.parseName(rest[0]!);
  if (!q) throw XsError.of("EINVAL");
  return `${table.get(q.name, q.soft)}\0`;
}

/** SET_QUOTA `[<domid>|]<quota>|<value>|`; the global values are the defaults for new domains. */
export function doSetQuota(d: Xenstored, _ctx: Ctx, payload: string): string {
  const args = nulStrings(payload);
  if (args.length < 2 || args.length > 3) throw XsError.of("EINVAL");
  const { table, rest } = quotaTable(d, args, 3);
  const q = QuotaTable.parseName(rest[0]!);
  const value = atoi(rest[1]!) >>> 0;
  if (!q || value === Q_VAL_DISABLED) throw XsError.of("EINVAL");
  table.set(q.name, q.soft, value);
  return OK;
}

/**
 * CONTROL `<command>|[<parameters>|]`: "check", "print", "help" and "quota"/"quota-soft" with
 * "set <name> <val>" are modelled; log, logfile, memreport and live-update answer EINVAL here.
 */
export function doControl(d: Xenstored, _ctx: Ctx, payload: string): string {
  const args = nulStrings(payload);
  if (args.length === 0) throw XsError.of("EINVAL");
  const [cmd, ...rest] = args as [string, ...string[]];
  switch (cmd) {
    case "check":
      if (rest.length) throw XsError.of("EINVAL");
      return OK;
    case "print":
      if (rest.length !== 1) throw XsError.of("EINVAL");
      return OK;
    case "help":
      if (rest.length) throw XsError.of("EINVAL");
      return ["check", "print", "quota", "quota-soft", "help"].map((c) => `${c}\n`).join("") + "\0";
    case "quota":
    case "quota-soft": {
      const soft = cmd === "quota-soft";
      if (rest.length === 0) {
        const lines = QUOTA_NAMES.filter((q) => d.globalQuotas.get(q, soft) !== Q_VAL_DISABLED)
          .map((q) => `${q.padEnd(17)}: ${String(d.globalQuotas.get(q, soft)).padStart(8)}\n`);
        return `Quota settings:\n${lines.join("")}\0`;
      }
      if (rest[0] !== "set" || rest.length !== 3) throw XsError.of("EINVAL");
      const value = atoi(rest[2]!);
      const name = QUOTA_NAMES.find((q) => q === rest[1]);
      if (value < 1 || !name || d.globalQuotas.get(name, soft) === Q_VAL_DISABLED) throw XsError.of("EINVAL");
      d.globalQuotas.set(name, soft, value);
      return OK;
    }
    default:
      throw XsError.of("EINVAL");
  }
}
