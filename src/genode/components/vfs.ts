/**
 * vfs: the File_system server over the VFS library (repos/os/src/server/vfs, repos/os/src/lib/vfs,
 * genodelabs/genode ffb059da), here with the `<ram/>` file system and `<import>`ed `<zero>` files
 * as vfs_block.run configures it. Sessions are granted by `<policy label_prefix>` (best match as
 * os/session_policy.h); none matching → denied.
 * File_system opcodes modelled: open(path) → (handle, size); read(handle, offset, length) →
 * checksum; write(handle, offset, length, value); sync.
 */
import { err, ok } from "../../machine/index.js";
import type { Component, Env, SessionRequest } from "../component.js";
import { parseNumBytes } from "../init/quota.js";
import { unmarshalString } from "../rpc.js";
import { attribute, subNode, subNodes } from "../xml.js";
import { selectPolicy } from "./session-policy.js";
import { SparseBlocks } from "./block-ops.js";

export const FsOp = { open: 0, read: 1, write: 2, sync: 3 } as const;
/** Granularity at which file contents are tracked. */
const CHUNK = 512;

export class Vfs implements Component {
  private env: Env | undefined;
  private readonly files = new Map<string, { size: number; data: SparseBlocks }>();

  start(env: Env): void {
    this.env = env;
    const vfs = env.config() && subNode(env.config()!, "vfs");
    const imp = vfs && subNode(vfs, "import");
    for (const z of imp ? subNodes(imp, "zero") : []) {
      const size = parseNumBytes(attribute(z, "size") ?? "0") ?? 0;
      // the <ram/> file system allocates the imported file from the server's own RAM quota
      if (!env.consume(size).ok) { env.error(`out of RAM while importing ${attribute(z, "name") ?? ""}`); continue; }
      this.files.set(`/${attribute(z, "name") ?? ""}`, { size, data: new SparseBlocks(size / CHUNK, CHUNK) });
    }
    env.announce("File_system");
  }

  session(req: SessionRequest) {
    const policy = selectPolicy(this.env!.config(), req.label);
    if (req.service !== "File_system" || policy === undefined) return err("DENIED" as const);
    const writeable = attribute(policy, "writeable") === "yes";
    const handles: string[] = [];
    const file = (h: number) => this.files.get(handles[h] ?? "");
    return ok([
      (a: readonly number[]) => {
        const [path] = unmarshalString(a, 0);
        const f = this.files.get(path);
        if (f === undefined) return [-1, 0];
        handles.push(path);
        return [handles.length - 1, f.size];
      },
      (a: readonly number[]) => {
        const f = file(a[0] ?? -1);
        return f === undefined ? [-1] : [f.data.read(Math.floor((a[1] ?? 0) / CHUNK), Math.ceil((a[2] ?? 0) / CHUNK))];
      },
      (a: readonly number[]) => {
        const f = file(a[0] ?? -1);
        if (f === undefined || !writeable) return [-1];
        f.data.write(Math.floor((a[1] ?? 0) / CHUNK), Math.ceil((a[2] ?? 0) / CHUNK), a[3] ?? 0);
        return [a[2] ?? 0];
      },
      () => [],
    ]);
  }
}
