/**
 * `uring-bpf examples pipeline`: examples/pipeline/pipeline.bpf.o keeps `depth` NOPs in flight from
 * BPF until `target` have completed, as ONE IORING_OP_BPF request (examples/pipeline/README.md), and
 * the same work driven from TypeScript (a loop keeping `depth` NOPs in flight with submit/reap).
 * The three drivers here are also the NOP-chain benchmark's bodies (bench/bpf.ts).
 */

import type { EngineKind } from '../../ebpf/run-env.js';
import { prepBpf, prepNop } from '../../liburing/prep.js';
import { IoUring } from '../../liburing/ring.js';
import { IOSQE_IO_LINK } from '../../uapi/io_uring.js';
import { Runtime } from '../../uring/runtime.js';
import { type Example, type ExampleResult, exampleObject } from './common.js';

/** Slots of the map `counters` (pipeline.h PL_*). */
export const PL_COUNTERS = [
  'submitted',
  'completed',
  'runs',
  'errors',
  'last_error',
  'max_inflight',
] as const;
/** PL_MAX_DEPTH: the program's loop bound. */
export const PL_MAX_DEPTH = 256;

export interface PipelineOptions {
  /** NOPs kept in flight. */
  readonly depth: number;
  /** NOPs to complete in all. */
  readonly target: number;
  /** runBpfPipeline: the engine the program is loaded for (default 'jit'). */
  readonly engine?: EngineKind;
}

export interface BpfPipelineRun {
  /** The BPF request's CQE on CQ 0. */
  readonly res: number;
  /** counters[0..5] (PL_COUNTERS order; last_error as a signed value). */
  readonly counters: readonly bigint[];
  /** CQEs left on CQ 1 (the NOPs' CQ). */
  readonly cq1Left: number;
  /** Submit to the request's CQE, in ns. */
  readonly ns: bigint;
}

export interface TsPipelineRun {
  /** NOP CQEs reaped (all checked: res 0, user_data in order). */
  readonly completed: number;
  /** submit calls. */
  readonly submits: number;
  /** The first to the last CQE, in ns. */
  readonly ns: bigint;
}

function checkOptions(o: PipelineOptions, minDepth: number): void {
  if (!Number.isInteger(o.depth) || o.depth < minDepth)
    throw new RangeError(`depth must be an integer >= ${minDepth}, got ${o.depth}`);
  if (!Number.isInteger(o.target) || o.target < 0)
    throw new RangeError(`target must be an integer >= 0, got ${o.target}`);
}

/** SQ entries for `n` SQEs per submit: a power of two, at least 8. */
function sqEntries(n: number): number {
  let e = 8;
  while (e < n) e *= 2;
  return e;
}

/** The README's driver: a fresh runtime, ring and object; one BPF request; counters read back. */
export async function runBpfPipeline(o: PipelineOptions): Promise<BpfPipelineRun> {
  checkOptions(o, 0);
  const rt = new Runtime({ size: 8 * 1024 * 1024 });
  const cq1 = sqEntries(Math.min(o.depth, PL_MAX_DEPTH));
  const ring = IoUring.queueInit(8, { cqSizes: [cq1], runtime: rt });
  const obj = rt.bpfLoad(exampleObject('pipeline', 'pipeline.bpf.o'), {
    globals: { depth: o.depth, target: BigInt(o.target) },
    ...(o.engine === undefined ? {} : { engine: o.engine }),
  });
  try {
    const reg = await ring.registerBpf([obj.progFd('pipeline')]);
    if (reg !== 0) throw new Error(`IORING_REGISTER_BPF: expected 0, got ${reg}`);
    const sqe = ring.getSqe();
    if (sqe === null) throw new Error('SQ full on a fresh ring');
    prepBpf(sqe, 0).setUserData(77);
    const t0 = process.hrtime.bigint();
    const n = ring.submit();
    if (n !== 1) throw new Error(`submit: expected 1, got ${n}`);
    const cqe = await ring.waitCqe(0);
    const ns = process.hrtime.bigint() - t0;
    const res = cqe.res;
    ring.cqeSeen(cqe);
    const map = obj.arrayMap('counters');
    const counters = PL_COUNTERS.map((_, k) => BigInt.asIntN(64, map.u64.get(k) ?? -1n));
    return { res, counters, cq1Left: ring.cqReady(1), ns };
  } finally {
    obj.close();
    await ring.close();
  }
}

function fail(what: string): never {
  throw new Error(`pipeline: ${what}`);
}

/** Reap every ready CQE of CQ 0, checking res 0 and user_data = the next sequence number. */
function reapInOrder(ring: IoUring, completed: number): number {
  for (let c = ring.peekCqe(0); c !== null; c = ring.peekCqe(0)) {
    if (c.res !== 0 || c.userDataLo !== completed)
      fail(`CQE ${completed}: res ${c.res} user_data ${c.userDataLo}, expected res 0 user_data ${completed}`);
    ring.cqeSeen(c);
    completed++;
  }
  return completed;
}

/**
 * Reap every ready CQE of CQ 0 of linked chains: a chain's second NOP completes after the heads of
 * its batch, so the order is not the submission order. Each user_data must be below `queued` and
 * seen once (`seen` holds one flag per NOP).
 */
function reapChains(ring: IoUring, completed: number, queued: number, seen: Uint8Array): number {
  for (let c = ring.peekCqe(0); c !== null; c = ring.peekCqe(0)) {
    const ud = c.userDataLo;
    if (c.res !== 0 || ud >= queued || seen[ud] === 1)
      fail(
        `chain CQE: res ${c.res} user_data ${ud} (${queued} queued${seen[ud] === 1 ? ', seen before' : ''})`,
      );
    seen[ud] = 1;
    ring.cqeSeen(c);
    completed++;
  }
  return completed;
}

