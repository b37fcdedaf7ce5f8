/**
 * RENAMEAT and UNLINKAT (io_uring/fs.c of 6.18), and SPLICE and TEE (io_uring/splice.c), which
 * Node cannot do:
 * - RENAMEAT: fd = olddirfd, addr = oldpath, len = newdirfd, addr2 = newpath, rename_flags. Prep:
 *   buf_index and splice_fd_in must be 0 (-EINVAL), IOSQE_FIXED_FILE is -EBADF, both paths are read
 *   (-EFAULT, -ENAMETOOLONG, empty -ENOENT). Issue, as do_renameat2: unknown flags, or
 *   RENAME_NOREPLACE/RENAME_WHITEOUT with RENAME_EXCHANGE, -EINVAL; then the dirfds are resolved.
 * - UNLINKAT: fd = dirfd, addr = path, unlink_flags. Prep: off, len, buf_index, splice_fd_in must be
 *   0 and flags other than AT_REMOVEDIR are -EINVAL; IOSQE_FIXED_FILE is -EBADF; the path is read.
 *   AT_REMOVEDIR removes a directory (rmdir), otherwise unlink (a directory: -EISDIR).
 * - SPLICE/TEE: prep checks the fields the kernel checks (splice_flags, TEE's offsets: -EINVAL),
 *   issue looks up both fds (-EBADF), then -EOPNOTSUPP. The probe reports them unsupported.
 * Departure: valid RENAME_* flags are -EOPNOTSUPP: Node has no renameat2, and none of them can be
 * emulated atomically (a check-then-rename NOREPLACE would race; link+unlink fails on directories).
 */
import { EBADF, EINVAL, EOPNOTSUPP } from '../../uapi/errno.js';
import { AT_REMOVEDIR, RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT } from '../../uapi/fs.js';
import { IOSQE_FIXED_FILE, SPLICE_F_FD_IN_FIXED } from '../../uapi/io_uring.js';
import type { Request } from '../request.js';
import { complete, prepPath, runIo } from './file-common.js';
import type { OpDef, OpRing } from './types.js';

const RENAME_ALL = RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT;
/** SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT. */
const SPLICE_F_ALL = 0xf;

interface RenameArgs {
  readonly from: string;
  readonly to: string;
}

export const renameatOp: OpDef = {
  name: 'RENAMEAT',
  ioprio: false,
  bufferSelect: false,
  prep(ring, req) {
    if (req.bufIndex !== 0 || req.spliceFdIn !== 0) return -EINVAL;
    if ((req.flags & IOSQE_FIXED_FILE) !== 0) return -EBADF;
    const from = prepPath(ring, req.addrLo, req.addrHi);
    if (typeof from === 'number') return from;
    const to = prepPath(ring, req.offLo, req.offHi);
    if (typeof to === 'number') return to;
    const args: RenameArgs = { from, to };
    req.op = args;
    return 0;
  },
  issue(ring, req) {
    const a = req.op as RenameArgs;
    const flags = req.opFlags;
    if ((flags & ~RENAME_ALL) !== 0) return complete(req, -EINVAL);
    if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) !== 0 && (flags & RENAME_EXCHANGE) !== 0) {
      return complete(req, -EINVAL);
    }
    if (flags !== 0) return complete(req, -EOPNOTSUPP);
    const from = ring.resolveAt(req.fd, a.from);
    if (typeof from === 'number') return complete(req, from);
    const to = ring.resolveAt(req.len | 0, a.to);
    if (typeof to === 'number') return complete(req, to);
    return runIo(ring, req, (finish) => ring.backend.rename(from, to, finish));
  },
};

export const unlinkatOp: OpDef = {
  name: 'UNLINKAT',
  ioprio: false,
  bufferSelect: false,
  prep(ring, req) {
    if ((req.offLo | req.offHi | req.len | req.bufIndex | req.spliceFdIn) !== 0) return -EINVAL;
    if ((req.flags & IOSQE_FIXED_FILE) !== 0) return -EBADF;
    if ((req.opFlags & ~AT_REMOVEDIR) !== 0) return -EINVAL;
    const path = prepPath(ring, req.addrLo, req.addrHi);
    if (typeof path === 'number') return path;
    req.op = path;
    return 0;
  },
  issue(ring, req) {
    const path = ring.resolveAt(req.fd, req.op as string);
    if (typeof path === 'number') return complete(req, path);
    const b = ring.backend;
    const rmdir = (req.opFlags & AT_REMOVEDIR) !== 0;
    return runIo(ring, req, (finish) => (rmdir ? b.rmdir(path, finish) : b.unlink(path, finish)));
  },
};

/** The fd_in of a SPLICE/TEE: splice_fd_in, or its registered-file slot with SPLICE_F_FD_IN_FIXED. */
function spliceFdIn(ring: OpRing, req: Request): number {
  if ((req.opFlags & SPLICE_F_FD_IN_FIXED) !== 0) return ring.resources.fixedFile(req.spliceFdIn);
  return req.spliceFdIn < 0 ? -EBADF : req.spliceFdIn;
}

function spliceOp(name: string, tee: boolean): OpDef {
  return {
    name,
    ioprio: false,
    bufferSelect: false,
    prep(_ring, req) {
      // TEE has no offsets: splice_off_in (addr) and off must be 0.
      if (tee && (req.addrLo | req.addrHi | req.offLo | req.offHi) !== 0) return -EINVAL;
      if ((req.opFlags & ~(SPLICE_F_FD_IN_FIXED | SPLICE_F_ALL)) !== 0) return -EINVAL;
      return 0;
    },
    issue(ring, req) {
      const out = ring.fileFor(req);
      if (out < 0) return complete(req, out);
      const inp = spliceFdIn(ring, req);
      if (inp < 0) return complete(req, inp);
      return complete(req, -EOPNOTSUPP);
    },
  };
}

export const spliceOpDef = spliceOp('SPLICE', false);
export const teeOp = spliceOp('TEE', true);
