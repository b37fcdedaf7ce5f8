/**
 * examples/rfc/: the RFC v2 example programs (spec §7). The committed uring.bpf.o parses to the four
 * sleepable programs in table order, the legacy map `arr` and a GPL license; its programs call only
 * the helpers the RFC examples use; rebuilding it with examples/rfc/build.sh (when clang-19 is
 * installed) gives the same code; and uring.h lays its structs out as the drivers assume (when gcc
 * is installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeInsns } from '../src/ebpf/insn.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import type { ObjectFile } from '../src/ebpf/object/types.js';
import {
  BPF_CALL,
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
const RFC = join(ROOT, 'examples', 'rfc');
const OBJECT = join(RFC, 'uring.bpf.o');
/** The program table of spec §7: slot i runs TABLE[i]. */
const TABLE = ['test', 'counting', 'pingpong', 'write_file'] as const;
const SECTION = 'iouring.s/';
const ALLOWED_HELPERS = new Set([
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
  BPF_FUNC_copy_from_user,
  BPF_FUNC_iouring_queue_sqe,
  BPF_FUNC_iouring_emit_cqe,
  BPF_FUNC_iouring_reap_cqe,
  BPF_FUNC_copy_to_user,
]);
const CALL = BPF_JMP | BPF_CALL;

const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const HAVE_CLANG = has('clang-19');
const HAVE_GCC = has('gcc');

