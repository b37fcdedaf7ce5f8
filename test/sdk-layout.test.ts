/**
 * include/uring_bpf.h against src/uapi: struct layouts, constants and helper ids.
 *
 * tools/sdk/sdk_layout.c includes the header and prints sizeof/offsetof of every struct member, every
 * constant and every helper id. Its output is committed as test/golden/sdk/layout.txt, which this
 * file (a) compares with src/uapi/layout.ts, io_uring.ts, bpf.ts, errno.ts and fs.ts, and (b) when a
 * host compiler is present, regenerates and compares with the committed copy, so the golden cannot
 * drift from the header. `UPDATE_GOLDEN=1 node --test dist/test/sdk-layout.test.js` rewrites it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as bpf from '../src/uapi/bpf.js';
import * as errno from '../src/uapi/errno.js';
import * as fs from '../src/uapi/fs.js';
import * as io from '../src/uapi/io_uring.js';
import {
  type FieldType,
  fieldSize,
  IO_URING_BPF_CTX,
  IO_URING_CQE,
  IO_URING_SQE,
  KERNEL_TIMESPEC,
  type StructLayout,
} from '../src/uapi/layout.js';
import {
  CLANG,
  GOLDEN_DIR,
  HAS_CLANG,
  HEADER,
  HOST_CC,
  headerConstants,
  headerHelpers,
  ROOT,
  runHostTool,
  UPDATE_GOLDEN,
} from './sdk-common.js';

const GOLDEN = join(GOLDEN_DIR, 'layout.txt');
const HEADER_TEXT = readFileSync(HEADER, 'utf8');

/* ------------------------------------------------------------------ the golden */

interface Member {
  readonly offset: number;
  readonly size: number;
  readonly kind: 'u' | 's' | 'array';
}

interface Layout {
  readonly sizes: ReadonlyMap<string, number>;
  /** Key `struct.member`. */
  readonly fields: ReadonlyMap<string, Member>;
  readonly consts: ReadonlyMap<string, number>;
  readonly helpers: ReadonlyMap<string, number>;
}

function parseLayout(text: string): Layout {
  const sizes = new Map<string, number>();
  const fields = new Map<string, Member>();
  const consts = new Map<string, number>();
  const helpers = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const bad = (): Error => new Error(`${GOLDEN} line ${i + 1}: cannot parse '${line}'`);
    const w = line.split(' ');
    const num = (s: string | undefined): number => {
      if (s === undefined || !/^-?\d+$/.test(s)) throw bad();
      return Number(s);
    };
    const put = <V>(m: Map<string, V>, k: string | undefined, v: V): void => {
      if (k === undefined || m.has(k)) throw new Error(`${GOLDEN} line ${i + 1}: '${k}' missing or twice`);
      m.set(k, v);
    };
    if (w[0] === 'sizeof' && w.length === 3) put(sizes, w[1], num(w[2]));
    else if (w[0] === 'const' && w.length === 3) put(consts, w[1], num(w[2]));
    else if (w[0] === 'helper' && w.length === 3) put(helpers, w[1], num(w[2]));
    else if (w[0] === 'field' && w.length === 5) {
      const kind = w[4];
      if (kind !== 'u' && kind !== 's' && kind !== 'array') throw bad();
      put(fields, w[1], { offset: num(w[2]), size: num(w[3]), kind });
    } else throw bad();
  });
  return { sizes, fields, consts, helpers };
}

const CAN_BUILD = HOST_CC !== null;
if (UPDATE_GOLDEN) {
  if (!CAN_BUILD) throw new Error('UPDATE_GOLDEN=1 needs gcc or clang-19 to build tools/sdk/sdk_layout.c');
  writeFileSync(GOLDEN, runHostTool('sdk_layout'));
}
const GOLDEN_TEXT = readFileSync(GOLDEN, 'utf8');
const L = parseLayout(GOLDEN_TEXT);

