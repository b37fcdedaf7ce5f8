/**
 * Closing a ring with file I/O in flight (RingContext.close in src/uring/context.ts). The rule:
 * "Requests in flight when the ring closes complete after the I/O settles; no write is reported done
 * that did not happen." I/O the backend started completes with its real result; link successors of
 * it and requests never started (punted with IOSQE_ASYNC, held back by IOSQE_IO_DRAIN) complete with
 * -ECANCELED and never touch the file. Every request gets exactly one CQE, either reaped before
 * close() or among the CQEs close() hands back.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { prepRw } from '../src/liburing/prep.js';
import type { IoUring } from '../src/liburing/ring.js';
import { ECANCELED } from '../src/uapi/errno.js';
import {
  IORING_OP_READ,
  IORING_OP_WRITE,
  IOSQE_ASYNC,
  IOSQE_IO_DRAIN,
  IOSQE_IO_LINK,
} from '../src/uapi/io_uring.js';
import { newRing, sleep, sqe, tempFiles, xorshift32 } from './helpers.js';

const BLOCK = 4096;

/* ================================================================== local helpers */

const tmp = tempFiles('uring-close-io-');

/** One CQE, wherever it came from. */
interface Done {
  readonly ud: number;
  readonly res: number;
  readonly when: 'reaped' | 'close';
}

/** Reap whatever is ready now, without waiting. */
function reapReady(ring: IoUring, out: Done[]): void {
  for (let c = ring.peekCqe(); c !== null; c = ring.peekCqe()) {
    out.push({ ud: Number(c.userData), res: c.res, when: 'reaped' });
    ring.cqeSeen(c);
  }
}

/** close(), adding its leftover CQEs to `out`. */
async function closeInto(ring: IoUring, out: Done[]): Promise<void> {
  for (const c of await ring.close()) out.push({ ud: Number(c.userData), res: c.res, when: 'close' });
}

/** Map user_data -> result, asserting each of `uds` has exactly one CQE and nothing else came. */
function oneEach(done: readonly Done[], uds: readonly number[]): Map<number, number> {
  const by = new Map<number, number>();
  for (const d of done) {
    assert.ok(
      !by.has(d.ud),
      `ud ${d.ud} has more than one CQE: ${JSON.stringify(done.filter((x) => x.ud === d.ud))}`,
    );
    by.set(d.ud, d.res);
  }
  assert.deepEqual(
    [...by.keys()].sort((a, b) => a - b),
    [...uds].sort((a, b) => a - b),
    'exactly one CQE per request',
  );
  return by;
}

/** A 4 KiB pattern no other write uses, with no zero byte (so "untouched" is unambiguous). */
function pattern(seed: number): Uint8Array {
  const next = xorshift32(seed * 2654435761);
  const p = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) p[i] = (next() & 0xff) | 1;
  return p;
}

/** The 4 KiB block at `off` of the file (zeros past EOF). */
function blockAt(file: Buffer, off: number): Uint8Array {
  const b = new Uint8Array(BLOCK);
  if (off < file.length) b.set(file.subarray(off, Math.min(off + BLOCK, file.length)));
  return b;
}

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

const same = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

type Kind = 'plain' | 'async' | 'head' | 'succ' | 'drain';

/* ================================================================== many writes, close at once */

