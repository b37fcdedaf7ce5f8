/**
 * File ops, part 1: OPENAT, OPENAT2, CLOSE, STATX, RENAMEAT, UNLINKAT on real files in a temp dir:
 * results as the kernel's and every error path of the op files' headers; with gcc, struct statx is
 * checked against <linux/stat.h> and the real statx(2) (tools/layout/statx_check.c).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  prepClose,
  prepOpenat,
  prepOpenat2,
  prepRenameat,
  prepStatx,
  prepUnlinkat,
} from '../src/liburing/prep.js';
import type { Sqe } from '../src/liburing/sqe.js';
import * as E from '../src/uapi/errno.js';
import * as F from '../src/uapi/fs.js';
import * as U from '../src/uapi/io_uring.js';
import { splitDev } from '../src/uring/ops/statx.js';
import { cstr, run, type Tweak, tempDir } from './file-ops-common.js';
import { hasTool, newRing, repoRoot } from './helpers.js';

const { dir: TMP, tmp } = tempDir();

const isOpen = (fd: number): boolean => {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

test('OPENAT opens and creates (AT_FDCWD, absolute, dirfd-relative); CLOSE closes the fd', async () => {
  const ring = newRing(8);
  const p = tmp();
  const fd = await run(ring, (s) => prepOpenat(s, F.AT_FDCWD, cstr(ring, p), F.O_CREAT | F.O_RDWR, 0o600));
  assert.ok(fd >= 0, `fd ${fd}`);
  assert.equal(fs.fstatSync(fd).ino, fs.statSync(p).ino);
  assert.equal(fs.statSync(p).mode & 0o777, 0o600);
  fs.writeSync(fd, 'hello');
  assert.equal(await run(ring, (s) => prepClose(s, fd)), 0);
  assert.equal(isOpen(fd), false);
  // Relative to the cwd with AT_FDCWD, and relative to an open directory fd.
  const rel = path.relative(process.cwd(), p);
  const fd2 = await run(ring, (s) => prepOpenat(s, F.AT_FDCWD, cstr(ring, rel), F.O_RDONLY));
  assert.equal(fs.readFileSync(fd2, 'utf8'), 'hello');
  fs.closeSync(fd2);
  const dfd = fs.openSync(TMP, 'r');
  const fd3 = await run(ring, (s) => prepOpenat(s, dfd, cstr(ring, path.basename(p)), F.O_RDONLY));
  assert.equal(fs.fstatSync(fd3).ino, fs.statSync(p).ino);
  fs.closeSync(fd3);
  // O_EXCL on an existing file, a missing file, a bad or non-directory dirfd.
  const c = (flags: number, where = F.AT_FDCWD, name = p) =>
    run(ring, (s) => prepOpenat(s, where, cstr(ring, name), flags, 0o600));
  assert.equal(await c(F.O_CREAT | F.O_EXCL | F.O_WRONLY), -E.EEXIST);
  assert.equal(await c(F.O_RDONLY, F.AT_FDCWD, tmp()), -E.ENOENT);
  assert.equal(await c(F.O_RDONLY, 9999, 'x'), -E.EBADF);
  assert.equal(await c(F.O_RDONLY, -5, 'x'), -E.EBADF);
  const file = fs.openSync(p, 'r');
  assert.equal(await c(F.O_RDONLY, file, 'x'), -E.ENOTDIR);
  // An absolute path ignores the dirfd, even a bad one.
  const fd4 = await c(F.O_RDONLY, 9999, p);
  assert.ok(fd4 >= 0);
  for (const f of [file, fd4, dfd]) fs.closeSync(f);
  // 6.18's build_open_flags: O_DIRECTORY|O_CREAT and O_TMPFILE read-only are -EINVAL.
  assert.equal(await c(F.O_DIRECTORY | F.O_CREAT), -E.EINVAL);
  assert.equal(await c(F.O_TMPFILE | F.O_RDONLY, F.AT_FDCWD, TMP), -E.EINVAL);
  await ring.close();
});

test('OPENAT/CLOSE prep errors: FIXED_FILE -EBADF, buf_index / file_index / ioprio -EINVAL, path faults', async () => {
  const ring = newRing(8);
  const p = cstr(ring, tmp('x'));
  const open = (s: Sqe): Sqe => prepOpenat(s, F.AT_FDCWD, p, F.O_RDONLY);
  assert.equal(await run(ring, open, {}, U.IOSQE_FIXED_FILE), -E.EBADF);
  assert.equal(await run(ring, open, { buf_index: 1 }), -E.EINVAL);
  assert.equal(await run(ring, open, { splice_fd_in: 1 }), -E.EINVAL);
  assert.equal(await run(ring, open, { ioprio: 1 }), -E.EINVAL);
  assert.equal(await run(ring, (s) => prepOpenat(s, F.AT_FDCWD, 0, F.O_RDONLY)), -E.EFAULT);
  assert.equal(await run(ring, open, { addr: 1n << 40n }), -E.EFAULT);
  assert.equal(await run(ring, (s) => prepOpenat(s, F.AT_FDCWD, cstr(ring, ''), 0)), -E.ENOENT);
  const long = cstr(ring, `/${'a'.repeat(5000)}`);
  assert.equal(await run(ring, (s) => prepOpenat(s, F.AT_FDCWD, long, 0)), -E.ENAMETOOLONG);
  const close = (s: Sqe): Sqe => prepClose(s, 9999);
  assert.equal(await run(ring, close), -E.EBADF);
  assert.equal(await run(ring, (s) => prepClose(s, -1)), -E.EBADF);
  for (const t of [
    { addr: 8 },
    { len: 1 },
    { off: 1 },
    { rw_flags: 1 },
    { buf_index: 1 },
    { splice_fd_in: 1 },
  ]) {
    assert.equal(await run(ring, close, t), -E.EINVAL, JSON.stringify(t));
  }
  assert.equal(await run(ring, close, {}, U.IOSQE_FIXED_FILE), -E.EBADF);
  await ring.close();
});

test('OPENAT2: struct open_how copied as copy_struct_from_user; flags, mode and resolve checked', async () => {
  const ring = newRing(8);
  const m = ring.mem;
  const p = tmp('data');
  const pathA = cstr(ring, p);
  const how = m.alloc(64);
  const setHow = (flags: bigint, mode = 0n, resolve = 0n, tail = 0): void => {
    m.writeU64(how, flags);
    m.writeU64(how + 8, mode);
    m.writeU64(how + 16, resolve);
    m.writeU64(how + 24, BigInt(tail));
  };
  const open2 = (tweak: Tweak = {}) => run(ring, (s) => prepOpenat2(s, F.AT_FDCWD, pathA, how), tweak);
  setHow(BigInt(F.O_RDONLY));
  const fd = await open2();
  assert.equal(fs.readFileSync(fd, 'utf8'), 'data');
  fs.closeSync(fd);
  // A larger struct with a zero tail is fine; a non-zero tail byte is -E2BIG; shorter than 24 -EINVAL.
  const fd2 = await open2({ len: 32 });
  assert.ok(fd2 >= 0);
  fs.closeSync(fd2);
  setHow(BigInt(F.O_RDONLY), 0n, 0n, 1);
  assert.equal(await open2({ len: 32 }), -E.E2BIG);
  assert.equal(await open2({ len: 16 }), -E.EINVAL);
  // The struct, or its claimed tail, not addressable: -EFAULT.
  assert.equal(await open2({ off: 0 }), -E.EFAULT);
  assert.equal(await open2({ off: m.size - 16 }), -E.EFAULT);
  // Unknown flag bits, a mode without O_CREAT, bad resolve bits: -EINVAL; valid resolve: -EOPNOTSUPP.
  setHow(1n << 40n);
  assert.equal(await open2(), -E.EINVAL);
  setHow(BigInt(F.O_RDONLY), 0o644n);
  assert.equal(await open2(), -E.EINVAL);
  setHow(BigInt(F.O_CREAT | F.O_WRONLY), 0o10000n);
  assert.equal(await open2(), -E.EINVAL);
  setHow(BigInt(F.O_RDONLY), 0n, 0x40n);
  assert.equal(await open2(), -E.EINVAL);
  setHow(BigInt(F.O_RDONLY), 0n, BigInt(F.RESOLVE_BENEATH | F.RESOLVE_IN_ROOT));
  assert.equal(await open2(), -E.EINVAL);
  setHow(BigInt(F.O_RDONLY), 0n, BigInt(F.RESOLVE_BENEATH));
  assert.equal(await open2(), -E.EOPNOTSUPP);
  setHow(BigInt(F.O_PATH | F.O_RDWR));
  assert.equal(await open2(), -E.EINVAL);
  await ring.close();
});

test('STATX fills struct statx byte-exact, field by field as fs.statSync; NOFOLLOW, EMPTY_PATH, dirfd', async () => {
  const ring = newRing(8);
  const m = ring.mem;
  const p = tmp('0123456789');
  const link = tmp();
  fs.symlinkSync(p, link);
  const buf = m.alloc(F.STATX.size);
  const ALL = F.STATX_BASIC_STATS | F.STATX_BTIME;
  const sx = (name: string, flags = 0, dfd = F.AT_FDCWD, tweak: Tweak = {}, mask = ALL) => {
    m.fill(buf, 0xff, F.STATX.size);
    return run(ring, (s) => prepStatx(s, dfd, cstr(ring, name), flags, mask, buf), tweak);
  };
  const check = (st: fs.BigIntStats, mask = ALL): void => {
    const S = F.STATX.fields;
    const u32 = (f: keyof typeof S) => BigInt(m.readU32(buf + S[f].offset));
    const time = (f: 'stx_atime' | 'stx_btime' | 'stx_ctime' | 'stx_mtime') =>
      m.readI64(buf + S[f].offset) * 1_000_000_000n + u32(`${f}_nsec`);
    const btime = (mask & F.STATX_BTIME) !== 0 && st.birthtimeNs !== 0n;
    assert.equal(Number(u32('stx_mask')), F.STATX_BASIC_STATS | (btime ? F.STATX_BTIME : 0));
    assert.equal(u32('stx_blksize'), st.blksize);
    assert.equal(u32('stx_nlink'), st.nlink);
    assert.equal(u32('stx_uid'), st.uid);
    assert.equal(u32('stx_gid'), st.gid);
    assert.equal(BigInt(m.readU16(buf + S.stx_mode.offset)), st.mode);
    assert.equal(m.readU64(buf + S.stx_ino.offset), st.ino);
    assert.equal(m.readU64(buf + S.stx_size.offset), st.size);
    assert.equal(m.readU64(buf + S.stx_blocks.offset), st.blocks);
    assert.equal(m.readU64(buf + S.stx_attributes.offset), 0n);
    assert.equal(time('stx_atime'), st.atimeNs);
    assert.equal(time('stx_mtime'), st.mtimeNs);
    assert.equal(time('stx_ctime'), st.ctimeNs);
    assert.equal(time('stx_btime'), btime ? st.birthtimeNs : 0n);
    assert.deepEqual([Number(u32('stx_dev_major')), Number(u32('stx_dev_minor'))], splitDev(st.dev));
    assert.deepEqual([Number(u32('stx_rdev_major')), Number(u32('stx_rdev_minor'))], splitDev(st.rdev));
    // Every byte outside the fields (padding, spares) was zeroed.
    const covered = new Set<number>();
    for (const f of Object.values(S))
      for (let i = 0; i < (f.type === 'u16' ? 2 : f.type === 'u32' ? 4 : 8); i++) covered.add(f.offset + i);
    for (let i = 0; i < F.STATX.size; i++)
      if (!covered.has(i)) assert.equal(m.readU8(buf + i), 0, `byte ${i}`);
  };
  assert.equal(await sx(p), 0);
  check(fs.statSync(p, { bigint: true }));
  // The birth time only when asked for (6.18 on ext4/tmpfs); any mask gets the basic stats.
  for (const mask of [F.STATX_BASIC_STATS, F.STATX_SIZE, 0]) {
    assert.equal(await sx(p, 0, F.AT_FDCWD, {}, mask), 0);
    check(fs.statSync(p, { bigint: true }), mask);
  }
  assert.equal(await sx(link), 0);
  check(fs.statSync(link, { bigint: true }));
  assert.equal(await sx(link, F.AT_SYMLINK_NOFOLLOW), 0);
  check(fs.lstatSync(link, { bigint: true }));
  const dfd = fs.openSync(TMP, 'r');
  assert.equal(await sx(path.basename(p), 0, dfd), 0);
  check(fs.statSync(p, { bigint: true }));
  const fd = fs.openSync(p, 'r');
  assert.equal(await sx('', F.AT_EMPTY_PATH, fd), 0);
  check(fs.fstatSync(fd, { bigint: true }));
  assert.equal(await sx('', F.AT_EMPTY_PATH, F.AT_FDCWD), 0);
  check(fs.statSync('.', { bigint: true }));
  assert.equal(await sx('/dev/null'), 0);
  check(fs.statSync('/dev/null', { bigint: true }));
  // Errors: empty path without AT_EMPTY_PATH, missing file, bad fds, flags, mask, buffer.
  assert.equal(await sx(''), -E.ENOENT);
  assert.equal(await sx('', F.AT_EMPTY_PATH, 9999), -E.EBADF);
  assert.equal(await sx('', F.AT_EMPTY_PATH, -7), -E.EBADF);
  assert.equal(await sx(tmp()), -E.ENOENT);
  assert.equal(await sx('x', 0, 9999), -E.EBADF);
  assert.equal(await sx('x', 0, fd), -E.ENOTDIR);
  assert.equal(await sx(p, 0x8000), -E.EINVAL);
  assert.equal(await sx(p, F.AT_STATX_FORCE_SYNC | F.AT_STATX_DONT_SYNC), -E.EINVAL);
  assert.equal(await sx(p, F.AT_STATX_FORCE_SYNC | F.AT_NO_AUTOMOUNT), 0);
  assert.equal(await sx(p, 0, F.AT_FDCWD, { len: F.STATX__RESERVED }), -E.EINVAL);
  assert.equal(await sx(p, 0, F.AT_FDCWD, { off: m.size - 100 }), -E.EFAULT);
  assert.equal(await sx(p, 0, F.AT_FDCWD, { off: 0 }), -E.EFAULT);
  // The buffer is only written after a successful stat: a missing file is -ENOENT even then.
  assert.equal(await sx(tmp(), 0, F.AT_FDCWD, { off: 0 }), -E.ENOENT);
  assert.equal(await sx(p, 0, F.AT_FDCWD, { buf_index: 1 }), -E.EINVAL);
  assert.equal(await sx(p, 0, F.AT_FDCWD, { splice_fd_in: 1 }), -E.EINVAL);
  assert.equal(await sx(p, 0, F.AT_FDCWD, { addr: 0 }), -E.EFAULT);
  m.fill(buf, 0, 1);
  assert.equal(
    await run(ring, (s) => prepStatx(s, F.AT_FDCWD, cstr(ring, p), 0, 0, buf), {}, U.IOSQE_FIXED_FILE),
    -E.EBADF,
  );
  fs.closeSync(fd);
  fs.closeSync(dfd);
  await ring.close();
});

test('dev/rdev split as the kernel: glibc makedev numbers round-trip', () => {
  const makedev = (ma: bigint, mi: bigint): bigint =>
    ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
  for (const [ma, mi] of [
    [0n, 0n],
    [1n, 3n],
    [259n, 0x12345n],
    [0xfffffn, 0xffffffn],
    [0xabcdef12n, 0x87654321n],
  ] as const) {
    assert.deepEqual(splitDev(makedev(ma, mi)), [Number(ma), Number(mi)]);
  }
});

/* ------------------------------------------------------------------ C checks (gcc) */

