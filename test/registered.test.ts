/**
 * Registered files and buffers (src/uring/files.ts) and the ops that use them: IOSQE_FIXED_FILE,
 * READ_FIXED, WRITE_FIXED. Expectations are Linux 6.18's:
 * - semantics_probe.expected-6.18.txt T43 (registered files) and T44 (registered buffers);
 * - io_uring/register.c, io_uring/rsrc.c and io_uring/rw.c of 6.18 for the error codes and their
 *   order (io_uring_register(2) fails a NULL arg of REGISTER_FILES/BUFFERS with -EFAULT before
 *   anything else; FILES_UPDATE checks nr, copies the update and checks resv before looking for a
 *   table; an update slot is emptied before its new fd is looked up; READ/WRITE_FIXED import the
 *   registered buffer before the file's mode, rw_flags and offset are checked).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { IoUring } from '../src/liburing/ring.js';
import type { Sqe } from '../src/liburing/sqe.js';
import { EBADF, EBUSY, EFAULT, EINVAL, EMFILE, ENXIO, EOPNOTSUPP, EOVERFLOW } from '../src/uapi/errno.js';
import {
  IO_URING_FILES_UPDATE,
  IORING_MAX_REG_BUFFER,
  IORING_MAX_REG_BUFFERS,
  IORING_REGISTER_FILES_SKIP,
  IOVEC,
} from '../src/uapi/fs.js';
import {
  IORING_OP_READ,
  IORING_OP_READ_FIXED,
  IORING_OP_WRITE,
  IORING_OP_WRITE_FIXED,
  IORING_REGISTER_BUFFERS,
  IORING_REGISTER_FILES,
  IORING_REGISTER_FILES_UPDATE,
  IORING_UNREGISTER_BUFFERS,
  IORING_UNREGISTER_FILES,
  IOSQE_FIXED_FILE,
} from '../src/uapi/io_uring.js';
import { fmtCqe, memStr, newRing, reap, rw, tempFiles } from './helpers.js';

/* ================================================================== local helpers */

const tmp = tempFiles('uring-registered-');

/** A closed fd number (it was open a moment ago). */
function closedFd(): number {
  const { fd } = tmp.open('x');
  fs.closeSync(fd);
  return fd;
}

/** io_uring_prep_read_fixed / write_fixed. */
function rwFixed(
  ring: IoUring,
  op: number,
  fd: number,
  addr: number | bigint,
  len: number,
  off: number | bigint,
  bufIndex: number,
  ud: number,
  flags = 0,
): Sqe {
  return rw(ring, op, fd, addr, len, off, ud, flags).set('buf_index', bufIndex);
}

/** An int array of fds in the ring's memory. */
function fdArray(ring: IoUring, fds: readonly number[]): number {
  const a = ring.mem.alloc(4 * Math.max(1, fds.length));
  fds.forEach((fd, i) => {
    ring.mem.writeI32(a + 4 * i, fd);
  });
  return a;
}

/** An iovec array in the ring's memory. */
function iovecs(ring: IoUring, segs: readonly (readonly [number | bigint, number | bigint])[]): number {
  const a = ring.mem.alloc(Math.max(1, segs.length) * IOVEC.size);
  segs.forEach(([b, l], i) => {
    ring.mem.writeU64(a + i * IOVEC.size, BigInt(b));
    ring.mem.writeU64(a + i * IOVEC.size + 8, BigInt(l));
  });
  return a;
}

/** A struct io_uring_files_update { offset, resv, fds }. */
function filesUpdate(ring: IoUring, offset: number, fds: number | bigint, resv = 0): number {
  const F = IO_URING_FILES_UPDATE.fields;
  const a = ring.mem.alloc(IO_URING_FILES_UPDATE.size);
  ring.mem.writeU32(a + F.offset.offset, offset >>> 0);
  ring.mem.writeU32(a + F.resv.offset, resv >>> 0);
  ring.mem.writeU64(a + F.fds.offset, BigInt(fds));
  return a;
}

