/**
 * READ, WRITE, READV, WRITEV, READ_FIXED, WRITE_FIXED with 6.18's checks and results:
 * - READV/WRITEV import their iovec array at prep (a bad array fails the SQE at submit, and the
 *   array may be reused as soon as submit returns);
 * - the file is looked up at issue, before anything else there (bad fd: -EBADF, probe T05/T07);
 * - READ/WRITE_FIXED then check the registered buffer (-EFAULT, T44), then rw_flags and the offset;
 * - a buffer not wholly inside the address space is -EFAULT; zero bytes never fault;
 * - off == -1 (u64 all ones) means the file's current position; offsets past 2^63 are -EINVAL;
 * - a short read or write completes with the byte count and breaks a LINK chain (T09);
 * - streams ignore the offset; a READ on a FIFO waits for data without tying a pool thread to a
 *   blocking read(2), so it can be cancelled (and closed) and then consumes nothing.
 */
import { EAGAIN, EALREADY, ECANCELED, EFAULT, EINVAL, EOPNOTSUPP, ESPIPE } from '../../uapi/errno.js';
import {
  IOVEC,
  RWF_APPEND,
  RWF_DSYNC,
  RWF_HIPRI,
  RWF_SUPPORTED,
  RWF_SYNC,
  UIO_MAXIOV,
} from '../../uapi/fs.js';
import type { Position } from '../backends/types.js';
import { REQ_F_FAIL, type Request } from '../request.js';
import { MAX_RW_COUNT, type QueuedWrite } from '../write-queue.js';
import type { OpDef, OpRing } from './types.js';

const EMPTY = new Uint8Array(0);

type Kind = 'plain' | 'vec' | 'fixed';

/** What prep of a vectored op imported. */
interface VecData {
  views: Uint8Array[];
  total: number;
}

/** sqe->off as a position: -1 for "current", a number or bigint offset, or null when invalid. */
function position(req: Request): Position | null {
  if (req.offLo === 0xffffffff && req.offHi === 0xffffffff) return -1;
  if (req.offHi >= 0x80000000) return null;
  if (req.offHi < 0x200000) return req.offHi * 0x1_0000_0000 + req.offLo;
  return (BigInt(req.offHi) << 32n) | BigInt(req.offLo);
}

/** The iovec array as views, or -EFAULT / -EINVAL (iovec_from_user + import_iovec). */
function importIovec(ring: OpRing, req: Request): VecData | number {
  const n = req.len;
  if (n > UIO_MAXIOV) return -EINVAL;
  if (n === 0) return { views: [], total: 0 };
  const arr = ring.userView(req.addrLo, req.addrHi, n * IOVEC.size);
  if (arr === null) return -EFAULT;
  const mem = ring.mem;
  const base = arr.byteOffset;
  const views: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const b = mem.readU64(base + i * IOVEC.size);
    const l = mem.readU64(base + i * IOVEC.size + 8);
    if (l >= 1n << 63n) return -EINVAL;
    if (l === 0n) continue;
    // import_iovec caps the total at MAX_RW_COUNT; a longer vector is truncated, not refused.
    const len = Math.min(Number(l > BigInt(MAX_RW_COUNT) ? BigInt(MAX_RW_COUNT) : l), MAX_RW_COUNT - total);
    if (len === 0) continue;
    const v = b < 0x1_0000_0000n ? ring.userView(Number(b), 0, len) : null;
    if (v === null) return -EFAULT;
    total += len;
    views.push(v);
  }
  return { views, total };
}

function prepRw(ring: OpRing, req: Request, kind: Kind): number {
  if (req.ioprio >>> 13 > 3) return -EINVAL;
  if (kind === 'vec') {
    const v = importIovec(ring, req);
    if (typeof v === 'number') return v;
    req.op = v;
  }
  return 0;
}

/** rw_flags: 0 when usable, else -EOPNOTSUPP (unknown) or -EINVAL (HIPRI without IOPOLL). */
function checkFlags(flags: number): number {
  if ((flags & ~RWF_SUPPORTED) !== 0) return -EOPNOTSUPP;
  if ((flags & RWF_HIPRI) !== 0) return -EINVAL;
  return 0;
}

