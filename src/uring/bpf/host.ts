/** What the BPF run path and the io_uring helpers see of a ring (RingContext implements it). */
import type { AddressSpace } from '../../mem/address-space.js';
import type { CompletionQueue } from '../cq.js';

export interface BpfHost {
  readonly mem: AddressSpace;
  readonly cqs: readonly CompletionQueue[];
  /** Set once close() began: queue_sqe returns -EAGAIN, runs complete with -EAGAIN. */
  readonly dying: boolean;
  /** The one posting path; false only when the CQE was dropped (strictRfc, full extra CQ). */
  post(cqIdx: number, udLo: number, udHi: number, res: number, flags: number): boolean;
  /**
   * Submit the 64-byte SQE at `addr` through the normal one-SQE path, inside the current BPF run's
   * submission batch. Returns 0 when accepted, else the -errno it was rejected with (its error CQE is
   * already posted, or will be with its failed chain).
   */
  bpfSubmitSqe(addr: number): number;
}

/** RunOptions.ctx of an IORING_OP_BPF run: how the io_uring helpers find their ring. */
export interface BpfRunCtx {
  readonly host: BpfHost;
  /** Address of this run's struct io_uring_bpf_ctx (kernel-private memory). */
  readonly ctxAddr: number;
  /** CQEs this run consumed with iouring_reap_cqe: its progress (run.ts, the live-lock guard). */
  reaped: number;
}

export function isBpfRunCtx(v: unknown): v is BpfRunCtx {
  return typeof v === 'object' && v !== null && 'host' in v && 'ctxAddr' in v;
}
