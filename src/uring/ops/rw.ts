/**
 * READ, WRITE, READV, WRITEV, READ_FIXED, WRITE_FIXED with 6.18's checks and results:
 * - the file is looked up at issue (bad fd: -EBADF, before any buffer check, probe T05/T07);
 * - a buffer not wholly inside the address space is -EFAULT; a READ/WRITE_FIXED range outside its
 *   registered buffer, or a bad buf_index, is -EFAULT (T44);
 * - off == -1 (u64 all ones) means the file's current position; other offsets past 2^63 are -EINVAL;
 * - a short read or write completes with the byte count and breaks a LINK chain (T09);
 * - streams (pipes) ignore the offset, as the kernel's FMODE_STREAM files do.
 * The I/O runs in the backend straight on views of the address space.
 */
import { EFAULT, EINVAL, EOPNOTSUPP, ESPIPE } from '../../uapi/errno.js';
import { IOVEC, RWF_DSYNC, RWF_NOWAIT, RWF_SYNC, UIO_MAXIOV } from '../../uapi/fs.js';

import type { Position } from '../backends/types.js';
import { REQ_F_FAIL, type Request } from '../request.js';
import type { OpDef, OpRing } from './types.js';

/** Largest transfer of one read/write (MAX_RW_COUNT = INT_MAX & PAGE_MASK). */
const MAX_RW_COUNT = 0x7ffff000;
/** rw_flags we honour: NOWAIT is accepted (the backend may block a pool thread), (D)SYNC syncs after a write. */
const RW_FLAGS_OK = RWF_NOWAIT | RWF_DSYNC | RWF_SYNC;

type Kind = 'plain' | 'vec' | 'fixed';

/** sqe->off as a position: -1 for "current", a number or bigint offset, or null when invalid. */
function position(req: Request): Position | null {
  if (req.offLo === 0xffffffff && req.offHi === 0xffffffff) return -1;
  if (req.offHi >= 0x80000000) return null;
  if (req.offHi < 0x200000) return req.offHi * 0x1_0000_0000 + req.offLo;
  return (BigInt(req.offHi) << 32n) | BigInt(req.offLo);
}

/** ioprio: class in bits 13-15 must be NONE, RT, BE or IDLE. */
function prepRw(_ring: OpRing, req: Request): number {
  if (req.ioprio >>> 13 > 3) return -EINVAL;
  return 0;
}

/** The iovec array of a READV/WRITEV as views, or -EFAULT / -EINVAL. */
function iovecViews(ring: OpRing, req: Request): { views: Uint8Array[]; total: number } | number {
  const n = req.len;
  if (n > UIO_MAXIOV) return -EINVAL;
  const arr = ring.userView(req.addrLo, req.addrHi, n * IOVEC.size);
  if (arr === null) return -EFAULT;
  const mem = ring.mem;
  const base = arr.byteOffset;
  const views: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const b = mem.readU64(base + i * IOVEC.size);
    const l = mem.readU64(base + i * IOVEC.size + 8);
    if (l > BigInt(MAX_RW_COUNT)) return -EINVAL;
    const len = Number(l);
    if (len === 0) continue;
    const v = b < 0x1_0000_0000n ? ring.userView(Number(b), 0, len) : null;
    if (v === null) return -EFAULT;
    total += len;
    if (total > MAX_RW_COUNT) return -EINVAL;
    views.push(v);
  }
  return { views, total };
}

function issueRw(ring: OpRing, req: Request, write: boolean, kind: Kind): boolean {
  const fd = ring.fileFor(req);
  if (fd < 0) {
    req.res = fd;
    return true;
  }
  const flags = req.opFlags;
  if ((flags & ~RW_FLAGS_OK) !== 0) {
    req.res = -EOPNOTSUPP;
    return true;
  }
  const pos = position(req);
  if (pos === null) {
    req.res = -EINVAL;
    return true;
  }
  let views: Uint8Array[];
  let want: number;
  if (kind === 'vec') {
    const v = iovecViews(ring, req);
    if (typeof v === 'number') {
      req.res = v;
      return true;
    }
    views = v.views;
    want = v.total;
  } else {
    want = Math.min(req.len, MAX_RW_COUNT);
    if (kind === 'fixed') {
      const addr = req.addrHi === 0 ? req.addrLo : -1;
      if (addr < 0 || !ring.resources.fixedBufferCovers(req.bufIndex, addr, want)) {
        req.res = -EFAULT;
        return true;
      }
    }
    const view = ring.userView(req.addrLo, req.addrHi, want);
    if (view === null) {
      req.res = -EFAULT;
      return true;
    }
    views = [view];
  }
  ring.startIo(req);
  const b = ring.backend;
  if (views.length === 1 && kind !== 'vec' && (flags & (RWF_DSYNC | RWF_SYNC)) === 0) {
    // The common case, with one closure: a single buffer and no sync after it.
    const view = views[0]!;
    const done = (res: number): void => {
      if (res === -ESPIPE && pos !== -1) {
        if (write) b.write(fd, view, -1, done);
        else b.read(fd, view, -1, done);
        return;
      }
      if (res >= 0 && res < want) req.flags |= REQ_F_FAIL;
      ring.endIo(req, res);
    };
    if (write) b.write(fd, view, pos, done);
    else b.read(fd, view, pos, done);
    return false;
  }
  const finish = (res: number): void => {
    if (res >= 0 && res < want) req.flags |= REQ_F_FAIL;
    if (write && res > 0 && (flags & (RWF_DSYNC | RWF_SYNC)) !== 0) {
      b.fsync(fd, (flags & RWF_SYNC) === 0, (r) => ring.endIo(req, r < 0 ? r : res));
      return;
    }
    ring.endIo(req, res);
  };
  const run = (p: Position): void => {
    const done = (res: number): void => {
      // Pipes and other streams have no offset: the kernel ignores it, Node's pread fails ESPIPE.
      if (res === -ESPIPE && p !== -1) run(-1);
      else finish(res);
    };
    if (views.length === 1 && kind !== 'vec') {
      if (write) b.write(fd, views[0]!, p, done);
      else b.read(fd, views[0]!, p, done);
    } else if (write) {
      b.writev(fd, views, p, done);
    } else {
      b.readv(fd, views, p, done);
    }
  };
  run(pos);
  return false;
}

function rwOp(name: string, write: boolean, kind: Kind): OpDef {
  return {
    name,
    ioprio: true,
    bufferSelect: false,
    prep: prepRw,
    issue: (ring, req) => issueRw(ring, req, write, kind),
  };
}

export const readOp = rwOp('READ', false, 'plain');
export const writeOp = rwOp('WRITE', true, 'plain');
export const readvOp = rwOp('READV', false, 'vec');
export const writevOp = rwOp('WRITEV', true, 'vec');
export const readFixedOp = rwOp('READ_FIXED', false, 'fixed');
export const writeFixedOp = rwOp('WRITE_FIXED', true, 'fixed');
