import { describe, expect, it } from "vitest";
import { bootWithGuestConfig } from "./setup.js";
import { __HYPERVISOR_vcpu_op, VCPUOP_is_up } from "../../../src/xen/index.js";

const CFG = `name = "guest1"
memory = 16
vcpus = 1
maxvcpus = 2
`;

function boot() {
  const { m, xen } = bootWithGuestConfig(CFG);
  expect(xen.xl(["create", "guest1.cfg"]).status).toBe(0);
  return { m, xen };
}

/** The VCPUs column of `xl list guest1`. */
const listedVcpus = (xen: ReturnType<typeof boot>["xen"]): number => Number(xen.xl(["list", "guest1"]).stdout.split("\n")[1]!.slice(53, 58));

describe("xl vcpu-set: the guest acts on cpu/<n>/availability", () => {
  it("boots with vcpus= online of maxvcpus=, then brings vCPU 1 up (VCPUOP_initialise + up) and down again", () => {
    const { xen } = boot();
    expect(listedVcpus(xen)).toBe(1);
    expect(xen.vcpu(1, 1)!.initialised).toBe(false);
    expect(xen.xl(["vcpu-set", "guest1", "2"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(xen.vcpu(1, 1)!.initialised).toBe(true);
    expect(xen.hypercall(1, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1)).toBe(1);
    expect(listedVcpus(xen)).toBe(2);
    expect(xen.xl(["vcpu-set", "guest1", "1"]).status).toBe(0);
    expect(xen.hypercall(1, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1)).toBe(0);
    expect(listedVcpus(xen)).toBe(1);
    expect(xen.xl(["vcpu-set", "guest1", "2"]).status).toBe(0); // initialised already: up only
    expect(listedVcpus(xen)).toBe(2);
  });

  it("shows each vCPU in xl vcpu-list, an offline one as --p with no CPU", () => {
    const { xen } = boot();
    const lines = xen.xl(["vcpu-list", "guest1"]).stdout.split("\n");
    expect(lines[0]).toBe("Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)");
    // "%-32s %5u %5u" then "%5u %3c%c- " (or "%5c %3c%cp " offline), "%9.1f  ", the affinities.
    const row = (vcpu: number, cpuState: string): string => `${"guest1".padEnd(32)}     1     ${vcpu}${cpuState}      0.0  all / all`;
    expect(lines[1]).toBe(row(0, "    0   --- "));
    expect(lines[2]).toBe(row(1, "    -   --p "));
    xen.xl(["vcpu-set", "guest1", "2"]);
    expect(xen.xl(["vcpu-list", "guest1"]).stdout.split("\n")[2]).toBe(row(1, "    1   --- "));
    const all = xen.xl(["vcpu-list"]).stdout.split("\n").filter((l) => l !== "");
    expect(all.length).toBe(1 + 2 + 2); // header, Dom0's two vCPUs (one per pCPU), the guest's two
    expect(xen.xl(["vcpu-list", "nosuch"])).toEqual({ status: 1, stdout: "", stderr: "nosuch is an invalid domain identifier (rc=-6)\n" });
  });
});

describe("xl sched-credit", () => {
  it("lists the pool's parameters and every domain's weight and cap in xl's columns", () => {
    const { xen } = boot();
    expect(xen.xl(["sched-credit"])).toEqual({
      status: 0, stderr: "",
      stdout: "Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n"
        + "Name                                ID Weight  Cap\n"
        + "Domain-0                             0    256    0\n"
        + "guest1                               1    256    0\n",
    });
    expect(xen.xl(["sched-credit", "-s"]).stdout).toBe("Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n");
  });

  it("sets weight and cap through XEN_DOMCTL_scheduler_op and shows them for one domain", () => {
    const { xen } = boot();
    expect(xen.xl(["sched-credit", "-d", "guest1", "-w", "512"])).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(xen.xl(["sched-credit", "--domain=guest1", "--cap=150"]).status).toBe(0);
    expect(xen.xl(["sched-credit", "-d", "1"]).stdout).toBe("Name                                ID Weight  Cap\nguest1                               1    512  150\n");
    expect(xen.hv.domain(1)!.weight).toBe(512);
    expect(xen.hv.domain(1)!.cap).toBe(150);
  });

  it("refuses out-of-range values with libxl's message, and bad option mixes with xl's", () => {
    const { xen } = boot();
    expect(xen.xl(["sched-credit", "-d", "guest1", "-w", "0"])).toEqual({
      status: 1, stdout: "",
      stderr: "libxl: error: libxl_sched.c: Domain 1:Cpu weight out of range, valid values are within range from 1 to 65535\nlibxl_domain_sched_params_set failed.\n",
    });
    expect(xen.xl(["sched-credit", "-d", "guest1", "-c", "201"]).stderr).toBe(
      "libxl: error: libxl_sched.c: Domain 1:Cpu cap out of range, valid range is from 0 to 200 for specified number of vcpus\nlibxl_domain_sched_params_set failed.\n",
    );
    expect(xen.xl(["sched-credit", "-w", "5"]).stderr).toBe("Must specify a domain.\n");
    expect(xen.xl(["sched-credit", "-s", "-d", "1"]).stderr).toBe("Specifying a cpupool or schedparam is not allowed with domain options.\n");
    expect(xen.xl(["sched-credit", "-t", "10"]).stderr).toBe("Must specify schedparam to set schedule parameter values.\n");
    expect(xen.xl(["sched-credit", "-p", "Pool-9"]).stderr).toBe("unknown cpupool 'Pool-9'\n");
    expect(xen.hv.domain(1)!.weight).toBe(256);
  });
});
