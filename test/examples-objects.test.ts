/**
 * examples/copy/ and examples/pipeline/: the committed objects parse to one sleepable program each in
 * its iouring.s/ section, with the maps and globals their READMEs document; the programs call only
 * helpers 1, 2, 148, 164, 165, 166, 167 (or local functions); rebuilding them with their build.sh
 * (when clang-19 is installed) gives the same code; copy.h and pipeline.h lay out what the drivers
 * mirror (when gcc is installed); and, run in the interpreter against a small model of an RFC v2
 * ring (CQs, the BPF request's run/wait cycle, NOP/OPENAT/READ/WRITE/CLOSE on in-memory files),
 * each program produces the CQE and map traces its README gives.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type HelperDef, HelperRegistry } from '../src/ebpf/helpers.js';
import { encodeInsns } from '../src/ebpf/insn.js';
import { BpfObject, type LoadedObject } from '../src/ebpf/loader.js';
import { registerMapHelpers } from '../src/ebpf/map-helpers.js';
import { MapTable } from '../src/ebpf/maps/table.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import type { ObjectFile } from '../src/ebpf/object/types.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_CALL,
  BPF_F_MMAPABLE,
  BPF_F_RDONLY_PROG,
  BPF_FUNC_copy_from_user,
  BPF_FUNC_copy_to_user,
  BPF_FUNC_iouring_emit_cqe,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_iouring_reap_cqe,
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_JMP,
  BPF_MAP_TYPE_ARRAY,
  BPF_PROG_TYPE_IOURING,
  BPF_PSEUDO_CALL,
} from '../src/uapi/bpf.js';
import { repoRoot } from './helpers.js';

const ROOT = repoRoot();
const CALL = BPF_JMP | BPF_CALL;
const ALLOWED_HELPERS = new Set([
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_FUNC_copy_from_user,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_iouring_emit_cqe,
  BPF_FUNC_iouring_reap_cqe,
  BPF_FUNC_copy_to_user,
]);

interface Example {
  readonly dir: string;
  readonly object: string;
  readonly program: string;
  /** The helpers the program calls, sorted. */
  readonly helpers: readonly number[];
}

const EXAMPLES: readonly Example[] = [
  { dir: 'copy', object: 'copy.bpf.o', program: 'copy', helpers: [1, 148, 164, 166] },
  { dir: 'pipeline', object: 'pipeline.bpf.o', program: 'pipeline', helpers: [1, 164, 166] },
];

const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const HAVE_CLANG = has('clang-19');
const HAVE_GCC = has('gcc');

