/**
 * FSYNC and FALLOCATE (io_uring/sync.c of 6.18), FADVISE and MADVISE (io_uring/advise.c):
 * - FSYNC: addr, buf_index, splice_fd_in must be 0 and fsync_flags other than IORING_FSYNC_DATASYNC
 *   are -EINVAL (prep); DATASYNC is fdatasync. off/len (a range) are accepted; the whole file is synced.
 * - FALLOCATE: off = offset, addr = length, len = mode; buf_index, rw_flags, splice_fd_in must be 0
 *   (prep). Issue, as vfs_fallocate: offset < 0 or length <= 0 -EINVAL; a mode the kernel does not
 *   know -EOPNOTSUPP; then the backend (fs.ts: mode 0 extends the file with ftruncate, no blocks are
 *   preallocated; FALLOC_FL_KEEP_SIZE changes nothing; other valid modes -EOPNOTSUPP).
 * - FADVISE: off = offset, len (or, 6.7+, a 64-bit length in addr), fadvise_advice; buf_index and
 *   splice_fd_in must be 0. The backend checks it as generic_fadvise (FIFO -ESPIPE, negative length
 *   or advice past POSIX_FADV_NOREUSE -EINVAL) and drops it: advice never changes what I/O returns.
 * - MADVISE: addr, len (or, 6.7+, a 64-bit length in off), fadvise_advice; buf_index and
 *   splice_fd_in must be 0. Checked as do_madvise: unknown advice, an unaligned start or a wrapping
 *   range -EINVAL; a range not wholly inside the address space (the NULL page included) -ENOMEM.
 * Departures: MADVISE is accepted and does nothing; in particular MADV_DONTNEED does not zero the
 * pages as it would on private anonymous memory (the rings live in the same memory here).
 * MADV_REMOVE is -EINVAL (the memory is anonymous); MADV_HWPOISON and MADV_SOFT_OFFLINE are -EPERM
 * (as without CAP_SYS_ADMIN); MADV_GUARD_INSTALL/REMOVE (6.13) are -EINVAL as before 6.13.
 */
import { NULL_PAGE_SIZE } from '../../mem/address-space.js';
import { EINVAL, ENOMEM, EOPNOTSUPP, EPERM } from '../../uapi/errno.js';
import {
  FALLOC_FL_COLLAPSE_RANGE,
  FALLOC_FL_INSERT_RANGE,
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  FALLOC_FL_UNSHARE_RANGE,
  FALLOC_FL_WRITE_ZEROES,
  FALLOC_FL_ZERO_RANGE,
  MADV_COLLAPSE,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_HWPOISON,
  MADV_REMOVE,
  MADV_SOFT_OFFLINE,
} from '../../uapi/fs.js';
import { IORING_FSYNC_DATASYNC } from '../../uapi/io_uring.js';
import { complete, runIo, s64, u64 } from './file-common.js';
import type { OpDef } from './types.js';

const FALLOC_FL_MODE_MASK =
  FALLOC_FL_PUNCH_HOLE |
  FALLOC_FL_COLLAPSE_RANGE |
  FALLOC_FL_ZERO_RANGE |
  FALLOC_FL_INSERT_RANGE |
  FALLOC_FL_UNSHARE_RANGE |
  FALLOC_FL_WRITE_ZEROES;

/** vfs_fallocate's mode check: whether the kernel knows `mode` (else -EOPNOTSUPP). */
function fallocModeKnown(mode: number): boolean {
  if ((mode & ~(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE)) !== 0) return false;
  const keep = (mode & FALLOC_FL_KEEP_SIZE) !== 0;
  switch (mode & FALLOC_FL_MODE_MASK) {
    case 0: // FALLOC_FL_ALLOCATE_RANGE
    case FALLOC_FL_UNSHARE_RANGE:
    case FALLOC_FL_ZERO_RANGE:
      return true;
    case FALLOC_FL_PUNCH_HOLE:
      return keep;
    case FALLOC_FL_COLLAPSE_RANGE:
    case FALLOC_FL_INSERT_RANGE:
    case FALLOC_FL_WRITE_ZEROES:
      return !keep;
    default:
      return false; // more than one mode
  }
}

