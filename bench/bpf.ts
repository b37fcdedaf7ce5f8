/**
 * BPF requests (IORING_OP_BPF) against the same work driven from TypeScript:
 *
 * - pingpong: two BPF requests of examples/pipeline/pingpong.bpf.o bounce a counter through CQs 1
 *   and 2 (spec §7.3, `rounds` messages per job instead of 20); round trips/s = messages / 2 / s.
 *   Printed beside: the real kernel's MSG_RING ping-pong between two threads on one vCPU, 277-400 k
 *   round trips/s (kernel-probe/README.md, measured earlier, NOT in this run).
 * - NOP chains, N = 1, 8, 32: one BPF request keeping N NOPs in flight (examples/pipeline), a
 *   TypeScript loop keeping N in flight with submit/reap, and 2-NOP IOSQE_IO_LINK chains from
 *   TypeScript (N NOPs, i.e. N / 2 chains, per submit; 1 chain at N = 1): NOPs/s.
 * - write_file: the RFC's test4 program (examples/rfc/uring.bpf.o `write_file`: 256 KiB in 16 KiB
 *   writes at QD 4 to fixed file 0, all from BPF) and the same writes from TypeScript (AsyncRing.write,
 *   4 in flight): MB/s (10^6 B/s).
 *
 * The BPF requests run on both engines (Runtime.bpfLoad's `engine`: the JIT, the default, and the
 * interpreter), one row each; the NOP-chain BPF request is the example's runBpfPipeline
 * (src/cli/examples/pipeline.ts) with its `engine` option.
 *
 * A job is one request (or the TypeScript equivalent); each run repeats jobs until its time is up and
 * divides the work by the jobs' own time (submit to last CQE; loading and setup are outside). Every
 * job is checked (counters, CQEs, the file's bytes, which change per job), so a benchmark that does
 * nothing fails.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleObject } from '../src/cli/examples/common.js';
import { runBpfPipeline, runLinkedChains, runTsPipeline } from '../src/cli/examples/pipeline.js';
import type { EngineKind } from '../src/ebpf/run-env.js';
import { AsyncRing } from '../src/liburing/async.js';
import { prepBpf, prepNop } from '../src/liburing/prep.js';
import { IoUring } from '../src/liburing/ring.js';
import { IORING_REGISTER_FILES } from '../src/uapi/io_uring.js';
import { Runtime } from '../src/uring/runtime.js';
import { formatRate, median } from './harness.js';
import { KERNEL_NOP_REF } from './nop.js';

/** Real kernel MSG_RING ping-pong, two threads on one vCPU, round trips/s (earlier, not this run). */
export const KERNEL_PINGPONG_REF: readonly [number, number] = [277e3, 400e3];
export const NOP_DEPTHS: readonly number[] = [1, 8, 32];
/** The engines BPF requests run on, one row each. */
export const ENGINES: readonly EngineKind[] = ['jit', 'interp'];
const WRITE_BLOCK = 16 * 1024;
const WRITE_BLOCKS = 16;
const WRITE_QD = 4;
const WRITE_BYTES = WRITE_BLOCK * WRITE_BLOCKS;

export interface BpfSettings {
  /** Messages per pingpong job. */
  readonly rounds: number;
  /** NOPs per NOP-chain job. */
  readonly nops: number;
  readonly runs: number;
  readonly runMs: number;
  readonly warmupJobs: number;
}

export const BPF_SETTINGS: BpfSettings = { rounds: 20_000, nops: 20_000, runs: 5, runMs: 500, warmupJobs: 3 };
export const BPF_SETTINGS_QUICK: BpfSettings = {
  rounds: 2_000,
  nops: 2_000,
  runs: 3,
  runMs: 100,
  warmupJobs: 1,
};

