/**
 * File I/O: 4 KiB sequential writes and reads at queue depth 1, 4 and 16 through the promise API
 * (AsyncRing.write / read), each beside the same work done with Node's fs.promises (FileHandle.write
 * / read with a Buffer) in the same run, and, for writes, beside the real kernel's io_uring
 * (kernel-probe/write_qd.c) when gcc and liburing are present.
 *
 * For writes, "ours direct" is ours with mergeWrites: false (no per-file write queue), run in the
 * same rotation, so the table shows what the queue and merging add.
 *
 * Queue depth n = n concurrent async workers, each with its own 4 KiB buffer, pulling the next block
 * number from a shared counter until the file is done; fs.promises is driven the same way. Runs are
 * interleaved (ours, fs.promises[, kernel], fs.promises, ours[, kernel], ...) so that drift of the
 * host hits all of them and neither always goes first; one warm-up run of each first, then RUNS timed runs; medians, min, max.
 *
 * Every run is checked so that a benchmark that silently does nothing fails loudly: each write and
 * read must return 4096; every block carries its number (u32 at both ends), stamped before each write
 * and checked after each read; after a write run the file must be exactly the size written and hold
 * every block's stamp. Writes go to a fresh file per run (open 'w', sync + settle before the run, so
 * that no writeback of an earlier run is pending, as write_qd.c and node_write.mjs do); reads read
 * one file written and fsynced beforehand, so they hit a warm page cache. All files live in a
 * temporary directory under os.tmpdir(), removed at the end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsyncRing } from '../src/index.js';
import { formatRate, median } from './harness.js';
import type { KernelWrite, KernelWriteProbe } from './kernel.js';

const BS = 4096;
const RING_ENTRIES = 64;
export const FILE_QDS: readonly number[] = [1, 4, 16];

/**
 * Reference figures measured earlier on this kind of machine, write IOPS [low, high] at each queue
 * depth (/work/shared/tools/kernel-probe/README.md). NOT measured in this run.
 */
export const FILE_WRITE_REF: Readonly<
  Record<
    number,
    { readonly fsPromises: readonly [number, number]; readonly kernel: readonly [number, number] }
  >
> = {
  1: { fsPromises: [10.5e3, 17e3], kernel: [10e3, 10e3] },
  4: { fsPromises: [37e3, 39e3], kernel: [21e3, 55e3] },
  16: { fsPromises: [69e3, 89e3], kernel: [53e3, 285e3] },
};

export type FileOp = 'write' | 'read';

export interface FileSettings {
  /** Size of each file written / read, MiB. */
  readonly fileMiB: number;
  /** Size of the warm-up runs, MiB. */
  readonly warmupMiB: number;
  readonly runs: number;
  /** Pause after sync before each write run, ms. */
  readonly settleMs: number;
}

export const FILE_SETTINGS: FileSettings = { fileMiB: 32, warmupMiB: 64, runs: 5, settleMs: 100 };
export const FILE_SETTINGS_QUICK: FileSettings = { fileMiB: 8, warmupMiB: 2, runs: 3, settleMs: 20 };

export interface RateStats {
  /** ops/s. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** ops/s of each run, in run order. */
  readonly runs: readonly number[];
}

export interface FileRow {
  readonly op: FileOp;
  readonly qd: number;
  readonly ours: RateStats;
  /** Ours with mergeWrites: false (every write to the thread pool at once); writes only, else null. */
  readonly direct: RateStats | null;
  readonly fsPromises: RateStats;
  /** The real kernel io_uring (write_qd.c) in this run; null for reads or when not measured. */
  readonly kernel: RateStats | null;
  /** write_qd's output of each run. */
  readonly kernelOutput: readonly string[];
}

export interface FileReport {
  readonly settings: FileSettings;
  readonly dir: string;
  readonly rows: readonly FileRow[];
}

export interface FileGroupOptions {
  readonly quick: boolean;
  /** The real kernel's write_qd, run beside our writes; null: not measured. */
  readonly kernel: KernelWriteProbe | null;
  readonly progress: (line: string) => void;
}

