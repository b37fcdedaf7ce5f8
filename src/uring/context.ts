/**
 * The kernel side of one ring (DESIGN.md "execution model"): it owns requests, links, drain, timeouts,
 * cancellation, overflow backlogs, task work, waiters, registered files and buffers, and the I/O the
 * backend performs. The user side reaches it only through ring memory and the syscall methods at the
 * bottom (enter, register, mmap, close).
 *
 * Behaviour follows Linux 6.18 where the kernel probe observed it (scenario numbers in comments) and
 * RFC v2 for what is new (several CQs, cq_idx).
 */
import type { AddressSpace } from '../mem/address-space.js';
import { EALREADY, EBADF, EBADFD, ECANCELED, EINVAL, EOPNOTSUPP } from '../uapi/errno.js';
import {
  IORING_ENTER_EXT_ARG,
  IORING_ENTER_GETEVENTS,
  IORING_ENTER_SQ_WAIT,
  IORING_ENTER_SQ_WAKEUP,
  IORING_OP_BPF,
  IORING_OP_LAST,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_NOP,
  IORING_REGISTER_BPF,
  IORING_REGISTER_BUFFERS,
  IORING_REGISTER_ENABLE_RINGS,
  IORING_REGISTER_FILES,
  IORING_REGISTER_FILES_UPDATE,
  IORING_REGISTER_PROBE,
  IORING_SETUP_R_DISABLED,
  IORING_SQ_CQ_OVERFLOW,
  IORING_UNREGISTER_BPF,
  IORING_UNREGISTER_BUFFERS,
  IORING_UNREGISTER_FILES,
  IOSQE_ASYNC,
  IOSQE_BUFFER_SELECT,
  IOSQE_FIXED_FILE,
  IOSQE_IO_DRAIN,
  IOSQE_IO_HARDLINK,
  IOSQE_IO_LINK,
  SQE_VALID_FLAGS,
} from '../uapi/io_uring.js';
import { IO_RINGS } from '../uapi/layout.js';
import type { IoBackend } from './backends/types.js';
import type { ProgEntry } from './bpf/programs.js';
import { type BatchToken, type BpfRing, type BpfWait, issueBpf } from './bpf/run.js';
import { type BpfTable, checkUnregister, readBpfTable } from './bpf/table.js';
import type { CompletionQueue } from './cq.js';
import { ResourceTables } from './files.js';
import { Lookup } from './lookup.js';
import { mmapRegion } from './mmap.js';
import { OPS } from './ops/index.js';
import {
  armLinkTimeout,
  disarmLinkTimeout,
  flushTimeouts,
  guardedBy,
  stopTimeoutTimer,
} from './ops/timeout.js';
import type { OpRing, TimeoutState } from './ops/types.js';
import { registerProbe } from './probe.js';
import { REQ_F_FAIL, type Request, RequestPool, readSqe } from './request.js';
import { TaskWork } from './task-work.js';
import { Waiters } from './waiters.js';
import { WriteQueues } from './write-queue.js';

const LINK_FLAGS = IOSQE_IO_LINK | IOSQE_IO_HARDLINK;
const VALID_ENTER_FLAGS =
  IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | IORING_ENTER_SQ_WAIT | IORING_ENTER_EXT_ARG;

/** Optional arguments of enter() (the role of IORING_ENTER_EXT_ARG's io_uring_getevents_arg). */
export interface EnterArg {
  /** Extension (DESIGN.md Q6): GETEVENTS waits on this CQ instead of CQ 0. */
  readonly cq?: number;
  /** Give up waiting after this many nanoseconds: enter() then returns -ETIME. */
  readonly timeoutNs?: bigint | number;
}

/** One CQE left in a ring when it was closed. */
export interface LeftoverCqe {
  readonly cqIdx: number;
  readonly userData: bigint;
  readonly res: number;
  readonly flags: number;
}

/** Everything setup() computed: sizes, regions and the main ring's addresses. */
export interface RingConfig {
  readonly mem: AddressSpace;
  readonly setupFlags: number;
  readonly strict: boolean;
  readonly sqEntries: number;
  /** io_rings region of the main ring (SQ + CQ 0), its size, the SQE array and its size. */
  readonly ringsAddr: number;
  readonly ringsSize: number;
  readonly sqArrayAddr: number;
  readonly sqesAddr: number;
  readonly sqesSize: number;
  /** All CQs, CQ 0 first. Extra CQs own their regions. */
  readonly cqs: readonly CompletionQueue[];
  /** Where file I/O goes. */
  readonly backend: IoBackend;
  /** Queue and merge writes per regular file (write-queue.ts); false: each write goes out at once. */
  readonly mergeWrites: boolean;
}

