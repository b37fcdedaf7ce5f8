/**
 * src/uapi against the kernel's own numbers.
 *
 * tools/layout/kernel_layout.c prints offsetof/sizeof of every io_uring UAPI struct member, the
 * values of the 5.13-era constants and the errno values, as <linux/io_uring.h> and <errno.h> define
 * them. Its output is committed as test/golden/kernel-layout.txt, which this file
 *   (a) always compares our layout tables and constants with, and
 *   (b) when gcc and the kernel headers are present, regenerates in a temp dir and compares with the
 *       committed copy, so the golden file cannot drift from the real headers.
 * `UPDATE_GOLDEN=1 node --test dist/test/uapi-layout.test.js` rewrites the golden file from (b).
 *
 * RFC v2 renamed a few reserved members (sqe addr3 area -> cq_idx, params resv[] -> nr_cq/cq_sizes);
 * they are mapped onto the modern names below. Values that exist only in the RFC are checked against
 * the numbers of /work/shared/spec/rfc-v2.md, cited per value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as errno from '../src/uapi/errno.js';
import * as uapi from '../src/uapi/io_uring.js';
import {
  type FieldType,
  fieldSize,
  IO_CQRING_OFFSETS,
  IO_RINGS,
  IO_SQRING_OFFSETS,
  IO_URING_CQE,
  IO_URING_PARAMS,
  IO_URING_PARAMS_CQ_OFF,
  IO_URING_PARAMS_SQ_OFF,
  IO_URING_PROBE,
  IO_URING_PROBE_OP,
  IO_URING_SQE,
  KERNEL_TIMESPEC,
  type StructLayout,
} from '../src/uapi/layout.js';
import { hasTool, repoRoot } from './helpers.js';

/* ------------------------------------------------------------------ locating and parsing the golden */

const ROOT = repoRoot();
const GOLDEN = join(ROOT, 'test', 'golden', 'kernel-layout.txt');
const PROGRAM = join(ROOT, 'tools', 'layout', 'kernel_layout.c');
const HEADER = '/usr/include/linux/io_uring.h';

interface KernelField {
  readonly offset: number;
  readonly size: number;
  /** 'u' unsigned scalar, 's' signed scalar, 'struct' a nested struct or flexible array. */
  readonly kind: 'u' | 's' | 'struct';
}

interface Golden {
  readonly sizes: ReadonlyMap<string, number>;
  /** Key: `struct.member`, in the order the program printed them. */
  readonly fields: ReadonlyMap<string, KernelField>;
  /** Values as bigint: the C program prints them as unsigned 64-bit numbers. */
  readonly consts: ReadonlyMap<string, bigint>;
  readonly errnos: ReadonlyMap<string, number>;
}

function parseGolden(text: string): Golden {
  const sizes = new Map<string, number>();
  const fields = new Map<string, KernelField>();
  const consts = new Map<string, bigint>();
  const errnos = new Map<string, number>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const bad = (): Error => new Error(`kernel-layout.txt line ${i + 1}: cannot parse '${line}'`);
    const w = line.split(' ');
    const unique = (m: Map<string, unknown>, k: string): void => {
      if (m.has(k)) throw new Error(`kernel-layout.txt line ${i + 1}: '${k}' appears twice`);
    };
    switch (w[0]) {
      case 'sizeof':
        if (w.length !== 3 || !/^\d+$/.test(w[2]!)) throw bad();
        unique(sizes, w[1]!);
        sizes.set(w[1]!, Number(w[2]));
        break;
      case 'field': {
        if (w.length !== 5 || !/^\d+$/.test(w[2]!) || !/^\d+$/.test(w[3]!)) throw bad();
        const kind = w[4];
        if (kind !== 'u' && kind !== 's' && kind !== 'struct') throw bad();
        unique(fields, w[1]!);
        fields.set(w[1]!, { offset: Number(w[2]), size: Number(w[3]), kind });
        break;
      }
      case 'const':
        if (w.length !== 3 || !/^\d+$/.test(w[2]!)) throw bad();
        unique(consts, w[1]!);
        consts.set(w[1]!, BigInt(w[2]!));
        break;
      case 'errno':
        if (w.length !== 3 || !/^\d+$/.test(w[2]!)) throw bad();
        unique(errnos, w[1]!);
        errnos.set(w[1]!, Number(w[2]));
        break;
      default:
        throw bad();
    }
  });
  return { sizes, fields, consts, errnos };
}

