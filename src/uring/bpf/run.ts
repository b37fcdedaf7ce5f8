/**
 * The life of an IORING_OP_BPF request (spec §4.4, §4.5; DESIGN.md Q1, Q2, Q12):
 *
 * - issue never runs the program: it allocates the request's 16-byte struct io_uring_bpf_ctx in
 *   kernel-private memory (-ENOMEM when the address space is full) and queues a run as task work.
 * - a run: ring dying → complete with -EAGAIN; else zero the ctx, fill user_data, run the program as
 *   one submission batch (BpfRing.bpfBeginBatch/bpfEndBatch: links built by queue_sqe stay within the
 *   run, inline completions are held and flushed when it ends). A program fault (BpfFault: bad memory
 *   access, budget exhausted, helper misuse) completes the request with -EFAULT.
 * - then wait_nr == 0 → complete with 0; wait_idx ≥ number of CQs → -EINVAL; else a CQ wait: level
 *   triggered, woken by a posting on any CQ when cached tail − shared head of CQ[wait_idx] ≥ wait_nr,
 *   and re-run (from scratch) as task work. A wait that already holds at registration re-runs at once
 *   (task work, budgeted) when the run consumed CQEs (progress), and on the next event-loop turn
 *   (setImmediate) when it consumed none, so a program waiting on a CQ it never drains cannot starve
 *   timers, I/O or user code (the live-lock of spec §4.5, DESIGN.md Q1).
 * - ring teardown completes waiting, deferred and queued requests with -EAGAIN (Q12); ASYNC_CANCEL
 *   cannot stop a BPF request (-EALREADY).
 * One CQE per request, on its own cq_idx, after the flush of its last run.
 */
import { BpfFault } from '../../ebpf/faults.js';
import { IOURING_CTX_FIELDS } from '../../ebpf/verifier/prog-types.js';
import { MemoryExhausted } from '../../mem/errors.js';
import { EAGAIN, EALREADY, EFAULT, EINVAL, ENOMEM } from '../../uapi/errno.js';
import type { CompletionQueue } from '../cq.js';
import type { Request } from '../request.js';
import type { BpfHost, BpfRunCtx } from './host.js';
import type { ProgEntry } from './programs.js';

/** Size of struct io_uring_bpf_ctx. */
export const BPF_CTX_SIZE = 16;

/** Spec §3.7's ctx fields (the verifier's rule, enforced again by the run for unverified programs). */
export const BPF_CTX_FIELDS = IOURING_CTX_FIELDS;

/** A BPF request waiting on a CQ; the ring wakes it from its posting path. */
export interface BpfWait {
  readonly cq: CompletionQueue;
  readonly nr: number;
  wake(): void;
}

/** Batch state saved by bpfBeginBatch. */
export type BatchToken = unknown;

/** What the run path needs of the ring beyond the helpers' view. */
export interface BpfRing extends BpfHost {
  queueTaskWork(fn: () => void): void;
  kick(): void;
  completeAsync(req: Request, res: number): void;
  completeLater(req: Request, res: number): void;
  addInflight(req: Request): void;
  removeInflight(req: Request): void;
  /** Start a submission batch of its own (fresh link state, inline completions held). */
  bpfBeginBatch(): BatchToken;
  /** End it: queue a still-open chain, flush held completions, restore the outer batch. */
  bpfEndBatch(token: BatchToken): void;
  addBpfWait(w: BpfWait): void;
  removeBpfWait(w: BpfWait): void;
}

type Phase = 'queued' | 'running' | 'waiting' | 'deferred';

/** req.op of an IORING_OP_BPF request. */
export class BpfReqState {
  readonly entry: ProgEntry;
  ctxAddr = 0;
  token = 0;
  phase: Phase = 'queued';
  wait: BpfWait | null = null;
  immediate: ReturnType<typeof setImmediate> | null = null;
  /** Runs so far (diagnostics). */
  runs = 0;

  constructor(entry: ProgEntry) {
    this.entry = entry;
  }
}

