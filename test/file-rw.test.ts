/**
 * READ, WRITE, READV, WRITEV on real files and pipes (src/uring/ops/rw.ts over the Node fs backend),
 * checked byte for byte and against Linux 6.18:
 * - semantics_probe.expected-6.18.txt T05 (ud 2, 5, 8), T07, T08, T09 with the real READ; T13 once
 *   FSYNC exists (pending until then);
 * - extra_probe.expected-6.18.txt X23c (a short READ on a pipe breaks its chain);
 * - the kernel's rw code (io_uring/rw.c, lib/iov_iter.c, fs/read_write.c of 6.18) for cases the
 *   probes do not print: the iovec array and a READ/WRITE buffer's range are imported at prep (so a
 *   bad one fails init before the fd is even looked up, and stops the submission like any init
 *   failure), rw_flags are checked by kiocb_set_rw_flags at issue, offsets by rw_verify_area.
 * Files live in a fresh directory under os.tmpdir(), removed at the end.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { prepNop } from '../src/liburing/prep.js';
import type { IoUring } from '../src/liburing/ring.js';
import type { Sqe } from '../src/liburing/sqe.js';
import {
  EAGAIN,
  EBADF,
  ECANCELED,
  EFAULT,
  EFBIG,
  EINVAL,
  EISDIR,
  EOPNOTSUPP,
  EOVERFLOW,
} from '../src/uapi/errno.js';
import { IOVEC, RWF_APPEND, RWF_DSYNC, RWF_HIPRI, RWF_NOWAIT, UIO_MAXIOV } from '../src/uapi/fs.js';
import {
  IORING_OP_FSYNC,
  IORING_OP_READ,
  IORING_OP_READ_FIXED,
  IORING_OP_READV,
  IORING_OP_WRITE,
  IORING_OP_WRITE_FIXED,
  IORING_OP_WRITEV,
  IORING_REGISTER_BUFFERS,
  IORING_REGISTER_FILES,
  IOSQE_ASYNC,
  IOSQE_FIXED_FILE,
  IOSQE_IO_HARDLINK,
  IOSQE_IO_LINK,
} from '../src/uapi/io_uring.js';
import { opSupported } from '../src/uring/ops/index.js';
import { fmtCqe, memStr, newRing, reap, rw, sqe, tempFiles, xorshift32 } from './helpers.js';
import { ltimeout } from './probe-common.js';

const LINK = IOSQE_IO_LINK;
/** sqe->off = -1 (u64 all ones): "use and advance the file position". */
const CUR_POS = 0xffff_ffff_ffff_ffffn;
const RWF_NOAPPEND = 0x20;
const BLOCK_HEAD = 64 * 1024;

/* ================================================================== local helpers */

const tmp = tempFiles('uring-file-rw-');

/** A FIFO in the temp dir: `r` is its O_RDWR (blocking, never waits for a partner) read end,
 * `w` a non-blocking write end, `peek` a non-blocking read end for checking what is in the pipe. */
function fifo(): { r: number; w: number; peek: number; close: () => void } {
  const path = tmp.path('fifo');
  execFileSync('mkfifo', [path]);
  const r = fs.openSync(path, fs.constants.O_RDWR);
  const w = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  const peek = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return {
    r,
    w,
    peek,
    close: () => {
      for (const fd of [r, w, peek]) fs.closeSync(fd);
    },
  };
}

/** Whatever is buffered in a pipe, read without blocking through a non-blocking fd. */
function pipeContents(fd: number): string {
  const b = Buffer.alloc(4096);
  try {
    return b.subarray(0, fs.readSync(fd, b, 0, b.length, null)).toString('latin1');
  } catch (e) {
    if ((e as { code?: string }).code === 'EAGAIN') return '';
    throw e;
  }
}

function nop(ring: IoUring, ud: number, flags = 0): Sqe {
  return prepNop(sqe(ring)).setUserData(ud).setFlags(flags);
}

/** An iovec array of `segs` ([base, len]) in the ring's memory; returns its address. */
function iovecs(ring: IoUring, segs: readonly (readonly [number | bigint, number | bigint])[]): number {
  const a = ring.mem.alloc(Math.max(1, segs.length) * IOVEC.size);
  segs.forEach(([b, l], i) => {
    ring.mem.writeU64(a + i * IOVEC.size, BigInt(b));
    ring.mem.writeU64(a + i * IOVEC.size + 8, BigInt(l));
  });
  return a;
}

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** Submit until the SQ is empty (an init failure ends a submission early, T03). */
function submitAll(ring: IoUring): void {
  for (let i = 0; ring.sqReady() > 0; i++) {
    if (i > 1000) throw new Error('the kernel side stopped consuming SQEs');
    ring.submit();
  }
}

/** Submit everything queued, expect `submitted`, and reap `n` CQEs sorted by user_data. */
async function run(ring: IoUring, submitted: number, n: number, ms = 2000): Promise<string[]> {
  assert.equal(ring.submit(), submitted, 'submit ->');
  return reap(ring, n, ms);
}

/** The 150-byte file of T06/T09, with distinct bytes so that offsets show. */
const FILE150 = Array.from({ length: 150 }, (_, i) => String.fromCharCode(0x21 + (i % 90))).join('');

/* ================================================================== byte-exact I/O */

