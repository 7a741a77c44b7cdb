/**
 * The prelude: the first cell every session runs, before any of the user's, so that hypernote
 * (createMachine and friends) and the display helpers are in scope, with their types, from the
 * first cell on. It imports the built package by absolute path: the notebook directory need not
 * have hypernote in its node_modules. The package's .d.ts is checked by tslab's TypeScript 5.0.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { log } from "./log.js";

/** What the kernel's display module gives every cell. */
export const DISPLAY_NAMES = ["display", "clearOutput", "input", "page", "comms", "onCell"] as const;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export interface Prelude {
  /** The full prelude: display helpers and the package's exports. */
  code: string;
  /** The display helpers alone, for when the package's entry fails to load or type-check. */
  fallback: string;
}

export async function buildPrelude(): Promise<Prelude> {
  const displayPath = fileURLToPath(new URL("./display/index.js", import.meta.url));
  const fallback = `import { ${DISPLAY_NAMES.join(", ")} } from ${JSON.stringify(displayPath)};\n`;
  const entry = fileURLToPath(new URL("../index.js", import.meta.url));
  if (!existsSync(entry)) return { code: fallback, fallback };
  let names: string[] = [];
  try {
    const mod = (await import(entry)) as Record<string, unknown>;
    const taken = new Set<string>(DISPLAY_NAMES);
    names = Object.keys(mod).filter((n) => n !== "default" && IDENTIFIER.test(n) && !taken.has(n));
  } catch (e) {
    log(`prelude: cannot load ${entry}: ${(e as Error).message}`);
    return { code: fallback, fallback };
  }
  const spec = JSON.stringify(entry);
  const code = `${fallback}import * as hypernote from ${spec};\n` + (names.length > 0 ? `import { ${names.join(", ")} } from ${spec};\n` : "");
  return { code, fallback };
}
