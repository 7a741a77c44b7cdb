/** base-xen: Genode's kernel interface over the Xen model (PD = domain, RPC = event channel + granted page). */
export { XenPlatform, cyclesSince } from "./platform.js";
export { XenChannel, type ChannelEnd, type DomainSlots } from "./channel.js";
