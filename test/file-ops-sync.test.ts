/**
 * File ops, part 2: FSYNC, FALLOCATE, FADVISE, MADVISE, SPLICE/TEE and the probe: results as the
 * kernel's and every error path of src/uring/ops/sync.ts and fsops.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { prepFadvise, prepFallocate, prepFsync, prepMadvise, prepRw } from '../src/liburing/prep.js';
import * as E from '../src/uapi/errno.js';
import * as F from '../src/uapi/fs.js';
import * as U from '../src/uapi/io_uring.js';
import { IO_URING_PROBE, IO_URING_PROBE_OP } from '../src/uapi/layout.js';
import { run, type Tweak, tempDir } from './file-ops-common.js';
import { newRing } from './helpers.js';

const { dir: TMP, tmp } = tempDir();

/** A FIFO opened read-write (never blocks on Linux), or null without mkfifo. */
function fifo(): number | null {
  const p = tmp();
  if (spawnSync('mkfifo', [p]).status !== 0) return null;
  return fs.openSync(p, fs.constants.O_RDWR);
}

test('FSYNC: plain, DATASYNC and registered files; field and fd errors', async () => {
  const ring = newRing(8);
  const fd = fs.openSync(tmp('x'), 'r+');
  assert.equal(await run(ring, (s) => prepFsync(s, fd)), 0);
  assert.equal(await run(ring, (s) => prepFsync(s, fd, U.IORING_FSYNC_DATASYNC)), 0);
  assert.equal(await run(ring, (s) => prepFsync(s, fd, 2)), -E.EINVAL);
  for (const t of [{ addr: 8 }, { buf_index: 1 }, { splice_fd_in: 1 }, { ioprio: 1 }]) {
    assert.equal(await run(ring, (s) => prepFsync(s, fd), t), -E.EINVAL, JSON.stringify(t));
  }
  assert.equal(await run(ring, (s) => prepFsync(s, -1)), -E.EBADF);
  assert.equal(await run(ring, (s) => prepFsync(s, 9999)), -E.EBADF);
  const arr = ring.mem.alloc(4);
  ring.mem.writeU32(arr, fd);
  assert.equal(ring.register(U.IORING_REGISTER_FILES, arr, 1), 0);
  assert.equal(await run(ring, (s) => prepFsync(s, 0), {}, U.IOSQE_FIXED_FILE), 0);
  assert.equal(await run(ring, (s) => prepFsync(s, 1), {}, U.IOSQE_FIXED_FILE), -E.EBADF);
  fs.closeSync(fd);
  await ring.close();
});

