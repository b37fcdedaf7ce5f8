/**
 * Timeouts, drain, overflow and waiting (X09-X18).
 * The real kernel's answers to extra_probe.c (X01-X24, Linux 6.18:
 * tools/kernel-probe/extra_probe.expected-6.18.txt), replayed on the emulator. Expected CQE lines
 * and ring states are copied verbatim from that file; each test name cites its scenario. "@~N ms"
 * timings are checked in generous windows (the emulator's timers have ~1 ms granularity).
 *
 * Substitutions (the emulator has no file I/O yet):
 * - "READ on an empty pipe", used only as a request that stays in flight, is a TIMEOUT of 5 s;
 * - X22b's READ, which the probe completes by writing to the pipe at ~500 ms, is a TIMEOUT of
 *   300 ms: its expiry stands for the write (so its own CQE is -ETIME instead of 1);
 * - the probe's cleanup (ASYNC_CANCEL with IORING_ASYNC_CANCEL_ANY|ALL) is one ASYNC_CANCEL per
 *   request still in flight, where the test checks what the cleanup found.
 *
 * Skipped scenarios:
 * - X12 b, c, d (READs on pipes written later by another thread) and e (SIGALRM interrupting a
 *   wait): pipes and signals. X12 a, d2, d3, d4 and f are tested.
 * - X14, X15 and X20 cleanups (ANY|ALL with nothing in flight): IORING_ASYNC_CANCEL_ANY/ALL.
 * - X16 ud=16 (cancel_flags FD|ANY): IORING_ASYNC_CANCEL_ANY.
 * - X19 a, b, d, e, f: IORING_LINK_TIMEOUT_UPDATE. X19 c (IORING_TIMEOUT_UPDATE aimed at a link
 *   timeout) is tested.
 * - X21c: IOSQE_CQE_SKIP_SUCCESS.
 * - X23c: the guarded READ completes short (2 of 64 bytes) after a pipe write, which breaks the link:
 *   file I/O semantics with no stand-in.
 * - X24 and X24b's second and third parts: IORING_ASYNC_CANCEL_ALL / ANY.
 * - X24c: both cancels succeed because a pending READ stays findable until its poll-based cancel
 *   completes; a TIMEOUT stand-in is unlinked by the first cancel, so it would not test the same thing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocTimespec, monotonicNowNs } from '../src/liburing/prep.js';
import type { IoUring } from '../src/liburing/ring.js';
import * as U from '../src/uapi/io_uring.js';
import { newRing, reap, sleep } from './helpers.js';
import {
  assertAbout,
  at,
  cancel,
  lines,
  ltimeout,
  ltimeoutAt,
  nop,
  rawSubmit,
  rawTimespec,
  reapTimed,
  ringState,
  sqFlags,
  submitReap,
  timeout,
  timeoutAt,
  tremove,
  tupdate,
} from './probe-common.js';

const LINK = U.IOSQE_IO_LINK;
const _HARDLINK = U.IOSQE_IO_HARDLINK;
const DRAIN = U.IOSQE_IO_DRAIN;
const ASYNC = U.IOSQE_ASYNC;
const GETEVENTS = U.IORING_ENTER_GETEVENTS;

/* ================================================================== X09: IORING_TIMEOUT_UPDATE */

test('X09 TIMEOUT_REMOVE|IORING_TIMEOUT_UPDATE: TIMEOUT 5s ud1 ; update ud1 -> 20ms (ud2) ; update unknown ud 777 (ud3) ; update of the fired ud1 (ud8)', async () => {
  const ring = newRing(8);
  timeout(ring, 5000, 0, 0, 1);
  const t0 = performance.now();
  assert.equal(ring.submit(), 1);
  tupdate(ring, 20, 1, 2);
  tupdate(ring, 20, 777, 3);
  assert.equal(ring.submit(), 2);
  const got = await reapTimed(ring, 3, 1000, t0);
  assert.deepEqual(lines(got), [
    'cqe ud=2 res=0 flags=0x0',
    'cqe ud=3 res=-2 ENOENT flags=0x0',
    'cqe ud=1 res=-62 ETIME flags=0x0',
  ]);
  assertAbout(at(got, 2), 0, 'ud2');
  assertAbout(at(got, 3), 0, 'ud3');
  assertAbout(at(got, 1), 20, 'ud1');
  // "update of an already-fired timeout ud1 (ud8)"
  tupdate(ring, 20, 1, 8);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 1, 200), ['cqe ud=8 res=-2 ENOENT flags=0x0']);
  await ring.close();
});