export interface BpfRow {
  readonly section: 'pingpong' | 'nop' | 'write';
  readonly name: string;
  /** The engine of the BPF requests, or null for the TypeScript rows. */
  readonly engine: EngineKind | null;
  /** N (NOPs in flight) or QD; 0 when it does not apply. */
  readonly depth: number;
  /** 'round trips/s', 'NOPs/s' or 'B/s'. */
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
  /** Jobs done in the timed runs, all checked. */
  readonly jobs: number;
  /** A reference figure [low, high] in the same unit, measured earlier (not in this run). */
  readonly ref: readonly [number, number] | null;
  readonly refWhat: string;
}

export interface BpfReport {
  readonly settings: BpfSettings;
  readonly rows: readonly BpfRow[];
}

export interface BpfGroupOptions {
  readonly quick: boolean;
  readonly progress: (line: string) => void;
}

function fail(what: string): never {
  throw new Error(`bpf bench: ${what}`);
}

/** One job: the work it did (in the row's unit) and its own time. */
interface JobResult {
  readonly work: number;
  readonly ns: bigint;
}

interface Case {
  readonly section: BpfRow['section'];
  readonly name: string;
  readonly engine: EngineKind | null;
  readonly depth: number;
  readonly unit: string;
  readonly ref: readonly [number, number] | null;
  readonly refWhat: string;
  /** Setup; returns the job runner and the teardown. */
  open(): Promise<{ job: () => Promise<JobResult>; close: () => Promise<void> }>;
}

async function measureCase(c: Case, s: BpfSettings, progress: (line: string) => void): Promise<BpfRow> {
  const label = `bpf ${c.name}${c.engine === null ? '' : ` [${c.engine}]`}${c.depth > 0 ? ` ${c.section === 'write' ? 'QD' : 'N'}=${c.depth}` : ''}`;
  const { job, close } = await c.open();
  try {
    for (let i = 0; i < s.warmupJobs; i++) await job();
    const runs: number[] = [];
    let jobs = 0;
    for (let r = 0; r < s.runs; r++) {
      let work = 0;
      let ns = 0n;
      const t0 = process.hrtime.bigint();
      do {
        const j = await job();
        if (j.work <= 0) fail(`${label}: a job did no work`);
        work += j.work;
        ns += j.ns;
        jobs++;
      } while (process.hrtime.bigint() - t0 < BigInt(s.runMs) * 1_000_000n);
      const rate = (work * 1e9) / Number(ns);
      runs.push(rate);
      progress(`${label}: run ${r + 1}/${s.runs} ${formatRate(rate)}`);
    }
    return {
      section: c.section,
      name: c.name,
      engine: c.engine,
      depth: c.depth,
      unit: c.unit,
      median: median(runs),
      min: Math.min(...runs),
      max: Math.max(...runs),
      runs,
      jobs,
      ref: c.ref,
      refWhat: c.refWhat,
    };
  } finally {
    await close();
  }
}

/* ------------------------------------------------------------------ pingpong */

