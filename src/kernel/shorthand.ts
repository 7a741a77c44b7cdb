/**
 * Works around a tslab 1.0.22 converter bug: a variable declared in an earlier cell lives on the
 * cells' shared `exports`, and tslab rewrites each use of it — except in a shorthand property.
 * `{ seed }` then reads an undeclared `seed` ("seed is not defined"), while `{ seed: seed }` works.
 * So every shorthand property `{ x }` is spelled out as `{ x: x }` before tslab sees the cell; the
 * two mean the same in object literals and in destructuring patterns (`{ x = 1 } = o` becomes
 * `{ x: x = 1 } = o`). Insertions stay on their line, so diagnostics keep their line numbers.
 */

interface Node {
  kind: number;
  end: number;
  name?: Node;
}

export interface TsForShorthand {
  createSourceFile(name: string, text: string, target: number, setParents?: boolean, kind?: number): Node;
  forEachChild(node: Node, visit: (child: Node) => void): void;
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
  SyntaxKind: { ShorthandPropertyAssignment: number; Identifier: number };
}

export function expandShorthandProperties(ts: TsForShorthand, code: string): string {
  if (!code.includes("{")) return code;
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const insertions: { at: number; text: string }[] = [];
  const visit = (node: Node): void => {
    if (node.kind === ts.SyntaxKind.ShorthandPropertyAssignment && node.name?.kind === ts.SyntaxKind.Identifier) {
      const name = code.slice(nameStart(code, node.name.end), node.name.end);
      insertions.push({ at: node.name.end, text: `: ${name}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  let out = code;
  for (const { at, text } of insertions.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + text + out.slice(at);
  return out;
}

/** Start of the identifier that ends at `end` (node.pos would include leading trivia). */
function nameStart(code: string, end: number): number {
  let i = end;
  while (i > 0 && /[\w$\u0080-\uffff]/.test(code[i - 1]!)) i--;
  return i;
}