const reg = async (ring: IoUring, op: number, arg: number, nr: number): Promise<number> =>
  await ring.register(op, arg, nr);

/** Submit everything queued and reap `n` CQEs, sorted (async completions may come in any order). */
async function run(ring: IoUring, n: number, ms = 2000): Promise<string[]> {
  assert.equal(ring.submit(), n, 'submit ->');
  return (await reap(ring, n, ms)).sort();
}

const sorted = (a: string[]): string[] => [...a].sort();

const DATA = 'registered-file-0123456789-abcdefghijklmnopqrstuvwxyz';

/* ================================================================== T43, T44 */

test('T43 registered files: READ with IOSQE_FIXED_FILE idx=0 (valid), idx=1 (sparse -1), idx=5 (out of range)', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [fd, -1]), 2), 0, 'register_files -> 0');
  const buf = ring.mem.alloc(16);
  for (const fi of [0, 1, 5]) rw(ring, IORING_OP_READ, fi, buf, 16, 0, fi, IOSQE_FIXED_FILE);
  // The kernel prints ud=0 first (its READ completes inline); completion order is not the point here.
  assert.deepEqual(
    await run(ring, 3),
    sorted([
      'cqe ud=0 res=16 flags=0x0',
      'cqe ud=1 res=-9 EBADF flags=0x0',
      'cqe ud=5 res=-9 EBADF flags=0x0',
    ]),
  );
  assert.equal(memStr(ring, buf, 16), DATA.slice(0, 16));
  fs.closeSync(fd);
  await ring.close();
});

test('T44 registered buffers: READ_FIXED buf_index=0 ok, buf_index=3 (out of range), addr outside buffer', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  const rbuf = ring.mem.alloc(4096);
  assert.equal(
    await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[rbuf, 4096]]), 1),
    0,
    'register_buffers -> 0',
  );
  rwFixed(ring, IORING_OP_READ_FIXED, fd, rbuf, 16, 0, 0, 1);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, rbuf, 16, 0, 3, 2);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, rbuf + 4090, 16, 0, 0, 3);
  assert.deepEqual(
    await run(ring, 3),
    sorted([
      'cqe ud=1 res=16 flags=0x0',
      'cqe ud=2 res=-14 EFAULT flags=0x0',
      'cqe ud=3 res=-14 EFAULT flags=0x0',
    ]),
  );
  assert.equal(memStr(ring, rbuf, 16), DATA.slice(0, 16));
  assert.ok(
    ring.mem.readBytes(rbuf + 4090, 6).every((b) => b === 0),
    'the failed READ_FIXED wrote nothing',
  );
  fs.closeSync(fd);
  await ring.close();
});

/* ================================================================== IORING_REGISTER_FILES */

test('REGISTER_FILES with sparse -1 slots: only the filled slot reads; the others are -EBADF', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [-1, fd, -1]), 3), 0);
  const b = ring.mem.alloc(64);
  for (const idx of [0, 1, 2, 3])
    rw(ring, IORING_OP_READ, idx, b + 16 * idx, 10, 5, 10 + idx, IOSQE_FIXED_FILE);
  assert.deepEqual(
    await run(ring, 4),
    sorted([fmtCqe(10, -EBADF, 0), fmtCqe(11, 10, 0), fmtCqe(12, -EBADF, 0), fmtCqe(13, -EBADF, 0)]),
  );
  assert.equal(memStr(ring, b + 16, 10), DATA.slice(5, 15));
  fs.closeSync(fd);
  await ring.close();
});

