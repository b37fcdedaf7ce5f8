/**
 * The real kernel's io_uring, measured in the same run: builds the kernel probe's C tools (our own
 * shared tools, compiled from their place into a temporary directory) and runs them: nop_bench.c per
 * NOP batch, write_qd.c per write queue depth.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KERNEL_PROBE_DIR = process.env.KERNEL_PROBE_DIR ?? '/work/shared/tools/kernel-probe';

/** The kernel probe's tools that the benchmarks run. */
export type KernelTool = 'nop_bench' | 'write_qd';

const sourceOf = (tool: KernelTool): string => join(KERNEL_PROBE_DIR, `${tool}.c`);

export interface KernelNop {
  readonly batch: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  readonly output: string;
}

/** Why the kernel benchmark cannot run here, or null when it can. */
export function kernelUnavailable(tool: KernelTool = 'nop_bench'): string | null {
  const source = sourceOf(tool);
  if (!existsSync(source)) return `${source} not found`;
  if (!existsSync('/usr/include/liburing.h')) return 'liburing is not installed (/usr/include/liburing.h)';
  const gcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' });
  if (gcc.error !== undefined || gcc.status !== 0) return 'gcc not found';
  return null;
}

const LINE =
  /^nop batch=(\d+) mode=\S+ ops\/s median=(\d+(?:\.\d+)?) \(runs=(\d+); min=(\d+(?:\.\d+)?) max=(\d+(?:\.\d+)?)\)/m;

/** Compile `tool` (gcc -O2 -Wall -pthread ... -luring) into `dir`; returns the executable's path. */
export function buildKernelTool(tool: KernelTool, dir: string, progress: (line: string) => void): string {
  const source = sourceOf(tool);
  const exe = join(dir, tool);
  progress(`kernel: building ${source}`);
  const cc = spawnSync('gcc', ['-O2', '-Wall', '-pthread', '-o', exe, source, '-luring'], {
    encoding: 'utf8',
  });
  if (cc.error !== undefined || cc.status !== 0) {
    throw new Error(`building ${tool} failed: ${cc.error?.message ?? cc.stderr}`);
  }
  return exe;
}

/** Build nop_bench and run it for each batch (`secs` per run, `runs` runs, plain ring). */
export function runKernelNop(
  batches: readonly number[],
  secs: number,
  runs: number,
  progress: (line: string) => void,
): KernelNop[] {
  const dir = mkdtempSync(join(tmpdir(), 'uring-bpf-kbench-'));
  try {
    const exe = buildKernelTool('nop_bench', dir, progress);
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

export interface KernelWrite {
  readonly qd: number;
  /** IOPS of each run (write_qd prints the median, min and max; with one run per call they are equal). */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  readonly output: string;
}

const WRITE_LINE =
  /^write_qd buffered qd=(\d+) mode=\S+ size=(\d+)MiB IOPS median=(\d+(?:\.\d+)?) \([^;]*; runs=(\d+) min=(\d+(?:\.\d+)?) max=(\d+(?:\.\d+)?)\)/m;

/**
 * write_qd.c built once into a temporary directory: 4 KiB buffered sequential writes with the real
 * kernel io_uring at a fixed queue depth. Each call runs `./write_qd PATH QD MiB RUNS buffered`
 * (it calls sync() and sleeps 200 ms before each of its runs, creates PATH fresh and unlinks it).
 */
export class KernelWriteProbe {
  readonly #dir: string;
  readonly #exe: string;

  constructor(progress: (line: string) => void) {
    this.#dir = mkdtempSync(join(tmpdir(), 'uring-bpf-kbench-'));
    try {
      this.#exe = buildKernelTool('write_qd', this.#dir, progress);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  run(path: string, qd: number, mib: number, runs: number): KernelWrite {
    const args = [path, String(qd), String(mib), String(runs), 'buffered'];
    const r = spawnSync(this.#exe, args, { encoding: 'utf8', timeout: (runs * 10 + 30) * 1000 });
    if (r.error !== undefined || r.status !== 0) {
      throw new Error(
        `write_qd ${args.join(' ')} failed: ${r.error?.message ?? `exit ${r.status}: ${r.stderr}`}`,
      );
    }
    const m = WRITE_LINE.exec(r.stdout);
    if (m === null) throw new Error(`cannot parse write_qd output: ${JSON.stringify(r.stdout)}`);
    const k: KernelWrite = {
      qd: Number(m[1]),
      median: Number(m[3]),
      runs: Number(m[4]),
      min: Number(m[5]),
      max: Number(m[6]),
      output: r.stdout.trim(),
    };
    if (k.qd !== qd || Number(m[2]) !== mib || k.runs !== runs || !(k.median > 0)) {
      throw new Error(`unexpected write_qd output: ${k.output}`);
    }
    return k;
  }

  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
