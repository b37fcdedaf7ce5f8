/**
 * include/README.md says what include/uring_bpf.h holds: its example is the fixture the other tests
 * build, its build command works, its helper table is the header's declarations, and it lists every
 * prep helper the header defines.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CLANG,
  codeSections,
  fixtureObject,
  fixtureSource,
  HAS_CLANG,
  HEADER,
  headerHelpers,
  ROOT,
  readElf,
  run,
  SDK_README,
} from './sdk-common.js';

const README = readFileSync(SDK_README, 'utf8');
const HEADER_TEXT = readFileSync(HEADER, 'utf8');

/** The fenced block right after an HTML comment marker. */
function blockAfter(marker: string, lang: string): string {
  const at = README.indexOf(marker);
  assert.ok(at >= 0, `include/README.md has no '${marker}'`);
  const m = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(README.slice(at));
  assert.ok(m !== null, `no \`\`\`${lang} block after '${marker}'`);
  return m[1]!;
}

test('the README example is test/fixtures/sdk/tick.bpf.c, character for character', () => {
  const example = blockAfter('<!-- example: test/fixtures/sdk/tick.bpf.c -->', 'c');
  assert.equal(example, readFileSync(join(ROOT, fixtureSource('tick')), 'utf8'));
});

test(
  'the README build command compiles the example into the committed code (tick.v3.o)',
  { skip: HAS_CLANG ? false : 'needs clang-19' },
  () => {
    const cmd = blockAfter('## Building', 'sh').trim().split(/\s+/);
    assert.equal(cmd[0], CLANG);
    assert.ok(cmd.includes('tick.bpf.c') && cmd.includes('tick.bpf.o'), cmd.join(' '));
    const dir = mkdtempSync(join(tmpdir(), 'sdk-docs-'));
    try {
      const out = join(dir, 'tick.bpf.o');
      const args = cmd
        .slice(1)
        .map((a) => (a === 'tick.bpf.c' ? fixtureSource('tick') : a === 'tick.bpf.o' ? out : a));
      run(CLANG, args);
      const built = readElf(new Uint8Array(readFileSync(out)), out);
      const committed = readElf(new Uint8Array(readFileSync(fixtureObject('tick', 'v3'))));
      const code = (o: typeof built): string[] =>
        codeSections(o).map((s) => `${s.name} ${Buffer.from(s.data).toString('hex')}`);
      assert.deepEqual(code(built), code(committed));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** spec §3.8 and DESIGN.md: copy_from_user, iouring_queue_sqe and copy_to_user need a sleepable program. */
const SLEEPABLE_ONLY = [148, 164, 167];

test('the README helper table is the header’s declarations, with the sleepable-only ones marked', () => {
  const at = README.indexOf('<!-- helpers:');
  assert.ok(at >= 0);
  const rows = [...README.slice(at).matchAll(/^\| (\d+) \| `([^`]+)` \| (yes|no) \|$/gm)].map((m) => ({
    id: Number(m[1]),
    proto: m[2]!,
    sleepable: m[3] === 'yes',
  }));
  const decls = headerHelpers(HEADER_TEXT);
  assert.deepEqual(
    rows.map((r) => [r.id, r.proto]),
    decls.map((d) => [d.id, d.proto]),
  );
  assert.deepEqual(
    rows.filter((r) => r.sleepable).map((r) => r.id),
    SLEEPABLE_ONLY,
  );
});

test('the header comments mark exactly the sleepable-only helpers', () => {
  const marked: number[] = [];
  const lines = HEADER_TEXT.split('\n');
  lines.forEach((l, i) => {
    const m = /= \(void \*\) (\d+);$/.exec(l);
    if (m === null) return;
    // The comment right above the declaration (one line, or a block ending on the line above).
    let j = i - 1;
    while (j > 0 && !lines[j]!.includes('/*')) j--;
    if (lines.slice(j, i).join(' ').includes('(sleepable only)')) marked.push(Number(m[1]));
  });
  assert.deepEqual(marked, SLEEPABLE_ONLY);
});

test('the README lists every prep helper and setter the header defines, and no other', () => {
  const defined = [...HEADER_TEXT.matchAll(/^static __always_inline void (io_uring_\w+)\(/gm)].map(
    (m) => m[1]!,
  );
  assert.ok(defined.length >= 18, `only ${defined.length} prep helpers`);
  const at = README.indexOf('## SQE preparation');
  const documented = new Set([...README.slice(at).matchAll(/`(io_uring_\w+)\(/g)].map((m) => m[1]!));
  assert.deepEqual([...documented].sort(), [...defined].sort());
});
