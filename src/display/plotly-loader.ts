/**
 * plotly.js for HTML outputs, inline and offline, from the npm package plotly.js-dist-min. The
 * kernel sends `plotlyLoaderHtml()` once per session (as `text/html` display data) before the first
 * figure; a report puts it once in <head>. Figures' HTML only waits for `window.Plotly`.
 *
 * require.js: classic Notebook 6 and nbconvert's templates load require.js, which made plotly.js
 * ≤ 2.x register itself as an anonymous AMD module and never set `window.Plotly`. The 4.x bundle's
 * wrapper has no AMD branch and its factory ends with `window.Plotly = Plotly`, so a plain
 * <script> works next to require.js (reference/jupyter.md §5); no `define` shim is needed.
 */
import { readPlotlyJs } from "./report-file.js";

/** Attribute marking the script element that carries plotly.js (one per page). */
export const PLOTLY_SCRIPT_ATTRIBUTE = 'data-hypernote="plotly.js"';

/**
 * JavaScript made safe as the text of an inline <script>: "</script" cannot end the element and
 * "<!--" cannot switch the HTML tokenizer into its escaped state. Both rewrites are no-ops for a
 * JS parser where they occur in plotly.js (inside string literals: "<\/" and "<\!" are "</" and "<!").
 */
export function inlineScriptText(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** The HTML that loads a given plotly.js source: MathJax kept local (no CDN), then the bundle. */
export function plotlyScriptHtml(js: string): string {
  return (
    `<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n` +
    `<script type="text/javascript" ${PLOTLY_SCRIPT_ATTRIBUTE}>${inlineScriptText(js)}</script>\n`
  );
}

/** The HTML that loads the installed plotly.js-dist-min, inline (about 4.8 MB). */
export function plotlyLoaderHtml(): string {
  return plotlyScriptHtml(readPlotlyJs());
}