test('IOSQE_FIXED_FILE indexes the table, not the fd table: fd numbers that are open but not indexes fail -EBADF', async () => {
  const ring = newRing(8);
  const a = tmp.open('AAAA', 'r');
  const b = tmp.open('BBBB', 'r');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [b.fd, a.fd]), 2), 0);
  const m = ring.mem.alloc(16);
  rw(ring, IORING_OP_READ, 0, m, 4, 0, 1, IOSQE_FIXED_FILE); // slot 0 = b
  rw(ring, IORING_OP_READ, 1, m + 8, 4, 0, 2, IOSQE_FIXED_FILE); // slot 1 = a
  rw(ring, IORING_OP_READ, a.fd, m, 4, 0, 3, IOSQE_FIXED_FILE); // an fd number far past the table
  rw(ring, IORING_OP_READ, -1, m, 4, 0, 4, IOSQE_FIXED_FILE);
  assert.deepEqual(
    await run(ring, 4),
    sorted([fmtCqe(1, 4, 0), fmtCqe(2, 4, 0), fmtCqe(3, -EBADF, 0), fmtCqe(4, -EBADF, 0)]),
  );
  assert.equal(memStr(ring, m, 4) + memStr(ring, m + 8, 4), 'BBBBAAAA');
  fs.closeSync(a.fd);
  fs.closeSync(b.fd);
  await ring.close();
});

test('REGISTER_FILES errors: -EBUSY when registered, -EINVAL for nr 0, -EBADF for a closed or negative fd, -EFAULT for a bad array', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  const dead = closedFd();
  const size = ring.mem.size;
  // Nothing registered yet.
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [fd]), 0), -EINVAL, 'nr 0');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [fd, dead]), 2), -EBADF, 'closed fd');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [-2]), 1), -EBADF, 'fd -2');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, size - 4, 2), -EFAULT, 'array spanning the end');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, size, 1), -EFAULT, 'array past the end');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, 0, 1), -EFAULT, 'array NULL');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, 0x10, 1), -EFAULT, 'array in the NULL page');
  // None of the failures left a table behind: a READ through slot 0 fails, and registering works.
  const b = ring.mem.alloc(16);
  rw(ring, IORING_OP_READ, 0, b, 4, 0, 1, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 1), [fmtCqe(1, -EBADF, 0)]);
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [fd]), 1), 0);
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [fd]), 1), -EBUSY, 'second register');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [-1]), 1), -EBUSY, 'even a sparse one');
  fs.closeSync(fd);
  await ring.close();
});

test('REGISTER_FILES with a NULL array is -EFAULT before any other check (register.c: "if (!arg) break")', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, 0, 0), -EFAULT, 'NULL, nr 0');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, 0, 40000), -EFAULT, 'NULL, nr above the limit');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [fd]), 1), 0);
  assert.equal(await reg(ring, IORING_REGISTER_FILES, 0, 1), -EFAULT, 'NULL with a table registered');
  fs.closeSync(fd);
  await ring.close();
});

test("REGISTER_FILES above the file limit -> -EMFILE (32769 slots; 2^20 + 1 slots, above 6.18's IORING_MAX_FIXED_FILES)", async () => {
  const ring = newRing(8);
  const big = ring.mem.alloc(4 * 32769);
  ring.mem.fill(big, 0xff, 4 * 32769); // all -1: a valid sparse table if the size were allowed
  assert.equal(await reg(ring, IORING_REGISTER_FILES, big, 32769), -EMFILE);
  assert.equal(await reg(ring, IORING_REGISTER_FILES, big, (1 << 20) + 1), -EMFILE);
  assert.equal(await reg(ring, IORING_REGISTER_FILES, big, 0xffffffff), -EMFILE);
  assert.equal(await reg(ring, IORING_REGISTER_FILES, big, 8), 0, 'a small sparse table is fine');
  await ring.close();
});