test('WRITE / WRITEV / READ / READV on a regular file: counts and bytes as pwrite(2)/preadv(2) (T06 values)', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open('');
  const data = ring.mem.alloc(100);
  ring.mem.writeBytes(data, bytes(FILE150.slice(0, 100)));
  const tail = ring.mem.alloc(50);
  ring.mem.writeBytes(tail, bytes(FILE150.slice(100)));
  // T06: WRITE 100 at 0 (L) -> WRITEV {30, 20} at 100.
  rw(ring, IORING_OP_WRITE, fd, data, 100, 0, 2, LINK);
  rw(
    ring,
    IORING_OP_WRITEV,
    fd,
    iovecs(ring, [
      [tail, 30],
      [tail + 30, 20],
    ]),
    2,
    100,
    3,
  );
  assert.deepEqual(await run(ring, 2, 2), [fmtCqe(2, 100, 0), fmtCqe(3, 50, 0)]);
  assert.equal(fs.readFileSync(path).toString('latin1'), FILE150);

  const rb = ring.mem.alloc(4096);
  ring.mem.fill(rb, 0xee, 4096);
  const v1 = ring.mem.alloc(10);
  const v2 = ring.mem.alloc(20);
  ring.mem.fill(v2, 0xee, 20);
  rw(ring, IORING_OP_READ, fd, rb, 4096, 0, 6); // short: 150
  rw(ring, IORING_OP_READ, fd, rb + 2048, 4096 - 2048, 150, 7); // at EOF: 0
  rw(ring, IORING_OP_READ, fd, rb + 2048, 4096 - 2048, 1000, 8); // past EOF: 0
  rw(
    ring,
    IORING_OP_READV,
    fd,
    iovecs(ring, [
      [v1, 10],
      [v2, 20],
    ]),
    2,
    140,
    9,
  ); // 10
  const got = (await run(ring, 4, 4)).sort();
  assert.deepEqual(got, [fmtCqe(6, 150, 0), fmtCqe(7, 0, 0), fmtCqe(8, 0, 0), fmtCqe(9, 10, 0)].sort());
  assert.equal(memStr(ring, rb, 150), FILE150);
  assert.ok(
    ring.mem.readBytes(rb + 150, 2048 - 150).every((b) => b === 0xee),
    'a short READ writes nothing past the count',
  );
  assert.equal(memStr(ring, v1, 10), FILE150.slice(140));
  assert.ok(
    ring.mem.readBytes(v2, 20).every((b) => b === 0xee),
    'the READV segment past EOF is untouched',
  );
  fs.closeSync(fd);
  await ring.close();
});

test('WRITE at an offset past EOF leaves a hole of zeros; READ at random offsets returns exactly those bytes', async () => {
  const ring = newRing(32);
  const { fd, path } = tmp.open('');
  const src = ring.mem.alloc(4096);
  const next = xorshift32(0xf11e);
  const pattern = new Uint8Array(4096).map(() => (next() & 0xff) | 1);
  ring.mem.writeBytes(src, pattern);
  rw(ring, IORING_OP_WRITE, fd, src, 4096, 8192 + 7, 1);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(1, 4096, 0)]);
  const file = fs.readFileSync(path);
  assert.equal(file.length, 8192 + 7 + 4096);
  assert.ok(file.subarray(0, 8192 + 7).every((b) => b === 0));
  assert.deepEqual(new Uint8Array(file.subarray(8192 + 7)), pattern);

  const dst = ring.mem.alloc(16 * 300);
  const want: [number, number, number][] = [];
  for (let i = 0; i < 16; i++) {
    const off = next() % file.length;
    const len = 1 + (next() % 300);
    want.push([i, off, len]);
    rw(ring, IORING_OP_READ, fd, dst + 300 * i, len, off, 100 + i);
  }
  const lines = await run(ring, 16, 16);
  for (const [i, off, len] of want) {
    const n = Math.min(len, file.length - off);
    assert.ok(lines.includes(fmtCqe(100 + i, n, 0)), `READ ${i} at ${off} len ${len}: ${lines}`);
    assert.deepEqual(ring.mem.readBytes(dst + 300 * i, n), new Uint8Array(file.subarray(off, off + n)));
  }
  fs.closeSync(fd);
  await ring.close();
});

test('off = -1 reads and writes at the file position and advances it, like read(2)/write(2); explicit offsets leave it', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open('0123456789abcdef');
  const b = ring.mem.alloc(64);
  const peek = Buffer.alloc(2);
  // READ 4 at the position (0): "0123", position 4.
  rw(ring, IORING_OP_READ, fd, b, 4, CUR_POS, 1);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(1, 4, 0)]);
  assert.equal(memStr(ring, b, 4), '0123');
  assert.equal(fs.readSync(fd, peek, 0, 2, null), 2);
  assert.equal(peek.toString(), '45', 'read(2) after the READ continues at 4');
  // An explicit offset neither uses nor moves the position.
  rw(ring, IORING_OP_READ, fd, b, 2, 0, 2);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(2, 2, 0)]);
  // READV {3, 2} at the position (6): "678" "9a", position 11.
  const v = ring.mem.alloc(8);
  rw(
    ring,
    IORING_OP_READV,
    fd,
    iovecs(ring, [
      [v, 3],
      [v + 4, 2],
    ]),
    2,
    CUR_POS,
    3,
  );
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(3, 5, 0)]);
  assert.equal(memStr(ring, v, 3) + memStr(ring, v + 4, 2), '6789a');
  // WRITE "XY" at the position (11), position 13.
  ring.mem.writeBytes(b, bytes('XY'));
  rw(ring, IORING_OP_WRITE, fd, b, 2, CUR_POS, 4);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(4, 2, 0)]);
  assert.equal(fs.readFileSync(path, 'latin1'), '0123456789aXYdef');
  assert.equal(fs.readSync(fd, peek, 0, 1, null), 1);
  assert.equal(peek.subarray(0, 1).toString(), 'd', 'read(2) after the WRITE continues at 13');
  // WRITEV at the position (14) extends the file; then two linked READs at the position run in order.
  ring.mem.writeBytes(b, bytes('PQRS'));
  rw(
    ring,
    IORING_OP_WRITEV,
    fd,
    iovecs(ring, [
      [b, 2],
      [b + 2, 2],
    ]),
    2,
    CUR_POS,
    5,
  );
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(5, 4, 0)]);
  assert.equal(fs.readFileSync(path, 'latin1'), '0123456789aXYdPQRS');
  const r1 = ring.mem.alloc(8);
  const r2 = ring.mem.alloc(8);
  // A second open file description starts at position 0.
  const fd2 = fs.openSync(path, 'r');
  rw(ring, IORING_OP_READ, fd2, r1, 5, CUR_POS, 6, LINK);
  rw(ring, IORING_OP_READ, fd2, r2, 5, CUR_POS, 7);
  assert.deepEqual(await run(ring, 2, 2), [fmtCqe(6, 5, 0), fmtCqe(7, 5, 0)]);
  assert.equal(memStr(ring, r1, 5) + memStr(ring, r2, 5), '0123456789');
  fs.closeSync(fd2);
  fs.closeSync(fd);
  await ring.close();
});

/* ================================================================== links and probe scenarios */

