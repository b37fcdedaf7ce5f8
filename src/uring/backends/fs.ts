/**
 * The default backend: Node's fs (callback API, libuv thread pool). Buffers are views straight into
 * the shared address space, so reads land in and writes come from user memory with no copy.
 */
import fs from 'node:fs';
import { EBADF, EFBIG, EINVAL, EIO, ENODEV, EOPNOTSUPP, ESPIPE } from '../../uapi/errno.js';
import {
  FALLOC_FL_KEEP_SIZE,
  POSIX_FADV_NOREUSE,
  S_IFBLK,
  S_IFDIR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
} from '../../uapi/fs.js';
import type { Done, IoBackend, Position, StatResult } from './types.js';

/** A Node error (or anything thrown) as a negative errno. */
export function errnoOf(e: unknown): number {
  if (e !== null && typeof e === 'object') {
    const n = (e as { errno?: unknown }).errno;
    if (typeof n === 'number' && n !== 0) return -Math.abs(n);
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_OUT_OF_RANGE' || code === 'ERR_INVALID_ARG_TYPE' || code === 'ERR_INVALID_ARG_VALUE') {
      return -EINVAL;
    }
  }
  return -EIO;
}

function validFd(fd: number): boolean {
  return Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff;
}

/** Node takes null (not -1) for "current position" on vectored calls. */
function posArg(pos: Position): number | bigint | null {
  return pos === -1 || pos === -1n ? null : pos;
}

const EMPTY = new Uint8Array(0);
const LOFF_MAX = (1n << 63n) - 1n;

/** Report `res` asynchronously, as a real completion would be. */
function later(done: Done, res: number): void {
  queueMicrotask(() => done(res));
}

/** Call a Node fs function; a synchronous throw (bad argument) becomes a completion too. */
function guard(done: Done, f: () => void): void {
  try {
    f();
  } catch (e) {
    later(done, errnoOf(e));
  }
}

const ns = (s: fs.BigIntStats, which: 'atime' | 'mtime' | 'ctime' | 'birthtime'): bigint =>
  s[`${which}Ns` as const];

function toStat(s: fs.BigIntStats): StatResult {
  return {
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    rdev: s.rdev,
    size: s.size,
    blksize: s.blksize,
    blocks: s.blocks,
    atimeNs: ns(s, 'atime'),
    mtimeNs: ns(s, 'mtime'),
    ctimeNs: ns(s, 'ctime'),
    birthtimeNs: ns(s, 'birthtime'),
  };
}

export class FsBackend implements IoBackend {
  readonly name = 'node-fs';

