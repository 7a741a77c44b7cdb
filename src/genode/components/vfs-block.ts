/**
 * vfs_block: a Block server backed by a file in its VFS — here a `<fs>` plugin, i.e. a
 * File_system session (label from `<fs label>`) to a vfs server (repos/os/src/server/vfs_block,
 * genodelabs/genode ffb059da). Each Block session is granted by `<policy label_prefix file=
 * block_size= writeable=>`; block requests become File_system reads and writes.
 */
import { err, ok } from "../../machine/index.js";
import type { Component, Connection, Env, SessionRequest } from "../component.js";
import { marshalString } from "../rpc.js";
import { attribute, subNode } from "../xml.js";
import { blockServer } from "./block-ops.js";
import { selectPolicy } from "./session-policy.js";
import { FsOp } from "./vfs.js";

export class VfsBlock implements Component {
  private env: Env | undefined;
  private fs: Connection | undefined;

  start(env: Env): void {
    this.env = env;
    const fsNode = env.config() && subNode(env.config()!, "vfs");
    const plugin = fsNode && subNode(fsNode, "fs");
    const c = env.connect("File_system", (plugin && attribute(plugin, "label")) ?? "");
    if (!c.ok) { env.error(`could not open File_system session (${c.error})`); return; }
    this.fs = c.value;
    env.announce("Block");
  }

  session(req: SessionRequest) {
    const policy = selectPolicy(this.env!.config(), req.label);
    const fs = this.fs;
    if (req.service !== "Block" || policy === undefined || fs === undefined) return err("DENIED" as const);
    const words: number[] = [];
    marshalString(attribute(policy, "file") ?? "", words);
    const opened = fs.call(FsOp.open, words);
    const [handle, size] = [opened.words[0] ?? -1, opened.words[1] ?? 0];
    if (opened.code !== 0 || handle < 0) return err("DENIED" as const);
    const bs = Number(attribute(policy, "block_size") ?? "512");
    const writeable = attribute(policy, "writeable") === "yes";
    return ok(blockServer({
      info: () => [Math.floor(size / bs), bs],
      read: (lba, n) => fs.call(FsOp.read, [handle, lba * bs, n * bs]).words[0] ?? 0,
      write: (lba, n, v) => { if (writeable) fs.call(FsOp.write, [handle, lba * bs, n * bs, v]); },
      sync: () => { fs.call(FsOp.sync); },
    }));
  }
}