/** Whether tools/layout/kernel_layout.c can be built here. */
function canBuild(): boolean {
  if (!existsSync(HEADER)) return false;
  return hasTool('gcc');
}

/** Compile and run tools/layout/kernel_layout.c in a temp dir; its stdout. */
function runKernelLayout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-layout-'));
  try {
    const exe = join(dir, 'kernel_layout');
    const cc = spawnSync('gcc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-o', exe, PROGRAM], {
      encoding: 'utf8',
    });
    if (cc.status !== 0) throw new Error(`gcc failed on ${PROGRAM}:\n${cc.stderr}`);
    const run = spawnSync(exe, [], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${exe} exited with ${run.status}:\n${run.stderr}`);
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BUILDABLE = canBuild();
if (process.env.UPDATE_GOLDEN === '1') {
  if (!BUILDABLE)
    throw new Error(`UPDATE_GOLDEN=1 needs gcc and ${HEADER} (apt-get install -y linux-libc-dev)`);
  writeFileSync(GOLDEN, runKernelLayout());
}
const GOLDEN_TEXT = readFileSync(GOLDEN, 'utf8');
const K = parseGolden(GOLDEN_TEXT);

function kfield(key: string): KernelField {
  const f = K.fields.get(key);
  if (f === undefined) {
    throw new assert.AssertionError({
      message: `${GOLDEN} has no field '${key}': add it to ${PROGRAM} and regenerate (UPDATE_GOLDEN=1)`,
    });
  }
  return f;
}

function ksizeof(struct: string): number {
  const n = K.sizes.get(struct);
  if (n === undefined) {
    throw new assert.AssertionError({ message: `${GOLDEN} has no 'sizeof ${struct}' line` });
  }
  return n;
}

/* ------------------------------------------------------------------ (b) golden == real headers */

test(
  'golden file equals the output of tools/layout/kernel_layout.c built against this machine’s headers',
  { skip: BUILDABLE ? false : `needs gcc and ${HEADER}` },
  () => {
    const fresh = runKernelLayout();
    if (fresh !== GOLDEN_TEXT) {
      const a = GOLDEN_TEXT.split('\n');
      const b = fresh.split('\n');
      const diff: string[] = [];
      for (let i = 0; i < Math.max(a.length, b.length) && diff.length < 20; i++) {
        if (a[i] !== b[i])
          diff.push(`  line ${i + 1}: golden '${a[i] ?? '<eof>'}' vs headers '${b[i] ?? '<eof>'}'`);
      }
      assert.fail(
        `${GOLDEN} differs from what ${PROGRAM} prints with ${HEADER}:\n${diff.join('\n')}\n` +
          'If the headers changed legitimately, regenerate with UPDATE_GOLDEN=1 and review the diff.',
      );
    }
  },
);

test('the golden file parses and covers every struct the layout tables describe', () => {
  for (const s of [
    'io_uring_sqe',
    'io_uring_cqe',
    'io_sqring_offsets',
    'io_cqring_offsets',
    'io_uring_params',
    '__kernel_timespec',
    'io_uring_probe',
    'io_uring_probe_op',
  ]) {
    assert.ok(K.sizes.has(s), `sizeof ${s} missing from the golden file`);
  }
  assert.ok(K.consts.size >= 90, `only ${K.consts.size} constants in the golden file`);
  assert.ok(K.errnos.size >= 40, `only ${K.errnos.size} errno values in the golden file`);
});

/* ------------------------------------------------------------------ struct layouts */

/** How a field of ours maps onto the kernel's members when RFC v2 names it differently. */
interface Rename {
  /** Consecutive kernel members (modern names) whose bytes the field occupies. */
  readonly kernel: readonly string[];
  /** The field may be narrower than those members (it sits at their start). */
  readonly narrower?: true;
}

interface TableSpec {
  readonly table: StructLayout;
  /** Kernel struct name (as the golden prints it). */
  readonly kernel: string;
  /** The size RFC v2 / the kernel gives this struct. */
  readonly size: number;
  readonly renamed?: Readonly<Record<string, Rename>>;
  /** Byte ranges [from, to) our table deliberately leaves undescribed (reserved/padding, nested structs). */
  readonly gaps?: ReadonlyArray<readonly [number, number, string]>;
}

const TABLES: readonly TableSpec[] = [
  {
    table: IO_URING_SQE,
    kernel: 'io_uring_sqe',
    size: 64,
    renamed: {
      // The per-op flags union at 28: rw_flags, fsync_flags, timeout_flags, ...
      op_flags: { kernel: ['rw_flags'] },
      // spec §3.1 (patch 08): `__u16 cq_idx` at byte 48, inside what is now `__u64 addr3`.
      cq_idx: { kernel: ['addr3'], narrower: true },
    },
    // spec §3.1: bytes 50..63 are the rest of the old __pad2 area, not checked by the kernel.
    gaps: [[50, 64, 'rest of __pad2 (spec §3.1)']],
  },
  { table: IO_URING_CQE, kernel: 'io_uring_cqe', size: 16 },
  { table: IO_SQRING_OFFSETS, kernel: 'io_sqring_offsets', size: 40 },
  { table: IO_CQRING_OFFSETS, kernel: 'io_cqring_offsets', size: 40 },
  {
    table: IO_URING_PARAMS,
    kernel: 'io_uring_params',
    size: 120,
    renamed: {
      // spec §3.3 (patch 10): resv[3] -> `__u32 nr_cq` @28 and `__u64 cq_sizes` @32.
      nr_cq: { kernel: ['resv[0]'] },
      cq_sizes: { kernel: ['resv[1]', 'resv[2]'] },
    },
    gaps: [
      [IO_URING_PARAMS_SQ_OFF, IO_URING_PARAMS_SQ_OFF + IO_SQRING_OFFSETS.size, 'sq_off'],
      [IO_URING_PARAMS_CQ_OFF, IO_URING_PARAMS_CQ_OFF + IO_CQRING_OFFSETS.size, 'cq_off'],
    ],
  },
  { table: KERNEL_TIMESPEC, kernel: '__kernel_timespec', size: 16 },
  {
    table: IO_URING_PROBE,
    kernel: 'io_uring_probe',
    size: 16,
    gaps: [
      [2, 4, 'resv'],
      [4, 16, 'resv2[3]'],
    ],
  },
  {
    table: IO_URING_PROBE_OP,
    kernel: 'io_uring_probe_op',
    size: 8,
    gaps: [
      [1, 2, 'resv'],
      [4, 8, 'resv2'],
    ],
  },
];

const signed = (t: FieldType): boolean => t.startsWith('s');

for (const spec of TABLES) {
  const { table, kernel } = spec;

  test(`${table.name}: size is ${spec.size} bytes, as the kernel's sizeof(struct ${kernel})`, () => {
    assert.equal(table.name, kernel);
    assert.equal(table.size, spec.size, `${table.name}.size`);
    assert.equal(ksizeof(kernel), spec.size, `sizeof(struct ${kernel}) in the golden file`);
  });

  test(`${table.name}: every field has the kernel's offset, width and signedness`, () => {
    const problems: string[] = [];
    for (const [name, field] of Object.entries(table.fields)) {
      const rename = spec.renamed?.[name];
      const members = (rename?.kernel ?? [name]).map((m) => ({ m, f: kfield(`${kernel}.${m}`) }));
      // The kernel members a renamed field spans must be consecutive.
      for (let i = 1; i < members.length; i++) {
        const p = members[i - 1]!;
        const c = members[i]!;
        assert.equal(c.f.offset, p.f.offset + p.f.size, `${kernel}.${p.m} and .${c.m} are not adjacent`);
      }
      const first = members[0]!;
      const last = members[members.length - 1]!;
      const kOffset = first.f.offset;
      const kSize = last.f.offset + last.f.size - kOffset;
      const what = `${table.name}.${name}${rename ? ` (kernel ${rename.kernel.join('+')})` : ''}`;
      const size = fieldSize(field.type);
      if (field.offset !== kOffset) problems.push(`${what}: offset ${field.offset}, kernel ${kOffset}`);
      if (rename?.narrower ? size > kSize : size !== kSize)
        problems.push(`${what}: ${field.type} is ${size} bytes, kernel ${kSize}`);
      for (const { m, f } of members) {
        if (f.kind === 'struct') problems.push(`${what}: kernel ${m} is a struct, not a scalar`);
        else if (signed(field.type) !== (f.kind === 's'))
          problems.push(
            `${what}: ${field.type} but kernel ${m} is ${f.kind === 's' ? 'signed' : 'unsigned'}`,
          );
      }
    }
    assert.deepEqual(problems, []);
  });
}