// merge: the default per-file write queue (src/uring/write-queue.ts: one write of a file at a time,
// adjacent ones merged); direct: mergeWrites false, every write handed to the backend at submit.
for (const [seed, wait, mode] of [
  [1, 'none', 'direct'],
  [2, 'none', 'direct'],
  [3, 'none', 'direct'],
  [1, 'none', 'merge'],
  [2, 'none', 'merge'],
  [4, 'a turn', 'merge'],
  [5, 'a few ms', 'merge'],
  [6, 'a few ms', 'direct'],
] as const) {
  test(`200 concurrent 4 KiB WRITEs (${mode}), close() after ${wait} (seed ${seed}): a CQE of 4096 means the bytes are there, -ECANCELED means untouched`, async () => {
    const N = 200;
    const ring = newRing(256, { mergeWrites: mode === 'merge' });
    const { fd, path } = tmp.open('');
    const next = xorshift32(seed);
    // 200 distinct 4 KiB-aligned offsets among 512 blocks.
    const blocks = Array.from({ length: 512 }, (_, i) => i);
    for (let i = blocks.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
    }
    const kinds: Kind[] = [];
    const bufs: number[] = [];
    for (let i = 0; i < N; i++) {
      const buf = ring.mem.alloc(BLOCK, BLOCK);
      ring.mem.writeBytes(buf, pattern(seed * 1000 + i));
      bufs.push(buf);
      const prev = kinds[i - 1];
      const r = next() % 16;
      let kind: Kind;
      if (prev === 'head') kind = 'succ';
      else if (i < N - 1 && r < 2) kind = 'head';
      else if (r < 4) kind = 'async';
      else if (r === 4 && i > N / 2 && !kinds.includes('drain')) kind = 'drain';
      else kind = 'plain';
      kinds.push(kind);
    }
    for (let i = 0; i < N; i++) {
      const flags =
        kinds[i] === 'head'
          ? IOSQE_IO_LINK
          : kinds[i] === 'async'
            ? IOSQE_ASYNC
            : kinds[i] === 'drain'
              ? IOSQE_IO_DRAIN
              : 0;
      prepRw(IORING_OP_WRITE, sqe(ring), fd, bufs[i]!, BLOCK, blocks[i]! * BLOCK)
        .setUserData(i + 1)
        .setFlags(flags);
    }
    assert.equal(ring.submit(), N, 'submit -> 200');
    const done: Done[] = [];
    if (wait === 'a turn') await new Promise<void>((r) => setImmediate(r));
    if (wait === 'a few ms') await sleep(3);
    reapReady(ring, done);
    await closeInto(ring, done);
    fs.closeSync(fd);

    const res = oneEach(
      done,
      Array.from({ length: N }, (_, i) => i + 1),
    );
    const file = fs.readFileSync(path);
    let ok = 0;
    let cancelled = 0;
    for (let i = 0; i < N; i++) {
      const r = res.get(i + 1)!;
      const got = blockAt(file, blocks[i]! * BLOCK);
      const what = `write ${i + 1} (${kinds[i]}) at block ${blocks[i]}: res ${r}`;
      if (r === BLOCK) {
        ok++;
        assert.ok(
          same(got, pattern(seed * 1000 + i)),
          `${what}: reported done, but its bytes are not in the file`,
        );
      } else {
        assert.equal(r, -ECANCELED, `${what}: only 4096 or -ECANCELED`);
        cancelled++;
        assert.ok(isZero(got), `${what}: reported cancelled, but the file was written`);
      }
    }
    // Nothing else touched the file: every block no write targeted is still zero.
    const targeted = new Set(blocks.slice(0, N));
    for (let b = 0; b * BLOCK < file.length; b++) {
      if (!targeted.has(b)) assert.ok(isZero(blockAt(file, b * BLOCK)), `block ${b} was never written to`);
    }
    assert.equal(ok + cancelled, N);
    if (wait === 'none') {
      // Closed at once: what started at submit ran to completion, nothing else ran. Direct: every
      // plain write and chain head started at submit. Merge: the first one did (its file was idle);
      // the others waited behind it and may have been cancelled before starting.
      const first = kinds.findIndex((k) => k === 'plain' || k === 'head');
      for (let i = 0; i < N; i++) {
        const r = res.get(i + 1)!;
        const k = kinds[i]!;
        const afterDrain = kinds.indexOf('drain') >= 0 && i >= kinds.indexOf('drain');
        if (afterDrain) assert.equal(r, -ECANCELED, `write ${i + 1} (${k}) was held back by the drain`);
        else if (k === 'plain' || k === 'head') {
          if (mode === 'direct' || i === first) assert.equal(r, BLOCK, `write ${i + 1} (${k}) was started`);
        } else assert.equal(r, -ECANCELED, `write ${i + 1} (${k}) never started`);
      }
      if (mode === 'merge') {
        assert.ok(
          [...res.values()].some((r) => r === -ECANCELED),
          'some queued writes were cancelled before they started',
        );
      }
    }
  });
}

/* ================================================================== chains in flight at close */