const tmp = mkdtempSync(join(tmpdir(), 'uring-bpf-rfc-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

const committed = (): ObjectFile => parseObject(readFileSync(OBJECT));

test('uring.bpf.o holds the four programs in table order, sleepable, in section iouring.s/', () => {
  const o = committed();
  assert.deepEqual(
    o.programs.map((p) => p.name),
    [...TABLE],
  );
  for (const p of o.programs) {
    assert.equal(p.section, SECTION, p.name);
    assert.equal(p.sectionKind, 'iouring.s', p.name);
    assert.equal(p.type, BPF_PROG_TYPE_IOURING, p.name);
    assert.equal(p.sleepable, true, p.name);
    assert.equal(p.supported, true, p.name);
  }
});

test('uring.bpf.o defines only the legacy map arr (ARRAY, u32 key, 8-byte value, 256 entries) and license GPL', () => {
  const o = committed();
  assert.deepEqual(
    o.maps.map((m) => ({ ...m })),
    [
      {
        name: 'arr',
        type: BPF_MAP_TYPE_ARRAY,
        keySize: 4,
        valueSize: 8,
        maxEntries: 256,
        flags: 0,
        section: 'maps',
        origin: 'legacy',
      },
    ],
  );
  assert.equal(o.globals.length, 0, 'no global data');
  assert.equal(o.license, 'GPL');
  for (const p of o.programs) {
    assert.ok(p.relocs.length > 0, `${p.name} uses arr`);
    for (const r of p.relocs) assert.deepEqual([r.kind, r.map], ['map', 'arr'], p.name);
  }
});

test('every call in the programs targets helper 1, 2, 148, 164, 165, 166 or 167, or a local function', () => {
  const o = committed();
  const used = new Set<number>();
  for (const p of o.programs) {
    const starts = new Set(p.funcs.map((f) => f.insnIndex));
    p.insns.forEach((i, at) => {
      if (i.code !== CALL) return;
      if (i.src === BPF_PSEUDO_CALL) {
        assert.ok(starts.has(at + 1 + i.imm), `${p.name}[${at}]: call to a function start`);
        return;
      }
      assert.equal(i.src, 0, `${p.name}[${at}]: helper call`);
      assert.ok(ALLOWED_HELPERS.has(i.imm), `${p.name}[${at}]: expected an RFC helper, found call ${i.imm}`);
      used.add(i.imm);
    });
  }
  // The four programs together use every one of them (a check that the scan saw the calls).
  assert.deepEqual(
    [...used].sort((a, b) => a - b),
    [...ALLOWED_HELPERS].sort((a, b) => a - b),
  );
});

test('each program calls the helpers its behaviour in spec §7 needs', () => {
  const need: Record<(typeof TABLE)[number], number[]> = {
    test: [1, 2, 148, 164, 165, 166, 167],
    counting: [1, 2, 164, 166],
    pingpong: [1, 2, 148, 165, 166],
    write_file: [1, 2, 164, 166],
  };
  for (const p of committed().programs) {
    const calls = new Set(p.insns.filter((i) => i.code === CALL && i.src === 0).map((i) => i.imm));
    assert.deepEqual(
      [...calls].sort((a, b) => a - b),
      need[p.name as keyof typeof need],
      p.name,
    );
  }
});

test(
  'rebuilding with examples/rfc/build.sh gives the committed programs',
  { skip: HAVE_CLANG ? false : 'clang-19 not installed' },
  () => {
    const out = join(tmp, 'uring.bpf.o');
    run('sh', [join(RFC, 'build.sh'), out]);
    const bytes = readFileSync(out);
    const rebuilt = parseObject(bytes);
    const old = committed();
    assert.deepEqual(
      rebuilt.programs.map((p) => p.name),
      [...TABLE],
    );
    rebuilt.programs.forEach((p, k) => {
      const q = old.programs[k]!;
      assert.deepEqual(
        Buffer.from(encodeInsns(p.insns)).toString('hex'),
        Buffer.from(encodeInsns(q.insns)).toString('hex'),
        `${p.name}: instructions`,
      );
      assert.deepEqual(p.relocs, q.relocs, `${p.name}: map relocations`);
    });
    const section = (o: ObjectFile): string => {
      const s = o.elf.section(SECTION);
      assert.ok(s !== undefined, `section ${SECTION}`);
      return Buffer.from(o.elf.sectionData(s)).toString('hex');
    };
    assert.equal(section(rebuilt), section(old), `section ${SECTION} byte for byte`);
    assert.deepEqual(rebuilt.maps, old.maps);
  },
);

/** Prints what the drivers assume of uring.h, one `name value` per line. */
const LAYOUT_C = `#include <stddef.h>
#include <stdio.h>
#include "uring_bpf.h"
#include "uring.h"

int main(void)
{
	printf("sizeof(counting_ctx) %zu\\n", sizeof(struct counting_ctx));
	printf("counting_ctx.ts %zu\\n", offsetof(struct counting_ctx, ts));
	printf("counting_ctx.ts.tv_sec %zu\\n", offsetof(struct counting_ctx, ts.tv_sec));
	printf("counting_ctx.ts.tv_nsec %zu\\n", offsetof(struct counting_ctx, ts.tv_nsec));
	printf("sizeof(ping_ctx) %zu\\n", sizeof(struct ping_ctx));
	printf("ping_ctx.idx %zu\\n", offsetof(struct ping_ctx, idx));
	printf("sizeof(ping_ctx.idx) %zu\\n", sizeof(((struct ping_ctx *)0)->idx));
	printf("FILL_QD %d\\n", FILL_QD);
	printf("FILL_BLOCKS %d\\n", FILL_BLOCKS);
	printf("FILL_BLOCK_SIZE %d\\n", FILL_BLOCK_SIZE);
	printf("FILL_FSIZE %d\\n", FILL_FSIZE);
	return 0;
}
`;

test(
  'uring.h: counting_ctx is 16 bytes (ts at 0), ping_ctx 4 bytes (int idx at 0), FILL_* as in spec §7',
  { skip: HAVE_GCC ? false : 'gcc not installed' },
  () => {
    const src = join(tmp, 'rfc_layout.c');
    const exe = join(tmp, 'rfc_layout');
    writeFileSync(src, LAYOUT_C);
    run('gcc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-I', 'include', '-I', RFC, '-o', exe, src]);
    const facts = Object.fromEntries(
      run(exe, [])
        .trim()
        .split('\n')
        .map((l) => {
          const at = l.lastIndexOf(' ');
          return [l.slice(0, at), Number(l.slice(at + 1))];
        }),
    );
    assert.deepEqual(facts, {
      'sizeof(counting_ctx)': 16,
      'counting_ctx.ts': 0,
      'counting_ctx.ts.tv_sec': 0,
      'counting_ctx.ts.tv_nsec': 8,
      'sizeof(ping_ctx)': 4,
      'ping_ctx.idx': 0,
      'sizeof(ping_ctx.idx)': 4,
      FILL_QD: 4,
      FILL_BLOCKS: 16,
      FILL_BLOCK_SIZE: 16384,
      FILL_FSIZE: 262144,
    });
  },
);
