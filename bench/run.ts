/**
 * `npm run bench`: runs the benchmarks, prints a table on stdout (progress on stderr) and writes every
 * figure with the machine's description to bench/results/latest.json.
 *
 * usage: node dist/bench/run.js [--quick] [--only GROUP[,GROUP]] [--kernel | --no-kernel]
 *   --quick      short runs (a smoke test of the harness, figures are rough)
 *   --only nop   run only these groups (available: nop, interp, jit, maps, bpf, verifier, file)
 *   --kernel     also build and run the kernel probe's nop_bench.c for the same batches and write_qd.c
 *                for the same writes (needs gcc and liburing); on by default when both are present,
 *                --no-kernel skips it
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type BpfReport, bpfJson, bpfTable, runBpfGroup } from './bpf.js';
import { type FileReport, fileJson, fileTable, runFileGroup } from './file.js';
import {
  type BenchCase,
  formatRate,
  formatTable,
  measure,
  repoRoot,
  type Stats,
  type Timing,
} from './harness.js';
import { type InterpReport, interpJson, interpTable, runInterpGroup } from './interp.js';
import { type JitReport, jitJson, jitTables, runJitGroup } from './jit.js';
import { type KernelNop, KernelWriteProbe, kernelUnavailable, runKernelNop } from './kernel.js';
import { type MapsReport, mapsJson, mapsTable, runMapsGroup } from './maps.js';
import { nopCases } from './nop.js';
import { runVerifierGroup, type VerifierReport, verifierJson, verifierTable } from './verifier.js';

/** Groups of time-boxed cases run by harness.measure. */
const CASE_GROUPS: Readonly<Record<string, readonly BenchCase[]>> = { nop: nopCases };
/**
 * Every group, in run order: the case groups, then 'interp' (whole BPF programs, bench/interp.ts),
 * 'jit' (the same programs on the JIT, and compile times, bench/jit.ts), 'maps' (hash maps from TypeScript and from programs, bench/maps.ts), 'bpf' (BPF requests vs
 * TypeScript: pingpong, NOP chains, write_file, bench/bpf.ts), 'verifier' (verification time of the
 * example objects' programs and built ones, bench/verifier.ts), then 'file' (its own interleaved
 * runs, bench/file.ts).
 */
const GROUPS: readonly string[] = [
  ...Object.keys(CASE_GROUPS),
  'interp',
  'jit',
  'maps',
  'bpf',
  'verifier',
  'file',
];

interface Options {
  readonly quick: boolean;
  readonly only: readonly string[];
  /** true: required, false: skipped, undefined: when available. */
  readonly kernel: boolean | undefined;
}

const USAGE = 'usage: node dist/bench/run.js [--quick] [--only GROUP[,GROUP]] [--kernel | --no-kernel]';

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let only: string[] = [...GROUPS];
  let kernel: boolean | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--kernel') kernel = true;
    else if (a === '--no-kernel') kernel = false;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (v === undefined || v === '') throw new UsageError('--only needs a group name');
      only = v.split(',').filter((g) => g !== '');
      for (const g of only) {
        if (!GROUPS.includes(g)) {
          throw new UsageError(`unknown group '${g}' (available: ${GROUPS.join(', ')})`);
        }
      }
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new UsageError(`unknown argument '${a}'`);
  }
  // Run order is GROUPS' order whatever the order given.
  return { quick, only: GROUPS.filter((g) => only.includes(g)), kernel };
}

class UsageError extends Error {}

