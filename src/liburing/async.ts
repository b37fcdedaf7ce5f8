/**
 * The promise API: `await ring.read(fd, addr, len, offset)` and friends on top of IoUring.
 *
 * An AsyncRing owns CQ 0 of its ring: every CQE there is matched to the promise of the request that
 * produced it (user_data carries a slot number). Calls made in the same event-loop tick are
 * submitted together with one enter; one waiter reaps CQ 0 while anything is in flight. Results are
 * the CQE's res; a negative res rejects the promise with a UringError (code 'ENOENT', 'EBADF', ...),
 * as fs.promises does. Extra CQs and raw SQEs (via `.ring`) stay available for other uses.
 */
import { EBADF } from '../uapi/errno.js';
import { AT_FDCWD } from '../uapi/fs.js';
import {
  IORING_ENTER_GETEVENTS,
  IORING_FSYNC_DATASYNC,
  IORING_OP_CLOSE,
  IORING_OP_FSYNC,
  IORING_OP_NOP,
  IORING_OP_TIMEOUT,
} from '../uapi/io_uring.js';
import { allocBuffer, type UserBuffer } from './buffer.js';
import type { Cqe, CqeData } from './cqe.js';
import { UringError } from './errors.js';
import {
  allocTimespec,
  prepOpenat,
  prepRead,
  prepReadv,
  prepRenameat,
  prepRw,
  prepStatx,
  prepUnlinkat,
  prepWrite,
  prepWritev,
} from './prep.js';
import { IoUring, type QueueInitOptions } from './ring.js';
import type { Sqe } from './sqe.js';

/** One slot of requests in flight; reused, so that a request allocates no bookkeeping object. */
interface Pending {
  op: string;
  resolve: (res: number) => void;
  reject: (e: Error) => void;
  /** Memory to free once the request completed (paths, timespecs). */
  scratch: number;
  active: boolean;
}

const noop = (): void => undefined;

export interface AsyncRingOptions {
  /** Called with each CQE on CQ 0 that matches no request (default: kept in `.unmatched`). */
  readonly onUnmatched?: (cqe: CqeData) => void;
}

/** u64 "current position" offset. */
const CURRENT = -1;

export class AsyncRing {
  readonly ring: IoUring;
  readonly #slots: Pending[] = [];
  readonly #free: number[] = [];
  #inflight = 0;
  #unsubmitted = 0;
  #submitQueued = false;
  #reaping = false;
  readonly #cqes: Cqe[] = [];
  #closed = false;
  /**
   * CQEs that arrived on CQ 0 for no request of this AsyncRing (raw SQEs submitted through `.ring`
   * without a CQ of their own), oldest first, when no `onUnmatched` handler was given. CQ 0 belongs
   * to the AsyncRing: route other work to an extra CQ (sqe cq_idx) instead.
   */
  readonly unmatched: CqeData[] = [];
  readonly #onUnmatched: ((cqe: CqeData) => void) | null;
  #warned = false;

  constructor(ring: IoUring, options: AsyncRingOptions = {}) {
    this.ring = ring;
    this.#onUnmatched = options.onUnmatched ?? null;
  }

  /** A ring of `entries` SQ entries driven by promises. */
  static create(entries = 64, options: QueueInitOptions & AsyncRingOptions = {}): AsyncRing {
    const { onUnmatched, ...init } = options;
    return new AsyncRing(IoUring.queueInit(entries, init), onUnmatched === undefined ? {} : { onUnmatched });
  }

