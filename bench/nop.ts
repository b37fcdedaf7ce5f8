/**
 * NOP submit+reap throughput through the public API, like the kernel probe's nop_bench.c: each
 * iteration queues BATCH NOPs, submits them and reaps all BATCH CQEs. NOPs complete inline during
 * submit, so the CQEs are ready as soon as submit returns. Every batch is checked (submit count,
 * reaped count, res and user_data) so that a benchmark that silently does nothing fails loudly.
 * The hot path uses no BigInt (setUserData32 / userDataLo).
 */
import { type Cqe, IoUring, prepNop } from '../src/index.js';
import type { BenchCase, Runner } from './harness.js';

/**
 * The real kernel io_uring on this machine, NOP submit+reap ops/s (medians of earlier runs,
 * /work/shared/tools/kernel-probe/README.md). Not measured in this run.
 */
export const KERNEL_NOP_REF: Readonly<Record<number, readonly [number, number]>> = {
  1: [3.1e6, 3.3e6],
  8: [9e6, 11.6e6],
  32: [12.5e6, 14.8e6],
};

const RING_ENTRIES = 64;

function fail(what: string): never {
  throw new Error(`nop bench: ${what}`);
}

function fillBatch(ring: IoUring, batch: number): void {
  for (let i = 0; i < batch; i++) {
    const sqe = ring.getSqe();
    if (sqe === null) fail(`getSqe returned null at ${i}/${batch}: the SQ is not being consumed`);
    prepNop(sqe).setUserData32(i);
  }
}

function checkCqe(cqe: Cqe, i: number): void {
  const res = cqe.res;
  const ud = cqe.userDataLo;
  if (res !== 0 || ud !== i) fail(`CQE ${i}: res ${res} user_data ${ud}, expected res 0 user_data ${i}`);
}

function openRing(): { ring: IoUring; close: () => Promise<void> } {
  const ring = IoUring.queueInit(RING_ENTRIES);
  return {
    ring,
    close: async () => {
      const left = await ring.close();
      if (left.length !== 0) fail(`${left.length} CQEs left unreaped at close`);
    },
  };
}

/** submit(), then peekBatchCqe + cqAdvance. */
function submitPeekBatch(batch: number): Runner {
  const { ring, close } = openRing();
  const cqes: Cqe[] = [];
  return {
    chunk(iters: number): number {
      for (let it = 0; it < iters; it++) {
        fillBatch(ring, batch);
        const submitted = ring.submit();
        if (submitted !== batch) fail(`submit returned ${submitted}, expected ${batch}`);
        const n = ring.peekBatchCqe(cqes, batch);
        if (n !== batch) fail(`peekBatchCqe reaped ${n}, expected ${batch}`);
        for (let i = 0; i < n; i++) checkCqe(cqes[i]!, i);
        ring.cqAdvance(n);
      }
      return iters * batch;
    },
    close,
  };
}

/** submit(), then peekCqe + cqeSeen one CQE at a time. */
function submitPeekEach(batch: number): Runner {
  const { ring, close } = openRing();
  return {
    chunk(iters: number): number {
      for (let it = 0; it < iters; it++) {
        fillBatch(ring, batch);
        const submitted = ring.submit();
        if (submitted !== batch) fail(`submit returned ${submitted}, expected ${batch}`);
        for (let i = 0; i < batch; i++) {
          const cqe = ring.peekCqe();
          if (cqe === null) fail(`peekCqe found no CQE ${i}/${batch}`);
          checkCqe(cqe, i);
          ring.cqeSeen(cqe);
        }
        if (ring.peekCqe() !== null) fail('more CQEs than submitted NOPs');
      }
      return iters * batch;
    },
    close,
  };
}

/** await submitAndWait(batch) (the promise path), then peekBatchCqe + cqAdvance. */
function submitAndWait(batch: number): Runner {
  const { ring, close } = openRing();
  const cqes: Cqe[] = [];
  return {
    async chunk(iters: number): Promise<number> {
      for (let it = 0; it < iters; it++) {
        fillBatch(ring, batch);
        const submitted = await ring.submitAndWait(batch);
        if (submitted !== batch) fail(`submitAndWait returned ${submitted}, expected ${batch}`);
        const n = ring.peekBatchCqe(cqes, batch);
        if (n !== batch) fail(`peekBatchCqe reaped ${n}, expected ${batch}`);
        for (let i = 0; i < n; i++) checkCqe(cqes[i]!, i);
        ring.cqAdvance(n);
      }
      return iters * batch;
    },
    close,
  };
}

function nopCase(name: string, batch: number, make: (batch: number) => Runner): BenchCase {
  const ref = KERNEL_NOP_REF[batch];
  return {
    group: 'nop',
    name,
    batch,
    ...(ref === undefined ? {} : { kernelRef: ref, kernelBatch: batch }),
    open: () => make(batch),
  };
}

export const nopCases: readonly BenchCase[] = [
  nopCase('nop submit+peekBatchCqe', 1, submitPeekBatch),
  nopCase('nop submit+peekBatchCqe', 8, submitPeekBatch),
  nopCase('nop submit+peekBatchCqe', 32, submitPeekBatch),
  nopCase('nop submit+peekCqe/cqeSeen', 8, submitPeekEach),
  nopCase('nop await submitAndWait', 1, submitAndWait),
  nopCase('nop await submitAndWait', 32, submitAndWait),
];
