/**
 * Display: the display protocol (`Symbol.for("Jupyter.display")` → mime bundle), plotly figures,
 * arquero tables as bundles, the plotly.js loader for HTML outputs, and standalone HTML reports.
 */
export { DISPLAY, bundleOf, isDisplayable, isArqueroTable, type Displayable, type MimeBundle } from "./protocol.js";
export { Figure, figure, resetFigureIds, scriptJson, PLOTLY_MIME, type PlotlyBundleValue } from "./figure.js";
export { tableBundle, tableHtml, tablePlain, dataResource, DATARESOURCE_MIME, type TableBundleOptions, type DataResource, type FieldType } from "./table.js";
export { plotlyLoaderHtml, plotlyScriptHtml, inlineScriptText, PLOTLY_SCRIPT_ATTRIBUTE } from "./plotly-loader.js";
export { HtmlReport, type HtmlReportOptions } from "./report.js";