function pingpongCase(rounds: number, engine: EngineKind): Case {
  return {
    section: 'pingpong',
    name: 'pingpong (2 BPF requests, CQ 1 <-> CQ 2)',
    engine,
    depth: 0,
    unit: 'round trips/s',
    ref: KERNEL_PINGPONG_REF,
    refWhat: 'kernel MSG_RING ping-pong, 2 threads on 1 vCPU',
    async open() {
      const rt = new Runtime({ size: 4 * 1024 * 1024 });
      const ring = IoUring.queueInit(8, { cqSizes: [8, 8], runtime: rt });
      const obj = rt.bpfLoad(exampleObject('pipeline', 'pingpong.bpf.o'), {
        globals: { rounds: BigInt(rounds) },
        engine,
      });
      if (rt.bpfProg(obj.progFd('pingpong'))?.prog.engine !== engine)
        fail(`pingpong: not loaded for ${engine}`);
      const reg = await ring.registerBpf([obj.progFd('pingpong')]);
      if (reg !== 0) fail(`pingpong: IORING_REGISTER_BPF gave ${reg}`);
      const counters = obj.arrayMap('counters').u64;
      const lastEven = BigInt(rounds % 2 === 0 ? rounds : rounds - 1);
      const lastOdd = BigInt(rounds % 2 === 1 ? rounds : rounds - 1);
      return {
        async job() {
          for (let k = 0; k < 4; k++) counters.set(k, 0n);
          prepBpf(ring.getSqe() ?? fail('SQ full'), 0).setUserData(0);
          prepBpf(ring.getSqe() ?? fail('SQ full'), 0).setUserData(1);
          prepNop(ring.getSqe() ?? fail('SQ full'))
            .setUserData(0)
            .setCqIdx(1);
          const t0 = process.hrtime.bigint();
          if (ring.submit() !== 3) fail('pingpong: submit did not take 3 SQEs');
          let done = 0;
          for (let i = 0; i < 2; i++) {
            const c = await ring.waitCqe(0);
            if (c.res !== 0 || c.userDataLo > 1)
              fail(`pingpong: request CQE res ${c.res} user_data ${c.userData}`);
            done |= 1 << c.userDataLo;
            ring.cqeSeen(c);
          }
          const ns = process.hrtime.bigint() - t0;
          if (done !== 3) fail('pingpong: one instance completed twice');
          const last = [counters.get(2), counters.get(3)];
          if (last[0] !== lastEven || last[1] !== lastOdd || ring.cqReady(1) + ring.cqReady(2) !== 0)
            fail(`pingpong: last messages ${last.join('/')}, expected ${lastEven}/${lastOdd}, CQs 1/2 empty`);
          return { work: rounds / 2, ns };
        },
        async close() {
          obj.close();
          const left = await ring.close();
          if (left.length !== 0) fail(`pingpong: ${left.length} CQEs left at close`);
        },
      };
    },
  };
}

/* ------------------------------------------------------------------ NOP chains */

function nopCases(nops: number): Case[] {
  return NOP_DEPTHS.flatMap((depth): Case[] => {
    const ref = KERNEL_NOP_REF[depth] ?? null;
    const refWhat = `kernel NOP submit+reap, batch ${depth}`;
    const common = { section: 'nop' as const, depth, unit: 'NOPs/s', ref, refWhat, engine: null };
    const o = { depth, target: nops };
    const runs = Math.ceil(nops / depth) + 1;
    return [
      ...ENGINES.map((engine) => ({
        ...common,
        engine,
        name: 'NOPs in flight: BPF request (pipeline.bpf.o)',
        async open() {
          return {
            async job() {
              const b = await runBpfPipeline({ ...o, engine });
              const c = b.counters.map(Number);
              const want = [nops, nops, runs, 0, 0, Math.min(depth, nops)];
              if (b.res !== 0 || c.join() !== want.join() || b.cq1Left !== 0)
                fail(`pipeline N=${depth}: res ${b.res} counters ${c.join(' ')}, expected ${want.join(' ')}`);
              return { work: nops, ns: b.ns };
            },
            close: async () => {},
          };
        },
      })),
      {
        ...common,
        name: 'NOPs in flight: TypeScript submit/reap loop',
        async open() {
          return {
            async job() {
              const t = await runTsPipeline(o);
              if (t.completed !== nops) fail(`ts loop N=${depth}: ${t.completed} NOPs, expected ${nops}`);
              return { work: t.completed, ns: t.ns };
            },
            close: async () => {},
          };
        },
      },
      {
        ...common,
        name: 'IOSQE_IO_LINK chains of 2 NOPs from TypeScript',
        async open() {
          return {
            async job() {
              const t = await runLinkedChains(o);
              if (t.completed !== 2 * Math.ceil(nops / 2)) fail(`links N=${depth}: ${t.completed} NOPs`);
              return { work: t.completed, ns: t.ns };
            },
            close: async () => {},
          };
        },
      },
    ];
  });
}

/* ------------------------------------------------------------------ write_file */

