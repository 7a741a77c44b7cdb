/**
 * Event channel ABI: EVTCHNOP_* sub-ops of __HYPERVISOR_event_channel_op (32), port states and
 * the FIFO ABI's event-word and control-block layout.
 * Source: xen-project/xen c447b7308b13, xen/include/public/event_channel.h (reference/xen.md §1.2, §2).
 * Call: event_channel_op(cmd, arg) — arg is the sub-op's struct; OUT fields are written back into it.
 */
export const EvtchnOp = {
  /** Connect to another domain's unbound port. IN remote_dom, remote_port → OUT local_port (set pending). */
  EVTCHNOP_bind_interdomain: 0,
  /** Bind a VIRQ to a new port. IN virq, vcpu → OUT port. */
  EVTCHNOP_bind_virq: 1,
  /** Bind a physical IRQ (privileged). IN pirq, flags → OUT port. */
  EVTCHNOP_bind_pirq: 2,
  /** Close a port; an interdomain peer reverts to unbound. IN port. */
  EVTCHNOP_close: 3,
  /** Notify the remote end (interdomain) or self (IPI). IN port. */
  EVTCHNOP_send: 4,
  /** IN dom, port → OUT status, vcpu, u.{unbound.dom | interdomain.{dom,port} | pirq | virq}. */
  EVTCHNOP_status: 5,
  /** Allocate a port in `dom` that `remote_dom` may bind. IN dom, remote_dom → OUT port. */
  EVTCHNOP_alloc_unbound: 6,
  /** Bind an IPI port to a vCPU of the caller. IN vcpu → OUT port. */
  EVTCHNOP_bind_ipi: 7,
  /** Change the vCPU notified for a port. IN port, vcpu. */
  EVTCHNOP_bind_vcpu: 8,
  /** Unmask a port and redeliver it if pending. IN port. */
  EVTCHNOP_unmask: 9,
  /** Close every port of a domain (DOMID_SELF also reverts FIFO to 2-level). IN dom. */
  EVTCHNOP_reset: 10,
  /** Switch to the FIFO ABI; register a vCPU's control block. IN control_gfn, offset, vcpu → OUT link_bits. */
  EVTCHNOP_init_control: 11,
  /** FIFO: add one event-array page. IN array_gfn. */
  EVTCHNOP_expand_array: 12,
  /** FIFO: set a port's priority. IN port, priority (0 highest … 15 lowest). */
  EVTCHNOP_set_priority: 13,
  /** Xen-internal continuation of reset: -ENOSYS from a guest. */
  EVTCHNOP_reset_cont: 14,
} as const;
export type EvtchnOp = (typeof EvtchnOp)[keyof typeof EvtchnOp];
export const {
  EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq, EVTCHNOP_bind_pirq, EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_status,
  EVTCHNOP_alloc_unbound, EVTCHNOP_bind_ipi, EVTCHNOP_bind_vcpu, EVTCHNOP_unmask, EVTCHNOP_reset, EVTCHNOP_init_control,
  EVTCHNOP_expand_array, EVTCHNOP_set_priority, EVTCHNOP_reset_cont,
} = EvtchnOp;

/** `EVTCHNSTAT_*`: what EVTCHNOP_status reports. */
export const EvtchnStat = {
  EVTCHNSTAT_closed: 0,
  EVTCHNSTAT_unbound: 1,
  EVTCHNSTAT_interdomain: 2,
  EVTCHNSTAT_pirq: 3,
  EVTCHNSTAT_virq: 4,
  EVTCHNSTAT_ipi: 5,
} as const;
export type EvtchnStat = (typeof EvtchnStat)[keyof typeof EvtchnStat];
export const { EVTCHNSTAT_closed, EVTCHNSTAT_unbound, EVTCHNSTAT_interdomain, EVTCHNSTAT_pirq, EVTCHNSTAT_virq, EVTCHNSTAT_ipi } = EvtchnStat;

/**
 * Internal channel states, as xen/common/event_channel.c names them (ECS_*): FREE and RESERVED both
 * report EVTCHNSTAT_closed. Port 0 is ECS_RESERVED from domain creation on (evtchn_init).
 */
export const Ecs = { ECS_FREE: 0, ECS_RESERVED: 1, ECS_UNBOUND: 2, ECS_INTERDOMAIN: 3, ECS_PIRQ: 4, ECS_VIRQ: 5, ECS_IPI: 6 } as const;
export type Ecs = (typeof Ecs)[keyof typeof Ecs];
export const { ECS_FREE, ECS_RESERVED, ECS_UNBOUND, ECS_INTERDOMAIN, ECS_PIRQ, ECS_VIRQ, ECS_IPI } = Ecs;

export const BIND_PIRQ__WILL_SHARE = 1;

/**
 * FIFO ABI (Xen 4.4+, commit 88910061ec). Event word: u32, PENDING bit 31, MASKED 30, LINKED 29,
 * BUSY 28, link in the low 17 bits. Control block per vCPU: u32 ready @0, u32 rsvd @4,
 * u32 head[16] @8 (72 bytes). Source: event_channel.h, xen/common/event_fifo.c.
 */
export const EvtchnFifo = {
  EVTCHN_FIFO_PRIORITY_MAX: 0,
  EVTCHN_FIFO_PRIORITY_DEFAULT: 7,
  EVTCHN_FIFO_PRIORITY_MIN: 15,
  EVTCHN_FIFO_MAX_QUEUES: 16,
  EVTCHN_FIFO_PENDING: 31,
  EVTCHN_FIFO_MASKED: 30,
  EVTCHN_FIFO_LINKED: 29,
  EVTCHN_FIFO_BUSY: 28,
  EVTCHN_FIFO_LINK_BITS: 17,
  EVTCHN_FIFO_LINK_MASK: (1 << 17) - 1,
  EVTCHN_FIFO_NR_CHANNELS: 1 << 17,
  /** event words per 4 KiB array page */
  EVTCHN_FIFO_EVENT_WORDS_PER_PAGE: 1024,
  /** event-array pages at most: 2^17 / 1024 */
  EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES: 128,
  /** sizeof(struct evtchn_fifo_control_block) */
  control_block_size: 72,
} as const;