test('FALLOCATE: mode 0 extends (never shrinks), KEEP_SIZE keeps; vfs_fallocate errors', async () => {
  const ring = newRing(8);
  const p = tmp('0123456789');
  const fd = fs.openSync(p, 'r+');
  const fa = (f: number, mode: number, off: bigint | number, len: bigint | number) =>
    run(ring, (s) => prepRw(U.IORING_OP_FALLOCATE, s, f, 0, mode, 0), { off, addr: len });
  assert.equal(await fa(fd, 0, 100, 50), 0);
  assert.equal(fs.statSync(p).size, 150);
  assert.equal(fs.readFileSync(p, 'latin1').slice(0, 10), '0123456789');
  assert.equal(await fa(fd, 0, 0, 20), 0);
  assert.equal(fs.statSync(p).size, 150);
  assert.equal(await fa(fd, F.FALLOC_FL_KEEP_SIZE, 0, 4096), 0);
  assert.equal(fs.statSync(p).size, 150);
  assert.equal(await run(ring, (s) => prepFallocate(s, fd, 0, 200, 56)), 0);
  assert.equal(fs.statSync(p).size, 256);
  // Modes: unknown or invalid combinations -EOPNOTSUPP (checked before the file); valid ones we do not do, too.
  assert.equal(await fa(fd, F.FALLOC_FL_PUNCH_HOLE, 0, 10), -E.EOPNOTSUPP);
  assert.equal(await fa(fd, 0x100, 0, 10), -E.EOPNOTSUPP);
  assert.equal(await fa(fd, F.FALLOC_FL_PUNCH_HOLE | F.FALLOC_FL_KEEP_SIZE, 0, 10), -E.EOPNOTSUPP);
  // offset < 0 or len <= 0: -EINVAL; offset + len past 2^63 - 1: -EFBIG.
  assert.equal(await fa(fd, 0, -1n, 10), -E.EINVAL);
  assert.equal(await fa(fd, 0, 0, 0), -E.EINVAL);
  assert.equal(await fa(fd, 0, 0, -5n), -E.EINVAL);
  assert.equal(await fa(fd, 0, (1n << 62n) + 1n, 1n << 62n), -E.EFBIG);
  assert.equal(await fa(fd, F.FALLOC_FL_KEEP_SIZE, (1n << 62n) + 1n, 1n << 62n), -E.EFBIG);
  // The fd: bad, read-only, a directory, a FIFO.
  assert.equal(await fa(9999, 0, 0, 10), -E.EBADF);
  const ro = fs.openSync(p, 'r');
  assert.equal(await fa(ro, 0, 0, 1000), -E.EBADF);
  assert.equal(fs.statSync(p).size, 256);
  const dfd = fs.openSync(TMP, 'r');
  assert.equal(await fa(dfd, 0, 0, 10), -E.EBADF);
  const pf = fifo();
  if (pf !== null) {
    assert.equal(await fa(pf, 0, 0, 10), -E.ESPIPE);
    fs.closeSync(pf);
  }
  for (const t of [{ buf_index: 1 }, { rw_flags: 1 }, { splice_fd_in: 1 }, { ioprio: 1 }]) {
    assert.equal(await run(ring, (s) => prepFallocate(s, fd, 0, 0, 10), t), -E.EINVAL, JSON.stringify(t));
  }
  for (const f of [fd, ro, dfd]) fs.closeSync(f);
  await ring.close();
});

test('FADVISE checks the fd and advice and is otherwise a no-op', async () => {
  const ring = newRing(8);
  const fd = fs.openSync(tmp('abc'), 'r');
  for (let adv = 0; adv <= F.POSIX_FADV_NOREUSE; adv++) {
    assert.equal(await run(ring, (s) => prepFadvise(s, fd, 0, 100, adv)), 0, `advice ${adv}`);
  }
  assert.equal(await run(ring, (s) => prepFadvise(s, fd, 0, 0, 6)), -E.EINVAL);
  assert.equal(await run(ring, (s) => prepFadvise(s, fd, 0, 0, -1)), -E.EINVAL);
  // 6.7+: a 64-bit length in addr; a negative one is -EINVAL.
  assert.equal(await run(ring, (s) => prepFadvise(s, fd, 0, 0, 0), { addr: 1n << 40n }), 0);
  assert.equal(await run(ring, (s) => prepFadvise(s, fd, 0, 0, 0), { addr: -1n }), -E.EINVAL);
  assert.equal(await run(ring, (s) => prepFadvise(s, 9999, 0, 0, 0)), -E.EBADF);
  assert.equal(await run(ring, (s) => prepFadvise(s, -1, 0, 0, 0)), -E.EBADF);
  const pf = fifo();
  if (pf !== null) {
    assert.equal(await run(ring, (s) => prepFadvise(s, pf, 0, 0, 0)), -E.ESPIPE);
    fs.closeSync(pf);
  }
  for (const t of [{ buf_index: 1 }, { splice_fd_in: 1 }, { ioprio: 1 }]) {
    assert.equal(await run(ring, (s) => prepFadvise(s, fd, 0, 0, 0), t), -E.EINVAL, JSON.stringify(t));
  }
  fs.closeSync(fd);
  await ring.close();
});