test('a registered file stays usable after its fd is closed and the number reused (the table holds the file, not the number)', async () => {
  const ring = newRing(8);
  const a = tmp.open('first-file', 'r');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [a.fd]), 1), 0);
  fs.closeSync(a.fd);
  const b = tmp.open('other-file', 'r'); // very likely reuses a.fd's number
  const m = ring.mem.alloc(16);
  rw(ring, IORING_OP_READ, 0, m, 10, 0, 1, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 1), [fmtCqe(1, 10, 0)]);
  assert.equal(memStr(ring, m, 10), 'first-file');
  fs.closeSync(b.fd);
  await ring.close();
});

/* ================================================================== IORING_REGISTER_FILES_UPDATE */

test('FILES_UPDATE replaces slots at an offset and returns how many it updated; SKIP keeps a slot, -1 empties it', async () => {
  const ring = newRing(8);
  const a = tmp.open('AAAAAAAA', 'r');
  const b = tmp.open('BBBBBBBB', 'r');
  const c = tmp.open('CCCCCCCC', 'r');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [a.fd, -1, a.fd]), 3), 0);
  // slot 1 <- b, slot 2 <- c
  assert.equal(
    await reg(ring, IORING_REGISTER_FILES_UPDATE, filesUpdate(ring, 1, fdArray(ring, [b.fd, c.fd])), 2),
    2,
  );
  // slot 0 kept (SKIP), slot 1 emptied (-1)
  assert.equal(
    await reg(
      ring,
      IORING_REGISTER_FILES_UPDATE,
      filesUpdate(ring, 0, fdArray(ring, [IORING_REGISTER_FILES_SKIP, -1])),
      2,
    ),
    2,
  );
  const m = ring.mem.alloc(32);
  for (const idx of [0, 1, 2]) rw(ring, IORING_OP_READ, idx, m + 8 * idx, 4, 0, idx + 1, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 3), sorted([fmtCqe(1, 4, 0), fmtCqe(2, -EBADF, 0), fmtCqe(3, 4, 0)]));
  assert.equal(memStr(ring, m, 4), 'AAAA');
  assert.equal(memStr(ring, m + 16, 4), 'CCCC');
  for (const f of [a, b, c]) fs.closeSync(f.fd);
  await ring.close();
});

test('FILES_UPDATE errors with a table: -EINVAL past the end, for resv != 0 and for nr 0; -EFAULT for bad pointers; -EOVERFLOW', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [fd, fd]), 2), 0);
  const fds2 = fdArray(ring, [fd, fd]);
  const cases: [string, number, number, number][] = [
    ['offset 1 + nr 2 past the end (2 slots)', filesUpdate(ring, 1, fds2), 2, -EINVAL],
    ['offset 2 (== size), nr 1', filesUpdate(ring, 2, fds2), 1, -EINVAL],
    ['resv != 0', filesUpdate(ring, 0, fds2, 1), 1, -EINVAL],
    ['nr 0', filesUpdate(ring, 0, fds2), 0, -EINVAL],
    ['update struct NULL', 0, 1, -EFAULT],
    ['update struct past the end of memory', ring.mem.size, 1, -EFAULT],
    ['fds NULL', filesUpdate(ring, 0, 0), 1, -EFAULT],
    ['fds above 4 GiB', filesUpdate(ring, 0, 0x1_0000_1000n), 1, -EFAULT],
    ['offset + nr overflows u32', filesUpdate(ring, 0xffffffff, fds2), 2, -EOVERFLOW],
  ];
  for (const [what, arg, nr, want] of cases) {
    assert.equal(await reg(ring, IORING_REGISTER_FILES_UPDATE, arg, nr), want, what);
  }
  // None of them changed the table.
  const m = ring.mem.alloc(16);
  rw(ring, IORING_OP_READ, 0, m, 4, 0, 1, IOSQE_FIXED_FILE);
  rw(ring, IORING_OP_READ, 1, m + 8, 4, 0, 2, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 2), [fmtCqe(1, 4, 0), fmtCqe(2, 4, 0)]);
  fs.closeSync(fd);
  await ring.close();
});

