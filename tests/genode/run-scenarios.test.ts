import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/index.js";
import { bootGenode, type Genode } from "../../src/genode/index.js";
import { BOMB_RUN, DRIVERS_CONFIG, LOG_RUN, LOG_RUN_EXPECTED, PING_RUN, VFS_BLOCK_RUN } from "./support/run-configs.js";

function boot(memory = "512M"): Genode {
  return bootGenode(new Machine({ memory }), { kernel: "nova", modules: { "drivers.config": DRIVERS_CONFIG } });
}

describe("Genode run scripts on NOVA (reference/genode.md §7)", () => {
  it("log.run prints exactly the lines its compare_output_to expects", () => {
    const g = boot("64M");
    expect(g.start(LOG_RUN).ok).toBe(true);
    expect(g.log.filter((l) => l.startsWith("[init -> test-log"))).toEqual(LOG_RUN_EXPECTED);
    expect(g.conserved()).toBe(true);
  });

  it("vfs_block.run: block_tester runs its tests through vfs_block and vfs and exits with 0", () => {
    const g = boot();
    expect(g.start(VFS_BLOCK_RUN).ok).toBe(true);
    expect(g.runUntil(/child "block_tester" exited/)).toBe('[init] child "block_tester" exited with exit value 0');
    expect(g.log).toContain("[init -> block_tester] --- all tests finished ---");
    expect(g.log.filter((l) => l.startsWith("[init -> block_tester] finished")).every((l) => l.endsWith("success:yes"))).toBe(true);
    expect(g.routes()).toContainEqual(expect.objectContaining({ client: "init -> vfs_block", service: "File_system", label: "vfs_block -> backend", server: "init -> vfs" }));
    expect(g.conserved()).toBe(true);
  });

  it("ping.run: ping_1 gets three replies through nic_router and the nested drivers init, then exits with 0", () => {
    const g = boot();
    expect(g.start(PING_RUN).ok).toBe(true);
    expect(g.runUntil(/"ping_1" exited with exit value 0/, 10_000)).toBe('[init] child "ping_1" exited with exit value 0');
    const replies = g.log.filter((l) => l.startsWith("[init -> ping_1] 64 bytes from 10.0.2.2: icmp_seq="));
    expect(replies.map((l) => /icmp_seq=(\d) ttl=64 time=\d+\.\d+ ms$/.exec(l)?.[1])).toEqual(["1", "2", "3"]);
    expect(g.routes()).toContainEqual(expect.objectContaining({ client: "init -> drivers", service: "Uplink", label: "drivers -> nic_drv -> ", server: "init -> nic_router" }));
    expect(g.log).toContain("[init -> report_rom] report 'ping_1 -> ping'");
    expect(g.conserved()).toBe(true);
  });

  it("bomb.run (scaled down) creates and kills generations of children until \"Done. Going to sleep\"", () => {
    const g = boot();
    expect(g.start(BOMB_RUN).ok).toBe(true);
    // quota is conserved at every step of the rounds, not only at the end
    for (let i = 0; i < 8; i++) {
      g.machine.run({ cycles: g.machine.costs.hz * 0.03 });
      expect(g.conserved()).toBe(true);
    }
    expect(g.runUntil(/Done\. Going to sleep/)).toBe("[init -> bomb-master] Done. Going to sleep");
    expect(g.log).toContain("[init -> bomb-master -> bomb_g1.2 -> bomb_g0.2] I'm a leaf node - generation 0");
    expect(g.log.filter((l) => l === "[init -> bomb-master] Bomb_child::~Bomb_child()")).toHaveLength(4);
    expect(g.log).toContain("[init -> bomb-master] [1] Done.");
    expect(g.conserved()).toBe(true);
    // the last round killed every descendant: no nested init is left
    expect([...g.runtime.sandboxes].map((s) => s.path)).toEqual(["init"]);
  });
});
