/**
 * kernel_info_reply content. Spec: jupyter_client docs/messaging.rst, "Kernel info"; the
 * language_info values follow Deno's TypeScript kernel (reference/peers.md §4.1).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PROTOCOL_VERSION, type Content } from "./wire.js";

function versionOf(req: NodeJS.Require, pkg: string): string {
  try {
    return (JSON.parse(readFileSync(req.resolve(`${pkg}/package.json`), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export interface Versions {
  hypernote: string;
  tslab: string;
  /** The TypeScript that type-checks cells: tslab's fork, not the one the project builds with. */
  typescript: string;
  node: string;
}

export function versions(): Versions {
  const req = createRequire(import.meta.url);
  const hypernote = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  const tslabReq = createRequire(req.resolve("tslab/package.json"));
  return { hypernote, tslab: versionOf(req, "tslab"), typescript: versionOf(tslabReq, "@tslab/typescript-for-tslab"), node: process.versions.node };
}

export function kernelInfo(v: Versions = versions()): Content {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "hypernote",
    implementation_version: v.hypernote,
    language_info: {
      name: "typescript",
      version: v.typescript,
      mimetype: "text/x.typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      codemirror_mode: "typescript",
      nbconvert_exporter: "script",
    },
    banner:
      `hypernote ${v.hypernote}: TypeScript ${v.typescript} (tslab ${v.tslab}) on Node.js ${v.node}\n` +
      "In scope in every cell: createMachine and the rest of hypernote, display, input, clearOutput.",
    help_links: [
      { text: "hypernote design", url: "https://github.com/hypernote/hypernote/blob/main/DESIGN.md" },
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Node.js API", url: "https://nodejs.org/docs/latest-v20.x/api/" },
    ],
    supported_features: ["iopub_welcome"],
    debugger: false,
  };
}
