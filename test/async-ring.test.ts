/** The promise API (AsyncRing) and user buffers. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AsyncRing } from '../src/liburing/async.js';
import { allocBuffer } from '../src/liburing/buffer.js';
import { UringError } from '../src/liburing/errors.js';
import { prepRw } from '../src/liburing/prep.js';
import { IORING_OP_NOP, IORING_OP_WRITE } from '../src/uapi/io_uring.js';
import { Runtime } from '../src/uring/runtime.js';

function tmpFile(): { file: string; fd: number; done: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uring-async-'));
  const file = path.join(dir, 'f');
  const fd = fs.openSync(file, 'w+');
  return {
    file,
    fd,
    done: () => {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const newAsync = (): AsyncRing => AsyncRing.create(32, { runtime: new Runtime({ size: 8 << 20 }) });

test('write then read through promises: counts and bytes are exact, offsets honoured', async () => {
  const r = newAsync();
  const t = tmpFile();
  const w = r.allocBuffer(8192);
  for (let i = 0; i < w.length; i++) w.bytes[i] = i & 0xff;
  assert.equal(await r.write(t.fd, w.addr, 8192, 4096), 8192);
  assert.equal(fs.statSync(t.file).size, 4096 + 8192);
  const rd = r.allocBuffer(100);
  assert.equal(await r.read(t.fd, rd.addr, 100, 4096 + 50), 100);
  assert.deepEqual([...rd.bytes.subarray(0, 4)], [50, 51, 52, 53]);
  // A read past the end is short, not an error.
  assert.equal(await r.read(t.fd, rd.addr, 100, 4096 + 8192 - 10), 10);
  await r.shutdown();
  t.done();
});

test('offset -1 (the default) reads and writes at the current file position', async () => {
  const r = newAsync();
  const t = tmpFile();
  const b = r.allocBuffer(3);
  b.bytes.set([1, 2, 3]);
  assert.equal(await r.write(t.fd, b.addr, 3), 3);
  assert.equal(await r.write(t.fd, b.addr, 3), 3);
  assert.deepEqual([...fs.readFileSync(t.file)], [1, 2, 3, 1, 2, 3]);
  await r.shutdown();
  t.done();
});

test('many requests in one tick are submitted together and all resolve', async () => {
  const r = newAsync();
  const t = tmpFile();
  const bufs = Array.from({ length: 20 }, (_, i) => {
    const b = r.allocBuffer(512);
    b.bytes.fill(i + 1);
    return b;
  });
  const results = await Promise.all(bufs.map((b, i) => r.write(t.fd, b.addr, 512, i * 512)));
  assert.deepEqual(results, new Array(20).fill(512));
  const data = fs.readFileSync(t.file);
  for (let i = 0; i < 20; i++) assert.equal(data[i * 512 + 7], i + 1);
  assert.equal(r.inflight, 0);
  await r.shutdown();
  t.done();
});

test('errors reject with UringError carrying the errno: bad fd, bad address', async () => {
  const r = newAsync();
  const t = tmpFile();
  const b = r.allocBuffer(16);
  await assert.rejects(
    r.read(9999, b.addr, 16, 0),
    (e: unknown) => e instanceof UringError && e.code === 'EBADF',
  );
  await assert.rejects(
    r.write(t.fd, 0, 16, 0),
    (e: unknown) => e instanceof UringError && e.code === 'EFAULT',
  );
  await assert.rejects(
    r.write(t.fd, r.ring.mem.size - 8, 16, 0),
    (e: unknown) => e instanceof UringError && e.code === 'EFAULT',
  );
  await r.shutdown();
  t.done();
});

test('submit() runs any prepared SQE; nop() and sleep() resolve with 0', async () => {
  const r = newAsync();
  assert.equal(await r.nop(), 0);
  assert.equal(await r.submit('nop', (s) => prepRw(IORING_OP_NOP, s, -1, 0, 0, 0)), 0);
  const t0 = Date.now();
  assert.equal(await r.sleep(20_000_000n), 0);
  assert.ok(Date.now() - t0 >= 15);
  const t = tmpFile();
  const b = r.allocBuffer(4);
  assert.equal(await r.submit('write', (s) => prepRw(IORING_OP_WRITE, s, t.fd, b.addr, 4, 0)), 4);
  await r.shutdown();
  t.done();
});

test('more requests than SQ entries in one tick are all submitted', async () => {
  const r = AsyncRing.create(4, { runtime: new Runtime({ size: 8 << 20 }) });
  const all = await Promise.all(Array.from({ length: 50 }, () => r.nop()));
  assert.equal(all.length, 50);
  assert.ok(all.every((x) => x === 0));
  await r.shutdown();
});

test('after shutdown, calls reject with EBADF', async () => {
  const r = newAsync();
  await r.shutdown();
  await assert.rejects(r.nop(), (e: unknown) => e instanceof UringError && e.code === 'EBADF');
});

test('allocBuffer gives page-aligned zeroed memory with a live view; size and double free are checked', () => {
  const rt = new Runtime({ size: 1 << 20 });
  const b = allocBuffer(rt.mem, 100);
  assert.equal(b.addr % 4096, 0);
  assert.ok(b.bytes.every((x) => x === 0));
  b.bytes[5] = 42;
  assert.equal(rt.mem.readU8(b.addr + 5), 42);
  rt.mem.writeU8(b.addr + 6, 43);
  assert.equal(b.bytes[6], 43);
  b.free();
  assert.throws(() => b.free(), RangeError);
  assert.throws(() => allocBuffer(rt.mem, 0), RangeError);
});

test('openat, writev, fsync, readv, statx, renameat, unlinkat and close through promises', async () => {
  const r = newAsync();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uring-async-'));
  const a = path.join(dir, 'a');
  const fd = await r.openat(a, fs.constants.O_CREAT | fs.constants.O_RDWR, 0o600);
  assert.ok(fd >= 0);
  const m = r.ring.mem;
  const data = r.allocBuffer(8);
  data.bytes.set([1, 2, 3, 4, 5, 6, 7, 8]);
  const iov = m.alloc(32);
  m.writeU64(iov, BigInt(data.addr));
  m.writeU64(iov + 8, 3n);
  m.writeU64(iov + 16, BigInt(data.addr + 5));
  m.writeU64(iov + 24, 3n);
  assert.equal(await r.writev(fd, iov, 2, 0), 6);
  assert.equal(await r.fsync(fd), 0);
  assert.equal(await r.fsync(fd, true), 0);
  assert.deepEqual([...fs.readFileSync(a)], [1, 2, 3, 6, 7, 8]);
  data.bytes.fill(0);
  assert.equal(await r.readv(fd, iov, 2, 0), 6);
  assert.deepEqual([...data.bytes], [1, 2, 3, 0, 0, 6, 7, 8]);
  const stx = m.alloc(256);
  const live = m.liveAllocations;
  assert.equal(await r.statx(a, stx), 0);
  assert.equal(m.readU64(stx + 40), 6n, 'stx_size');
  assert.equal(m.readU16(stx + 28) & 0o777, 0o600, 'stx_mode permission bits');
  const b = path.join(dir, 'b');
  assert.equal(await r.renameat(a, b), 0);
  assert.ok(!fs.existsSync(a) && fs.existsSync(b));
  assert.equal(await r.close(fd), 0);
  assert.equal(await r.unlinkat(b), 0);
  assert.ok(!fs.existsSync(b));
  await assert.rejects(r.unlinkat(b), (e: unknown) => e instanceof UringError && e.code === 'ENOENT');
  await assert.rejects(
    r.openat(path.join(dir, 'nope', 'x'), 0),
    (e: unknown) => e instanceof UringError && e.code === 'ENOENT',
  );
  assert.equal(m.liveAllocations, live, 'the path strings of statx/renameat/unlinkat/openat were freed');
  await r.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a call rejected because the ring is shut down frees the path it copied into the address space', async () => {
  const r = newAsync();
  await r.shutdown();
  const live = r.ring.mem.liveAllocations;
  await assert.rejects(r.openat('/tmp/x', 0), (e: unknown) => e instanceof UringError && e.code === 'EBADF');
  await assert.rejects(r.sleep(1_000_000n), (e: unknown) => e instanceof UringError && e.code === 'EBADF');
  assert.equal(r.ring.mem.liveAllocations, live);
});

test('a CQE on CQ 0 that matches no request is kept in .unmatched (with one warning), never thrown, and the AsyncRing goes on', async () => {
  const r = newAsync();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w.message);
  };
  process.on('warning', onWarning);
  try {
    // A raw NOP on CQ 0 behind the AsyncRing's back, then AsyncRing work that reaps past it.
    const s = r.ring.getSqe()!;
    prepRw(IORING_OP_NOP, s, -1, 0, 0, 0).setUserData(0x1234_5678_9abcn);
    const pending = r.nop();
    assert.equal(await pending, 0);
    assert.equal(await r.nop(), 0);
    await new Promise((ok) => setImmediate(ok));
    assert.deepEqual(r.unmatched, [{ userData: 0x1234_5678_9abcn, res: 0, flags: 0, cqIdx: 0 }]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /matches no request/);
  } finally {
    process.off('warning', onWarning);
  }
  await r.shutdown();
});

test('onUnmatched receives CQEs on CQ 0 that match no request', async () => {
  const got: bigint[] = [];
  const r = AsyncRing.create(8, {
    runtime: new Runtime({ size: 8 << 20 }),
    onUnmatched: (c) => got.push(c.userData),
  });
  prepRw(IORING_OP_NOP, r.ring.getSqe()!, -1, 0, 0, 0).setUserData(77n);
  assert.equal(await r.nop(), 0);
  assert.deepEqual(got, [77n]);
  assert.deepEqual(r.unmatched, []);
  await r.shutdown();
});
