/**
 * `uring-bpf jit --wat`: the WAT the JIT compiles programs to, fixed by golden files
 * (test/golden/jit/; UPDATE_GOLDEN=1 rewrites them), and its errors and exit codes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../src/cli/main.js';
import { goldenChecker } from './golden.js';
import { repoRoot } from './helpers.js';

const golden = goldenChecker('jit');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const obj = (...p: string[]): string => join(repoRoot(), ...p);
const PINGPONG = obj('examples', 'pipeline', 'pingpong.bpf.o');
const HEADER = /^;; program (\w+): (\d+) insns, (\d+) wasm bytes, (\d+) functions, (\d+) blocks$/;

/** Golden file, object, extra arguments, and what the module must show. */
const CASES: readonly [string, string, readonly string[], RegExp][] = [
  // The RFC's four programs (loops with may_goto-free bounds, helper imports h148, h164-h167).
  ['rfc-uring.wat', obj('examples', 'rfc', 'uring.bpf.o'), [], /\(import "env" "h167"/],
  ['pipeline-pingpong.wat', PINGPONG, [], /\(import "env" "h166"/],
  // Verified: no guard, the frame is not zeroed; --guards: checked accesses; --count: the n/limit globals.
  ['pipeline-pingpong-guards.wat', PINGPONG, ['--guards'], /\(import "env" "memEnd" \(global/],
  ['pipeline-pingpong-count.wat', PINGPONG, ['--count'], /\(import "env" "limit" \(global/],
  // A loop (the NOP top-up loop, bounded by PL_MAX_DEPTH).
  ['pipeline-pipeline.wat', obj('examples', 'pipeline', 'pipeline.bpf.o'), [], /^\s+loop\b/m],
  // bpf2bpf calls: each eBPF function a wasm function, called directly.
  ['call_chain.wat', obj('test', 'fixtures', 'verifier', 'acc_call_chain.v4.o'), [], /\(func \$fn_\d+/],
  // An ARRAY lookup inlined: key < max_entries ? base + key * stride : 0, no call of h1.
  [
    'map_value_index.wat',
    obj('test', 'fixtures', 'verifier', 'acc_map_value_index.v4.o'),
    [],
    /i32\.lt_u\n\s+if \(result i64\)/,
  ],
];

for (const [name, file, args, shows] of CASES) {
  test(`jit --wat ${[...args, file.slice(repoRoot().length + 1)].join(' ')} matches ${name}`, async () => {
    const r = await run(['jit', '--wat', file, ...args]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    assert.match(r.out, HEADER_LINE_FIRST);
    assert.match(r.out, shows);
    golden(name, r.out);
  });
}

const HEADER_LINE_FIRST = /^;; program \w+: \d+ insns, \d+ wasm bytes, \d+ functions, \d+ blocks\n\(module\n/;

test('jit --wat prints one header and module per program, in object order; --prog picks one', async () => {
  const file = obj('examples', 'rfc', 'uring.bpf.o');
  const all = await run(['jit', '--wat', file]);
  assert.equal(all.code, 0, all.err);
  const headers = all.out.split('\n').filter((l) => l.startsWith(';; program'));
  assert.deepEqual(
    headers.map((h) => HEADER.exec(h)?.[1]),
    ['test', 'counting', 'pingpong', 'write_file'],
  );
  assert.equal(all.out.split('\n').filter((l) => l === '(module').length, 4);
  const one = await run(['jit', '--prog', 'counting', '--wat', file]);
  assert.equal(one.code, 0, one.err);
  const start = all.out.indexOf(';; program counting:');
  assert.equal(one.out, all.out.slice(start, all.out.indexOf(';; program pingpong:')));
});

test('the header counts the loaded instructions and the module bytes, functions and blocks', async () => {
  const r = await run(['jit', '--wat', obj('test', 'fixtures', 'verifier', 'acc_call_chain.v4.o')]);
  const m = HEADER.exec(r.out.split('\n')[0]!);
  assert.ok(m !== null, r.out.slice(0, 200));
  const [, name, insns, , functions] = m;
  assert.equal(name, 'call_chain');
  assert.equal(Number(insns), 39);
  // main and three subprograms, each a wasm function besides `run`.
  assert.equal(Number(functions), 4);
  assert.equal(r.out.match(/^ {2}\(func \$/gm)?.length, 4 + 1);
});

test('--guards and --count change the module; the verified plain one has neither checks nor counting', async () => {
  const plain = (await run(['jit', '--wat', PINGPONG])).out;
  const guards = (await run(['jit', '--wat', PINGPONG, '--guards'])).out;
  const count = (await run(['jit', '--wat', PINGPONG, '--count'])).out;
  const both = (await run(['jit', '--wat', PINGPONG, '--count', '--guards'])).out;
  assert.doesNotMatch(plain, /"memEnd"|"limit"/);
  assert.match(guards, /"memEnd"/);
  assert.doesNotMatch(guards, /"limit"/);
  assert.match(count, /"limit"/);
  assert.doesNotMatch(count, /"memEnd"/);
  assert.match(both, /"memEnd"[\s\S]*"limit"|"limit"[\s\S]*"memEnd"/);
  assert.equal(new Set([plain, guards, count, both]).size, 4);
});

const dir = mkdtempSync(join(tmpdir(), 'uring-bpf-jit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const truncated = join(dir, 'trunc.o');
writeFileSync(truncated, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
const REFUSED = obj('test', 'fixtures', 'verifier', 'rej_ctx_oob.v4.o');

// argv -> exit code and what stderr must say.
for (const [argv, code, err] of [
  [['jit'], 2, /jit: expected --wat/],
  [['jit', PINGPONG], 2, /jit: expected --wat/],
  [['jit', '--wat'], 2, /expected one object file, found 0/],
  [['jit', '--wat', PINGPONG, PINGPONG], 2, /expected one object file, found 2/],
  [['jit', '--wat', PINGPONG, '--prog'], 2, /--prog needs a value/],
  [['jit', '--wat', PINGPONG, '--bogus'], 2, /unknown option '--bogus'/],
  [['jit', '--wat', '/nonexistent/x.o'], 1, /cannot read \/nonexistent\/x\.o/],
  [['jit', '--wat', truncated], 1, /trunc\.o: E_ELF_TRUNCATED: /],
  [['jit', '--wat', PINGPONG, '--prog', 'nosuch'], 1, /no io_uring program 'nosuch' \(programs: pingpong\)/],
  [
    ['jit', '--wat', REFUSED],
    1,
    /rej_ctx_oob\.v4\.o: V038_CTX_ACCESS: insn 0: .*\(uring-bpf verify shows why; --guards compiles it unverified\)/,
  ],
] as const) {
  test(`${argv.map((a) => a.replace(repoRoot(), '.').replace(dir, '$TMP')).join(' ')} exits ${code}: ${err.source}`, async () => {
    const r = await run([...argv]);
    assert.equal(r.code, code);
    assert.match(r.err, err);
    assert.equal(r.out, '');
    if (code === 2) assert.match(r.err, /usage: uring-bpf jit --wat <obj\.o>/);
  });
}

test('a program the verifier refuses still compiles with --guards', async () => {
  const r = await run(['jit', '--wat', REFUSED, '--guards']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, HEADER_LINE_FIRST);
  assert.match(r.out, /"memEnd"/);
});

test('jit --help prints its usage and exits 0; the main help lists jit --wat and --engine', async () => {
  const h = await run(['jit', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /^usage: uring-bpf jit --wat <obj\.o> \[--prog NAME\] \[--guards\] \[--count\]/);
  const m = await run(['--help']);
  assert.match(m.out, /jit --wat <obj\.o>/);
  assert.match(m.out, /--engine jit\|interp/);
});
