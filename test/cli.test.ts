/** The uring-bpf command: help, version, examples and their exit codes. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EXAMPLES } from '../src/cli/examples.js';
import { main } from '../src/cli/main.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

test('--help prints usage and exits 0; no command prints usage and exits 2', async () => {
  const h = await run(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /^usage: uring-bpf <command>/);
  assert.match(h.out, /examples \[name\.\.\.\]/);
  assert.equal((await run([])).code, 2);
});

test('--version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const v = await run(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.out, `uring-bpf ${pkg.version}\n`);
});

test('an unknown command or option exits 2 with a message on stderr', async () => {
  const a = await run(['frobnicate']);
  assert.equal(a.code, 2);
  assert.match(a.err, /unknown command 'frobnicate'/);
  const b = await run(['examples', '--bogus']);
  assert.equal(b.code, 2);
  assert.match(b.err, /unknown option '--bogus'/);
  const c = await run(['examples', 'nosuch']);
  assert.equal(c.code, 2);
  assert.match(c.err, /no example named nosuch; known: /);
});

test('examples runs every example, each passing its checks, and ends with the pass/fail count', async () => {
  const r = await run(['examples']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^PASS multi-cq/m);
  assert.match(r.out, /^PASS links/m);
  assert.match(r.out, /^PASS overflow/m);
  assert.match(r.out, /^PASS file-io/m);
  for (const n of ['rfc-test1', 'rfc-test2', 'rfc-test3', 'rfc-test4', 'rfc-asm']) {
    assert.match(r.out, new RegExp(`^PASS ${n} `, 'm'));
  }
  assert.doesNotMatch(r.out, /FAIL/);
  assert.match(r.out, new RegExp(`^${EXAMPLES.length} passed, 0 failed$`, 'm'));
});

test('examples --list names them; --json reports each with its checks', async () => {
  const l = await run(['examples', '--list']);
  assert.deepEqual(
    l.out
      .trim()
      .split('\n')
      .map((s) => s.split(/\s+/)[0]),
    EXAMPLES.map((e) => e.name),
  );
  assert.deepEqual(
    EXAMPLES.slice(0, 4).map((e) => e.name),
    ['multi-cq', 'links', 'overflow', 'file-io'],
  );
  const j = await run(['examples', 'links', '--json']);
  const report = JSON.parse(j.out) as { name: string; pass: boolean; checks: unknown[] }[];
  assert.equal(report.length, 1);
  assert.equal(report[0]!.name, 'links');
  assert.equal(report[0]!.pass, true);
  assert.ok(report[0]!.checks.length >= 2);
});

test('the bin shim runs the compiled CLI', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(root, 'bin', 'uring-bpf.js'),
    '--version',
  ]);
  assert.match(stdout, /^uring-bpf \d+\.\d+\.\d+/);
});
