/**
 * Programs: the binaries a Genode system here can start (core's ROM modules), each with the TCB
 * catalogue entries (src/metrics TCB_CATALOGUE ids) that count its code, or its own LOC where the
 * catalogue has none. Figures: reference/genode.md §5.1 (cloc, genodelabs/genode HEAD ffb059da);
 * "counted here" = code lines of the same snapshot counted with a C/C++ comment-stripping line
 * counter (cloc was not available), approximate.
 */
import type { ComponentFactory } from "./component.js";
import { BlockTester } from "./components/block-tester.js";
import { Bomb } from "./components/bomb.js";
import { Dummy } from "./components/dummy.js";
import { NestedInit } from "./components/init.js";
import { LogTerminal, TerminalLog } from "./components/log-terminal.js";
import { NicDrv } from "./components/nic-drv.js";
import { NicRouter } from "./components/nic-router.js";
import { Ping } from "./components/ping.js";
import { RamBlock } from "./components/ram-block.js";
import { ReportRom } from "./components/report-rom.js";
import { TestLog } from "./components/test-log.js";
import { Timer } from "./components/timer.js";
import { Vfs } from "./components/vfs.js";
import { VfsBlock } from "./components/vfs-block.js";

export interface Program {
  readonly binary: string;
  readonly factory: ComponentFactory;
  /** TCB catalogue ids (src/metrics) that count this program's own code. */
  readonly tcbIds: readonly string[];
  /** Own code lines when the catalogue has no entry, with their source. */
  readonly loc?: { readonly lines: number; readonly source: string };
}

const HERE = "counted here: code lines of genodelabs/genode HEAD ffb059da";

export const PROGRAMS: readonly Program[] = [
  { binary: "init", factory: () => new NestedInit(), tcbIds: ["genode-init"] },
  { binary: "test-log", factory: () => new TestLog(), tcbIds: [], loc: { lines: 35, source: `${HERE} repos/base/src/test/log` } },
  { binary: "dummy", factory: () => new Dummy(), tcbIds: [], loc: { lines: 264, source: `${HERE} repos/os/src/app/dummy` } },
  { binary: "timer", factory: () => new Timer(), tcbIds: ["genode-timer-nova", "genode-timeout-lib"] },
  { binary: "report_rom", factory: () => new ReportRom(), tcbIds: ["genode-report-rom"] },
  { binary: "log_terminal", factory: () => new LogTerminal(), tcbIds: ["genode-log-terminal"] },
  { binary: "terminal_log", factory: () => new TerminalLog(), tcbIds: ["genode-terminal-log"] },
  { binary: "vfs", factory: () => new Vfs(), tcbIds: ["genode-vfs-server", "genode-vfs-lib"] },
  { binary: "vfs_block", factory: () => new VfsBlock(), tcbIds: ["genode-vfs-block"] },
  { binary: "ram_block", factory: () => new RamBlock(), tcbIds: [], loc: { lines: 106, source: "assumed equal to nic_loopback-sized server (106 lines counted here, repos/os/src/server/nic_loopback); Genode's ram_block was removed from os" } },
  { binary: "block_tester", factory: () => new BlockTester(), tcbIds: [], loc: { lines: 774, source: `${HERE} repos/os/src/app/block_tester` } },
  { binary: "nic_router", factory: () => new NicRouter(), tcbIds: ["genode-nic-router", "genode-net-lib"] },
  { binary: "nic_drv", factory: () => new NicDrv(), tcbIds: [], loc: { lines: 591, source: `${HERE} repos/os/src/server/nic_uplink (stand-in for a NIC driver's Uplink client side)` } },
  { binary: "ping", factory: () => new Ping(), tcbIds: [], loc: { lines: 905, source: `${HERE} repos/os/src/app/ping` } },
  { binary: "bomb", factory: () => new Bomb(), tcbIds: [], loc: { lines: 190, source: `${HERE} repos/os/src/test/bomb` } },
];

export const PROGRAM_BY_BINARY: ReadonlyMap<string, Program> = new Map(PROGRAMS.map((p) => [p.binary, p]));
