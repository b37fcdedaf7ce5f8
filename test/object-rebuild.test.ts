/**
 * The committed fixture objects are what their C sources build to: when clang-19 is installed, every
 * test/fixtures/bpf/*.c is rebuilt into a temp dir as build.sh builds it, and the rebuilt object
 * must parse to the same programs, maps, globals and line info (formatObject's full listing) or fail
 * with the same error as the committed one. Identical bytes are likely but not required.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { formatObject } from '../src/ebpf/object/format.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import { hasTool, repoRoot } from './helpers.js';

const CLANG = 'clang-19';
const HAVE_CLANG = hasTool(CLANG);
const FIXTURES = join(repoRoot(), 'test/fixtures/bpf');
const run = promisify(execFile);

/** The parse of an object as text: its full summary, or its error's class, code and message. */
function describe(bytes: Uint8Array): string {
  try {
    return formatObject(parseObject(bytes)).join('\n');
  } catch (e) {
    const err = e as Error & { code?: string };
    return `${err.name} ${err.code}: ${err.message}`;
  }
}

/** The extra clang flags on a fixture source's first line (`// clang-flags: ...`). */
function flagsOf(src: string): string[] {
  const m = /^\/\/ clang-flags: (.*)$/m.exec(readFileSync(join(FIXTURES, src), 'utf8').split('\n')[0] ?? '');
  return m ? m[1]!.trim().split(/\s+/) : [];
}

const dir = HAVE_CLANG ? mkdtempSync(join(tmpdir(), 'uring-bpf-fixtures-')) : '';
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('every fixture source has its committed object', () => {
  const sources = readdirSync(FIXTURES).filter((f) => f.endsWith('.c'));
  assert.ok(sources.length >= 10);
  for (const src of sources) assert.ok(readdirSync(FIXTURES).includes(src.replace(/\.c$/, '.o')), src);
  for (const src of sources)
    assert.match(readFileSync(join(FIXTURES, src), 'utf8'), /^\/\/ clang-flags: -mcpu=v[34]/);
});

test(
  'rebuilt fixtures parse like the committed objects',
  { skip: HAVE_CLANG ? false : `${CLANG} not installed` },
  async (t) => {
    const sources = readdirSync(FIXTURES).filter((f) => f.endsWith('.c'));
    let identical = 0;
    await Promise.all(
      sources.map(async (src) => {
        const out = join(dir, src.replace(/\.c$/, '.o'));
        await run(
          CLANG,
          [
            '--target=bpf',
            '-O2',
            '-g',
            `-fdebug-prefix-map=${FIXTURES}=.`,
            ...flagsOf(src),
            '-c',
            src,
            '-o',
            out,
          ],
          {
            cwd: FIXTURES,
          },
        );
        const rebuilt = readFileSync(out);
        const committed = readFileSync(join(FIXTURES, src.replace(/\.c$/, '.o')));
        if (Buffer.compare(rebuilt, committed) === 0) identical++;
        assert.equal(
          describe(rebuilt),
          describe(committed),
          `${src}: rebuild it with test/fixtures/bpf/build.sh`,
        );
      }),
    );
    t.diagnostic(`${identical} of ${sources.length} rebuilt objects are byte-identical`);
  },
);
