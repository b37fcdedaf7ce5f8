/**
 * Instruction slots (src/ebpf/insn.ts): little-endian decode and encode (fixed vectors and a seeded
 * round trip), the load-time check's errors (code, index, field) in a table, and every
 * conformance/bpf/negative/unused-*.data rejected on the field its name says.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConformanceData } from '../src/ebpf/conformance-data.js';
import {
  checkInsns,
  decodeInsns,
  encodeInsns,
  type Insn,
  InsnError,
  insnsFromWords,
  LDDW,
  lddwValue,
} from '../src/ebpf/insn.js';
import { repoRoot, xorshift32 } from './helpers.js';

const NEGATIVE = join(repoRoot(), '..', 'shared', 'conformance', 'bpf', 'negative');

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const EXIT = I(0x95);
const bytes = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).map((b) => Number.parseInt(b, 16)));

/* ------------------------------------------------------------------ decode / encode */

test('decode reads code, dst (low nibble), src (high nibble), signed off and imm, little-endian', () => {
  const cases: [string, Insn][] = [
    ['b7 01 00 00 05 00 00 00', I(0xb7, 1, 0, 0, 5)],
    ['0f a1 00 00 00 00 00 00', I(0x0f, 1, 10, 0, 0)],
    ['79 21 fe ff 00 00 00 00', I(0x79, 1, 2, -2, 0)],
    ['b7 00 00 00 ff ff ff ff', I(0xb7, 0, 0, 0, -1)],
    ['05 00 ff 7f 00 00 00 80', I(0x05, 0, 0, 0x7fff, -0x80000000)],
    ['95 00 00 00 00 00 00 00', EXIT],
  ];
  for (const [hex, want] of cases) {
    assert.deepEqual(decodeInsns(bytes(hex)), [want], hex);
    assert.deepEqual([...encodeInsns([want])], [...bytes(hex)], `encode ${hex}`);
  }
});

test('decode then encode gives back the bytes, and encode then decode the slots (seeded random)', () => {
  const next = xorshift32(0x1dc0de);
  for (let round = 0; round < 200; round++) {
    const raw = new Uint8Array(8 * (1 + (next() % 16)));
    for (let i = 0; i < raw.length; i++) raw[i] = next() & 0xff;
    const insns = decodeInsns(raw);
    assert.equal(insns.length, raw.length / 8);
    assert.deepEqual([...encodeInsns(insns)], [...raw]);
    assert.deepEqual(decodeInsns(encodeInsns(insns)), insns);
  }
});

test('a byte length that is not a multiple of 8 is E_TRUNCATED with the slot index', () => {
  assert.throws(
    () => decodeInsns(new Uint8Array(13)),
    (e: unknown) =>
      e instanceof InsnError && e.code === 'E_TRUNCATED' && e.index === 1 && /0xd bytes/.test(e.message),
  );
});

test('64-bit words decode as little-endian slots; lddwValue joins the two imm halves', () => {
  const insns = insnsFromWords([0x5566778800000018n, 0x1122334400000000n, 0x95n]);
  assert.deepEqual(insns[0], I(LDDW, 0, 0, 0, 0x55667788));
  assert.deepEqual(insns[1], I(0, 0, 0, 0, 0x11223344));
  assert.deepEqual(insns[2], EXIT);
  assert.equal(lddwValue(insns[0]!, insns[1]!), 0x1122334455667788n);
  assert.equal(lddwValue(I(LDDW, 0, 0, 0, -1), I(0, 0, 0, 0, -1)), 0xffff_ffff_ffff_ffffn);
});

/* ------------------------------------------------------------------ checkInsns */

type CheckCase = [
  name: string,
  insns: Insn[],
  code: InsnError['code'],
  index: number,
  field: keyof Insn | null,
];