test('X09 update of a count timeout drops its count: TIMEOUT 5s count=2 ud4 ; update -> 20ms (ud5) ; 2 NOPs do not complete it, -ETIME at ~20 ms', async () => {
  const ring = newRing(8);
  timeout(ring, 5000, 2, 0, 4);
  const t0 = performance.now();
  assert.equal(ring.submit(), 1);
  tupdate(ring, 20, 4, 5);
  assert.equal(ring.submit(), 1);
  nop(ring, 6);
  nop(ring, 7);
  assert.equal(ring.submit(), 2);
  const got = await reapTimed(ring, 4, 1000, t0);
  assert.deepEqual(lines(got), [
    'cqe ud=5 res=0 flags=0x0',
    'cqe ud=6 res=0 flags=0x0',
    'cqe ud=7 res=0 flags=0x0',
    'cqe ud=4 res=-62 ETIME flags=0x0',
  ]);
  assertAbout(at(got, 4), 20, 'ud4');
  await ring.close();
});

/* ================================================================== X10, X22: drain */

test('X10 DRAIN: NOP ud1, NOP ud2, NOP(DRAIN) ud3 in one submit (nothing reaped)', async () => {
  const ring = newRing(16);
  nop(ring, 1);
  nop(ring, 2);
  nop(ring, 3, DRAIN);
  await submitReap(ring, 3, [
    'cqe ud=1 res=0 flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
    'cqe ud=3 res=0 flags=0x0',
  ]);
  await ring.close();
});

test('X10 TIMEOUT 30ms ud1, NOP(DRAIN|LINK) ud2 -> NOP ud3, NOP ud4: the drained chain and the NOP after it wait ~30 ms', async () => {
  const ring = newRing(16);
  timeout(ring, 30, 0, 0, 1);
  nop(ring, 2, DRAIN | LINK);
  nop(ring, 3);
  nop(ring, 4);
  const got = await submitReap(ring, 4, [
    'cqe ud=1 res=-62 ETIME flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
    'cqe ud=3 res=0 flags=0x0',
    'cqe ud=4 res=0 flags=0x0',
  ]);
  for (const ud of [1, 2, 3, 4]) assertAbout(at(got, ud), 30, `ud${ud}`);
  await ring.close();
});

test('X22 DRAIN on a non-head link member: TIMEOUT 30ms ud1, NOP(LINK) ud2 -> NOP(DRAIN) ud3, NOP ud4: all wait ~30 ms', async () => {
  const ring = newRing(16);
  timeout(ring, 30, 0, 0, 1);
  nop(ring, 2, LINK);
  nop(ring, 3, DRAIN);
  nop(ring, 4);
  const got = await submitReap(ring, 4, [
    'cqe ud=1 res=-62 ETIME flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
    'cqe ud=3 res=0 flags=0x0',
    'cqe ud=4 res=0 flags=0x0',
  ]);
  for (const ud of [1, 2, 3, 4]) assertAbout(at(got, ud), 30, `ud${ud}`);
  await ring.close();
});

test('X22b (TIMEOUT 300ms as the pipe READ, its expiry as the write) DRAIN holds back the ASYNC_CANCEL and a later TIMEOUT until the drain point', async () => {
  const ring = newRing(16);
  timeout(ring, 300, 0, 0, 5);
  nop(ring, 6, DRAIN);
  nop(ring, 7);
  const t0 = performance.now();
  assert.equal(ring.submit(), 3);
  assert.deepEqual(await reap(ring, 3, 50), []);
  cancel(ring, 5, 0, 8);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 4, 50), [], 'the cancel is held behind the drain');
  timeout(ring, 20, 0, 0, 9);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 1, 50), [], 'the TIMEOUT submitted while the drain is stuck is held');
  assert.ok(performance.now() - t0 < 290, 'the stand-in for the write has not happened yet');
  const got = await reapTimed(ring, 5, 1500, t0);
  assert.deepEqual(lines(got), [
    'cqe ud=5 res=-62 ETIME flags=0x0',
    'cqe ud=6 res=0 flags=0x0',
    'cqe ud=7 res=0 flags=0x0',
    'cqe ud=8 res=-2 ENOENT flags=0x0',
    'cqe ud=9 res=-62 ETIME flags=0x0',
  ]);
  assertAbout(at(got, 6), 300, 'ud6');
  assertAbout(at(got, 9) - at(got, 8), 20, 'ud9 runs ~20 ms after it is released');
  await ring.close();
});