/** The file must hold WRITE_BYTES bytes of `fill`. */
function checkFile(fd: number, fill: number, what: string): void {
  const b = Buffer.alloc(WRITE_BYTES + 1);
  const n = readSync(fd, b, 0, b.length, 0);
  if (n !== WRITE_BYTES) fail(`${what}: the file holds ${n} bytes, expected ${WRITE_BYTES}`);
  for (let i = 0; i < n; i++) {
    if (b[i] !== fill) fail(`${what}: byte ${i} is ${b[i]}, expected ${fill}`);
  }
}

function writeCases(dir: string): Case[] {
  const common = {
    section: 'write' as const,
    depth: WRITE_QD,
    unit: 'B/s',
    ref: null,
    refWhat: '',
    engine: null,
  };
  return [
    ...ENGINES.map((engine) => ({
      ...common,
      engine,
      name: 'write_file 256 KiB in 16 KiB: BPF request (RFC test4)',
      async open() {
        const file = join(dir, 'bpf-write');
        const fd = openSync(file, 'w+');
        const rt = new Runtime({ size: 8 * 1024 * 1024 });
        const ring = IoUring.queueInit(8, { cqSizes: [128, 128], runtime: rt });
        const obj = rt.bpfLoad(exampleObject('rfc', 'uring.bpf.o'), { engine });
        if (rt.bpfProg(obj.progFd('write_file'))?.prog.engine !== engine)
          fail(`write_file: not loaded for ${engine}`);
        const reg = await ring.registerBpf(
          ['test', 'counting', 'pingpong', 'write_file'].map((n) => obj.progFd(n)),
        );
        if (reg !== 0) fail(`write_file: IORING_REGISTER_BPF gave ${reg}`);
        const table = ring.mem.alloc(4);
        ring.mem.writeI32(table, fd);
        const rf = await ring.register(IORING_REGISTER_FILES, table, 1);
        if (rf !== 0) fail(`write_file: IORING_REGISTER_FILES gave ${rf}`);
        const buf = ring.mem.alloc(WRITE_BYTES, 4096);
        const arr = obj.arrayMap('arr').u64;
        let fill = 0xae;
        return {
          async job() {
            fill = fill === 0xae ? 0x5c : 0xae;
            ring.mem.view(buf, WRITE_BYTES).fill(fill);
            arr.set(0, 0n);
            arr.set(1, 0n);
            prepBpf(ring.getSqe() ?? fail('SQ full'), 3).setUserData(buf);
            const t0 = process.hrtime.bigint();
            if (ring.submit() !== 1) fail('write_file: submit did not take the SQE');
            const c = await ring.waitCqe(0);
            const ns = process.hrtime.bigint() - t0;
            if (c.res !== 0 || c.userDataLo !== buf)
              fail(`write_file: CQE res ${c.res} user_data ${c.userData}`);
            ring.cqeSeen(c);
            if (arr.get(0) !== 0n || arr.get(1) !== BigInt(WRITE_BLOCKS) || ring.cqReady(1) !== 0)
              fail(
                `write_file: arr[0..1] = ${arr.get(0)} ${arr.get(1)}, expected 0 ${WRITE_BLOCKS}, CQ 1 empty`,
              );
            checkFile(fd, fill, 'write_file (BPF)');
            return { work: WRITE_BYTES, ns };
          },
          async close() {
            obj.close();
            await ring.close();
            closeSync(fd);
          },
        };
      },
    })),
    {
      ...common,
      name: 'the same writes from TypeScript (AsyncRing.write, QD 4)',
      async open() {
        const file = join(dir, 'ts-write');
        const fd = openSync(file, 'w+');
        const ar = AsyncRing.create(8, { runtime: new Runtime({ size: 8 * 1024 * 1024 }) });
        const buf = ar.allocBuffer(WRITE_BYTES);
        let fill = 0xae;
        return {
          async job() {
            fill = fill === 0xae ? 0x5c : 0xae;
            buf.bytes.fill(fill);
            let next = 0;
            const worker = async (): Promise<void> => {
              while (next < WRITE_BLOCKS) {
                const i = next++;
                const n = await ar.write(fd, buf.addr + i * WRITE_BLOCK, WRITE_BLOCK, i * WRITE_BLOCK);
                if (n !== WRITE_BLOCK) fail(`AsyncRing write ${i}: ${n} bytes`);
              }
            };
            const t0 = process.hrtime.bigint();
            await Promise.all(Array.from({ length: WRITE_QD }, worker));
            const ns = process.hrtime.bigint() - t0;
            checkFile(fd, fill, 'write (TypeScript)');
            return { work: WRITE_BYTES, ns };
          },
          async close() {
            await ar.shutdown();
            closeSync(fd);
          },
        };
      },
    },
  ];
}

