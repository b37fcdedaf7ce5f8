/**
 * The per-file write queue (src/uring/write-queue.ts): writes to one file run one at a time in order,
 * queued writes that continue each other go out as one pwritev, and every request still gets the
 * result one-by-one execution would give it. Unit tests drive WriteQueues over a scripted backend;
 * ring tests check real files through IORING_OP_WRITE / WRITEV / WRITE_FIXED, CLOSE and ASYNC_CANCEL.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { AsyncRing } from '../src/liburing/async.js';
import { prepCancel, prepClose, prepRw, prepWriteFixed, prepWritev } from '../src/liburing/prep.js';
import type { IoUring } from '../src/liburing/ring.js';
import { ECANCELED, ENOSPC } from '../src/uapi/errno.js';
import { UIO_MAXIOV } from '../src/uapi/fs.js';
import { IORING_OP_WRITE, IORING_REGISTER_BUFFERS } from '../src/uapi/io_uring.js';
import type { Done, IoBackend, Position, StatResult } from '../src/uring/backends/types.js';
import { Runtime } from '../src/uring/runtime.js';
import { MAX_RW_COUNT, WriteQueues } from '../src/uring/write-queue.js';
import { newRing, sqe, tempFiles } from './helpers.js';

const BLOCK = 4096;

/* ================================================================== a scripted backend */

interface Call {
  readonly fd: number;
  /** Bytes of each buffer handed over. */
  readonly lens: number[];
  readonly pos: Position;
  readonly done: Done;
}

const unscripted = (): never => {
  throw new Error('not scripted');
};

/** Records write/writev calls and stat requests; the test completes them. */
class ScriptedBackend implements IoBackend {
  readonly name = 'scripted';
  readonly calls: Call[] = [];
  /** stat() calls waiting for the test's answer. */
  readonly stats: ((res: number, st: StatResult | null) => void)[] = [];
  stat(
    _path: string | null,
    _fd: number,
    _nofollow: boolean,
    done: (res: number, st: StatResult | null) => void,
  ): void {
    this.stats.push(done);
  }
  write(fd: number, buf: Uint8Array, pos: Position, done: Done): void {
    this.calls.push({ fd, lens: [buf.length], pos, done });
  }
  writev(fd: number, bufs: Uint8Array[], pos: Position, done: Done): void {
    this.calls.push({ fd, lens: bufs.map((b) => b.length), pos, done });
  }
  // Anything else is a test bug.
  readonly read = unscripted;
  readonly readv = unscripted;
  readonly fsync = unscripted;
  readonly open = unscripted;
  readonly close = unscripted;
  readonly ftruncate = unscripted;
  readonly fallocate = unscripted;
  readonly fadvise = unscripted;
  readonly rename = unscripted;
  readonly unlink = unscripted;
  readonly rmdir = unscripted;
}

/** The microtask + tick after a completion, when the next write of the file starts. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(): { b: ScriptedBackend; q: WriteQueues; results: Map<string, number>; add: AddFn } {
  const b = new ScriptedBackend();
  const q = new WriteQueues(b);
  const results = new Map<string, number>();
  const add: AddFn = (name, fd, len, pos, nviews = 1) => {
    const views = Array.from({ length: nviews }, () => new Uint8Array(len / nviews));
    return q.add(fd, views, len, pos, (res) => {
      assert.ok(!results.has(name), `${name} completed twice`);
      results.set(name, res);
    });
  };
  return { b, q, results, add };
}

type AddFn = (
  name: string,
  fd: number,
  len: number,
  pos: Position,
  nviews?: number,
) => ReturnType<WriteQueues['add']>;

/* ================================================================== unit */

test('a write to an idle file goes to the backend at once, alone', () => {
  const { b, add } = setup();
  add('a', 3, BLOCK, 0);
  assert.equal(b.calls.length, 1);
  assert.deepEqual(b.calls[0]!.lens, [BLOCK]);
  assert.equal(b.calls[0]!.pos, 0);
});