/* ================================================================== X11: overflow order */

/** x11_common: 12 NOPs in 3 raw batches into sq=4 cq=8, then cq_advance(2), then NOP ud100 queued. */
async function x11Common(ring: IoUring): Promise<void> {
  const states: string[] = [];
  for (let b = 0; b < 3; b++) {
    for (let i = 0; i < 4; i++) nop(ring, b * 4 + i + 1);
    states.push(`batch ${b} enter(4,0,0) -> ${await rawSubmit(ring)}`, `[after batch] ${ringState(ring)}`);
  }
  ring.cqAdvance(2);
  states.push(`[after cq_advance(2), no enter] ${ringState(ring)}`);
  nop(ring, 100);
  assert.deepEqual(states, [
    'batch 0 enter(4,0,0) -> 4',
    '[after batch] cq head=0 tail=4 visible=4 sq_flags=0x0 koverflow=0',
    'batch 1 enter(4,0,0) -> 4',
    '[after batch] cq head=0 tail=8 visible=8 sq_flags=0x0 koverflow=0',
    'batch 2 enter(4,0,0) -> 4',
    '[after batch] cq head=0 tail=8 visible=8 sq_flags=0x2 koverflow=0',
    '[after cq_advance(2), no enter] cq head=2 tail=8 visible=6 sq_flags=0x2 koverflow=0',
  ]);
}

const X11_REST = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100].map((ud) => `cqe ud=${ud} res=0 flags=0x0`);

test('X11 overflow order: sq=4 cq=8, 12 NOPs unreaped, consume 2 w/o enter, then NOP ud100 via raw enter(1,0,0): it queues behind the backlog', async () => {
  const ring = newRing(4);
  await x11Common(ring);
  assert.equal(await rawSubmit(ring), 1, 'enter(1,0,0)');
  assert.equal(
    ringState(ring),
    'cq head=2 tail=8 visible=6 sq_flags=0x2 koverflow=0',
    '[after ud100 submit]',
  );
  assert.deepEqual(await reap(ring, 11, 300), X11_REST);
  assert.equal(ringState(ring), 'cq head=13 tail=13 visible=0 sq_flags=0x0 koverflow=0', '[end]');
  await ring.close();
});

test('X11b same, but ud100 submitted with io_uring_submit (adds GETEVENTS because SQ_CQ_OVERFLOW is set)', async () => {
  const ring = newRing(4);
  await x11Common(ring);
  assert.equal(ring.submit(), 1);
  assert.equal(
    ringState(ring),
    'cq head=2 tail=10 visible=8 sq_flags=0x2 koverflow=0',
    '[after ud100 submit]',
  );
  assert.deepEqual(await reap(ring, 11, 300), X11_REST);
  assert.equal(ringState(ring), 'cq head=13 tail=13 visible=0 sq_flags=0x0 koverflow=0', '[end]');
  await ring.close();
});

test('X11c same, but ud100 submitted with enter(1,0,GETEVENTS) after consuming 6 (room for backlog + ud100)', async () => {
  const ring = newRing(4);
  for (let b = 0; b < 3; b++) {
    for (let i = 0; i < 4; i++) nop(ring, b * 4 + i + 1);
    await rawSubmit(ring);
  }
  ring.cqAdvance(6);
  assert.equal(ringState(ring), 'cq head=6 tail=8 visible=2 sq_flags=0x2 koverflow=0');
  nop(ring, 100);
  assert.equal(await rawSubmit(ring, 0, GETEVENTS), 1, 'enter(1,0,GETEVENTS)');
  assert.equal(ringState(ring), 'cq head=6 tail=13 visible=7 sq_flags=0x0 koverflow=0', '[after]');
  assert.deepEqual(
    await reap(ring, 7, 300),
    [7, 8, 9, 10, 11, 12, 100].map((ud) => `cqe ud=${ud} res=0 flags=0x0`),
  );
  await ring.close();
});

/* ================================================================== X12: min_complete > cq_entries */

