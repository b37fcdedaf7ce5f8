/**
 * Links, hardlinks, link timeouts and cancellation (X01-X08, X19c-X24).
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
import type { IoUring } from '../src/liburing/ring.js';
import { EIO } from '../src/uapi/errno.js';
import * as U from '../src/uapi/io_uring.js';
import { newRing, reap } from './helpers.js';
import {
  assertAbout,
  at,
  cancel,
  lines,
  ltimeout,
  nop,
  nopFail,
  reapTimed,
  submitReap,
  timeout,
  tremove,
  tupdate,
} from './probe-common.js';

const LINK = U.IOSQE_IO_LINK;
const HARDLINK = U.IOSQE_IO_HARDLINK;
const _DRAIN = U.IOSQE_IO_DRAIN;
const _ASYNC = U.IOSQE_ASYNC;
const _GETEVENTS = U.IORING_ENTER_GETEVENTS;

/* ================================================================== X01, X02, X21: links and hardlinks */

interface ChainCase {
  readonly name: string;
  readonly build: (ring: IoUring) => void;
  readonly want: readonly string[];
  /** Every CQE arrives at ~0 ms (the chain holds a 1 s link timeout that must not be waited for). */
  readonly allAtOnce?: boolean;
}

const CHAIN_CASES: readonly ChainCase[] = [
  {
    name: 'X01 NOP inject -EIO (LINK) ud1 -> NOP (HARDLINK) ud2 -> NOP ud3: the soft link cancels the hardlinked rest',
    build: (r) => {
      nopFail(r, 1, LINK, EIO);
      nop(r, 2, HARDLINK);
      nop(r, 3);
    },
    want: [
      'cqe ud=1 res=-5 EIO flags=0x0',
      'cqe ud=2 res=-125 ECANCELED flags=0x0',
      'cqe ud=3 res=-125 ECANCELED flags=0x0',
    ],
  },
  {
    name: 'X02 NOP inject -EIO (HARDLINK) ud1 -> NOP inject -EIO (LINK) ud2 -> NOP ud3',
    build: (r) => {
      nopFail(r, 1, HARDLINK, EIO);
      nopFail(r, 2, LINK, EIO);
      nop(r, 3);
    },
    want: [
      'cqe ud=1 res=-5 EIO flags=0x0',
      'cqe ud=2 res=-5 EIO flags=0x0',
      'cqe ud=3 res=-125 ECANCELED flags=0x0',
    ],
  },
  {
    name: 'X02 variant: NOP -EIO (HARDLINK) ud4 -> NOP (HARDLINK) ud5 -> NOP -EIO (LINK) ud6 -> NOP ud7',
    build: (r) => {
      nopFail(r, 4, HARDLINK, EIO);
      nop(r, 5, HARDLINK);
      nopFail(r, 6, LINK, EIO);
      nop(r, 7);
    },
    want: [
      'cqe ud=4 res=-5 EIO flags=0x0',
      'cqe ud=5 res=0 flags=0x0',
      'cqe ud=6 res=-5 EIO flags=0x0',
      'cqe ud=7 res=-125 ECANCELED flags=0x0',
    ],
  },
  {
    name: 'X03 NOP (LINK) ud1 -> LINK_TIMEOUT 1s (LINK) ud2 -> NOP ud3: the LT is cancelled and the chain goes on at once',
    build: (r) => {
      nop(r, 1, LINK);
      ltimeout(r, 1000, 0, 2, LINK);
      nop(r, 3);
    },
    want: ['cqe ud=1 res=0 flags=0x0', 'cqe ud=2 res=-125 ECANCELED flags=0x0', 'cqe ud=3 res=0 flags=0x0'],
    allAtOnce: true,
  },
  {
    name: 'X21 NOP inject -EIO (LINK) ud1 -> LINK_TIMEOUT 1s (LINK) ud2 -> NOP ud3',
    build: (r) => {
      nopFail(r, 1, LINK, EIO);
      ltimeout(r, 1000, 0, 2, LINK);
      nop(r, 3);
    },
    want: [
      'cqe ud=1 res=-5 EIO flags=0x0',
      'cqe ud=2 res=-125 ECANCELED flags=0x0',
      'cqe ud=3 res=-125 ECANCELED flags=0x0',
    ],
    allAtOnce: true,
  },
  {
    name: 'X21b NOP inject -EIO (HARDLINK) ud4 -> LINK_TIMEOUT 1s (LINK) ud5 -> NOP ud6',
    build: (r) => {
      nopFail(r, 4, HARDLINK, EIO);
      ltimeout(r, 1000, 0, 5, LINK);
      nop(r, 6);
    },
    want: [
      'cqe ud=4 res=-5 EIO flags=0x0',
      'cqe ud=5 res=-125 ECANCELED flags=0x0',
      'cqe ud=6 res=0 flags=0x0',
    ],
    allAtOnce: true,
  },
];

