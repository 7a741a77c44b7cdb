/**
 * The xl toolstack's self-contained parts: the xl.cfg lexer/parser and typed getters, disk and vif
 * specs, and xl's output formats. The `xl` command (xen.xl(argv)) composes these with the
 * hypervisor and XenStore.
 */
export { parseCfg, findSetting, cfgGetBool, cfgGetList, cfgGetLong, cfgGetString } from "./cfg-parser.js";
export type { CfgGet, CfgParse, CfgSetting, CfgValue } from "./cfg-parser.js";
export { parseDiskSpec } from "./disk-spec.js";
export type { DiskBackendType, DiskFormat, DiskParse, DiskSpec } from "./disk-spec.js";
export { parseVifSpec, defaultVifName, formatMac, VIF_DEFAULTS } from "./vif-spec.js";
export type { VifParse, VifSpec } from "./vif-spec.js";
export {
  formatDmesg, formatDomid, formatDomname, formatInfo, formatList, formatListRow, XL_INFO_KEYS, XL_LIST_HEADER,
} from "./format.js";
export type { DomainListRecord, XlOutput } from "./format.js";
