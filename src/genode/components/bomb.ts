/**
 * bomb: the resource-trading stress test (repos/os/src/test/bomb/main.cc at 24.11). Each bomb
 * splits its available quota among `children` children of generation − 1, which do the same;
 * the master (the one with a timer) kills and re-creates its children every `sleep` ms for
 * `rounds` rounds, then logs "Done. Going to sleep". Children run in a nested init (the real
 * bomb drives Genode::Child directly); names are "bomb_g<generation>.<n>" as there.
 */
import type { Component, Connection, Env } from "../component.js";
import { attribute } from "../xml.js";

/** `Pd_connection::RAM_QUOTA` on 64-bit: what bomb keeps back when dividing its RAM (24 KiB·8). */
const PD_CONNECTION_RAM = 24 * 1024 * 8;

export class Bomb implements Component {
  private round = 0;
  private nested: { destroy(): void } | undefined;

  start(env: Env): void {
    const cfg = env.config();
    const a = (k: string, d: string): string => (cfg && attribute(cfg, k)) ?? d;
    const rounds = Number(a("rounds", "1"));
    const generation = Number(a("generations", "1"));
    const children = Number(a("children", "2"));
    const sleep = Number(a("sleep", "2000"));
    const demand = Number(a("demand", String(1024 * 1024)));
    const master = a("master", "yes") !== "no";
    env.log("--- bomb started ---");
    let timer: Connection | undefined;
    if (master) {
      const t = env.connect("Timer");
      if (t.ok) timer = t.value;
      env.log(`rounds=${rounds} generations=${generation} children=${children} sleep=${sleep} demand=${demand / 1024}K`);
    }
    const construct = (): void => {
      const q = env.quota();
      const availRam = q.ram - q.usedRam;
      if (availRam < PD_CONNECTION_RAM + demand) { env.error("RAM demand exceeds available RAM"); return; }
      const ram = Math.floor((availRam - PD_CONNECTION_RAM - demand) / children);
      if (ram < demand * children) { env.log(`I'm a leaf node - generation ${generation} - not enough memory.`); return; }
      const availCaps = q.caps - q.usedCaps;
      if (availCaps < children * 30) { env.log("I ran out of capabilities."); return; }
      const caps = Math.floor((availCaps - children * 30) / children);
      if (generation === 0) { env.log("I'm a leaf node - generation 0"); return; }
      env.log(`[${this.round}] It's time to start all my children...`);
      const starts = Array.from({ length: children }, (_, i) =>
        `<start name="bomb_g${generation - 1}.${i + 1}" caps="${caps}" ram="${ram}"><binary name="bomb"/><config generations="${generation - 1}" master="no"/></start>`).join("");
      const xml = `<config><parent-provides><service name="ROM"/><service name="PD"/><service name="CPU"/><service name="LOG"/><service name="Timer"/></parent-provides><default-route><any-service><parent/></any-service></default-route>${starts}</config>`;
      const r = env.host.nestedInit(env, env.name, xml);
      if (r.ok) this.nested = r.value;
      else env.error(`creation of child ${children} failed`);
      if (master && timer) env.after(timer, sleep, destruct);
    };
    const destruct = (): void => {
      env.log(`[${this.round}] It's time to kill all my children...`);
      for (let i = 0; i < children && this.nested; i++) env.log("Bomb_child::~Bomb_child()");
      this.nested?.destroy();
      this.nested = undefined;
      env.log(`[${this.round}] Done.`);
      this.round++;
      if (this.round === rounds && master) { env.log("Done. Going to sleep"); return; }
      construct();
    };
    construct();
  }

  stop(): void {
    this.nested?.destroy();
  }
}