function gitRevision(root: string): string | null {
  const r = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

interface Row {
  readonly group: string;
  readonly name: string;
  readonly batch: number;
  readonly stats: Stats;
  readonly kernelRef: { readonly low: number; readonly high: number; readonly mid: number } | null;
  readonly kernelMeasured: KernelNop | null;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

const ratio = (ours: number, theirs: number | undefined): string =>
  theirs === undefined ? '-' : `${(ours / theirs).toFixed(3)}x`;

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  const timing: Timing = opts.quick
    ? { warmupMs: 100, runMs: 200, runs: 3, chunkIters: 64 }
    : { warmupMs: 500, runMs: 800, runs: 5, chunkIters: 256 };
  const kernelTiming = opts.quick ? { secs: 0.2, runs: 3 } : { secs: 0.5, runs: 5 };
  const cases = opts.only.flatMap((g) => CASE_GROUPS[g] ?? []);
  const runFile = opts.only.includes('file');
  const runInterp = opts.only.includes('interp');
  const runMaps = opts.only.includes('maps');
  const runBpf = opts.only.includes('bpf');

  // The kernel's figures first, so that both are taken under the same conditions of this run.
  let kernel: KernelNop[] = [];
  let kernelNote: string;
  const kernelBatches = [
    ...new Set(cases.flatMap((c) => (c.kernelBatch === undefined ? [] : [c.kernelBatch]))),
  ];
  const why = opts.kernel === false ? 'skipped (--no-kernel)' : kernelUnavailable('nop_bench');
  const whyWrite = opts.kernel === false ? 'skipped (--no-kernel)' : kernelUnavailable('write_qd');
  for (const [needed, w] of [
    [kernelBatches.length > 0, why],
    [runFile, whyWrite],
  ] as const) {
    if (needed && w !== null && opts.kernel === true) {
      process.stderr.write(`--kernel: cannot run the kernel benchmark: ${w}\n`);
      return 1;
    }
  }
  if (why === null && kernelBatches.length > 0) {
    kernel = runKernelNop(kernelBatches, kernelTiming.secs, kernelTiming.runs, progress);
    kernelNote = `measured in this run by nop_bench.c (${kernelTiming.runs} runs of ${kernelTiming.secs} s)`;
  } else {
    kernelNote = `not measured: ${why ?? 'no case compares with the kernel'}`;
    if (why !== null && kernelBatches.length > 0) progress(`kernel: ${kernelNote}`);
  }

  const rows: Row[] = [];
  for (const c of cases) {
    const stats = await measure(c, timing, progress);
    const ref = c.kernelRef;
    rows.push({
      group: c.group,
      name: c.name,
      batch: c.batch,
      stats,
      kernelRef: ref === undefined ? null : { low: ref[0], high: ref[1], mid: (ref[0] + ref[1]) / 2 },
      kernelMeasured: kernel.find((k) => k.batch === c.kernelBatch) ?? null,
    });
  }

  // The interpreter after the case groups, before the file group.
  const interp: InterpReport | null = runInterp ? runInterpGroup({ quick: opts.quick, progress }) : null;
  const jit: JitReport | null = opts.only.includes('jit')
    ? runJitGroup({ quick: opts.quick, progress })
    : null;
  const maps: MapsReport | null = runMaps
    ? await runMapsGroup({ quick: opts.quick, timing, progress })
    : null;
  const bpf: BpfReport | null = runBpf ? await runBpfGroup({ quick: opts.quick, progress }) : null;
  const verifier: VerifierReport | null = opts.only.includes('verifier')
    ? runVerifierGroup({ quick: opts.quick, progress })
    : null;

  // The file group last: its writeback must not disturb the CPU-bound cases.
  let file: FileReport | null = null;
  let fileKernelNote = '';
  if (runFile) {
    const fileRuns = opts.quick ? 3 : 5;
    let probe: KernelWriteProbe | null = null;
    if (whyWrite === null) {
      probe = new KernelWriteProbe(progress);
      fileKernelNote = `in this run: one write_qd run after each\n  ours / fs.promises pair (${fileRuns} runs)`;
    } else {
      fileKernelNote = `not measured: ${whyWrite}`;
      progress(`kernel: write_qd ${fileKernelNote}`);
    }
    try {
      file = await runFileGroup({ quick: opts.quick, kernel: probe, progress });
    } finally {
      probe?.dispose();
    }
  }

  // Table.
  const withKernel = kernel.length > 0;
  const header = ['benchmark', 'batch', 'median ops/s', 'min', 'max', 'vs kernel (ref)'];
  if (withKernel) header.push('kernel (this run)', 'vs kernel (this run)');
  const body = rows.map((r) => {
    const cells = [
      r.name,
      String(r.batch),
      formatRate(r.stats.median),
      formatRate(r.stats.min),
      formatRate(r.stats.max),
      ratio(r.stats.median, r.kernelRef?.mid),
    ];
    if (withKernel) {
      const k = r.kernelMeasured;
      cells.push(k === null ? '-' : formatRate(k.median), ratio(r.stats.median, k?.median));
    }
    return cells;
  });
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const lines = [
    `uring-bpf benchmarks: node ${process.version}, ${cpu} x${os.cpus().length}, kernel ${os.release()}${
      opts.quick ? ', QUICK (rough figures)' : ''
    }`,
  ];
  if (rows.length > 0) {
    lines.push(
      '',
      `${timing.runs} runs of ${timing.runMs} ms after ${timing.warmupMs} ms warm-up`,
      'vs kernel (ref) = our median / midpoint of the real kernel io_uring NOP submit+reap range on this machine',
      '  (3.1-3.3 M/s at batch 1, 9-11.6 M/s at batch 8, 12.5-14.8 M/s at batch 32): reference figures',
      '  measured earlier (kernel-probe/README.md), NOT in this run.',
      withKernel
        ? `kernel (this run) = nop_bench.c median, ${kernelNote}.`
        : `kernel (this run): ${kernelNote}.`,
      '',
      formatTable(header, body),
    );
  }
  if (interp !== null) {
    const t = interpTable(interp);
    lines.push('', ...t.lines, '', formatTable(t.header, t.body));
  }
  if (jit !== null) {
    for (const t of jitTables(jit)) lines.push('', ...t.lines, '', formatTable(t.header, t.body));
  }
  if (maps !== null) {
    const t = mapsTable(maps);
    lines.push('', ...t.lines, '', formatTable(t.header, t.body));
  }
  if (bpf !== null) {
    const t = bpfTable(bpf);
    lines.push('', ...t.lines, '', formatTable(t.header, t.body));
  }
  if (verifier !== null) {
    const t = verifierTable(verifier);
    lines.push('', ...t.lines, '', formatTable(t.header, t.body));
  }
  if (file !== null) {
    const t = fileTable(file, fileKernelNote);
    lines.push('', ...t.lines, '', formatTable(t.header, t.body));
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  // JSON.
  const root = repoRoot();
  const outDir = join(root, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'latest.json');
  const json = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      v8: process.versions.v8,
      cpu,
      cpus: os.cpus().length,
      platform: os.platform(),
      arch: os.arch(),
      kernel: os.release(),
      totalMemBytes: os.totalmem(),
      loadavg: os.loadavg(),
    },
    revision: gitRevision(root),
    options: { quick: opts.quick, only: opts.only, timing, kernelTiming },
    kernel: {
      note: kernelNote,
      reference: {
        source: 'kernel-probe/README.md, measured earlier on this machine (not in this run)',
        nopOpsPerSec: Object.fromEntries(
          rows.flatMap((r) => (r.kernelRef === null ? [] : [[String(r.batch), r.kernelRef]])),
        ),
      },
      measured: kernel,
    },
    results: rows.map((r) => ({
      group: r.group,
      benchmark: r.name,
      batch: r.batch,
      opsPerSec: {
        median: Math.round(r.stats.median),
        min: Math.round(r.stats.min),
        max: Math.round(r.stats.max),
        runs: r.stats.runs.map(Math.round),
      },
      nsPerOp: round(1e9 / r.stats.median, 2),
      totalOps: r.stats.totalOps,
      kernelRef: r.kernelRef,
      vsKernelRef: r.kernelRef === null ? null : round(r.stats.median / r.kernelRef.mid, 4),
      kernelMeasured: r.kernelMeasured === null ? null : r.kernelMeasured.median,
      vsKernelMeasured: r.kernelMeasured === null ? null : round(r.stats.median / r.kernelMeasured.median, 4),
    })),
    interp: interp === null ? null : interpJson(interp),
    jit: jit === null ? null : jitJson(jit),
    maps: maps === null ? null : mapsJson(maps),
    bpf: bpf === null ? null : bpfJson(bpf),
    verifier: verifier === null ? null : verifierJson(verifier),
    file: file === null ? null : fileJson(file, fileKernelNote),
  };
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
  progress(`wrote ${outFile}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
