/** Helpers shared by the file ops (open.ts, statx.ts, fsops.ts, sync.ts). */
import { ENOENT } from '../../uapi/errno.js';
import type { Done } from '../backends/types.js';
import type { Request } from '../request.js';
import type { OpRing } from './types.js';

/** A u64 SQE field given as two u32 halves. */
export function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** A u64 SQE field read as the kernel's loff_t (signed 64-bit). */
export function s64(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, u64(lo, hi));
}

/** Complete at once with `res` (the return value of an issue that finished inline). */
export function complete(req: Request, res: number): true {
  req.res = res;
  return true;
}

/**
 * Hand the request's work to the backend: it is in flight (not cancellable, waited for by close)
 * until the backend reports, and then completes with what was reported.
 */
export function runIo(ring: OpRing, req: Request, start: (finish: Done) => void): false {
  const token = ring.startIo(req);
  start((res) => ring.endIo(req, res, token));
  return false;
}

/**
 * A path argument read at prep (the kernel's getname): the string, or -EFAULT / -ENAMETOOLONG /
 * -ENOENT. `allowEmpty` is getname_uflags with AT_EMPTY_PATH: an empty string is then a path.
 */
export function prepPath(ring: OpRing, lo: number, hi: number, allowEmpty = false): string | number {
  const p = ring.userPath(lo, hi);
  return p === -ENOENT && allowEmpty ? '' : p;
}
