/**
 * Genode targets (issue 6): init with 1000 children, each opening 3 LOG sessions, starts in ≤ 1 s
 * host time; a Genode RPC round trip (base-nova on the NOVA model) runs at ≥ 2 M/s host. Also the
 * init-children scaling curve of issue 10 (children started per second at 10…10 000 children).
 */
import { createMachine } from "hypernote";
import { onClock, opsPerSecond, rate, spread, stats, time, type BenchResult } from "./harness.js";

const CHILDREN = 1000;
const SESSIONS = 3;

function children(n: number, ram = "512K"): string {
  const starts = Array.from({ length: n }, (_, i) =>
    `<start name="c${i}" caps="60" ram="${ram}"><binary name="dummy"/><config><create_log_connections count="${SESSIONS}"/></config></start>`).join("");
  return `<config><parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>` +
    `<default-route><any-service><parent/></any-service></default-route>${starts}</config>`;
}

/**
 * Children started per second when init starts `n` at once. Starting is one operation per run, so
 * each sample starts init `runs` times on fresh machines (booted outside the timing) and small sizes
 * get more runs, so that every sample covers at least 1000 children. Unlike the other curves, the
 * points run one after another (a start cannot be split into interleaved batches), so load from
 * other processes can differ between them; 10 000 children take minutes per start, hence 3 samples.
 */
function initChildren(n: number): BenchResult {
  const xml = children(n, "256K");
  const runs = Math.max(1, Math.ceil(1000 / n));
  const boot = () => createMachine({ memory: n > 1000 ? "4G" : "1G" }).bootGenode({ kernel: "nova", caps: 200 * n + 10_000 });
  boot().start(xml);
  const rates: number[] = [];
  for (let s = 0; s < (n > 1000 ? 3 : 5); s++) {
    let seconds = 0;
    for (let r = 0; r < runs; r++) {
      const g = boot();
      seconds += time(() => {
        if (!g.start(xml).ok) throw new Error(`init could not start ${n} children`);
      });
    }
    rates.push((n * runs) / seconds);
  }
  return rate("genode", `start children at ${n} init children`, stats(rates), undefined, { curve: "init children", op: "start children", objects: n, runsPerSample: runs, sessionsPerChild: SESSIONS });
}

export default function genodeSuite(): BenchResult[] {
  const xml = children(CHILDREN);
  const boot = () => createMachine({ memory: "2G" }).bootGenode({ kernel: "nova", caps: 200_000 });
  const warm = boot();
  warm.start(xml);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const g = boot();
    samples.push(time(() => g.start(xml)));
  }
  const s = stats(samples);

  const g = createMachine({ memory: "64M" }).bootGenode({ kernel: "nova" });
  g.start(`<config><parent-provides><service name="LOG"/></parent-provides></config>`);
  const timed = onClock(g.machine, (n) => {
    for (let i = 0; i < n; i++) g.rpcCost(2, 0);
  });
  const rpc = opsPerSecond(timed.body, 100_000);
  const rpcCap = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) g.rpcCost(2, 1);
  }, 50_000);

  const curveOfChildren = [10, 100, 1_000, 10_000].map(initChildren);
  return [
    {
      suite: "genode", name: `init starts ${CHILDREN} children, each opening ${SESSIONS} LOG sessions`, unit: "s", value: s.median, stats: s,
      target: { value: 1, better: "lower" }, params: { children: CHILDREN, sessionsPerChild: SESSIONS, kernel: "nova" },
    },
    rate("genode", "Genode RPC round trip (2 words, base-nova on NOVA)", rpc, 2e6, { words: 2, caps: 0, ...timed.params() }),
    rate("genode", "Genode RPC round trip with one capability argument", rpcCap, undefined, { words: 2, caps: 1 }),
    ...curveOfChildren,
    spread("genode", "init children", "start children", curveOfChildren),
  ];
}
