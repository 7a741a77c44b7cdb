/**
 * The kernel's own diagnostics. They go straight to file descriptor 2 (the kernel's log in
 * Jupyter), never through process.stderr: that stream is captured into cell output while a cell
 * runs, and a worker thread's process.stderr is piped through it too.
 */
import { writeSync } from "node:fs";

export function log(message: string): void {
  try {
    writeSync(2, `[hypernote kernel] ${message}\n`);
  } catch {
    // stderr closed: nowhere left to report to
  }
}