test('writes of one plugged batch that continue each other go out as one pwritev at the first offset; each completes with its own length', async () => {
  const { b, q, results, add } = setup();
  q.plug();
  add('a', 3, BLOCK, 8192);
  add('b', 3, 2 * BLOCK, 8192 + BLOCK, 2);
  add('c', 3, 100, 8192 + 3 * BLOCK);
  assert.equal(b.calls.length, 0, 'nothing starts while plugged');
  q.unplug();
  assert.equal(b.calls.length, 1);
  assert.deepEqual(b.calls[0]!.lens, [BLOCK, BLOCK, BLOCK, 100]);
  assert.equal(b.calls[0]!.pos, 8192);
  b.calls[0]!.done(3 * BLOCK + 100);
  assert.deepEqual(Object.fromEntries(results), { a: BLOCK, b: 2 * BLOCK, c: 100 });
  assert.deepEqual(q.stats(), { issued: 1, requests: 3, maxMerged: 3 });
});

test('writes at the current position (-1) merge with each other, not with explicit offsets', () => {
  const { b, q, add } = setup();
  q.plug();
  add('a', 3, BLOCK, -1);
  add('b', 3, BLOCK, -1n);
  add('c', 3, BLOCK, BLOCK);
  q.unplug();
  assert.equal(b.calls.length, 1);
  assert.deepEqual(b.calls[0]!.lens, [BLOCK, BLOCK]);
  assert.equal(b.calls[0]!.pos, -1);
});

test('one write of a file at a time, in submission order; the next starts after the completion has run its continuations', async () => {
  const { b, results, add } = setup();
  add('a', 3, BLOCK, 0);
  add('b', 3, BLOCK, 5 * BLOCK); // not adjacent: waits, alone
  add('x', 4, BLOCK, 0); // another file: independent
  assert.equal(b.calls.length, 2);
  assert.deepEqual(
    b.calls.map((c) => c.fd),
    [3, 4],
  );
  b.calls[0]!.done(BLOCK);
  // A continuation of a's completion queues c, adjacent to b: b and c go out together.
  add('c', 3, BLOCK, 6 * BLOCK);
  assert.equal(b.calls.length, 2, 'b has not started yet');
  await settle();
  assert.equal(b.calls.length, 3);
  assert.deepEqual(b.calls[2]!.lens, [BLOCK, BLOCK]);
  assert.equal(b.calls[2]!.pos, 5 * BLOCK);
  b.calls[2]!.done(2 * BLOCK);
  b.calls[1]!.done(BLOCK);
  assert.deepEqual(Object.fromEntries(results), { a: BLOCK, b: BLOCK, c: BLOCK, x: BLOCK });
});

// A merged write of a, b, c (BLOCK each) that came back with `res`: what each request gets, and the
// writes that run again alone (and what the backend says to them).
for (const { name, res, first, rerun } of [
  {
    name: 'short inside b: a full, b short, c runs again alone',
    res: BLOCK + 100,
    first: { a: BLOCK, b: 100 },
    rerun: [['c', -ENOSPC]],
  },
  {
    name: 'short at the end of a: a full, b and c run again alone',
    res: BLOCK,
    first: { a: BLOCK },
    rerun: [
      ['b', 10],
      ['c', -ENOSPC],
    ],
  },
  {
    name: 'failed: each runs again alone and gets its own result',
    res: -ENOSPC,
    first: {},
    rerun: [
      ['a', BLOCK],
      ['b', -ENOSPC],
      ['c', -ENOSPC],
    ],
  },
] as const) {
  test(`a merged write that comes up ${name}`, async () => {
    const { b, q, results, add } = setup();
    q.plug();
    add('a', 3, BLOCK, 0);
    add('b', 3, BLOCK, BLOCK);
    add('c', 3, BLOCK, 2 * BLOCK);
    q.unplug();
    b.calls[0]!.done(res);
    assert.deepEqual(Object.fromEntries(results), first);
    let n = 1;
    for (const [who, r] of rerun) {
      await settle();
      assert.equal(b.calls.length, n + 1, `${who} runs again`);
      const c = b.calls[n]!;
      assert.deepEqual(c.lens, [BLOCK], `${who} alone`);
      assert.equal(c.pos, { a: 0, b: BLOCK, c: 2 * BLOCK }[who]);
      c.done(r);
      assert.equal(results.get(who), r);
      n++;
    }
    await settle();
    assert.equal(b.calls.length, n, 'nothing else ran');
    assert.equal(results.size, 3);
  });
}

