/**
 * Comms: custom message channels between kernel code and the front end, opened by either side.
 * Spec: jupyter_client docs/messaging.rst, "Custom Messages" (comm_open / comm_msg / comm_close,
 * comm_info_request). Kernel-side messages go out on iopub.
 */
import { randomUUID } from "node:crypto";

export type CommData = Record<string, unknown>;
type MsgListener = (data: CommData, msg: { metadata: Record<string, unknown>; buffers: Uint8Array[] }) => void;

/** Sends one comm_* message on iopub, parented to the current request. */
export type CommSend = (msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>, buffers?: Uint8Array[]) => void;

export class Comm {
  private msgListeners: MsgListener[] = [];
  private closeListeners: ((data: CommData) => void)[] = [];
  closed = false;

  constructor(
    readonly id: string,
    readonly targetName: string,
    private readonly comms: Comms,
  ) {}

  send(data: CommData = {}, buffers?: Uint8Array[]): void {
    if (this.closed) throw new Error(`comm ${this.id} (${this.targetName}) is closed; open a new one to send more`);
    this.comms.sendRaw("comm_msg", { comm_id: this.id, data }, buffers);
  }

  close(data: CommData = {}): void {
    if (this.closed) return;
    this.comms.sendRaw("comm_close", { comm_id: this.id, data });
    this.comms.forget(this.id);
    this.closed = true;
  }

  onMsg(listener: MsgListener): void {
    this.msgListeners.push(listener);
  }

  onClose(listener: (data: CommData) => void): void {
    this.closeListeners.push(listener);
  }

  /** @internal a comm_msg from the front end */
  deliver(data: CommData, metadata: Record<string, unknown>, buffers: Uint8Array[]): void {
    for (const l of this.msgListeners) l(data, { metadata, buffers });
  }

  /** @internal a comm_close from the front end */
  closedByFrontend(data: CommData): void {
    this.closed = true;
    for (const l of this.closeListeners) l(data);
  }
}

/** Called when the front end opens a comm on a target; returning normally accepts it. */
export type CommTarget = (comm: Comm, data: CommData) => void;

export class Comms {
  private readonly targets = new Map<string, CommTarget>();
  private readonly open_ = new Map<string, Comm>();

  constructor(private readonly send: CommSend) {}

  registerTarget(name: string, target: CommTarget): void {
    this.targets.set(name, target);
  }

  unregisterTarget(name: string): void {
    this.targets.delete(name);
  }

  /** Opens a comm from the kernel side (comm_open on iopub). */
  open(targetName: string, data: CommData = {}, metadata: Record<string, unknown> = {}): Comm {
    const comm = new Comm(randomUUID().replaceAll("-", ""), targetName, this);
    this.open_.set(comm.id, comm);
    this.send("comm_open", { comm_id: comm.id, target_name: targetName, data, metadata });
    return comm;
  }

  /** comm_info_reply.comms: every open comm, optionally only those on one target. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const c of this.open_.values()) {
      if (targetName === undefined || c.targetName === targetName) out[c.id] = { target_name: c.targetName };
    }
    return out;
  }

  /**
   * comm_open from the front end. An unknown target is refused the way ipykernel refuses it:
   * by closing the comm at once, so the front end does not wait on a comm nobody serves.
   */
  handleOpen(content: Record<string, unknown>): void {
    const id = String(content.comm_id ?? "");
    const targetName = String(content.target_name ?? "");
    const target = this.targets.get(targetName);
    if (id === "") return;
    if (target === undefined) {
      this.send("comm_close", { comm_id: id, data: {} });
      return;
    }
    const comm = new Comm(id, targetName, this);
    this.open_.set(id, comm);
    try {
      target(comm, (content.data as CommData) ?? {});
    } catch (e) {
      this.open_.delete(id);
      this.send("comm_close", { comm_id: id, data: { error: String(e) } });
    }
  }

  handleMsg(content: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Uint8Array[]): boolean {
    const comm = this.open_.get(String(content.comm_id));
    if (comm === undefined) return false;
    comm.deliver((content.data as CommData) ?? {}, metadata, buffers);
    return true;
  }

  handleClose(content: Record<string, unknown>): boolean {
    const id = String(content.comm_id);
    const comm = this.open_.get(id);
    if (comm === undefined) return false;
    this.open_.delete(id);
    comm.closedByFrontend((content.data as CommData) ?? {});
    return true;
  }

  /** @internal */
  sendRaw(msgType: "comm_msg" | "comm_close", content: Record<string, unknown>, buffers?: Uint8Array[]): void {
    this.send(msgType, content, buffers);
  }

  /** @internal */
  forget(id: string): void {
    this.open_.delete(id);
  }
}
