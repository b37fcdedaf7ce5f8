/**
 * The reference interpreter's speed in ns per executed instruction on three programs written in the
 * uBPF dialect (bench/programs/*.asm), beside uBPF's C interpreter on the same programs (figures
 * measured earlier on this machine, NOT in this run):
 *
 * - sum:    a loop summing 1..10^7 (64-bit add, compare and jump)
 * - primes: the primes below 20,000 by trial division with a 64-bit modulo
 * - hash:   a 64-bit FNV-1a hash over a 64 KiB buffer taken 50 times (byte loads, 64-bit multiply)
 *
 * Each program runs whole: warm-up runs, then timed runs one at a time; every run's r0 is checked
 * against a TypeScript computation (the sum, 2262 primes, the hash) and its executed-instruction
 * count (reported by the interpreter) against a count derived from the program's loop structure, so
 * a benchmark that silently does less work fails loudly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { loadInterpProgram as loadProgram } from '../src/ebpf/interp.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { median } from './harness.js';

/** uBPF's interpreter on these programs, ns per instruction [low, high] (earlier runs, not this one). */
export const UBPF_NS_PER_INSN: Readonly<Record<string, readonly [number, number]>> = {
  sum: [7.7, 8.7],
  primes: [9.4, 9.4],
  hash: [10.8, 10.8],
};

export interface InterpCase {
  readonly name: string;
  readonly what: string;
  /** Bytes of the buffer passed in r1 (address) and r2 (length), or 0 for none. */
  readonly bufferBytes: number;
  /** Expected r0 for the buffer's bytes. */
  expect(buf: Uint8Array): bigint;
  /** Expected executed instructions. */
  executed(buf: Uint8Array): number;
}

const SUM_N = 10_000_000;
const PRIME_LIMIT = 20_000;
const HASH_BYTES = 64 * 1024;
const HASH_PASSES = 50;

/** The three programs (bench/programs/<name>.asm), shared with the JIT group (bench/jit.ts). */
export const CASES: readonly InterpCase[] = [
  {
    name: 'sum',
    what: 'sum of 1..10^7',
    bufferBytes: 0,
    expect: () => (BigInt(SUM_N) * BigInt(SUM_N + 1)) / 2n,
    // 2 movs, 3 per iteration, exit
    executed: () => 2 + 3 * SUM_N + 1,
  },
  {
    name: 'primes',
    what: 'primes below 20,000, 64-bit mod',
    bufferBytes: 0,
    expect: () => BigInt(primeWalk().primes),
    executed: () => primeWalk().executed,
  },
  {
    name: 'hash',
    what: 'FNV-1a 64 over 64 KiB x 50',
    bufferBytes: HASH_BYTES,
    expect: (buf) => fnv1a64(buf, HASH_PASSES),
    // 2 lddw + mov; per pass 3 + 5 per byte + 2; exit
    executed: (buf) => 3 + HASH_PASSES * (3 + 5 * buf.length + 2) + 1,
  },
];

/** primes.asm's loop in TypeScript: the count and the instructions it executes. */
function primeWalk(): { primes: number; executed: number } {
  let primes = 0;
  let executed = 2 + 1; // two movs, exit
  for (let n = 2; n < PRIME_LIMIT; n++) {
    executed += 1; // mov r2, 2
    for (let d = 2; ; d++) {
      if (d * d > n) {
        primes++;
        executed += 3 + 1 + 2; // mov, mul, jgt; add r0; add r1, jlt
        break;
      }
      if (n % d === 0) {
        executed += 6 + 2; // mov, mul, jgt, mov, mod, jeq; add r1, jlt
        break;
      }
      executed += 8; // mov, mul, jgt, mov, mod, jeq, add, ja
    }
  }
  return { primes, executed };
}

function fnv1a64(buf: Uint8Array, passes: number): bigint {
  let h = 0xcbf29ce484222325n;
  for (let p = 0; p < passes; p++) {
    for (const b of buf) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  }
  return h;
}

/** Deterministic buffer content (xorshift32). */
export function fill(buf: Uint8Array): void {
  let s = 0x9e3779b9;
  for (let i = 0; i < buf.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    buf[i] = s & 0xff;
  }
}

export function programsDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('package.json not found above the bench script');
    d = up;
  }
  return join(d, 'bench', 'programs');
}

export interface InterpRow {
  readonly name: string;
  readonly what: string;
  readonly executed: number;
  readonly r0: bigint;
  /** ns per instruction of each timed run. */
  readonly runs: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly ubpf: readonly [number, number];
}

export interface InterpReport {
  readonly warmupRuns: number;
  readonly timedRuns: number;
  readonly rows: readonly InterpRow[];
}

