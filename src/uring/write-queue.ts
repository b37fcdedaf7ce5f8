/**
 * Writes to regular files, one file at a time: the kernel's io-wq hashes buffered writes by inode
 * (io_prep_async_work, hash_reg_file) so that writes to one file run one after another, in order.
 * We do the same per fd, and go one step further: writes that queue up behind a running one and
 * continue each other (each starts where the previous ends, or all at the file's current position)
 * are issued together as one pwritev, as the block layer merges adjacent requests. The bytes written
 * and every request's result are what one-by-one execution gives:
 * - a merged write that completes in full completes each request with its own length;
 * - a short merged write completes the requests it covered, the one it ended inside with the part
 *   written (a short write, as the kernel reports it), and re-runs the rest one by one;
 * - a merged write that fails re-runs every request of it one by one, so each gets its own error.
 * A write that finds its file idle starts at once (after the current submission batch: plugging), so
 * queue depth 1 pays nothing. After a write completes, the next one starts once the completions it
 * set off have run (their continuations may queue more writes to merge).
 */
import { EIO } from '../uapi/errno.js';
import { UIO_MAXIOV } from '../uapi/fs.js';
import type { Done, IoBackend, Position } from './backends/types.js';

/** Largest transfer of one read/write (MAX_RW_COUNT = INT_MAX & PAGE_MASK). */
export const MAX_RW_COUNT = 0x7ffff000;

export interface QueuedWrite {
  readonly fd: number;
  readonly views: Uint8Array[];
  readonly total: number;
  readonly pos: Position;
  /** RWF_APPEND: written at the end of the file as it is when the write starts (pos unused). */
  readonly append: boolean;
  readonly done: Done;
  /** Never merged again (it was part of a merged write that came up short or failed). */
  solo: boolean;
  /** Handed to the backend (no longer cancellable). */
  started: boolean;
}

interface FileQueue {
  readonly fd: number;
  queue: QueuedWrite[];
  /** A write of this file is in the backend. */
  busy: boolean;
  /** A pump is scheduled (end of the submission batch, or after a completion's continuations). */
  scheduled: boolean;
  /** Run once the file has nothing queued or running (CLOSE of the fd waits for its writes). */
  idle: (() => void)[];
}

export interface WriteQueueStats {
  /** Backend write calls made. */
  readonly issued: number;
  /** Requests completed through them. */
  readonly requests: number;
  /** Largest number of requests merged into one call. */
  readonly maxMerged: number;
}

export class WriteQueues {
  readonly #backend: IoBackend;
  /** Merge adjacent queued writes (mergeWrites); when false, only RWF_APPEND writes are queued. */
  readonly merging: boolean;
  readonly #files = new Map<number, FileQueue>();
  #plugged = 0;
  #unplug: FileQueue[] = [];
  #issued = 0;
  #requests = 0;
  #maxMerged = 0;

  constructor(backend: IoBackend, merging = true) {
    this.#backend = backend;
    this.merging = merging;
  }

  /**
   * Queue a write of `views` (`total` bytes) to regular file `fd` at `pos` (-1: current position), or
   * with `append` at the end of the file when it starts (RWF_APPEND: the size is read then, so that
   * appends queued together land one after the other, as IOCB_APPEND's do under the inode lock).
   */
  add(
    fd: number,
    views: Uint8Array[],
    total: number,
    pos: Position,
    done: Done,
    append = false,
  ): QueuedWrite {
    const w: QueuedWrite = { fd, views, total, pos, append, done, solo: !this.merging, started: false };
    let f = this.#files.get(fd);
    if (f === undefined) {
      f = { fd, queue: [], busy: false, scheduled: false, idle: [] };
      this.#files.set(fd, f);
    }
    f.queue.push(w);
    if (!f.busy && !f.scheduled) {
      if (this.#plugged > 0) {
        f.scheduled = true;
        this.#unplug.push(f);
      } else {
        this.#pump(f);
      }
    }
    return w;
  }

  /** Take a write that has not started out of its queue: true when it was still queued. */
  cancel(w: QueuedWrite): boolean {
    if (w.started) return false;
    const f = this.#files.get(w.fd);
    const i = f === undefined ? -1 : f.queue.indexOf(w);
    if (f === undefined || i < 0) return false;
    f.queue.splice(i, 1);
    this.#maybeIdle(f);
    return true;
  }