function fail(what: string): never {
  throw new Error(`file bench: ${what}`);
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

function stats(runs: readonly number[]): RateStats {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

/** A 4 KiB block as u32 words (little-endian, as the file check reads them). */
function words(bytes: Uint8Array): Uint32Array {
  return new Uint32Array(bytes.buffer, bytes.byteOffset, BS / 4);
}

/** Block i carries i + 1 in its first and last u32 (never 0, so a block of zeroes fails). */
function stamp(w: Uint32Array, i: number): void {
  w[0] = i + 1;
  w[BS / 4 - 1] = i + 1;
}

function checkStamp(w: Uint32Array, i: number, what: string): void {
  if (w[0] !== i + 1 || w[BS / 4 - 1] !== i + 1) {
    fail(`${what}: block ${i} holds stamps ${w[0]}/${w[BS / 4 - 1]}, expected ${i + 1}`);
  }
}

/**
 * Run `qd` workers pulling block numbers 0..blocks-1 from a shared counter; `one(w, i)` does block
 * i on worker w and returns the byte count. Returns the elapsed ns. The first failure stops every
 * worker; it is thrown once all have settled (nothing is left in flight behind it).
 */
async function drive(
  qd: number,
  blocks: number,
  one: (w: number, i: number) => Promise<number>,
  what: string,
): Promise<number> {
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async (w: number): Promise<void> => {
    while (!failed && next < blocks) {
      const i = next++;
      const n = await one(w, i);
      if (n !== BS) fail(`${what}: block ${i} returned ${n}, expected ${BS}`);
      done++;
    }
  };
  const t0 = process.hrtime.bigint();
  const results = await Promise.allSettled(
    Array.from({ length: qd }, (_, w) =>
      worker(w).catch((e: unknown) => {
        failed = true;
        throw e;
      }),
    ),
  );
  const ns = Number(process.hrtime.bigint() - t0);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  if (done !== blocks) fail(`${what}: ${done} of ${blocks} blocks done`);
  return ns;
}

/** After a write run: the file is exactly `blocks` blocks and every block carries its stamp. */
function checkWrittenFile(path: string, blocks: number, what: string): void {
  const size = fs.statSync(path).size;
  if (size !== blocks * BS) fail(`${what}: file size ${size}, expected ${blocks * BS}`);
  const data = fs.readFileSync(path);
  for (let i = 0; i < blocks; i++) checkStamp(words(data.subarray(i * BS, (i + 1) * BS)), i, what);
}

/** The file that the read runs read: `blocks` stamped blocks, fsynced (no writeback during reads). */
function writeReadFile(path: string, blocks: number): void {
  const chunkBlocks = 256;
  const chunk = Buffer.alloc(chunkBlocks * BS, 'a');
  const fd = fs.openSync(path, 'w');
  try {
    for (let b = 0; b < blocks; b += chunkBlocks) {
      const n = Math.min(chunkBlocks, blocks - b);
      for (let k = 0; k < n; k++) stamp(words(chunk.subarray(k * BS, (k + 1) * BS)), b + k);
      const len = n * BS;
      if (fs.writeSync(fd, chunk, 0, len, b * BS) !== len) fail(`short write preparing ${path}`);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Ours: AsyncRing.write / read, one buffer in the ring's address space per worker. */
class Ours {
  readonly #ring: AsyncRing;
  readonly #addrs: number[] = [];
  readonly #words: Uint32Array[] = [];

  constructor(qd: number, mergeWrites = true) {
    this.#ring = AsyncRing.create(RING_ENTRIES, { mergeWrites });
    for (let w = 0; w < qd; w++) {
      const buf = this.#ring.allocBuffer(BS);
      buf.bytes.fill(0x61);
      this.#addrs.push(buf.addr);
      this.#words.push(words(buf.bytes));
    }
  }

  /** One run over `blocks` blocks of `path`; returns ops/s. */
  async run(op: FileOp, path: string, blocks: number, what: string): Promise<number> {
    const ring = this.#ring;
    const addrs = this.#addrs;
    const ws = this.#words;
    const fd = fs.openSync(path, op === 'write' ? 'w' : 'r');
    let ns: number;
    try {
      ns =
        op === 'write'
          ? await drive(
              addrs.length,
              blocks,
              (w, i) => {
                stamp(ws[w]!, i);
                return ring.write(fd, addrs[w]!, BS, i * BS);
              },
              what,
            )
          : await drive(
              addrs.length,
              blocks,
              async (w, i) => {
                const n = await ring.read(fd, addrs[w]!, BS, i * BS);
                checkStamp(ws[w]!, i, what);
                return n;
              },
              what,
            );
    } finally {
      fs.closeSync(fd);
    }
    if (ring.inflight !== 0) fail(`${what}: ${ring.inflight} requests still in flight after the run`);
    return (blocks * 1e9) / ns;
  }

  shutdown(): Promise<void> {
    return this.#ring.shutdown();
  }
}

/** fs.promises: FileHandle.write / read, one Buffer per worker. */
class FsPromises {
  readonly #bufs: Buffer[] = [];
  readonly #words: Uint32Array[] = [];

  constructor(qd: number) {
    for (let w = 0; w < qd; w++) {
      const buf = Buffer.alloc(BS, 0x61);
      this.#bufs.push(buf);
      this.#words.push(words(buf));
    }
  }

  async run(op: FileOp, path: string, blocks: number, what: string): Promise<number> {
    const bufs = this.#bufs;
    const ws = this.#words;
    const fh = await fs.promises.open(path, op === 'write' ? 'w' : 'r');
    let ns: number;
    try {
      ns =
        op === 'write'
          ? await drive(
              bufs.length,
              blocks,
              async (w, i) => {
                stamp(ws[w]!, i);
                return (await fh.write(bufs[w]!, 0, BS, i * BS)).bytesWritten;
              },
              what,
            )
          : await drive(
              bufs.length,
              blocks,
              async (w, i) => {
                const n = (await fh.read(bufs[w]!, 0, BS, i * BS)).bytesRead;
                checkStamp(ws[w]!, i, what);
                return n;
              },
              what,
            );
    } finally {
      await fh.close();
    }
    return (blocks * 1e9) / ns;
  }
}

type Who = 'ours' | 'ours direct' | 'fs.promises';

/** Run the file group: writes then reads at each queue depth. */
export async function runFileGroup(opts: FileGroupOptions): Promise<FileReport> {
  const settings = opts.quick ? FILE_SETTINGS_QUICK : FILE_SETTINGS;
  const { progress } = opts;
  const blocks = (settings.fileMiB * 1024 * 1024) / BS;
  const warmBlocks = (settings.warmupMiB * 1024 * 1024) / BS;
  const dir = fs.mkdtempSync(join(tmpdir(), 'uring-bpf-fbench-'));
  const rows: FileRow[] = [];
  let seq = 0;
  const fresh = (tag: string): string => join(dir, `${tag}-${seq++}`);

  /** Before a write run: flush what is dirty and let the disk settle. */
  const settle = async (): Promise<void> => {
    const r = spawnSync('sync', { stdio: 'ignore' });
    if (r.error !== undefined || r.status !== 0)
      fail(`sync failed: ${r.error?.message ?? `exit ${r.status}`}`);
    await sleep(settings.settleMs);
  };

  try {
    const readFile = join(dir, 'read-source');
    for (const op of ['write', 'read'] as const) {
      if (op === 'read') {
        progress(`file: writing ${settings.fileMiB} MiB to read back (${readFile})`);
        writeReadFile(readFile, blocks);
      }
      for (const qd of FILE_QDS) {
        const ours = new Ours(qd);
        // Writes: also ours without the per-file write queue, to show what merging adds.
        const direct = op === 'write' ? new Ours(qd, false) : null;
        const theirs = new FsPromises(qd);
        const runs: Record<Who, number[]> = { ours: [], 'ours direct': [], 'fs.promises': [] };
        const kernelRuns: KernelWrite[] = [];
        const kernel = op === 'write' ? opts.kernel : null;
        const who: Who[] = direct === null ? ['ours', 'fs.promises'] : ['ours', 'fs.promises', 'ours direct'];
        try {
          const oneRun = async (which: Who, n: number, label: string): Promise<number> => {
            const what = `${op} qd=${qd} ${which} ${label}`;
            const runner = which === 'ours' ? ours : which === 'ours direct' ? direct! : theirs;
            if (op === 'write') {
              const path = fresh(`${op}-qd${qd}-${which.replace(' ', '-')}`);
              await settle();
              const rate = await runner.run(op, path, n, what);
              checkWrittenFile(path, n, what);
              fs.rmSync(path);
              return rate;
            }
            return runner.run(op, readFile, n, what);
          };
          progress(`file ${op} qd=${qd}: warm-up (${settings.warmupMiB} MiB each)`);
          // Reads cannot warm up on more than the file they read.
          const warm = op === 'read' ? Math.min(warmBlocks, blocks) : warmBlocks;
          for (const w of who) await oneRun(w, warm, 'warm-up');
          for (let r = 0; r < settings.runs; r++) {
            const label = `run ${r + 1}/${settings.runs}`;
            // Rotate who goes first and reverse every other run (A B C, C B A, B C A, ...), so that
            // writeback left by the run before (and the kernel's run) does not always land on one side.
            const order = who.map((_, k) => who[(k + r) % who.length]!);
            if (r % 2 === 1) order.reverse();
            for (const w of order) runs[w].push(await oneRun(w, blocks, label));
            let k = '';
            if (kernel !== null) {
              const kw = kernel.run(fresh(`write-qd${qd}-kernel`), qd, settings.fileMiB, 1);
              kernelRuns.push(kw);
              k = `, kernel ${formatRate(kw.median)}`;
            }
            const a = runs.ours.at(-1)!;
            const b = runs['fs.promises'].at(-1)!;
            const d = runs['ours direct'].at(-1);
            progress(
              `file ${op} qd=${qd} ${label}: ours ${formatRate(a)}, fs.promises ${formatRate(b)} (${(
                a / b
              ).toFixed(2)}x)${d === undefined ? '' : `, ours direct ${formatRate(d)}`}${k}`,
            );
          }
        } finally {
          await ours.shutdown();
          await direct?.shutdown();
        }
        rows.push({
          op,
          qd,
          ours: stats(runs.ours),
          direct: direct === null ? null : stats(runs['ours direct']),
          fsPromises: stats(runs['fs.promises']),
          kernel: kernelRuns.length === 0 ? null : stats(kernelRuns.map((k) => k.median)),
          kernelOutput: kernelRuns.map((k) => k.output),
        });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { settings, dir, rows };
}

/* ------------------------------------------------------------------ report */

const mbps = (opsPerSec: number): string => ((opsPerSec * BS) / 1e6).toFixed(1);

/** min-max in k/s: '144.1-181.4 k'. */
const range = (s: RateStats): string => `${(s.min / 1e3).toFixed(1)}-${(s.max / 1e3).toFixed(1)} k`;

const refRange = ([lo, hi]: readonly [number, number]): string =>
  lo === hi ? `${lo / 1e3} k` : `${lo / 1e3}-${hi / 1e3} k`;

/** Header lines and table rows of the file group. */
export function fileTable(
  report: FileReport,
  kernelNote: string,
): { lines: string[]; header: string[]; body: string[][] } {
  const s = report.settings;
  const withKernel = report.rows.some((r) => r.kernel !== null);
  const lines = [
    `file: 4 KiB sequential I/O on ${s.fileMiB} MiB files in ${tmpdir()}, queue depth = concurrent workers;`,
    `  ours = AsyncRing.write/read, fs.promises = FileHandle.write/read (Buffer), same run, interleaved run`,
    `  by run; ${s.runs} runs each after a ${s.warmupMiB} MiB warm-up; median ops/s, (min-max), MB/s = 10^6 B/s.`,
    '  ours direct = ours with mergeWrites: false: every write handed to the thread pool at once, no',
    '  per-file queue; ours (default) runs one write of a file at a time and merges queued adjacent ones.',
    '  write: fresh file per run (open "w", sync + settle before each run); read: one file written and',
    '  fsynced beforehand, PAGE CACHE WARM.',
    withKernel
      ? `  kernel = real kernel io_uring, write_qd.c buffered, ${kernelNote}.`
      : `  kernel (this run): ${kernelNote}.`,
    '  ref (earlier) = write IOPS measured earlier (kernel-probe/README.md), NOT in this run:',
    '  fs.promises | kernel io_uring.',
  ];
  const header = [
    'benchmark',
    'QD',
    'ours ops/s',
    '(min-max)',
    'MB/s',
    'fs.promises ops/s',
    '(min-max)',
    'MB/s',
    'ours/fs.promises',
    'ours direct',
    'direct/fs.p',
  ];
  if (withKernel) header.push('kernel ops/s', '(min-max)', 'ours/kernel');
  header.push('ref (earlier) fs.p | kernel');
  const body = report.rows.map((r) => {
    const cells = [
      r.op === 'write' ? 'file write 4K seq' : 'file read 4K seq (cache warm)',
      String(r.qd),
      formatRate(r.ours.median),
      range(r.ours),
      mbps(r.ours.median),
      formatRate(r.fsPromises.median),
      range(r.fsPromises),
      mbps(r.fsPromises.median),
      `${(r.ours.median / r.fsPromises.median).toFixed(2)}x`,
      r.direct === null ? '-' : formatRate(r.direct.median),
      r.direct === null ? '-' : `${(r.direct.median / r.fsPromises.median).toFixed(2)}x`,
    ];
    if (withKernel) {
      const k = r.kernel;
      cells.push(
        k === null ? '-' : formatRate(k.median),
        k === null ? '-' : range(k),
        k === null ? '-' : `${(r.ours.median / k.median).toFixed(2)}x`,
      );
    }
    const ref = r.op === 'write' ? FILE_WRITE_REF[r.qd] : undefined;
    cells.push(ref === undefined ? '-' : `${refRange(ref.fsPromises)} | ${refRange(ref.kernel)}`);
    return cells;
  });
  return { lines, header, body };
}

/** The file group's figures for latest.json. */
export function fileJson(report: FileReport, kernelNote: string): unknown {
  const rate = (s: RateStats) => ({
    median: Math.round(s.median),
    min: Math.round(s.min),
    max: Math.round(s.max),
    runs: s.runs.map(Math.round),
    mbPerSecMedian: Number(((s.median * BS) / 1e6).toFixed(1)),
  });
  return {
    settings: { blockSize: BS, ...report.settings, qds: FILE_QDS, tmpdir: tmpdir() },
    kernel: {
      note: kernelNote,
      reference: {
        source: 'kernel-probe/README.md, measured earlier (not in this run); write IOPS [low, high]',
        writeIops: FILE_WRITE_REF,
      },
    },
    results: report.rows.map((r) => ({
      group: 'file',
      op: r.op,
      qd: r.qd,
      pageCache: r.op === 'read' ? 'warm' : 'fresh file per run',
      oursOpsPerSec: rate(r.ours),
      fsPromisesOpsPerSec: rate(r.fsPromises),
      oursVsFsPromises: Number((r.ours.median / r.fsPromises.median).toFixed(4)),
      oursDirectOpsPerSec: r.direct === null ? null : rate(r.direct),
      oursDirectVsFsPromises:
        r.direct === null ? null : Number((r.direct.median / r.fsPromises.median).toFixed(4)),
      kernelOpsPerSec: r.kernel === null ? null : rate(r.kernel),
      oursVsKernel: r.kernel === null ? null : Number((r.ours.median / r.kernel.median).toFixed(4)),
      kernelOutput: r.kernelOutput,
      reference: r.op === 'write' ? (FILE_WRITE_REF[r.qd] ?? null) : null,
    })),
  };
}