function issueRw(ring: OpRing, req: Request, write: boolean, kind: Kind): boolean {
  const fd = ring.fileFor(req);
  if (fd < 0) {
    req.res = fd;
    return true;
  }
  let views: Uint8Array[];
  let want: number;
  if (kind === 'vec') {
    const v = req.op as VecData;
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
    const view = want === 0 ? EMPTY : ring.userView(req.addrLo, req.addrHi, want);
    if (view === null) {
      req.res = -EFAULT;
      return true;
    }
    views = [view];
  }
  const flags = req.opFlags;
  const bad = checkFlags(flags);
  const pos = position(req);
  if (bad !== 0 || pos === null) {
    req.res = bad !== 0 ? bad : -EINVAL;
    return true;
  }
  if (views.length === 0) {
    req.res = 0;
    return true;
  }
  const b = ring.backend;
  const stream = ring.isStream(fd);
  if (!write && stream && views.length === 1 && b.openNonblocking !== undefined) {
    const nb = b.openNonblocking(fd);
    // Sockets and character devices cannot be reopened that way: they take the blocking path.
    if (nb >= 0) return pollRead(ring, req, nb, views[0]!, want);
  }
  // IOCB_APPEND: at the end of the file whatever the offset says, the end read when the write starts.
  const append = write && (flags & RWF_APPEND) !== 0 && !stream;
  const wq = write && !stream && (append || ring.writes.merging) ? ring.writes : null;
  /** The queued write while it waits behind another write of its file (cancellable until it starts). */
  let queued: QueuedWrite | null = null;
  const token =
    wq === null
      ? ring.startIo(req)
      : ring.startIo(req, () => {
          if (queued === null || !wq.cancel(queued)) return -EALREADY;
          queued = null;
          ring.queueTaskWork(() => ring.endIo(req, -ECANCELED, token));
          return 0;
        });
  const finish = (res: number): void => {
    if (res >= 0 && res < want) req.flags |= REQ_F_FAIL;
    if (write && res > 0 && (flags & (RWF_DSYNC | RWF_SYNC)) !== 0) {
      b.fsync(fd, (flags & RWF_SYNC) === 0, (r) => ring.endIo(req, r < 0 ? r : res, token));
      return;
    }
    ring.endIo(req, res, token);
  };
  const run = (p: Position): void => {
    const done = (res: number): void => {
      // Streams have no offset: the kernel ignores it, Node's pread fails ESPIPE.
      if (res === -ESPIPE && p !== -1) run(-1);
      else finish(res);
    };
    if (wq !== null) {
      queued = wq.add(fd, views, want, p, done, append);
    } else if (views.length === 1 && kind !== 'vec') {
      if (write) b.write(fd, views[0]!, p, done);
      else b.read(fd, views[0]!, p, done);
    } else if (write) {
      b.writev(fd, views, p, done);
    } else {
      b.readv(fd, views, p, done);
    }
  };
  run(stream ? -1 : pos);
  return false;
}

/**
 * A READ on a FIFO: try a non-blocking read on `nb`, a second O_NONBLOCK open of the same pipe; while it
 * has no data, retry with a growing delay (setImmediate twice, then 1 ms up to 16 ms). Between tries
 * the request can be cancelled (ASYNC_CANCEL, a link timeout, close) without consuming anything.
 */
function pollRead(ring: OpRing, req: Request, nb: number, view: Uint8Array, want: number): boolean {
  const b = ring.backend;
  /** Cancels the pending retry; null while a read attempt is in the backend. */
  let stopRetry: (() => void) | null = null;
  let cancelled = false;
  let tries = 0;
  let token = 0;
  const end = (res: number): void => {
    b.close(nb, () => undefined);
    if (res >= 0 && res < want) req.flags |= REQ_F_FAIL;
    ring.endIo(req, res, token);
  };
  const attempt = (): void => {
    stopRetry = null;
    b.read(nb, view, -1, (res) => {
      if (res !== -EAGAIN) return end(res);
      if (cancelled) return end(-ECANCELED);
      tries++;
      if (tries <= 2) {
        const h = setImmediate(attempt);
        stopRetry = () => clearImmediate(h);
      } else {
        const h = setTimeout(attempt, Math.min(16, 2 ** (tries - 3)));
        stopRetry = () => clearTimeout(h);
      }
    });
  };
  token = ring.startIo(req, () => {
    if (cancelled) return -EALREADY;
    cancelled = true;
    // Between tries: stop now. During a try: its EAGAIN ends the request (data, if any, is kept).
    if (stopRetry !== null) {
      stopRetry();
      stopRetry = null;
      ring.queueTaskWork(() => end(-ECANCELED));
    }
    return 0;
  });
  attempt();
  return false;
}

function rwOp(name: string, write: boolean, kind: Kind): OpDef {
  return {
    name,
    ioprio: true,
    bufferSelect: false,
    prep: (ring, req) => prepRw(ring, req, kind),
    issue: (ring, req) => issueRw(ring, req, write, kind),
  };
}

export const readOp = rwOp('READ', false, 'plain');
export const writeOp = rwOp('WRITE', true, 'plain');
export const readvOp = rwOp('READV', false, 'vec');
export const writevOp = rwOp('WRITEV', true, 'vec');
export const readFixedOp = rwOp('READ_FIXED', false, 'fixed');
export const writeFixedOp = rwOp('WRITE_FIXED', true, 'fixed');