const CHECK_ERRORS: CheckCase[] = [
  ['no instruction', [], 'E_EMPTY', 0, null],
  ['unknown opcode 0xff', [I(0xff), EXIT], 'E_OPCODE', 0, 'code'],
  ['class LD other than lddw', [I(0x00), EXIT], 'E_OPCODE', 0, 'code'],
  ['legacy BPF_ABS load', [I(0x20), EXIT], 'E_OPCODE', 0, 'code'],
  ['dst r11', [I(0xb7, 11), EXIT], 'E_REGISTER', 0, 'dst'],
  ['src r12 of add64 reg', [I(0x0f, 0, 12), EXIT], 'E_REGISTER', 0, 'src'],
  ['src r11 of ldxdw', [I(0x79, 0, 11), EXIT], 'E_REGISTER', 0, 'src'],
  ['second slot at fault', [I(0xb7, 0, 0, 0, 1), I(0x95, 1)], 'E_RESERVED', 1, 'dst'],
  ['index counts lddw as two slots', [I(LDDW), I(0), I(0x95, 0, 0, 0, 7)], 'E_RESERVED', 2, 'imm'],
  ['lddw as the last slot', [EXIT, I(LDDW)], 'E_LDDW', 1, 'code'],
  ['lddw second slot with a code', [I(LDDW), I(0x95), EXIT], 'E_LDDW', 1, 'code'],
  ['lddw second slot with an off', [I(LDDW), I(0, 0, 0, 1), EXIT], 'E_LDDW', 1, 'off'],
  ['lddw pseudo src 7', [I(LDDW, 0, 7), I(0), EXIT], 'E_RESERVED', 0, 'src'],
  ['add64 imm with off', [I(0x07, 0, 0, 1), EXIT], 'E_RESERVED', 0, 'off'],
  ['add32 reg with imm', [I(0x0c, 0, 1, 0, 1), EXIT], 'E_RESERVED', 0, 'imm'],
  ['sdiv off 2', [I(0x37, 0, 0, 2, 1), EXIT], 'E_RESERVED', 0, 'off'],
  ['movsx32 off 32 (64-bit only)', [I(0xbc, 0, 1, 32), EXIT], 'E_RESERVED', 0, 'off'],
  ['neg with a source bit', [I(0x8f), EXIT], 'E_OPCODE', 0, 'code'],
  ['byte swap of 8 bits', [I(0xd4, 0, 0, 0, 8), EXIT], 'E_RESERVED', 0, 'imm'],
  ['bswap with the source bit (ALU64)', [I(0xdf, 0, 0, 0, 16), EXIT], 'E_OPCODE', 0, 'code'],
  ['ja with imm', [I(0x05, 0, 0, 0, 1), EXIT], 'E_RESERVED', 0, 'imm'],
  ['gotol with off', [I(0x06, 0, 0, 1), EXIT], 'E_RESERVED', 0, 'off'],
  ['call src 3', [I(0x85, 0, 3), EXIT], 'E_RESERVED', 0, 'src'],
  ['helper call with off', [I(0x85, 0, 0, 1, 5), EXIT], 'E_RESERVED', 0, 'off'],
  ['local call with off', [I(0x85, 0, 1, 1, 0), EXIT], 'E_RESERVED', 0, 'off'],
  ['callx with imm', [I(0x8d, 1, 0, 0, 1), EXIT], 'E_RESERVED', 0, 'imm'],
  ['call in class JMP32', [I(0x86), EXIT], 'E_OPCODE', 0, 'code'],
  ['may_goto with src 1', [I(0xe5, 0, 1), EXIT], 'E_RESERVED', 0, 'src'],
  ['jeq imm with src', [I(0x15, 0, 1), EXIT], 'E_RESERVED', 0, 'src'],
  ['unknown jump op 0xf0', [I(0xf5), EXIT], 'E_OPCODE', 0, 'code'],
  ['ldxdw with imm', [I(0x79, 0, 1, 0, 1), EXIT], 'E_RESERVED', 0, 'imm'],
  ['sign-extending 8-byte load', [I(0x99, 0, 1), EXIT], 'E_OPCODE', 0, 'code'],
  ['stw with src', [I(0x62, 10, 1), EXIT], 'E_RESERVED', 0, 'src'],
  ['atomic of 2 bytes', [I(0xcb, 10, 1), EXIT], 'E_OPCODE', 0, 'code'],
  ['atomic op 0x10 (sub)', [I(0xdb, 10, 1, -8, 0x10), EXIT], 'E_RESERVED', 0, 'imm'],
  // Objects built in JS: every field must be an integer of its width (a NaN off once reached the JIT).
  ['off NaN', [{ ...I(0x7b, 10, 1), off: Number.NaN }, EXIT], 'E_FIELD', 0, 'off'],
  ['off null', [{ ...I(0x7b, 10, 1), off: null as unknown as number }, EXIT], 'E_FIELD', 0, 'off'],
  ['off 0x8000', [I(0x7b, 10, 1, 0x8000), EXIT], 'E_FIELD', 0, 'off'],
  ['imm 2^31', [I(0xb7, 0, 0, 0, 2 ** 31), EXIT], 'E_FIELD', 0, 'imm'],
  ['imm 1.5', [I(0xb7, 0, 0, 0, 1.5), EXIT], 'E_FIELD', 0, 'imm'],
  ['code 256', [I(0x195), EXIT], 'E_FIELD', 0, 'code'],
  ['dst -1', [I(0xb7, -1), EXIT], 'E_FIELD', 0, 'dst'],
  [
    'lddw second slot imm a string',
    [I(LDDW), { ...I(0), imm: '1' as unknown as number }, EXIT],
    'E_FIELD',
    1,
    'imm',
  ],
];

