/**
 * `import … from "hypernote"` in a cell means this kernel's own package, the one the prelude already
 * loaded: the specifier is rewritten to the package entry's absolute path before tslab sees the cell.
 * tslab resolves modules the Node10 way from the notebook's directory, which finds nothing when the
 * notebook lives outside a project that installed hypernote — and a second copy would not share the
 * first one's state (figure counters, the interrupt flag).
 */
import type { TsForShorthand } from "./shorthand.js";

interface Node {
  kind: number;
  pos: number;
  end: number;
  moduleSpecifier?: Node;
  text?: string;
}

export interface TsForSpecifiers extends Omit<TsForShorthand, "SyntaxKind"> {
  SyntaxKind: TsForShorthand["SyntaxKind"] & { ImportDeclaration: number; ExportDeclaration: number };
}

export function rewriteOwnPackage(ts: TsForSpecifiers, code: string, packageName: string, entry: string): string {
  if (!code.includes(packageName)) return code;
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) as unknown as Node;
  const edits: { from: number; to: number }[] = [];
  ts.forEachChild(sf as never, (child) => {
    const node = child as unknown as Node;
    if (node.kind !== ts.SyntaxKind.ImportDeclaration && node.kind !== ts.SyntaxKind.ExportDeclaration) return;
    const spec = node.moduleSpecifier;
    if (spec?.text === packageName) edits.push({ from: spec.end - packageName.length - 2, to: spec.end });
  });
  let out = code;
  for (const { from, to } of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, from) + JSON.stringify(entry) + out.slice(to);
  return out;
}
