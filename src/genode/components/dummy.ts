/**
 * dummy: the configurable test component of init's own test (repos/os/src/app/dummy/main.cc,
 * genodelabs/genode ffb059da). Config vocabulary: log, log_service, create_log_connections,
 * destroy_log_connections, consume_ram, consume_caps, sleep, exit; a `version` attribute makes a
 * changed config run again ("config <n>: <version>").
 */
import { ok } from "../../machine/index.js";
import type { Component, Connection, Env, SessionRequest } from "../component.js";
import { formatNumBytes, parseNumBytes } from "../init/quota.js";
import { unmarshalString } from "../rpc.js";
import { attribute, type XmlNode } from "../xml.js";

export class Dummy implements Component {
  private env: Env | undefined;
  private configCount = 0;
  private version: string | undefined;
  private connections: Connection[] = [];
  private logService = false;
  private verbose = false;

  start(env: Env): void {
    this.env = env;
    this.handleConfig();
  }

  configChanged(): void {
    this.handleConfig();
  }

  private handleConfig(): void {
    const env = this.env!;
    const config = env.config();
    const version = config === undefined ? undefined : attribute(config, "version");
    if (this.configCount > 0 && version === this.version) return;
    this.configCount++;
    this.version = version;
    if (version !== undefined && version !== "") env.log(`config ${this.configCount}: ${version}`);
    for (const node of config?.children ?? []) this.apply(env, node);
  }

  private apply(env: Env, node: XmlNode): void {
    switch (node.type) {
      case "create_log_connections": {
        const count = Number(attribute(node, "count") ?? "0");
        env.log(`going to create ${count} LOG connections`);
        for (let i = 0; i < count; i++) {
          const c = env.connect("LOG", String(i));
          if (c.ok) this.connections.push(c.value);
        }
        env.log("created all LOG connections");
        return;
      }
      case "destroy_log_connections":
        for (const c of this.connections) env.close(c);
        this.connections = [];
        env.log("destroyed all LOG connections");
        return;
      case "log_service":
        this.logService = true;
        this.verbose = attribute(node, "verbose") === "yes" || attribute(node, "verbose") === "true";
        env.announce("LOG");
        env.log("created LOG service");
        return;
      case "consume_ram": {
        const amount = parseNumBytes(attribute(node, "amount") ?? "0") ?? 0;
        if (env.consume(amount).ok) env.log(`consume ${formatNumBytes(amount)} bytes of memory`);
        return;
      }
      case "consume_caps": {
        const amount = Number(attribute(node, "amount") ?? "0");
        if (env.consume(0, amount).ok) env.log(`consume ${amount} caps`);
        return;
      }
      case "log":
        env.log((attribute(node, "string") ?? "").slice(0, 49));
        return;
      case "exit":
        env.exit(0);
        return;
      default:
        return;
    }
  }

  /** Log_service::Session_component: "[<label>] <message>" through the dummy's own LOG. */
  session(req: SessionRequest) {
    if (!this.logService || req.service !== "LOG") return { ok: false as const, error: "DENIED" as const };
    const env = this.env!;
    if (this.verbose) env.log(`opening session with label ${req.label}`);
    return ok([
      (args: readonly number[]) => {
        const [text] = unmarshalString(args, 0);
        env.log(`[${req.label}] ${text}`.slice(0, 99));
        return [];
      },
    ]);
  }
}