test('io_uring_sqe: RFC v2 fields sit where the spec puts them (§3.1)', () => {
  assert.deepEqual(IO_URING_SQE.fields.cq_idx, { offset: 48, type: 'u16' });
  assert.equal(kfield('io_uring_sqe.addr3').offset, 48);
  // Union members share their slot.
  assert.equal(IO_URING_SQE.fields.addr2.offset, IO_URING_SQE.fields.off.offset);
  assert.equal(IO_URING_SQE.fields.splice_off_in.offset, IO_URING_SQE.fields.addr.offset);
  assert.equal(IO_URING_SQE.fields.buf_group.offset, IO_URING_SQE.fields.buf_index.offset);
  for (const n of ['rw_flags', 'fsync_flags', 'timeout_flags', 'cancel_flags'] as const) {
    assert.equal(IO_URING_SQE.fields[n].offset, IO_URING_SQE.fields.op_flags.offset, n);
  }
});

test('io_uring_params: nr_cq is resv[0] at 28 and cq_sizes is resv[1..2] at 32 (spec §3.3)', () => {
  assert.deepEqual(IO_URING_PARAMS.fields.nr_cq, { offset: 28, type: 'u32' });
  assert.deepEqual(IO_URING_PARAMS.fields.cq_sizes, { offset: 32, type: 'u64' });
  assert.deepEqual(kfield('io_uring_params.resv[0]'), { offset: 28, size: 4, kind: 'u' });
  assert.deepEqual(kfield('io_uring_params.resv[1]'), { offset: 32, size: 4, kind: 'u' });
  assert.deepEqual(kfield('io_uring_params.resv[2]'), { offset: 36, size: 4, kind: 'u' });
});