const F = IO_RINGS.fields;

export class RingContext implements OpRing, BpfRing {
  readonly mem: AddressSpace;
  readonly setupFlags: number;
  readonly strict: boolean;
  readonly cqs: readonly CompletionQueue[];
  readonly sqEntries: number;
  readonly #cfg: RingConfig;
  readonly #sqMask: number;
  readonly #sqHeadAddr: number;
  readonly #sqTailAddr: number;
  readonly #sqFlagsAddr: number;
  readonly #sqDroppedAddr: number;
  #sqHead = 0;
  #disabled: boolean;
  #closed = false;
  #closing: Promise<LeftoverCqe[]> | null = null;

  readonly #pool = new RequestPool();
  readonly #tw: TaskWork;
  /** Requests in flight that ASYNC_CANCEL may find, in submission order. */
  readonly #inflight = new Set<Request>();
  /** Requests punted with IOSQE_ASYNC, waiting for the next event-loop turn (the io-wq stand-in). */
  #iowq: Request[] = [];
  #iowqScheduled = false;

  /* link assembly of the current submission */
  #linkHead: Request | null = null;
  #linkLast: Request | null = null;

  /* IOSQE_IO_DRAIN */
  #sqSeq = 0;
  #drainActive = false;
  #drainNext = false;
  readonly #deferList: Request[] = [];
  /** Requests held by the defer list, counting whole chains (the kernel's nr_drained). */
  #drained = 0;

  readonly timeouts: TimeoutState;
  readonly backend: IoBackend;
  readonly writes: WriteQueues;
  readonly resources: ResourceTables;
  /** Requests whose I/O the backend is performing (close() waits for them). */
  #ioPending = 0;
  /** fd and user-memory lookups for ops. */
  readonly #lookup: Lookup;
  #ioSettled: (() => void) | null = null;
  /** Set once close() began: link successors and deferred requests are cancelled, not issued. */
  #dying = false;
  readonly #backlogged = new Set<CompletionQueue>();
  readonly #waiters = new Waiters();

  /* BPF (src/uring/bpf/) */
  #bpfTable: BpfTable | null = null;
  readonly #bpfWaits = new Set<BpfWait>();
  /** Inline completions held by the current BPF run's batch (null outside a run). */
  #hold: Request[] | null = null;
  /** Init error of the last SQE submitted by bpfSubmitSqe. */
  #lastInitErr = 0;

