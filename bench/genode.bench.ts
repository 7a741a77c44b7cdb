/**
 * Genode targets (issue 6): init with 1000 children, each opening 3 LOG sessions, starts in ≤ 1 s
 * host time; a Genode RPC round trip (base-nova on the NOVA model) runs at ≥ 2 M/s host.
 */
import { createMachine } from "hypernote";
import { opsPerSecond, rate, stats, time, type BenchResult } from "./harness.js";

const CHILDREN = 1000;
const SESSIONS = 3;

function thousandChildren(): string {
  const starts = Array.from({ length: CHILDREN }, (_, i) =>
    `<start name="c${i}" caps="60" ram="512K"><binary name="dummy"/><config><create_log_connections count="${SESSIONS}"/></config></start>`).join("");
  return `<config><parent-provides><service name="LOG"/><service name="PD"/><service name="CPU"/><service name="ROM"/></parent-provides>` +
    `<default-route><any-service><parent/></any-service></default-route>${starts}</config>`;
}

export default function genodeSuite(): BenchResult[] {
  const xml = thousandChildren();
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
  const rpc = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) g.rpcCost(2, 0);
  }, 100_000);
  const rpcCap = opsPerSecond((n) => {
    for (let i = 0; i < n; i++) g.rpcCost(2, 1);
  }, 50_000);

  return [
    {
      suite: "genode", name: `init starts ${CHILDREN} children, each opening ${SESSIONS} LOG sessions`, unit: "s", value: s.median, stats: s,
      target: { value: 1, better: "lower" }, params: { children: CHILDREN, sessionsPerChild: SESSIONS, kernel: "nova" },
    },
    rate("genode", "Genode RPC round trip (2 words, base-nova on NOVA)", rpc, 2e6, { words: 2, caps: 0 }),
    rate("genode", "Genode RPC round trip with one capability argument", rpcCap, undefined, { words: 2, caps: 1 }),
  ];
}
