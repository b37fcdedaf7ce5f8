/**
 * OPENAT, OPENAT2 and CLOSE, as io_uring/openclose.c of 6.18 does them with 5.13's SQE fields:
 * - prep (in the kernel's order): OPENAT2 copies struct open_how from addr2 as copy_struct_from_user
 *   does (len < 24 -EINVAL, a non-zero byte past the 24 known ones -E2BIG, a fault -EFAULT); then
 *   buf_index must be 0 (-EINVAL), IOSQE_FIXED_FILE is -EBADF, and the path is read (getname:
 *   -EFAULT, -ENAMETOOLONG, empty -ENOENT). file_index (direct descriptors, 5.15+) is not supported:
 *   non-zero is -EINVAL.
 * - issue: the flags are checked as build_open_flags does: OPENAT2 strictly (unknown flag bits,
 *   a mode without O_CREAT/O_TMPFILE, bad resolve bits: -EINVAL); OPENAT after build_open_how
 *   dropped unknown bits and the mode of non-creating opens. Then the dirfd is resolved (AT_FDCWD or
 *   an open directory: -EBADF / -ENOTDIR) and the backend opens; the result is a real fd.
 * - CLOSE: off, addr, len, rw_flags and buf_index must be 0 (-EINVAL); IOSQE_FIXED_FILE is -EBADF.
 * Departures: valid RESOLVE_* flags are -EOPNOTSUPP (Node cannot restrict path resolution, and
 * dirfd-relative paths go through /proc/self/fd, a magic link); every fd is opened O_CLOEXEC (libuv
 * always adds it); CLOSE with a file_index (6.x: close a direct descriptor) is -EINVAL.
 */
import { E2BIG, EBADF, EFAULT, EINVAL, EOPNOTSUPP } from '../../uapi/errno.js';
import {
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_LARGEFILE,
  O_NOFOLLOW,
  O_PATH,
  O_TMPFILE_BIT,
  OPEN_HOW,
  RESOLVE_BENEATH,
  RESOLVE_CACHED,
  RESOLVE_IN_ROOT,
  S_IALLUGO,
  VALID_OPEN_FLAGS,
} from '../../uapi/fs.js';
import { IOSQE_FIXED_FILE } from '../../uapi/io_uring.js';
import type { Request } from '../request.js';
import { complete, prepPath, runIo } from './file-common.js';
import type { OpDef, OpRing } from './types.js';

/** Flags an O_PATH open may carry (O_PATH_FLAGS). */
const O_PATH_FLAGS = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
/** Every RESOLVE_* bit 6.18 knows (VALID_RESOLVE_FLAGS). */
const VALID_RESOLVE = BigInt((RESOLVE_CACHED << 1) - 1);

/** What prep read: struct open_how (u64 fields as the kernel keeps them) and the path. */
interface OpenArgs {
  readonly flags: bigint;
  readonly mode: bigint;
  readonly resolve: bigint;
  readonly path: string;
}

/** build_open_how: what OPENAT's (flags, mode) mean as an open_how. */
function buildOpenHow(flags: number, mode: number): { flags: bigint; mode: bigint } {
  let f = flags & VALID_OPEN_FLAGS;
  if ((f & O_PATH) !== 0) f &= O_PATH_FLAGS;
  const creates = (f & (O_CREAT | O_TMPFILE_BIT)) !== 0;
  return { flags: BigInt(f >>> 0), mode: creates ? BigInt(mode & S_IALLUGO) : 0n };
}

/** copy_struct_from_user of struct open_how from addr2 (len bytes); the struct or -errno. */
function copyOpenHow(ring: OpRing, req: Request): { flags: bigint; mode: bigint; resolve: bigint } | number {
  const usize = req.len;
  if (usize < OPEN_HOW.size) return -EINVAL;
  const mem = ring.mem;
  const addr = req.offHi === 0 ? req.offLo : -1;
  // Bytes of [addr, addr + usize) that are addressable: a prefix, or nothing.
  const valid = addr >= 0 && mem.isValid(addr, 1) ? Math.min(usize, mem.size - addr) : 0;
  if (usize > OPEN_HOW.size) {
    // check_zeroed_user: -E2BIG at the first non-zero byte, -EFAULT on reaching a hole first.
    const tail = valid > OPEN_HOW.size ? ring.userView(addr, 0, valid) : null;
    if (tail !== null) for (let i = OPEN_HOW.size; i < valid; i++) if (tail[i] !== 0) return -E2BIG;
    if (valid < usize) return -EFAULT;
  }
  if (valid < OPEN_HOW.size) return -EFAULT;
  const F = OPEN_HOW.fields;
  return {
    flags: mem.readU64(addr + F.flags.offset),
    mode: mem.readU64(addr + F.mode.offset),
    resolve: mem.readU64(addr + F.resolve.offset),
  };
}

