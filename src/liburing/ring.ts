/**
 * The user side of a ring, modelled on liburing (names in camelCase; each method names its man page).
 * Like liburing it works on the shared ring memory it mapped and on the syscall methods of the
 * ring (enter, register, mmap, close); it never reaches into the kernel side's objects.
 */
import type { AddressSpace } from '../mem/address-space.js';
import { readStruct, writeStruct } from '../mem/struct.js';
import { EBADF, ETIME } from '../uapi/errno.js';
import {
  IORING_ENTER_GETEVENTS,
  IORING_OFF_CQ_RING_EXTRA,
  IORING_OFF_SQ_RING,
  IORING_OFF_SQES,
  IORING_REGISTER_BPF,
  IORING_SETUP_CQSIZE,
  IORING_SQ_CQ_OVERFLOW,
  IORING_STRIDE_CQ_RING,
  IORING_UNREGISTER_BPF,
} from '../uapi/io_uring.js';
import {
  IO_CQRING_OFFSETS,
  IO_SQRING_OFFSETS,
  IO_URING_PARAMS,
  IO_URING_PARAMS_CQ_OFF,
  IO_URING_PARAMS_SQ_OFF,
} from '../uapi/layout.js';
import type { EnterArg, LeftoverCqe, RingContext } from '../uring/context.js';
import { Runtime } from '../uring/runtime.js';
import { Cqe } from './cqe.js';
import { check, UringError } from './errors.js';
import { Sqe } from './sqe.js';

export interface QueueInitOptions {
  /** IORING_SETUP_* flags. */
  readonly flags?: number;
  /** CQ 0 size; sets IORING_SETUP_CQSIZE. */
  readonly cqEntries?: number;
  /** RFC v2: sizes of the extra CQs (CQ 1, CQ 2, ...). */
  readonly cqSizes?: readonly number[];
  /**
   * RFC v2 raw form, for tests of bad arguments: nr_cq and the cq_sizes pointer exactly as they go into
   * io_uring_params (use instead of cqSizes).
   */
  readonly nrCq?: number;
  readonly cqSizesAddr?: number | bigint;
  /** Literal RFC v2 overflow: extra CQs drop CQEs that do not fit (DESIGN.md Q5). */
  readonly strictRfc?: boolean;
  /**
   * Queue writes per regular file and merge adjacent ones into one pwritev (default true); false
   * issues each write to the backend at once.
   */
  readonly mergeWrites?: boolean;
  /** The process the ring lives in; default Runtime.default(). */
  readonly runtime?: Runtime;
}

/** What setup reported back (io_uring_params after io_uring_setup). */
export interface RingParams {
  readonly sqEntries: number;
  readonly cqEntries: number;
  readonly flags: number;
  readonly features: number;
  readonly nrCq: number;
  readonly sqOff: Readonly<Record<keyof typeof IO_SQRING_OFFSETS.fields, number | bigint>>;
  readonly cqOff: Readonly<Record<keyof typeof IO_CQRING_OFFSETS.fields, number | bigint>>;
}

/** The user's view of one CQ ring (liburing's struct io_uring_cq), at addresses mmap returned. */
class CqRing {
  readonly index: number;
  readonly base: number;
  readonly khead: number;
  readonly ktail: number;
  readonly koverflow: number;
  readonly kflags: number;
  readonly cqes: number;
  readonly entries: number;
  readonly mask: number;
  readonly views: (Cqe | undefined)[];

  constructor(mem: AddressSpace, index: number, base: number, off: RingParams['cqOff']) {
    this.index = index;
    this.base = base;
    this.khead = base + Number(off.head);
    this.ktail = base + Number(off.tail);
    this.koverflow = base + Number(off.overflow);
    this.kflags = base + Number(off.flags);
    this.cqes = base + Number(off.cqes);
    this.entries = mem.u32(base + Number(off.ring_entries));
    this.mask = mem.u32(base + Number(off.ring_mask));
    this.views = new Array(this.entries);
  }
}

