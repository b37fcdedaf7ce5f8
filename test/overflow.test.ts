/**
 * DESIGN.md Q5: no CQE is ever lost on any CQ. Also the literal RFC v2 behaviour under strictRfc,
 * and the kernel's overflow scenarios T38/T39/X11 (order of new CQEs behind a backlog).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepNop } from '../src/liburing/prep.js';
import type { IoUring } from '../src/liburing/ring.js';
import { IORING_ENTER_GETEVENTS, IORING_SQ_CQ_OVERFLOW } from '../src/uapi/io_uring.js';
import { newRing, seededRandom } from './helpers.js';

function sqFlags(ring: IoUring): number {
  return ring.mem.readU32(ring.mmap(0, 64) + Number(ring.params.sqOff.flags));
}

for (const seed of [1, 2, 3, 0xdecafbad]) {
  test(`stress (seed ${seed}): far more CQEs than the CQs hold, consumed in random bursts, arrive once and in order per CQ`, async () => {
    const rand = seededRandom(seed);
    const sizes = [4, 1, 8];
    const ring = newRing(4, { cqSizes: sizes });
    const ncq = ring.cqCount;
    const sent: number[][] = Array.from({ length: ncq }, () => []);
    const got: number[][] = Array.from({ length: ncq }, () => []);
    let next = 1;
    const total = 5000;
    while (next <= total) {
      // Submit a random batch to random CQs (user_data counts up globally).
      const batch = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < batch && next <= total; i++) {
        const sqe = ring.getSqe();
        if (sqe === null) break;
        const cq = Math.floor(rand() * ncq);
        prepNop(sqe).setUserData32(next).setCqIdx(cq);
        sent[cq]!.push(next++);
      }
      ring.submit();
      // Sometimes consume a random burst from a random CQ.
      if (rand() < 0.4) {
        const cq = Math.floor(rand() * ncq);
        let burst = Math.floor(rand() * 6);
        for (let c = ring.peekCqe(cq); c !== null && burst > 0; c = ring.peekCqe(cq), burst--) {
          assert.equal(c.res, 0);
          got[cq]!.push(c.userDataLo);
          ring.cqeSeen(c);
        }
      }
      const backlog = ring.fd.stats().backlog.some((n) => n > 0);
      assert.equal(
        (sqFlags(ring) & IORING_SQ_CQ_OVERFLOW) !== 0,
        backlog,
        'IORING_SQ_CQ_OVERFLOW iff a backlog',
      );
    }
    for (let cq = 0; cq < ncq; cq++) {
      for (let c = ring.peekCqe(cq); c !== null; c = ring.peekCqe(cq)) {
        got[cq]!.push(c.userDataLo);
        ring.cqeSeen(c);
      }
    }
    for (let cq = 0; cq < ncq; cq++) assert.deepEqual(got[cq], sent[cq], `CQ ${cq}`);
    assert.equal(got.flat().length, total);
    assert.equal(sqFlags(ring) & IORING_SQ_CQ_OVERFLOW, 0);
    assert.equal(ring.cqOverflow(0), 0, 'nothing was dropped');
    await ring.close();
  });
}

test('T38: 16 NOPs into an 8-entry CQ: the flag shows the backlog, enter(GETEVENTS) returns at once, all 16 reaped in order', async () => {
  const ring = newRing(4);
  const seen: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 4; i++) prepNop(ring.getSqe()!).setUserData(round * 4 + i + 1);
    assert.equal(ring.submit(), 4);
    seen.push(`${ring.cqReady()}:${sqFlags(ring)}`);
  }
  assert.deepEqual(seen, ['4:0', '8:0', '8:2', '8:2']);
  assert.equal(await ring.enter(0, 1, IORING_ENTER_GETEVENTS), 0);
  const uds: number[] = [];
  for (let c = ring.peekCqe(); c !== null; c = ring.peekCqe()) {
    uds.push(c.userDataLo);
    ring.cqeSeen(c);
  }
  assert.deepEqual(
    uds,
    Array.from({ length: 16 }, (_, i) => i + 1),
  );
  assert.equal(sqFlags(ring), 0);
  assert.equal(ring.cqOverflow(), 0);
  await ring.close();
});

test('T39: consuming without entering leaves the backlog; enter(GETEVENTS, 0) moves it into the freed slots', async () => {
  const ring = newRing(4);
  for (let i = 0; i < 12; i++) {
    if (i % 4 === 0 && i > 0) ring.submit();
    prepNop(ring.getSqe()!).setUserData(i + 1);
  }
  ring.submit();
  const rings = ring.mmap(0, 64);
  const co = ring.params.cqOff;
  const head = (): number => ring.mem.readU32(rings + Number(co.head));
  const tail = (): number => ring.mem.readU32(rings + Number(co.tail));
  assert.deepEqual([head(), tail()], [0, 8]);
  ring.mem.writeU32(rings + Number(co.head), 2);
  assert.deepEqual([head(), tail()], [2, 8], 'no flush without entering');
  assert.equal(await ring.enter(0, 0, IORING_ENTER_GETEVENTS), 0);
  assert.deepEqual([head(), tail()], [2, 10]);
  assert.equal(ring.peekCqe()!.userData, 3n);
  await ring.close();
});

test('X11: a CQE posted while a backlog exists queues behind the backlog, even when the ring has room', async () => {
  const ring = newRing(4);
  const rings = ring.mmap(0, 64);
  const tailAddr = rings + Number(ring.params.sqOff.tail);
  // Publish n prepared SQEs the way liburing's flush does, then a raw enter without GETEVENTS.
  const rawSubmit = (n: number): number | Promise<number> => {
    ring.mem.writeU32(tailAddr, ring.mem.readU32(tailAddr) + n);
    return ring.enter(n, 0, 0);
  };
  for (let b = 0; b < 3; b++) {
    for (let i = 0; i < 4; i++) prepNop(ring.getSqe()!).setUserData(b * 4 + i + 1);
    assert.equal(await rawSubmit(4), 4);
  }
  ring.cqAdvance(2);
  // The backlog is not flushed by a plain submit, and ud 100 goes behind it although 2 slots are free.
  prepNop(ring.getSqe()!).setUserData(100);
  assert.equal(await rawSubmit(1), 1);
  assert.equal(ring.cqReady(), 6);
  const uds: number[] = [];
  for (let c = ring.peekCqe(); c !== null; c = ring.peekCqe()) {
    uds.push(c.userDataLo);
    ring.cqeSeen(c);
  }
  assert.deepEqual(uds, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100]);
  await ring.close();
});

test('strictRfc: a full extra CQ drops the CQE and counts it in CQ 0 overflow; CQ 0 itself still keeps a backlog', async () => {
  const ring = newRing(4, { cqSizes: [2], strictRfc: true });
  for (let i = 0; i < 4; i++)
    prepNop(ring.getSqe()!)
      .setUserData(i + 1)
      .setCqIdx(1);
  ring.submit();
  assert.equal(ring.cqReady(1), 2);
  assert.equal(ring.cqOverflow(0), 2, 'two drops counted on the main ring');
  assert.equal(ring.cqOverflow(1), 0, "the extra CQ's own counter stays 0 (spec Q17)");
  assert.equal(sqFlags(ring) & IORING_SQ_CQ_OVERFLOW, 0, 'nothing waits: the CQEs are gone');
  assert.deepEqual(ring.fd.stats().dropped, [0, 2]);
  const uds: number[] = [];
  for (let c = ring.peekCqe(1); c !== null; c = ring.peekCqe(1)) {
    uds.push(c.userDataLo);
    ring.cqeSeen(c);
  }
  assert.deepEqual(uds, [1, 2]);
  // CQ 0 (8 entries) overflows into its backlog, not the floor.
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < 4; i++) prepNop(ring.getSqe()!).setUserData(10 + r * 4 + i);
    ring.submit();
  }
  assert.equal(sqFlags(ring) & IORING_SQ_CQ_OVERFLOW, IORING_SQ_CQ_OVERFLOW);
  let n = 0;
  for (let c = ring.peekCqe(0); c !== null; c = ring.peekCqe(0)) {
    assert.equal(c.userDataLo, 10 + n++);
    ring.cqeSeen(c);
  }
  assert.equal(n, 12);
  await ring.close();
});

test('without strictRfc the same extra-CQ overflow loses nothing and counts no drop', async () => {
  const ring = newRing(4, { cqSizes: [2] });
  for (let i = 0; i < 4; i++)
    prepNop(ring.getSqe()!)
      .setUserData(i + 1)
      .setCqIdx(1);
  ring.submit();
  assert.equal(ring.cqOverflow(0), 0);
  assert.equal(sqFlags(ring) & IORING_SQ_CQ_OVERFLOW, IORING_SQ_CQ_OVERFLOW);
  const uds: number[] = [];
  for (let c = ring.peekCqe(1); c !== null; c = ring.peekCqe(1)) {
    uds.push(c.userDataLo);
    ring.cqeSeen(c);
  }
  assert.deepEqual(uds, [1, 2, 3, 4]);
  await ring.close();
});

test('closing a ring hands back every CQE nobody consumed, backlog included, in order', async () => {
  const ring = newRing(4, { cqSizes: [1] });
  for (let i = 0; i < 3; i++)
    prepNop(ring.getSqe()!)
      .setUserData(i + 1)
      .setCqIdx(1);
  prepNop(ring.getSqe()!).setUserData(9);
  ring.submit();
  const left = await ring.close();
  assert.deepEqual(
    left.map((c) => `${c.cqIdx}:${c.userData}:${c.res}`),
    ['0:9:0', '1:1:0', '1:2:0', '1:3:0'],
  );
});