export const fsyncOp: OpDef = {
  name: 'FSYNC',
  ioprio: false,
  bufferSelect: false,
  prep(_ring, req) {
    if ((req.addrLo | req.addrHi | req.bufIndex | req.spliceFdIn) !== 0) return -EINVAL;
    if ((req.opFlags & ~IORING_FSYNC_DATASYNC) !== 0) return -EINVAL;
    return 0;
  },
  issue(ring, req) {
    const fd = ring.fileFor(req);
    if (fd < 0) return complete(req, fd);
    const datasync = (req.opFlags & IORING_FSYNC_DATASYNC) !== 0;
    return runIo(ring, req, (finish) => ring.backend.fsync(fd, datasync, finish));
  },
};

export const fallocateOp: OpDef = {
  name: 'FALLOCATE',
  ioprio: false,
  bufferSelect: false,
  prep(_ring, req) {
    if ((req.bufIndex | req.opFlags | req.spliceFdIn) !== 0) return -EINVAL;
    return 0;
  },
  issue(ring, req) {
    const fd = ring.fileFor(req);
    if (fd < 0) return complete(req, fd);
    const offset = s64(req.offLo, req.offHi);
    const len = s64(req.addrLo, req.addrHi);
    const mode = req.len | 0;
    if (offset < 0n || len <= 0n) return complete(req, -EINVAL);
    if (!fallocModeKnown(mode)) return complete(req, -EOPNOTSUPP);
    return runIo(ring, req, (finish) => ring.backend.fallocate(fd, mode, offset, len, finish));
  },
};

export const fadviseOp: OpDef = {
  name: 'FADVISE',
  ioprio: false,
  bufferSelect: false,
  prep(_ring, req) {
    if ((req.bufIndex | req.spliceFdIn) !== 0) return -EINVAL;
    return 0;
  },
  issue(ring, req) {
    const fd = ring.fileFor(req);
    if (fd < 0) return complete(req, fd);
    const offset = s64(req.offLo, req.offHi);
    const len64 = s64(req.addrLo, req.addrHi);
    const len = len64 !== 0n ? len64 : BigInt(req.len >>> 0);
    const advice = req.opFlags | 0;
    return runIo(ring, req, (finish) => ring.backend.fadvise(fd, offset, len, advice, finish));
  },
};

const PAGE = 0x1000n;
const U64_LIMIT = 1n << 64n;

/** madvise_behavior_valid of 6.18 (without the guard advice of 6.13, see above). */
function madviseValid(advice: number): boolean {
  return (
    (advice >= 0 && advice <= MADV_DONTNEED) ||
    (advice >= MADV_FREE && advice <= MADV_COLLAPSE) ||
    advice === MADV_HWPOISON ||
    advice === MADV_SOFT_OFFLINE
  );
}

/** do_madvise on an address space of `size` bytes whose first page is unmapped: 0 or -errno. */
export function madvise(size: number, start: bigint, lenIn: bigint, advice: number): number {
  if (!madviseValid(advice)) return -EINVAL;
  if ((start & (PAGE - 1n)) !== 0n) return -EINVAL;
  const len = BigInt.asUintN(64, (lenIn + PAGE - 1n) & ~(PAGE - 1n));
  if (lenIn !== 0n && len === 0n) return -EINVAL;
  const end = start + len;
  if (end >= U64_LIMIT) return -EINVAL;
  if (end === start) return 0;
  if (advice === MADV_HWPOISON || advice === MADV_SOFT_OFFLINE) return -EPERM;
  const lo = BigInt(NULL_PAGE_SIZE);
  const hi = BigInt(size);
  if (advice === MADV_REMOVE) return start < hi && end > lo ? -EINVAL : -ENOMEM;
  return start >= lo && end <= hi ? 0 : -ENOMEM;
}

export const madviseOp: OpDef = {
  name: 'MADVISE',
  ioprio: false,
  bufferSelect: false,
  prep(_ring, req) {
    if ((req.bufIndex | req.spliceFdIn) !== 0) return -EINVAL;
    return 0;
  },
  issue(ring, req) {
    const len64 = u64(req.offLo, req.offHi);
    const len = len64 !== 0n ? len64 : BigInt(req.len >>> 0);
    return complete(req, madvise(ring.mem.size, u64(req.addrLo, req.addrHi), len, req.opFlags | 0));
  },
};