/** __io_openat_prep: the checks and the path read shared by OPENAT and OPENAT2. */
function prepOpenCommon(
  ring: OpRing,
  req: Request,
  how: { flags: bigint; mode: bigint; resolve: bigint },
): number {
  if (req.bufIndex !== 0) return -EINVAL;
  if ((req.flags & IOSQE_FIXED_FILE) !== 0) return -EBADF;
  const path = prepPath(ring, req.addrLo, req.addrHi);
  if (typeof path === 'number') return path;
  if (req.spliceFdIn !== 0) return -EINVAL; // file_index: direct descriptors are not supported
  const args: OpenArgs = { ...how, path };
  req.op = args;
  return 0;
}

/**
 * build_open_flags: the flags and mode to open with, or -errno. O_CLOEXEC is ignored by the checks
 * (and always set by libuv); O_LARGEFILE is added unless O_PATH, as force_o_largefile() does.
 */
function openFlags(a: OpenArgs): { flags: number; mode: number } | number {
  const f = a.flags & ~BigInt(O_CLOEXEC);
  if ((f & ~BigInt(VALID_OPEN_FLAGS)) !== 0n) return -EINVAL;
  if ((a.resolve & ~VALID_RESOLVE) !== 0n) return -EINVAL;
  const scoped = BigInt(RESOLVE_BENEATH | RESOLVE_IN_ROOT);
  if ((a.resolve & scoped) === scoped) return -EINVAL;
  const flags = Number(f);
  if ((flags & (O_CREAT | O_TMPFILE_BIT)) !== 0) {
    if ((a.mode & ~BigInt(S_IALLUGO)) !== 0n) return -EINVAL;
  } else if (a.mode !== 0n) {
    return -EINVAL;
  }
  if ((flags & (O_DIRECTORY | O_CREAT)) === (O_DIRECTORY | O_CREAT)) return -EINVAL;
  if ((flags & O_TMPFILE_BIT) !== 0) {
    if ((flags & O_DIRECTORY) === 0) return -EINVAL;
    if ((flags & 3) === 0) return -EINVAL; // O_TMPFILE needs write access
  }
  if ((flags & O_PATH) !== 0 && (flags & ~O_PATH_FLAGS) !== 0) return -EINVAL;
  if (a.resolve !== 0n) return -EOPNOTSUPP;
  const largefile = (flags & O_PATH) !== 0 ? 0 : O_LARGEFILE;
  return { flags: (flags | O_CLOEXEC | largefile) >>> 0, mode: Number(a.mode) };
}

function issueOpen(ring: OpRing, req: Request): boolean {
  const a = req.op as OpenArgs;
  const how = openFlags(a);
  if (typeof how === 'number') return complete(req, how);
  const path = ring.resolveAt(req.fd, a.path);
  if (typeof path === 'number') return complete(req, path);
  return runIo(ring, req, (finish) =>
    ring.backend.open(path, how.flags, how.mode, (fd) => {
      // A new file behind this number: whatever was known of the number is stale.
      if (fd >= 0) ring.forgetFd(fd);
      finish(fd);
    }),
  );
}

export const openatOp: OpDef = {
  name: 'OPENAT',
  ioprio: false,
  bufferSelect: false,
  prep(ring, req) {
    const how = buildOpenHow(req.opFlags, req.len);
    return prepOpenCommon(ring, req, { ...how, resolve: 0n });
  },
  issue: issueOpen,
};

export const openat2Op: OpDef = {
  name: 'OPENAT2',
  ioprio: false,
  bufferSelect: false,
  prep(ring, req) {
    const how = copyOpenHow(ring, req);
    if (typeof how === 'number') return how;
    return prepOpenCommon(ring, req, how);
  },
  issue: issueOpen,
};

export const closeOp: OpDef = {
  name: 'CLOSE',
  ioprio: false,
  bufferSelect: false,
  prep(_ring, req) {
    if ((req.offLo | req.offHi | req.addrLo | req.addrHi | req.len | req.opFlags | req.bufIndex) !== 0) {
      return -EINVAL;
    }
    if ((req.flags & IOSQE_FIXED_FILE) !== 0) return -EBADF;
    if (req.spliceFdIn !== 0) return -EINVAL; // file_index: direct descriptors are not supported
    return 0;
  },
  issue(ring, req) {
    const fd = req.fd;
    if (fd < 0) return complete(req, -EBADF);
    ring.forgetFd(fd);
    // Writes of this fd still queued behind a running one go out first (the kernel's requests hold
    // their own file reference; ours name the fd, so the fd stays open until they are done).
    return runIo(ring, req, (finish) => ring.writes.whenIdle(fd, () => ring.backend.close(fd, finish)));
  },
};