test('FILES_UPDATE without a table -> -ENXIO', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  assert.equal(
    await reg(ring, IORING_REGISTER_FILES_UPDATE, filesUpdate(ring, 0, fdArray(ring, [fd])), 1),
    -ENXIO,
  );
  fs.closeSync(fd);
  await ring.close();
});

/** 6.18 io_register_files_update: nr, the copy of the update and resv come before __io_sqe_files_update's table check. */
const UPDATE_BEFORE_TABLE: readonly [string, (ring: IoUring, fds: number) => number, number, number][] = [
  ['nr 0', (ring, fds) => filesUpdate(ring, 0, fds), 0, -EINVAL],
  ['update struct NULL', () => 0, 1, -EFAULT],
  ['resv != 0', (ring, fds) => filesUpdate(ring, 0, fds, 7), 1, -EINVAL],
  ['offset + nr overflowing u32', (ring, fds) => filesUpdate(ring, 0xffffffff, fds), 2, -EOVERFLOW],
];
for (const [what, arg, nr, want] of UPDATE_BEFORE_TABLE) {
  test(`FILES_UPDATE without a table, ${what}: ${want} (checked before the table lookup's -ENXIO)`, async () => {
    const ring = newRing(8);
    const { fd } = tmp.open(DATA, 'r');
    const fds = fdArray(ring, [fd, fd]);
    assert.equal(await reg(ring, IORING_REGISTER_FILES_UPDATE, arg(ring, fds), nr), want);
    fs.closeSync(fd);
    await ring.close();
  });
}

test('FILES_UPDATE stopping at a bad fd returns the count done so far (or -EBADF when none)', async () => {
  const ring = newRing(8);
  const a = tmp.open('AAAA', 'r');
  const b = tmp.open('BBBB', 'r');
  // Not closedFd(): registering opens files of its own, which may take a freed number.
  const dead = 99999;
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [a.fd, a.fd, a.fd]), 3), 0);
  assert.equal(
    await reg(ring, IORING_REGISTER_FILES_UPDATE, filesUpdate(ring, 0, fdArray(ring, [b.fd, dead])), 2),
    1,
    'one slot updated before the bad fd',
  );
  assert.equal(
    await reg(ring, IORING_REGISTER_FILES_UPDATE, filesUpdate(ring, 2, fdArray(ring, [dead])), 1),
    -EBADF,
    'nothing updated',
  );
  const m = ring.mem.alloc(8);
  rw(ring, IORING_OP_READ, 0, m, 4, 0, 1, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 1), [fmtCqe(1, 4, 0)]);
  assert.equal(memStr(ring, m, 4), 'BBBB', 'slot 0 was updated');
  for (const f of [a, b]) fs.closeSync(f.fd);
  await ring.close();
});

test('FILES_UPDATE empties a slot before looking up its new fd: a failed slot is left empty (-EBADF), not as it was', async () => {
  const ring = newRing(8);
  const a = tmp.open('AAAA', 'r');
  const b = tmp.open('BBBB', 'r');
  // Not closedFd(): registering opens files of its own, which may take a freed number.
  const dead = 99999;
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [a.fd, a.fd]), 2), 0);
  assert.equal(
    await reg(ring, IORING_REGISTER_FILES_UPDATE, filesUpdate(ring, 0, fdArray(ring, [b.fd, dead])), 2),
    1,
  );
  const m = ring.mem.alloc(8);
  rw(ring, IORING_OP_READ, 1, m, 4, 0, 2, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 1), [fmtCqe(2, -EBADF, 0)]);
  for (const f of [a, b]) fs.closeSync(f.fd);
  await ring.close();
});

/* ================================================================== IORING_UNREGISTER_FILES */