/** The probe's guarded_enter: enter(0, min, GETEVENTS) with a 400 ms guard; result, time, cq_ready, sq_flags. */
async function guardedEnter(
  ring: IoUring,
  min: number,
): Promise<{ ret: number; ms: number; cqReady: number; sqFlags: number }> {
  const t0 = performance.now();
  const ret = await ring.enter(0, min, GETEVENTS, { timeoutNs: 400_000_000n });
  return { ret, ms: performance.now() - t0, cqReady: ring.cqReady(), sqFlags: sqFlags(ring) };
}

test('X12a min_complete=100 > cq_entries=8 with 1 TIMEOUT 50ms in flight: enter returns 0 at ~50 ms (the timeout wakes it)', async () => {
  const ring = newRing(4);
  assert.equal(ring.params.cqEntries, 8);
  timeout(ring, 50, 0, 0, 1);
  ring.submit();
  const r = await guardedEnter(ring, 100);
  assert.deepEqual([r.ret, r.cqReady, r.sqFlags], [0, 1, 0]);
  assertAbout(r.ms, 50, 'enter');
  assert.deepEqual(await reap(ring, 1, 300), ['cqe ud=1 res=-62 ETIME flags=0x0']);
  await ring.close();
});

const X12_NOP_CASES: readonly {
  name: string;
  n: number;
  min: number;
  ms: number;
  sqFlags?: number;
}[] = [
  {
    name: 'X12d2 another "thread" submits 8 NOPs (fills cq exactly) at +30ms, min_complete=100: clamped to cq_entries',
    n: 8,
    min: 100,
    ms: 30,
    sqFlags: 0,
  },
  {
    name: 'X12d3 another "thread" submits 12 NOPs (4 overflow) at +30ms, min_complete=100',
    n: 12,
    min: 100,
    ms: 30,
    sqFlags: 0x2,
  },
  {
    // The probe notes d4's sq_flags is racy (0x0 or 0x2): not compared.
    name: 'X12d4 another "thread" submits 12 NOPs at +30ms, min_complete=10 (> cq_entries, < total)',
    n: 12,
    min: 10,
    ms: 30,
  },
];

for (const c of X12_NOP_CASES) {
  test(c.name, async () => {
    const ring = newRing(4);
    const timer = setTimeout(() => {
      for (let i = 0; i < c.n; i++) {
        nop(ring, 100 + i);
        if (i % 4 === 3 || i === c.n - 1) rawSubmit(ring);
      }
    }, 30);
    const r = await guardedEnter(ring, c.min);
    clearTimeout(timer);
    assert.equal(r.ret, 0, 'enter ->');
    assert.equal(r.cqReady, 8, 'cq_ready');
    if (c.sqFlags !== undefined) assert.equal(r.sqFlags, c.sqFlags, 'sq_flags');
    // The probe saw ~30-40 ms (its NOPs come from another thread); here they are all in at +30 ms.
    assertAbout(r.ms, c.ms, 'enter returned');
    assert.deepEqual(
      await reap(ring, c.n, 300),
      Array.from({ length: c.n }, (_, i) => `cqe ud=${100 + i} res=0 flags=0x0`),
    );
    await ring.close();
  });
}

test('X12f (TIMEOUT 5s as the pending READ ud5) TIMEOUTs 20ms ud6 and 200ms ud7, min_complete=3: returns at ~20 ms with 1 CQE', async () => {
  const ring = newRing(4);
  timeout(ring, 5000, 0, 0, 5);
  ring.submit();
  timeout(ring, 20, 0, 0, 6);
  timeout(ring, 200, 0, 0, 7);
  ring.submit();
  const t0 = performance.now();
  const r = await guardedEnter(ring, 3);
  assert.deepEqual([r.ret, r.cqReady, r.sqFlags], [0, 1, 0]);
  assertAbout(r.ms, 20, 'enter');
  const got = await reapTimed(ring, 1, 50, t0);
  assert.deepEqual(lines(got), ['cqe ud=6 res=-62 ETIME flags=0x0']);
  // cleanup (one cancel per request instead of ANY|ALL): ud5 and ud7 are still in flight
  cancel(ring, 5, 0, 9998);
  cancel(ring, 7, 0, 9999);
  assert.equal(ring.submit(), 2);
  assert.deepEqual(await reap(ring, 4, 300), [
    'cqe ud=9998 res=0 flags=0x0',
    'cqe ud=9999 res=0 flags=0x0',
    'cqe ud=5 res=-125 ECANCELED flags=0x0',
    'cqe ud=7 res=-125 ECANCELED flags=0x0',
  ]);
  await ring.close();
});