export interface InterpGroupOptions {
  readonly quick: boolean;
  readonly progress: (line: string) => void;
}

export function runInterpGroup(opts: InterpGroupOptions): InterpReport {
  const warmupRuns = opts.quick ? 1 : 3;
  const timedRuns = opts.quick ? 3 : 7;
  const mem = new AddressSpace({ size: 4 * 1024 * 1024 });
  const rows: InterpRow[] = [];
  for (const c of CASES) {
    const prog = loadProgram(assembleUbpf(readFileSync(join(programsDir(), `${c.name}.asm`), 'utf8')));
    const buf = new Uint8Array(c.bufferBytes);
    fill(buf);
    const wantR0 = c.expect(buf);
    const wantExecuted = c.executed(buf);
    const addr = buf.length > 0 ? mem.alloc(buf.length) : 0;
    if (addr !== 0) mem.writeBytes(addr, buf);
    const regions = addr === 0 ? [] : [{ addr, size: buf.length, writable: false, name: 'buf' }];
    const once = (): number => {
      const t0 = process.hrtime.bigint();
      const r = prog.run({ mem, r1: addr, r2: buf.length, regions });
      const ns = Number(process.hrtime.bigint() - t0);
      if (r.r0 !== wantR0)
        throw new Error(`interp ${c.name}: r0 0x${r.r0.toString(16)}, expected 0x${wantR0.toString(16)}`);
      if (r.executed !== wantExecuted) {
        throw new Error(`interp ${c.name}: executed ${r.executed} instructions, expected ${wantExecuted}`);
      }
      return ns / r.executed;
    };
    try {
      opts.progress(`interp ${c.name}: ${warmupRuns} warm-up runs of ${wantExecuted} instructions`);
      for (let i = 0; i < warmupRuns; i++) once();
      const runs: number[] = [];
      for (let i = 0; i < timedRuns; i++) {
        const ns = once();
        runs.push(ns);
        opts.progress(`interp ${c.name}: run ${i + 1}/${timedRuns} ${ns.toFixed(2)} ns/insn`);
      }
      rows.push({
        name: c.name,
        what: c.what,
        executed: wantExecuted,
        r0: wantR0,
        runs,
        median: median(runs),
        min: Math.min(...runs),
        max: Math.max(...runs),
        ubpf: UBPF_NS_PER_INSN[c.name]!,
      });
    } finally {
      if (addr !== 0) mem.free(addr);
    }
  }
  return { warmupRuns, timedRuns, rows };
}

const fmtRef = (r: readonly [number, number]): string => (r[0] === r[1] ? `${r[0]}` : `${r[0]}-${r[1]}`);

export function interpTable(report: InterpReport): { lines: string[]; header: string[]; body: string[][] } {
  const lines = [
    `interp: the reference interpreter, whole programs from bench/programs/*.asm, ${report.timedRuns} timed runs`,
    `  after ${report.warmupRuns} warm-up runs; ns per executed instruction (median, min-max); r0 and the`,
    '  instruction count of every run checked. uBPF ns/insn = uBPF C interpreter on the same programs,',
    '  measured earlier on this machine, NOT in this run; uBPF/ours > 1 means faster than uBPF.',
  ];
  const header = ['benchmark', 'insns/run', 'ns/insn', '(min-max)', 'M insn/s', 'uBPF ns/insn', 'uBPF/ours'];
  const body = report.rows.map((r) => [
    `${r.name}: ${r.what}`,
    String(r.executed),
    r.median.toFixed(2),
    `(${r.min.toFixed(2)}-${r.max.toFixed(2)})`,
    (1e3 / r.median).toFixed(0),
    fmtRef(r.ubpf),
    `${((r.ubpf[0] + r.ubpf[1]) / 2 / r.median).toFixed(2)}x`,
  ]);
  return { lines, header, body };
}

export function interpJson(report: InterpReport): unknown {
  const round = (x: number): number => Number(x.toFixed(3));
  return {
    settings: { warmupRuns: report.warmupRuns, timedRuns: report.timedRuns },
    reference: {
      source: 'uBPF C interpreter on the same programs, measured earlier on this machine (not in this run)',
      nsPerInsn: UBPF_NS_PER_INSN,
    },
    results: report.rows.map((r) => ({
      group: 'interp',
      benchmark: r.name,
      what: r.what,
      executedPerRun: r.executed,
      r0: `0x${r.r0.toString(16)}`,
      nsPerInsn: { median: round(r.median), min: round(r.min), max: round(r.max), runs: r.runs.map(round) },
      insnsPerSecMedian: Math.round(1e9 / r.median),
      ubpfNsPerInsn: r.ubpf,
      speedupVsUbpf: round((r.ubpf[0] + r.ubpf[1]) / 2 / r.median),
    })),
  };
}
