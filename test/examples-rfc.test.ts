/**
 * The RFC's examples under `uring-bpf examples` (src/cli/examples/rfc.ts): run through the CLI's own
 * code path (main(['examples', name, '--json'])), all five at once, each printing exactly the
 * output spec §7 gives, with the real addresses in place of `<address of ...>`, and passing all its
 * checks. rfc-test2 takes 11 x 200 ms of real timeouts (about 2.2 s): the file takes that long.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';

interface Report {
  readonly name: string;
  readonly pass: boolean;
  readonly ms: number;
  readonly error?: string;
  readonly lines: string[];
  readonly checks: { what: string; expected: string; actual: string }[];
}

/** `uring-bpf examples <name> --json`: the exit status and the example's report. */
async function runExample(name: string): Promise<{ code: number; report: Report; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['examples', name, '--json'], { out: (s) => (out += s), err: (s) => (err += s) });
  const reports = JSON.parse(out) as Report[];
  assert.equal(reports.length, 1, out);
  return { code, report: reports[0]!, err };
}

/**
 * §7's expected output; `<a>`, `<b>` stand for addresses (decimal, as `%lu` prints them), the same
 * one wherever the same letter appears.
 */
const CASES: readonly { name: string; expected: string[]; addresses: (a: Record<string, bigint>) => void }[] =
  [
    {
      name: 'rfc-test1',
      expected: [
        'CQE user_data 3, res 13 flags 0',
        'CQE user_data 2, res 0 flags 0',
        'CQE user_data <a>, res 0 flags 0',
        '11 4 5 21 <a> 29 0 0 0 0',
        'new secret 31',
      ],
      addresses: () => {},
    },
    {
      name: 'rfc-test2',
      expected: ['ret 0, udata <a>', '11 5 0 0 0 0 0 0 0 0'],
      addresses: () => {},
    },
    {
      name: 'rfc-test3',
      expected: ['ret 0, udata <a>', 'ret 0, udata <b>', '1 1 0 0 0 20 21 0 0 0'],
      // struct ping_ctx uctx[2]: the second is 4 bytes after the first.
      addresses: ({ a, b }) => assert.equal(b, a! + 4n),
    },
    {
      name: 'rfc-test4',
      expected: ['ret 0, udata <a>', '0 16 0 0 0 0 0 0 0 0'],
      // The 256 KiB buffer is 4096-aligned.
      addresses: ({ a }) => assert.equal(a! % 4096n, 0n),
    },
    {
      name: 'rfc-asm',
      expected: ['compl ud 60 | res -22', '0 0 0 0 0 0 0 0 0 0'],
      addresses: () => {},
    },
  ];

/** Match `lines` to `expected`, reading the addresses; then compare with them substituted. */
function matchOutput(lines: readonly string[], expected: readonly string[]): Record<string, bigint> {
  const addr: Record<string, bigint> = {};
  expected.forEach((e, i) => {
    const letters = [...e.matchAll(/<(\w)>/g)].map((m) => m[1]!);
    if (letters.length === 0) return;
    const re = new RegExp(`^${e.replace(/[|]/g, '\\|').replace(/<\w>/g, '(\\d+)')}$`);
    const m = re.exec(lines[i] ?? '');
    assert.ok(m, `line ${i}: expected ${e}, got ${lines[i]}`);
    letters.forEach((l, k) => {
      addr[l] ??= BigInt(m[k + 1]!);
    });
  });
  const substituted = expected.map((e) => e.replace(/<(\w)>/g, (_, l: string) => String(addr[l])));
  assert.deepEqual(lines, substituted);
  for (const v of Object.values(addr)) assert.ok(v > 0n, 'an address is not NULL');
  return addr;
}

// All five start now and run concurrently (each on its own runtime); the tests await them.
const runs = new Map(
  CASES.map((c) => {
    const started = process.hrtime.bigint();
    return [
      c.name,
      runExample(c.name).then((r) => ({ ...r, wallMs: Number(process.hrtime.bigint() - started) / 1e6 })),
    ] as const;
  }),
);

for (const c of CASES) {
  test(`${c.name} prints spec §7's output (addresses substituted) and passes all its checks`, async () => {
    const { code, report, err } = await runs.get(c.name)!;
    assert.equal(err, '');
    assert.equal(report.error, undefined);
    const failed = report.checks.filter((k) => k.expected !== k.actual);
    assert.deepEqual(failed, []);
    assert.equal(report.pass, true);
    assert.equal(code, 0);
    c.addresses(matchOutput(report.lines, c.expected));
    // Every printed line is one of the checks (the check's expected text is §7's).
    for (const l of report.lines) assert.ok(report.checks.some((k) => k.actual === l && k.expected === l));
  });
}

// SLOW (by design): 11 relative timeouts of 200 ms armed one after another by the program.
test('rfc-test2 takes at least 11 x 200 ms: each run waits for the previous timeout', async () => {
  const { report, wallMs } = await runs.get('rfc-test2')!;
  assert.ok(report.ms >= 2000, `took ${report.ms} ms`);
  assert.ok(wallMs >= 2000, `took ${wallMs} ms`);
  assert.ok(wallMs < 4500, `took ${wallMs} ms: the timeouts should not take much longer than 2.2 s`);
});

test('rfc-test4 checks the file content: 256 KiB of 0xAE', async () => {
  const { report } = await runs.get('rfc-test4')!;
  const check = report.checks.find((k) => k.what === 'file content');
  assert.equal(check?.actual, '262144 bytes, 16 of 16 blocks all 0xae');
});

test('examples --list names the RFC examples after the others', async () => {
  let out = '';
  assert.equal(await main(['examples', '--list'], { out: (s) => (out += s), err: () => {} }), 0);
  const names = out
    .trim()
    .split('\n')
    .map((s) => s.split(/\s+/)[0]);
  assert.deepEqual(
    names.filter((n) => n?.startsWith('rfc-')),
    CASES.map((c) => c.name),
  );
  assert.ok(names.indexOf('rfc-test1') > names.indexOf('file-io'));
});