test('io_uring_params: sq_off and cq_off are where the kernel puts them and hold the offset structs', () => {
  const sq = kfield('io_uring_params.sq_off');
  const cq = kfield('io_uring_params.cq_off');
  assert.deepEqual(sq, { offset: IO_URING_PARAMS_SQ_OFF, size: IO_SQRING_OFFSETS.size, kind: 'struct' });
  assert.deepEqual(cq, { offset: IO_URING_PARAMS_CQ_OFF, size: IO_CQRING_OFFSETS.size, kind: 'struct' });
  assert.equal(IO_URING_PARAMS_SQ_OFF, 40);
  assert.equal(IO_URING_PARAMS_CQ_OFF, 80);
  assert.equal(IO_URING_PARAMS_CQ_OFF + IO_CQRING_OFFSETS.size, IO_URING_PARAMS.size);
});

test('io_uring_probe: the ops[] array follows the 16-byte header, 8 bytes per io_uring_probe_op', () => {
  assert.equal(kfield('io_uring_probe.ops').offset, IO_URING_PROBE.size);
  assert.equal(ksizeof('io_uring_probe_op'), IO_URING_PROBE_OP.size);
});

/* ------------------------------------------------------------------ extents and overlaps */

interface Span {
  readonly from: number;
  readonly to: number;
  readonly what: string;
}

