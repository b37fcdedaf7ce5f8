/**
 * STATX, as io_uring/statx.c and fs/stat.c of 6.18 do it:
 * - prep: buf_index and splice_fd_in must be 0 (-EINVAL); IOSQE_FIXED_FILE is -EBADF (the dirfd is a
 *   normal fd); the path is read (getname_uflags: an empty path is allowed with AT_EMPTY_PATH,
 *   otherwise -ENOENT; -EFAULT, -ENAMETOOLONG).
 * - issue, in do_statx's order: a reserved mask bit, AT_STATX_FORCE_SYNC with AT_STATX_DONT_SYNC, or
 *   an unknown flag: -EINVAL; then the stat itself (AT_EMPTY_PATH with an empty path: the dirfd's
 *   file, or the cwd for AT_FDCWD; AT_SYMLINK_NOFOLLOW: lstat; a relative path against the dirfd);
 *   only then is the 256-byte struct statx at addr2 written, whole, unused fields zero: a buffer not
 *   wholly addressable is -EFAULT (after the stat, as cp_statx's copy_to_user).
 * stx_mask is STATX_BASIC_STATS, plus STATX_BTIME when the mask asked for it and the filesystem
 * knows the birth time (Node reports 0 when it does not); stx_btime is zero otherwise. That is what
 * 6.18 answers on ext4 and tmpfs (checked on a 6.18 host: mask STATX_BASIC_STATS gets no btime).
 * Departures: the kernel also sets STATX_MNT_ID, which Node cannot give (stx_mnt_id stays 0), and
 * sets stx_attributes_mask (here 0, as stx_attributes). On filesystems with multigrain timestamps
 * (6.13+: ext4, xfs, btrfs, tmpfs) a mask with neither STATX_CTIME nor STATX_MTIME gets neither
 * back; here they are always reported, as other filesystems (procfs) do. AT_NO_AUTOMOUNT and the sync
 * type are accepted and change nothing (Node's stat is AT_STATX_SYNC_AS_STAT).
 */
import { EBADF, EFAULT, EINVAL, EIO } from '../../uapi/errno.js';
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_NO_AUTOMOUNT,
  AT_STATX_SYNC_TYPE,
  AT_SYMLINK_NOFOLLOW,
  STATX,
  STATX__RESERVED,
  STATX_BASIC_STATS,
  STATX_BTIME,
} from '../../uapi/fs.js';
import { IOSQE_FIXED_FILE } from '../../uapi/io_uring.js';
import type { StatResult } from '../backends/types.js';
import { complete, prepPath, runIo } from './file-common.js';
import type { OpDef } from './types.js';

const STATX_FLAGS_OK = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
const NS_PER_S = 1_000_000_000n;

interface StatxArgs {
  readonly path: string;
  readonly bufLo: number;
  readonly bufHi: number;
}

const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));

/** new_encode_dev's inverse, as the kernel splits st_dev: [major, minor]. */
export function splitDev(dev: bigint): [number, number] {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return [u32(major), u32(minor)];
}

/** A time in ns as struct statx_timestamp's (tv_sec, tv_nsec), tv_nsec in [0, 1e9). */
export function splitNs(ns: bigint): [bigint, number] {
  let sec = ns / NS_PER_S;
  let nsec = ns % NS_PER_S;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += NS_PER_S;
  }
  return [sec, Number(nsec)];
}