test('MADVISE: ranges of the address space accepted; unmapped -ENOMEM; do_madvise -EINVAL cases', async () => {
  const ring = newRing(8);
  const size = ring.mem.size;
  const mad = (addr: number | bigint, len: number, adv: number, tweak: Tweak = {}) =>
    run(ring, (s) => prepMadvise(s, 0, len, adv), { addr, ...tweak });
  assert.equal(await mad(0x10000, 0x2000, F.MADV_WILLNEED), 0);
  assert.equal(await mad(0x10000, 1, F.MADV_DONTNEED), 0);
  assert.equal(await mad(size - 0x1000, 0x1000, F.MADV_NORMAL), 0);
  assert.equal(await mad(0x10000, 0, F.MADV_NORMAL), 0);
  assert.equal(await mad(size - 0x1000, 0x2000, F.MADV_NORMAL), -E.ENOMEM);
  assert.equal(await mad(0, 0x1000, F.MADV_NORMAL), -E.ENOMEM);
  assert.equal(await mad(1n << 40n, 0x1000, F.MADV_NORMAL), -E.ENOMEM);
  assert.equal(await mad(0x10001, 0x1000, F.MADV_NORMAL), -E.EINVAL);
  assert.equal(await mad(0x10000, 0x1000, 5), -E.EINVAL);
  assert.equal(await mad(0x10000, 0x1000, F.MADV_GUARD_INSTALL), -E.EINVAL);
  assert.equal(await mad(0x10000, 0x1000, F.MADV_REMOVE), -E.EINVAL);
  assert.equal(await mad(0x10000, 0x1000, F.MADV_HWPOISON), -E.EPERM);
  // 6.7+: a 64-bit length in off; one that wraps is -EINVAL.
  assert.equal(await mad(0x10000, 0, F.MADV_NORMAL, { off: 1n << 40n }), -E.ENOMEM);
  assert.equal(await mad(0x10000, 0, F.MADV_NORMAL, { off: -1n }), -E.EINVAL);
  assert.equal(await mad(0x10000, 0x1000, 0, { buf_index: 1 }), -E.EINVAL);
  assert.equal(await mad(0x10000, 0x1000, 0, { splice_fd_in: 1 }), -E.EINVAL);
  await ring.close();
});

test('SPLICE and TEE: field checks, fd lookups, then -EOPNOTSUPP; the probe flags the new ops only', async () => {
  const ring = newRing(8);
  const fd = fs.openSync(tmp('x'), 'r');
  const sp = (op: number, out: number, inp: number, tweak: Tweak = {}) =>
    run(ring, (s) => prepRw(op, s, out, 0, 10, 0), { splice_fd_in: inp, ...tweak });
  assert.equal(await sp(U.IORING_OP_SPLICE, fd, fd), -E.EOPNOTSUPP);
  assert.equal(await sp(U.IORING_OP_TEE, fd, fd), -E.EOPNOTSUPP);
  assert.equal(await sp(U.IORING_OP_SPLICE, -1, fd), -E.EBADF);
  assert.equal(await sp(U.IORING_OP_SPLICE, fd, -1), -E.EBADF);
  assert.equal(await sp(U.IORING_OP_SPLICE, fd, 0, { op_flags: U.SPLICE_F_FD_IN_FIXED }), -E.EBADF);
  assert.equal(await sp(U.IORING_OP_SPLICE, fd, fd, { op_flags: 0x10 }), -E.EINVAL);
  assert.equal(await sp(U.IORING_OP_TEE, fd, fd, { off: 1 }), -E.EINVAL);
  fs.closeSync(fd);
  const nr = 64;
  const p = ring.mem.alloc(IO_URING_PROBE.size + nr * IO_URING_PROBE_OP.size);
  assert.equal(ring.register(U.IORING_REGISTER_PROBE, p, nr), 0);
  const flagsOf = (op: number): number =>
    ring.mem.readU16(p + IO_URING_PROBE.size + op * IO_URING_PROBE_OP.size + 2);
  for (const op of [
    U.IORING_OP_FSYNC,
    U.IORING_OP_FALLOCATE,
    U.IORING_OP_OPENAT,
    U.IORING_OP_CLOSE,
    U.IORING_OP_STATX,
    U.IORING_OP_FADVISE,
    U.IORING_OP_MADVISE,
    U.IORING_OP_OPENAT2,
    U.IORING_OP_RENAMEAT,
    U.IORING_OP_UNLINKAT,
  ]) {
    assert.equal(flagsOf(op), U.IO_URING_OP_SUPPORTED, U.IORING_OP_NAMES[op]);
  }
  assert.equal(flagsOf(U.IORING_OP_SPLICE), 0);
  assert.equal(flagsOf(U.IORING_OP_TEE), 0);
  await ring.close();
});
