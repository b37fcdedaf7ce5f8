/** The liburing-style user API: SQE/CQE handling, waiting, register, teardown, and misuse errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cqe } from '../src/liburing/cqe.js';
import { UringError } from '../src/liburing/errors.js';
import { allocTimespec, prepNop, prepTimeout } from '../src/liburing/prep.js';
import { EBADF, EBADFD, ECANCELED, EINVAL, ETIME } from '../src/uapi/errno.js';
import {
  IO_URING_OP_SUPPORTED,
  IORING_ENTER_GETEVENTS,
  IORING_OP_BPF,
  IORING_OP_LAST,
  IORING_OP_NOP,
  IORING_OP_POLL_ADD,
  IORING_OP_TIMEOUT,
  IORING_REGISTER_BPF,
  IORING_REGISTER_ENABLE_RINGS,
  IORING_REGISTER_PROBE,
  IORING_SETUP_R_DISABLED,
  IOSQE_IO_DRAIN,
} from '../src/uapi/io_uring.js';
import { IO_URING_PROBE, IO_URING_PROBE_OP } from '../src/uapi/layout.js';
import { drain, newRing, reap, sleep, tsMs } from './helpers.js';

test('getSqe hands out every SQ slot once, then null until the kernel consumes them', async () => {
  const ring = newRing(4);
  const got = [ring.getSqe(), ring.getSqe(), ring.getSqe(), ring.getSqe()];
  assert.ok(got.every((s) => s !== null));
  assert.equal(new Set(got.map((s) => s!.index)).size, 4);
  assert.equal(ring.getSqe(), null);
  assert.equal(ring.sqSpaceLeft(), 0);
  for (const s of got) prepNop(s!).setUserData(1);
  assert.equal(ring.submit(), 4);
  assert.equal(ring.sqSpaceLeft(), 4);
  assert.notEqual(ring.getSqe(), null);
  await ring.close();
});

test('user_data round-trips every u64 value; setters reject values that do not fit', async () => {
  const ring = newRing(8);
  const values = [0n, 1n, 0xffffffffn, 0x1_0000_0000n, 0xdead_beef_cafe_f00dn, 2n ** 64n - 1n];
  for (const v of values) prepNop(ring.getSqe()!).setUserData(v);
  ring.submit();
  const seen: bigint[] = [];
  for (let c = ring.peekCqe(); c !== null; c = ring.peekCqe()) {
    seen.push(c.userData);
    ring.cqeSeen(c);
  }
  assert.deepEqual(seen, values);
  const sqe = ring.getSqe()!;
  assert.throws(() => sqe.setUserData(-1n), RangeError);
  assert.throws(() => sqe.setUserData(2n ** 64n), RangeError);
  assert.throws(() => sqe.setUserData(1.5), RangeError);
  assert.throws(() => sqe.setFlags(256), RangeError);
  assert.throws(() => sqe.setCqIdx(65536), RangeError);
  assert.throws(() => ring.cqReady(1), RangeError);
  assert.throws(() => ring.peekCqe(-1), RangeError);
  await ring.close();
});

test('queueInit rejects cqSizes given together with the raw nrCq/cqSizesAddr pair', () => {
  assert.throws(() => newRing(8, { cqSizes: [4], nrCq: 1 }), TypeError);
});

test('peekBatchCqe returns up to max ready CQEs in order; cqAdvance consumes them', async () => {
  const ring = newRing(8);
  for (let i = 1; i <= 5; i++) prepNop(ring.getSqe()!).setUserData(i);
  ring.submit();
  const out: Cqe[] = [];
  assert.equal(ring.peekBatchCqe(out, 3), 3);
  assert.deepEqual(
    out.slice(0, 3).map((c) => c.userData),
    [1n, 2n, 3n],
  );
  ring.cqAdvance(3);
  assert.equal(ring.peekBatchCqe(out, 10), 2);
  assert.equal(out[0]!.userData, 4n);
  ring.cqAdvance(2);
  assert.equal(ring.cqReady(), 0);
  await ring.close();
});

test('opcodes not supported yet and opcodes past the last complete with -EINVAL, IORING_OP_BPF without a table with -EFAULT', async () => {
  const ring = newRing(8);
  for (const [ud, op] of [
    [1, IORING_OP_POLL_ADD],
    [2, IORING_OP_BPF],
    [3, IORING_OP_LAST],
    [4, 255],
  ] as const) {
    prepNop(ring.getSqe()!).setUserData(ud).set('opcode', op);
    assert.equal(ring.submit(), 1);
  }
  assert.deepEqual(
    drain(ring),
    [1, 2, 3, 4].map((ud) =>
      ud === 2 ? `cqe ud=${ud} res=-14 EFAULT flags=0x0` : `cqe ud=${ud} res=-22 EINVAL flags=0x0`,
    ),
  );
  await ring.close();
});

test('waiting for a CQE does not block the event loop', async () => {
  const ring = newRing(8);
  const order: string[] = [];
  prepTimeout(ring.getSqe()!, tsMs(ring, 40)).setUserData(1);
  ring.submit();
  const waiting = ring.waitCqe().then((c) => order.push(`cqe ${c.userData} ${c.res}`));
  setTimeout(() => order.push('timer'), 5);
  await waiting;
  assert.deepEqual(order, ['timer', `cqe 1 ${-ETIME}`]);
  await ring.close();
});

test('waitCqe on an extra CQ (extension, DESIGN.md Q6) resolves when a CQE lands there', async () => {
  const ring = newRing(8, { cqSizes: [8] });
  prepTimeout(ring.getSqe()!, tsMs(ring, 10)).setUserData(5).setCqIdx(1);
  ring.submit();
  const c = await ring.waitCqe(1);
  assert.equal(c.userData, 5n);
  assert.equal(c.res, -ETIME);
  assert.equal(c.cqIdx, 1);
  ring.cqeSeen(c);
  assert.equal(ring.cqReady(0), 0);
  await ring.close();
});

test('waitCqeTimeout rejects with ETIME when nothing arrives', async () => {
  const ring = newRing(8);
  const t0 = Date.now();
  await assert.rejects(
    ring.waitCqeTimeout(20_000_000n),
    (e: unknown) => e instanceof UringError && e.errno === -ETIME,
  );
  assert.ok(Date.now() - t0 >= 15);
  await ring.close();
});

test('enter: unknown flags -EINVAL; GETEVENTS on a CQ that does not exist -EINVAL; no wait when fewer SQEs than asked were submitted', async () => {
  const ring = newRing(8);
  assert.equal(ring.enter(0, 0, 1 << 30), -EINVAL);
  assert.equal(ring.enter(0, 1, IORING_ENTER_GETEVENTS, { cq: 3 }), -EINVAL);
  // to_submit=5 with nothing queued returns 0 at once even with GETEVENTS and min_complete=1.
  assert.equal(ring.enter(5, 1, IORING_ENTER_GETEVENTS), 0);
  await ring.close();
});

test('IORING_REGISTER_PROBE lists opcodes 0..37 with the supported ones flagged', async () => {
  const ring = newRing(8);
  const nr = 64;
  const p = ring.mem.alloc(IO_URING_PROBE.size + nr * IO_URING_PROBE_OP.size);
  assert.equal(ring.register(IORING_REGISTER_PROBE, p, nr), 0);
  assert.equal(ring.mem.readU8(p), IORING_OP_LAST - 1);
  assert.equal(ring.mem.readU8(p + 1), IORING_OP_LAST);
  const flagsOf = (op: number): number =>
    ring.mem.readU16(p + IO_URING_PROBE.size + op * IO_URING_PROBE_OP.size + 2);
  assert.equal(flagsOf(IORING_OP_NOP), IO_URING_OP_SUPPORTED);
  assert.equal(flagsOf(IORING_OP_TIMEOUT), IO_URING_OP_SUPPORTED);
  assert.equal(flagsOf(IORING_OP_POLL_ADD), 0);
  // A probe buffer that is not zeroed is rejected, as the kernel does.
  assert.equal(ring.register(IORING_REGISTER_PROBE, p, nr), -EINVAL);
  assert.equal(ring.register(IORING_REGISTER_PROBE, 0, nr), -14);
  assert.equal(ring.register(99, 0, 0), -EINVAL);
  assert.equal(ring.register(IORING_REGISTER_BPF, 0, 0), -EINVAL);
  await ring.close();
});

test('IORING_SETUP_R_DISABLED: submissions fail -EBADFD until IORING_REGISTER_ENABLE_RINGS', async () => {
  const ring = newRing(8, { flags: IORING_SETUP_R_DISABLED });
  prepNop(ring.getSqe()!).setUserData(1);
  assert.throws(
    () => ring.submit(),
    (e: unknown) => e instanceof UringError && e.errno === -EBADFD,
  );
  assert.equal(ring.register(IORING_REGISTER_ENABLE_RINGS, 0, 0), 0);
  assert.equal(ring.register(IORING_REGISTER_ENABLE_RINGS, 0, 0), -EBADFD);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(drain(ring), ['cqe ud=1 res=0 flags=0x0']);
  await ring.close();
});

test('IOSQE_IO_DRAIN counts completions on every CQ: a drained NOP waits for a timeout on CQ 1', async () => {
  const ring = newRing(8, { cqSizes: [8] });
  prepTimeout(ring.getSqe()!, tsMs(ring, 30)).setUserData(1).setCqIdx(1);
  prepNop(ring.getSqe()!).setUserData(2).setFlags(IOSQE_IO_DRAIN);
  assert.equal(ring.submit(), 2);
  assert.equal(ring.cqReady(0), 0, 'the drained NOP has not run');
  const c1 = await ring.waitCqe(1);
  assert.equal(c1.res, -ETIME);
  ring.cqeSeen(c1);
  assert.deepEqual(await reap(ring, 1, 500), ['cqe ud=2 res=0 flags=0x0']);
  await ring.close();
});

test('close cancels in-flight requests (-ECANCELED), fails pending waits with EBADF, frees all ring memory and timers', async () => {
  const ring = newRing(8, { cqSizes: [4] });
  const liveBefore = ring.mem.liveAllocations;
  const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const ts = allocTimespec(ring.mem, 10_000_000_000n);
  prepTimeout(ring.getSqe()!, ts).setUserData(1);
  prepTimeout(ring.getSqe()!, ts).setUserData(2).setCqIdx(1);
  ring.submit();
  ring.mem.free(ts);
  const pending = ring.waitCqe(0);
  await sleep(1);
  const left = await ring.close();
  assert.deepEqual(
    left.map((c) => `${c.cqIdx}:${c.userData}:${c.res}`),
    [`0:1:${-ECANCELED}`, `1:2:${-ECANCELED}`],
  );
  await assert.rejects(pending, (e: unknown) => e instanceof UringError && e.errno === -EBADF);
  assert.equal(ring.fd.stats().inflight, 0);
  assert.equal(ring.fd.stats().liveRequests, 0);
  assert.ok(ring.mem.liveAllocations < liveBefore, 'the ring regions were freed');
  const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  assert.ok(timersAfter <= timersBefore, `no timer left behind (${timersBefore} -> ${timersAfter})`);
  assert.equal(ring.fd.enter(0, 0, 0), -EBADF);
  assert.deepEqual(await ring.close(), [], 'closing twice is harmless');
});

test('every ring call after close fails with EBADF instead of touching freed memory', async () => {
  const ring = newRing(8);
  await ring.close();
  const isEbadf = (e: unknown): boolean => e instanceof UringError && e.errno === -EBADF;
  assert.throws(() => ring.getSqe(), isEbadf);
  assert.throws(() => ring.submit(), isEbadf);
  assert.throws(() => ring.peekCqe(), isEbadf);
  assert.throws(() => ring.cqReady(), isEbadf);
  assert.throws(() => ring.sqReady(), isEbadf);
  await assert.rejects(ring.waitCqe(), isEbadf);
});