const tmp = mkdtempSync(join(tmpdir(), 'uring-bpf-examples-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

const objectPath = (e: Example): string => join(ROOT, 'examples', e.dir, e.object);
const committed = (e: Example): ObjectFile => parseObject(readFileSync(objectPath(e)));

for (const e of EXAMPLES) {
  test(`${e.object} holds one sleepable program ${e.program} in section iouring.s/${e.program}, license GPL`, () => {
    const o = committed(e);
    assert.deepEqual(
      o.programs.map((p) => [p.name, p.section, p.sectionKind, p.type, p.sleepable, p.supported]),
      [[e.program, `iouring.s/${e.program}`, 'iouring.s', BPF_PROG_TYPE_IOURING, true, true]],
    );
    assert.equal(o.license, 'GPL');
  });

  test(`${e.object}: every call targets helper 1, 2, 148, 164-167 or a local function; it uses ${e.helpers.join(', ')}`, () => {
    const used = new Set<number>();
    for (const p of committed(e).programs) {
      const starts = new Set(p.funcs.map((f) => f.insnIndex));
      p.insns.forEach((i, at) => {
        if (i.code !== CALL) return;
        if (i.src === BPF_PSEUDO_CALL) {
          assert.ok(starts.has(at + 1 + i.imm), `${p.name}[${at}]: call to a function start`);
          return;
        }
        assert.equal(i.src, 0, `${p.name}[${at}]: helper call`);
        assert.ok(
          ALLOWED_HELPERS.has(i.imm),
          `${p.name}[${at}]: expected an RFC helper, found call ${i.imm}`,
        );
        used.add(i.imm);
      });
    }
    assert.deepEqual(
      [...used].sort((a, b) => a - b),
      [...e.helpers],
    );
  });

  test(
    `rebuilding with examples/${e.dir}/build.sh gives the committed ${e.object}`,
    { skip: HAVE_CLANG ? false : 'clang-19 not installed' },
    () => {
      const out = join(tmp, e.object);
      run('sh', [join(ROOT, 'examples', e.dir, 'build.sh'), out]);
      const rebuilt = parseObject(readFileSync(out));
      const old = committed(e);
      assert.equal(rebuilt.programs.length, old.programs.length);
      rebuilt.programs.forEach((p, k) => {
        const q = old.programs[k]!;
        assert.equal(p.name, q.name);
        assert.equal(
          Buffer.from(encodeInsns(p.insns)).toString('hex'),
          Buffer.from(encodeInsns(q.insns)).toString('hex'),
          `${p.name}: instructions`,
        );
        assert.deepEqual(p.relocs, q.relocs, `${p.name}: relocations`);
      });
      assert.deepEqual(rebuilt.maps, old.maps);
      assert.deepEqual(rebuilt.globals, old.globals);
    },
  );
}

test('copy.bpf.o defines only the map state (ARRAY, u32 key, one 80-byte struct copy_state) and no globals', () => {
  const o = committed(EXAMPLES[0]!);
  assert.deepEqual(
    o.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, m.section, m.origin]),
    [['state', BPF_MAP_TYPE_ARRAY, 4, 80, 1, 0, '.maps', 'btf']],
  );
  assert.deepEqual(o.globals, []);
});

test('pipeline.bpf.o defines the map counters (ARRAY of 6 u64) and const volatile depth 16, target 1000, nop_cq 1 in .rodata', () => {
  const o = committed(EXAMPLES[1]!);
  assert.deepEqual(
    o.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.section, m.origin]),
    [
      ['counters', BPF_MAP_TYPE_ARRAY, 4, 8, 6, '.maps', 'btf'],
      ['.rodata', BPF_MAP_TYPE_ARRAY, 4, 20, 1, '.rodata', 'global'],
    ],
  );
  assert.equal(o.maps[1]!.flags, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
  assert.equal(o.globals.length, 1);
  const g = o.globals[0]!;
  assert.deepEqual([g.section, g.readonly, g.bss, g.size], ['.rodata', true, false, 20]);
  assert.deepEqual(
    g.variables.map((v) => [v.name, v.offset, v.size, v.constVolatile]),
    [
      ['depth', 0, 4, true],
      ['target', 8, 8, true],
      ['nop_cq', 16, 4, true],
    ],
  );
  const dv = new DataView(g.initial.buffer, g.initial.byteOffset, g.initial.byteLength);
  assert.deepEqual([dv.getUint32(0, true), dv.getBigUint64(8, true), dv.getUint32(16, true)], [16, 1000n, 1]);
});