export function issueBpf(ring: BpfRing, req: Request): void {
  const st = req.op as BpfReqState;
  try {
    st.ctxAddr = ring.mem.allocKernel(BPF_CTX_SIZE);
  } catch (e) {
    if (!(e instanceof MemoryExhausted)) throw e;
    ring.completeLater(req, -ENOMEM);
    return;
  }
  st.token = req.gen;
  ring.addInflight(req);
  req.cancel = (r) => cancelBpf(ring, r);
  queueRun(ring, req, st);
}

function queueRun(ring: BpfRing, req: Request, st: BpfReqState): void {
  st.phase = 'queued';
  const token = st.token;
  ring.queueTaskWork(() => runBpf(ring, req, token));
}

function done(ring: BpfRing, req: Request, st: BpfReqState, res: number): void {
  ring.mem.free(st.ctxAddr);
  ring.removeInflight(req);
  ring.completeAsync(req, res);
}

function runBpf(ring: BpfRing, req: Request, token: number): void {
  if (req.gen !== token) return;
  const st = req.op as BpfReqState;
  if (ring.dying) {
    done(ring, req, st, -EAGAIN);
    return;
  }
  const mem = ring.mem;
  const ctx = st.ctxAddr;
  mem.zero(ctx, BPF_CTX_SIZE);
  mem.setU32(ctx, req.udLo);
  mem.setU32(ctx + 4, req.udHi);
  st.phase = 'running';
  st.runs++;
  const runCtx: BpfRunCtx = { host: ring, ctxAddr: ctx, reaped: 0 };
  let fault = false;
  const batch = ring.bpfBeginBatch();
  try {
    st.entry.prog.run({
      mem,
      r1: ctx,
      regions: [{ addr: ctx, size: BPF_CTX_SIZE, writable: true, name: 'ctx', fields: BPF_CTX_FIELDS }],
      ctx: runCtx,
    });
  } catch (e) {
    if (!(e instanceof BpfFault)) throw e;
    fault = true;
  } finally {
    ring.bpfEndBatch(batch);
  }
  if (req.gen !== token) return;
  if (fault) {
    done(ring, req, st, -EFAULT);
    return;
  }
  const waitNr = mem.u32(ctx + 8);
  const waitIdx = mem.u32(ctx + 12);
  if (waitNr === 0) {
    done(ring, req, st, 0);
    return;
  }
  const cq = ring.cqs[waitIdx];
  if (cq === undefined) {
    done(ring, req, st, -EINVAL);
    return;
  }
  if (cq.ready() >= waitNr) {
    // Already true at registration. A run that consumed CQEs made progress: re-run now, as task work
    // (whose budget still yields to the event loop). One that consumed none may be waiting on a CQ it
    // never drains: re-run on the next event-loop turn (Q1), so timers, I/O and user code go on.
    if (runCtx.reaped > 0) {
      queueRun(ring, req, st);
      return;
    }
    st.phase = 'deferred';
    st.immediate = setImmediate(() => {
      st.immediate = null;
      if (req.gen !== token) return;
      queueRun(ring, req, st);
      ring.kick();
    });
    return;
  }
  st.phase = 'waiting';
  const w: BpfWait = {
    cq,
    nr: waitNr,
    wake: () => {
      st.wait = null;
      if (req.gen === token) queueRun(ring, req, st);
    },
  };
  st.wait = w;
  ring.addBpfWait(w);
}

/** Cancel hook: only ring teardown stops a BPF request (its next run completes it with -EAGAIN). */
function cancelBpf(ring: BpfRing, req: Request): number {
  if (!ring.dying) return -EALREADY;
  const st = req.op as BpfReqState;
  if (st.phase === 'waiting' && st.wait !== null) {
    ring.removeBpfWait(st.wait);
    st.wait = null;
    queueRun(ring, req, st);
  } else if (st.phase === 'deferred' && st.immediate !== null) {
    clearImmediate(st.immediate);
    st.immediate = null;
    queueRun(ring, req, st);
  }
  return 0;
}