/* ================================================================== X13: count timeouts and the overflow backlog */

test('X13 TIMEOUT 1s count=1 whose counted CQE overflows (sq=4 cq=4): it completes when the backlog is flushed', async () => {
  const ring = newRing(4, { cqEntries: 4 });
  for (let i = 0; i < 4; i++) nop(ring, i + 1);
  assert.equal(await rawSubmit(ring), 4, '4 NOPs ud1-4 -> enter (CQ now full)');
  timeout(ring, 1000, 1, 0, 10);
  nop(ring, 11);
  const t0 = performance.now();
  assert.equal(await rawSubmit(ring), 2, 'TIMEOUT count=1 ud10 + NOP ud11 -> enter(2,0,0)');
  await sleep(50);
  assert.equal(ringState(ring), 'cq head=0 tail=4 visible=4 sq_flags=0x2 koverflow=0', '[+50ms]');
  ring.cqAdvance(4);
  await sleep(50);
  assert.equal(
    ringState(ring),
    'cq head=4 tail=4 visible=0 sq_flags=0x2 koverflow=0',
    '[consumed 4 w/o enter, +100ms]',
  );
  assert.equal(await ring.enter(0, 0, GETEVENTS), 0, 'enter(0,0,GETEVENTS)');
  assert.equal(ringState(ring), 'cq head=4 tail=6 visible=2 sq_flags=0x0 koverflow=0', '[after flush]');
  const got = await reapTimed(ring, 2, 1500, t0);
  assert.deepEqual(lines(got), ['cqe ud=11 res=0 flags=0x0', 'cqe ud=10 res=0 flags=0x0']);
  assertAbout(at(got, 10), 100, 'ud10');
  await ring.close();
});

test('X13b the count timeout is still pending while its counted CQE sits in the backlog: TIMEOUT_REMOVE finds it', async () => {
  const ring = newRing(4, { cqEntries: 4 });
  for (let i = 0; i < 4; i++) nop(ring, i + 1);
  await rawSubmit(ring);
  timeout(ring, 1000, 1, 0, 10);
  nop(ring, 11);
  const t0 = performance.now();
  await rawSubmit(ring);
  await sleep(20);
  tremove(ring, 10, 12);
  assert.equal(await rawSubmit(ring), 1, 'TIMEOUT_REMOVE ud10 (ud12) via enter(1,0,0)');
  ring.cqAdvance(4);
  const got = await reapTimed(ring, 3, 1500, t0);
  assert.deepEqual(lines(got), [
    'cqe ud=11 res=0 flags=0x0',
    'cqe ud=12 res=0 flags=0x0',
    'cqe ud=10 res=-125 ECANCELED flags=0x0',
  ]);
  assertAbout(at(got, 10), 20, 'ud10');
  await ring.close();
});

test('X13c TIMEOUT 1s count=5 ud10 queued first, then 5 NOPs ud1-5 of which 1 overflows: the timeout completes after the flush', async () => {
  const ring = newRing(4, { cqEntries: 4 });
  timeout(ring, 1000, 5, 0, 10);
  const t0 = performance.now();
  await rawSubmit(ring);
  for (let i = 0; i < 4; i++) nop(ring, i + 1);
  await rawSubmit(ring);
  nop(ring, 5);
  await rawSubmit(ring);
  await sleep(50);
  assert.equal(ringState(ring), 'cq head=0 tail=4 visible=4 sq_flags=0x2 koverflow=0', '[+50ms]');
  const got = await reapTimed(ring, 6, 1500, t0);
  assert.deepEqual(lines(got), [
    'cqe ud=1 res=0 flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
    'cqe ud=3 res=0 flags=0x0',
    'cqe ud=4 res=0 flags=0x0',
    'cqe ud=5 res=0 flags=0x0',
    'cqe ud=10 res=0 flags=0x0',
  ]);
  assertAbout(at(got, 10), 50, 'ud10');
  await ring.close();
});

/* ================================================================== X14, X15: timeout parameters */

