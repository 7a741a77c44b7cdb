/**
 * init as a child of init: a nested sandbox whose config is the component's inline `<config>`,
 * or the ROM its route names (ping.run routes "config" to the parent's "drivers.config").
 * Genode: repos/os/src/init/main.cc (genodelabs/genode ffb059da).
 */
import type { Component, Env } from "../component.js";
import { serializeXml, type XmlNode } from "../xml.js";

export class NestedInit implements Component {
  private handle: { apply(xml: string): unknown; destroy(): void } | undefined;
  private env: Env | undefined;

  start(env: Env): void {
    this.env = env;
    const xml = this.configXml(env);
    if (xml === undefined) { env.error("no config"); return; }
    const r = env.host.nestedInit(env, env.name, xml);
    if (r.ok) this.handle = r.value;
  }

  private configXml(env: Env): string | undefined {
    const inline: XmlNode | undefined = env.config();
    if (inline !== undefined) return serializeXml(inline);
    const rom = env.host.bootModule(`${env.name}.config`);
    return typeof rom === "string" ? rom : undefined;
  }

  configChanged(): void {
    const xml = this.env === undefined ? undefined : this.configXml(this.env);
    if (xml !== undefined) this.handle?.apply(xml);
  }

  stop(): void {
    this.handle?.destroy();
  }
}