/** Run `body` on `ring`, then close it; a clean run must leave no CQE behind. */
async function withRing<T>(ring: IoUring, body: () => Promise<T>): Promise<T> {
  let out: T;
  try {
    out = await body();
  } catch (e) {
    await ring.close().catch(() => []);
    throw e;
  }
  const left = await ring.close();
  if (left.length !== 0) fail(`${left.length} CQEs left at close`);
  return out;
}

/** The same work from TypeScript: keep `depth` NOPs in flight, submit, reap what completed, top up. */
export async function runTsPipeline(o: PipelineOptions): Promise<TsPipelineRun> {
  checkOptions(o, 1);
  const ring = IoUring.queueInit(sqEntries(o.depth), { runtime: new Runtime({ size: 4 * 1024 * 1024 }) });
  return withRing(ring, async () => {
    let submitted = 0;
    let completed = 0;
    let submits = 0;
    const t0 = process.hrtime.bigint();
    while (completed < o.target) {
      while (submitted - completed < o.depth && submitted < o.target) {
        const sqe = ring.getSqe() ?? fail(`getSqe returned null with ${submitted - completed} in flight`);
        prepNop(sqe).setUserData32(submitted);
        submitted++;
      }
      ring.submit();
      submits++;
      if (ring.cqReady(0) === 0) await ring.waitCqe(0);
      completed = reapInOrder(ring, completed);
    }
    return { completed, submits, ns: process.hrtime.bigint() - t0 };
  });
}

/**
 * 2-request IOSQE_IO_LINK chains from TypeScript: each submit queues max(1, depth / 2) chains of two
 * NOPs (the first linked to the second), then reaps them all; `target` NOPs in all (rounded up to
 * whole chains). CQEs are checked (res 0, each NOP once) but not for order: a chain's second NOP
 * completes after the heads of its batch.
 */
export async function runLinkedChains(o: PipelineOptions): Promise<TsPipelineRun> {
  checkOptions(o, 1);
  const perSubmit = Math.max(1, Math.floor(o.depth / 2));
  const ring = IoUring.queueInit(sqEntries(2 * perSubmit), {
    runtime: new Runtime({ size: 4 * 1024 * 1024 }),
  });
  return withRing(ring, async () => {
    const total = 2 * Math.ceil(o.target / 2);
    const seen = new Uint8Array(total);
    let queued = 0;
    let completed = 0;
    let submits = 0;
    const t0 = process.hrtime.bigint();
    while (completed < total) {
      for (let k = 0; k < perSubmit && queued < total; k++) {
        const a = ring.getSqe() ?? fail('getSqe returned null');
        prepNop(a).setUserData32(queued++).setFlags(IOSQE_IO_LINK);
        const b = ring.getSqe() ?? fail('getSqe returned null');
        prepNop(b).setUserData32(queued++);
      }
      ring.submit();
      submits++;
      if (ring.cqReady(0) === 0) await ring.waitCqe(0);
      completed = reapChains(ring, completed, queued, seen);
    }
    return { completed, submits, ns: process.hrtime.bigint() - t0 };
  });
}

/** ops/s as "123.4 k/s". */
export function rateText(ops: number, ns: bigint): string {
  const r = (ops * 1e9) / Math.max(1, Number(ns));
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(1)} k/s`;
}

const DEPTH = 16;
const TARGET = 10_000;

export const pipelineExample: Example = {
  name: 'pipeline',
  summary: `examples/pipeline/pipeline.bpf.o keeps ${DEPTH} NOPs in flight until ${TARGET} completed as one BPF request, vs the same loop in TypeScript`,
  async run(opts = {}) {
    const lines: string[] = [];
    const checks: ExampleResult['checks'] = [];
    const b = await runBpfPipeline({ depth: DEPTH, target: TARGET, ...opts });
    const runs = Math.ceil(TARGET / DEPTH) + 1;
    lines.push(
      `BPF: one request, depth ${DEPTH}, target ${TARGET}: res ${b.res}, ${b.counters[2]} runs, ${(Number(b.ns) / 1e6).toFixed(1)} ms, ${rateText(TARGET, b.ns)} NOPs`,
      `  counters: ${PL_COUNTERS.map((n, k) => `${n} ${b.counters[k]}`).join(', ')}`,
    );
    checks.push(
      { what: 'BPF request res', expected: '0', actual: String(b.res) },
      {
        what: 'counters (submitted completed runs errors last_error max_inflight)',
        expected: `${TARGET} ${TARGET} ${runs} 0 0 ${DEPTH}`,
        actual: b.counters.join(' '),
      },
      { what: 'CQ 1 left', expected: '0', actual: String(b.cq1Left) },
    );
    const t = await runTsPipeline({ depth: DEPTH, target: TARGET });
    lines.push(
      `TypeScript: ${DEPTH} NOPs in flight, submit/reap: ${t.completed} NOPs in ${t.submits} submits, ${(Number(t.ns) / 1e6).toFixed(1)} ms, ${rateText(t.completed, t.ns)} NOPs`,
    );
    checks.push(
      { what: 'TypeScript loop: NOPs completed', expected: String(TARGET), actual: String(t.completed) },
      { what: 'TypeScript loop: submits', expected: String(runs - 1), actual: String(t.submits) },
    );
    return { lines, checks };
  },
};
