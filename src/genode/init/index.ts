/**
 * Genode init, kernel-independent: configuration model, routing, quota, reconfiguration, state report.
 */
export { Init, type InitOptions, type ApplyError, type ApplyOutcome, type ParentAnswer, type RouteAnswer } from "./init.js";
export { parseInitConfig, configuredQuota, type InitConfig, type StartConfig, type RouteRule, type RouteTarget } from "./config-model.js";
export { routeSession, resolveRules, ruleMatches, rewriteLabel, type Route, type RoutingEnv, type ServiceRef } from "./route-model.js";
export { Ledger, parseNumBytes, formatNumBytes, ENV_RAM_QUOTA, ENV_CAP_QUOTA } from "./quota.js";
export { prefixedLabel, lastElement, labelPrefix, skipLabelPrefix } from "./session-label.js";
export { diffConfigs, type ReconfigDiff } from "./reconfig.js";
export type { SessionState, SessionPhase, SessionError } from "./session-state.js";
export type { Child, ChildState } from "./child.js";
