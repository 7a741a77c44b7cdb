/**
 * Captures what cells write to process.stdout / process.stderr and sends it as `stream` messages.
 * Writes are batched: a cell printing a million lines sends a few hundred messages, not a million.
 * A batch leaves when it reaches BATCH_BYTES, when it is FLUSH_MS old at the next write (a
 * synchronous cell never yields, so a timer alone would not fire), on the next turn of the event
 * loop, and before any other output so that the order on iopub is the order of the calls.
 */
type StreamName = "stdout" | "stderr";
type Sink = (name: StreamName, text: string) => void;

const BATCH_BYTES = 64 * 1024;
const FLUSH_MS = 50;

export class OutputCapture {
  private pending: Record<StreamName, string[]> = { stdout: [], stderr: [] };
  private size: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  private oldest = 0;
  private lastFlush = 0;
  private scheduled = false;
  private order: StreamName[] = [];

  constructor(private readonly sink: Sink) {}

  install(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      // Same signature as Writable.write; the callback is called at once, the data is ours now.
      stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
        const callback = typeof encoding === "function" ? encoding : cb;
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
        this.write(name, text);
        if (typeof callback === "function") queueMicrotask(() => (callback as () => void)());
        return true;
      }) as typeof stream.write;
    }
  }

  write(name: StreamName, text: string): void {
    if (text.length === 0) return;
    const now = performance.now();
    if (this.order.length === 0) this.oldest = now;
    if (this.order[this.order.length - 1] !== name) {
      // Keep stdout and stderr interleaved as written: switching streams ends the batch.
      if (this.order.length > 0) this.flush();
      this.order.push(name);
      this.oldest = now;
    }
    this.pending[name].push(text);
    this.size[name] += text.length;
    // After a quiet spell, send at once: a line printed just before a long synchronous
    // computation must not wait for that computation to end.
    if (this.size[name] >= BATCH_BYTES || now - this.oldest >= FLUSH_MS || now - this.lastFlush >= FLUSH_MS) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  flush(): void {
    this.lastFlush = performance.now();
    for (const name of this.order) {
      const parts = this.pending[name];
      if (parts.length === 0) continue;
      this.pending[name] = [];
      this.size[name] = 0;
      this.sink(name, parts.join(""));
    }
    this.order = [];
  }
}