test('X14 TIMEOUT {-1,0} ud1, {0,1000000000} ud2, {0,-1} ud3, {0,0} ud4, {1,-1} ud5, each submitted on its own', async () => {
  const ring = newRing(8);
  const ts: readonly [bigint, bigint][] = [
    [-1n, 0n],
    [0n, 1_000_000_000n],
    [0n, -1n],
    [0n, 0n],
    [1n, -1n],
  ];
  const addrs = ts.map(([s, ns]) => rawTimespec(ring, s, ns));
  const t0 = performance.now();
  const submits: number[] = [];
  addrs.forEach((a, i) => {
    timeoutAt(ring, a, 0, 0, i + 1);
    submits.push(ring.submit());
  });
  assert.deepEqual(submits, [1, 1, 1, 1, 1]);
  const got = await reapTimed(ring, 5, 1500, t0);
  assert.deepEqual(lines(got), [
    'cqe ud=1 res=-22 EINVAL flags=0x0',
    'cqe ud=3 res=-22 EINVAL flags=0x0',
    'cqe ud=4 res=-62 ETIME flags=0x0',
    'cqe ud=5 res=-22 EINVAL flags=0x0',
    'cqe ud=2 res=-62 ETIME flags=0x0',
  ]);
  assertAbout(at(got, 4), 0, 'ud4');
  assertAbout(at(got, 2), 1000, 'ud2');
  await ring.close();
});

test('X14 (TIMEOUT 5s as the blocking READ) LINK_TIMEOUT {-1,0} fails -EINVAL with its chain; LINK_TIMEOUT {0,0} fires at once', async () => {
  const ring = newRing(8);
  timeout(ring, 5000, 0, 0, 6, LINK);
  ltimeoutAt(ring, rawTimespec(ring, -1n, 0n), 0, 7);
  await submitReap(
    ring,
    2,
    ['cqe ud=6 res=-125 ECANCELED flags=0x0', 'cqe ud=7 res=-22 EINVAL flags=0x0'],
    300,
  );
  timeout(ring, 5000, 0, 0, 8, LINK);
  ltimeoutAt(ring, rawTimespec(ring, 0n, 0n), 0, 9);
  await submitReap(
    ring,
    2,
    ['cqe ud=9 res=-62 ETIME flags=0x0', 'cqe ud=8 res=-125 ECANCELED flags=0x0'],
    300,
  );
  await ring.close();
});

const X15_CASES: readonly { name: string; build: (ring: IoUring) => void; want: readonly string[] }[] = [
  {
    name: 'X15a (TIMEOUT 5s as the blocking READ) (LINK) ud1 -> LINK_TIMEOUT 20ms with off=1 ud2: -EINVAL, head cancelled',
    build: (r) => {
      timeout(r, 5000, 0, 0, 1, LINK);
      ltimeout(r, 20, 0, 2).set('off', 1);
    },
    want: ['cqe ud=1 res=-125 ECANCELED flags=0x0', 'cqe ud=2 res=-22 EINVAL flags=0x0'],
  },
  {
    name: 'X15b (TIMEOUT 5s as the blocking READ) (LINK) ud3 -> LINK_TIMEOUT 20ms with len=2 ud4: -EINVAL, head cancelled',
    build: (r) => {
      timeout(r, 5000, 0, 0, 3, LINK);
      ltimeout(r, 20, 0, 4).set('len', 2);
    },
    want: ['cqe ud=3 res=-125 ECANCELED flags=0x0', 'cqe ud=4 res=-22 EINVAL flags=0x0'],
  },
  {
    name: 'X15c (TIMEOUT 5s as the blocking READ) (LINK) ud5 -> LINK_TIMEOUT ABS 1s in the past ud6: fires at once',
    build: (r) => {
      timeout(r, 5000, 0, 0, 5, LINK);
      const past = allocTimespec(r.mem, monotonicNowNs() - 1_000_000_000n);
      ltimeoutAt(r, past, U.IORING_TIMEOUT_ABS, 6);
    },
    want: ['cqe ud=6 res=-62 ETIME flags=0x0', 'cqe ud=5 res=-125 ECANCELED flags=0x0'],
  },
  {
    name: 'X15d NOP (LINK) ud7 -> LINK_TIMEOUT off=1 (LINK) ud8 -> NOP ud9: an invalid LT in the middle fails the chain',
    build: (r) => {
      nop(r, 7, LINK);
      ltimeout(r, 20, 0, 8, LINK).set('off', 1);
      nop(r, 9);
    },
    want: [
      'cqe ud=7 res=-125 ECANCELED flags=0x0',
      'cqe ud=8 res=-22 EINVAL flags=0x0',
      'cqe ud=9 res=-125 ECANCELED flags=0x0',
    ],
  },
];

