/** What an op implementation sees of its ring (kept narrow so ops stay independent of the context). */
import type { AddressSpace } from '../../mem/address-space.js';
import type { IoBackend } from '../backends/types.js';
import type { ProgEntry } from '../bpf/programs.js';
import type { ResourceTables } from '../files.js';
import type { Request } from '../request.js';
import type { WriteQueues } from '../write-queue.js';

export interface OpRing {
  readonly mem: AddressSpace;
  /** Setup flags of the ring (IORING_SETUP_*). */
  readonly setupFlags: number;
  /** Complete a request from outside its issue path (timer, backend callback, task work). */
  completeAsync(req: Request, res: number): void;
  /** Complete a request from task work: its CQE comes after the current batch. */
  completeLater(req: Request, res: number): void;
  /** Queue a function to run as task work (after the current submission batch). */
  queueTaskWork(fn: () => void): void;
  /** Run pending task work now (end of a timer or backend callback: the "return to userspace"). */
  kick(): void;
  /** Last request of the chain being assembled by the current submission, if any. */
  readonly submitLinkLast: Request | null;
  /** Find an in-flight cancellable request by user_data. */
  findCancelable(udLo: number, udHi: number): Request | null;
  /** Timeout bookkeeping (IORING_OP_TIMEOUT with a completion count). */
  readonly timeouts: TimeoutState;
  /** Mark a request in flight (cancellable by ASYNC_CANCEL while `req.cancel` is set). */
  addInflight(req: Request): void;
  removeInflight(req: Request): void;

  /** The I/O backend (Node's fs by default). */
  readonly backend: IoBackend;
  /** Per-file write queues (write-queue.ts): every write when merging, else RWF_APPEND ones only. */
  readonly writes: WriteQueues;
  /** Registered files and buffers. */
  readonly resources: ResourceTables;
  /** The real fd a request targets (sqe->fd, or its registered-file slot with IOSQE_FIXED_FILE), or -EBADF. */
  fileFor(req: Request): number;
  /** A live view of user memory [lo|hi, +len), or null when any byte is outside the address space. */
  userView(lo: number, hi: number, len: number): Uint8Array | null;
  /** A NUL-terminated path at a user address: the string, or -EFAULT / -ENAMETOOLONG / -ENOENT. */
  userPath(lo: number, hi: number): string | number;
  /** Resolve `path` against `dirfd` (AT_FDCWD, an open directory fd) as *at() calls do: a path or -errno. */
  resolveAt(dirfd: number, path: string): string | number;
  /**
   * The request's I/O has been handed to the backend: it counts as in flight until endIo and close()
   * waits for it to settle. It can no longer be cancelled (-EALREADY) unless `cancel` says otherwise.
   * Returns the token endIo needs.
   */
  startIo(req: Request, cancel?: (req: Request) => number): number;
  /**
   * The backend finished the request's I/O: complete it with `res` (and run what that sets off).
   * `token` is what startIo returned; a stale token (the request was completed otherwise) is ignored.
   */
  endIo(req: Request, res: number, token: number): void;
  /** Whether an open fd is a stream (FIFO, socket, character device): offsets do not apply. */
  isStream(fd: number): boolean;
  /** Forget what is known of `fd` (it was closed through the ring). */
  forgetFd(fd: number): void;
  /** The program in slot `slot` of the registered BPF table, or null (no table, out of range, empty). */
  bpfSlot(slot: number): ProgEntry | null;
  /** Issue an IORING_OP_BPF request (src/uring/bpf/run.ts). */
  bpfIssue(req: Request): void;
}

export interface TimeoutState {
  /** Pending IORING_OP_TIMEOUT requests: ones with a count first (sorted by target), then pure timers. */
  readonly list: Request[];
  /** Timeouts completed by expiry or by count (the kernel's cq_timeouts); wakes waiters when it changes. */
  cqTimeouts: number;
  /** CQ 0 event number at the last flush (the kernel's cq_last_tm_flush; keeps u32 comparisons sane). */
  lastFlush: number;
  /** CQEs posted to CQ 0 so far (the kernel's cached_cq_tail for CQ 0). */
  cq0Tail(): number;
}

export interface OpDef {
  readonly name: string;
  /** Accepts a non-zero sqe->ioprio. */
  readonly ioprio: boolean;
  /** Accepts IOSQE_BUFFER_SELECT. */
  readonly bufferSelect: boolean;
  /** Validate the SQE fields copied into `req` and read what the op needs; 0 or -errno. */
  prep(ring: OpRing, req: Request): number;
  /**
   * Start the op. Returns true when it finished at once (result in req.res), false when it will be
   * completed later through ring.completeAsync().
   */
  issue(ring: OpRing, req: Request): boolean;
}
