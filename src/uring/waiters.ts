/**
 * Waiters of io_uring_enter(GETEVENTS): a promise per wait, woken by the posting path once its CQ
 * holds `min` CQEs or a timeout request completed since the wait began (the kernel's cq_timeouts
 * rule, probe T40). Every posting on any CQ re-checks every waiter (RFC v2: one ring-wide queue).
 */
import { EBADF, ETIME } from '../uapi/errno.js';
import type { CompletionQueue } from './cq.js';
import { monotonicNs } from './ops/timeout.js';

interface Waiter {
  readonly cq: CompletionQueue;
  readonly min: number;
  readonly cqTimeouts: number;
  readonly resolve: (v: number) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

export class Waiters {
  #list: Waiter[] = [];

  get length(): number {
    return this.#list.length;
  }

  /** Wake the waiters whose condition holds (0); `cqTimeouts` is the ring's counter now. */
  check(cqTimeouts: number): void {
    const ws = this.#list;
    let kept = 0;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w.cq.ready() >= w.min || cqTimeouts !== w.cqTimeouts) {
        if (w.timer !== null) clearTimeout(w.timer);
        w.resolve(0);
      } else {
        ws[kept++] = w;
      }
    }
    ws.length = kept;
  }

  /** Wait for `min` CQEs on `cq`: resolves 0, or -ETIME after `timeoutNs`. */
  wait(
    cq: CompletionQueue,
    min: number,
    cqTimeouts: number,
    timeoutNs: bigint | number | undefined,
  ): Promise<number> {
    return new Promise<number>((resolve) => {
      const w: Waiter = { cq, min, cqTimeouts, resolve, timer: null };
      if (timeoutNs !== undefined) {
        const deadline = monotonicNs() + BigInt(timeoutNs);
        const arm = (): void => {
          const left = deadline - monotonicNs();
          if (left <= 0n) {
            const i = this.#list.indexOf(w);
            if (i >= 0) this.#list.splice(i, 1);
            resolve(-ETIME);
            return;
          }
          w.timer = setTimeout(arm, Math.min(2 ** 31 - 1, Number((left + 999_999n) / 1_000_000n)));
        };
        arm();
        if (w.timer === null) return;
      }
      this.#list.push(w);
    });
  }

  /** The ring is gone: every waiter resolves -EBADF. */
  closeAll(): void {
    const ws = this.#list;
    this.#list = [];
    for (const w of ws) {
      if (w.timer !== null) clearTimeout(w.timer);
      w.resolve(-EBADF);
    }
  }
}