  constructor(cfg: RingConfig) {
    this.#cfg = cfg;
    this.mem = cfg.mem;
    this.setupFlags = cfg.setupFlags;
    this.strict = cfg.strict;
    this.cqs = cfg.cqs;
    this.sqEntries = cfg.sqEntries;
    this.#sqMask = cfg.sqEntries - 1;
    this.#sqHeadAddr = cfg.ringsAddr + F.sq_head.offset;
    this.#sqTailAddr = cfg.ringsAddr + F.sq_tail.offset;
    this.#sqFlagsAddr = cfg.ringsAddr + F.sq_flags.offset;
    this.#sqDroppedAddr = cfg.ringsAddr + F.sq_dropped.offset;
    this.mem.setU32(cfg.ringsAddr + F.sq_ring_mask.offset, this.#sqMask);
    this.mem.setU32(cfg.ringsAddr + F.sq_ring_entries.offset, cfg.sqEntries);
    this.#disabled = (cfg.setupFlags & IORING_SETUP_R_DISABLED) !== 0;
    this.#tw = new TaskWork(() => this.kick());
    this.backend = cfg.backend;
    this.writes = new WriteQueues(cfg.backend, cfg.mergeWrites);
    this.resources = new ResourceTables(cfg.mem);
    this.#lookup = new Lookup(cfg.mem);
    const cq0 = cfg.cqs[0]!;
    this.timeouts = { list: [], cqTimeouts: 0, lastFlush: 0, cq0Tail: () => cq0.cachedTail };
  }

  /* ================================================================== OpRing */

  get submitLinkLast(): Request | null {
    return this.#linkLast;
  }

  completeAsync(req: Request, res: number): void {
    req.res = res;
    this.#finish(req);
  }

  completeLater(req: Request, res: number): void {
    this.#tw.add(() => this.completeAsync(req, res));
  }

  queueTaskWork(fn: () => void): void {
    this.#tw.add(fn);
  }

  kick(): void {
    if (this.#closed) return;
    this.#tw.run();
  }

  findCancelable(udLo: number, udHi: number): Request | null {
    for (const r of this.#inflight) if (r.udLo === udLo && r.udHi === udHi) return r;
    return null;
  }

  addInflight(req: Request): void {
    this.#inflight.add(req);
  }

  removeInflight(req: Request): void {
    this.#inflight.delete(req);
    req.cancel = null;
  }

  fileFor(req: Request): number {
    const fd = (req.flags & IOSQE_FIXED_FILE) !== 0 ? this.resources.fixedFile(req.fd) : req.fd;
    return this.#lookup.checkFd(fd);
  }

  isStream(fd: number): boolean {
    return this.#lookup.isStream(fd);
  }

  forgetFd(fd: number): void {
    this.#lookup.forget(fd);
  }

  userView(lo: number, hi: number, len: number): Uint8Array | null {
    return this.#lookup.userView(lo, hi, len);
  }

  userPath(lo: number, hi: number): string | number {
    return this.#lookup.userPath(lo, hi);
  }

  resolveAt(dirfd: number, path: string): string | number {
    return this.#lookup.resolveAt(dirfd, path);
  }

  startIo(req: Request, cancel?: (req: Request) => number): number {
    this.#ioPending++;
    req.cancel = cancel ?? ioRunning;
    this.addInflight(req);
    return req.gen;
  }

  endIo(req: Request, res: number, token: number): void {
    if (req.gen !== token) return;
    this.removeInflight(req);
    this.#ioPending--;
    if (this.#closed) return;
    this.completeAsync(req, res);
    this.kick();
    if (this.#ioPending === 0 && this.#ioSettled !== null) {
      const f = this.#ioSettled;
      this.#ioSettled = null;
      f();
    }
  }

  /* ================================================================== posting */

  /**
   * Post one CQE to CQ `cqIdx` (the one posting path): into the ring, else onto that CQ's backlog
   * (or dropped, strict mode, extra CQs). Returns false only when the CQE was dropped.
   */
  post(cqIdx: number, udLo: number, udHi: number, res: number, flags: number): boolean {
    const cq = this.cqs[cqIdx]!;
    if (!cq.tryWrite(udLo, udHi, res, flags)) {
      if (this.strict && cqIdx !== 0) {
        cq.dropped++;
        this.cqs[0]!.bumpOverflow();
        return false;
      }
      cq.pushBacklog(udLo, udHi, res, flags);
      if (this.#backlogged.size === 0) this.mem.orU32(this.#sqFlagsAddr, IORING_SQ_CQ_OVERFLOW);
      this.#backlogged.add(cq);
      return true;
    }
    if (cqIdx === 0 && this.timeouts.list.length !== 0) flushTimeouts(this);
    if (this.#waiters.length !== 0) this.#waiters.check(this.timeouts.cqTimeouts);
    if (this.#bpfWaits.size !== 0) this.#wakeBpf();
    return true;
  }

  /** Wake the BPF requests whose CQ wait holds (spec §4.5: every posting re-checks every wait). */
  #wakeBpf(): void {
    for (const w of this.#bpfWaits) {
      if (w.cq.ready() >= w.nr) {
        this.#bpfWaits.delete(w);
        w.wake();
      }
    }
  }

  /** Move backlogged CQEs into their rings as space allows; clears IORING_SQ_CQ_OVERFLOW when done. */
  #flushOverflow(): void {
    if (this.#backlogged.size === 0) return;
    let moved0 = false;
    let moved = false;
    for (const cq of this.#backlogged) {
      if (cq.flushBacklog() > 0) {
        moved = true;
        if (cq.index === 0) moved0 = true;
      }
      if (cq.backlogLength === 0) this.#backlogged.delete(cq);
    }
    if (this.#backlogged.size === 0) this.mem.andNotU32(this.#sqFlagsAddr, IORING_SQ_CQ_OVERFLOW);
    if (moved0 && this.timeouts.list.length !== 0) flushTimeouts(this);
    if (moved && this.#waiters.length !== 0) this.#waiters.check(this.timeouts.cqTimeouts);
    if (moved && this.#bpfWaits.size !== 0) this.#wakeBpf();
  }

  /* ================================================================== completion and links */

  /** Post the request's CQE, then start or fail its successors, then free it. */
  #finish(req: Request): void {
    const res = req.res;
    // A negative final result of a BPF request breaks its chain (DESIGN.md Q4), not in strictRfc.
    if (res < 0 && !(this.strict && req.opcode === IORING_OP_BPF)) req.flags |= REQ_F_FAIL;
    this.post(req.cqIdx, req.udLo, req.udHi, res, req.cflags);
    let next = req.link;
    if (next !== null) {
      req.link = null;
      if (next.opcode === IORING_OP_LINK_TIMEOUT && guardedBy(next) === req) {
        // The guarded request finished first: the link timeout completes with -ECANCELED (T15).
        const lt = next;
        next = lt.link;
        lt.link = null;
        disarmLinkTimeout(lt);
        this.completeLater(lt, -ECANCELED);
      }
      if (next !== null) {
        const chain = next;
        if ((req.flags & REQ_F_FAIL) !== 0 && (req.flags & IOSQE_IO_HARDLINK) === 0) {
          this.#tw.add(() => this.#failChain(chain));
        } else {
          this.#tw.add(() => this.#issueOrPunt(chain));
        }
      }
    }
    this.#pool.put(req);
    if (this.#deferList.length !== 0) this.#queueDeferred();
  }

  /** Complete every request of a chain that will not run: its own error if it failed, else -ECANCELED. */
  #failChain(first: Request): void {
    let r: Request | null = first;
    while (r !== null) {
      const nxt: Request | null = r.link;
      r.link = null;
      const res = (r.flags & REQ_F_FAIL) !== 0 ? r.res : -ECANCELED;
      r.res = res;
      r.flags |= REQ_F_FAIL;
      this.post(r.cqIdx, r.udLo, r.udHi, res, r.cflags);
      this.#pool.put(r);
      r = nxt;
    }
    if (this.#deferList.length !== 0) this.#queueDeferred();
  }

  /* ================================================================== issue */

  #issue(req: Request): void {
    if (OPS[req.opcode]!.issue(this, req)) {
      const hold = this.#hold;
      if (hold === null) {
        this.#finish(req);
      } else {
        // Inside a BPF run: inline completions are posted when the run ends (or 32 at a time).
        hold.push(req);
        if (hold.length >= 32) this.#flushHeld();
      }
      return;
    }
    const lt = req.link;
    if (lt !== null && lt.opcode === IORING_OP_LINK_TIMEOUT && guardedBy(lt) === req) {
      armLinkTimeout(this, lt, req);
    }
  }

  #issueOrPunt(req: Request): void {
    if (this.#dying) {
      // The ring is going away: nothing new starts (a link successor of I/O that settled at close).
      this.#failChain(req);
      return;
    }
    if ((req.flags & IOSQE_ASYNC) !== 0) this.#punt(req);
    else this.#issue(req);
  }

  /** IOSQE_ASYNC: the request is issued on a later event-loop turn, as if by an io-wq worker (T26b). */
  #punt(req: Request): void {
    this.#iowq.push(req);
    req.cancel = (r) => {
      const i = this.#iowq.indexOf(r);
      if (i < 0) return -EALREADY;
      this.#iowq.splice(i, 1);
      this.removeInflight(r);
      this.completeLater(r, -ECANCELED);
      return 0;
    };
    this.addInflight(req);
    if (!this.#iowqScheduled) {
      this.#iowqScheduled = true;
      setImmediate(() => this.#runIowq());
    }
  }

  #runIowq(): void {
    this.#iowqScheduled = false;
    if (this.#closed) return;
    const batch = this.#iowq;
    this.#iowq = [];
    for (const req of batch) {
      this.removeInflight(req);
      this.#issue(req);
    }
    this.kick();
  }

  /** Queue a request (chain head) at submission: drain handling, then issue (io_queue_sqe). */
  #queue(req: Request): void {
    if ((req.flags & IOSQE_IO_DRAIN) !== 0 || this.#drainActive) {
      this.#deferList.push(req);
      this.#drained += chainLength(req);
      this.#queueDeferred();
      if ((req.flags & IOSQE_IO_DRAIN) === 0 && this.#deferList.length === 0) this.#drainActive = false;
      return;
    }
    this.#issueOrPunt(req);
  }

  /**
   * Release deferred requests (6.18's io_queue_deferred): a drain request, and the first of a pass,
   * start only when every live request is one held by the defer list, i.e. all that came before
   * have completed; requests after a drain request wait until it has completed.
   */
  #queueDeferred(): void {
    let first = true;
    let drainSeen = false;
    const list = this.#deferList;
    while (list.length !== 0) {
      const req = list[0]!;
      if ((req.flags & IOSQE_IO_DRAIN) !== 0) drainSeen = true;
      if ((drainSeen || first) && this.#pool.live !== this.#drained) return;
      list.shift();
      this.#drained -= chainLength(req);
      this.#tw.add(() => this.#issueOrPunt(req));
      first = false;
    }
  }

  /* ================================================================== submission */

  /** Consume up to `n` SQEs; returns how many were submitted (dropped array entries do not count, T41). */
  #submitSqes(n: number): number {
    const mem = this.mem;
    const tail = mem.loadU32(this.#sqTailAddr);
    let head = this.#sqHead;
    const avail = (tail - head) >>> 0;
    const nr = Math.min(n, avail);
    let submitted = 0;
    const array = this.#cfg.sqArrayAddr;
    const sqes = this.#cfg.sqesAddr;
    const mask = this.#sqMask;
    const entries = this.sqEntries;
    for (let i = 0; i < nr; i++) {
      const idx = mem.u32(array + ((head & mask) << 2));
      head = (head + 1) >>> 0;
      if (idx >= entries) {
        mem.storeU32(this.#sqDroppedAddr, (mem.loadU32(this.#sqDroppedAddr) + 1) >>> 0);
        continue;
      }
      submitted++;
      if (!this.#submitOne(sqes + (idx << 6))) break;
    }
    this.#sqHead = head;
    mem.storeU32(this.#sqHeadAddr, head);
    // A chain still open at the end of the submission is queued as it is (T12).
    this.#queueOpenChain();
    return submitted;
  }

  /** Queue the chain being assembled, if any, as it is (failed or not): the end of a batch. */
  #queueOpenChain(): void {
    const open = this.#linkHead;
    if (open === null) return;
    this.#linkHead = null;
    this.#linkLast = null;
    if ((open.flags & REQ_F_FAIL) !== 0) this.#queueFailed(open);
    else this.#queue(open);
  }

  /** Read one SQE into a request and submit it; false stops the submission (init failure, T03). */
  #submitOne(a: number): boolean {
    const mem = this.mem;
    const w0 = mem.u32(a);
    const opcode = w0 & 0xff;
    const sqeFlags = (w0 >>> 8) & 0xff;
    // Fast path: a plain NOP (no flags, ioprio, personality or NOP flags, valid cq_idx) outside a
    // chain and with no drain pending completes with 0 at once. It is exactly what the general path
    // below does for such an SQE, minus the request object.
    if (
      w0 === IORING_OP_NOP && // opcode NOP, flags 0, ioprio 0
      this.#linkHead === null &&
      this.#hold === null &&
      !this.#drainActive &&
      !this.#drainNext &&
      mem.u32(a + 28) === 0 &&
      mem.u16(a + 42) === 0
    ) {
      const cqIdx = mem.u16(a + 48);
      if (cqIdx < this.cqs.length) {
        this.#sqSeq++;
        this.post(cqIdx, mem.u32(a + 32), mem.u32(a + 36), 0, 0);
        return true;
      }
    }
    const req = readSqe(mem, a, this.#pool.get());
    const cqIdx = mem.u16(a + 48);
    req.seq = this.#sqSeq++;

    // RFC v2: an invalid cq_idx fails the request, and its CQE goes to CQ 0.
    let err = 0;
    if (cqIdx >= this.cqs.length) {
      req.cqIdx = 0;
      err = -EINVAL;
    } else {
      req.cqIdx = cqIdx;
      err = this.#initReq(req, opcode, sqeFlags);
    }
    if (err !== 0) return this.#failInit(req, err);

    const head = this.#linkHead;
    if (head !== null) {
      this.#linkLast!.link = req;
      this.#linkLast = req;
      if ((sqeFlags & LINK_FLAGS) === 0) this.#queueOpenChain();
      return true;
    }
    if ((sqeFlags & LINK_FLAGS) !== 0) {
      this.#linkHead = req;
      this.#linkLast = req;
      return true;
    }
    this.#queue(req);
    return true;
  }

  /** Validation and prep of io_init_req, in the kernel's order; 0 or -errno. */
  #initReq(req: Request, opcode: number, sqeFlags: number): number {
    if ((sqeFlags & ~SQE_VALID_FLAGS) !== 0) return -EINVAL;
    if (opcode >= IORING_OP_LAST) {
      req.opcode = IORING_OP_NOP;
      return -EINVAL;
    }
    const def = OPS[opcode]!;
    if ((sqeFlags & IOSQE_BUFFER_SELECT) !== 0 && !def.bufferSelect) return -EOPNOTSUPP;
    if ((sqeFlags & IOSQE_IO_DRAIN) !== 0) {
      this.#drainActive = true;
      const head = this.#linkHead;
      if (head !== null) {
        head.flags |= IOSQE_IO_DRAIN;
        this.#drainNext = true;
      }
    }
    if (this.#drainNext && this.#linkHead === null) {
      this.#drainNext = false;
      this.#drainActive = true;
      req.flags |= IOSQE_IO_DRAIN;
    }
    if (!def.ioprio && req.ioprio !== 0) return -EINVAL;
    if (req.personality !== 0) return -EINVAL;
    return def.prep(this, req);
  }

  /**
   * An SQE failed init (6.18's io_submit_fail_init): the chain it belongs to is failed as a whole,
   * but assembly goes on to the chain's end (T11); a failure outside a chain stops the submission (T03).
   */
  #failInit(req: Request, err: number): boolean {
    this.#lastInitErr = err;
    req.res = err;
    req.flags |= REQ_F_FAIL;
    const head = this.#linkHead;
    if (head !== null && (head.flags & REQ_F_FAIL) === 0) {
      head.flags |= REQ_F_FAIL;
      head.res = -ECANCELED;
    }
    if ((req.flags & LINK_FLAGS) === 0) {
      if (head !== null) {
        this.#linkLast!.link = req;
        this.#linkHead = null;
        this.#linkLast = null;
        this.#queueFailed(head);
      } else {
        this.#queueFailed(req);
      }
      return false;
    }
    if (head !== null) this.#linkLast!.link = req;
    else this.#linkHead = req;
    this.#linkLast = req;
    return true;
  }

  /** A chain that will not run: the head completes now, the rest from task work (T11, T18). */
  #queueFailed(head: Request): void {
    const rest = head.link;
    head.link = null;
    this.post(head.cqIdx, head.udLo, head.udHi, head.res, head.cflags);
    this.#pool.put(head);
    if (rest !== null) this.#tw.add(() => this.#failChain(rest));
    else if (this.#deferList.length !== 0) this.#queueDeferred();
  }

  /* ================================================================== syscalls */

  /**
   * io_uring_enter(2): submit up to `toSubmit` SQEs, run task work, and with IORING_ENTER_GETEVENTS
   * wait until `minComplete` CQEs are ready on CQ 0 (or `arg.cq`, an extension) or a timeout request
   * completed. Returns the number of SQEs submitted or -errno; a Promise only when it has to wait.
   * Like the kernel, it does not wait when fewer SQEs than asked were submitted.
   */
  enter(toSubmit: number, minComplete: number, flags: number, arg?: EnterArg): number | Promise<number> {
    if (this.#closed || this.#closing !== null) return -EBADF;
    if ((flags & ~VALID_ENTER_FLAGS) !== 0) return -EINVAL;
    const n = toSubmit >>> 0;
    let submitted = 0;
    if (n > 0) {
      if (this.#disabled) return -EBADFD;
      // Plugged: writes of this batch to an idle file start together at the end (write-queue.ts).
      const wq = this.writes;
      wq.plug();
      try {
        submitted = this.#submitSqes(n);
      } finally {
        wq.unplug();
      }
    }
    this.#tw.run();
    // Like the kernel, only GETEVENTS flushes the overflow backlogs (probe X11): a plain submit
    // leaves them, and new CQEs queue behind them.
    if ((flags & IORING_ENTER_GETEVENTS) === 0) return submitted;
    this.#flushOverflow();
    // What the flush set off (counted timeouts reaching their count) completes before returning (X13).
    this.#tw.run();
    if (submitted !== n) return submitted;
    const cqIdx = arg?.cq ?? 0;
    const cq = this.cqs[cqIdx];
    if (cq === undefined || !Number.isInteger(cqIdx)) return -EINVAL;
    const min = Math.min(minComplete >>> 0, cq.entries);
    if (cq.ready() >= min) return submitted;
    const waiting = this.#waiters.wait(cq, min, this.timeouts.cqTimeouts, arg?.timeoutNs);
    // The wait resolves with 0 or -errno; with nothing submitted that is already enter's result.
    return submitted === 0 ? waiting : waiting.then((r) => (r < 0 ? r : submitted));
  }

  /**
   * io_uring_register(2): probe, files, buffers, enable rings, and RFC v2's BPF program table
   * (IORING_REGISTER_BPF / IORING_UNREGISTER_BPF, which first wait until no request is in flight and
   * then may return a Promise).
   */
  register(opcode: number, arg: number, nrArgs: number): number | Promise<number> {
    if (this.#closed || this.#closing !== null) return -EBADF;
    switch (opcode) {
      case IORING_REGISTER_PROBE:
        return registerProbe(this.mem, arg, nrArgs);
      case IORING_REGISTER_FILES:
        return this.resources.registerFiles(arg, nrArgs);
      case IORING_UNREGISTER_FILES:
        return this.resources.unregisterFiles(arg, nrArgs);
      case IORING_REGISTER_FILES_UPDATE:
        return this.resources.updateFiles(arg, nrArgs);
      case IORING_REGISTER_BUFFERS:
        return this.resources.registerBuffers(arg, nrArgs);
      case IORING_UNREGISTER_BUFFERS:
        return this.resources.unregisterBuffers(arg, nrArgs);
      case IORING_REGISTER_BPF:
        return this.#quiesced(() => {
          const t = readBpfTable(this.mem, this.#bpfTable, arg, nrArgs);
          if (typeof t === 'number') return t;
          this.#bpfTable = t;
          return 0;
        });
      case IORING_UNREGISTER_BPF:
        return this.#quiesced(() => {
          const err = checkUnregister(this.#bpfTable, arg, nrArgs);
          if (err === 0) this.#bpfTable = null;
          return err;
        });
      case IORING_REGISTER_ENABLE_RINGS:
        if (arg !== 0 || nrArgs !== 0) return -EINVAL;
        if (!this.#disabled) return -EBADFD;
        this.#disabled = false;
        return 0;
      default:
        return -EINVAL;
    }
  }

  /**
   * Run `fn` once no request is in flight (DESIGN.md Q8): at once when idle, else a Promise that
   * polls every millisecond (timers and I/O keep running); -EBADF if the ring closes meanwhile.
   */
  #quiesced(fn: () => number): number | Promise<number> {
    if (this.#pool.live === 0) return fn();
    return new Promise<number>((resolve) => {
      const check = (): void => {
        if (this.#closed || this.#closing !== null) resolve(-EBADF);
        else if (this.#pool.live === 0) resolve(fn());
        else setTimeout(check, 1);
      };
      setTimeout(check, 1);
    });
  }

  /** mmap(2) of the ring fd: the address of the region at `offset`, or -errno (mmap.ts). */
  mmap(offset: number, length: number): number {
    if (this.#closed) return -EBADF;
    const c = this.#cfg;
    return mmapRegion(
      {
        ringsAddr: c.ringsAddr,
        ringsSize: c.ringsSize,
        sqesAddr: c.sqesAddr,
        sqesSize: c.sqesSize,
        cqs: this.cqs,
      },
      offset,
      length,
    );
  }

  /**
   * Tear the ring down: cancel everything in flight (-ECANCELED, after it settles), run the task work
   * that produces, collect every CQE nobody consumed, then free the ring's memory.
   */
  close(): Promise<LeftoverCqe[]> {
    if (this.#closing !== null) return this.#closing;
    this.#closing = this.#teardown();
    return this.#closing;
  }

  async #teardown(): Promise<LeftoverCqe[]> {
    this.#dying = true;
    // Cancel what can be cancelled (timers, punted and deferred requests); I/O the backend is
    // performing cannot be stopped, so wait for it to settle: it completes with its real result
    // (no write is reported other than it happened), and what it would have started is cancelled.
    for (let round = 0; round < 1000; round++) {
      for (const r of [...this.#inflight]) {
        if (r.cancel !== null) r.cancel(r);
      }
      while (this.#deferList.length !== 0) {
        const r = this.#deferList.shift()!;
        this.#drained -= chainLength(r);
        this.#failChain(r);
      }
      this.#tw.run(Number.POSITIVE_INFINITY);
      if (this.#ioPending > 0) {
        await new Promise<void>((resolve) => {
          this.#ioSettled = resolve;
        });
        continue;
      }
      if (this.#inflight.size === 0 && this.#tw.length === 0) break;
    }
    this.#flushOverflow();
    for (const r of this.#inflight) stopTimeoutTimer(r);
    // Waiters learn the ring is gone.
    this.#waiters.closeAll();
    const left: LeftoverCqe[] = [];
    for (const cq of this.cqs) {
      const q = cq.drainAll();
      for (let i = 0; i < q.length; i += 4) {
        left.push({
          cqIdx: cq.index,
          userData: (BigInt(q[i + 1]! >>> 0) << 32n) | BigInt(q[i]! >>> 0),
          res: q[i + 2]!,
          flags: q[i + 3]!,
        });
      }
    }
    this.#closed = true;
    this.#bpfTable = null;
    this.#bpfWaits.clear();
    this.resources.release();
    this.mem.free(this.#cfg.ringsAddr);
    this.mem.free(this.#cfg.sqesAddr);
    for (const cq of this.cqs) if (cq.index !== 0) this.mem.free(cq.base);
    return left;
  }

  /* ================================================================== BPF (BpfRing) */

  get dying(): boolean {
    return this.#dying;
  }

  bpfSlot(slot: number): ProgEntry | null {
    return this.#bpfTable?.[slot] ?? null;
  }

  bpfIssue(req: Request): void {
    issueBpf(this, req);
  }

  bpfSubmitSqe(addr: number): number {
    this.#lastInitErr = 0;
    this.#submitOne(addr);
    return this.#lastInitErr;
  }

  bpfBeginBatch(): BatchToken {
    const saved = { head: this.#linkHead, last: this.#linkLast, hold: this.#hold };
    this.#linkHead = null;
    this.#linkLast = null;
    this.#hold = [];
    return saved;
  }

  bpfEndBatch(token: BatchToken): void {
    const saved = token as { head: Request | null; last: Request | null; hold: Request[] | null };
    // A chain still open when the run ends is queued as it is (spec §4.6).
    this.#queueOpenChain();
    this.#flushHeld();
    this.#linkHead = saved.head;
    this.#linkLast = saved.last;
    this.#hold = saved.hold;
  }

  /** Post the inline completions held by the current BPF run, in order. */
  #flushHeld(): void {
    const hold = this.#hold;
    if (hold === null) return;
    this.#hold = [];
    for (const r of hold) this.#finish(r);
    // Requests the flush issued inline (none: successors go through task work) stay held.
  }

  addBpfWait(w: BpfWait): void {
    this.#bpfWaits.add(w);
  }

  removeBpfWait(w: BpfWait): void {
    this.#bpfWaits.delete(w);
  }

  /* ================================================================== diagnostics */

  /** Counters for tests and tools (not part of the shared layout). */
  stats(): {
    liveRequests: number;
    inflight: number;
    taskWork: number;
    deferred: number;
    backlog: number[];
    dropped: number[];
    cqTimeouts: number;
  } {
    return {
      liveRequests: this.#pool.live,
      inflight: this.#inflight.size,
      taskWork: this.#tw.length,
      deferred: this.#deferList.length,
      backlog: this.cqs.map((c) => c.backlogLength),
      dropped: this.cqs.map((c) => c.dropped),
      cqTimeouts: this.timeouts.cqTimeouts,
    };
  }

  get closed(): boolean {
    return this.#closed;
  }
}

/** Cancel hook of a request whose I/O the backend is performing: it can no longer be stopped. */
const ioRunning = (): number => -EALREADY;

function chainLength(req: Request): number {
  let n = 0;
  for (let r: Request | null = req; r !== null; r = r.link) n++;
  return n;
}