test('UNREGISTER_FILES: 0, then -ENXIO; -EINVAL with an arg or nr; slots are gone and a new table can be registered', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  assert.equal(await reg(ring, IORING_UNREGISTER_FILES, 0, 0), -ENXIO, 'nothing registered');
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [fd]), 1), 0);
  assert.equal(await reg(ring, IORING_UNREGISTER_FILES, fdArray(ring, [fd]), 0), -EINVAL, 'with an arg');
  assert.equal(await reg(ring, IORING_UNREGISTER_FILES, 0, 1), -EINVAL, 'with nr');
  assert.equal(await reg(ring, IORING_UNREGISTER_FILES, 0, 0), 0);
  assert.equal(await reg(ring, IORING_UNREGISTER_FILES, 0, 0), -ENXIO, 'twice');
  const m = ring.mem.alloc(8);
  rw(ring, IORING_OP_READ, 0, m, 4, 0, 1, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 1), [fmtCqe(1, -EBADF, 0)]);
  assert.equal(
    await reg(ring, IORING_REGISTER_FILES_UPDATE, filesUpdate(ring, 0, fdArray(ring, [fd])), 1),
    -ENXIO,
  );
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [-1, fd]), 2), 0, 're-register');
  rw(ring, IORING_OP_READ, 1, m, 4, 0, 2, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 1), [fmtCqe(2, 4, 0)]);
  fs.closeSync(fd);
  await ring.close();
});

/* ================================================================== IORING_REGISTER_BUFFERS */

test('REGISTER_BUFFERS takes an iovec array; a {NULL, 0} entry is an empty slot that READ_FIXED cannot use', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  const b0 = ring.mem.alloc(64);
  const b2 = ring.mem.alloc(64);
  assert.equal(
    await reg(
      ring,
      IORING_REGISTER_BUFFERS,
      iovecs(ring, [
        [b0, 64],
        [0, 0],
        [b2, 64],
      ]),
      3,
    ),
    0,
  );
  rwFixed(ring, IORING_OP_READ_FIXED, fd, b0 + 8, 16, 0, 0, 1);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, b2, 16, 0, 1, 2); // sparse slot
  rwFixed(ring, IORING_OP_READ_FIXED, fd, b2, 20, 4, 2, 3);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, b0, 16, 0, 2, 4); // b0 is not inside buffer 2
  assert.deepEqual(
    await run(ring, 4),
    sorted([fmtCqe(1, 16, 0), fmtCqe(2, -EFAULT, 0), fmtCqe(3, 20, 0), fmtCqe(4, -EFAULT, 0)]),
  );
  assert.equal(memStr(ring, b0 + 8, 16), DATA.slice(0, 16));
  assert.equal(memStr(ring, b2, 20), DATA.slice(4, 24));
  fs.closeSync(fd);
  await ring.close();
});

test('REGISTER_BUFFERS errors: -EFAULT for a bad iovec, -EINVAL for nr 0 or > 16384, -EBUSY when registered', async () => {
  const ring = newRing(8);
  const size = ring.mem.size;
  const ok = ring.mem.alloc(4096);
  const cases: [string, number, number, number][] = [
    ['len 0 with a base', iovecs(ring, [[ok, 0]]), 1, -EFAULT],
    ['NULL base with a length', iovecs(ring, [[0, 16]]), 1, -EFAULT],
    ['base past the end of memory', iovecs(ring, [[size, 16]]), 1, -EFAULT],
    ['base + len spanning the end of memory', iovecs(ring, [[size - 8, 16]]), 1, -EFAULT],
    ['base above 4 GiB', iovecs(ring, [[0x1_0000_1000n, 16]]), 1, -EFAULT],
    ['len 1 GiB + 1', iovecs(ring, [[ok, IORING_MAX_REG_BUFFER + 1]]), 1, -EFAULT],
    [
      'a good entry then a bad one',
      iovecs(ring, [
        [ok, 64],
        [size, 16],
      ]),
      2,
      -EFAULT,
    ],
    ['iovec array spanning the end of memory', size - IOVEC.size, 2, -EFAULT],
    ['iovec array NULL', 0, 1, -EFAULT],
    ['nr 0', iovecs(ring, [[ok, 64]]), 0, -EINVAL],
    ['nr 16385', iovecs(ring, [[ok, 64]]), IORING_MAX_REG_BUFFERS + 1, -EINVAL],
  ];
  for (const [what, arg, nr, want] of cases) {
    assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, arg, nr), want, what);
  }
  // No failure left buffers registered.
  assert.equal(await reg(ring, IORING_UNREGISTER_BUFFERS, 0, 0), -ENXIO);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[ok, 4096]]), 1), 0);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[ok, 4096]]), 1), -EBUSY);
  await ring.close();
});