for (const c of CHAIN_CASES) {
  test(c.name, async () => {
    const ring = newRing(16);
    c.build(ring);
    const got = await submitReap(ring, c.want.length, c.want, 1500);
    if (c.allAtOnce === true) for (const x of got) assertAbout(x.at, 0, x.line);
    await ring.close();
  });
}

/* ================================================================== X04, X05: timeouts in links */

test('X04 TIMEOUT 1s (LINK) ud1 -> LINK_TIMEOUT 20ms ud2: the timeout is the guarded request', async () => {
  const ring = newRing(8);
  timeout(ring, 1000, 0, 0, 1, LINK);
  ltimeout(ring, 20, 0, 2);
  const got = await submitReap(
    ring,
    2,
    ['cqe ud=2 res=-62 ETIME flags=0x0', 'cqe ud=1 res=-125 ECANCELED flags=0x0'],
    1500,
  );
  assertAbout(at(got, 2), 20, 'ud2');
  assertAbout(at(got, 1), 20, 'ud1');
  await ring.close();
});

test('X04 variant: TIMEOUT 20ms (LINK) ud3 -> LINK_TIMEOUT 1s ud4: the timeout expires first', async () => {
  const ring = newRing(8);
  timeout(ring, 20, 0, 0, 3, LINK);
  ltimeout(ring, 1000, 0, 4);
  const got = await submitReap(
    ring,
    2,
    ['cqe ud=3 res=-62 ETIME flags=0x0', 'cqe ud=4 res=-125 ECANCELED flags=0x0'],
    1500,
  );
  assertAbout(at(got, 3), 20, 'ud3');
  assertAbout(at(got, 4), 20, 'ud4');
  await ring.close();
});

test('X05 TIMEOUT 20ms (LINK) -> NOP: -ETIME cancels the NOP; with HARDLINK the NOP runs', async () => {
  const ring = newRing(8);
  timeout(ring, 20, 0, 0, 1, LINK);
  nop(ring, 2);
  await submitReap(ring, 2, ['cqe ud=1 res=-62 ETIME flags=0x0', 'cqe ud=2 res=-125 ECANCELED flags=0x0']);
  timeout(ring, 20, 0, 0, 3, HARDLINK);
  nop(ring, 4);
  await submitReap(ring, 2, ['cqe ud=3 res=-62 ETIME flags=0x0', 'cqe ud=4 res=0 flags=0x0']);
  await ring.close();
});

test('X05 variant: TIMEOUT 1s count=1 (LINK) ud5 -> NOP ud6, plus independent NOP ud7: count satisfied -> res 0', async () => {
  const ring = newRing(8);
  timeout(ring, 1000, 1, 0, 5, LINK);
  nop(ring, 6);
  nop(ring, 7);
  const got = await submitReap(
    ring,
    3,
    ['cqe ud=7 res=0 flags=0x0', 'cqe ud=5 res=0 flags=0x0', 'cqe ud=6 res=0 flags=0x0'],
    1500,
  );
  assertAbout(at(got, 6), 0, 'ud6');
  await ring.close();
});

/* ================================================================== X06-X08, X23: cancellation in links */

test('X06 (TIMEOUT 5s as the blocking READ) ASYNC_CANCEL of a not-yet-started link successor is -ENOENT; cancelling the head cancels both', async () => {
  const ring = newRing(16);
  timeout(ring, 5000, 0, 0, 1, LINK);
  nop(ring, 2);
  assert.equal(ring.submit(), 2);
  cancel(ring, 2, 0, 10);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 1, 200), ['cqe ud=10 res=-2 ENOENT flags=0x0']);
  cancel(ring, 1, 0, 11);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 3, 300), [
    'cqe ud=11 res=0 flags=0x0',
    'cqe ud=1 res=-125 ECANCELED flags=0x0',
    'cqe ud=2 res=-125 ECANCELED flags=0x0',
  ]);
  await ring.close();
});