  /** Run `fn` once `fd` has no write queued or running (at once when it has none). */
  whenIdle(fd: number, fn: () => void): void {
    const f = this.#files.get(fd);
    if (f === undefined || (!f.busy && f.queue.length === 0)) {
      this.#files.delete(fd);
      fn();
      return;
    }
    f.idle.push(fn);
  }

  /** Writes added until the matching unplug() start at unplug (one submission batch). */
  plug(): void {
    this.#plugged++;
  }

  unplug(): void {
    if (--this.#plugged > 0 || this.#unplug.length === 0) return;
    const list = this.#unplug;
    this.#unplug = [];
    for (const f of list) {
      f.scheduled = false;
      this.#pump(f);
    }
  }

  stats(): WriteQueueStats {
    return { issued: this.#issued, requests: this.#requests, maxMerged: this.#maxMerged };
  }

  #maybeIdle(f: FileQueue): void {
    if (f.busy || f.queue.length !== 0 || f.idle.length === 0) return;
    const fns = f.idle;
    f.idle = [];
    this.#files.delete(f.fd);
    for (const fn of fns) fn();
  }

  /** Start the next write (merged with what continues it) unless one is running. */
  #pump(f: FileQueue): void {
    if (f.busy || f.scheduled) return;
    const q = f.queue;
    if (q.length === 0) {
      this.#maybeIdle(f);
      return;
    }
    const first = q[0]!;
    let n = 1;
    let iovs = first.views.length;
    let bytes = first.total;
    if (!first.solo) {
      let prev = first;
      while (n < q.length) {
        const w = q[n]!;
        if (w.solo || iovs + w.views.length > UIO_MAXIOV || bytes + w.total > MAX_RW_COUNT) break;
        if (!continues(prev, w)) break;
        iovs += w.views.length;
        bytes += w.total;
        prev = w;
        n++;
      }
    }
    const group = q.splice(0, n);
    for (const w of group) w.started = true;
    f.busy = true;
    this.#issued++;
    this.#requests += n;
    if (n > this.#maxMerged) this.#maxMerged = n;
    const b = this.#backend;
    const onDone = (res: number): void => this.#completed(f, group, res);
    const go = (pos: Position): void => {
      if (n === 1 && first.views.length === 1) {
        b.write(f.fd, first.views[0]!, pos, onDone);
      } else if (n === 1) {
        b.writev(f.fd, first.views, pos, onDone);
      } else {
        const all: Uint8Array[] = [];
        for (const w of group) for (const v of w.views) all.push(v);
        b.writev(f.fd, all, pos, onDone);
      }
    };
    if (!first.append) {
      go(first.pos);
      return;
    }
    // RWF_APPEND: the end of the file now; no other write of this fd runs until this one is done.
    b.stat(null, f.fd, false, (r, st) => {
      if (r < 0 || st === null) onDone(r < 0 ? r : -EIO);
      else go(st.size <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(st.size) : st.size);
    });
  }

  #completed(f: FileQueue, group: QueuedWrite[], res: number): void {
    f.busy = false;
    if (group.length === 1) {
      group[0]!.done(res);
    } else {
      let left = res < 0 ? 0 : res;
      let k = 0;
      if (res >= 0) {
        for (; k < group.length; k++) {
          const w = group[k]!;
          if (left >= w.total) {
            left -= w.total;
            w.done(w.total);
          } else {
            if (left > 0) {
              w.done(left);
              k++;
            }
            break;
          }
        }
      }
      if (k < group.length) {
        // Short or failed: what it did not cover runs again, one by one, ahead of what queued since.
        const rest = group.slice(k);
        for (const w of rest) {
          w.solo = true;
          w.started = false;
        }
        f.queue = rest.concat(f.queue);
      }
    }
    // The next write starts after the continuations of these completions have queued theirs: a
    // microtask that queues a tick runs it once the microtask queue is empty.
    f.scheduled = true;
    queueMicrotask(() =>
      process.nextTick(() => {
        f.scheduled = false;
        this.#pump(f);
      }),
    );
  }
}

/**
 * Whether `w` starts where `prev` ends: explicit offsets that meet, both at the current position, or
 * both appends.
 */
function continues(prev: QueuedWrite, w: QueuedWrite): boolean {
  if (prev.append || w.append) return prev.append && w.append;
  if (prev.pos === -1 || prev.pos === -1n) return w.pos === -1 || w.pos === -1n;
  return typeof prev.pos === 'number' && typeof w.pos === 'number' && w.pos === prev.pos + prev.total;
}