test(
  'the golden equals what tools/sdk/sdk_layout.c prints when built with the header here',
  { skip: CAN_BUILD ? false : 'needs gcc or clang-19' },
  () => {
    const fresh = runHostTool('sdk_layout');
    const a = GOLDEN_TEXT.split('\n');
    const b = fresh.split('\n');
    const diff: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length) && diff.length < 20; i++) {
      if (a[i] !== b[i])
        diff.push(`  line ${i + 1}: golden '${a[i] ?? '<eof>'}' vs built '${b[i] ?? '<eof>'}'`);
    }
    assert.deepEqual(diff, [], `${GOLDEN} is stale; regenerate with UPDATE_GOLDEN=1 and review the diff`);
  },
);

/* ------------------------------------------------------------------ coverage of the header */

/** Member names of every `struct NAME { ... };` the header defines, nested unions included. */
function headerStructs(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of text.matchAll(/^struct (\w+) \{\n([\s\S]*?)\n\};/gm)) {
    const body = m[2]!.replace(/\/\*[\s\S]*?\*\//g, '');
    out.set(
      m[1]!,
      [...body.matchAll(/(\w+)(\[\d+\])?;/g)].map((x) => x[1]!),
    );
  }
  return out;
}

test('sdk_layout.c prints every struct, member, constant and helper the header declares, nothing else', () => {
  const structs = headerStructs(HEADER_TEXT);
  assert.deepEqual([...structs.keys()].sort(), [
    '__kernel_timespec',
    'io_uring_bpf_ctx',
    'io_uring_cqe',
    'io_uring_sqe',
  ]);
  assert.deepEqual([...L.sizes.keys()].sort(), [...structs.keys()].sort(), 'sizeof lines');
  const members = [...structs].flatMap(([s, ms]) => ms.map((m) => `${s}.${m}`));
  assert.deepEqual([...L.fields.keys()].sort(), members.sort(), 'field lines');
  assert.deepEqual([...L.consts.keys()].sort(), headerConstants(HEADER_TEXT).sort(), 'const lines');
  assert.deepEqual(
    [...L.helpers.keys()].sort(),
    headerHelpers(HEADER_TEXT)
      .map((h) => h.name)
      .sort(),
    'helper lines',
  );
});

/* ------------------------------------------------------------------ structs */

interface StructSpec {
  readonly table: StructLayout;
  /** Our fields the header names differently: the header member that must coincide. */
  readonly renamed?: Readonly<Record<string, string>>;
  /**
   * Header members our table does not list: the field of ours they must lie within (union members),
   * or the byte range they span (padding).
   */
  readonly headerOnly?: Readonly<Record<string, string | readonly [number, number]>>;
}

const UNION_AT_28 = [
  'poll_events',
  'poll32_events',
  'sync_range_flags',
  'msg_flags',
  'accept_flags',
  'open_flags',
  'statx_flags',
  'fadvise_advice',
  'splice_flags',
  'rename_flags',
  'unlink_flags',
];

const STRUCTS: readonly StructSpec[] = [
  {
    table: IO_URING_SQE,
    // layout.ts calls the per-op flags slot op_flags; the kernel has no member of that name.
    renamed: { op_flags: 'rw_flags' },
    headerOnly: {
      ...Object.fromEntries(UNION_AT_28.map((n) => [n, 'op_flags'])),
      // spec §3.1: cq_idx lives in the anonymous struct that shares a union with __pad2[3].
      __pad2: [40, 64],
    },
  },
  { table: IO_URING_CQE },
  { table: IO_URING_BPF_CTX },
  { table: KERNEL_TIMESPEC },
];

const kindOf = (t: FieldType): 'u' | 's' => (t.startsWith('s') ? 's' : 'u');