test('X06 (TIMEOUT 5s as the blocking READ) a LINK_TIMEOUT cannot be cancelled by its user_data: ASYNC_CANCEL and TIMEOUT_REMOVE are -ENOENT', async () => {
  const ring = newRing(16);
  timeout(ring, 5000, 0, 0, 3, LINK);
  ltimeout(ring, 5000, 0, 4);
  assert.equal(ring.submit(), 2);
  cancel(ring, 4, 0, 12);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 1, 200), ['cqe ud=12 res=-2 ENOENT flags=0x0']);
  tremove(ring, 4, 13);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 1, 200), ['cqe ud=13 res=-2 ENOENT flags=0x0']);
  // cleanup (one cancel instead of ANY|ALL): the pair is still in flight
  cancel(ring, 3, 0, 9999);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(await reap(ring, 3, 300), [
    'cqe ud=9999 res=0 flags=0x0',
    'cqe ud=3 res=-125 ECANCELED flags=0x0',
    'cqe ud=4 res=-125 ECANCELED flags=0x0',
  ]);
  await ring.close();
});

interface CancelHeadCase {
  readonly name: string;
  readonly headFlags: number;
  readonly how: 'cancel' | 'remove';
  readonly ud: readonly [number, number, number];
  readonly want: readonly string[];
}

const CANCEL_HEAD_CASES: readonly CancelHeadCase[] = [
  {
    name: 'X07 (TIMEOUT 5s as the blocking READ) ASYNC_CANCEL of the head: (LINK) ud1 -> NOP ud2 ; cancel ud1 (ud10)',
    headFlags: LINK,
    how: 'cancel',
    ud: [1, 2, 10],
    want: [
      'cqe ud=10 res=0 flags=0x0',
      'cqe ud=1 res=-125 ECANCELED flags=0x0',
      'cqe ud=2 res=-125 ECANCELED flags=0x0',
    ],
  },
  {
    name: 'X07 (TIMEOUT 5s as the blocking READ) same with HARDLINK: (HARDLINK) ud3 -> NOP ud4 ; cancel ud3 (ud11)',
    headFlags: HARDLINK,
    how: 'cancel',
    ud: [3, 4, 11],
    want: ['cqe ud=11 res=0 flags=0x0', 'cqe ud=3 res=-125 ECANCELED flags=0x0', 'cqe ud=4 res=0 flags=0x0'],
  },
  {
    name: 'X08 TIMEOUT_REMOVE of a linked timeout request: TIMEOUT 5s (LINK) ud1 -> NOP ud2 ; TIMEOUT_REMOVE ud1 (ud3)',
    headFlags: LINK,
    how: 'remove',
    ud: [1, 2, 3],
    want: [
      'cqe ud=3 res=0 flags=0x0',
      'cqe ud=1 res=-125 ECANCELED flags=0x0',
      'cqe ud=2 res=-125 ECANCELED flags=0x0',
    ],
  },
  {
    name: 'X08 same with HARDLINK: TIMEOUT 5s (HARDLINK) ud4 -> NOP ud5 ; TIMEOUT_REMOVE ud4 (ud6)',
    headFlags: HARDLINK,
    how: 'remove',
    ud: [4, 5, 6],
    want: ['cqe ud=6 res=0 flags=0x0', 'cqe ud=4 res=-125 ECANCELED flags=0x0', 'cqe ud=5 res=0 flags=0x0'],
  },
  {
    name: 'X08 ASYNC_CANCEL instead: TIMEOUT 5s (LINK) ud7 -> NOP ud8 ; ASYNC_CANCEL ud7 (ud9)',
    headFlags: LINK,
    how: 'cancel',
    ud: [7, 8, 9],
    want: [
      'cqe ud=9 res=0 flags=0x0',
      'cqe ud=7 res=-125 ECANCELED flags=0x0',
      'cqe ud=8 res=-125 ECANCELED flags=0x0',
    ],
  },
];

for (const c of CANCEL_HEAD_CASES) {
  test(c.name, async () => {
    const ring = newRing(16);
    const [head, next, canceller] = c.ud;
    timeout(ring, 5000, 0, 0, head, c.headFlags);
    nop(ring, next);
    assert.equal(ring.submit(), 2);
    if (c.how === 'cancel') cancel(ring, head, 0, canceller);
    else tremove(ring, head, canceller);
    await submitReap(ring, 1, c.want, 300);
    await ring.close();
  });
}

test('X23 (TIMEOUT 5s as the blocking READ) cancel the guarded request: (LINK) ud1 -> LINK_TIMEOUT 5s ud2 ; ASYNC_CANCEL ud1 (ud3)', async () => {
  const ring = newRing(16);
  timeout(ring, 5000, 0, 0, 1, LINK);
  ltimeout(ring, 5000, 0, 2);
  assert.equal(ring.submit(), 2);
  cancel(ring, 1, 0, 3);
  await submitReap(
    ring,
    1,
    [
      'cqe ud=3 res=0 flags=0x0',
      'cqe ud=1 res=-125 ECANCELED flags=0x0',
      'cqe ud=2 res=-125 ECANCELED flags=0x0',
    ],
    300,
  );
  await ring.close();
});