/**
 * Problems with a set of byte ranges that should tile [0, size): fields must not partly overlap
 * (two fields with the same range are union members, i.e. aliases), and the distinct ranges must
 * cover [0, size) without holes or overhang.
 */
function tilingProblems(spans: readonly Span[], size: number, label: string): string[] {
  const problems: string[] = [];
  const sorted = [...spans].sort((a, b) => a.from - b.from || a.to - b.to);
  const distinct: Span[] = [];
  for (const s of sorted) {
    const prev = distinct[distinct.length - 1];
    if (prev !== undefined && prev.from === s.from && prev.to === s.to) continue; // an alias
    if (prev !== undefined && s.from < prev.to) {
      problems.push(
        `${label}: ${s.what} [${s.from},${s.to}) overlaps ${prev.what} [${prev.from},${prev.to})`,
      );
    }
    distinct.push(s);
  }
  let at = 0;
  for (const s of distinct) {
    if (s.from > at) problems.push(`${label}: bytes [${at},${s.from}) are covered by nothing`);
    at = Math.max(at, s.to);
  }
  if (at !== size) problems.push(`${label}: fields end at ${at}, but the struct is ${size} bytes`);
  return problems;
}

test('tilingProblems detects overlaps, holes and overhang (self-test)', () => {
  const s = (from: number, to: number, what: string): Span => ({ from, to, what });
  assert.deepEqual(tilingProblems([s(0, 4, 'a'), s(0, 4, 'a2'), s(4, 8, 'b')], 8, 't'), []);
  assert.equal(tilingProblems([s(0, 4, 'a'), s(2, 6, 'b'), s(6, 8, 'c')], 8, 't').length, 1);
  assert.equal(tilingProblems([s(0, 8, 'a'), s(0, 4, 'b')], 8, 't').length, 1);
  assert.equal(tilingProblems([s(0, 4, 'a'), s(6, 8, 'b')], 8, 't').length, 1);
  assert.equal(tilingProblems([s(0, 4, 'a')], 8, 't').length, 1);
  assert.equal(tilingProblems([s(0, 12, 'a')], 8, 't').length, 1);
});

for (const spec of TABLES) {
  const { table, kernel } = spec;

  test(`${table.name}: fields plus declared reserved ranges tile all ${spec.size} bytes, no partial overlaps`, () => {
    const spans: Span[] = Object.entries(table.fields).map(([n, f]) => ({
      from: f.offset,
      to: f.offset + fieldSize(f.type),
      what: n,
    }));
    for (const [from, to, what] of spec.gaps ?? []) spans.push({ from, to, what: `(${what})` });
    assert.deepEqual(tilingProblems(spans, table.size, table.name), []);
  });

  test(`kernel struct ${kernel}: its members tile sizeof (the golden file lists every member)`, () => {
    const spans: Span[] = [];
    for (const [key, f] of K.fields) {
      if (key.startsWith(`${kernel}.`) && f.size > 0)
        spans.push({ from: f.offset, to: f.offset + f.size, what: key });
    }
    assert.deepEqual(tilingProblems(spans, ksizeof(kernel), kernel), []);
  });
}

test('every field of every layout table (incl. the kernel-private io_rings) is naturally aligned and in bounds', () => {
  const problems: string[] = [];
  for (const t of [...TABLES.map((s) => s.table), IO_RINGS]) {
    for (const [n, f] of Object.entries(t.fields)) {
      const w = fieldSize(f.type);
      if (f.offset % w !== 0) problems.push(`${t.name}.${n} @${f.offset} is not ${w}-byte aligned`);
      if (f.offset < 0 || f.offset + w > t.size) problems.push(`${t.name}.${n} exceeds ${t.size} bytes`);
    }
  }
  assert.deepEqual(problems, []);
});

