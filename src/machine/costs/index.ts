export { CostModel, profiles, primitiveNames, profileByName, type CostOverride, type ProfileName } from "./model.js";
export type { Primitive } from "./skylake.js";
export type { Confidence, CostEntry, CostProfile } from "./types.js";
