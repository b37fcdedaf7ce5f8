/**
 * SQE prep helpers, after liburing's io_uring_prep_*(3). Like liburing they fill every field the op
 * reads and zero the rest except user_data (set it with sqe.setUserData); RFC v2's cq_idx is zeroed
 * too (it lives in the old __pad2 area), so set it after prep with sqe.setCqIdx.
 */
import type { AddressSpace } from '../mem/address-space.js';
import { OPEN_HOW } from '../uapi/fs.js';
import {
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_BPF,
  IORING_OP_CLOSE,
  IORING_OP_FADVISE,
  IORING_OP_FALLOCATE,
  IORING_OP_FSYNC,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_MADVISE,
  IORING_OP_NOP,
  IORING_OP_OPENAT,
  IORING_OP_OPENAT2,
  IORING_OP_READ,
  IORING_OP_READ_FIXED,
  IORING_OP_READV,
  IORING_OP_RENAMEAT,
  IORING_OP_STATX,
  IORING_OP_TIMEOUT,
  IORING_OP_TIMEOUT_REMOVE,
  IORING_OP_UNLINKAT,
  IORING_OP_WRITE,
  IORING_OP_WRITE_FIXED,
  IORING_OP_WRITEV,
  IORING_TIMEOUT_UPDATE,
} from '../uapi/io_uring.js';
import { KERNEL_TIMESPEC } from '../uapi/layout.js';
import type { Sqe, UserData } from './sqe.js';