export class IoUring {
  readonly runtime: Runtime;
  readonly mem: AddressSpace;
  readonly params: RingParams;
  /** The kernel-side handle: use only its syscall methods (enter, register, mmap, close). */
  readonly fd: RingContext;
  readonly #cq: CqRing[];
  /* SQ ring */
  readonly #sqHead: number;
  readonly #sqTail: number;
  readonly #sqFlags: number;
  readonly #sqDropped: number;
  readonly #sqMask: number;
  readonly #sqEntries: number;
  readonly #sqes: Sqe[];
  /** liburing's sqe_head / sqe_tail: SQEs handed out by getSqe and not yet made visible. */
  #sqeHead = 0;
  #sqeTail = 0;
  /** The kernel's SQ head as last read (it bounds the free SQ space from below). */
  #sqHeadSeen = 0;
  #closed = false;

  private constructor(runtime: Runtime, fd: RingContext, params: RingParams) {
    this.runtime = runtime;
    this.mem = runtime.mem;
    this.fd = fd;
    this.params = params;
    const mem = this.mem;
    const sqOff = params.sqOff;
    const ringSize = Number(sqOff.array) + 4 * params.sqEntries;
    const sqRing = check('mmap(IORING_OFF_SQ_RING)', fd.mmap(IORING_OFF_SQ_RING, ringSize));
    const sqes = check('mmap(IORING_OFF_SQES)', fd.mmap(IORING_OFF_SQES, 64 * params.sqEntries));
    this.#sqHead = sqRing + Number(sqOff.head);
    this.#sqTail = sqRing + Number(sqOff.tail);
    this.#sqFlags = sqRing + Number(sqOff.flags);
    this.#sqDropped = sqRing + Number(sqOff.dropped);
    this.#sqMask = mem.u32(sqRing + Number(sqOff.ring_mask));
    this.#sqEntries = mem.u32(sqRing + Number(sqOff.ring_entries));
    // Like liburing, the SQ index array is set to the identity once.
    const array = sqRing + Number(sqOff.array);
    for (let i = 0; i < this.#sqEntries; i++) mem.setU32(array + 4 * i, i);
    this.#sqes = [];
    for (let i = 0; i < this.#sqEntries; i++) this.#sqes.push(new Sqe(mem, sqes + 64 * i, i));
    // CQ 0 shares the single mmap; extra CQ k is mapped at IORING_OFF_CQ_RING_EXTRA + k * STRIDE.
    this.#cq = [new CqRing(mem, 0, sqRing, params.cqOff)];
    for (let k = 1; k <= params.nrCq; k++) {
      this.#cq.push(new CqRing(mem, k, this.mmapCq(k), params.cqOff));
    }
  }

  /**
   * io_uring_queue_init_params(3): set up a ring with `entries` SQ entries and, RFC v2, the extra CQs
   * of `options.cqSizes`. Throws UringError with the kernel's errno (e.g. EINVAL, EFAULT, ENOMEM).
   */
  static queueInit(entries: number, options: QueueInitOptions = {}): IoUring {
    const runtime = options.runtime ?? Runtime.default();
    const mem = runtime.mem;
    if (options.cqSizes !== undefined && (options.nrCq !== undefined || options.cqSizesAddr !== undefined)) {
      throw new TypeError('give either cqSizes or the raw nrCq/cqSizesAddr pair, not both');
    }
    const toFree: number[] = [];
    try {
      const p = mem.alloc(IO_URING_PARAMS.size);
      toFree.push(p);
      let nrCq = options.nrCq ?? 0;
      let cqSizes: bigint = BigInt(options.cqSizesAddr ?? 0);
      if (options.cqSizes !== undefined && options.cqSizes.length > 0) {
        nrCq = options.cqSizes.length;
        const arr = mem.alloc(4 * nrCq);
        toFree.push(arr);
        options.cqSizes.forEach((n, i) => {
          mem.writeU32(arr + 4 * i, n);
        });
        cqSizes = BigInt(arr);
      }
      let flags = options.flags ?? 0;
      if (options.cqEntries !== undefined) flags |= IORING_SETUP_CQSIZE;
      writeStruct(mem, IO_URING_PARAMS, p, {
        flags,
        cq_entries: options.cqEntries ?? 0,
        nr_cq: nrCq >>> 0,
        cq_sizes: cqSizes,
      });
      const fd = runtime.setup(entries, p, {
        strictRfc: options.strictRfc === true,
        mergeWrites: options.mergeWrites !== false,
      });
      if (typeof fd === 'number') throw new UringError('io_uring_setup', fd);
      const raw = readStruct(mem, IO_URING_PARAMS, p);
      const params: RingParams = {
        sqEntries: Number(raw.sq_entries),
        cqEntries: Number(raw.cq_entries),
        flags: Number(raw.flags),
        features: Number(raw.features),
        nrCq: Number(raw.nr_cq),
        sqOff: readStruct(mem, IO_SQRING_OFFSETS, p + IO_URING_PARAMS_SQ_OFF),
        cqOff: readStruct(mem, IO_CQRING_OFFSETS, p + IO_URING_PARAMS_CQ_OFF),
      };
      return new IoUring(runtime, fd, params);
    } finally {
      for (const a of toFree) mem.free(a);
    }
  }

  /** Number of CQs (1 + the extra CQs). */
  get cqCount(): number {
    return this.#cq.length;
  }

  /** Entries of CQ `cqIdx`. */
  cqEntries(cqIdx = 0): number {
    return this.#cqRing(cqIdx).entries;
  }

  /**
   * RFC v2: map extra CQ `k` as mmap(IORING_OFF_CQ_RING_EXTRA + k * IORING_STRIDE_CQ_RING) does; the
   * address of its io_rings region. Errors as spec §3.4 (UringError EINVAL).
   */
  mmapCq(k: number, length = Number(this.params.cqOff.cqes) + 16): number {
    return check('mmap', this.fd.mmap(IORING_OFF_CQ_RING_EXTRA + k * IORING_STRIDE_CQ_RING, length));
  }

  /** Raw mmap of the ring fd: the address, or -errno. */
  mmap(offset: number, length: number): number {
    return this.fd.mmap(offset, length);
  }

  /* ================================================================== submission */

  /** io_uring_get_sqe(3): the next free SQE, or null when the SQ is full. Fields keep old values. */
  getSqe(): Sqe | null {
    this.#live('io_uring_get_sqe');
    const next = (this.#sqeTail + 1) >>> 0;
    // The kernel's head only moves forward: re-read it only when the SQ looks full.
    if ((next - this.#sqHeadSeen) >>> 0 > this.#sqEntries) {
      this.#sqHeadSeen = this.mem.loadU32(this.#sqHead);
      if ((next - this.#sqHeadSeen) >>> 0 > this.#sqEntries) return null;
    }
    const sqe = this.#sqes[this.#sqeTail & this.#sqMask]!;
    this.#sqeTail = next;
    return sqe;
  }

  /** Publish SQEs handed out by getSqe (liburing's __io_uring_flush_sq); returns how many are pending. */
  #flushSq(): number {
    if (this.#sqeTail !== this.#sqeHead) {
      this.#sqeHead = this.#sqeTail;
      this.mem.storeU32(this.#sqTail, this.#sqeTail);
    }
    return (this.#sqeTail - this.mem.loadU32(this.#sqHead)) >>> 0;
  }

  /** io_uring_sq_ready(3): SQEs published or handed out and not yet consumed by the kernel. */
  sqReady(): number {
    this.#live('io_uring_sq_ready');
    return (this.#sqeTail - this.mem.loadU32(this.#sqHead)) >>> 0;
  }

  /** io_uring_sq_space_left(3). */
  sqSpaceLeft(): number {
    return this.#sqEntries - this.sqReady();
  }

  /** io_uring_submit(3): submit pending SQEs; returns how many the kernel consumed. */
  submit(): number {
    this.#live('io_uring_submit');
    const n = this.#flushSq();
    // liburing also asks for GETEVENTS when the CQs have overflowed, so that the backlog flushes.
    const flags = this.#overflowing() ? IORING_ENTER_GETEVENTS : 0;
    const r = this.fd.enter(n, 0, flags);
    return check('io_uring_submit', typeof r === 'number' ? r : 0);
  }

  /** io_uring_submit_and_wait(3): submit, then wait until `waitNr` CQEs are ready on CQ 0. */
  submitAndWait(waitNr: number): Promise<number> {
    try {
      this.#live('io_uring_submit_and_wait');
      const n = this.#flushSq();
      const r = this.fd.enter(n, waitNr, IORING_ENTER_GETEVENTS);
      // Not an async function: when nothing had to wait, skip the extra promise hops.
      if (typeof r === 'number') return Promise.resolve(check('io_uring_submit_and_wait', r));
      return r.then((v) => check('io_uring_submit_and_wait', v));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** io_uring_enter(2) as is: returns the count or -errno (a Promise only when it waits). */
  enter(toSubmit: number, minComplete: number, flags: number, arg?: EnterArg): number | Promise<number> {
    return this.fd.enter(toSubmit, minComplete, flags, arg);
  }

  /** io_uring_register(2) as is: 0 or -errno. */
  register(opcode: number, arg: number, nrArgs: number): number | Promise<number> {
    return this.fd.register(opcode, arg, nrArgs);
  }

  /**
   * RFC v2 IORING_REGISTER_BPF: register the program table, slot i = `fds[i]` (program fds of
   * Runtime.bpfLoad / bpfProgLoad; -1 leaves a slot empty). 0 or -errno; a Promise while the ring
   * waits for in-flight requests to finish (quiesce).
   */
  registerBpf(fds: readonly number[]): number | Promise<number> {
    if (fds.length === 0) return this.register(IORING_REGISTER_BPF, 0, 0);
    const mem = this.mem;
    const arr = mem.alloc(4 * fds.length);
    fds.forEach((fd, i) => {
      mem.writeU32(arr + 4 * i, fd >>> 0);
    });
    const r = this.register(IORING_REGISTER_BPF, arr, fds.length);
    if (typeof r === 'number') {
      mem.free(arr);
      return r;
    }
    return r.finally(() => mem.free(arr));
  }

  /** RFC v2 IORING_UNREGISTER_BPF: drop the program table. 0 or -errno (-ENXIO: none registered). */
  unregisterBpf(): number | Promise<number> {
    return this.register(IORING_UNREGISTER_BPF, 0, 0);
  }

  /* ================================================================== completion */

  /** Every call after close() fails with EBADF: the ring memory is gone. */
  #live(call: string): void {
    if (this.#closed) throw new UringError(call, -EBADF);
  }

  #cqRing(cqIdx: number): CqRing {
    if (this.#closed) throw new UringError('CQ access', -EBADF);
    const cq = this.#cq[cqIdx];
    if (cq === undefined) {
      throw new RangeError(`CQ index ${cqIdx} out of range: this ring has CQs 0..${this.#cq.length - 1}`);
    }
    return cq;
  }

  #overflowing(): boolean {
    return (this.mem.loadU32(this.#sqFlags) & IORING_SQ_CQ_OVERFLOW) !== 0;
  }

  /** io_uring_cq_ready(3): CQEs ready on CQ `cqIdx`. */
  cqReady(cqIdx = 0): number {
    const cq = this.#cqRing(cqIdx);
    return (this.mem.loadU32(cq.ktail) - this.mem.loadU32(cq.khead)) >>> 0;
  }

  /** Whether any CQ has CQEs waiting in an overflow backlog (IORING_SQ_CQ_OVERFLOW). */
  cqHasOverflow(): boolean {
    return this.#overflowing();
  }

  /** The overflow counter of CQ `cqIdx` (strict RFC mode counts extra-CQ drops on CQ 0). */
  cqOverflow(cqIdx = 0): number {
    return this.mem.loadU32(this.#cqRing(cqIdx).koverflow);
  }

  #view(cq: CqRing, head: number): Cqe {
    const i = head & cq.mask;
    let v = cq.views[i];
    if (v === undefined) {
      v = new Cqe(this.mem, cq.cqes + 16 * i, cq.index);
      cq.views[i] = v;
    }
    return v;
  }

  /**
   * io_uring_peek_cqe(3): the next CQE of CQ `cqIdx` without waiting, or null. When the CQ is empty
   * and CQEs wait in a backlog, it enters the kernel to flush them first, as liburing does.
   */
  peekCqe(cqIdx = 0): Cqe | null {
    const cq = this.#cqRing(cqIdx);
    const mem = this.mem;
    let head = mem.loadU32(cq.khead);
    if (mem.loadU32(cq.ktail) === head) {
      if (!this.#overflowing()) return null;
      this.fd.enter(0, 0, IORING_ENTER_GETEVENTS);
      head = mem.loadU32(cq.khead);
      if (mem.loadU32(cq.ktail) === head) return null;
    }
    return this.#view(cq, head);
  }

  /** io_uring_peek_batch_cqe(3): fill `out` with up to `max` ready CQEs of CQ `cqIdx`; returns the count. */
  peekBatchCqe(out: Cqe[], max: number, cqIdx = 0): number {
    const cq = this.#cqRing(cqIdx);
    const mem = this.mem;
    const head = mem.loadU32(cq.khead);
    let ready = (mem.loadU32(cq.ktail) - head) >>> 0;
    if (ready === 0 && this.#overflowing()) {
      this.fd.enter(0, 0, IORING_ENTER_GETEVENTS);
      ready = (mem.loadU32(cq.ktail) - head) >>> 0;
    }
    const n = Math.min(ready, max);
    for (let i = 0; i < n; i++) out[i] = this.#view(cq, (head + i) >>> 0);
    return n;
  }

  /** io_uring_cq_advance(3): mark `n` CQEs of CQ `cqIdx` as consumed. */
  cqAdvance(n: number, cqIdx = 0): void {
    const cq = this.#cqRing(cqIdx);
    if (n > 0) this.mem.storeU32(cq.khead, (this.mem.loadU32(cq.khead) + n) >>> 0);
  }

  /** io_uring_cqe_seen(3): mark one CQE as consumed (the CQ it came from). */
  cqeSeen(cqe: Cqe): void {
    this.cqAdvance(1, cqe.cqIdx);
  }

  /** io_uring_wait_cqe(3): the next CQE of CQ `cqIdx`, waiting for it without blocking the event loop. */
  waitCqe(cqIdx = 0): Promise<Cqe> {
    return this.waitCqeNr(1, cqIdx);
  }

  /**
   * io_uring_wait_cqe_nr(3): wait until `waitNr` CQEs are ready on CQ `cqIdx`, then return the first.
   * Waiting on a CQ other than 0 is an extension (DESIGN.md Q6). Rejects with UringError (EBADF once
   * the ring is closed).
   */
  async waitCqeNr(waitNr: number, cqIdx = 0, timeoutNs?: bigint | number): Promise<Cqe> {
    const cq = this.#cqRing(cqIdx);
    const want = Math.min(Math.max(1, waitNr), cq.entries);
    const deadline = timeoutNs === undefined ? undefined : process.hrtime.bigint() + BigInt(timeoutNs);
    for (;;) {
      if (this.cqReady(cqIdx) >= want) return this.#view(cq, this.mem.loadU32(cq.khead));
      let arg: EnterArg = { cq: cqIdx };
      if (deadline !== undefined) {
        const left = deadline - process.hrtime.bigint();
        if (left <= 0n) throw new UringError('io_uring_wait_cqe_timeout', -ETIME);
        arg = { cq: cqIdx, timeoutNs: left };
      }
      const r = await this.fd.enter(0, want, IORING_ENTER_GETEVENTS, arg);
      if (r < 0) throw new UringError('io_uring_wait_cqe', r);
      // The ring may have been closed while we waited: its memory is gone.
      this.#live('io_uring_wait_cqe');
    }
  }

  /** io_uring_wait_cqe_timeout(3): like waitCqe, but rejects with UringError ETIME after `timeoutNs`. */
  waitCqeTimeout(timeoutNs: bigint | number, cqIdx = 0): Promise<Cqe> {
    return this.waitCqeNr(1, cqIdx, timeoutNs);
  }

  /* ================================================================== teardown */

  /**
   * io_uring_queue_exit(3): cancel what is in flight (each gets -ECANCELED), free the ring's memory.
   * Resolves with every CQE that was posted and not consumed, so nothing is lost silently.
   */
  async close(): Promise<LeftoverCqe[]> {
    if (this.#closed) return [];
    this.#closed = true;
    return this.fd.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** SQEs the kernel dropped because the SQ array held an out-of-range index. */
  sqDropped(): number {
    return this.mem.loadU32(this.#sqDropped);
  }
}