test('io_rings (kernel-private, from the kernel probe): no two distinct fields overlap', () => {
  const spans: Span[] = Object.entries(IO_RINGS.fields).map(([n, f]) => ({
    from: f.offset,
    to: f.offset + fieldSize(f.type),
    what: n,
  }));
  const problems = tilingProblems(spans, IO_RINGS.size, IO_RINGS.name).filter((p) => p.includes('overlaps'));
  assert.deepEqual(problems, []);
});

test('fieldSize gives the width of each field type', () => {
  assert.deepEqual((['u8', 'u16', 'u32', 's32', 'u64', 's64'] as const).map(fieldSize), [1, 2, 4, 4, 8, 8]);
});

/* ------------------------------------------------------------------ constants */

/**
 * Values RFC v2 adds, which no kernel header has: checked against /work/shared/spec/rfc-v2.md.
 */
const RFC_ONLY: Readonly<Record<string, number>> = {
  // §3.5 (patch 14): appended right after IORING_OP_UNLINKAT (36).
  IORING_OP_BPF: 37,
  // §3.5: with IORING_OP_BPF the last opcode, the enum's IORING_OP_LAST sentinel is 38.
  IORING_OP_LAST: 38,
  // §3.5 (patch 13): IORING_REGISTER_BPF = 15, IORING_UNREGISTER_BPF = 16.
  IORING_REGISTER_BPF: 15,
  IORING_UNREGISTER_BPF: 16,
  // §3.4 (patch 11): mmap offset of CQ k = EXTRA + k * STRIDE.
  IORING_OFF_CQ_RING_EXTRA: 0x01200000,
  IORING_STRIDE_CQ_RING: 0x00100000,
  // §4.1 step 2 and §4.9 (patch 10): at most 1024 extra CQs.
  IO_MAX_CQRINGS: 1024,
  // §4.3 and §4.9 (patch 13): at most 100 programs in the table.
  IORING_MAX_BPF_PROGS: 100,
};

/** Exports of io_uring.ts that are neither kernel UAPI constants nor RFC additions; each has its own test. */
const DERIVED = new Set([
  'IORING_OP_NAMES',
  'SQE_VALID_FLAGS',
  'IORING_REGISTER_LAST',
  'IORING_MAX_ENTRIES',
  'IORING_MAX_CQ_ENTRIES',
  'IORING_NOP_INJECT_RESULT',
]);

const UAPI: Readonly<Record<string, unknown>> = uapi;

