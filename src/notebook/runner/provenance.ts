/**
 * Provenance of an executed notebook, so a reader can tell how its figures were made and rerun it:
 * package version, Node and TypeScript versions, the input notebook's hash, the parameters, and
 * the cost profile and seed when the notebook declares them as parameters. Recorded as
 * `metadata.hypernote` plus papermill's `metadata.papermill` keys (peers.md §4.4), which
 * papermill-aware tools read.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ParameterValue } from "./parameters.js";

export interface Provenance {
  package: string;
  version: string;
  node: string;
  /** The TypeScript cells are type-checked with (tslab's fork). */
  typescript: string;
  input_sha256: string;
  parameters: Record<string, ParameterValue>;
  default_parameters: Record<string, ParameterValue>;
  cost_profile: ParameterValue;
  seed: ParameterValue;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export function sha256(bytes: string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function provenance(
  inputText: string,
  parameters: Record<string, ParameterValue>,
  defaults: Record<string, ParameterValue>,
): Provenance {
  const effective = { ...defaults, ...parameters };
  return {
    package: "hypernote",
    version: packageVersion("hypernote"),
    node: process.version,
    typescript: packageVersion("@tslab/typescript-for-tslab"),
    input_sha256: sha256(inputText),
    parameters,
    default_parameters: defaults,
    cost_profile: effective["profile"] ?? effective["costProfile"] ?? "skylake",
    seed: effective["seed"] ?? null,
  };
}