const PROGRAM = path.join(repoRoot(), 'tools/layout/statx_check.c');
const CC = hasTool('gcc') && fs.existsSync('/usr/include/linux/stat.h');
let exe = '';
function statxCheck(...args: string[]): string {
  if (exe === '') {
    exe = path.join(TMP, 'statx_check');
    const cc = spawnSync('gcc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-o', exe, PROGRAM], {
      encoding: 'utf8',
    });
    if (cc.status !== 0) throw new Error(`gcc failed on ${PROGRAM}:\n${cc.stderr}`);
  }
  const r = spawnSync(exe, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${exe} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

test(
  'struct statx layout equals <linux/stat.h> (tools/layout/statx_check.c)',
  { skip: CC ? false : 'needs gcc and linux/stat.h' },
  () => {
    const size = { u16: 2, u32: 4, s32: 4, u64: 8, s64: 8 } as const;
    const want = [`sizeof statx ${F.STATX.size}`];
    for (const [n, f] of Object.entries(F.STATX.fields)) want.push(`field ${n} ${f.offset} ${size[f.type]}`);
    assert.deepEqual(statxCheck().trim().split('\n'), want);
  },
);

test(
  'STATX values equal the real statx(2) of the same files',
  { skip: CC ? false : 'needs gcc' },
  async () => {
    const ring = newRing(8);
    const buf = ring.mem.alloc(F.STATX.size);
    for (const p of [tmp('abc'), '/dev/null', TMP]) {
      assert.equal(
        await run(ring, (s) => prepStatx(s, F.AT_FDCWD, cstr(ring, p), F.AT_SYMLINK_NOFOLLOW, 0xfff, buf)),
        0,
      );
      for (const line of statxCheck(p).trim().split('\n')) {
        const [, name, v] = line.split(' ') as [string, keyof typeof F.STATX.fields, string];
        const f = F.STATX.fields[name];
        let got =
          f.type === 'u16'
            ? ring.mem.readU16(buf + f.offset)
            : f.type === 'u32'
              ? ring.mem.readU32(buf + f.offset)
              : ring.mem.readU64(buf + f.offset);
        if (name === 'stx_mask') got = Number(got) | (Number(v) & ~(F.STATX_BASIC_STATS | F.STATX_BTIME)); // +MNT_ID etc.
        if (f.type === 's64') got = BigInt.asIntN(64, BigInt(got));
        assert.equal(String(got), v, `${p} ${name}`);
      }
    }
    await ring.close();
  },
);

/* ------------------------------------------------------------------ RENAMEAT, UNLINKAT */

test('RENAMEAT and UNLINKAT: success, dirfds, flags and prep errors', async () => {
  const ring = newRing(8);
  const a = tmp('A');
  const b = tmp();
  const ren = (
    from: string,
    to: string,
    flags = 0,
    od = F.AT_FDCWD,
    nd = F.AT_FDCWD,
    tweak: Tweak = {},
    sf = 0,
  ) => run(ring, (s) => prepRenameat(s, od, cstr(ring, from), nd, cstr(ring, to), flags), tweak, sf);
  assert.equal(await ren(a, b), 0);
  assert.equal(fs.readFileSync(b, 'utf8'), 'A');
  assert.equal(fs.existsSync(a), false);
  const dfd = fs.openSync(TMP, 'r');
  assert.equal(await ren(path.basename(b), path.basename(a), 0, dfd, dfd), 0);
  assert.equal(fs.readFileSync(a, 'utf8'), 'A');
  assert.equal(await ren(tmp(), b), -E.ENOENT);
  assert.equal(await ren(a, b, F.RENAME_NOREPLACE), -E.EOPNOTSUPP);
  assert.equal(await ren(a, b, F.RENAME_EXCHANGE), -E.EOPNOTSUPP);
  assert.equal(await ren(a, b, F.RENAME_EXCHANGE | F.RENAME_NOREPLACE), -E.EINVAL);
  assert.equal(await ren(a, b, 8), -E.EINVAL);
  assert.equal(await ren('x', 'y', 0, 9999), -E.EBADF);
  assert.equal(await ren(a, 'y', 0, F.AT_FDCWD, 9999), -E.EBADF);
  assert.equal(await ren(a, b, 0, F.AT_FDCWD, F.AT_FDCWD, { off: 0 }), -E.EFAULT);
  assert.equal(await ren(a, '', 0), -E.ENOENT);
  assert.equal(await ren(a, b, 0, F.AT_FDCWD, F.AT_FDCWD, { buf_index: 1 }), -E.EINVAL);
  assert.equal(await ren(a, b, 0, F.AT_FDCWD, F.AT_FDCWD, { splice_fd_in: 1 }), -E.EINVAL);
  assert.equal(await ren(a, b, 0, F.AT_FDCWD, F.AT_FDCWD, {}, U.IOSQE_FIXED_FILE), -E.EBADF);
  assert.equal(fs.readFileSync(a, 'utf8'), 'A');

  const unl = (p: string, flags = 0, dfd2 = F.AT_FDCWD, tweak: Tweak = {}, sf = 0) =>
    run(ring, (s) => prepUnlinkat(s, dfd2, cstr(ring, p), flags), tweak, sf);
  const d = tmp();
  fs.mkdirSync(d);
  assert.equal(await unl(d), -E.EISDIR);
  assert.equal(await unl(a, F.AT_REMOVEDIR), -E.ENOTDIR);
  assert.equal(await unl(d, F.AT_REMOVEDIR), 0);
  assert.equal(fs.existsSync(d), false);
  assert.equal(await unl(a, 0x100), -E.EINVAL);
  for (const t of [{ off: 1 }, { len: 1 }, { buf_index: 1 }, { splice_fd_in: 1 }]) {
    assert.equal(await unl(a, 0, F.AT_FDCWD, t), -E.EINVAL, JSON.stringify(t));
  }
  assert.equal(await unl(a, 0, F.AT_FDCWD, {}, U.IOSQE_FIXED_FILE), -E.EBADF);
  assert.equal(await unl(a, 0, F.AT_FDCWD, { addr: 0 }), -E.EFAULT);
  assert.equal(await unl(path.basename(a), 0, dfd), 0);
  assert.equal(fs.existsSync(a), false);
  assert.equal(await unl(a), -E.ENOENT);
  fs.closeSync(dfd);
  await ring.close();
});
