/**
 * Objects as clang 16 emits them (the issue asks for clang 16-19; the committed fixtures are
 * clang-19's). When clang-16 is installed, the cpu v3 fixtures are built with it and must parse to the
 * same programs, maps and globals as the committed objects, and ring.o's `count` must compute the
 * same map contents. clang-16 has no -mcpu=v4, so v4 fixtures are skipped. Without clang-16 the test
 * is skipped (CI installs it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BpfObject } from '../src/ebpf/loader.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import type { ObjectFile } from '../src/ebpf/object/types.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { repoRoot } from './helpers.js';

const FIXTURES = join(repoRoot(), 'test/fixtures/bpf');
const HAVE = spawnSync('clang-16', ['--version']).status === 0;
const dir = HAVE ? mkdtempSync(join(tmpdir(), 'uring-bpf-clang16-')) : '';
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** What must not depend on the compiler: names, sections, kinds, map definitions, variables. */
function shape(o: ObjectFile): unknown {
  return {
    license: o.license,
    programs: o.programs.map((p) => [p.name, p.section, p.sleepable, p.funcs.map((f) => f.name)]),
    maps: o.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, m.origin]),
    globals: o.globals.map((g) => [g.name, g.readonly, g.variables.map((v) => [v.name, v.offset, v.size])]),
  };
}

function build(src: string): string {
  const text = readFileSync(join(FIXTURES, src), 'utf8');
  const flags = (/^\/\/ clang-flags: (.*)$/m.exec(text)?.[1] ?? '').split(/\s+/).filter((f) => f !== '');
  const out = join(dir, src.replace(/\.c$/, '.o'));
  const r = spawnSync(
    'clang-16',
    ['--target=bpf', '-O2', '-g', ...flags, '-c', join(FIXTURES, src), '-o', out],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return out;
}

test(
  'clang-16 builds of the cpu v3 fixtures parse like the clang-19 objects',
  { skip: !HAVE && 'no clang-16' },
  () => {
    const sources = readdirSync(FIXTURES).filter(
      (f) =>
        f.endsWith('.c') &&
        !f.startsWith('reject_') &&
        !readFileSync(join(FIXTURES, f), 'utf8').includes('-mcpu=v4'),
    );
    assert.ok(sources.length >= 4, sources.join(' '));
    for (const src of sources) {
      const ours = parseObject(readFileSync(build(src)));
      const committed = parseObject(readFileSync(join(FIXTURES, src.replace(/\.c$/, '.o'))));
      assert.deepEqual(shape(ours), shape(committed), src);
    }
  },
);

test(
  'ring.o built by clang-16 runs count to the same counters as the clang-19 object',
  { skip: !HAVE && 'no clang-16' },
  () => {
    const counters = (path: string): bigint[] => {
      const mem = new AddressSpace({ size: 8 << 20 });
      const obj = BpfObject.open(readFileSync(path));
      // Only `count` is needed: drop the programs that call io_uring helpers (later issues).
      const loaded = new BpfObject({
        ...obj.file,
        programs: obj.programs.filter((p) => p.name === 'count'),
      }).load({
        mem,
      });
      const ctx = mem.alloc(16);
      loaded.program('count').run({ mem, r1: ctx, regions: [{ addr: ctx, size: 16 }] });
      return [...loaded.arrayMap('counters').u64.values()];
    };
    assert.deepEqual(counters(build('ring.c')), counters(join(FIXTURES, 'ring.o')));
    assert.deepEqual(counters(join(FIXTURES, 'ring.o')), [60n, 120n, 90n, 120n]);
  },
);
