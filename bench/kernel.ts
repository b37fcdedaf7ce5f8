/**
 * The real kernel's NOP throughput, measured in the same run: builds the kernel probe's nop_bench.c
 * (our own shared tool, compiled from its place into a temporary directory) and runs it per batch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KERNEL_PROBE_DIR = process.env.KERNEL_PROBE_DIR ?? '/work/shared/tools/kernel-probe';
const SOURCE = join(KERNEL_PROBE_DIR, 'nop_bench.c');

export interface KernelNop {
  readonly batch: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  readonly output: string;
}

/** Why the kernel benchmark cannot run here, or null when it can. */
export function kernelUnavailable(): string | null {
  if (!existsSync(SOURCE)) return `${SOURCE} not found`;
  if (!existsSync('/usr/include/liburing.h')) return 'liburing is not installed (/usr/include/liburing.h)';
  const gcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' });
  if (gcc.error !== undefined || gcc.status !== 0) return 'gcc not found';
  return null;
}

const LINE =
  /^nop batch=(\d+) mode=\S+ ops\/s median=(\d+(?:\.\d+)?) \(runs=(\d+); min=(\d+(?:\.\d+)?) max=(\d+(?:\.\d+)?)\)/m;

/** Build nop_bench and run it for each batch (`secs` per run, `runs` runs, plain ring). */
export function runKernelNop(
  batches: readonly number[],
  secs: number,
  runs: number,
  progress: (line: string) => void,
): KernelNop[] {
  const dir = mkdtempSync(join(tmpdir(), 'uring-bpf-kbench-'));
  try {
    const exe = join(dir, 'nop_bench');
    progress(`kernel: building ${SOURCE}`);
    const cc = spawnSync('gcc', ['-O2', '-Wall', '-pthread', '-o', exe, SOURCE, '-luring'], {
      encoding: 'utf8',
    });
    if (cc.error !== undefined || cc.status !== 0) {
      throw new Error(`building nop_bench failed: ${cc.error?.message ?? cc.stderr}`);
    }
    const out: KernelNop[] = [];
    for (const batch of batches) {
      progress(`kernel: nop_bench ${batch} ${secs} ${runs} plain`);
      const r = spawnSync(exe, [String(batch), String(secs), String(runs), 'plain'], {
        encoding: 'utf8',
        timeout: (secs * runs + 30) * 1000,
      });
      if (r.error !== undefined || r.status !== 0) {
        throw new Error(`nop_bench ${batch} failed: ${r.error?.message ?? `exit ${r.status}: ${r.stderr}`}`);
      }
      const m = LINE.exec(r.stdout);
      if (m === null) throw new Error(`cannot parse nop_bench output: ${JSON.stringify(r.stdout)}`);
      const k: KernelNop = {
        batch: Number(m[1]),
        median: Number(m[2]),
        runs: Number(m[3]),
        min: Number(m[4]),
        max: Number(m[5]),
        output: r.stdout.trim(),
      };
      if (k.batch !== batch || !(k.median > 0)) throw new Error(`unexpected nop_bench output: ${k.output}`);
      progress(`kernel: ${k.output}`);
      out.push(k);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
