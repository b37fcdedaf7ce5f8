/**
 * IORING_OP_TIMEOUT, IORING_OP_TIMEOUT_REMOVE and IORING_OP_LINK_TIMEOUT with 5.13 flags
 * (IORING_TIMEOUT_ABS, IORING_TIMEOUT_UPDATE) and 6.18's observable behaviour (kernel probe T19-T27):
 * - a timeout with a count (`off` > 0) completes with 0 once that many CQEs were posted to CQ 0 after
 *   it was queued, not counting the CQEs of other timeouts (RFC v2: CQ 0 only); otherwise -ETIME;
 * - both kinds bump cq_timeouts, which wakes every waiter in enter(GETEVENTS);
 * - a removed (cancelled) timeout completes with -ECANCELED after the remover's own CQE.
 * Times are CLOCK_MONOTONIC nanoseconds; Node's hrtime reads the same clock.
 */
import { EALREADY, ECANCELED, EFAULT, EINVAL, ENOENT, ETIME } from '../../uapi/errno.js';
import {
  IORING_OP_LINK_TIMEOUT,
  IORING_TIMEOUT_ABS,
  IORING_TIMEOUT_UPDATE,
  IOSQE_BUFFER_SELECT,
  IOSQE_FIXED_FILE,
} from '../../uapi/io_uring.js';
import { KERNEL_TIMESPEC } from '../../uapi/layout.js';
import type { Request } from '../request.js';
import type { OpDef, OpRing } from './types.js';

/** Longest delay setTimeout accepts; longer timeouts re-arm until their deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TimeoutData {
  /** Relative duration or absolute deadline from the timespec, in ns. */
  ns: bigint;
  abs: boolean;
  /** Completion count (sqe->off, u32); 0 = pure timer. */
  count: number;
  /** CQ 0 event number at which a counted timeout completes (u32). */
  target: number;
  deadline: bigint;
  timer: Timer | null;
  /** LINK_TIMEOUT: the request it guards (and that request's gen when it was linked). */
  guarded: Request | null;
  guardedGen: number;
}

export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

/** Read a __kernel_timespec at a user address: ns, or -EFAULT / -EINVAL. */
function readTimespec(ring: OpRing, lo: number, hi: number): bigint | number {
  const addr = hi === 0 ? lo >>> 0 : -1;
  if (addr < 0 || !ring.mem.isValid(addr, KERNEL_TIMESPEC.size)) return -EFAULT;
  const sec = ring.mem.readI64(addr + KERNEL_TIMESPEC.fields.tv_sec.offset);
  const nsec = ring.mem.readI64(addr + KERNEL_TIMESPEC.fields.tv_nsec.offset);
  if (sec < 0n || nsec < 0n) return -EINVAL;
  return sec * 1_000_000_000n + nsec;
}

function data(req: Request): TimeoutData {
  return req.op as TimeoutData;
}

/** A pending timer: a setTimeout, or a setImmediate for a deadline already past. */
interface Timer {
  cancel(): void;
}

/**
 * Arm the request's timer for t.deadline. It never fires synchronously: an expired deadline fires on
 * the next event-loop turn, as the kernel's hrtimer fires from interrupt context, not inside issue.
 */
function startTimer(ring: OpRing, req: Request, onFire: (ring: OpRing, req: Request) => void): void {
  const t = data(req);
  const gen = req.gen;
  const fire = (): void => {
    t.timer = null;
    if (req.gen === gen) {
      onFire(ring, req);
      ring.kick();
    }
  };
  const arm = (): void => {
    const left = t.deadline - monotonicNs();
    if (left <= 0n) {
      fire();
      return;
    }
    // Round up so that the callback never runs before the deadline; re-check on wake-up.
    const ms = Math.min(MAX_TIMER_MS, Number((left + 999_999n) / 1_000_000n));
    const h = setTimeout(arm, ms);
    t.timer = { cancel: () => clearTimeout(h) };
  };
  if (t.deadline - monotonicNs() <= 0n) {
    // Already expired: fire from task work, i.e. right after the submission that armed it, as the
    // kernel's hrtimer does (probe X14: a {0,0} timeout's CQE precedes a later SQE's).
    let cancelled = false;
    t.timer = {
      cancel: () => {
        cancelled = true;
      },
    };
    ring.queueTaskWork(() => {
      if (!cancelled) fire();
    });
  } else {
    arm();
  }
}