test('T09 short read breaks a link: READ 4096 of a 150-byte file (L) -> NOP', async () => {
  const ring = newRing(16);
  const { fd } = tmp.open(FILE150, 'r');
  const buf = ring.mem.alloc(4096);
  rw(ring, IORING_OP_READ, fd, buf, 4096, 0, 1, LINK);
  nop(ring, 2);
  assert.deepEqual(await run(ring, 2, 2), [
    'cqe ud=1 res=150 flags=0x0',
    'cqe ud=2 res=-125 ECANCELED flags=0x0',
  ]);
  fs.closeSync(fd);
  await ring.close();
});

test('a short READV and a short WRITE-less chain: READV past EOF (L) -> WRITE is cancelled, its bytes never land', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open(FILE150);
  const v = ring.mem.alloc(200);
  const w = ring.mem.alloc(8);
  ring.mem.writeBytes(w, bytes('ZZZZ'));
  rw(
    ring,
    IORING_OP_READV,
    fd,
    iovecs(ring, [
      [v, 100],
      [v + 100, 100],
    ]),
    2,
    0,
    1,
    LINK,
  );
  rw(ring, IORING_OP_WRITE, fd, w, 4, 0, 2);
  assert.deepEqual(await run(ring, 2, 2), [fmtCqe(1, 150, 0), fmtCqe(2, -ECANCELED, 0)]);
  assert.equal(fs.readFileSync(path, 'latin1'), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('a short read with IOSQE_IO_HARDLINK does not break the chain (T08 with a real short READ)', async () => {
  const ring = newRing(16);
  const { fd } = tmp.open(FILE150, 'r');
  const buf = ring.mem.alloc(4096);
  rw(ring, IORING_OP_READ, fd, buf, 4096, 0, 1, IOSQE_IO_HARDLINK);
  nop(ring, 2, LINK);
  nop(ring, 3);
  assert.deepEqual(await run(ring, 3, 3), [fmtCqe(1, 150, 0), fmtCqe(2, 0, 0), fmtCqe(3, 0, 0)]);
  fs.closeSync(fd);
  await ring.close();
});

test('T05 ud=2, 5, 8: READ fd=9999, READ|FIXED_FILE with no files registered, READ fd=-1 -> -EBADF', async () => {
  const ring = newRing(16);
  const buf = ring.mem.alloc(64);
  rw(ring, IORING_OP_READ, 9999, buf, 64, 0, 2);
  rw(ring, IORING_OP_READ, 0, buf, 64, 0, 5, IOSQE_FIXED_FILE);
  rw(ring, IORING_OP_READ, -1, buf, 64, 0, 8);
  assert.deepEqual(await run(ring, 3, 3), [
    'cqe ud=2 res=-9 EBADF flags=0x0',
    'cqe ud=5 res=-9 EBADF flags=0x0',
    'cqe ud=8 res=-9 EBADF flags=0x0',
  ]);
  await ring.close();
});

test('T07 link: NOP(L) -> READ fd=9999 (L) -> NOP(L) -> NOP ; then independent NOP', async () => {
  const ring = newRing(16);
  const buf = ring.mem.alloc(4096);
  nop(ring, 1, LINK);
  rw(ring, IORING_OP_READ, 9999, buf, 64, 0, 2, LINK);
  nop(ring, 3, LINK);
  nop(ring, 4);
  nop(ring, 5);
  assert.deepEqual(await run(ring, 5, 5), [
    'cqe ud=1 res=0 flags=0x0',
    'cqe ud=5 res=0 flags=0x0',
    'cqe ud=2 res=-9 EBADF flags=0x0',
    'cqe ud=3 res=-125 ECANCELED flags=0x0',
    'cqe ud=4 res=-125 ECANCELED flags=0x0',
  ]);
  await ring.close();
});

test('T08 hardlink: READ fd=9999 (HARDLINK) -> NOP(L) -> NOP', async () => {
  const ring = newRing(16);
  const buf = ring.mem.alloc(4096);
  rw(ring, IORING_OP_READ, 9999, buf, 64, 0, 1, IOSQE_IO_HARDLINK);
  nop(ring, 2, LINK);
  nop(ring, 3);
  assert.deepEqual(await run(ring, 3, 3), [
    'cqe ud=1 res=-9 EBADF flags=0x0',
    'cqe ud=2 res=0 flags=0x0',
    'cqe ud=3 res=0 flags=0x0',
  ]);
  await ring.close();
});

test(
  'T13 ordering inside a link: WRITE(L) -> FSYNC(L) -> READ : CQEs come in chain order',
  { todo: opSupported(IORING_OP_FSYNC) ? false : 'IORING_OP_FSYNC is not implemented yet' },
  async () => {
    const ring = newRing(16);
    const { fd, path } = tmp.open(FILE150);
    const wb = ring.mem.alloc(16);
    ring.mem.writeBytes(wb, bytes('hello-link-0123\0'));
    const buf = ring.mem.alloc(4096);
    rw(ring, IORING_OP_WRITE, fd, wb, 16, 0, 1, LINK);
    rw(ring, IORING_OP_FSYNC, fd, 0, 0, 0, 2, LINK).set('fsync_flags', 0);
    rw(ring, IORING_OP_READ, fd, buf, 16, 0, 3);
    assert.deepEqual(await run(ring, 3, 3), [
      'cqe ud=1 res=16 flags=0x0',
      'cqe ud=2 res=0 flags=0x0',
      'cqe ud=3 res=16 flags=0x0',
    ]);
    assert.equal(memStr(ring, buf, 16), 'hello-link-0123\0');
    assert.equal(fs.readFileSync(path, 'latin1').slice(0, 16), 'hello-link-0123\0');
    fs.closeSync(fd);
    await ring.close();
  },
);

/* ================================================================== bad fds */

test('READ on a write-only fd and WRITE on a read-only fd -> -EBADF (f_mode check); READ on a directory -> -EISDIR', async () => {
  const ring = newRing(16);
  const wo = tmp.open(FILE150, 'w');
  const ro = tmp.open(FILE150, 'r');
  const d = fs.openSync(tmp.dir, 'r');
  const b = ring.mem.alloc(64);
  rw(ring, IORING_OP_READ, wo.fd, b, 64, 0, 1);
  rw(ring, IORING_OP_WRITE, ro.fd, b, 64, 0, 2);
  rw(ring, IORING_OP_READV, wo.fd, iovecs(ring, [[b, 64]]), 1, 0, 3);
  rw(ring, IORING_OP_WRITEV, ro.fd, iovecs(ring, [[b, 64]]), 1, 0, 4);
  rw(ring, IORING_OP_READ, d, b, 64, 0, 5);
  assert.deepEqual((await run(ring, 5, 5)).sort(), [
    fmtCqe(1, -EBADF, 0),
    fmtCqe(2, -EBADF, 0),
    fmtCqe(3, -EBADF, 0),
    fmtCqe(4, -EBADF, 0),
    fmtCqe(5, -EISDIR, 0),
  ]);
  assert.equal(fs.readFileSync(ro.path, 'latin1'), FILE150);
  for (const fd of [wo.fd, ro.fd, d]) fs.closeSync(fd);
  await ring.close();
});

test('a closed fd -> -EBADF for READ, WRITE, READV and WRITEV', async () => {
  const ring = newRing(16);
  const { fd } = tmp.open(FILE150);
  fs.closeSync(fd);
  const b = ring.mem.alloc(64);
  rw(ring, IORING_OP_READ, fd, b, 64, 0, 1);
  rw(ring, IORING_OP_WRITE, fd, b, 64, 0, 2);
  rw(ring, IORING_OP_READV, fd, iovecs(ring, [[b, 64]]), 1, 0, 3);
  rw(ring, IORING_OP_WRITEV, fd, iovecs(ring, [[b, 64]]), 1, 0, 4);
  assert.deepEqual(
    (await run(ring, 4, 4)).sort(),
    [1, 2, 3, 4].map((ud) => fmtCqe(ud, -EBADF, 0)),
  );
  await ring.close();
});

test('the fd is looked up at issue before the buffer is touched and rw_flags and the offset are checked: a bad fd wins', async () => {
  const ring = newRing(16);
  const b = ring.mem.alloc(64);
  rw(ring, IORING_OP_READ, 9999, 0, 64, 0, 1); // NULL buffer: access_ok passes at prep, the fd fails at issue
  rw(ring, IORING_OP_WRITE, -1, ring.mem.size - 8, 64, 0, 2);
  rw(ring, IORING_OP_READ, 9999, b, 16, 0, 3).set('rw_flags', 0x100);
  rw(ring, IORING_OP_WRITE, 9999, b, 16, 2n ** 63n, 4);
  assert.deepEqual(
    await run(ring, 4, 4),
    [1, 2, 3, 4].map((ud) => fmtCqe(ud, -EBADF, 0)),
  );
  await ring.close();
});

/* ================================================================== bad buffers */

test('READ/WRITE buffers that are NULL, in the NULL page, past the end or spanning the end of memory -> -EFAULT; nothing is written', async () => {
  const ring = newRing(32);
  const { fd, path } = tmp.open(FILE150);
  const size = ring.mem.size;
  const cases: [string, number | bigint, number][] = [
    ['NULL', 0, 64],
    ['inside the NULL page', 0x10, 64],
    ['just past the end of memory', size, 64],
    ['spanning the end of memory', size - 10, 64],
    ['above 4 GiB (high half set)', 0x1_0000_1000n, 64],
  ];
  let ud = 1;
  for (const [, addr, len] of cases) {
    rw(ring, IORING_OP_READ, fd, addr, len, 0, ud++);
    rw(ring, IORING_OP_WRITE, fd, addr, len, 0, ud++);
  }
  const got = await run(ring, ud - 1, ud - 1);
  ud = 1;
  for (const [what] of cases) {
    assert.ok(got.includes(fmtCqe(ud, -EFAULT, 0)), `READ ${what}: ${got}`);
    assert.ok(got.includes(fmtCqe(ud + 1, -EFAULT, 0)), `WRITE ${what}: ${got}`);
    ud += 2;
  }
  assert.equal(fs.readFileSync(path, 'latin1'), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('READ and WRITE of 0 bytes succeed with 0 whatever the buffer address (import_ubuf of 0 bytes never faults)', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open(FILE150);
  rw(ring, IORING_OP_READ, fd, 0, 0, 0, 1);
  rw(ring, IORING_OP_WRITE, fd, 0, 0, 0, 2);
  rw(ring, IORING_OP_READ, fd, ring.mem.size + 4096, 0, 0, 3);
  assert.deepEqual((await run(ring, 3, 3)).sort(), [fmtCqe(1, 0, 0), fmtCqe(2, 0, 0), fmtCqe(3, 0, 0)]);
  assert.equal(fs.readFileSync(path, 'latin1'), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('READV/WRITEV: iovec array NULL, spanning or past the end of memory, or a segment outside memory -> -EFAULT', async () => {
  const ring = newRing(32);
  const { fd, path } = tmp.open(FILE150);
  const size = ring.mem.size;
  const ok = ring.mem.alloc(64);
  const cases: [string, number | bigint, number][] = [
    ['array NULL', 0, 2],
    ['array past the end of memory', size, 1],
    ['array spanning the end of memory', size - IOVEC.size, 2],
    ['array above 4 GiB', 0x1_0000_1000n, 1],
    [
      'second segment outside memory',
      iovecs(ring, [
        [ok, 8],
        [size + 64, 8],
      ]),
      2,
    ],
    ['segment spanning the end of memory', iovecs(ring, [[size - 4, 8]]), 1],
    [
      'segment NULL with a length',
      iovecs(ring, [
        [ok, 8],
        [0, 8],
      ]),
      2,
    ],
  ];
  // The iovec array is imported at prep, so each failure ends its submission: one SQE per submit.
  let ud = 1;
  for (const [what, addr, n] of cases) {
    for (const [op, name] of [
      [IORING_OP_READV, 'READV'],
      [IORING_OP_WRITEV, 'WRITEV'],
    ] as const) {
      rw(ring, op, fd, addr, n, 0, ud);
      assert.deepEqual(await run(ring, 1, 1), [fmtCqe(ud, -EFAULT, 0)], `${name} ${what}`);
      ud++;
    }
  }
  assert.equal(fs.readFileSync(path, 'latin1'), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('READV: zero-length segments are skipped whatever their base; exactly 1024 segments work', async () => {
  const ring = newRing(16);
  const { fd } = tmp.open(FILE150, 'r');
  const a = ring.mem.alloc(16);
  rw(
    ring,
    IORING_OP_READV,
    fd,
    iovecs(ring, [
      [0, 0],
      [a, 4],
      [ring.mem.size, 0],
      [a + 4, 4],
    ]),
    4,
    0,
    1,
  );
  const many = ring.mem.alloc(UIO_MAXIOV);
  const segs: [number, number][] = [];
  for (let i = 0; i < UIO_MAXIOV; i++) segs.push([many + i, 1]);
  rw(ring, IORING_OP_READV, fd, iovecs(ring, segs), UIO_MAXIOV, 0, 2);
  assert.deepEqual((await run(ring, 2, 2)).sort(), [fmtCqe(1, 8, 0), fmtCqe(2, 150, 0)]);
  assert.equal(memStr(ring, a, 8), FILE150.slice(0, 8));
  assert.equal(memStr(ring, many, 150), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('READV/WRITEV with nr_segs 0 transfer 0 bytes, even with a NULL array (iovec_from_user copies nothing)', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open(FILE150);
  const a = ring.mem.alloc(16);
  rw(ring, IORING_OP_READV, fd, iovecs(ring, [[a, 4]]), 0, 0, 1);
  rw(ring, IORING_OP_WRITEV, fd, iovecs(ring, [[a, 4]]), 0, 0, 2);
  rw(ring, IORING_OP_READV, fd, 0, 0, 0, 3);
  assert.deepEqual((await run(ring, 3, 3)).sort(), [fmtCqe(1, 0, 0), fmtCqe(2, 0, 0), fmtCqe(3, 0, 0)]);
  assert.equal(fs.readFileSync(path, 'latin1'), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('READV/WRITEV with more than UIO_MAXIOV (1024) segments -> -EINVAL; a segment length >= 2^63 -> -EINVAL', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open(FILE150);
  const arr = ring.mem.alloc((UIO_MAXIOV + 1) * IOVEC.size);
  const b = ring.mem.alloc(8);
  rw(ring, IORING_OP_READV, fd, arr, UIO_MAXIOV + 1, 0, 1);
  rw(ring, IORING_OP_WRITEV, fd, arr, UIO_MAXIOV + 1, 0, 2);
  rw(ring, IORING_OP_READV, fd, arr, 0xffffffff, 0, 3);
  rw(ring, IORING_OP_READV, fd, iovecs(ring, [[b, 2n ** 63n]]), 1, 0, 4);
  rw(
    ring,
    IORING_OP_WRITEV,
    fd,
    iovecs(ring, [
      [b, 4],
      [b, 2n ** 64n - 1n],
    ]),
    2,
    0,
    5,
  );
  // Each is an init (prep) failure in 6.18, so each stops its submission: submit until all are in.
  submitAll(ring);
  const got = await reap(ring, 5);
  assert.deepEqual(got.sort(), [1, 2, 3, 4, 5].map((ud) => fmtCqe(ud, -EINVAL, 0)).sort());
  assert.equal(fs.readFileSync(path, 'latin1'), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('6.18 imports the iovec array at prep: a bad array fails before the fd lookup (fd=9999 -> -EFAULT / -EINVAL, not -EBADF)', async () => {
  const ring = newRing(16);
  rw(ring, IORING_OP_READV, 9999, 0, 2, 0, 1);
  rw(ring, IORING_OP_WRITEV, 9999, ring.mem.size, 1, 0, 2);
  rw(ring, IORING_OP_READV, 9999, ring.mem.alloc(16), UIO_MAXIOV + 1, 0, 3);
  submitAll(ring);
  assert.deepEqual(await reap(ring, 3), [
    fmtCqe(1, -EFAULT, 0),
    fmtCqe(2, -EFAULT, 0),
    fmtCqe(3, -EINVAL, 0),
  ]);
  await ring.close();
});

test('a READV whose iovec import fails at prep stops the submission like any init failure (T03): submit -> 1, the NOP stays queued', async () => {
  const ring = newRing(16);
  const { fd } = tmp.open(FILE150, 'r');
  rw(ring, IORING_OP_READV, fd, ring.mem.alloc(16), UIO_MAXIOV + 1, 0, 1);
  nop(ring, 2);
  assert.equal(ring.submit(), 1, 'submit -> 1: the failed READV ends the submission');
  assert.deepEqual(await reap(ring, 1, 200), [fmtCqe(1, -EINVAL, 0)]);
  assert.equal(ring.submit(), 1, 'the NOP goes with the next submit');
  assert.deepEqual(await reap(ring, 1, 200), [fmtCqe(2, 0, 0)]);
  fs.closeSync(fd);
  await ring.close();
});

test('the iovec array is read at submit (prep), so the user may reuse it at once: a linked WRITEV writes what was described then', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open('');
  const head = ring.mem.alloc(BLOCK_HEAD);
  const b1 = ring.mem.alloc(8);
  const b2 = ring.mem.alloc(8);
  ring.mem.writeBytes(b1, bytes('GOOD'));
  ring.mem.writeBytes(b2, bytes('LATE'));
  const iov = iovecs(ring, [[b1, 4]]);
  rw(ring, IORING_OP_WRITE, fd, head, BLOCK_HEAD, 0, 1, LINK);
  rw(ring, IORING_OP_WRITEV, fd, iov, 1, BLOCK_HEAD, 2);
  assert.equal(ring.submit(), 2);
  // Reuse the array while the head is still in flight (IORING_FEAT_SUBMIT_STABLE).
  ring.mem.writeU64(iov, BigInt(b2));
  assert.deepEqual(await reap(ring, 2), [fmtCqe(1, BLOCK_HEAD, 0), fmtCqe(2, 4, 0)]);
  assert.equal(fs.readFileSync(path, 'latin1').slice(BLOCK_HEAD), 'GOOD');
  fs.closeSync(fd);
  await ring.close();
});

/* ================================================================== offsets and rw_flags */

test('offsets >= 2^63 -> -EINVAL (rw_verify_area); pos + len overflowing -> -EINVAL; huge valid offsets read 0', async () => {
  const ring = newRing(32);
  const { fd, path } = tmp.open(FILE150);
  const b = ring.mem.alloc(64);
  const cases: [number, number | bigint, number, number][] = [
    [IORING_OP_READ, 2n ** 63n, 16, -EINVAL],
    [IORING_OP_READ, 2n ** 64n - 2n, 16, -EINVAL],
    [IORING_OP_WRITE, 2n ** 63n, 16, -EINVAL],
    [IORING_OP_READV, 2n ** 63n + 5n, 1, -EINVAL],
    [IORING_OP_WRITEV, 2n ** 64n - 2n, 1, -EINVAL],
    [IORING_OP_READ, 2n ** 63n - 1n, 16, -EINVAL], // pos + count wraps negative
    [IORING_OP_READ, 2n ** 62n, 16, 0],
    [IORING_OP_READ, 2n ** 53n + 1n, 16, 0],
    [IORING_OP_READ, 2n ** 40n, 16, 0],
  ];
  const iov = iovecs(ring, [[b, 16]]);
  let ud = 1;
  for (const [op, off, len] of cases) {
    const vec = op === IORING_OP_READV || op === IORING_OP_WRITEV;
    rw(ring, op, fd, vec ? iov : b, len, off, ud++);
  }
  const got = (await run(ring, cases.length, cases.length)).sort();
  assert.deepEqual(got, cases.map(([, , , res], i) => fmtCqe(i + 1, res, 0)).sort());
  assert.equal(fs.readFileSync(path, 'latin1'), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('WRITE beyond the file system maximum size -> -EFBIG (ext4, tmpfs: -EFBIG or a count)', async () => {
  const ring = newRing(16);
  const { fd } = tmp.open('');
  const b = ring.mem.alloc(16);
  rw(ring, IORING_OP_WRITE, fd, b, 16, 2n ** 62n, 1);
  const [line] = await run(ring, 1, 1);
  assert.ok(line === fmtCqe(1, -EFBIG, 0) || line === fmtCqe(1, 16, 0), String(line));
  fs.closeSync(fd);
  await ring.close();
});

test('rw_flags outside RWF_SUPPORTED -> -EOPNOTSUPP; DSYNC and NOWAIT work', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open(FILE150);
  const b = ring.mem.alloc(64);
  ring.mem.writeBytes(b, bytes('abcd'));
  rw(ring, IORING_OP_READ, fd, b + 32, 16, 0, 1).set('rw_flags', 0x100);
  rw(ring, IORING_OP_WRITE, fd, b, 4, 0, 2).set('rw_flags', 0x8000_0000);
  rw(ring, IORING_OP_READV, fd, iovecs(ring, [[b + 32, 16]]), 1, 0, 3).set('rw_flags', 0xffff_ff00);
  rw(ring, IORING_OP_WRITE, fd, b, 4, 10, 5).set('rw_flags', RWF_DSYNC);
  rw(ring, IORING_OP_READ, fd, b + 32, 16, 0, 6).set('rw_flags', RWF_NOWAIT);
  const got = (await run(ring, 5, 5)).sort();
  assert.deepEqual(
    got,
    [
      fmtCqe(1, -EOPNOTSUPP, 0),
      fmtCqe(2, -EOPNOTSUPP, 0),
      fmtCqe(3, -EOPNOTSUPP, 0),
      fmtCqe(5, 4, 0),
      fmtCqe(6, 16, 0),
    ].sort(),
  );
  assert.equal(fs.readFileSync(path, 'latin1'), `${FILE150.slice(0, 10)}abcd${FILE150.slice(14)}`);
  fs.closeSync(fd);
  await ring.close();
});

test('rw_flags: HIPRI on a non-IOPOLL ring -> -EINVAL; RWF_NOAPPEND (6.9, outside the 5.13 UAPI) -> -EOPNOTSUPP', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open(FILE150);
  const b = ring.mem.alloc(64);
  rw(ring, IORING_OP_READ, fd, b, 16, 0, 1).set('rw_flags', RWF_HIPRI);
  // 6.18 answers -EINVAL for APPEND|NOAPPEND; our UAPI is 5.13's, where 0x20 is an unknown flag.
  rw(ring, IORING_OP_WRITE, fd, b, 4, 0, 2).set('rw_flags', RWF_APPEND | RWF_NOAPPEND);
  assert.deepEqual((await run(ring, 2, 2)).sort(), [fmtCqe(1, -EINVAL, 0), fmtCqe(2, -EOPNOTSUPP, 0)]);
  assert.equal(fs.readFileSync(path, 'latin1'), FILE150);
  fs.closeSync(fd);
  await ring.close();
});

test('WRITE with RWF_APPEND writes at the end of the file whatever sqe->off says (IOCB_APPEND)', async () => {
  const ring = newRing(16);
  const { fd, path } = tmp.open(FILE150);
  const b = ring.mem.alloc(8);
  ring.mem.writeBytes(b, bytes('TAIL'));
  rw(ring, IORING_OP_WRITE, fd, b, 4, 0, 1).set('rw_flags', RWF_APPEND);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(1, 4, 0)]);
  assert.equal(fs.readFileSync(path, 'latin1'), `${FILE150}TAIL`);
  fs.closeSync(fd);
  await ring.close();
});

for (const mergeWrites of [true, false]) {
  test(`RWF_APPEND writes submitted together each land at the end, in submission order (mergeWrites ${mergeWrites})`, async () => {
    const ring = newRing(16, { mergeWrites });
    const { fd, path } = tmp.open(FILE150);
    const parts = ['one-', 'two-', 'three-', 'four'];
    parts.forEach((t, i) => {
      const b = ring.mem.alloc(8);
      ring.mem.writeBytes(b, bytes(t));
      // Adjacent explicit offsets too: RWF_APPEND must win over them.
      rw(ring, IORING_OP_WRITE, fd, b, t.length, i * 4, i + 1).set('rw_flags', RWF_APPEND);
    });
    const got = await run(ring, 4, 4);
    assert.deepEqual(
      got.sort(),
      parts.map((t, i) => fmtCqe(i + 1, t.length, 0)),
    );
    // Appends of one ring to one fd run one at a time, so each finds the end the previous one left.
    assert.equal(fs.readFileSync(path, 'latin1'), `${FILE150}${parts.join('')}`);
    fs.closeSync(fd);
    await ring.close();
  });
}

/* ================================================================== pipes */

test('pipes ignore the offset: READ and WRITE with off=0 and off=-1 on a FIFO work like read(2)/write(2)', async () => {
  const ring = newRing(16);
  const p = fifo();
  try {
    fs.writeSync(p.w, 'hello');
    const b = ring.mem.alloc(64);
    rw(ring, IORING_OP_READ, p.r, b, 64, 0, 1);
    assert.deepEqual(await run(ring, 1, 1), [fmtCqe(1, 5, 0)]);
    assert.equal(memStr(ring, b, 5), 'hello');
    fs.writeSync(p.w, 'abc');
    rw(
      ring,
      IORING_OP_READV,
      p.r,
      iovecs(ring, [
        [b, 1],
        [b + 8, 8],
      ]),
      2,
      12345,
      2,
    );
    assert.deepEqual(await run(ring, 1, 1), [fmtCqe(2, 3, 0)]);
    assert.equal(memStr(ring, b, 1) + memStr(ring, b + 8, 2), 'abc');
    ring.mem.writeBytes(b, bytes('xyz'));
    rw(ring, IORING_OP_WRITE, p.w, b, 3, 0, 3, LINK);
    rw(ring, IORING_OP_WRITEV, p.w, iovecs(ring, [[b, 1]]), 1, CUR_POS, 4);
    assert.deepEqual(await run(ring, 2, 2), [fmtCqe(3, 3, 0), fmtCqe(4, 1, 0)]);
    assert.equal(pipeContents(p.peek), 'xyzx');
  } finally {
    p.close();
    await ring.close();
  }
});

test('pipes: an offset >= 2^63 is still -EINVAL (rw_verify_area checks it before the pipe ignores it)', async () => {
  const ring = newRing(16);
  const p = fifo();
  try {
    fs.writeSync(p.w, 'data');
    const b = ring.mem.alloc(64);
    rw(ring, IORING_OP_READ, p.r, b, 64, 2n ** 63n, 1);
    rw(ring, IORING_OP_WRITE, p.w, b, 4, 2n ** 64n - 2n, 2);
    assert.deepEqual((await run(ring, 2, 2)).sort(), [fmtCqe(1, -EINVAL, 0), fmtCqe(2, -EINVAL, 0)]);
    assert.equal(pipeContents(p.peek), 'data', 'nothing was consumed or added');
  } finally {
    p.close();
    await ring.close();
  }
});

test('X23c write to pipe completes the guarded READ: READ pipe (LINK) ud8 -> LINK_TIMEOUT 5s (LINK) ud9 -> NOP ud10', async () => {
  const ring = newRing(16);
  const p = fifo();
  let written = false;
  try {
    const pbuf = ring.mem.alloc(64);
    rw(ring, IORING_OP_READ, p.r, pbuf, 64, 0, 8, LINK);
    ltimeout(ring, 5000, 0, 9, LINK);
    nop(ring, 10);
    assert.equal(ring.submit(), 3, 'submit -> 3');
    assert.deepEqual(await reap(ring, 3, 50), [], '(0 CQEs) while the pipe is empty');
    fs.writeSync(p.w, 'xy');
    written = true;
    assert.deepEqual(await reap(ring, 3, 2000), [
      'cqe ud=8 res=2 flags=0x0',
      'cqe ud=9 res=-125 ECANCELED flags=0x0',
      'cqe ud=10 res=-125 ECANCELED flags=0x0',
    ]);
    assert.equal(memStr(ring, pbuf, 2), 'xy');
  } finally {
    // A READ still blocked on the pipe would keep the process (and close()) waiting: feed it.
    if (!written) fs.writeSync(p.w, 'xy');
    await ring.close();
    p.close();
  }
});

test('an O_NONBLOCK pipe with nothing in it: the READ waits for data (6.18 retries O_NONBLOCK files that support NOWAIT) or fails -EAGAIN, never blocks the ring', async () => {
  const ring = newRing(16);
  const p = fifo();
  try {
    const b = ring.mem.alloc(64);
    rw(ring, IORING_OP_READ, p.peek, b, 64, 0, 1);
    assert.equal(ring.submit(), 1);
    const first = await reap(ring, 1, 100);
    if (first.length === 1) {
      assert.deepEqual(first, [fmtCqe(1, -EAGAIN, 0)]);
    } else {
      fs.writeSync(p.w, 'q');
      assert.deepEqual(await reap(ring, 1, 2000), [fmtCqe(1, 1, 0)]);
    }
  } finally {
    p.close();
    await ring.close();
  }
});

/* ================================================================== hostile fields */

test('hostile SQE fields on READ/WRITE/READV/WRITEV/READ_FIXED/WRITE_FIXED never throw: one CQE each, a count or an errno', async () => {
  const ring = newRing(64);
  const mem = ring.mem;
  const { fd } = tmp.open(FILE150);
  const SCRATCH = 64 * 1024;
  const scratch = mem.alloc(SCRATCH);
  const fixedIov = iovecs(ring, [[scratch, SCRATCH]]);
  assert.equal(await ring.register(IORING_REGISTER_BUFFERS, fixedIov, 1), 0);
  const table = mem.alloc(8);
  mem.writeI32(table, fd);
  mem.writeI32(table + 4, -1);
  assert.equal(await ring.register(IORING_REGISTER_FILES, table, 2), 0);
  const iovArea = mem.alloc((UIO_MAXIOV + 2) * IOVEC.size);

  const next = xorshift32(0xbad5eed);
  const pick = <T>(a: readonly T[]): T => a[next() % a.length]!;
  const size = mem.size;
  const ops = [
    IORING_OP_READ,
    IORING_OP_WRITE,
    IORING_OP_READV,
    IORING_OP_WRITEV,
    IORING_OP_READ_FIXED,
    IORING_OP_WRITE_FIXED,
  ];
  // Never a small fd of the process other than ours: fds 0-2 and the test runner's must stay untouched.
  const fds = [fd, fd, fd, 9999, -1, -100, 0x7fffffff, -0x80000000];
  const fixedIdx = [0, 0, 1, 2, 5, -1, 0x7fffffff];
  const badAddrs: (number | bigint)[] = [
    0,
    0x10,
    size,
    size - 8,
    0x1_0000_0000n + BigInt(scratch),
    2n ** 64n - 1n,
  ];
  const lens = [0, 1, 16, 4096, SCRATCH, 0xffffffff, 0x7ffff000, 0x80000000];
  const offs: (number | bigint)[] = [
    0,
    100,
    150,
    4096,
    CUR_POS,
    2n ** 63n,
    2n ** 63n - 1n,
    2n ** 62n,
    2n ** 53n + 1n,
  ];
  const rwFlags = [0, 0, 0, RWF_HIPRI, RWF_DSYNC, 4, RWF_NOWAIT, RWF_APPEND, 0x100, 0xffffffff];
  const sqeFlags = [0, 0, 0, IOSQE_FIXED_FILE, IOSQE_ASYNC, LINK, IOSQE_IO_HARDLINK];
  /** A buffer inside scratch (clamped so that no READ can land outside it), or a bad address. */
  const buffer = (len: number): [number | bigint, number] => {
    if (next() % 3 === 0) {
      const a = pick(badAddrs);
      // The last bytes of memory are only used with lengths that span the end.
      return [a, a === size - 8 ? Math.max(len, 9) : len];
    }
    const off = next() % SCRATCH;
    return [scratch + off, Math.min(len, SCRATCH - off)];
  };
  const ALLOWED = new Set([-EBADF, -EFAULT, -EINVAL, -EOPNOTSUPP, -ECANCELED, -EFBIG, -EAGAIN, -EOVERFLOW]);

  const N = 600;
  const want = new Map<number, number>(); // ud -> largest valid count
  let prepared = 0;
  const results = new Map<number, number>();
  const collect = (): void => {
    for (let c = ring.peekCqe(); c !== null; c = ring.peekCqe()) {
      const ud = Number(c.userData);
      assert.ok(!results.has(ud), `ud ${ud} completed twice`);
      results.set(ud, c.res);
      ring.cqeSeen(c);
    }
  };
  while (prepared < N) {
    for (let k = 0; k < 32 && prepared < N; k++) {
      const ud = ++prepared;
      const op = pick(ops);
      const flags = pick(sqeFlags);
      const f = (flags & IOSQE_FIXED_FILE) !== 0 ? pick(fixedIdx) : pick(fds);
      let addr: number | bigint;
      let len: number;
      if (op === IORING_OP_READV || op === IORING_OP_WRITEV) {
        const n = pick([0, 1, 2, 3, 17, UIO_MAXIOV, UIO_MAXIOV + 1, 0xffffffff]);
        const filled = Math.min(n, UIO_MAXIOV + 1);
        for (let i = 0; i < filled; i++) {
          const [b, l] = buffer(pick(lens));
          mem.writeU64(iovArea + i * IOVEC.size, BigInt(b));
          mem.writeU64(iovArea + i * IOVEC.size + 8, next() % 50 === 0 ? 2n ** 63n : BigInt(l));
        }
        addr = next() % 8 === 0 ? pick(badAddrs) : iovArea;
        len = n;
        want.set(ud, 0x7ffff000);
      } else {
        [addr, len] = buffer(pick(lens));
        want.set(ud, len);
      }
      const s = rw(ring, op, f, addr, len, pick(offs), ud, flags);
      s.set('rw_flags', pick(rwFlags));
      s.set('buf_index', pick([0, 0, 0, 1, 0xffff]));
      s.set('ioprio', pick([0, 0, 0, 0, 1, 0xffff, 4 << 13]));
      // Vectored SQEs share iovArea: submit each one before the next overwrites it.
      if (op === IORING_OP_READV || op === IORING_OP_WRITEV) submitAll(ring);
    }
    submitAll(ring);
    const deadline = Date.now() + 5000;
    while (results.size < prepared && Date.now() < deadline) {
      try {
        const c = await ring.waitCqeTimeout(200_000_000n);
        void c;
      } catch {
        // ETIME: look again
      }
      collect();
    }
  }
  collect();
  assert.equal(results.size, N, 'one CQE per SQE');
  for (const [ud, res] of results) {
    assert.ok(Number.isInteger(res), `ud ${ud}: res ${res}`);
    if (res >= 0) assert.ok(res <= want.get(ud)!, `ud ${ud}: count ${res} above the ${want.get(ud)} asked`);
    else assert.ok(ALLOWED.has(res), `ud ${ud}: unexpected errno ${res}`);
  }
  const left = await ring.close();
  assert.deepEqual(left, [], 'nothing left over');
  fs.closeSync(fd);
});

/* ================================================================== fd numbers reused behind the ring */

test('an fd number closed and reused outside the ring: a FIFO number reopened as a file reads at the offset asked', async () => {
  const ring = newRing(8);
  const p = fifo();
  const b = ring.mem.alloc(16);
  fs.writeSync(p.w, 'pipe');
  rw(ring, IORING_OP_READ, p.r, b, 4, 0, 1);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(1, 4, 0)]);
  // Close the FIFO's read end with plain fs, and give its number to a regular file.
  const num = p.r;
  fs.closeSync(p.r);
  const file = tmp.path('reuse');
  fs.writeFileSync(file, '0123456789');
  const fd = fs.openSync(file, 'r');
  assert.equal(fd, num, 'the number was reused (lowest free fd)');
  rw(ring, IORING_OP_READ, fd, b, 4, 3, 2);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(2, 4, 0)]);
  assert.equal(Buffer.from(ring.mem.readBytes(b, 4)).toString('latin1'), '3456');
  fs.closeSync(fd);
  for (const f of [p.w, p.peek]) fs.closeSync(f);
  await ring.close();
});

test('an fd number closed and reused outside the ring: a file number reopened as a FIFO still reads the pipe', async () => {
  const ring = newRing(8);
  const { fd: f1 } = tmp.open('abcdef', 'r');
  const b = ring.mem.alloc(16);
  rw(ring, IORING_OP_READ, f1, b, 2, 1, 1);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(1, 2, 0)]);
  fs.closeSync(f1);
  const path = tmp.path('fifo');
  execFileSync('mkfifo', [path]);
  const r = fs.openSync(path, fs.constants.O_RDWR);
  assert.equal(r, f1, 'the number was reused');
  const w = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  fs.writeSync(w, 'xyz');
  rw(ring, IORING_OP_READ, r, b, 3, 5, 2);
  assert.deepEqual(await run(ring, 1, 1), [fmtCqe(2, 3, 0)]);
  assert.equal(Buffer.from(ring.mem.readBytes(b, 3)).toString('latin1'), 'xyz');
  for (const f of [r, w]) fs.closeSync(f);
  await ring.close();
});