for (const c of X15_CASES) {
  test(c.name, async () => {
    const ring = newRing(16);
    c.build(ring);
    await submitReap(ring, c.want.length, c.want, 300);
    await ring.close();
  });
}

/* ================================================================== X16: ASYNC_CANCEL field validation */

test('X16 ASYNC_CANCEL field validation (each on its own; TIMEOUT 5s ud1..ud6 pending): ioprio, off, cancel_flags -EINVAL; len, buf_index ignored', async () => {
  const ring = newRing(16);
  for (let i = 1; i <= 6; i++) timeout(ring, 5000, 0, 0, i);
  assert.equal(ring.submit(), 6);
  const steps: readonly { build: () => void; want: readonly string[] }[] = [
    { build: () => cancel(ring, 1, 0, 11).set('ioprio', 1), want: ['cqe ud=11 res=-22 EINVAL flags=0x0'] },
    { build: () => cancel(ring, 2, 0, 12).set('off', 1), want: ['cqe ud=12 res=-22 EINVAL flags=0x0'] },
    {
      build: () => cancel(ring, 3, 0, 13).set('len', 5),
      want: ['cqe ud=13 res=0 flags=0x0', 'cqe ud=3 res=-125 ECANCELED flags=0x0'],
    },
    { build: () => cancel(ring, 4, 0x8000_0000, 14), want: ['cqe ud=14 res=-22 EINVAL flags=0x0'] },
    {
      build: () => cancel(ring, 5, 0, 15).set('buf_index', 1),
      want: ['cqe ud=15 res=0 flags=0x0', 'cqe ud=5 res=-125 ECANCELED flags=0x0'],
    },
  ];
  for (const s of steps) {
    s.build();
    assert.equal(ring.submit(), 1);
    assert.deepEqual(await reap(ring, 2, 100), s.want);
  }
  // cleanup (one cancel each instead of ANY|ALL): the rejected cancels left ud1, ud2, ud4 (and ud6) pending
  for (const ud of [1, 2, 4, 6]) cancel(ring, ud, 0, 9990 + ud);
  assert.equal(ring.submit(), 4);
  assert.deepEqual(await reap(ring, 8, 300), [
    'cqe ud=9991 res=0 flags=0x0',
    'cqe ud=9992 res=0 flags=0x0',
    'cqe ud=9994 res=0 flags=0x0',
    'cqe ud=9996 res=0 flags=0x0',
    'cqe ud=1 res=-125 ECANCELED flags=0x0',
    'cqe ud=2 res=-125 ECANCELED flags=0x0',
    'cqe ud=4 res=-125 ECANCELED flags=0x0',
    'cqe ud=6 res=-125 ECANCELED flags=0x0',
  ]);
  await ring.close();
});

/* ================================================================== X17: several count timeouts */

const X17_CASES: readonly {
  name: string;
  build: (ring: IoUring) => void;
  want: readonly string[];
  times: readonly [number, number][];
}[] = [
  {
    name: 'X17 TIMEOUT 300ms count=2 ud1, TIMEOUT 300ms count=1 ud2, NOP ud3: ud2 completing does not count for ud1',
    build: (r) => {
      timeout(r, 300, 2, 0, 1);
      timeout(r, 300, 1, 0, 2);
      nop(r, 3);
    },
    want: ['cqe ud=3 res=0 flags=0x0', 'cqe ud=2 res=0 flags=0x0', 'cqe ud=1 res=-62 ETIME flags=0x0'],
    times: [
      [3, 0],
      [2, 0],
      [1, 300],
    ],
  },
  {
    name: 'X17b TIMEOUT 300ms count=1 ud1, TIMEOUT 300ms count=1 ud2, NOP ud3: one NOP satisfies both',
    build: (r) => {
      timeout(r, 300, 1, 0, 1);
      timeout(r, 300, 1, 0, 2);
      nop(r, 3);
    },
    want: ['cqe ud=3 res=0 flags=0x0', 'cqe ud=1 res=0 flags=0x0', 'cqe ud=2 res=0 flags=0x0'],
    times: [
      [1, 0],
      [2, 0],
    ],
  },
  {
    name: 'X17c TIMEOUT 300ms count=1 ud1, TIMEOUT 300ms count=2 ud2, NOP ud3, NOP ud4',
    build: (r) => {
      timeout(r, 300, 1, 0, 1);
      timeout(r, 300, 2, 0, 2);
      nop(r, 3);
      nop(r, 4);
    },
    want: [
      'cqe ud=3 res=0 flags=0x0',
      'cqe ud=4 res=0 flags=0x0',
      'cqe ud=1 res=0 flags=0x0',
      'cqe ud=2 res=0 flags=0x0',
    ],
    times: [
      [1, 0],
      [2, 0],
    ],
  },
  {
    name: "X17d TIMEOUT 20ms count=0 ud1, TIMEOUT 300ms count=1 ud2: ud1's -ETIME does not count for ud2",
    build: (r) => {
      timeout(r, 20, 0, 0, 1);
      timeout(r, 300, 1, 0, 2);
    },
    want: ['cqe ud=1 res=-62 ETIME flags=0x0', 'cqe ud=2 res=-62 ETIME flags=0x0'],
    times: [
      [1, 20],
      [2, 300],
    ],
  },
];

