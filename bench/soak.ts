/**
 * `npm run soak` (issue 10 item 5): not a CI test. Runs mixed workloads on long-lived machines for
 * SOAK_SECONDS (default 600) and samples the process RSS every second. Once every machine's trace
 * ring is full, memory must stay flat: the script exits 1 if RSS in the last quarter of the run rose
 * by more than SOAK_SLACK_MB (default 32) over the RSS when the rings filled (after a settling minute,
 * or a tenth of the run if shorter), and prints the curve either way.
 *
 *   SOAK_SECONDS=120 npm run soak
 */
import { createMachine } from "hypernote";
import { bootGenode } from "hypernote/internal/genode/index";
import { createScenario, WORKLOADS } from "hypernote/internal/scenarios/index";
import { XsType } from "hypernote/internal/xen/abi/xs-wire";
import { Machine } from "hypernote/machine";

const SECONDS = Number(process.env["SOAK_SECONDS"] ?? 600);
const SLACK_MB = Number(process.env["SOAK_SLACK_MB"] ?? 32);
const MB = 1024 * 1024;

interface Load {
  name: string;
  machine: Machine;
  /** One slice of work, a few milliseconds long. */
  step(i: number): void;
}

function novaLoad(): Load {
  const m = createMachine({ memory: "16M", traceCapacity: 1 << 16 });
  const nova = m.bootNova();
  if (nova.createPd(0x40, 0x20) !== 0) throw new Error("create_pd");
  return {
    name: "nova: semaphores, delegate, revoke",
    machine: m,
    step(i) {
      for (let j = 0; j < 50; j++) {
        const sel = 0x60 + ((i + j) % 16);
        nova.createSm(sel, 0x20, 1);
        nova.up(sel);
        nova.delegate(0x20, 0x40, nova.crd.obj(sel, 0, 0x1f));
        nova.revoke(nova.crd.obj(sel, 0, 0x1f), { self: true });
      }
    },
  };
}

function xenLoad(): Load {
  const m = createMachine({ cpus: 2, memory: "128M", seed: 7, traceCapacity: 1 << 16 });
  const xen = m.bootXen();
  xen.files.set("g.cfg", `name = "g"\nmemory = 16\nvcpus = 1\nvif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n`);
  if (xen.xl(["create", "g.cfg"]).status !== 0) throw new Error("xl create");
  xen.system.bridgeMode = "echo";
  const nf = xen.system.domains.get(1)!.kernel!.netfronts.get(0)!;
  const packet = Uint8Array.from({ length: 1500 }, (_, i) => i & 0xff);
  return {
    name: "xen: netfront echo + XenStore writes",
    machine: m,
    step(i) {
      for (let j = 0; j < 20; j++) nf.send(packet);
      xen.system.settle();
      nf.received.length = 0; // the guest consumed them
      xen.xenstore.request(0, { type: XsType.XS_WRITE, payload: [`/soak/k${i % 64}`, String(i)] });
    },
  };
}

function genodeLoad(): Load {
  const PP = `<parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>`;
  const start = (name: string) => `<start name="${name}" caps="100" ram="1M"><binary name="dummy"/><config><log string="${name} up"/><create_log_connections count="1"/></config><route><any-service><parent/></any-service></route></start>`;
  const m = new Machine({ memory: "64M", traceCapacity: 1 << 16 });
  const g = bootGenode(m, { kernel: "nova", caps: 5000 });
  g.start(`<config>${PP}${start("a")}</config>`);
  return {
    name: "genode: init reconfiguration",
    machine: m,
    step(i) {
      // g.log keeps every line the system printed (a console, unbounded by design): each restart adds two.
      g.reconfigure(`<config>${PP}${start(i % 2 === 0 ? "a" : "b")}${start("c")}</config>`);
    },
  };
}

function scenarioLoad(): Load {
  const s = createScenario("nova-genode", { traceCapacity: 1 << 16 });
  return {
    name: "scenario nova-genode: rpc-ping-pong",
    machine: s.machine,
    step(i) {
      s.run(WORKLOADS["rpc-ping-pong"], { iterations: 2, seed: i });
    },
  };
}

// SOAK_LOADS=nova,xen runs only those (to find which load a growth comes from).
const only = (process.env["SOAK_LOADS"] ?? "").split(",").filter((x) => x !== "");
const loads = [novaLoad, xenLoad, genodeLoad, scenarioLoad].filter((f) => only.length === 0 || only.some((o) => f.name.startsWith(o))).map((f) => f());
const samples: { t: number; rssMb: number; heapMb: number; buffersMb: number; ringsFull: boolean }[] = [];
const full = () => loads.every((l) => l.machine.trace.dropped > 0);
const started = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
const sample = () => {
  const u = process.memoryUsage();
  samples.push({ t: Math.round(elapsed()), rssMb: u.rss / MB, heapMb: u.heapUsed / MB, buffersMb: u.arrayBuffers / MB, ringsFull: full() });
  const s = samples.at(-1)!;
  if (s.t % 10 === 0) process.stderr.write(`soak: ${s.t}s rss ${s.rssMb.toFixed(1)} MB heap ${s.heapMb.toFixed(1)} MB array buffers ${s.buffersMb.toFixed(1)} MB rings ${s.ringsFull ? "full" : "filling"}\n`);
};
const timer = setInterval(sample, 1000);
const steps = new Map<string, number>(loads.map((l) => [l.name, 0]));
let i = 0;
while (elapsed() < SECONDS) {
  const l = loads[i % loads.length]!;
  l.step(Math.floor(i / loads.length));
  steps.set(l.name, steps.get(l.name)! + 1);
  i++;
  // Let the sampling timer run between slices.
  await new Promise((r) => setImmediate(r));
}
clearInterval(timer);
sample();

const fullAt = samples.findIndex((s) => s.ringsFull);
const settle = Math.min(60, Math.ceil(SECONDS / 10));
const base = fullAt < 0 ? undefined : samples.find((s, k) => k >= fullAt && s.t >= samples[fullAt]!.t + settle);
const tail = samples.slice(Math.floor(samples.length * 0.75));
const tailMax = Math.max(...tail.map((s) => s.rssMb));
const growth = base === undefined ? Number.NaN : tailMax - base.rssMb;
const flat = base !== undefined && growth <= SLACK_MB;
console.log(JSON.stringify({
  seconds: SECONDS,
  steps: Object.fromEntries(steps),
  trace: loads.map((l) => ({ load: l.name, capacity: l.machine.trace.capacity, held: l.machine.trace.size, dropped: l.machine.trace.dropped })),
  ringsFullAtSecond: fullAt < 0 ? null : samples[fullAt]!.t,
  baselineRssMb: base?.rssMb ?? null,
  lastQuarterMaxRssMb: tailMax,
  growthMb: growth,
  slackMb: SLACK_MB,
  flat,
  rssMbPerSecond: samples.map((s) => Number(s.rssMb.toFixed(1))),
  heapMbPerSecond: samples.map((s) => Number(s.heapMb.toFixed(1))),
  arrayBuffersMbPerSecond: samples.map((s) => Number(s.buffersMb.toFixed(1))),
}, null, 1));
if (!flat) {
  console.error(base === undefined ? "soak: the trace rings never filled; run longer" : `soak: RSS grew ${growth.toFixed(1)} MB after the rings filled (slack ${SLACK_MB} MB)`);
  process.exitCode = 1;
}
