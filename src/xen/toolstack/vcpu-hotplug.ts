/**
 * A PV guest's vCPU hotplug: it watches `cpu` in its XenStore home and acts on each
 * `cpu/<n>/availability` (Linux drivers/xen/cpu_hotplug.c vcpu_hotplug / vcpu_online):
 * "online" brings the vCPU up (arch/x86/xen/smp_pv.c xen_pv_cpu_up: VCPUOP_initialise the first
 * time, then VCPUOP_up), "offline" takes it down (xen_pv_play_dead: the dying vCPU itself calls
 * VCPUOP_down, which is then synchronous). So `xl vcpu-set` changes the online count Xen reports.
 */
import { __HYPERVISOR_vcpu_op } from "../abi/xen.js";
import { VCPUOP_down, VCPUOP_initialise, VCPUOP_up } from "../abi/vcpu.js";
import { VcpuRun } from "../state.js";
import type { Kernel } from "./kernel.js";

/** vcpu_guest_context.flags a Linux PV kernel passes: VGCF_in_kernel (bit 2), not online (it calls VCPUOP_up). */
const VGCF_in_kernel = 1 << 2;

export function setVcpusAvailable(k: Kernel): void {
  const d = k.xen.hv.domain(k.domid);
  if (d === undefined) return;
  for (const v of d.vcpus) {
    const want = k.xs.read(`cpu/${v.id}/availability`);
    if (want === "online" && v.run === VcpuRun.offline) {
      const caller = d.vcpus.find((o) => o.run === VcpuRun.runnable);
      if (caller === undefined) return;
      if (!v.initialised) k.xen.hypercallOn(k.domid, caller.id, __HYPERVISOR_vcpu_op, VCPUOP_initialise, v.id, { flags: VGCF_in_kernel });
      k.xen.hypercallOn(k.domid, caller.id, __HYPERVISOR_vcpu_op, VCPUOP_up, v.id);
    } else if (want === "offline" && v.run !== VcpuRun.offline) {
      // The vCPU downs itself; one that is blocked is downed (asynchronously) by a running sibling.
      const caller = v.run === VcpuRun.runnable ? v : d.vcpus.find((o) => o !== v && o.run === VcpuRun.runnable);
      if (caller === undefined) continue;
      k.xen.hypercallOn(k.domid, caller.id, __HYPERVISOR_vcpu_op, VCPUOP_down, v.id);
    }
  }
}
