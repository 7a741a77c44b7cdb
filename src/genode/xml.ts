/**
 * XML node model: the generic tree that Genode's `Xml_node` / `Node` presents to components.
 * Genode: repos/base/include/util/xml_node.h and base/node.h (genodelabs/genode ffb059da).
 *
 * Parsing is delegated to fast-xml-parser (DESIGN.md "Dependencies"): its validator reports the
 * line and column of the first syntax error, which Genode itself does not (a malformed ROM simply
 * reads as an empty node there).
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface XmlNode {
  readonly type: string;
  /** Attributes in document order (Genode iterates them in that order). */
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  readonly children: readonly XmlNode[];
  /** Concatenated character data directly inside this node (trimmed). */
  readonly text: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`malformed XML at line ${line}, column ${column}: ${detail}`);
    this.name = "XmlSyntaxError";
  }
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

function convert(type: string, raw: Ordered): XmlNode {
  const attrs = (raw[":@"] ?? {}) as Record<string, string>;
  const items = (raw[type] ?? []) as Ordered[];
  const children: XmlNode[] = [];
  let text = "";
  for (const item of items) {
    if ("#text" in item) {
      text += String(item["#text"]);
      continue;
    }
    const key = Object.keys(item).find((k) => k !== ":@");
    if (key === undefined || key.startsWith("?")) continue;
    children.push(convert(key, item));
  }
  return { type, attributes: Object.entries(attrs).map(([k, v]) => [k, String(v)] as const), children, text };
}

/** Parse one XML document; throws XmlSyntaxError (with line and column) when malformed. */
export function parseXml(source: string): XmlNode {
  const verdict = XMLValidator.validate(source);
  if (verdict !== true) throw new XmlSyntaxError(verdict.err.line, verdict.err.col, verdict.err.msg);
  const top = (parser.parse(source) as Ordered[]).filter((item) => {
    const key = Object.keys(item).find((k) => k !== ":@");
    return key !== undefined && !key.startsWith("?") && !("#text" in item);
  });
  if (top.length !== 1) throw new XmlSyntaxError(1, 1, "document must have exactly one top-level node");
  const root = top[0] as Ordered;
  const key = Object.keys(root).find((k) => k !== ":@") as string;
  return convert(key, root);
}

export function xmlNode(type: string, attributes: Array<readonly [string, string]> = [], children: XmlNode[] = [], text = ""): XmlNode {
  return { type, attributes, children, text };
}

export function hasAttribute(node: XmlNode, name: string): boolean {
  return node.attributes.some(([k]) => k === name);
}

export function attribute(node: XmlNode, name: string): string | undefined {
  return node.attributes.find(([k]) => k === name)?.[1];
}

export function subNode(node: XmlNode, type: string): XmlNode | undefined {
  return node.children.find((c) => c.type === type);
}

export function subNodes(node: XmlNode, type: string): XmlNode[] {
  return node.children.filter((c) => c.type === type);
}

/**
 * Genode's boolean attribute syntax: "yes"/"true"/"on"/"1" and "no"/"false"/"off"/"0"; anything
 * else yields the default (util/string.h ascii_to(bool)).
 */
export function boolAttribute(node: XmlNode, name: string, fallback: boolean): boolean {
  const v = attribute(node, name);
  if (v === "yes" || v === "true" || v === "on" || v === "1") return true;
  if (v === "no" || v === "false" || v === "off" || v === "0") return false;
  return fallback;
}

/** Unsigned decimal or 0x-hex; an unparsable value yields the default, as Genode's attribute_value does. */
export function unsignedAttribute(node: XmlNode, name: string, fallback: number): number {
  const v = attribute(node, name);
  if (v === undefined) return fallback;
  if (/^[0-9]+$/.test(v)) return Number(v);
  if (/^0x[0-9a-fA-F]+$/.test(v)) return Number.parseInt(v.slice(2), 16);
  return fallback;
}

export function signedAttribute(node: XmlNode, name: string, fallback: number): number {
  const v = attribute(node, name);
  if (v === undefined || !/^-?[0-9]+$/.test(v)) return fallback;
  return Number(v);
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Serialise with Genode's Generator layout: tab indentation, `<x/>` for empty nodes. */
export function serializeXml(node: XmlNode, indent = ""): string {
  const attrs = node.attributes.map(([k, v]) => ` ${k}="${escape(v)}"`).join("");
  if (node.children.length === 0 && node.text === "") return `${indent}<${node.type}${attrs}/>`;
  if (node.children.length === 0) return `${indent}<${node.type}${attrs}>${escape(node.text)}</${node.type}>`;
  const inner = node.children.map((c) => serializeXml(c, indent + "\t")).join("\n");
  const text = node.text === "" ? "" : `\n${indent}\t${escape(node.text)}`;
  return `${indent}<${node.type}${attrs}>${text}\n${inner}\n${indent}</${node.type}>`;
}

/**
 * Structural equality. Genode's `differs_from` compares the node's bytes, so a whitespace-only
 * edit counts as a change there; here it does not (we do not keep the source bytes).
 */
export function xmlEqual(a: XmlNode | undefined, b: XmlNode | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return serializeXml(a) === serializeXml(b);
}