  openNonblocking(fd: number): number {
    if (!validFd(fd)) return -EBADF;
    try {
      // Linux: /proc/self/fd/N reopens the pipe itself (a new open file description).
      return fs.openSync(`/proc/self/fd/${fd}`, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      return errnoOf(e);
    }
  }

  read(fd: number, buf: Uint8Array, pos: Position, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    // The hot paths: try/catch inline rather than through guard(), to allocate one closure, not two.
    try {
      fs.read(fd, buf, 0, buf.length, pos, (err, n) => done(err ? errnoOf(err) : n));
    } catch (e) {
      later(done, errnoOf(e));
    }
  }

  write(fd: number, buf: Uint8Array, pos: Position, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    const p = posArg(pos);
    try {
      fs.write(fd, buf, 0, buf.length, p === null ? null : Number(p), (err, n) =>
        done(err ? errnoOf(err) : n),
      );
    } catch (e) {
      later(done, errnoOf(e));
    }
  }

  readv(fd: number, bufs: Uint8Array[], pos: Position, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    const p = posArg(pos);
    guard(done, () =>
      fs.readv(fd, bufs, p === null ? null : Number(p), (err, n) => done(err ? errnoOf(err) : n)),
    );
  }

  writev(fd: number, bufs: Uint8Array[], pos: Position, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    const p = posArg(pos);
    guard(done, () =>
      fs.writev(fd, bufs, p === null ? null : Number(p), (err, n) => done(err ? errnoOf(err) : n)),
    );
  }

  fsync(fd: number, datasync: boolean, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    const cb = (err: NodeJS.ErrnoException | null): void => done(err ? errnoOf(err) : 0);
    guard(done, () => (datasync ? fs.fdatasync(fd, cb) : fs.fsync(fd, cb)));
  }

  open(path: string, flags: number, mode: number, done: Done): void {
    guard(done, () => fs.open(path, flags, mode, (err, fd) => done(err ? errnoOf(err) : fd)));
  }

  close(fd: number, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    guard(done, () => fs.close(fd, (err) => done(err ? errnoOf(err) : 0)));
  }

  ftruncate(fd: number, len: number, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    guard(done, () => fs.ftruncate(fd, len, (err) => done(err ? errnoOf(err) : 0)));
  }

  stat(
    path: string | null,
    fd: number,
    nofollow: boolean,
    done: (res: number, st: StatResult | null) => void,
  ): void {
    const cb = (err: NodeJS.ErrnoException | null, s: fs.BigIntStats): void =>
      err ? done(errnoOf(err), null) : done(0, toStat(s));
    try {
      if (path === null) {
        if (!validFd(fd)) {
          queueMicrotask(() => done(-EBADF, null));
          return;
        }
        fs.fstat(fd, { bigint: true }, cb);
      } else if (nofollow) {
        fs.lstat(path, { bigint: true }, cb);
      } else {
        fs.stat(path, { bigint: true }, cb);
      }
    } catch (e) {
      queueMicrotask(() => done(errnoOf(e), null));
    }
  }

  /**
   * fallocate emulated with what Node has (fstat, a zero-length write, ftruncate), in the order of
   * vfs_fallocate's checks:
   * - not open for writing: -EBADF (a zero-length write(2) says exactly that; a directory is never
   *   open for writing); FIFO: -ESPIPE; other non-regular files: -ENODEV (before the write check,
   *   so that no zero-length write reaches a socket or device); offset + len past 2^63 - 1: -EFBIG;
   * - mode 0 extends the file to offset + len with ftruncate when it is shorter: the new range is a
   *   hole, no blocks are preallocated (a later write may still fail -ENOSPC); past 2^53 - 1, -EFBIG;
   * - FALLOC_FL_KEEP_SIZE changes nothing; every other mode, and block devices: -EOPNOTSUPP, as from
   *   a filesystem without them.
   * Not atomic: a write that extends the file between the size check and the ftruncate can be cut
   * back; order such writes with IOSQE_IO_LINK.
   */
  fallocate(fd: number, mode: number, offset: bigint, len: bigint, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    const end = offset + len;
    const extend = (): void =>
      fs.fstat(fd, { bigint: true }, (err, st) => {
        if (err) done(errnoOf(err));
        else if (end <= st.size) done(0);
        else if (end > BigInt(Number.MAX_SAFE_INTEGER)) done(-EFBIG);
        else fs.ftruncate(fd, Number(end), (e) => done(e ? errnoOf(e) : 0));
      });
    guard(done, () =>
      fs.fstat(fd, { bigint: true }, (err, st) => {
        if (err) {
          done(errnoOf(err));
          return;
        }
        const fmt = Number(st.mode) & S_IFMT;
        if (fmt === S_IFDIR) {
          done(-EBADF);
          return;
        }
        if (fmt !== S_IFREG && fmt !== S_IFBLK && fmt !== S_IFIFO) {
          done(-ENODEV);
          return;
        }
        guard(done, () =>
          fs.write(fd, EMPTY, 0, 0, null, (werr) => {
            if (werr) done(errnoOf(werr));
            else if (fmt === S_IFIFO) done(-ESPIPE);
            else if (end > LOFF_MAX) done(-EFBIG);
            else if (fmt === S_IFBLK || (mode & ~FALLOC_FL_KEEP_SIZE) !== 0) done(-EOPNOTSUPP);
            else if (mode !== 0) done(0);
            else guard(done, extend);
          }),
        );
      }),
    );
  }

  /**
   * posix_fadvise checked as generic_fadvise checks it (FIFO: -ESPIPE; negative len or unknown
   * advice: -EINVAL), then dropped: Node has no fadvise, and advice never changes what I/O returns.
   */
  fadvise(fd: number, _offset: bigint, len: bigint, advice: number, done: Done): void {
    if (!validFd(fd)) {
      later(done, -EBADF);
      return;
    }
    guard(done, () =>
      fs.fstat(fd, { bigint: true }, (err, st) => {
        if (err) done(errnoOf(err));
        else if ((Number(st.mode) & S_IFMT) === S_IFIFO) done(-ESPIPE);
        else if (len < 0n || advice < 0 || advice > POSIX_FADV_NOREUSE) done(-EINVAL);
        else done(0);
      }),
    );
  }

  rename(from: string, to: string, done: Done): void {
    guard(done, () => fs.rename(from, to, (err) => done(err ? errnoOf(err) : 0)));
  }

  unlink(path: string, done: Done): void {
    guard(done, () => fs.unlink(path, (err) => done(err ? errnoOf(err) : 0)));
  }

  rmdir(path: string, done: Done): void {
    guard(done, () => fs.rmdir(path, (err) => done(err ? errnoOf(err) : 0)));
  }
}