test('a merged write holds at most UIO_MAXIOV buffers and MAX_RW_COUNT bytes', () => {
  const { b, q, add } = setup();
  q.plug();
  for (let i = 0; i <= UIO_MAXIOV; i++) add(`w${i}`, 3, 16, i * 16);
  q.unplug();
  assert.equal(b.calls[0]!.lens.length, UIO_MAXIOV);

  const s = setup();
  // Views are not allocated at their nominal size here: only the totals matter to the merge rule.
  const big = (name: string, pos: number, total: number) =>
    s.q.add(3, [new Uint8Array(1)], total, pos, (r) => s.results.set(name, r));
  s.q.plug();
  big('x', 0, MAX_RW_COUNT - 10);
  big('y', MAX_RW_COUNT - 10, 20);
  s.q.unplug();
  assert.equal(s.b.calls[0]!.lens.length, 1, 'y would pass MAX_RW_COUNT: not merged');
});

/** A stat result with only the size mattering. */
function sized(size: bigint): StatResult {
  const z = 0n;
  return {
    dev: z,
    ino: z,
    mode: z,
    nlink: z,
    uid: z,
    gid: z,
    rdev: z,
    size,
    blksize: z,
    blocks: z,
    atimeNs: z,
    mtimeNs: z,
    ctimeNs: z,
    birthtimeNs: z,
  };
}

test('appends (RWF_APPEND) read the size when they start, merge only with each other, and the next waits for them', async () => {
  const { b, q, results } = setup();
  const add = (name: string, len: number, pos: Position, append: boolean) =>
    q.add(3, [new Uint8Array(len)], len, pos, (r) => results.set(name, r), append);
  q.plug();
  add('a1', 10, 0, true);
  add('a2', 20, 0, true);
  add('w', 5, 30, false); // would continue nothing: not merged with appends
  q.unplug();
  assert.equal(b.calls.length, 0, 'the size is read first');
  assert.equal(b.stats.length, 1);
  b.stats[0]!(0, sized(100n));
  assert.equal(b.calls.length, 1);
  assert.deepEqual(b.calls[0]!.lens, [10, 20]);
  assert.equal(b.calls[0]!.pos, 100);
  b.calls[0]!.done(30);
  await settle();
  assert.deepEqual(b.calls[1]!.lens, [5]);
  assert.equal(b.calls[1]!.pos, 30);
  b.calls[1]!.done(5);
  assert.deepEqual(Object.fromEntries(results), { a1: 10, a2: 20, w: 5 });
});

test('an append whose stat fails completes with that error', () => {
  const { b, q, results } = setup();
  q.add(3, [new Uint8Array(4)], 4, 0, (r) => results.set('a', r), true);
  b.stats[0]!(-9, null);
  assert.deepEqual(Object.fromEntries(results), { a: -9 });
  assert.equal(b.calls.length, 0);
});

test('merging off: writes are never merged, appends still run one at a time', async () => {
  const b = new ScriptedBackend();
  const q = new WriteQueues(b, false);
  q.plug();
  q.add(3, [new Uint8Array(4)], 4, -1, () => undefined, true);
  q.add(3, [new Uint8Array(4)], 4, -1, () => undefined, true);
  q.unplug();
  b.stats[0]!(0, sized(8n));
  assert.deepEqual(b.calls[0]!.lens, [4]);
  b.calls[0]!.done(4);
  await settle();
  assert.equal(b.stats.length, 2, 'the second append reads the size after the first is done');
});

test('cancel takes a queued write out (it never reaches the backend) and refuses one that started', async () => {
  const { b, q, results, add } = setup();
  const a = add('a', 3, BLOCK, 0);
  const w = add('b', 3, BLOCK, BLOCK);
  assert.equal(q.cancel(a), false, 'a is in the backend');
  assert.equal(q.cancel(w), true);
  assert.equal(q.cancel(w), false, 'only once');
  b.calls[0]!.done(BLOCK);
  await settle();
  assert.equal(b.calls.length, 1);
  assert.deepEqual(Object.fromEntries(results), { a: BLOCK });
});

