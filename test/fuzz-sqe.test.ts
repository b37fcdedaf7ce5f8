/**
 * Hostile SQEs: random bytes in every field, biased towards the opcodes and flags we implement. The
 * ring must never throw, and every SQE it consumed must produce exactly one CQE: posted while the
 * test runs, or handed back by close() (in-flight requests are cancelled there).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_NOP,
  IORING_OP_TIMEOUT,
  IORING_OP_TIMEOUT_REMOVE,
} from '../src/uapi/io_uring.js';
import { newRing, sleep, xorshift32 } from './helpers.js';

const OPS = [
  IORING_OP_NOP,
  IORING_OP_TIMEOUT,
  IORING_OP_TIMEOUT_REMOVE,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_ASYNC_CANCEL,
];

for (const seed of [11, 22, 33, 44]) {
  test(`fuzz (seed ${seed}): random SQEs never throw and each consumed SQE yields exactly one CQE`, async () => {
    const next = xorshift32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
    const ring = newRing(16, { cqSizes: [4, 64] });
    const m = ring.mem;
    // A few timespecs: short, zero, long, invalid (negative), and one in unmapped memory.
    const specs: number[] = [];
    for (const [sec, nsec] of [
      [0n, 1_000_000n],
      [0n, 0n],
      [30n, 0n],
      [-1n, 0n],
      [0n, 2_000_000n],
    ] as const) {
      const a = m.alloc(16);
      m.writeI64(a, sec);
      m.writeI64(a + 8, nsec);
      specs.push(a);
    }
    specs.push(0, m.size - 8, 0xffff_fff0);
    const counts = new Map<number, number>();
    const consumed = new Set<number>();
    let ud = 1;
    const reapAll = (): void => {
      for (let cq = 0; cq < ring.cqCount; cq++) {
        for (let c = ring.peekCqe(cq); c !== null; c = ring.peekCqe(cq)) {
          counts.set(c.userDataLo, (counts.get(c.userDataLo) ?? 0) + 1);
          ring.cqeSeen(c);
        }
      }
    };
    for (let round = 0; round < 150; round++) {
      const n = 1 + (next() % 8);
      const batch: number[] = [];
      for (let i = 0; i < n; i++) {
        const sqe = ring.getSqe();
        if (sqe === null) break;
        for (let w = 0; w < 16; w++) m.writeU32(sqe.addr + 4 * w, next());
        const r = next() % 100;
        sqe.set('opcode', r < 85 ? pick(OPS) : next() & 0xff);
        sqe.set('flags', r < 50 ? next() & 0x1f : next() & 0xff);
        if (r < 70) sqe.set('ioprio', 0).set('personality', 0).set('buf_index', 0).set('splice_fd_in', 0);
        if (r < 75) sqe.set('op_flags', next() % 4 === 0 ? next() : next() & 3);
        if (r < 80) sqe.set('len', next() % 3);
        if (r < 90) sqe.set('cq_idx', next() % 4);
        const target = ud > 1 ? 1 + (next() % (ud - 1)) : 0;
        sqe.set('addr', next() % 2 === 0 ? pick(specs) : target);
        sqe.set('off', next() % 3 === 0 ? pick(specs) : next() % 3);
        sqe.setUserData32(ud);
        batch.push(ud++);
      }
      let submitted = 0;
      try {
        submitted = ring.submit();
      } catch (e) {
        assert.fail(`submit threw: ${e}`);
      }
      // What the kernel consumed are the first `submitted` of this batch (the rest stay queued).
      for (const u of batch.slice(0, submitted)) consumed.add(u);
      if (submitted < batch.length) {
        // Leftover SQEs stay in the SQ; submit them in the next round (liburing semantics).
        for (const u of batch.slice(submitted)) consumed.add(u);
        let more = 0;
        for (let tries = 0; tries < 16 && ring.sqReady() > 0; tries++) more += ring.submit();
        assert.equal(ring.sqReady(), 0, 'the SQ drains');
        assert.ok(more <= batch.length - submitted);
      }
      reapAll();
      if (round % 25 === 0) await sleep(3);
    }
    await sleep(10);
    reapAll();
    for (const c of await ring.close())
      counts.set(Number(c.userData & 0xffffffffn), (counts.get(Number(c.userData & 0xffffffffn)) ?? 0) + 1);
    for (const u of consumed) assert.equal(counts.get(u), 1, `user_data ${u}: exactly one CQE`);
    for (const [u, n] of counts) assert.ok(consumed.has(u) && n === 1, `unexpected CQE for user_data ${u}`);
    assert.equal(ring.fd.stats().liveRequests, 0, 'no request leaked');
  });
}
