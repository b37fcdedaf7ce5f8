/**
 * `--engine jit|interp` of the uring-bpf commands: the examples give the same output on both engines
 * (apart from timings) with every program loaded for the chosen engine; conformance and verify take
 * it too; bad values exit 2.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../src/cli/main.js';
import type { EngineKind } from '../src/ebpf/run-env.js';
import { ProgramFds } from '../src/uring/bpf/programs.js';
import { repoRoot } from './helpers.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

// Every program given a program fd (Runtime.bpfLoad and Runtime.bpfProgLoad both do) is recorded.
const loadedEngines: EngineKind[] = [];
const add = ProgramFds.prototype.add;
ProgramFds.prototype.add = function (this: ProgramFds, entry: Parameters<ProgramFds['add']>[0]): number {
  loadedEngines.push(entry.prog.engine);
  return add.call(this, entry);
};
after(() => {
  ProgramFds.prototype.add = add;
});

/** Timings (durations, rates) masked: the only part of the output that may differ between runs. */
const untimed = (s: string): string => s.replace(/\d+(\.\d+)? (ms|k\/s|M\/s)\b/g, '<time>');

test('examples print the same on jit and interp (timings aside), each loading every program for its engine', async () => {
  const outs: string[] = [];
  for (const engine of ['jit', 'interp'] as const) {
    loadedEngines.length = 0;
    const r = await run(['examples', '--engine', engine]);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /FAIL/);
    // rfc-test1..4 (4 programs each), rfc-asm (1), copy (2 runs), pipeline (1).
    assert.equal(loadedEngines.length, 4 * 4 + 1 + 2 + 1, `programs loaded on ${engine}`);
    assert.deepEqual(
      new Set(loadedEngines),
      new Set([engine]),
      `engines of the programs with --engine ${engine}`,
    );
    outs.push(untimed(r.out));
  }
  assert.equal(outs[0], outs[1]);
});

test('examples load for the JIT by default', async () => {
  loadedEngines.length = 0;
  const r = await run(['examples', 'rfc-asm', 'rfc-test3']);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(loadedEngines, ['jit', 'jit', 'jit', 'jit', 'jit']);
});

const SUITE = join(repoRoot(), '..', 'shared', 'conformance', 'bpf');

test('conformance runs on the JIT by default and on the interpreter with --engine interp, saying which', async () => {
  for (const [argv, engine] of [
    [[], 'jit'],
    [['--engine', 'jit'], 'jit'],
    [['--engine', 'interp'], 'interp'],
    [['--engine=interp'], 'interp'],
  ] as const) {
    const r = await run(['conformance', SUITE, ...argv]);
    assert.equal(r.code, 0, r.out.slice(-2000));
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.at(-2), `engine ${engine}: tests 313/313 passed, negatives 60/60 rejected`);
    assert.equal(lines.at(-1), '373 passed, 0 failed');
  }
  const j = JSON.parse((await run(['conformance', SUITE, '--json', '--engine', 'interp'])).out) as {
    engine: string;
  };
  assert.equal(j.engine, 'interp');
});

test('verify takes --engine: the same verdicts on both engines', async () => {
  const obj = join(repoRoot(), 'examples', 'rfc', 'uring.bpf.o');
  const strip = (s: string): string => s.replace(/, [\d.]+ ms\)/g, ')');
  const jit = await run(['verify', obj, '--engine', 'jit']);
  const interp = await run(['verify', obj, '--engine', 'interp']);
  assert.equal(jit.code, 0, jit.err);
  assert.equal(interp.code, 0, interp.err);
  assert.match(jit.out, /^write_file: OK /m);
  assert.equal(strip(jit.out), strip(interp.out));
});

// argv -> exit code and what stderr must say.
for (const [argv, err] of [
  [['examples', '--engine', 'wasm'], /examples: unknown engine 'wasm' \(available: jit, interp\)/],
  [['examples', '--engine'], /examples: --engine needs a value/],
  [['conformance', '.', '--engine', 'fast'], /conformance: unknown engine 'fast' \(available: jit, interp\)/],
  [['conformance', '.', '--engine'], /conformance: --engine needs a value/],
  [['verify', 'x.o', '--engine', 'llvm'], /verify: unknown engine 'llvm'/],
] as const) {
  test(`${argv.join(' ')} exits 2: ${err.source}`, async () => {
    const r = await run([...argv]);
    assert.equal(r.code, 2);
    assert.match(r.err, err);
    assert.equal(r.out, '');
  });
}