test('checkInsns rejects each malformed slot with its code, index and field', () => {
  for (const [name, insns, code, index, field] of CHECK_ERRORS) {
    assert.throws(
      () => checkInsns(insns),
      (e: unknown) => {
        assert.ok(e instanceof InsnError, `${name}: expected InsnError, got ${String(e)}`);
        assert.deepEqual(
          { code: e.code, index: e.index, field: e.field },
          { code, index, field },
          `${name}: ${e.message}`,
        );
        assert.ok(e.message.startsWith(`insn ${index}: `), `${name}: message '${e.message}' names the index`);
        return true;
      },
    );
  }
});

test('checkInsns admits the variants that off and imm select', () => {
  const ok: [string, Insn[]][] = [
    ['sdiv64 / smod32', [I(0x37, 0, 0, 1, 3), I(0x94, 0, 0, 1, 3), EXIT]],
    ['movsx64 8/16/32, movsx32 8/16', [I(0xbf, 0, 1, 8), I(0xbf, 0, 1, 32), I(0xbc, 0, 1, 16), EXIT]],
    ['be16/le64/bswap32', [I(0xdc, 0, 0, 0, 16), I(0xd4, 0, 0, 0, 64), I(0xd7, 0, 0, 0, 32), EXIT]],
    ['lddw pseudo map fd', [I(LDDW, 1, 1, 0, 3), I(0), EXIT]],
    [
      'call helper, local, kfunc (off = module BTF fd index); callx r2',
      [I(0x85, 0, 0, 0, 5), I(0x85, 0, 1, 0, 0), I(0x85, 0, 2), I(0x85, 0, 2, 1, 7), I(0x8d, 2), EXIT],
    ],
    ['may_goto, gotol', [I(0xe5, 0, 0, 0), I(0x06, 0, 0, 0, 0), EXIT]],
    [
      'atomic fetch add, xchg, cmpxchg',
      [I(0xdb, 10, 1, -8, 1), I(0xc3, 10, 1, -8, 0xe1), I(0xdb, 10, 1, -8, 0xf1), EXIT],
    ],
  ];
  for (const [name, insns] of ok) assert.doesNotThrow(() => checkInsns(insns), name);
});

/* ------------------------------------------------------------------ conformance negatives */

/** `unused-<insn>-<field>.data`: the field the file's name says is non-zero. */
const FIELD_OF: Readonly<Record<string, keyof Insn>> = { offset: 'off', src: 'src', dst: 'dst', imm: 'imm' };

test('every negative/unused-*.data is rejected at load on the field its name says', () => {
  const files = readdirSync(NEGATIVE).filter((f) => f.startsWith('unused-') && f.endsWith('.data'));
  assert.ok(files.length >= 40, `only ${files.length} unused-*.data files in ${NEGATIVE}`);
  for (const f of files) {
    const field = FIELD_OF[/-([a-z]+)\.data$/.exec(f)![1]!];
    assert.ok(field !== undefined, `${f}: no field in the name`);
    const data = parseConformanceData(readFileSync(join(NEGATIVE, f), 'utf8'));
    assert.ok(data.raw !== null && data.raw.length === 2, `${f}: expected two raw slots`);
    assert.throws(
      () => checkInsns(data.raw!),
      (e: unknown) =>
        e instanceof InsnError &&
        e.index === 0 &&
        e.field === field &&
        (e.code === 'E_RESERVED' || e.code === 'E_OPCODE'),
      `${f}: expected an InsnError on '${field}' of insn 0`,
    );
  }
});