/* ------------------------------------------------------------------ group */

export async function runBpfGroup(opts: BpfGroupOptions): Promise<BpfReport> {
  const s = opts.quick ? BPF_SETTINGS_QUICK : BPF_SETTINGS;
  const dir = mkdtempSync(join(tmpdir(), 'uring-bpf-bench-bpf-'));
  try {
    const rows: BpfRow[] = [];
    for (const c of [
      ...ENGINES.map((e) => pingpongCase(s.rounds, e)),
      ...nopCases(s.nops),
      ...writeCases(dir),
    ]) {
      rows.push(await measureCase(c, s, opts.progress));
    }
    return { settings: s, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A figure in its unit's scale: B/s as MB/s, the others as k/M per second. */
const fmt = (x: number, unit: string): string =>
  unit === 'B/s' ? (x / 1e6).toFixed(1) : formatRate(x).replace(' /s', '').replace('/s', '');

/** The unit column: 'MB/s', or e.g. 'NOPs/s'. */
const unitText = (unit: string): string => (unit === 'B/s' ? 'MB/s' : unit);

/** Header lines and table rows of the bpf group. */
export function bpfTable(report: BpfReport): { lines: string[]; header: string[]; body: string[][] } {
  const s = report.settings;
  const lines = [
    `bpf: BPF requests vs TypeScript; ${s.runs} runs of >= ${s.runMs} ms after ${s.warmupJobs} warm-up jobs; a job is one`,
    `  request (pingpong ${s.rounds} messages, NOP chains ${s.nops} NOPs, write_file 256 KiB), timed from submit to its`,
    '  last CQE; median (min-max). ref (earlier) = the real kernel, measured earlier (kernel-probe/README.md),',
    '  NOT in this run: MSG_RING ping-pong between 2 threads on 1 vCPU; NOP submit+reap at batch N.',
    '  engine = what the BPF requests run on (Runtime.bpfLoad engine: jit, the default, or interp).',
  ];
  const header = ['benchmark', 'engine', 'N/QD', 'median', '(min-max)', 'unit', 'ref (earlier)'];
  const body = report.rows.map((r) => [
    r.name,
    r.engine ?? '-',
    r.depth === 0 ? '-' : String(r.depth),
    fmt(r.median, r.unit),
    `(${fmt(r.min, r.unit)}-${fmt(r.max, r.unit)})`,
    unitText(r.unit),
    r.ref === null ? '-' : `${fmt(r.ref[0], r.unit)}-${fmt(r.ref[1], r.unit)}`,
  ]);
  return { lines, header, body };
}

/** The bpf group's figures for latest.json. */
export function bpfJson(report: BpfReport): unknown {
  return {
    settings: report.settings,
    rows: report.rows.map((r) => ({
      section: r.section,
      benchmark: r.name,
      engine: r.engine,
      depth: r.depth,
      unit: r.unit,
      median: Math.round(r.median),
      min: Math.round(r.min),
      max: Math.round(r.max),
      runs: r.runs.map(Math.round),
      jobs: r.jobs,
      reference:
        r.ref === null
          ? null
          : { low: r.ref[0], high: r.ref[1], what: r.refWhat, measured: 'earlier, not in this run' },
    })),
  };
}
