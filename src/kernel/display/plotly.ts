/**
 * Plotly figures in the kernel. The bundle itself comes from src/display (`Figure`): the plotly mime
 * object, an HTML fallback that waits for `window.Plotly`, and a line of text; its div ids are a
 * per-session counter plus a hash of the figure, so re-executing a notebook reproduces its outputs
 * byte for byte. plotly.js itself (4.8 MB) goes out once per kernel session, prepended to the HTML of
 * the first bundle that carries a figure, whichever way that figure was displayed.
 */
import { DISPLAY, Figure, PLOTLY_MIME, plotlyLoaderHtml } from "../../display/index.js";
import type { PlotlySpec } from "../../metrics/index.js";
import type { MimeBundle } from "../runtime.js";

export { PLOTLY_MIME };

export interface PlotlyFigure {
  data: unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

const SENT = Symbol.for("hypernote.plotly.sent");

/** Forget that plotly.js was sent (a new front-end page needs it again). */
export function resendPlotlyJs(): void {
  (globalThis as Record<symbol, unknown>)[SENT] = false;
}

/** The bundle with plotly.js prepended to its HTML if it shows a figure and plotly.js has not gone out yet. */
export function withPlotlyJs(bundle: MimeBundle): MimeBundle {
  const g = globalThis as Record<symbol, unknown>;
  if (g[SENT] === true || !(PLOTLY_MIME in bundle) || typeof bundle["text/html"] !== "string") return bundle;
  g[SENT] = true;
  return { ...bundle, "text/html": plotlyLoaderHtml() + bundle["text/html"] };
}

export function plotlyBundle(figure: PlotlyFigure): MimeBundle {
  if (typeof figure !== "object" || figure === null || !Array.isArray(figure.data)) {
    throw new TypeError("display.plotly(figure) needs a figure object with a `data` array of traces");
  }
  const spec = { data: figure.data, layout: figure.layout ?? {} } as PlotlySpec;
  return withPlotlyJs(new Figure(spec, figure.config ?? {})[DISPLAY]());
}