function stopTimer(t: TimeoutData): boolean {
  if (t.timer === null) return false;
  t.timer.cancel();
  t.timer = null;
  return true;
}

/* ------------------------------------------------------------------ the timeout list */

function removeFromList(ring: OpRing, req: Request): boolean {
  const list = ring.timeouts.list;
  const i = list.indexOf(req);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

function insertCounted(ring: OpRing, req: Request): void {
  const st = ring.timeouts;
  const list = st.list;
  const t = data(req);
  const base = st.lastFlush;
  const mine = (t.target - base) >>> 0;
  // Counted timeouts come first, sorted by target; pure timers stay at the tail.
  let i = list.length;
  while (i > 0) {
    const o = data(list[i - 1]!);
    if (o.count !== 0 && (o.target - base) >>> 0 <= mine) break;
    i--;
  }
  list.splice(i, 0, req);
}

/** Complete counted timeouts whose count has been reached (called after CQEs land in CQ 0). */
export function flushTimeouts(ring: OpRing): void {
  const st = ring.timeouts;
  const list = st.list;
  const seq = (st.cq0Tail() - st.cqTimeouts) >>> 0;
  while (list.length > 0) {
    const req = list[0]!;
    const t = data(req);
    if (t.count === 0) break;
    const needed = (t.target - st.lastFlush) >>> 0;
    const got = (seq - st.lastFlush) >>> 0;
    if (got < needed) break;
    list.shift();
    stopTimer(t);
    st.cqTimeouts++;
    ring.removeInflight(req);
    ring.completeLater(req, 0);
  }
  st.lastFlush = seq;
}

function onTimeoutExpired(ring: OpRing, req: Request): void {
  removeFromList(ring, req);
  ring.timeouts.cqTimeouts++;
  ring.removeInflight(req);
  ring.completeLater(req, -ETIME);
}

/** Cancel hook of a pending IORING_OP_TIMEOUT (ASYNC_CANCEL, TIMEOUT_REMOVE, teardown). */
function cancelTimeout(ring: OpRing, req: Request): number {
  if (!removeFromList(ring, req)) return -EALREADY;
  stopTimer(data(req));
  ring.removeInflight(req);
  ring.completeLater(req, -ECANCELED);
  return 0;
}

/* ------------------------------------------------------------------ IORING_OP_TIMEOUT */

function prepTimeoutCommon(ring: OpRing, req: Request, isLink: boolean): number {
  if (req.bufIndex !== 0 || req.len !== 1 || req.spliceFdIn !== 0) return -EINVAL;
  const count = req.offLo >>> 0;
  if (count !== 0 && isLink) return -EINVAL;
  if ((req.opFlags & ~IORING_TIMEOUT_ABS) !== 0) return -EINVAL;
  let guarded: Request | null = null;
  if (isLink) {
    guarded = ring.submitLinkLast;
    if (guarded === null || guarded.opcode === IORING_OP_LINK_TIMEOUT) return -EINVAL;
  }
  const ns = readTimespec(ring, req.addrLo, req.addrHi);
  if (typeof ns === 'number') return ns;
  const t: TimeoutData = {
    ns,
    abs: (req.opFlags & IORING_TIMEOUT_ABS) !== 0,
    count,
    target: 0,
    deadline: 0n,
    timer: null,
    guarded,
    guardedGen: guarded?.gen ?? 0,
  };
  req.op = t;
  return 0;
}

export const timeoutOp: OpDef = {
  name: 'TIMEOUT',
  ioprio: false,
  bufferSelect: false,
  prep: (ring, req) => prepTimeoutCommon(ring, req, false),
  issue(ring, req) {
    const t = data(req);
    const st = ring.timeouts;
    if (t.count === 0) {
      st.list.push(req);
    } else {
      t.target = (st.cq0Tail() - st.cqTimeouts + t.count) >>> 0;
      insertCounted(ring, req);
    }
    t.deadline = t.abs ? t.ns : monotonicNs() + t.ns;
    req.cancel = (r) => cancelTimeout(ring, r);
    ring.addInflight(req);
    startTimer(ring, req, onTimeoutExpired);
    return false;
  },
};

/* ------------------------------------------------------------------ IORING_OP_TIMEOUT_REMOVE */

interface RemoveData {
  update: boolean;
  abs: boolean;
  ns: bigint;
}

export const timeoutRemoveOp: OpDef = {
  name: 'TIMEOUT_REMOVE',
  ioprio: false,
  bufferSelect: false,
  prep(ring, req) {
    if ((req.flags & (IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT)) !== 0) return -EINVAL;
    if (req.bufIndex !== 0 || req.len !== 0 || req.spliceFdIn !== 0) return -EINVAL;
    const flags = req.opFlags;
    const d: RemoveData = { update: false, abs: false, ns: 0n };
    if ((flags & IORING_TIMEOUT_UPDATE) !== 0) {
      if ((flags & ~(IORING_TIMEOUT_UPDATE | IORING_TIMEOUT_ABS)) !== 0) return -EINVAL;
      const ns = readTimespec(ring, req.offLo, req.offHi);
      if (typeof ns === 'number') return ns;
      d.update = true;
      d.abs = (flags & IORING_TIMEOUT_ABS) !== 0;
      d.ns = ns;
    } else if (flags !== 0) {
      return -EINVAL;
    }
    req.op = d;
    return 0;
  },
  issue(ring, req) {
    const d = req.op as RemoveData;
    const target = ring.timeouts.list.find((r) => r.udLo === req.addrLo && r.udHi === req.addrHi);
    if (target === undefined) {
      req.res = -ENOENT;
      return true;
    }
    if (!d.update) {
      req.res = cancelTimeout(ring, target);
      return true;
    }
    // An update turns the timeout into a pure timer at the tail of the list (io_timeout_update sets
    // off = 0): its completion count is gone (probe X09).
    const t = data(target);
    stopTimer(t);
    removeFromList(ring, target);
    t.count = 0;
    ring.timeouts.list.push(target);
    t.abs = d.abs;
    t.ns = d.ns;
    t.deadline = d.abs ? d.ns : monotonicNs() + d.ns;
    startTimer(ring, target, onTimeoutExpired);
    req.res = 0;
    return true;
  },
};

/* ------------------------------------------------------------------ IORING_OP_LINK_TIMEOUT */

export const linkTimeoutOp: OpDef = {
  name: 'LINK_TIMEOUT',
  ioprio: false,
  bufferSelect: false,
  prep: (ring, req) => prepTimeoutCommon(ring, req, true),
  issue(_ring, req) {
    // A link timeout is never issued on its own: it is armed by the request it guards, or failed
    // with its chain. Reaching here means its guarded request vanished.
    req.res = -ECANCELED;
    return true;
  },
};

/** The request `lt` guards, if `lt` is a link timeout still attached to it. */
export function guardedBy(lt: Request): Request | null {
  const t = lt.op as TimeoutData | null;
  if (t === null || t.guarded === null || t.guarded.gen !== t.guardedGen) return null;
  return t.guarded;
}

/**
 * The guarded request went async: start the link timeout's clock. On expiry the link timeout is
 * unlinked, the guarded request is cancelled and the link timeout completes with -ETIME (or with the
 * cancel error when the guarded request could not be stopped), before the guarded request's CQE.
 */
export function armLinkTimeout(ring: OpRing, lt: Request, guarded: Request): void {
  const t = data(lt);
  t.deadline = t.abs ? t.ns : monotonicNs() + t.ns;
  const guardedGen = guarded.gen;
  startTimer(ring, lt, (rg, ltReq) => {
    if (guarded.gen !== guardedGen || guarded.link !== ltReq) return;
    guarded.link = ltReq.link;
    ltReq.link = null;
    rg.queueTaskWork(() => {
      let res = -ETIME;
      if (guarded.gen === guardedGen) {
        const r = guarded.cancel !== null ? guarded.cancel(guarded) : -ENOENT;
        if (r !== 0) res = r;
      } else {
        res = -ENOENT;
      }
      rg.completeAsync(ltReq, res);
    });
  });
}

/** The guarded request finished first: stop the clock; the caller unlinks and completes `lt`. */
export function disarmLinkTimeout(lt: Request): void {
  const t = lt.op as TimeoutData | null;
  if (t !== null) stopTimer(t);
}

/** Stop the timer of a timeout-family request being torn down. */
export function stopTimeoutTimer(req: Request): void {
  const t = req.op as TimeoutData | null;
  if (t !== null && typeof t === 'object' && 'timer' in t) stopTimer(t);
}
