/**
 * One send at a time per ZeroMQ socket. zeromq 6 rejects a send with EBUSY while the previous
 * send on that socket is still in progress, which is how stock tslab loses iopub messages.
 */
import { log } from "./log.js";

interface Writable {
  send(frames: Buffer[]): Promise<void>;
}

const DEBUG = process.env.HYPERNOTE_KERNEL_DEBUG === "1";

export class SendQueue {
  private queue: Buffer[][] = [];
  private head = 0;
  private draining: Promise<void> | null = null;

  constructor(
    private readonly socket: Writable,
    private readonly name: string,
  ) {}

  send(frames: Buffer[]): void {
    this.queue.push(frames);
    if (this.draining === null) this.draining = this.drain();
  }

  /** Resolves when everything queued so far has been handed to ZeroMQ. */
  async flushed(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.head < this.queue.length) {
      const frames = this.queue[this.head++]!;
      try {
        if (DEBUG) log(`${this.name} send ${frames.map((f) => f.toString().slice(0, 60)).join(" | ")}`);
        await this.socket.send(frames);
        if (DEBUG) log(`${this.name} sent`);
      } catch (e) {
        log(`${this.name}: send failed: ${(e as Error).message}`);
      }
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    }
    this.queue = [];
    this.head = 0;
    this.draining = null;
  }
}
