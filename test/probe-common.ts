/**
 * Shared pieces of the kernel-probe tests (probe-semantics.test.ts, probe-extra.test.ts): the SQE
 * builders of semantics_probe.c / extra_probe.c, a raw submit without liburing's implicit GETEVENTS,
 * the probe's ring_state() line, and a reap that records when each CQE arrived.
 */
import assert from 'node:assert/strict';
import {
  allocTimespec,
  prepCancel,
  prepLinkTimeout,
  prepNop,
  prepTimeout,
  prepTimeoutRemove,
  prepTimeoutUpdate,
} from '../src/liburing/prep.js';
import type { IoUring } from '../src/liburing/ring.js';
import type { Sqe } from '../src/liburing/sqe.js';
import { IORING_NOP_INJECT_RESULT, IORING_OFF_SQ_RING } from '../src/uapi/io_uring.js';
import { fmtCqe, sqe, tsMs } from './helpers.js';

export { sqe };

/** nop(): a NOP with user_data and sqe->flags. */
export function nop(ring: IoUring, ud: number, flags = 0): Sqe {
  return prepNop(sqe(ring)).setUserData(ud).setFlags(flags);
}

/** nop_fail(): a NOP that completes with res = -err (IORING_NOP_INJECT_RESULT). */
export function nopFail(ring: IoUring, ud: number, flags: number, err: number): Sqe {
  return nop(ring, ud, flags)
    .set('rw_flags', IORING_NOP_INJECT_RESULT)
    .set('len', -err >>> 0);
}

/** timeout(): IORING_OP_TIMEOUT of `ms` milliseconds. */
export function timeout(
  ring: IoUring,
  ms: number,
  count: number,
  tflags: number,
  ud: number,
  flags = 0,
): Sqe {
  return prepTimeout(sqe(ring), tsMs(ring, ms), count, tflags).setUserData(ud).setFlags(flags);
}

/** timeout() with a timespec already in memory (ABS deadlines, odd timespecs). */
export function timeoutAt(
  ring: IoUring,
  ts: number,
  count: number,
  tflags: number,
  ud: number,
  flags = 0,
): Sqe {
  return prepTimeout(sqe(ring), ts, count, tflags).setUserData(ud).setFlags(flags);
}

/** ltimeout(): IORING_OP_LINK_TIMEOUT of `ms` milliseconds. */
export function ltimeout(ring: IoUring, ms: number, tflags: number, ud: number, flags = 0): Sqe {
  return prepLinkTimeout(sqe(ring), tsMs(ring, ms), tflags).setUserData(ud).setFlags(flags);
}

/** ltimeout() with a timespec already in memory. */
export function ltimeoutAt(ring: IoUring, ts: number, tflags: number, ud: number, flags = 0): Sqe {
  return prepLinkTimeout(sqe(ring), ts, tflags).setUserData(ud).setFlags(flags);
}

/** cancel(): IORING_OP_ASYNC_CANCEL of `target`. */
export function cancel(ring: IoUring, target: number, cflags: number, ud: number, flags = 0): Sqe {
  return prepCancel(sqe(ring), target, cflags).setUserData(ud).setFlags(flags);
}

/** tremove(): IORING_OP_TIMEOUT_REMOVE of `target`. */
export function tremove(ring: IoUring, target: number, ud: number, flags = 0): Sqe {
  return prepTimeoutRemove(sqe(ring), target).setUserData(ud).setFlags(flags);
}

/** tupdate(): IORING_OP_TIMEOUT_REMOVE with IORING_TIMEOUT_UPDATE, re-arming `target` to `ms`. */
export function tupdate(ring: IoUring, ms: number, target: number, ud: number, tflags = 0): Sqe {
  return prepTimeoutUpdate(sqe(ring), tsMs(ring, ms), target, tflags).setUserData(ud);
}

/** A __kernel_timespec holding exactly {sec, nsec} (negative values included). */
export function rawTimespec(ring: IoUring, sec: bigint, nsec: bigint): number {
  const a = allocTimespec(ring.mem, 0);
  ring.mem.writeI64(a, sec);
  ring.mem.writeI64(a + 8, nsec);
  return a;
}