test('every constant the kernel header defines has the kernel’s value in src/uapi/io_uring.ts', () => {
  const problems: string[] = [];
  for (const [name, value] of K.consts) {
    const ours = UAPI[name];
    if (typeof ours !== 'number') problems.push(`${name}: not exported by src/uapi/io_uring.ts`);
    else if (!Number.isSafeInteger(ours) || BigInt(ours) !== value) {
      const hint = ours < 0 ? ' (a negative JS number: `1 << 31` overflows int32; write 0x80000000)' : '';
      problems.push(`${name} = ${ours}, but the kernel's value is ${value} (0x${value.toString(16)})${hint}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('RFC-only constants have the values of spec rfc-v2.md (§3.4, §3.5, §4.1, §4.3, §4.9)', () => {
  for (const [name, value] of Object.entries(RFC_ONLY)) {
    assert.equal(UAPI[name], value, name);
    assert.ok(!K.consts.has(name), `${name} is RFC-only and should not be in the kernel header`);
  }
});

test('every export of src/uapi/io_uring.ts is checked by this file', () => {
  const unchecked = Object.keys(UAPI).filter((n) => !K.consts.has(n) && !(n in RFC_ONLY) && !DERIVED.has(n));
  assert.deepEqual(
    unchecked,
    [],
    'add them to tools/layout/kernel_layout.c (kernel constants) or to RFC_ONLY here (citing the spec)',
  );
});

test('IORING_NOP_INJECT_RESULT is 1U << 0 (mainline; in the golden file when the header defines it)', () => {
  const k = K.consts.get('IORING_NOP_INJECT_RESULT');
  // Not in linux-libc-dev 6.1; mainline include/uapi/linux/io_uring.h defines it as (1U << 0), as does
  // tools/kernel-probe/extra_probe.c's fallback.
  assert.equal(uapi.IORING_NOP_INJECT_RESULT, k === undefined ? 1 : Number(k));
});

test('IORING_OP_NAMES names every opcode 0..IORING_OP_BPF by its kernel name', () => {
  assert.equal(uapi.IORING_OP_NAMES.length, uapi.IORING_OP_LAST);
  const byValue = new Map<number, string>();
  for (const [name, v] of K.consts) if (name.startsWith('IORING_OP_')) byValue.set(Number(v), name);
  for (let op = 0; op <= uapi.IORING_OP_UNLINKAT; op++) {
    assert.equal(uapi.IORING_OP_NAMES[op], byValue.get(op), `opcode ${op}`);
  }
  assert.equal(uapi.IORING_OP_NAMES[uapi.IORING_OP_BPF], 'IORING_OP_BPF');
  for (const [op, name] of uapi.IORING_OP_NAMES.entries()) {
    assert.equal(UAPI[name], op, `${name} should be exported as ${op}`);
  }
});

test('derived constants: SQE_VALID_FLAGS, IORING_REGISTER_LAST, IORING_MAX_(CQ_)ENTRIES', () => {
  let valid = 0n;
  for (const [name, v] of K.consts) if (name.startsWith('IOSQE_')) valid |= v;
  assert.equal(BigInt(uapi.SQE_VALID_FLAGS), valid, 'SQE_VALID_FLAGS = all six 5.13 IOSQE_* bits');
  assert.equal(uapi.SQE_VALID_FLAGS, 0x3f);
  // The register enum's LAST sentinel follows the RFC's last register opcode (spec §3.5).
  assert.equal(uapi.IORING_REGISTER_LAST, uapi.IORING_UNREGISTER_BPF + 1);
  // Kernel-private limits (io_uring.c, not UAPI); spec §4.9: entries per CQ 1..65536.
  assert.equal(uapi.IORING_MAX_ENTRIES, 32768);
  assert.equal(uapi.IORING_MAX_CQ_ENTRIES, 65536);
});

test('RFC extra-CQ mmap offsets do not collide with the fixed ones for CQ 0 (spec §3.4)', () => {
  const off = (k: number): number => uapi.IORING_OFF_CQ_RING_EXTRA + k * uapi.IORING_STRIDE_CQ_RING;
  assert.equal(off(0), 0x01200000);
  assert.notEqual(off(0), uapi.IORING_OFF_SQ_RING);
  // The documented quirk: k = 110 and k = 238 land on the fixed CQ ring and SQE offsets.
  assert.equal(off(110), uapi.IORING_OFF_CQ_RING);
  assert.equal(off(238), uapi.IORING_OFF_SQES);
});

/* ------------------------------------------------------------------ errno */

const ERRNO: Readonly<Record<string, unknown>> = errno;

test('errno values in src/uapi/errno.ts are <errno.h>’s', () => {
  const problems: string[] = [];
  const ours = Object.entries(ERRNO).filter(([n, v]) => /^E[A-Z0-9]+$/.test(n) && typeof v === 'number');
  assert.ok(ours.length >= 40);
  for (const [name, value] of ours) {
    const k = K.errnos.get(name);
    if (k === undefined) problems.push(`${name}: not in the golden file; add ERRNO(${name}) to ${PROGRAM}`);
    else if (value !== k) problems.push(`${name} = ${value}, but <errno.h> has ${k}`);
  }
  for (const name of K.errnos.keys())
    if (!(name in ERRNO)) problems.push(`${name}: not exported by errno.ts`);
  assert.deepEqual(problems, []);
});

test('errnoName maps each errno value (either sign) back to its name', () => {
  for (const [name, v] of K.errnos) {
    assert.equal(errno.errnoName(v), name);
    assert.equal(errno.errnoName(-v), name);
  }
  assert.equal(errno.errnoName(-9999), 'E9999');
});
