export { CostModel, cyclesOf, profiles, primitiveNames, profileByName, type CostOverride, type ProfileName, type Rate } from "./model.js";
export type { Primitive } from "./skylake.js";
export type { Confidence, CostEntry, CostProfile } from "./types.js";