function ringsBase(ring: IoUring): number {
  const a = ring.mmap(IORING_OFF_SQ_RING, 64);
  if (a < 0) throw new Error(`mmap of the SQ ring failed: ${a}`);
  return a;
}

/**
 * The probe's raw_submit(): publish every SQE handed out by getSqe and call io_uring_enter(n, min,
 * eflags) directly, without the GETEVENTS that io_uring_submit adds while IORING_SQ_CQ_OVERFLOW is set.
 */
export function rawSubmit(ring: IoUring, min = 0, eflags = 0): number | Promise<number> {
  const n = publish(ring);
  return ring.enter(n, min, eflags);
}

/**
 * Make every SQE handed out by getSqe visible to the kernel (store the SQ tail) without entering;
 * returns how many are pending. Assumes the kernel consumed everything published before.
 */
export function publish(ring: IoUring): number {
  const base = ringsBase(ring);
  const off = ring.params.sqOff;
  const head = ring.mem.readU32(base + Number(off.head));
  const n = ring.sqReady();
  ring.mem.writeU32(base + Number(off.tail), (head + n) >>> 0);
  return n;
}

/** The SQ ring flags word (IORING_SQ_*). */
export function sqFlags(ring: IoUring): number {
  return ring.mem.readU32(ringsBase(ring) + Number(ring.params.sqOff.flags));
}

/** The probe's ring_state() line: `cq head=H tail=T visible=V sq_flags=0xF koverflow=O`. */
export function ringState(ring: IoUring): string {
  const base = ringsBase(ring);
  const co = ring.params.cqOff;
  const head = ring.mem.readU32(base + Number(co.head));
  const tail = ring.mem.readU32(base + Number(co.tail));
  const ovf = ring.mem.readU32(base + Number(co.overflow));
  return `cq head=${head} tail=${tail} visible=${(tail - head) >>> 0} sq_flags=0x${sqFlags(ring).toString(16)} koverflow=${ovf}`;
}

/** A CQE line and when it was reaped, in ms since `t0` (performance.now()). */
export interface TimedCqe {
  readonly line: string;
  readonly at: number;
}

/** helpers.reap, recording the arrival time of each CQE relative to `t0`. */
export async function reapTimed(ring: IoUring, n: number, ms: number, t0: number): Promise<TimedCqe[]> {
  const out: TimedCqe[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const c = await ring.waitCqeTimeout(BigInt(left) * 1_000_000n);
      out.push({ line: fmtCqe(c.userData, c.res, c.flags), at: performance.now() - t0 });
      ring.cqeSeen(c);
    } catch {
      break;
    }
  }
  for (let c = ring.peekCqe(); c !== null; c = ring.peekCqe()) {
    out.push({ line: fmtCqe(c.userData, c.res, c.flags), at: performance.now() - t0 });
    ring.cqeSeen(c);
  }
  return out;
}

/** Lines of timed CQEs. */
export const lines = (t: readonly TimedCqe[]): string[] => t.map((x) => x.line);

/** The arrival time of the CQE whose line starts with `cqe ud=<ud> ` (throws if absent). */
export function at(t: readonly TimedCqe[], ud: number): number {
  const x = t.find((c) => c.line.startsWith(`cqe ud=${ud} `));
  if (x === undefined) throw new Error(`no CQE for ud=${ud} in ${JSON.stringify(lines(t))}`);
  return x.at;
}

/** The kernel probe's "@~N ms" for an event it saw at about `ms`: a generous window for 1 ms timers. */
export function assertAbout(actual: number, ms: number, what: string): void {
  const lo = Math.max(0, ms - 5);
  const hi = ms === 0 ? 200 : ms + 700;
  assert.ok(
    actual >= lo && actual < hi,
    `${what}: expected about ${ms} ms (in [${lo}, ${hi})), got ${actual.toFixed(1)} ms`,
  );
}

/** Submit, check the count, reap `want.length` CQEs (timed from just before the submit). */
export async function submitReap(
  ring: IoUring,
  submit: number,
  want: readonly string[],
  ms = 500,
): Promise<ReturnType<typeof reapTimed>> {
  const t0 = performance.now();
  assert.equal(ring.submit(), submit, 'submit ->');
  const got = await reapTimed(ring, want.length, ms, t0);
  assert.deepEqual(lines(got), want);
  return got;
}