test('whenIdle runs at once for an idle fd, and after the last queued write of a busy one', async () => {
  const { b, q, add } = setup();
  const order: string[] = [];
  q.whenIdle(3, () => order.push('idle fd'));
  add('a', 3, BLOCK, 0);
  add('b', 3, BLOCK, 9 * BLOCK);
  q.whenIdle(3, () => order.push('after b'));
  b.calls[0]!.done(BLOCK);
  await settle();
  assert.deepEqual(order, ['idle fd']);
  b.calls[1]!.done(BLOCK);
  await settle();
  assert.deepEqual(order, ['idle fd', 'after b']);
});

/* ================================================================== through the ring */

const tmp = tempFiles('uring-write-queue-');

/** The next `n` CQEs of CQ 0 in arrival order (fails after 2 s). */
async function collect(ring: IoUring, n: number): Promise<{ userData: bigint; res: number }[]> {
  const out: { userData: bigint; res: number }[] = [];
  while (out.length < n) {
    const c = await ring.waitCqeTimeout(2_000_000_000n);
    out.push({ userData: c.userData, res: c.res });
    ring.cqeSeen(c);
  }
  return out;
}

function stamped(ring: ReturnType<typeof newRing>, n: number): number[] {
  const addrs: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = ring.mem.alloc(BLOCK, BLOCK);
    ring.mem.view(a, BLOCK).fill(0x41 + (i % 26));
    addrs.push(a);
  }
  return addrs;
}

function checkFile(path: string, n: number): void {
  const data = fs.readFileSync(path);
  assert.equal(data.length, n * BLOCK);
  for (let i = 0; i < n; i++) {
    const blk = data.subarray(i * BLOCK, (i + 1) * BLOCK);
    assert.ok(
      blk.every((x) => x === 0x41 + (i % 26)),
      `block ${i} holds what its write carried`,
    );
  }
}

test('64 sequential WRITE/WRITEV/WRITE_FIXED in one submission: one merged write, every CQE its length, the file exact', async () => {
  const ring = newRing(64);
  const { fd, path } = tmp.open('');
  const bufs = stamped(ring, 64);
  const iov = ring.mem.alloc(16 * 64, 8);
  for (let i = 0; i < 64; i++) {
    const s = sqe(ring);
    if (i % 3 === 1) {
      ring.mem.writeU64(iov + 16 * i, BigInt(bufs[i]!));
      ring.mem.writeU64(iov + 16 * i + 8, BigInt(BLOCK));
      prepWritev(s, fd, iov + 16 * i, 1, i * BLOCK);
    } else {
      prepRw(IORING_OP_WRITE, s, fd, bufs[i]!, BLOCK, i * BLOCK);
    }
    s.setUserData(i + 1);
  }
  assert.equal(ring.submit(), 64);
  const cqes = await collect(ring, 64);
  assert.deepEqual(
    cqes.map((c) => c.res),
    Array(64).fill(BLOCK),
  );
  assert.deepEqual(ring.fd.writes.stats(), { issued: 1, requests: 64, maxMerged: 64 });
  checkFile(path, 64);
  await ring.close();
  fs.closeSync(fd);
});

test('mergeWrites: false hands each write to the backend at submit (no queue)', async () => {
  const ring = newRing(8, { mergeWrites: false });
  assert.equal(ring.fd.writes.merging, false);
  // The queue only sees RWF_APPEND writes then.
  const { fd, path } = tmp.open('');
  const bufs = stamped(ring, 4);
  for (let i = 0; i < 4; i++)
    prepRw(IORING_OP_WRITE, sqe(ring), fd, bufs[i]!, BLOCK, i * BLOCK).setUserData(i);
  ring.submit();
  const cqes = await collect(ring, 4);
  assert.ok(cqes.every((c) => c.res === BLOCK));
  assert.equal(ring.fd.writes.stats().issued, 0, 'nothing went through the queue');
  checkFile(path, 4);
  await ring.close();
  fs.closeSync(fd);
});

