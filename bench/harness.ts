/**
 * A small benchmark harness: warm-up, then several timed runs of a case; each run calls the case's
 * `chunk` until the run's time is up and counts the operations it reports. Figures are ops/s.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One benchmark: a named body at one batch size. */
export interface BenchCase {
  /** Group selected by `--only` (e.g. 'nop'). */
  readonly group: string;
  /** Row label in the table. */
  readonly name: string;
  readonly batch: number;
  /** Reference figure of the real kernel for this row, [low, high] ops/s, if there is one. */
  readonly kernelRef?: readonly [number, number];
  /** Batch size of the kernel's nop_bench that this row compares with, if any. */
  readonly kernelBatch?: number;
  /** Build the state (a ring...) and return the runner. */
  open(): Runner;
}

export interface Runner {
  /**
   * Do `iters` iterations and return the operations completed; must check every result and throw
   * on anything unexpected. A Promise only for the awaited paths.
   */
  chunk(iters: number): number | Promise<number>;
  /** Tear down; throws when the state is not clean (e.g. CQEs left unreaped). */
  close(): Promise<void>;
}

export interface Timing {
  readonly warmupMs: number;
  readonly runMs: number;
  readonly runs: number;
  /** Iterations per chunk call (the clock is read between chunks). */
  readonly chunkIters: number;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** ops/s of each run, in run order. */
  readonly runs: readonly number[];
  /** Operations done in the timed runs, all checked. */
  readonly totalOps: number;
}

const NS_PER_MS = 1_000_000n;

/** Call `chunk` until `ms` have passed; returns [ops, elapsed ns]. */
async function timed(runner: Runner, ms: number, iters: number): Promise<[number, bigint]> {
  const budget = BigInt(Math.round(ms)) * NS_PER_MS;
  let ops = 0;
  const t0 = process.hrtime.bigint();
  let t = t0;
  do {
    const r = runner.chunk(iters);
    ops += typeof r === 'number' ? r : await r;
    t = process.hrtime.bigint();
  } while (t - t0 < budget);
  return [ops, t - t0];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Warm up, then time `timing.runs` runs of `c`; `progress` gets one line per phase. */
export async function measure(
  c: BenchCase,
  timing: Timing,
  progress: (line: string) => void,
): Promise<Stats> {
  const runner = c.open();
  try {
    const label = `${c.name} batch=${c.batch}`;
    progress(`${label}: warm-up ${timing.warmupMs} ms`);
    const [warmOps] = await timed(runner, timing.warmupMs, timing.chunkIters);
    if (warmOps <= 0) throw new Error(`${label}: warm-up did no operations`);
    const runs: number[] = [];
    let totalOps = 0;
    for (let r = 0; r < timing.runs; r++) {
      const [ops, ns] = await timed(runner, timing.runMs, timing.chunkIters);
      if (ops <= 0) throw new Error(`${label}: run ${r + 1} did no operations`);
      totalOps += ops;
      const rate = (ops * 1e9) / Number(ns);
      runs.push(rate);
      progress(`${label}: run ${r + 1}/${timing.runs} ${formatRate(rate)}`);
    }
    const stats = { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs, totalOps };
    await runner.close();
    return stats;
  } catch (e) {
    // Report the first failure, not a follow-up one from closing the half-used state.
    await runner.close().catch(() => {});
    throw e;
  }
}

/** 12345678 -> '12.35 M/s'. */
export function formatRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)} M/s`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)} k/s`;
  return `${opsPerSec.toFixed(0)} /s`;
}

/** A plain text table, first column left-aligned, the others right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/** The repository root: the nearest directory above this module holding package.json. */
export function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('package.json not found above the bench scripts');
    d = up;
  }
  return d;
}