for (const spec of STRUCTS) {
  const { table } = spec;
  test(`struct ${table.name}: size and every member's offset, width and signedness match src/uapi`, () => {
    assert.equal(L.sizes.get(table.name), table.size, `sizeof(struct ${table.name})`);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const [name, f] of Object.entries(table.fields)) {
      const member = spec.renamed?.[name] ?? name;
      seen.add(member);
      const h = L.fields.get(`${table.name}.${member}`);
      const what = `${table.name}.${name}${member === name ? '' : ` (header ${member})`}`;
      if (h === undefined) {
        problems.push(`${what}: not in the header`);
        continue;
      }
      if (h.offset !== f.offset) problems.push(`${what}: header offset ${h.offset}, src/uapi ${f.offset}`);
      if (h.size !== fieldSize(f.type)) problems.push(`${what}: header ${h.size} bytes, src/uapi ${f.type}`);
      if (h.kind !== kindOf(f.type)) problems.push(`${what}: header ${h.kind}, src/uapi ${f.type}`);
    }
    for (const [key, h] of L.fields) {
      const [s, member] = key.split('.') as [string, string];
      if (s !== table.name || seen.has(member)) continue;
      const rule = spec.headerOnly?.[member];
      if (rule === undefined) {
        problems.push(`${key}: in the header but neither in src/uapi nor declared header-only`);
      } else if (typeof rule === 'string') {
        const f = table.fields[rule as keyof typeof table.fields] as { offset: number; type: FieldType };
        const end = f.offset + fieldSize(f.type);
        if (h.offset < f.offset || h.offset + h.size > end)
          problems.push(
            `${key}: [${h.offset}, ${h.offset + h.size}) is not within ${rule} [${f.offset}, ${end})`,
          );
      } else if (h.offset !== rule[0] || h.offset + h.size !== rule[1]) {
        problems.push(`${key}: [${h.offset}, ${h.offset + h.size}) instead of [${rule[0]}, ${rule[1]})`);
      }
    }
    assert.deepEqual(problems, []);
  });
}

test('struct io_uring_sqe: RFC v2 cq_idx is a u16 at byte 48, inside __pad2 (spec §3.1)', () => {
  assert.deepEqual(L.fields.get('io_uring_sqe.cq_idx'), { offset: 48, size: 2, kind: 'u' });
  assert.deepEqual(L.fields.get('io_uring_sqe.__pad2'), { offset: 40, size: 24, kind: 'array' });
});

/* ------------------------------------------------------------------ constants */

/** Every numeric export of the src/uapi modules the header draws from, by name. */
const UAPI = new Map<string, number>();
for (const mod of [io, bpf, errno, fs] as const) {
  for (const [k, v] of Object.entries(mod)) if (typeof v === 'number') UAPI.set(k, v);
}

test('every constant of the header has the value src/uapi gives it', () => {
  const problems: string[] = [];
  for (const [name, v] of L.consts) {
    const ours = UAPI.get(name);
    if (ours === undefined) problems.push(`${name} = ${v}: not defined in src/uapi`);
    else if (ours !== v) problems.push(`${name}: header ${v}, src/uapi ${ours}`);
  }
  assert.deepEqual(problems, []);
  assert.ok(L.consts.size >= 100, `only ${L.consts.size} constants`);
});

test('the header defines every opcode, SQE flag, timeout flag, CQE flag and map type of src/uapi', () => {
  const wanted = [...UAPI.keys()].filter(
    (k) =>
      /^(IORING_OP_|IOSQE_|IORING_TIMEOUT_|IORING_CQE_|IORING_FSYNC_|BPF_MAP_TYPE_)/.test(k) &&
      k !== 'IORING_OP_NAMES',
  );
  assert.ok(wanted.length > 60);
  assert.deepEqual(
    wanted.filter((k) => !L.consts.has(k)),
    [],
  );
  assert.equal(L.consts.get('IORING_OP_BPF'), 37);
});

/* ------------------------------------------------------------------ helper ids */

const DECLS = headerHelpers(HEADER_TEXT);