function split64(v: bigint | number, what: string): [number, number] {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a u64, got ${v}`);
    return [v >>> 0, Math.floor(v / 0x1_0000_0000) >>> 0];
  }
  const u = BigInt.asUintN(64, v);
  if (u !== v) throw new RangeError(`${what} must be a u64, got ${v}`);
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

/** io_uring_prep_rw: the generic form every prep helper builds on. */
export function prepRw(
  op: number,
  sqe: Sqe,
  fd: number,
  addr: bigint | number,
  len: number,
  offset: bigint | number,
): Sqe {
  const [al, ah] = split64(addr, 'addr');
  const [ol, oh] = split64(offset, 'offset');
  sqe.rw(op, fd | 0, al, ah, len >>> 0, ol, oh);
  return sqe;
}

/** io_uring_prep_nop(3). */
export function prepNop(sqe: Sqe): Sqe {
  sqe.rw(IORING_OP_NOP, -1, 0, 0, 0, 0, 0);
  return sqe;
}

/**
 * RFC v2 io_uring_prep_bpf: run the program registered in `slot` (IORING_REGISTER_BPF) as a request;
 * a NOP with opcode IORING_OP_BPF and the slot in the low 32 bits of `off` (spec §7).
 */
export function prepBpf(sqe: Sqe, slot: number): Sqe {
  sqe.rw(IORING_OP_BPF, -1, 0, 0, 0, slot >>> 0, 0);
  return sqe;
}

/**
 * io_uring_prep_timeout(3): complete after the time in the __kernel_timespec at `tsAddr`, or once
 * `count` other CQEs were posted to CQ 0 (res 0 instead of -ETIME). `flags`: IORING_TIMEOUT_ABS.
 */
export function prepTimeout(sqe: Sqe, tsAddr: number, count = 0, flags = 0): Sqe {
  prepRw(IORING_OP_TIMEOUT, sqe, -1, tsAddr, 1, count);
  sqe.set('timeout_flags', flags);
  return sqe;
}

/** io_uring_prep_timeout_remove(3): remove the pending timeout whose user_data is `userData`. */
export function prepTimeoutRemove(sqe: Sqe, userData: UserData, flags = 0): Sqe {
  prepRw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, userData, 0, 0);
  sqe.set('timeout_flags', flags);
  return sqe;
}

/** io_uring_prep_timeout_update(3): re-arm the timeout `userData` with the timespec at `tsAddr`. */
export function prepTimeoutUpdate(sqe: Sqe, tsAddr: number, userData: UserData, flags = 0): Sqe {
  prepRw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, userData, 0, tsAddr);
  sqe.set('timeout_flags', flags | IORING_TIMEOUT_UPDATE);
  return sqe;
}

/** io_uring_prep_link_timeout(3): bound the request linked before this SQE by the timespec at `tsAddr`. */
export function prepLinkTimeout(sqe: Sqe, tsAddr: number, flags = 0): Sqe {
  prepRw(IORING_OP_LINK_TIMEOUT, sqe, -1, tsAddr, 1, 0);
  sqe.set('timeout_flags', flags);
  return sqe;
}

/** io_uring_prep_cancel64(3): cancel the in-flight request whose user_data is `userData`. */
export function prepCancel(sqe: Sqe, userData: UserData, flags = 0): Sqe {
  prepRw(IORING_OP_ASYNC_CANCEL, sqe, -1, userData, 0, 0);
  sqe.set('cancel_flags', flags);
  return sqe;
}

function u32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new RangeError(`${what} must be a u32, got ${v}`);
  return v;
}

/**
 * io_uring_prep_openat(3): open the NUL-terminated path at `pathAddr` relative to `dfd` (AT_FDCWD or a
 * directory fd) with open(2) `flags` (O_*) and `mode`; the CQE's res is the new fd.
 */
export function prepOpenat(sqe: Sqe, dfd: number, pathAddr: number, flags: number, mode = 0): Sqe {
  prepRw(IORING_OP_OPENAT, sqe, dfd, pathAddr, mode, 0);
  sqe.set('op_flags', flags >>> 0);
  return sqe;
}

/** io_uring_prep_read(3): read `len` bytes at `offset` (-1: the current position) into `addr`. */
export function prepRead(sqe: Sqe, fd: number, addr: number, len: number, offset: bigint | number): Sqe {
  return prepRw(IORING_OP_READ, sqe, fd, addr, len, u64Offset(offset));
}

/** io_uring_prep_write(3): write `len` bytes from `addr` at `offset` (-1: the current position). */
export function prepWrite(sqe: Sqe, fd: number, addr: number, len: number, offset: bigint | number): Sqe {
  return prepRw(IORING_OP_WRITE, sqe, fd, addr, len, u64Offset(offset));
}

/** io_uring_prep_readv(3): `nr` struct iovec at `iovAddr`. */
export function prepReadv(sqe: Sqe, fd: number, iovAddr: number, nr: number, offset: bigint | number): Sqe {
  return prepRw(IORING_OP_READV, sqe, fd, iovAddr, nr, u64Offset(offset));
}

/** io_uring_prep_writev(3): `nr` struct iovec at `iovAddr`. */
export function prepWritev(sqe: Sqe, fd: number, iovAddr: number, nr: number, offset: bigint | number): Sqe {
  return prepRw(IORING_OP_WRITEV, sqe, fd, iovAddr, nr, u64Offset(offset));
}

/** io_uring_prep_read_fixed(3): into registered buffer `bufIndex` (the range must lie inside it). */
export function prepReadFixed(
  sqe: Sqe,
  fd: number,
  addr: number,
  len: number,
  offset: bigint | number,
  bufIndex: number,
): Sqe {
  prepRw(IORING_OP_READ_FIXED, sqe, fd, addr, len, u64Offset(offset));
  sqe.set('buf_index', bufIndex);
  return sqe;
}

/** io_uring_prep_write_fixed(3): from registered buffer `bufIndex` (the range must lie inside it). */
export function prepWriteFixed(
  sqe: Sqe,
  fd: number,
  addr: number,
  len: number,
  offset: bigint | number,
  bufIndex: number,
): Sqe {
  prepRw(IORING_OP_WRITE_FIXED, sqe, fd, addr, len, u64Offset(offset));
  sqe.set('buf_index', bufIndex);
  return sqe;
}

/** An offset for an SQE: -1 means "current position" (u64 all ones). */
function u64Offset(offset: bigint | number): bigint | number {
  return offset === -1 || offset === -1n ? 0xffff_ffff_ffff_ffffn : offset;
}

/** io_uring_prep_openat2(3): like prepOpenat with a struct open_how (OPEN_HOW) at `howAddr`. */
export function prepOpenat2(sqe: Sqe, dfd: number, pathAddr: number, howAddr: number): Sqe {
  return prepRw(IORING_OP_OPENAT2, sqe, dfd, pathAddr, OPEN_HOW.size, howAddr);
}

/** io_uring_prep_close(3): close `fd`. */
export function prepClose(sqe: Sqe, fd: number): Sqe {
  return prepRw(IORING_OP_CLOSE, sqe, fd, 0, 0, 0);
}

/**
 * io_uring_prep_statx(3): statx(2) of the path at `pathAddr` (relative to `dfd`) with AT_* `flags`
 * and STATX_* `mask`, into the 256-byte struct statx (STATX) at `statxAddr`.
 */
export function prepStatx(
  sqe: Sqe,
  dfd: number,
  pathAddr: number,
  flags: number,
  mask: number,
  statxAddr: number,
): Sqe {
  prepRw(IORING_OP_STATX, sqe, dfd, pathAddr, mask, statxAddr);
  sqe.set('op_flags', flags >>> 0);
  return sqe;
}

/** io_uring_prep_renameat(3): renameat2(2) with RENAME_* `flags`. */
export function prepRenameat(
  sqe: Sqe,
  oldDfd: number,
  oldPathAddr: number,
  newDfd: number,
  newPathAddr: number,
  flags = 0,
): Sqe {
  prepRw(IORING_OP_RENAMEAT, sqe, oldDfd, oldPathAddr, newDfd >>> 0, newPathAddr);
  sqe.set('op_flags', flags >>> 0);
  return sqe;
}

/** io_uring_prep_unlinkat(3): unlinkat(2); `flags` AT_REMOVEDIR removes a directory. */
export function prepUnlinkat(sqe: Sqe, dfd: number, pathAddr: number, flags = 0): Sqe {
  prepRw(IORING_OP_UNLINKAT, sqe, dfd, pathAddr, 0, 0);
  sqe.set('op_flags', flags >>> 0);
  return sqe;
}

/** io_uring_prep_fsync(3); `flags` IORING_FSYNC_DATASYNC makes it fdatasync. */
export function prepFsync(sqe: Sqe, fd: number, flags = 0): Sqe {
  prepRw(IORING_OP_FSYNC, sqe, fd, 0, 0, 0);
  sqe.set('fsync_flags', flags);
  return sqe;
}

/** io_uring_prep_fallocate(3): fallocate(2) of [offset, offset+len) with FALLOC_FL_* `mode`. */
export function prepFallocate(
  sqe: Sqe,
  fd: number,
  mode: number,
  offset: bigint | number,
  len: bigint | number,
): Sqe {
  return prepRw(IORING_OP_FALLOCATE, sqe, fd, len, mode, offset);
}

/** io_uring_prep_fadvise(3): posix_fadvise(2) of `len` (u32) bytes at `offset` with POSIX_FADV_* `advice`. */
export function prepFadvise(sqe: Sqe, fd: number, offset: bigint | number, len: number, advice: number): Sqe {
  prepRw(IORING_OP_FADVISE, sqe, fd, 0, u32(len, 'len'), offset);
  sqe.set('op_flags', advice >>> 0);
  return sqe;
}

/** io_uring_prep_madvise(3): madvise(2) of `len` (u32) bytes at `addr` with MADV_* `advice`. */
export function prepMadvise(sqe: Sqe, addr: number, len: number, advice: number): Sqe {
  prepRw(IORING_OP_MADVISE, sqe, -1, addr, u32(len, 'len'), 0);
  sqe.set('op_flags', advice >>> 0);
  return sqe;
}

/**
 * Allocate a __kernel_timespec holding `ns` nanoseconds in the address space (for prepTimeout and
 * friends); free it with mem.free() once the request has been submitted (the kernel copies it at prep).
 */
export function allocTimespec(mem: AddressSpace, ns: bigint | number): number {
  const v = BigInt(ns);
  if (v < 0n) throw new RangeError(`a timespec holds a non-negative time, got ${ns} ns`);
  const a = mem.alloc(KERNEL_TIMESPEC.size);
  writeTimespec(mem, a, v);
  return a;
}

/** Write `ns` nanoseconds as {tv_sec, tv_nsec} at `addr`. */
export function writeTimespec(mem: AddressSpace, addr: number, ns: bigint | number): void {
  const v = BigInt(ns);
  mem.writeI64(addr + KERNEL_TIMESPEC.fields.tv_sec.offset, v / 1_000_000_000n);
  mem.writeI64(addr + KERNEL_TIMESPEC.fields.tv_nsec.offset, v % 1_000_000_000n);
}

/** CLOCK_MONOTONIC now, in ns: the clock IORING_TIMEOUT_ABS deadlines use. */
export function monotonicNowNs(): bigint {
  return process.hrtime.bigint();
}