/** Fill a struct statx for a request `mask` (cp_statx: the whole struct, zeroed first). */
export function encodeStatx(view: Uint8Array, st: StatResult, mask: number): void {
  view.fill(0, 0, STATX.size);
  const dv = new DataView(view.buffer, view.byteOffset, STATX.size);
  const F = STATX.fields;
  const btime = (mask & STATX_BTIME) !== 0 && st.birthtimeNs !== 0n;
  dv.setUint32(F.stx_mask.offset, STATX_BASIC_STATS | (btime ? STATX_BTIME : 0), true);
  dv.setUint32(F.stx_blksize.offset, u32(st.blksize), true);
  dv.setUint32(F.stx_nlink.offset, u32(st.nlink), true);
  dv.setUint32(F.stx_uid.offset, u32(st.uid), true);
  dv.setUint32(F.stx_gid.offset, u32(st.gid), true);
  dv.setUint16(F.stx_mode.offset, Number(st.mode & 0xffffn), true);
  dv.setBigUint64(F.stx_ino.offset, BigInt.asUintN(64, st.ino), true);
  dv.setBigUint64(F.stx_size.offset, BigInt.asUintN(64, st.size), true);
  dv.setBigUint64(F.stx_blocks.offset, BigInt.asUintN(64, st.blocks), true);
  const time = (secOff: number, nsecOff: number, ns: bigint): void => {
    const [s, n] = splitNs(ns);
    dv.setBigInt64(secOff, BigInt.asIntN(64, s), true);
    dv.setUint32(nsecOff, n, true);
  };
  time(F.stx_atime.offset, F.stx_atime_nsec.offset, st.atimeNs);
  if (btime) time(F.stx_btime.offset, F.stx_btime_nsec.offset, st.birthtimeNs);
  time(F.stx_ctime.offset, F.stx_ctime_nsec.offset, st.ctimeNs);
  time(F.stx_mtime.offset, F.stx_mtime_nsec.offset, st.mtimeNs);
  const [rmaj, rmin] = splitDev(st.rdev);
  dv.setUint32(F.stx_rdev_major.offset, rmaj, true);
  dv.setUint32(F.stx_rdev_minor.offset, rmin, true);
  const [dmaj, dmin] = splitDev(st.dev);
  dv.setUint32(F.stx_dev_major.offset, dmaj, true);
  dv.setUint32(F.stx_dev_minor.offset, dmin, true);
}

export const statxOp: OpDef = {
  name: 'STATX',
  ioprio: false,
  bufferSelect: false,
  prep(ring, req) {
    if (req.bufIndex !== 0 || req.spliceFdIn !== 0) return -EINVAL;
    if ((req.flags & IOSQE_FIXED_FILE) !== 0) return -EBADF;
    const path = prepPath(ring, req.addrLo, req.addrHi, (req.opFlags & AT_EMPTY_PATH) !== 0);
    if (typeof path === 'number') return path;
    const args: StatxArgs = { path, bufLo: req.offLo, bufHi: req.offHi };
    req.op = args;
    return 0;
  },
  issue(ring, req) {
    const a = req.op as StatxArgs;
    const flags = req.opFlags;
    if ((req.len & STATX__RESERVED) !== 0) return complete(req, -EINVAL);
    if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return complete(req, -EINVAL);
    if ((flags & ~STATX_FLAGS_OK) !== 0) return complete(req, -EINVAL);
    let path: string | null = null;
    const fd = req.fd;
    if (a.path === '') {
      // AT_EMPTY_PATH with an empty path: the dirfd itself (the cwd for AT_FDCWD).
      if (fd === AT_FDCWD) path = '.';
      else if (fd < 0) return complete(req, -EBADF);
    } else {
      const p = ring.resolveAt(fd, a.path);
      if (typeof p === 'number') return complete(req, p);
      path = p;
    }
    const nofollow = (flags & AT_SYMLINK_NOFOLLOW) !== 0;
    const mask = req.len;
    return runIo(ring, req, (finish) =>
      ring.backend.stat(path, fd, nofollow, (res, st) => {
        if (res < 0 || st === null) {
          finish(res < 0 ? res : -EIO);
          return;
        }
        const view = ring.userView(a.bufLo, a.bufHi, STATX.size);
        if (view === null) {
          finish(-EFAULT);
          return;
        }
        encodeStatx(view, st, mask);
        finish(0);
      }),
    );
  },
};