test('helper ids of the header are the BPF_FUNC_* of src/uapi/bpf.ts, both ways', () => {
  // bpf_map_lookup_elem -> BPF_FUNC_map_lookup_elem, iouring_queue_sqe -> BPF_FUNC_iouring_queue_sqe.
  const fromHeader = new Map(DECLS.map((d) => [`BPF_FUNC_${d.name.replace(/^bpf_/, '')}`, d.id]));
  const fromUapi = new Map(
    Object.entries(bpf).filter(
      (e): e is [string, number] => e[0].startsWith('BPF_FUNC_') && typeof e[1] === 'number',
    ),
  );
  assert.equal(DECLS.length, fromHeader.size, 'a helper is declared twice');
  assert.deepEqual(new Map([...fromHeader].sort()), new Map([...fromUapi].sort()));
});

test('the compiled helper pointers hold the ids the header text gives', () => {
  assert.deepEqual(new Map([...L.helpers].sort()), new Map(DECLS.map((d) => [d.name, d.id] as const).sort()));
});

test('helper prototypes are the RFC’s for 148 and 164-167 (spec §3.8)', () => {
  const proto = new Map(DECLS.map((d) => [d.id, d.proto]));
  assert.equal(proto.get(148), 'long bpf_copy_from_user(void *dst, __u32 size, const void *user_ptr)');
  assert.equal(
    proto.get(164),
    'long iouring_queue_sqe(void *ctx, const struct io_uring_sqe *sqe, __u32 len)',
  );
  assert.equal(
    proto.get(165),
    'long iouring_emit_cqe(void *ctx, __u32 cq_idx, __u64 user_data, __s32 res, __u32 flags)',
  );
  assert.equal(
    proto.get(166),
    'long iouring_reap_cqe(void *ctx, __u32 cq_idx, struct io_uring_cqe *cqe, __u32 len)',
  );
  assert.equal(proto.get(167), 'long bpf_copy_to_user(void *user_ptr, const void *src, __u32 size)');
});

/* ------------------------------------------------------------------ the header's own assertions */

const BREAKS: ReadonlyArray<readonly [string, string, string, RegExp]> = [
  ['cq_idx moved to byte 50', '__u16 cq_idx;', '__u16 moved; __u16 cq_idx;', /cq_idx at byte 48/],
  ['sqe grows past 64 bytes', '__u64 __pad2[3];', '__u64 __pad2[4];', /io_uring_sqe is 64 bytes/],
  ['cqe res widened', '__s32 res;', '__s64 res;', /io_uring_cqe is 16 bytes|cqe->flags at byte 12/],
  [
    'ctx wait_nr widened',
    '__u32 wait_nr;',
    '__u64 wait_nr;',
    /ctx->wait_idx at byte 12|io_uring_bpf_ctx is 16 bytes/,
  ],
];

for (const [what, from, to, message] of BREAKS) {
  test(
    `the header's _Static_assert stops a build when ${what}`,
    { skip: HAS_CLANG || CAN_BUILD ? false : 'needs clang-19 or gcc' },
    () => {
      assert.ok(HEADER_TEXT.includes(from), `the header no longer contains '${from}'`);
      const dir = mkdtempSync(join(tmpdir(), 'sdk-assert-'));
      try {
        // The broken copy sits in its own directory: "" includes look beside x.c first.
        mkdirSync(join(dir, 'broken'));
        writeFileSync(join(dir, 'broken', 'uring_bpf.h'), HEADER_TEXT.replace(from, to));
        writeFileSync(join(dir, 'x.c'), '#include "uring_bpf.h"\n');
        const [cc, target] = HAS_CLANG ? [CLANG, ['--target=bpf']] : [HOST_CC!, []];
        const ok = spawnSync(cc, [...target, '-fsyntax-only', '-I', join(ROOT, 'include'), join(dir, 'x.c')]);
        assert.equal(ok.status, 0, `the real header must compile: ${ok.stderr}`);
        const r = spawnSync(cc, [...target, '-fsyntax-only', '-I', join(dir, 'broken'), join(dir, 'x.c')], {
          encoding: 'utf8',
        });
        assert.notEqual(r.status, 0, 'the broken header compiled');
        assert.match(r.stderr, message);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