  #unmatched(c: CqeData): void {
    if (this.#onUnmatched !== null) {
      this.#onUnmatched(c);
      return;
    }
    this.unmatched.push(c);
    if (!this.#warned) {
      this.#warned = true;
      process.emitWarning(
        `AsyncRing: a CQE on CQ 0 (user_data ${c.userData}, res ${c.res}) matches no request; kept in .unmatched (CQ 0 is owned by the AsyncRing: give other SQEs their own CQ)`,
        'UringWarning',
      );
    }
  }

  /** Allocate a user buffer in this ring's address space (page-aligned by default). */
  allocBuffer(length: number, align = 4096): UserBuffer {
    return allocBuffer(this.ring.mem, length, align);
  }

  /** Requests submitted or queued and not yet completed. */
  get inflight(): number {
    return this.#inflight;
  }

  /* ------------------------------------------------------------------ ops */

  /** io_uring_prep_nop(3). */
  nop(): Promise<number> {
    return this.#op('nop', (s) => prepRw(IORING_OP_NOP, s, -1, 0, 0, 0));
  }

  /** io_uring_prep_read(3): read up to `len` bytes at `addr`; offset -1 (default) = current position. */
  read(fd: number, addr: number, len: number, offset: number | bigint = CURRENT): Promise<number> {
    const sqe = this.#acquire('read');
    if (sqe instanceof Error) return Promise.reject(sqe);
    prepRead(sqe, fd, addr, len, offset);
    return this.#track(sqe, 'read', 0);
  }

  /** io_uring_prep_write(3): write `len` bytes from `addr`; offset -1 (default) = current position. */
  write(fd: number, addr: number, len: number, offset: number | bigint = CURRENT): Promise<number> {
    const sqe = this.#acquire('write');
    if (sqe instanceof Error) return Promise.reject(sqe);
    prepWrite(sqe, fd, addr, len, offset);
    return this.#track(sqe, 'write', 0);
  }

  /** io_uring_prep_readv(3): `nr` struct iovec at `iovAddr`; resolves with the bytes read. */
  readv(fd: number, iovAddr: number, nr: number, offset: number | bigint = CURRENT): Promise<number> {
    return this.#op('readv', (s) => prepReadv(s, fd, iovAddr, nr, offset));
  }

  /** io_uring_prep_writev(3): `nr` struct iovec at `iovAddr`; resolves with the bytes written. */
  writev(fd: number, iovAddr: number, nr: number, offset: number | bigint = CURRENT): Promise<number> {
    return this.#op('writev', (s) => prepWritev(s, fd, iovAddr, nr, offset));
  }

  /**
   * io_uring_prep_statx(3): statx(2) of `path` into the 256-byte struct statx at `statxAddr`
   * (src/uapi STATX describes its layout); resolves with 0.
   */
  statx(path: string, statxAddr: number, mask = 0x7ff, flags = 0, dirfd = AT_FDCWD): Promise<number> {
    const p = this.#cstring(path);
    return this.#op('statx', (s) => prepStatx(s, dirfd, p, flags, mask, statxAddr), p);
  }

  /** io_uring_prep_unlinkat(3): remove `path` (a directory with AT_REMOVEDIR in `flags`). */
  unlinkat(path: string, flags = 0, dirfd = AT_FDCWD): Promise<number> {
    const p = this.#cstring(path);
    return this.#op('unlinkat', (s) => prepUnlinkat(s, dirfd, p, flags), p);
  }

  /** io_uring_prep_renameat(3): rename `from` to `to` (relative to the process cwd unless absolute). */
  renameat(from: string, to: string): Promise<number> {
    const both = this.#cstrings(from, to);
    return this.#op(
      'renameat',
      (s) => prepRenameat(s, AT_FDCWD, both, AT_FDCWD, both + Buffer.byteLength(from) + 1, 0),
      both,
    );
  }

  /** io_uring_prep_fsync(3); `datasync` sets IORING_FSYNC_DATASYNC. */
  fsync(fd: number, datasync = false): Promise<number> {
    return this.#op('fsync', (s) => {
      prepRw(IORING_OP_FSYNC, s, fd, 0, 0, 0);
      if (datasync) s.set('fsync_flags', IORING_FSYNC_DATASYNC);
    });
  }

  /** io_uring_prep_openat(3): open `path` (relative to `dirfd`, default AT_FDCWD); resolves with the fd. */
  openat(path: string, flags: number, mode = 0o644, dirfd = AT_FDCWD): Promise<number> {
    const addr = this.#cstring(path);
    return this.#op('openat', (s) => prepOpenat(s, dirfd, addr, flags, mode), addr);
  }

  /** `s` NUL-terminated in the address space (freed when its request completes). */
  #cstring(s: string): number {
    return this.#cstrings(s);
  }

  /** Strings stored one after the other, each NUL-terminated; the address of the first. */
  #cstrings(...strs: string[]): number {
    const bytes = Buffer.from(strs.map((x) => `${x}\0`).join(''), 'utf8');
    const addr = this.ring.mem.alloc(bytes.length, 1);
    this.ring.mem.writeBytes(addr, bytes);
    return addr;
  }

  /** io_uring_prep_close(3). */
  close(fd: number): Promise<number> {
    return this.#op('close', (s) => prepRw(IORING_OP_CLOSE, s, fd, 0, 0, 0));
  }

  /** A TIMEOUT request used as a sleep: resolves with 0 when it expires (-ETIME is the expected result). */
  sleep(ns: bigint | number): Promise<number> {
    const ts = allocTimespec(this.ring.mem, ns);
    return this.#op('timeout', (s) => prepRw(IORING_OP_TIMEOUT, s, -1, ts, 1, 0), ts).catch((e: unknown) => {
      if (e instanceof UringError && e.code === 'ETIME') return 0;
      throw e;
    });
  }

  /**
   * Any request: `prep` fills the SQE (do not set user_data: the AsyncRing owns it). Resolves with
   * the CQE's res, rejects with UringError when it is negative.
   */
  submit(op: string, prep: (sqe: Sqe) => void): Promise<number> {
    return this.#op(op, prep);
  }

  /** Wait for what is in flight, then close the ring. */
  async shutdown(): Promise<void> {
    while (this.#inflight > 0) {
      if (this.#unsubmitted > 0) this.#submitNow();
      if (this.#reapReady() > 0) continue;
      const r = await this.ring.enter(0, 1, IORING_ENTER_GETEVENTS);
      if (r < 0) throw new UringError('io_uring_enter', r);
    }
    this.#closed = true;
    await this.ring.close();
  }

  /* ------------------------------------------------------------------ machinery */

  #op(op: string, prep: (sqe: Sqe) => void, scratch = 0): Promise<number> {
    const sqe = this.#acquire(op);
    if (sqe instanceof Error) {
      // The request never reached the ring: its scratch memory (path, timespec) is ours to free.
      if (scratch !== 0) this.ring.mem.free(scratch);
      return Promise.reject(sqe);
    }
    prep(sqe);
    return this.#track(sqe, op, scratch);
  }

  /** The next SQE (submitting what is queued when the SQ is full), or the error to reject with. */
  #acquire(op: string): Sqe | Error {
    if (this.#closed) return new UringError(op, -EBADF);
    let sqe = this.ring.getSqe();
    if (sqe === null) {
      this.#submitNow();
      sqe = this.ring.getSqe();
      if (sqe === null) return new Error(`${op}: the submission queue is full`);
    }
    return sqe;
  }

  /** Give a prepared SQE a slot and a promise, and queue its submission for the end of the tick. */
  #track(sqe: Sqe, op: string, scratch: number): Promise<number> {
    const slot = this.#free.pop() ?? this.#slots.length;
    let p = this.#slots[slot];
    if (p === undefined) {
      p = { op, resolve: noop, reject: noop, scratch, active: false };
      this.#slots[slot] = p;
    }
    const pending = p;
    pending.op = op;
    pending.scratch = scratch;
    pending.active = true;
    sqe.setUserData32(slot, 0);
    this.#inflight++;
    this.#unsubmitted++;
    if (!this.#submitQueued) {
      this.#submitQueued = true;
      queueMicrotask(this.#submitTask);
    }
    return new Promise<number>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
  }

  readonly #submitTask = (): void => this.#submitNow();

  #submitNow(): void {
    this.#submitQueued = false;
    if (this.#unsubmitted === 0 || this.#closed) return;
    this.#unsubmitted = 0;
    this.ring.submit();
    this.#reapReady();
    if (this.#inflight > 0) this.#reapLoop();
  }

  /** Resolve the promises of every CQE ready on CQ 0. */
  #reapReady(): number {
    const ring = this.ring;
    const cqes = this.#cqes;
    let total = 0;
    for (;;) {
      const n = ring.peekBatchCqe(cqes, 64);
      if (n === 0) return total;
      for (let i = 0; i < n; i++) {
        const c = cqes[i]!;
        const slot = c.userDataLo;
        const res = c.res;
        const p = this.#slots[slot];
        if (p === undefined || !p.active || c.userDataHi !== 0) {
          // Not ours (a raw SQE submitted on CQ 0 through .ring): kept for the caller, never lost,
          // never thrown from the reaper (that would be an unhandled rejection).
          this.#unmatched(c.snapshot());
          continue;
        }
        p.active = false;
        this.#free.push(slot);
        this.#inflight--;
        if (p.scratch !== 0) ring.mem.free(p.scratch);
        const { resolve, reject } = p;
        p.resolve = noop;
        p.reject = noop;
        if (res < 0) reject(new UringError(p.op, res));
        else resolve(res);
      }
      ring.cqAdvance(n);
      total += n;
    }
  }

  /**
   * Reap while anything is in flight: wait for a CQE on CQ 0 with a bare enter, resolve what is
   * ready, and wait again. A plain promise chain (no async functions) keeps completions cheap.
   */
  #reapLoop(): void {
    if (this.#reaping) return;
    this.#reaping = true;
    this.#armReaper();
  }

  #armReaper(): void {
    if (this.#inflight === 0 || this.#closed) {
      this.#reaping = false;
      return;
    }
    if (this.#unsubmitted > 0) this.#submitNow();
    if (this.#reapReady() > 0) {
      queueMicrotask(this.#rearm);
      return;
    }
    const r = this.ring.enter(0, 1, IORING_ENTER_GETEVENTS);
    if (typeof r === 'number') {
      if (r < 0) this.#failAll(new UringError('io_uring_enter', r));
      queueMicrotask(this.#rearm);
      return;
    }
    r.then(this.#onWake);
  }

  readonly #rearm = (): void => this.#armReaper();

  readonly #onWake = (res: number): void => {
    if (res < 0) {
      this.#failAll(new UringError('io_uring_enter', res));
      this.#reaping = false;
      return;
    }
    this.#reapReady();
    this.#armReaper();
  };

  /** The ring failed under us (closed elsewhere): every pending promise rejects. */
  #failAll(e: UringError): void {
    for (let i = 0; i < this.#slots.length; i++) {
      const p = this.#slots[i];
      if (p === undefined || !p.active) continue;
      p.active = false;
      this.#free.push(i);
      this.#inflight--;
      if (p.scratch !== 0) this.ring.mem.free(p.scratch);
      p.scratch = 0;
      p.reject(e);
    }
  }
}
