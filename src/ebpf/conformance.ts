/**
 * bpf_conformance runner: runs every `.data` file of a directory (or of its `tests/` and `negative/`
 * subdirectories) through parse, assemble (`-- raw` wins over `-- asm`), load and run, and compares
 * the outcome with the file's expectation.
 *
 * Run contract (conformance/bpf/README.md): r1 = address of a private copy of the `-- mem` bytes (0
 * when there are none; the copy is the only region besides the stack), r2 = their length, r10 = the
 * frame pointer; helper 5 returns its first argument; every cpu version and group (callx included)
 * is enabled. A safety budget of 10^8 instructions stops a runaway test.
 *
 * Verdict of a file as a test, as the upstream runner decides it: it must parse and assemble (a
 * malformed vector, or one without instructions, never passes); then it passes when it expects an
 * error (a `-- error` section with text; upstream treats an empty one as no error) and loading or
 * running failed (error texts are not compared: they are runtime-specific), or when it expects no
 * error and the run returned exactly the `-- result` value as a full 64-bit r0 (0 without a result
 * section, as upstream). Files under `negative/` are expected NOT to pass: one counts as passed when
 * the runner rejects it, i.e. when it fails as a test; its outcome tells at which stage and why.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AddressSpace } from '../mem/address-space.js';
import { AsmError } from './asm/errors.js';
import { assembleUbpf } from './asm/ubpf.js';
import { parseConformanceData } from './conformance-data.js';
import { checkEngine, loadProgram } from './engine.js';
import { HelperRegistry } from './helpers.js';
import type { Insn } from './insn.js';
import type { Region } from './interp.js';
import type { EngineKind } from './run-env.js';

export interface ConformanceOptions {
  readonly engine?: EngineKind;
}

/** Where a case stopped: 'ok' = it ran to its exit. */
export type ConformanceStage = 'read' | 'parse' | 'assemble' | 'load' | 'run' | 'ok';

export interface ConformanceOutcome {
  /** Path relative to the directory given, e.g. 'tests/add.data'. */
  readonly file: string;
  readonly kind: 'test' | 'negative';
  /** Tests: the test passed. Negatives: the runner rejected the file (it failed as a test). */
  readonly passed: boolean;
  /** What the file expects: 'r0 = 0x...' or 'an error (text)'. */
  readonly expected: string;
  /** What happened: 'r0 = 0x...' or 'error at <stage>: <message>'. */
  readonly got: string;
  readonly stage: ConformanceStage;
  /** The error's message when a stage failed, else null. */
  readonly error: string | null;
  /** Instructions executed when the program ran. */
  readonly executed: number;
}

export interface ConformanceTotals {
  readonly passed: number;
  readonly failed: number;
}

export interface ConformanceReport {
  readonly dir: string;
  readonly engine: EngineKind;
  readonly outcomes: readonly ConformanceOutcome[];
  readonly tests: ConformanceTotals;
  readonly negatives: ConformanceTotals;
  /** Tests and negatives together. */
  readonly total: ConformanceTotals;
}

/** Safety budget per test (the largest vector runs a few hundred instructions). */
export const CONFORMANCE_BUDGET = 100_000_000;
const MEM_SIZE = 4 * 1024 * 1024;

/** The helpers of the conformance plugin: 5 returns its first argument. */
export function conformanceHelpers(): HelperRegistry {
  return new HelperRegistry().register({
    id: 5,
    name: 'conformance_return_arg1',
    args: ['ARG_ANYTHING'],
    ret: 'RET_INTEGER',
    sleepableOnly: false,
    gplOnly: false,
    impl: (_env, r1) => r1,
  });
}

/** The .data files to run: `dir`'s own, then those of `dir/tests` and `dir/negative`, sorted. */
function listFiles(dir: string): { file: string; kind: 'test' | 'negative' }[] {
  const out: { file: string; kind: 'test' | 'negative' }[] = [];
  const add = (sub: string, kind: 'test' | 'negative'): void => {
    const d = sub === '' ? dir : join(dir, sub);
    let names: string[];
    try {
      if (!statSync(d).isDirectory()) return;
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names.filter((x) => x.endsWith('.data')).sort()) {
      out.push({ file: sub === '' ? n : `${sub}/${n}`, kind });
    }
  };
  const base = dir.replace(/[\\/]+$/, '');
  add('', base.endsWith('negative') ? 'negative' : 'test');
  add('tests', 'test');
  add('negative', 'negative');
  return out;
}