test('REGISTER_BUFFERS: an iov_len that does not fit ssize_t -> -EINVAL (iovec_from_user), not -EFAULT', async () => {
  const ring = newRing(8);
  const ok = ring.mem.alloc(64);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[ok, 2n ** 63n]]), 1), -EINVAL);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[ok, 2n ** 64n - 1n]]), 1), -EINVAL);
  await ring.close();
});

test('REGISTER_BUFFERS with a NULL array is -EFAULT before nr and -EBUSY are checked (register.c)', async () => {
  const ring = newRing(8);
  const ok = ring.mem.alloc(64);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, 0, 0), -EFAULT, 'NULL, nr 0');
  assert.equal(
    await reg(ring, IORING_REGISTER_BUFFERS, 0, IORING_MAX_REG_BUFFERS + 1),
    -EFAULT,
    'NULL, nr too big',
  );
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[ok, 64]]), 1), 0);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, 0, 1), -EFAULT, 'NULL with buffers registered');
  await ring.close();
});

/* ================================================================== READ_FIXED / WRITE_FIXED */

test('WRITE_FIXED writes from a registered buffer; READ_FIXED reads into any range inside one', async () => {
  const ring = newRing(8);
  const { fd, path } = tmp.open('');
  const buf = ring.mem.alloc(4096);
  ring.mem.writeBytes(buf, new Uint8Array(Buffer.from(DATA, 'latin1')));
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[buf, 4096]]), 1), 0);
  rwFixed(ring, IORING_OP_WRITE_FIXED, fd, buf, DATA.length, 100, 0, 1);
  assert.deepEqual(await run(ring, 1), [fmtCqe(1, DATA.length, 0)]);
  const file = fs.readFileSync(path, 'latin1');
  assert.equal(file.length, 100 + DATA.length);
  assert.equal(file.slice(100), DATA);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf + 4096 - 10, 10, 100, 0, 2); // exactly to the end
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf + 4096, 0, 100, 0, 3); // 0 bytes at the end
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf + 2000, 4096, 0, 0, 4); // spans the end
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf - 1, 10, 0, 0, 5); // starts below
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf, 10, 0, 0xffff, 6); // buf_index far out
  rwFixed(ring, IORING_OP_WRITE_FIXED, fd, buf + 4090, 16, 0, 0, 7); // spans the end
  rwFixed(ring, IORING_OP_READ_FIXED, fd, 0x1_0000_0000n + BigInt(buf), 10, 0, 0, 8); // high half set
  assert.deepEqual(
    await run(ring, 7),
    sorted([
      fmtCqe(2, 10, 0),
      fmtCqe(3, 0, 0),
      fmtCqe(4, -EFAULT, 0),
      fmtCqe(5, -EFAULT, 0),
      fmtCqe(6, -EFAULT, 0),
      fmtCqe(7, -EFAULT, 0),
      fmtCqe(8, -EFAULT, 0),
    ]),
  );
  assert.equal(memStr(ring, buf + 4086, 10), DATA.slice(0, 10));
  assert.equal(fs.readFileSync(path, 'latin1'), file, 'the failed WRITE_FIXED wrote nothing');
  fs.closeSync(fd);
  await ring.close();
});

