/**
 * src/kernel: the Jupyter kernel. What other layers use: the kernel entry, and the runtime
 * interfaces (display, comms, cell hooks) that code running inside a cell can reach.
 */
export { startKernel, INTERRUPT_KEY, type KernelOptions } from "./kernel.js";
export { display, clearOutput, input, page, comms, onCell, type Display, type DisplayHandle } from "./display/index.js";
export { plotlyBundle, PLOTLY_MIME, type PlotlyFigure } from "./display/plotly.js";
export { toBundle, DISPLAY } from "./mime.js";
export { Comm, Comms, type CommData, type CommTarget } from "./comm.js";
export { currentRuntime, type CellHook, type KernelRuntime, type MimeBundle } from "./runtime.js";
export { kernelInfo, versions } from "./kernel-info.js";
