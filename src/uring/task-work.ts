/**
 * Task work: deferred kernel-side work (link successors, cancellations, deferred completions, and
 * later BPF runs) drained at the end of enter(), at the end of timer and backend callbacks, and on an
 * event-loop turn. Each drain has a budget (DESIGN.md Q1): what is left runs on the next turn, so no
 * stream of task work can starve timers, I/O callbacks or user code.
 */
export const DEFAULT_TASK_WORK_BUDGET = 4096;

export class TaskWork {
  #q: Array<(() => void) | undefined> = [];
  #head = 0;
  #running = false;
  #scheduled = false;
  readonly budget: number;
  readonly #onTurn: () => void;

  /** `onTurn` runs on the event-loop turn after work was queued (it should call run()). */
  constructor(onTurn: () => void, budget = DEFAULT_TASK_WORK_BUDGET) {
    this.#onTurn = onTurn;
    this.budget = budget;
  }

  get length(): number {
    return this.#q.length - this.#head;
  }

  /** Queue work; it runs at the next drain, at the latest on the next event-loop turn. */
  add(fn: () => void): void {
    this.#q.push(fn);
    this.#schedule();
  }

  /** Drain up to `budget` items now (not re-entrant: a nested call returns at once). */
  run(budget = this.budget): void {
    if (this.#running || this.#head === this.#q.length) return;
    this.#running = true;
    try {
      let n = 0;
      while (this.#head < this.#q.length) {
        if (n++ >= budget) {
          this.#schedule();
          return;
        }
        const fn = this.#q[this.#head]!;
        this.#q[this.#head++] = undefined;
        fn();
      }
      this.#q.length = 0;
      this.#head = 0;
    } finally {
      this.#running = false;
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#onTurn();
    });
  }
}
