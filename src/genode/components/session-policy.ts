/**
 * Server-side session policy: the `<policy>` node of a server's config that best matches a session
 * label — exact `label` over the longest `label_prefix` over the longest `label_suffix` — or
 * `<default-policy>` (repos/os/include/os/session_policy.h Node_label_score, genodelabs/genode
 * ffb059da; reference/genode.md §1.2).
 */
import { attribute, subNode, subNodes, type XmlNode } from "../xml.js";

/** Best-matching `<policy>` for a label (os/include/os/session_policy.h Node_label_score). */
export function selectPolicy(config: XmlNode | undefined, label: string): XmlNode | undefined {
  let best: XmlNode | undefined;
  let score = -1;
  for (const p of subNodes(config ?? { type: "", attributes: [], children: [], text: "" }, "policy")) {
    const exact = attribute(p, "label");
    const prefix = attribute(p, "label_prefix");
    const suffix = attribute(p, "label_suffix");
    let s = -1;
    if (exact !== undefined && exact === label) s = 100000;
    else if (prefix !== undefined && label.startsWith(prefix)) s = 1000 + prefix.length;
    else if (suffix !== undefined && label.endsWith(suffix)) s = suffix.length;
    if (s > score) { score = s; best = p; }
  }
  return best ?? (config ? subNode(config, "default-policy") : undefined);
}
