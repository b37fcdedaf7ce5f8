/**
 * The RFC's liburing test/multi_cq.c (spec §7.5) and the setup rules of spec §4.1 / §3.4.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UringError } from '../src/liburing/errors.js';
import { prepNop } from '../src/liburing/prep.js';
import { IoUring } from '../src/liburing/ring.js';
import { writeStruct } from '../src/mem/struct.js';
import { EFAULT, EINVAL, ENOMEM } from '../src/uapi/errno.js';
import {
  IORING_OFF_CQ_RING,
  IORING_OFF_CQ_RING_EXTRA,
  IORING_OFF_SQES,
  IORING_SETUP_CLAMP,
  IORING_STRIDE_CQ_RING,
} from '../src/uapi/io_uring.js';
import { IO_URING_PARAMS } from '../src/uapi/layout.js';
import { Runtime } from '../src/uring/runtime.js';
import { drain, newRing } from './helpers.js';

function setupErrno(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof UringError) return e.errno;
    throw e;
  }
  return 0;
}

test('test_invalid_cq_index: a NOP with cq_idx 2 on a one-CQ ring is consumed and fails -EINVAL on CQ 0', async () => {
  const ring = newRing(8);
  prepNop(ring.getSqe()!).setUserData(7).setCqIdx(2);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(drain(ring), ['cqe ud=7 res=-22 EINVAL flags=0x0']);
  await ring.close();
});

test('an invalid cq_idx on a multi-CQ ring also reports to CQ 0, not to any extra CQ', async () => {
  const ring = newRing(8, { cqSizes: [16, 16] });
  prepNop(ring.getSqe()!).setUserData(9).setCqIdx(3);
  assert.equal(ring.submit(), 1);
  assert.deepEqual(drain(ring, 0), ['cqe ud=9 res=-22 EINVAL flags=0x0']);
  assert.equal(ring.cqReady(1) + ring.cqReady(2), 0);
  await ring.close();
});

test('test_invalid_multi_cq: bad nr_cq / cq_sizes combinations fail setup with the RFC errors', () => {
  const rt = new Runtime({ size: 4 * 1024 * 1024 });
  const sizes = rt.mem.alloc(4);
  rt.mem.writeU32(sizes, 0xffffffff);
  const cases: [string, { nrCq: number; cqSizesAddr: number | bigint }, number][] = [
    ['nr_cq=1, cq_sizes=0', { nrCq: 1, cqSizesAddr: 0 }, -EINVAL],
    ['nr_cq=0, cq_sizes=1', { nrCq: 0, cqSizesAddr: 1 }, -EINVAL],
    ['nr_cq=5, cq_sizes=1 (bad pointer)', { nrCq: 5, cqSizesAddr: 1 }, -EFAULT],
    ['size 0xFFFFFFFF', { nrCq: 1, cqSizesAddr: sizes }, -EINVAL],
    ['nr_cq=2^31', { nrCq: 2 ** 31, cqSizesAddr: sizes }, -EINVAL],
    ['cq_sizes past the end of the address space', { nrCq: 2, cqSizesAddr: rt.mem.size - 4 }, -EFAULT],
    ['cq_sizes above 4 GiB', { nrCq: 1, cqSizesAddr: 1n << 40n }, -EFAULT],
  ];
  const live = rt.mem.liveAllocations;
  for (const [what, opts, want] of cases) {
    assert.equal(
      setupErrno(() => IoUring.queueInit(8, { ...opts, runtime: rt })),
      want,
      what,
    );
    assert.equal(rt.mem.liveAllocations, live, `${what}: nothing leaked`);
  }
});

test('extra CQ sizes: rounded up to a power of two, 0 and >65536 rejected, CLAMP clamps, no minimum', async () => {
  const cases: [number[], number, number[] | number][] = [
    [[100], 0, [128]],
    [[1], 0, [1]],
    [[3, 65536], 0, [4, 65536]],
    [[0], 0, -EINVAL],
    [[65537], 0, -EINVAL],
    [[70000], IORING_SETUP_CLAMP, [65536]],
  ];
  for (const [sizes, flags, want] of cases) {
    const rt = new Runtime({ size: 16 * 1024 * 1024 });
    let got: number[] | number;
    try {
      const ring = IoUring.queueInit(8, { cqSizes: sizes, flags, runtime: rt });
      got = sizes.map((_, i) => ring.cqEntries(i + 1));
      assert.equal(ring.cqEntries(0), 16);
      await ring.close();
    } catch (e) {
      if (!(e instanceof UringError)) throw e;
      got = e.errno;
    }
    assert.deepEqual(got, want, `sizes ${sizes} flags ${flags}`);
  }
});

test('1024 extra CQs are allowed, 1025 are not', async () => {
  const rt = new Runtime({ size: 64 * 1024 * 1024 });
  const ring = IoUring.queueInit(4, { cqSizes: new Array(1024).fill(1), runtime: rt });
  assert.equal(ring.cqCount, 1025);
  prepNop(ring.getSqe()!).setUserData(5).setCqIdx(1024);
  ring.submit();
  assert.deepEqual(drain(ring, 1024), ['cqe ud=5 res=0 flags=0x0']);
  await ring.close();
  assert.equal(
    setupErrno(() => IoUring.queueInit(4, { cqSizes: new Array(1025).fill(1), runtime: rt })),
    -EINVAL,
  );
});

test('setup fails with -ENOMEM when the address space is full, and frees what it had allocated', () => {
  const rt = new Runtime({ size: 256 * 1024 });
  const live = rt.mem.liveAllocations;
  assert.equal(
    setupErrno(() => IoUring.queueInit(8, { cqSizes: [65536], runtime: rt })),
    -ENOMEM,
  );
  assert.equal(rt.mem.liveAllocations, live);
  assert.equal(
    setupErrno(() => IoUring.queueInit(4096, { runtime: rt })),
    -ENOMEM,
  );
  assert.equal(rt.mem.liveAllocations, live);
});

test('setup with a params pointer outside the address space fails -EFAULT', () => {
  const rt = new Runtime({ size: 1024 * 1024 });
  assert.equal(rt.setup(8, 0), -EFAULT);
  assert.equal(rt.setup(8, rt.mem.size - 64), -EFAULT);
  const p = rt.mem.alloc(IO_URING_PARAMS.size);
  writeStruct(rt.mem, IO_URING_PARAMS, p, { flags: 1 << 20 });
  assert.equal(rt.setup(8, p), -EINVAL, 'unknown setup flag');
});

test('test_mcq_mmap: extra CQ offsets map only existing CQs at whole strides (spec §3.4)', async () => {
  const ring = newRing(8, { cqSizes: [128] });
  const cqLen = Number(ring.params.cqOff.cqes) + 128 * 16;
  const cases: [string, number, number, boolean][] = [
    ['EXTRA + 1*STRIDE (CQ 1)', IORING_OFF_CQ_RING_EXTRA + IORING_STRIDE_CQ_RING, cqLen, true],
    ['EXTRA + 0*STRIDE (the main CQ)', IORING_OFF_CQ_RING_EXTRA, 64, true],
    ['EXTRA + 2*STRIDE (no such CQ)', IORING_OFF_CQ_RING_EXTRA + 2 * IORING_STRIDE_CQ_RING, 64, false],
    ['EXTRA + STRIDE/2', IORING_OFF_CQ_RING_EXTRA + IORING_STRIDE_CQ_RING / 2, 64, false],
    ['EXTRA - 100', IORING_OFF_CQ_RING_EXTRA - 100, 64, false],
    [
      'CQ 1 mapped longer than its allocation',
      IORING_OFF_CQ_RING_EXTRA + IORING_STRIDE_CQ_RING,
      1 << 20,
      false,
    ],
    ['length 0', IORING_OFF_SQES, 0, false],
  ];
  for (const [what, off, len, ok] of cases) {
    const r = ring.mmap(off, len);
    if (ok) assert.ok(r > 0, `${what}: expected an address, got ${r}`);
    else assert.equal(r, -EINVAL, what);
  }
  // Mapping CQ 1 at its offset gives the same region the ring API reads it from.
  assert.equal(ring.mmap(IORING_OFF_CQ_RING_EXTRA + IORING_STRIDE_CQ_RING, cqLen), ring.mmapCq(1));
  assert.equal(ring.mmap(IORING_OFF_CQ_RING_EXTRA, 64), ring.mmap(IORING_OFF_CQ_RING, 64));
  await ring.close();
});

test('extra CQ 110 is unreachable by mmap: its offset is IORING_OFF_CQ_RING, which maps the main ring', async () => {
  const ring = newRing(4, { cqSizes: new Array(111).fill(1) });
  assert.equal(IORING_OFF_CQ_RING_EXTRA + 110 * IORING_STRIDE_CQ_RING, IORING_OFF_CQ_RING);
  assert.equal(
    ring.mmap(IORING_OFF_CQ_RING_EXTRA + 110 * IORING_STRIDE_CQ_RING, 64),
    ring.mmap(IORING_OFF_CQ_RING, 64),
  );
  assert.notEqual(
    ring.mmap(IORING_OFF_CQ_RING_EXTRA + 109 * IORING_STRIDE_CQ_RING, 64),
    ring.mmap(IORING_OFF_CQ_RING, 64),
  );
  await ring.close();
});

test('test_mcq_requests: NOPs to CQ 0 and CQ 1; CQ 1 read through its own mapping at the main cq_off offsets', async () => {
  const ring = newRing(8, { cqSizes: [128] });
  prepNop(ring.getSqe()!).setUserData(1).setCqIdx(0);
  assert.equal(ring.submit(), 1);
  prepNop(ring.getSqe()!).setUserData(2).setCqIdx(1);
  assert.equal(ring.submit(), 1);
  const c = await ring.waitCqe();
  assert.equal(c.userData, 1n);
  assert.equal(c.res, 0);
  ring.cqeSeen(c);
  assert.equal(ring.peekCqe(0), null, 'CQ 0 holds exactly one CQE');
  const off = ring.params.cqOff;
  const size = Number(off.cqes) + 128 * 16;
  const base = ring.mmap(IORING_OFF_CQ_RING_EXTRA + IORING_STRIDE_CQ_RING, size);
  const m = ring.mem;
  const head = m.readU32(base + Number(off.head));
  const tail = m.readU32(base + Number(off.tail));
  assert.equal(tail - head, 1);
  assert.equal(m.readU32(base + Number(off.ring_entries)), 128);
  assert.equal(m.readU32(base + Number(off.ring_mask)), 127);
  const cqe = base + Number(off.cqes) + 16 * (head & 127);
  assert.equal(m.readU64(cqe), 2n);
  assert.equal(m.readI32(cqe + 8), 0);
  await ring.close();
});

test('the SQ ring, SQE array and CQ 0 sit in the address space at the offsets setup reported', async () => {
  const ring = newRing(8);
  const m = ring.mem;
  const rings = ring.mmap(0, 64);
  const so = ring.params.sqOff;
  const co = ring.params.cqOff;
  assert.equal(m.readU32(rings + Number(so.ring_entries)), 8);
  assert.equal(m.readU32(rings + Number(so.ring_mask)), 7);
  assert.equal(m.readU32(rings + Number(co.ring_entries)), 16);
  // Submit through raw memory, as a C program using only the offsets would.
  const sqes = ring.mmap(IORING_OFF_SQES, 64 * 8);
  const tail = m.readU32(rings + Number(so.tail));
  m.fill(sqes + 3 * 64, 0, 64);
  m.writeU64(sqes + 3 * 64 + 32, 77n);
  m.writeU32(rings + Number(so.array) + 4 * (tail & 7), 3);
  m.writeU32(rings + Number(so.tail), tail + 1);
  assert.equal(await ring.enter(1, 0, 0), 1);
  assert.equal(m.readU32(rings + Number(so.head)), tail + 1);
  const ctail = m.readU32(rings + Number(co.tail));
  const chead = m.readU32(rings + Number(co.head));
  assert.equal(ctail - chead, 1);
  assert.equal(m.readU64(rings + Number(co.cqes) + 16 * (chead & 15)), 77n);
  await ring.close();
});