test('WRITE(LINK) -> WRITE in flight at close(): the head completes with 4096 and its bytes, the successor -ECANCELED without', async () => {
  // Direct mode: both heads start at submit (with the write queue, chain 2's head would wait behind
  // chain 1's and could be cancelled; the test below covers that).
  const ring = newRing(8, { mergeWrites: false });
  const { fd, path } = tmp.open('');
  const a = ring.mem.alloc(BLOCK);
  const b = ring.mem.alloc(BLOCK);
  const c = ring.mem.alloc(BLOCK);
  ring.mem.writeBytes(a, pattern(101));
  ring.mem.writeBytes(b, pattern(102));
  ring.mem.writeBytes(c, pattern(103));
  prepRw(IORING_OP_WRITE, sqe(ring), fd, a, BLOCK, 0).setUserData(1).setFlags(IOSQE_IO_LINK);
  prepRw(IORING_OP_WRITE, sqe(ring), fd, b, BLOCK, BLOCK).setUserData(2);
  // A three-long chain too: both successors are cancelled.
  prepRw(IORING_OP_WRITE, sqe(ring), fd, c, BLOCK, 4 * BLOCK)
    .setUserData(3)
    .setFlags(IOSQE_IO_LINK);
  prepRw(IORING_OP_WRITE, sqe(ring), fd, b, BLOCK, 5 * BLOCK)
    .setUserData(4)
    .setFlags(IOSQE_IO_LINK);
  prepRw(IORING_OP_WRITE, sqe(ring), fd, a, BLOCK, 6 * BLOCK).setUserData(5);
  assert.equal(ring.submit(), 5);
  const done: Done[] = [];
  await closeInto(ring, done);
  fs.closeSync(fd);
  const res = oneEach(done, [1, 2, 3, 4, 5]);
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((ud) => res.get(ud)),
    [BLOCK, -ECANCELED, BLOCK, -ECANCELED, -ECANCELED],
  );
  const file = fs.readFileSync(path);
  assert.ok(same(blockAt(file, 0), pattern(101)), 'the head of chain 1 was written');
  assert.ok(isZero(blockAt(file, BLOCK)), 'the successor of chain 1 was not');
  assert.ok(same(blockAt(file, 4 * BLOCK), pattern(103)), 'the head of chain 2 was written');
  assert.ok(isZero(blockAt(file, 5 * BLOCK)) && isZero(blockAt(file, 6 * BLOCK)), 'its successors were not');
  assert.equal(file.length, 5 * BLOCK, 'nothing was written past the second head');
});

test('close() with a READ on an empty pipe in flight resolves promptly: the READ is cancelled (-ECANCELED) and consumes nothing', async () => {
  const { execFileSync } = await import('node:child_process');
  const path = tmp.path('fifo');
  execFileSync('mkfifo', [path]);
  const r = fs.openSync(path, fs.constants.O_RDWR);
  const w = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  const peek = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const ring = newRing(8);
  const buf = ring.mem.alloc(64);
  prepRw(IORING_OP_READ, sqe(ring), r, buf, 64, 0).setUserData(1);
  assert.equal(ring.submit(), 1);
  await sleep(20);
  const closing = ring.close();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    closing.then((left) => ({ left })),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), 1000);
    }),
  ]);
  clearTimeout(timer);
  let fed = false;
  try {
    assert.notEqual(
      outcome,
      null,
      'close() still waiting after 1 s for a READ that no data will ever complete',
    );
    assert.deepEqual(
      outcome!.left.map((c) => [Number(c.userData), c.res]),
      [[1, -ECANCELED]],
    );
    // The cancelled READ must not swallow data written afterwards.
    fs.writeSync(w, 'after');
    fed = true;
    await sleep(20);
    const b = Buffer.alloc(16);
    let n = 0;
    try {
      n = fs.readSync(peek, b, 0, 16, null);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN') throw e;
    }
    assert.equal(b.subarray(0, n).toString(), 'after', 'the data written after close() is still in the pipe');
  } finally {
    // Release a READ still blocked in the backend, or the process (and close()) would wait forever.
    if (!fed) fs.writeSync(w, 'unblock');
    await closing;
    for (const f of [r, w, peek]) fs.closeSync(f);
  }
});