test('CLOSE of an fd with writes queued: the writes complete with their bytes first, then the fd is closed', async () => {
  const ring = newRing(8);
  const { fd, path } = tmp.open('');
  const bufs = stamped(ring, 3);
  prepRw(IORING_OP_WRITE, sqe(ring), fd, bufs[0]!, BLOCK, 0).setUserData(1);
  prepRw(IORING_OP_WRITE, sqe(ring), fd, bufs[2]!, BLOCK, 2 * BLOCK).setUserData(3); // not adjacent: queued
  prepRw(IORING_OP_WRITE, sqe(ring), fd, bufs[1]!, BLOCK, BLOCK).setUserData(2);
  prepClose(sqe(ring), fd).setUserData(9);
  assert.equal(ring.submit(), 4);
  const cqes = await collect(ring, 4);
  const res = new Map(cqes.map((c) => [Number(c.userData), c.res]));
  assert.deepEqual(Object.fromEntries(res), { 1: BLOCK, 2: BLOCK, 3: BLOCK, 9: 0 });
  assert.equal(Number(cqes[3]!.userData), 9, 'the CLOSE completes last');
  assert.throws(() => fs.fstatSync(fd), /EBADF/, 'the fd is closed');
  checkFile(path, 3);
  await ring.close();
});

test('ASYNC_CANCEL finds a write queued behind another: 0, and the write completes -ECANCELED without touching the file', async () => {
  const ring = newRing(8);
  const { fd, path } = tmp.open('');
  const bufs = stamped(ring, 2);
  prepRw(IORING_OP_WRITE, sqe(ring), fd, bufs[0]!, BLOCK, 0).setUserData(1);
  prepRw(IORING_OP_WRITE, sqe(ring), fd, bufs[1]!, BLOCK, 5 * BLOCK).setUserData(2);
  prepCancel(sqe(ring), 2n, 0).setUserData(7);
  assert.equal(ring.submit(), 3);
  const cqes = await collect(ring, 3);
  const res = Object.fromEntries(cqes.map((c) => [Number(c.userData), c.res]));
  assert.deepEqual(res, { 1: BLOCK, 2: -ECANCELED, 7: 0 });
  assert.equal(fs.readFileSync(path).length, BLOCK, 'the cancelled write never ran');
  await ring.close();
  fs.closeSync(fd);
});

test('WRITE_FIXED joins a merged write like any other', async () => {
  const ring = newRing(8);
  const { fd, path } = tmp.open('');
  const bufs = stamped(ring, 2);
  const iov = ring.mem.alloc(16, 8);
  ring.mem.writeU64(iov, BigInt(bufs[1]!));
  ring.mem.writeU64(iov + 8, BigInt(BLOCK));
  assert.equal(ring.register(IORING_REGISTER_BUFFERS, iov, 1), 0);
  prepRw(IORING_OP_WRITE, sqe(ring), fd, bufs[0]!, BLOCK, 0).setUserData(1);
  prepWriteFixed(sqe(ring), fd, bufs[1]!, BLOCK, BLOCK, 0).setUserData(2);
  assert.equal(ring.submit(), 2);
  const cqes = await collect(ring, 2);
  assert.ok(cqes.every((c) => c.res === BLOCK));
  assert.equal(ring.fd.writes.stats().maxMerged, 2);
  checkFile(path, 2);
  await ring.close();
  fs.closeSync(fd);
});

test('AsyncRing: 16 workers writing 4 KiB blocks in sequence get merged writes and an exact file', async () => {
  const ring = AsyncRing.create(64, { runtime: new Runtime({ size: 8 * 1024 * 1024 }) });
  const { fd, path } = tmp.open('');
  const blocks = 512;
  const addrs = Array.from({ length: 16 }, () => ring.allocBuffer(BLOCK));
  let next = 0;
  const worker = async (w: number): Promise<void> => {
    while (next < blocks) {
      const i = next++;
      addrs[w]!.bytes.fill(0x41 + (i % 26));
      assert.equal(await ring.write(fd, addrs[w]!.addr, BLOCK, i * BLOCK), BLOCK);
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  const st = ring.ring.fd.writes.stats();
  assert.equal(st.requests, blocks);
  assert.ok(st.maxMerged >= 8, `writes were merged (largest group ${st.maxMerged})`);
  assert.ok(st.issued < blocks / 4, `far fewer backend calls (${st.issued}) than writes`);
  checkFile(path, blocks);
  await ring.shutdown();
  fs.closeSync(fd);
});
