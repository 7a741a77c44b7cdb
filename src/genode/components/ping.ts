/**
 * ping: sends `count` ICMP echo requests to `dst_ip`, one per `period_sec`, prints each reply as
 * "64 bytes from <ip>: icmp_seq=<n> ttl=64 time=<ms>.<us> ms" and exits with 0 after the last
 * (repos/os/src/app/ping/main.cc at 24.11; the microsecond part is printed unpadded, as there).
 * With report="yes" each reply is also published as a Report.
 */
import type { Component, Connection, Env } from "../component.js";
import { marshalString } from "../rpc.js";
import { attribute } from "../xml.js";
import { FrameKind, ICMP_DATA_SIZE, IPV4_TIME_TO_LIVE, NicOp, fromWords, ip, ipText, toWords } from "./net.js";

/** `ICMP_ID` of app/ping/main.cc. */
const ICMP_ID = 1166;
const ICMP_HEADER = 8;

export class Ping implements Component {
  private seq = 1;
  private sent = 0;
  private sendTime = 0;
  private reportId = 1;

  start(env: Env): void {
    const cfg = env.config();
    const a = (k: string, d: string): string => (cfg && attribute(cfg, k)) ?? d;
    const dst = ip(a("dst_ip", "10.0.2.2"));
    let count = Number(a("count", "5"));
    const period = Number(a("period_sec", "5")) * 1000;
    const timer = env.connect("Timer");
    const nic = env.connect("Nic");
    const report: Connection | undefined = a("report", "no") === "yes" ? (() => { const r = env.connect("Report", "ping"); return r.ok ? r.value : undefined; })() : undefined;
    if (!timer.ok || !nic.ok) { env.error("could not open sessions"); return; }
    const [src] = nic.value.call(NicOp.dhcp).words;
    const receive = (): void => {
      for (let w = nic.value.call(NicOp.receive).words; w.length > 0; w = nic.value.call(NicOp.receive).words) {
        const f = fromWords(w);
        if (f === undefined || f.kind !== FrameKind.ECHO_REPLY || f.id !== ICMP_ID || f.seq !== this.seq) continue;
        const us = Math.floor((env.now() - this.sendTime) * 1000);
        const ms = Math.floor(us / 1000);
        const bytes = ICMP_DATA_SIZE + ICMP_HEADER;
        env.log(`${bytes} bytes from ${ipText(f.src)}: icmp_seq=${f.seq} ttl=${IPV4_TIME_TO_LIVE} time=${ms}.${us - ms * 1000} ms`);
        if (report) {
          const words: number[] = [];
          marshalString(`<ping id="${this.reportId++}" type="reply" bytes="${bytes}" from="${ipText(f.src)}" ttl="${IPV4_TIME_TO_LIVE}" time_ms="${ms}.${us - ms * 1000}" icmp_seq="${f.seq}"/>`, words);
          report.call(0, words);
        }
        this.seq++;
        count--;
        if (count === 0) env.exit(0);
      }
    };
    const sig = env.signal(receive);
    if (sig) nic.value.call(NicOp.sigh, [], [sig]);
    const send = (): void => {
      if (count === 0) return;
      this.sendTime = env.now();
      this.sent++;
      nic.value.call(NicOp.transmit, toWords({ kind: FrameKind.ECHO_REQUEST, src: src ?? 0, dst, id: ICMP_ID, seq: this.seq, ttl: IPV4_TIME_TO_LIVE }));
      env.after(timer.value, period, send);
    };
    env.after(timer.value, period, send);
  }
}