/** Prints what the drivers mirror of copy.h and pipeline.h, one `name=value` per line. */
const LAYOUT_C = `#include <stddef.h>
#include <stdio.h>
#include "uring_bpf.h"
#include "copy/copy.h"
#include "pipeline/pipeline.h"

#define OFF(s, f) printf(#s "." #f "=%zu %zu\\n", offsetof(struct s, f), sizeof(((struct s *)0)->f))
#define VAL(c) printf(#c "=%llu\\n", (unsigned long long)(c))

int main(void)
{
	VAL(sizeof(struct copy_job));
	OFF(copy_job, paths); OFF(copy_job, buf); OFF(copy_job, buf_size); OFF(copy_job, out_fd);
	OFF(copy_job, nr_files); OFF(copy_job, cq_base);
	VAL(sizeof(struct copy_state));
	OFF(copy_state, stage); OFF(copy_state, file); OFF(copy_state, fd); OFF(copy_state, error);
	OFF(copy_state, err_stage); OFF(copy_state, err_file); OFF(copy_state, chunk);
	OFF(copy_state, chunk_done); OFF(copy_state, in_off); OFF(copy_state, out_off);
	OFF(copy_state, runs); OFF(copy_state, sqes); OFF(copy_state, last_ud); OFF(copy_state, last_res);
	VAL(COPY_IDLE); VAL(COPY_OPEN); VAL(COPY_READ); VAL(COPY_WRITE); VAL(COPY_CLOSE); VAL(COPY_DONE);
	VAL(COPY_NR_CQ); VAL(COPY_UD(3, COPY_WRITE));
	VAL(PL_SUBMITTED); VAL(PL_COMPLETED); VAL(PL_RUNS); VAL(PL_ERRORS); VAL(PL_LAST_ERROR);
	VAL(PL_MAX_INFLIGHT); VAL(PL_NR_COUNTERS); VAL(PL_DEFAULT_DEPTH); VAL(PL_DEFAULT_TARGET);
	VAL(PL_DEFAULT_CQ); VAL(PL_MAX_DEPTH);
	return 0;
}
`;

test(
  'copy.h and pipeline.h: struct layouts, stages and counter slots as the READMEs give them',
  { skip: HAVE_GCC ? false : 'gcc not installed' },
  () => {
    const src = join(tmp, 'examples_layout.c');
    const exe = join(tmp, 'examples_layout');
    writeFileSync(src, LAYOUT_C);
    run('gcc', [
      '-std=gnu11',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-I',
      'include',
      '-I',
      'examples',
      '-o',
      exe,
      src,
    ]);
    const facts = Object.fromEntries(
      run(exe, [])
        .trim()
        .split('\n')
        .map((l) => {
          const at = l.indexOf('=');
          return [l.slice(0, at), l.slice(at + 1)];
        }),
    );
    assert.deepEqual(facts, {
      'sizeof(struct copy_job)': '32',
      'copy_job.paths': '0 8',
      'copy_job.buf': '8 8',
      'copy_job.buf_size': '16 4',
      'copy_job.out_fd': '20 4',
      'copy_job.nr_files': '24 4',
      'copy_job.cq_base': '28 4',
      'sizeof(struct copy_state)': '80',
      'copy_state.stage': '0 4',
      'copy_state.file': '4 4',
      'copy_state.fd': '8 4',
      'copy_state.error': '12 4',
      'copy_state.err_stage': '16 4',
      'copy_state.err_file': '20 4',
      'copy_state.chunk': '24 4',
      'copy_state.chunk_done': '28 4',
      'copy_state.in_off': '32 8',
      'copy_state.out_off': '40 8',
      'copy_state.runs': '48 8',
      'copy_state.sqes': '56 8',
      'copy_state.last_ud': '64 8',
      'copy_state.last_res': '72 8',
      COPY_IDLE: '0',
      COPY_OPEN: '1',
      COPY_READ: '2',
      COPY_WRITE: '3',
      COPY_CLOSE: '4',
      COPY_DONE: '5',
      COPY_NR_CQ: '4',
      'COPY_UD(3, COPY_WRITE)': '771',
      PL_SUBMITTED: '0',
      PL_COMPLETED: '1',
      PL_RUNS: '2',
      PL_ERRORS: '3',
      PL_LAST_ERROR: '4',
      PL_MAX_INFLIGHT: '5',
      PL_NR_COUNTERS: '6',
      PL_DEFAULT_DEPTH: '16',
      PL_DEFAULT_TARGET: '1000',
      PL_DEFAULT_CQ: '1',
      PL_MAX_DEPTH: '256',
    });
  },
);