const hex64 = (v: bigint): string => `0x${v.toString(16)}`;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Run one .data text as a test; `passed` is the test's own verdict. */
export function runConformanceText(
  text: string,
  mem: AddressSpace,
  helpers: HelperRegistry,
  engine: EngineKind = 'jit',
): Omit<ConformanceOutcome, 'file' | 'kind'> {
  let stage: ConformanceStage = 'parse';
  let expected = 'a parsable file';
  let expectsError = false;
  try {
    const data = parseConformanceData(text);
    expectsError = data.error !== null && data.error !== '';
    const result = data.result ?? 0n;
    expected = expectsError ? `an error (${data.error})` : `r0 = ${hex64(result)}`;
    let insns: Insn[];
    if (data.raw !== null) insns = data.raw;
    else if (data.asm !== null) {
      stage = 'assemble';
      try {
        insns = assembleUbpf(data.asm);
      } catch (e) {
        // Name the file's line, not the line inside the asm section.
        if (e instanceof AsmError) {
          const detail = e.message.replace(/^line \d+, column \d+: /, '');
          throw new Error(`line ${data.asmLine + e.line - 1}, column ${e.column}: ${detail}`, { cause: e });
        }
        throw e;
      }
    } else throw new Error('no program: expected an -- asm or a -- raw section');
    stage = 'load';
    const prog = loadProgram(insns, { helpers, budget: CONFORMANCE_BUDGET, engine });
    stage = 'run';
    const regions: Region[] = [];
    let addr = 0;
    if (data.mem.length > 0) {
      addr = mem.alloc(data.mem.length, 8);
      mem.writeBytes(addr, data.mem);
      regions.push({ addr, size: data.mem.length, name: 'mem' });
    }
    try {
      const r = prog.run({ mem, r1: addr, r2: data.mem.length, regions });
      const got = `r0 = ${hex64(r.r0)}`;
      const passed = !expectsError && r.r0 === result;
      return { passed, expected, got, stage: 'ok', error: null, executed: r.executed };
    } finally {
      if (addr !== 0) mem.free(addr);
    }
  } catch (e) {
    const msg = message(e);
    const executed =
      typeof (e as { executed?: unknown }).executed === 'number' ? (e as { executed: number }).executed : 0;
    const passed = expectsError && (stage === 'load' || stage === 'run');
    return { passed, expected, got: `error at ${stage}: ${msg}`, stage, error: msg, executed };
  }
}

/** Run every .data file under `dir` (see listFiles). */
export function runConformance(dir: string, opts: ConformanceOptions = {}): ConformanceReport {
  const engine = checkEngine(opts.engine, 'runConformance');
  const files = listFiles(dir);
  if (files.length === 0)
    throw new RangeError(`runConformance: no .data file in ${dir} (nor in its tests/, negative/)`);
  const mem = new AddressSpace({ size: MEM_SIZE });
  const helpers = conformanceHelpers();
  const outcomes: ConformanceOutcome[] = files.map(({ file, kind }) => {
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch (e) {
      const msg = message(e);
      return {
        file,
        kind,
        passed: false,
        expected: 'a readable file',
        got: `error at read: ${msg}`,
        stage: 'read',
        error: msg,
        executed: 0,
      };
    }
    const o = runConformanceText(text, mem, helpers, engine);
    return { file, kind, ...o, passed: kind === 'test' ? o.passed : !o.passed };
  });
  const count = (k: 'test' | 'negative'): ConformanceTotals => {
    const xs = outcomes.filter((o) => o.kind === k);
    const passed = xs.filter((o) => o.passed).length;
    return { passed, failed: xs.length - passed };
  };
  const tests = count('test');
  const negatives = count('negative');
  return {
    dir,
    engine,
    outcomes,
    tests,
    negatives,
    total: { passed: tests.passed + negatives.passed, failed: tests.failed + negatives.failed },
  };
}

/**
 * The report as text: each failed test (expected, got), each negative and what happened to it, the
 * totals per kind, and a last line exactly `N passed, N failed`.
 */
export function formatConformance(report: ConformanceReport): string {
  const lines: string[] = [];
  for (const o of report.outcomes) {
    if (o.kind === 'test' && !o.passed) lines.push(`FAIL ${o.file}: expected ${o.expected}, got ${o.got}`);
  }
  for (const o of report.outcomes) {
    if (o.kind !== 'negative') continue;
    const verdict = o.passed ? 'rejected' : 'ACCEPTED';
    lines.push(`${verdict} ${o.file}: expected ${o.expected}, got ${o.got}`);
  }
  lines.push(
    `engine ${report.engine}: tests ${report.tests.passed}/${report.tests.passed + report.tests.failed} passed, ` +
      `negatives ${report.negatives.passed}/${report.negatives.passed + report.negatives.failed} rejected`,
    `${report.total.passed} passed, ${report.total.failed} failed`,
  );
  return lines.join('\n');
}
