/**
 * Machine history through the kernel (issue 9, item 4): the package hooks itself into the kernel's
 * cell hooks, so every executed cell checkpoints the live machines; rewind() and lastDiff() work
 * from a notebook cell. One kernel process, started from dist as kernel-protocol.test.ts does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, type Message } from "../../src/notebook/client.js";

const KERNEL = [process.execPath, "dist/notebook/cli.js", "kernel", "--interrupt-grace-ms", "500", "-f", "{connection_file}"];
let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start({ argv: KERNEL });
}, 60_000);
afterAll(async () => {
  if (process.env.HN_DEBUG) console.log("kernel stderr:", k.stderr.join(""));
  await k?.shutdown();
});

/** Runs a cell that must succeed; returns its execute_result bundle and display_data bundles. */
async function run(code: string): Promise<{ result: Record<string, unknown> | undefined; displays: Record<string, unknown>[]; stdout: string; count: number }> {
  const { reply, iopub } = await k.execute(code, {}, 60_000);
  expect(reply.content, `cell failed: ${code}\n${JSON.stringify(reply.content)}`).toMatchObject({ status: "ok" });
  const data = (m: Message) => (m.content as { data: Record<string, unknown> }).data;
  return {
    result: iopub.filter((m) => m.header.msg_type === "execute_result").map(data)[0],
    displays: iopub.filter((m) => m.header.msg_type === "display_data").map(data),
    count: Number(reply.content.execution_count),
    stdout: iopub.filter((m) => m.header.msg_type === "stream").map((m) => String(m.content.text)).join(""),
  };
}

const plain = (b: Record<string, unknown> | undefined): string => String(b?.["text/plain"]);
/** The cell printed one JSON line with console.log. */
const json = (cell: { stdout: string }): unknown => JSON.parse(cell.stdout);

describe("machine history in a notebook", () => {
  it("rewind() in the cell after a delegation restores the capDL text and stateHash exactly", async () => {
    await run(`const hm = createMachine({ memory: "64M", seed: 5 });
const hnova = hm.bootNova();
hnova.createPd(0x40, 0x20);
hnova.createSm(0x30, 0x20);
const capdl0 = hnova.capdl();
const hash0 = hm.stateHash();`);
    const delegated = await run(`hnova.delegate(0x20, 0x40, hnova.crd.obj(0x30)); hnova.capdl() === capdl0`);
    expect(plain(delegated.result)).toBe("false");

    const diffCell = await run(`const d1 = lastDiff();
display(d1);
const r1 = rewind();
console.log(JSON.stringify({ caps: d1.in("caps").map((c) => c.sign + " " + c.line), cell: r1.cell }))`);
    const shown = diffCell.displays[0]!;
    expect(shown["text/html"]).toMatch(/<pre class="hypernote-capdl-diff">/);
    expect(shown["text/html"]).toMatch(/<span style="color:#1a7f37[^"]*">\+ +obj 0x30: sm_\d+ /);
    expect(plain(shown)).toMatch(/^\+ +obj 0x30: sm_\d+ \(order: 0, rights: 0x[0-9a-f]+\)$/m);
    const got = json(diffCell) as { caps: string[]; cell: number };
    expect(got.caps).toHaveLength(1);
    expect(got.caps[0]).toMatch(/^\+ obj 0x30: sm_\d+ /);
    expect(got.cell).toBe(delegated.count); // the cell undone is the delegating one

    const after = await run(`console.log(JSON.stringify({ capdl: hnova.capdl() === capdl0, hash: hm.stateHash() === hash0 }))`);
    expect(json(after)).toEqual({ capdl: true, hash: true });
  });

  it("shows a Xen event-channel bind in the last cell's diff", async () => {
    await run(`const xm = createMachine({ memory: "64M", seed: 6 });
const xx = xm.bootXen();
const da = xx.createDomain();
const db = xx.createDomain();
const alloc = { dom: 0x7ff0, remote_dom: da, port: 0 }; // DOMID_SELF`);
    await run(`xx.hypercall(db, 32, 6, alloc)`); // __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound
    await run(`const bind = { remote_dom: db, remote_port: alloc.port, local_port: 0 }; xx.hypercall(da, 32, 0, bind)`); // EVTCHNOP_bind_interdomain
    const r = await run(`console.log(JSON.stringify({ added: lastDiff().added, a: da, b: db, pa: bind.local_port, pb: alloc.port }))`);
    const { added, a, b, pa, pb } = json(r) as { added: string[]; a: number; b: number; pa: number; pb: number };
    expect(added.sort()).toEqual([`evtchn dom${a}:${pa} -> dom${b}:${pb} interdomain`, `evtchn dom${b}:${pb} -> dom${a}:${pa} interdomain`].sort());
  });

  it("rewind() undoes a cell that reconfigured and ran Genode, and refuses, naming why, past a cell that drove the machine around it", async () => {
    await run(`const gm = createMachine({ memory: "64M" });
const g = gm.bootGenode({ kernel: "nova" });
const cfg = (extra: string) => '<config><parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>' +
  '<default-route><any-service><parent/></any-service></default-route><default caps="50"/><start name="test-log" ram="2M"/>' + extra + '</config>';
g.start(cfg(""));
const log0 = [...g.log];`);
    await run(`g.reconfigure(cfg('<start name="again" ram="2M"><binary name="test-log"/></start>')); gm.run({ cycles: 100000 });`);
    const back = await run(`rewind(); console.log(JSON.stringify({ same: JSON.stringify(g.log) === JSON.stringify(log0), again: g.log.some((l) => l.startsWith("[init -> again]")) }))`);
    expect(json(back)).toEqual({ same: true, again: false });
    await run(`gm.charge(0, "syscall", "cell", "by-hand", "notebook")`);
    await run(`1`);
    const { reply } = await k.execute(`rewind()`, {}, 60_000);
    expect(reply.content.status).toBe("error");
    expect(reply.content.ename).toBe("UsageError");
    expect(String(reply.content.evalue)).toMatch(/driven outside Genode/);
  });
});