test('X23b TIMEOUT 5s (LINK) ud4 -> LINK_TIMEOUT 5s (LINK) ud5 -> NOP ud6 ; TIMEOUT_REMOVE ud4 (ud7) cancels all three', async () => {
  const ring = newRing(16);
  timeout(ring, 5000, 0, 0, 4, LINK);
  ltimeout(ring, 5000, 0, 5, LINK);
  nop(ring, 6);
  assert.equal(ring.submit(), 3);
  tremove(ring, 4, 7);
  await submitReap(
    ring,
    1,
    [
      'cqe ud=7 res=0 flags=0x0',
      'cqe ud=4 res=-125 ECANCELED flags=0x0',
      'cqe ud=5 res=-125 ECANCELED flags=0x0',
      'cqe ud=6 res=-125 ECANCELED flags=0x0',
    ],
    300,
  );
  await ring.close();
});

/* ================================================================== X19c, X20: link timeouts */

test('X19c (TIMEOUT 5s as the blocking READ) IORING_TIMEOUT_UPDATE aimed at a LINK_TIMEOUT is -ENOENT; the pair stays armed', async () => {
  const ring = newRing(16);
  timeout(ring, 5000, 0, 0, 5, LINK);
  ltimeout(ring, 5000, 0, 6);
  const t0 = performance.now();
  assert.equal(ring.submit(), 2);
  tupdate(ring, 20, 6, 7);
  assert.equal(ring.submit(), 1);
  const got = await reapTimed(ring, 1, 200, t0);
  assert.deepEqual(lines(got), ['cqe ud=7 res=-2 ENOENT flags=0x0']);
  assertAbout(at(got, 7), 0, 'ud7');
  // cleanup (one cancel instead of ANY|ALL): the pair is still in flight
  cancel(ring, 5, 0, 9999);
  await submitReap(
    ring,
    1,
    [
      'cqe ud=9999 res=0 flags=0x0',
      'cqe ud=5 res=-125 ECANCELED flags=0x0',
      'cqe ud=6 res=-125 ECANCELED flags=0x0',
    ],
    300,
  );
  await ring.close();
});

const X20_CASES: readonly { name: string; f1: number; f2: number; ud: number; want: readonly string[] }[] = [
  {
    name: 'X20 (TIMEOUT 5s as the blocking READ) (HARDLINK) ud1 -> LINK_TIMEOUT 20ms (LINK) ud2 -> NOP ud3: the hardlink survives the LT',
    f1: HARDLINK,
    f2: LINK,
    ud: 1,
    want: [
      'cqe ud=2 res=-62 ETIME flags=0x0',
      'cqe ud=1 res=-125 ECANCELED flags=0x0',
      'cqe ud=3 res=0 flags=0x0',
    ],
  },
  {
    name: 'X20b (TIMEOUT 5s as the blocking READ) (LINK) ud4 -> LINK_TIMEOUT 20ms (HARDLINK) ud5 -> NOP ud6',
    f1: LINK,
    f2: HARDLINK,
    ud: 4,
    want: [
      'cqe ud=5 res=-62 ETIME flags=0x0',
      'cqe ud=4 res=-125 ECANCELED flags=0x0',
      'cqe ud=6 res=-125 ECANCELED flags=0x0',
    ],
  },
  {
    name: 'X20c (TIMEOUT 5s as the blocking READ) (HARDLINK) ud7 -> LINK_TIMEOUT 20ms (HARDLINK) ud8 -> NOP ud9',
    f1: HARDLINK,
    f2: HARDLINK,
    ud: 7,
    want: [
      'cqe ud=8 res=-62 ETIME flags=0x0',
      'cqe ud=7 res=-125 ECANCELED flags=0x0',
      'cqe ud=9 res=0 flags=0x0',
    ],
  },
];

for (const c of X20_CASES) {
  test(c.name, async () => {
    const ring = newRing(16);
    timeout(ring, 5000, 0, 0, c.ud, c.f1);
    ltimeout(ring, 20, 0, c.ud + 1, c.f2);
    nop(ring, c.ud + 2);
    const got = await submitReap(ring, 3, c.want);
    assertAbout(at(got, c.ud + 1), 20, 'LT');
    await ring.close();
  });
}

/* ================================================================== X24b */

test('X24b ASYNC_CANCEL ud20 targeting its own user_data finds nothing: -ENOENT', async () => {
  const ring = newRing(16);
  cancel(ring, 20, 0, 20);
  await submitReap(ring, 1, ['cqe ud=20 res=-2 ENOENT flags=0x0'], 300);
  await ring.close();
});
