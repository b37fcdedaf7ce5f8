/**
 * A request: the kernel side's copy of one SQE plus its state. The SQE is read once at submission
 * (IORING_FEAT_SUBMIT_STABLE): the user may reuse the slot as soon as enter() returns.
 * Requests are pooled per ring; `gen` changes on every reuse so that timers and callbacks holding a
 * request can tell whether it is still the one they were started for.
 */

import type { AddressSpace } from '../mem/address-space.js';

/* Internal request flags. The low byte holds the SQE flags as submitted (IOSQE_*). */
export const REQ_F_FAIL = 1 << 8; // failed: breaks a LINK chain
export const REQ_F_ISSUED = 1 << 9;
export const REQ_F_INFLIGHT = 1 << 10; // registered as cancellable while in flight
export const REQ_F_FREED = 1 << 11;

export class Request {
  /** Bumped on every (re)use; compare before acting on a stale reference. */
  gen = 0;
  opcode = 0;
  flags = 0;
  ioprio = 0;
  fd = 0;
  offLo = 0;
  offHi = 0;
  addrLo = 0;
  addrHi = 0;
  len = 0;
  opFlags = 0;
  udLo = 0;
  udHi = 0;
  bufIndex = 0;
  personality = 0;
  spliceFdIn = 0;
  cqIdx = 0;
  /** Sequence number of this request's SQE among all consumed SQEs (for IOSQE_IO_DRAIN). */
  seq = 0;

  res = 0;
  cflags = 0;
  /** Next request of the link chain. */
  link: Request | null = null;

  /**
   * Op-private state (timer, deadline, target...). Ops own its shape; cleared on reuse.
   * Kept as one untyped slot so that a Request stays one hidden class for every opcode.
   */
  op: unknown = null;
  /**
   * Set while the request is in flight and may be cancelled by ASYNC_CANCEL: returns 0 when it was
   * cancelled (its -ECANCELED completion is queued), or -EALREADY when it can no longer be stopped.
   */
  cancel: ((req: Request) => number) | null = null;

  /** user_data as a bigint (slow path: tests, diagnostics). */
  get userData(): bigint {
    return (BigInt(this.udHi >>> 0) << 32n) | BigInt(this.udLo >>> 0);
  }
}

/** A free list of requests, so that the NOP fast path allocates nothing. */
export class RequestPool {
  readonly #free: Request[] = [];
  #live = 0;

  get(): Request {
    const r = this.#free.pop() ?? new Request();
    r.gen++;
    r.flags = 0;
    r.res = 0;
    r.cflags = 0;
    r.link = null;
    r.op = null;
    r.cancel = null;
    this.#live++;
    return r;
  }

  put(r: Request): void {
    if ((r.flags & REQ_F_FREED) !== 0) throw new Error('request freed twice');
    r.flags = REQ_F_FREED;
    r.gen++;
    r.link = null;
    r.op = null;
    r.cancel = null;
    this.#live--;
    if (this.#free.length < 4096) this.#free.push(r);
  }

  /** Requests handed out and not yet returned (in flight or queued). */
  get live(): number {
    return this.#live;
  }
}

/**
 * Copy the fields of the 64-byte SQE at `a` into `req` (io_init_req's reads; `opcode` and `flags`
 * as they are, cq_idx and the sequence number are the caller's). Returns `req`.
 */
export function readSqe(mem: AddressSpace, a: number, req: Request): Request {
  const w0 = mem.u32(a);
  req.opcode = w0 & 0xff;
  req.flags = (w0 >>> 8) & 0xff;
  req.ioprio = mem.u16(a + 2);
  req.fd = mem.i32(a + 4);
  req.offLo = mem.u32(a + 8);
  req.offHi = mem.u32(a + 12);
  req.addrLo = mem.u32(a + 16);
  req.addrHi = mem.u32(a + 20);
  req.len = mem.u32(a + 24);
  req.opFlags = mem.u32(a + 28);
  req.udLo = mem.u32(a + 32);
  req.udHi = mem.u32(a + 36);
  req.bufIndex = mem.u16(a + 40);
  req.personality = mem.u16(a + 42);
  req.spliceFdIn = mem.i32(a + 44);
  return req;
}