test('READ_FIXED/WRITE_FIXED with no buffers registered -> -EFAULT; with IOSQE_FIXED_FILE both tables apply', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  const buf = ring.mem.alloc(64);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf, 16, 0, 0, 1);
  rwFixed(ring, IORING_OP_WRITE_FIXED, fd, buf, 16, 0, 0, 2);
  assert.deepEqual(await run(ring, 2), [fmtCqe(1, -EFAULT, 0), fmtCqe(2, -EFAULT, 0)]);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[buf, 64]]), 1), 0);
  assert.equal(await reg(ring, IORING_REGISTER_FILES, fdArray(ring, [-1, fd]), 2), 0);
  rwFixed(ring, IORING_OP_READ_FIXED, 1, buf, 16, 3, 0, 3, IOSQE_FIXED_FILE);
  rwFixed(ring, IORING_OP_READ_FIXED, 0, buf, 16, 3, 0, 4, IOSQE_FIXED_FILE);
  assert.deepEqual(await run(ring, 2), sorted([fmtCqe(3, 16, 0), fmtCqe(4, -EBADF, 0)]));
  assert.equal(memStr(ring, buf, 16), DATA.slice(3, 19));
  fs.closeSync(fd);
  await ring.close();
});

test('READ_FIXED imports its buffer before rw_flags and the offset are checked (6.18 io_read_fixed): a bad buf_index wins', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  const buf = ring.mem.alloc(64);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iovecs(ring, [[buf, 64]]), 1), 0);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf, 16, 2n ** 63n, 5, 1);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf, 16, 0, 5, 2).set('rw_flags', 0x100);
  // With a good buffer the later checks do apply.
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf, 16, 2n ** 63n, 0, 3);
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf, 16, 0, 0, 4).set('rw_flags', 0x100);
  assert.deepEqual(
    await run(ring, 4),
    sorted([fmtCqe(1, -EFAULT, 0), fmtCqe(2, -EFAULT, 0), fmtCqe(3, -EINVAL, 0), fmtCqe(4, -EOPNOTSUPP, 0)]),
  );
  fs.closeSync(fd);
  await ring.close();
});

test('UNREGISTER_BUFFERS: 0, then READ_FIXED -> -EFAULT; twice -> -ENXIO; -EINVAL with an arg; buffers can be registered again', async () => {
  const ring = newRing(8);
  const { fd } = tmp.open(DATA, 'r');
  const buf = ring.mem.alloc(64);
  const iov = iovecs(ring, [[buf, 64]]);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iov, 1), 0);
  assert.equal(await reg(ring, IORING_UNREGISTER_BUFFERS, iov, 0), -EINVAL, 'with an arg');
  assert.equal(await reg(ring, IORING_UNREGISTER_BUFFERS, 0, 1), -EINVAL, 'with nr');
  assert.equal(await reg(ring, IORING_UNREGISTER_BUFFERS, 0, 0), 0);
  assert.equal(await reg(ring, IORING_UNREGISTER_BUFFERS, 0, 0), -ENXIO, 'twice');
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf, 16, 0, 0, 1);
  assert.deepEqual(await run(ring, 1), [fmtCqe(1, -EFAULT, 0)]);
  assert.equal(await reg(ring, IORING_REGISTER_BUFFERS, iov, 1), 0, 're-register');
  rwFixed(ring, IORING_OP_READ_FIXED, fd, buf, 16, 0, 0, 2);
  assert.deepEqual(await run(ring, 1), [fmtCqe(2, 16, 0)]);
  // Plain READ/WRITE ignore the registered buffers and buf_index.
  rw(ring, IORING_OP_WRITE, fd, buf, 4, 0, 3).set('buf_index', 9);
  assert.deepEqual(await run(ring, 1), [fmtCqe(3, -EBADF, 0)], 'WRITE on a read-only fd');
  fs.closeSync(fd);
  await ring.close();
});