for (const c of X17_CASES) {
  test(c.name, async () => {
    const ring = newRing(16);
    c.build(ring);
    const got = await submitReap(ring, c.want.length, c.want, 1000);
    for (const [ud, ms] of c.times) assertAbout(at(got, ud), ms, `ud${ud}`);
    await ring.close();
  });
}

/* ================================================================== X18: IOSQE_ASYNC on removers */

const X18_CASES: readonly {
  name: string;
  ud: readonly [number, number, number];
  build: (ring: IoUring, target: number, ud: number) => void;
  want: readonly string[];
}[] = [
  {
    name: 'X18 IOSQE_ASYNC: TIMEOUT 5s ud1 ; TIMEOUT_REMOVE(ASYNC) ud2 -> ud1, NOP ud3 in one submit: the NOP completes first',
    ud: [1, 2, 3],
    build: (r, t, ud) => tremove(r, t, ud, ASYNC),
    want: ['cqe ud=3 res=0 flags=0x0', 'cqe ud=2 res=0 flags=0x0', 'cqe ud=1 res=-125 ECANCELED flags=0x0'],
  },
  {
    name: 'X18 baseline without ASYNC: TIMEOUT 5s ud4 ; TIMEOUT_REMOVE ud5 -> ud4, NOP ud6',
    ud: [4, 5, 6],
    build: (r, t, ud) => tremove(r, t, ud),
    want: ['cqe ud=5 res=0 flags=0x0', 'cqe ud=6 res=0 flags=0x0', 'cqe ud=4 res=-125 ECANCELED flags=0x0'],
  },
  {
    name: 'X18 TIMEOUT 5s ud7 ; ASYNC_CANCEL(ASYNC) ud8 -> ud7, NOP ud9: the NOP completes first',
    ud: [7, 8, 9],
    build: (r, t, ud) => cancel(r, t, 0, ud, ASYNC),
    want: ['cqe ud=9 res=0 flags=0x0', 'cqe ud=8 res=0 flags=0x0', 'cqe ud=7 res=-125 ECANCELED flags=0x0'],
  },
  {
    name: 'X18 baseline without ASYNC: TIMEOUT 5s ud10 ; ASYNC_CANCEL ud11 -> ud10, NOP ud12',
    ud: [10, 11, 12],
    build: (r, t, ud) => cancel(r, t, 0, ud),
    want: [
      'cqe ud=11 res=0 flags=0x0',
      'cqe ud=12 res=0 flags=0x0',
      'cqe ud=10 res=-125 ECANCELED flags=0x0',
    ],
  },
];

for (const c of X18_CASES) {
  test(c.name, async () => {
    const ring = newRing(16);
    const [target, remover, after] = c.ud;
    timeout(ring, 5000, 0, 0, target);
    assert.equal(ring.submit(), 1);
    c.build(ring, target, remover);
    nop(ring, after);
    await submitReap(ring, 2, c.want, 300);
    await ring.close();
  });
}

test('X18 ASYNC_CANCEL(ASYNC) of unknown ud 777 (ud13), NOP ud14: -ENOENT after the NOP', async () => {
  const ring = newRing(16);
  cancel(ring, 777, 0, 13, ASYNC);
  nop(ring, 14);
  await submitReap(ring, 2, ['cqe ud=14 res=0 flags=0x0', 'cqe ud=13 res=-2 ENOENT flags=0x0'], 300);
  await ring.close();
});
