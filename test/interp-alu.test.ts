/**
 * The reference interpreter: ALU and jump semantics against an independent BigInt model over edge
 * values (a hand-written table anchors the model on the conformance README rules), the run loop's
 * case labels, and the 64-bit helpers on halves against BigInt on seeded random values.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Insn } from '../src/ebpf/insn.js';
import * as A from '../src/ebpf/interp-alu64.js';
import * as OPS from '../src/ebpf/interp-ops.js';
import { repoRoot, xorshift32 } from './helpers.js';
import { EXIT, I, lddw, r0, u64 } from './interp-common.js';

/* ------------------------------------------------------------------ ALU: model and edge values */

const ALU_OPS: [name: string, op: number, off: number][] = [
  ['add', 0x00, 0],
  ['sub', 0x10, 0],
  ['mul', 0x20, 0],
  ['div', 0x30, 0],
  ['sdiv', 0x30, 1],
  ['or', 0x40, 0],
  ['and', 0x50, 0],
  ['lsh', 0x60, 0],
  ['rsh', 0x70, 0],
  ['mod', 0x90, 0],
  ['smod', 0x90, 1],
  ['xor', 0xa0, 0],
  ['mov', 0xb0, 0],
  ['arsh', 0xc0, 0],
];

/** The BPF result of `a op b` at width 32 or 64, from BigInt arithmetic (ALU32 zero-extends). */
function refAlu(name: string, w: 32 | 64, a: bigint, b: bigint): bigint {
  const ua = BigInt.asUintN(w, a);
  const ub = BigInt.asUintN(w, b);
  const sa = BigInt.asIntN(w, a);
  const sb = BigInt.asIntN(w, b);
  const n = ub & BigInt(w - 1);
  const r: Record<string, () => bigint> = {
    add: () => ua + ub,
    sub: () => ua - ub,
    mul: () => ua * ub,
    div: () => (ub === 0n ? 0n : ua / ub),
    sdiv: () => (sb === 0n ? 0n : sa / sb),
    or: () => ua | ub,
    and: () => ua & ub,
    lsh: () => ua << n,
    rsh: () => ua >> n,
    mod: () => (ub === 0n ? ua : ua % ub),
    smod: () => (sb === 0n ? sa : sa % sb),
    xor: () => ua ^ ub,
    mov: () => ub,
    arsh: () => sa >> n,
    neg: () => -sa,
  };
  return BigInt.asUintN(w, r[name]!());
}

/** Edge values: small, around 2^31, 2^32, 2^53, 2^63, and negatives (-1, -2, -7, INT32_MIN, -2^53). */
const EDGE64: bigint[] = `0 1 2 3 7 0x7fffffff 0x80000000 0xffffffff 0x100000000 0x1fffffffffffff
  0x20000000000000 0x7fffffffffffffff 0x8000000000000000 0xffffffffffffffff 0xfffffffffffffffe
  0xfffffffffffffff9 0xffffffff80000000 0xffe0000000000000 0x123456789abcdef0 0xfedcba9876543210`
  .split(/\s+/)
  .map((t) => BigInt(t));
const IMMS = [0, 1, -1, 2, 7, -7, 31, 32, 33, 63, 64, 65, 0x7fff_ffff, -0x8000_0000, 0x1234_5678];

test('every ALU64/ALU32 operation, register and immediate forms, matches the BigInt model on edge values', () => {
  let checked = 0;
  for (const [name, op, off] of ALU_OPS) {
    for (const is64 of [true, false]) {
      const cls = is64 ? 0x07 : 0x04;
      const w = is64 ? 64 : 32;
      for (const a of EDGE64) {
        for (const b of EDGE64) {
          const got = r0([...lddw(0, a), ...lddw(1, b), I(cls | op | 0x08, 0, 1, off), EXIT]);
          assert.equal(
            got,
            refAlu(name, w, a, b),
            `${name}${w} reg 0x${a.toString(16)}, 0x${b.toString(16)}`,
          );
          checked++;
        }
        for (const k of IMMS) {
          const got = r0([...lddw(0, a), I(cls | op, 0, 0, off, k), EXIT]);
          assert.equal(got, refAlu(name, w, a, BigInt(k)), `${name}${w} imm 0x${a.toString(16)}, ${k}`);
          checked++;
        }
      }
    }
  }
  for (const a of EDGE64) {
    assert.equal(r0([...lddw(0, a), I(0x87), EXIT]), refAlu('neg', 64, a, 0n), `neg64 0x${a.toString(16)}`);
    assert.equal(r0([...lddw(0, a), I(0x84), EXIT]), refAlu('neg', 32, a, 0n), `neg32 0x${a.toString(16)}`);
  }
  assert.ok(checked > 15000);
});

/** Hand-computed anchors of the model, the rules the conformance README pins down. */
const ALU_RULES: [rule: string, asm: string, want: bigint][] = [
  ['div64 by zero is 0', 'mov %r0, 5\nmov %r1, 0\ndiv %r0, %r1', 0n],
  ['mod64 by zero leaves dst', 'mov %r0, 5\nmov %r1, 0\nmod %r0, %r1', 5n],
  [
    'mod32 by zero keeps the low half, zero-extended',
    'lddw %r0, 0x100000005\nmov %r1, 0\nmod32 %r0, %r1',
    5n,
  ],
  ['div32 by zero is 0', 'mov %r0, -1\ndiv32 %r0, 0', 0n],
  ['INT64_MIN sdiv -1 is INT64_MIN', 'lddw %r0, 0x8000000000000000\nsdiv %r0, -1', 0x8000_0000_0000_0000n],
  ['INT64_MIN smod -1 is 0', 'lddw %r0, 0x8000000000000000\nsmod %r0, -1', 0n],
  ['INT32_MIN sdiv32 -1 is INT32_MIN, zero-extended', 'mov32 %r0, 0x80000000\nsdiv32 %r0, -1', 0x8000_0000n],
  ['sdiv truncates toward zero', 'mov %r0, -7\nsdiv %r0, 2', u64(-3n)],
  ['smod takes the sign of the dividend', 'mov %r0, -7\nsmod %r0, 2', u64(-1n)],
  [
    'div64 by a negative imm divides by its u64 sign extension',
    'lddw %r0, 0xfffffffffffffff0\ndiv %r0, -2',
    0n,
  ],
  ['lsh64 by 65 shifts by 1', 'mov %r0, 1\nmov %r1, 65\nlsh %r0, %r1', 2n],
  ['lsh32 by 33 shifts by 1', 'mov %r0, 1\nmov %r1, 33\nlsh32 %r0, %r1', 2n],
  ['arsh32 sign-fills 32 bits and zero-extends', 'mov32 %r0, 0x80000000\narsh32 %r0, 4', 0xf800_0000n],
  ['arsh64 sign-fills 64 bits', 'lddw %r0, 0x8000000000000000\narsh %r0, 63', u64(-1n)],
  ['mov32 -1 zero-extends', 'mov32 %r0, -1', 0xffff_ffffn],
  ['mov -1 sign-extends', 'mov %r0, -1', u64(-1n)],
  ['add32 wraps and zero-extends', 'lddw %r0, 0xffffffffffffffff\nadd32 %r0, 1', 0n],
  ['add64 carries into the high half', 'mov32 %r0, 0xffffffff\nadd %r0, 1', 0x1_0000_0000n],
  ['sub64 borrows from the high half', 'lddw %r0, 0x100000000\nsub %r0, 1', 0xffff_ffffn],
  ['mul64 keeps the low 64 bits', 'mov %r0, -1\nmov %r1, -1\nmul %r0, %r1', 1n],
  ['neg32 of INT32_MIN', 'mov32 %r0, 0x80000000\nneg32 %r0', 0x8000_0000n],
  ['movsx864', 'mov %r1, 0x80\nmovsx864 %r0, %r1', u64(-0x80n)],
  ['movsx832 zero-extends the 32-bit result', 'mov %r1, 0x1ff\nmovsx832 %r0, %r1', 0xffff_ffffn],
  ['movsx1664', 'mov %r1, 0x8000\nmovsx1664 %r0, %r1', u64(-0x8000n)],
  ['movsx1632', 'mov %r1, 0x7fff\nmovsx1632 %r0, %r1', 0x7fffn],
  ['movsx3264', 'mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1', u64(-0x8000_0000n)],
  ['be16', 'lddw %r0, 0x1122334455667788\nbe16 %r0', 0x8877n],
  ['be32', 'lddw %r0, 0x1122334455667788\nbe32 %r0', 0x8877_6655n],
  ['be64', 'lddw %r0, 0x1122334455667788\nbe64 %r0', 0x8877_6655_4433_2211n],
  ['le16 truncates', 'lddw %r0, 0x1122334455667788\nle16 %r0', 0x7788n],
  ['le32 truncates', 'lddw %r0, 0x1122334455667788\nle32 %r0', 0x5566_7788n],
  ['le64 keeps', 'lddw %r0, 0x1122334455667788\nle64 %r0', 0x1122_3344_5566_7788n],
  ['bswap16', 'lddw %r0, 0x1122334455667788\nbswap16 %r0', 0x8877n],
  ['bswap32', 'lddw %r0, 0x1122334455667788\nbswap32 %r0', 0x8877_6655n],
  ['bswap64', 'lddw %r0, 0x1122334455667788\nbswap64 %r0', 0x8877_6655_4433_2211n],
];

test('ALU rules of the conformance README hold, hand-computed', () => {
  for (const [rule, asm, want] of ALU_RULES) assert.equal(r0(`${asm}\nexit`), want, rule);
});

/* ------------------------------------------------------------------ jumps */

const JMP_OPS: [name: string, op: number][] = [
  ['jeq', 0x10],
  ['jgt', 0x20],
  ['jge', 0x30],
  ['jset', 0x40],
  ['jne', 0x50],
  ['jsgt', 0x60],
  ['jsge', 0x70],
  ['jlt', 0xa0],
  ['jle', 0xb0],
  ['jslt', 0xc0],
  ['jsle', 0xd0],
];

function refJmp(name: string, w: 32 | 64, a: bigint, b: bigint): boolean {
  const [ua, ub, sa, sb] = [
    BigInt.asUintN(w, a),
    BigInt.asUintN(w, b),
    BigInt.asIntN(w, a),
    BigInt.asIntN(w, b),
  ];
  const r: Record<string, boolean> = {
    jeq: ua === ub,
    jgt: ua > ub,
    jge: ua >= ub,
    jset: (ua & ub) !== 0n,
    jne: ua !== ub,
    jsgt: sa > sb,
    jsge: sa >= sb,
    jlt: ua < ub,
    jle: ua <= ub,
    jslt: sa < sb,
    jsle: sa <= sb,
  };
  return r[name]!;
}

test('every JMP/JMP32 condition, register and immediate forms, matches the BigInt model (hi then lo)', () => {
  const taken = (cmp: Insn, pre: Insn[]): bigint =>
    r0([...pre, I(0xb7, 0, 0, 0, 0), cmp, EXIT, I(0xb7, 0, 0, 0, 1), EXIT]);
  for (const [name, op] of JMP_OPS) {
    for (const is32 of [false, true]) {
      const cls = is32 ? 0x06 : 0x05;
      const w = is32 ? 32 : 64;
      for (const a of EDGE64) {
        for (const b of EDGE64) {
          const got = taken(I(cls | op | 0x08, 1, 2, 1), [...lddw(1, a), ...lddw(2, b)]);
          assert.equal(
            got,
            refJmp(name, w, a, b) ? 1n : 0n,
            `${name}${w} reg 0x${a.toString(16)}, 0x${b.toString(16)}`,
          );
        }
        for (const k of IMMS) {
          const got = taken(I(cls | op, 1, 0, 1, k), lddw(1, a));
          assert.equal(
            got,
            refJmp(name, w, a, BigInt(k)) ? 1n : 0n,
            `${name}${w} imm 0x${a.toString(16)}, ${k}`,
          );
        }
      }
    }
  }
});

test('ja, gotol (ja32) and backward jumps go where their offsets say', () => {
  assert.equal(r0('mov %r0, 1\nja +1\nmov %r0, 2\nexit'), 1n);
  assert.equal(r0('mov %r0, 1\nja32 +1\nmov %r0, 2\nexit'), 1n);
  assert.equal(r0('mov %r0, 0\nmov %r1, 5\nloop:\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, loop\nexit'), 15n);
  // Offsets count lddw as two slots.
  assert.equal(r0('ja +2\nlddw %r0, 7\nexit'), 0n);
});

/* ------------------------------------------------------------------ the run loop's labels */

test('every case label of the run loop is the number of the operation it names', () => {
  const src = readFileSync(join(repoRoot(), 'src', 'ebpf', 'interp-run.ts'), 'utf8');
  const labels = [...src.matchAll(/case \/\* (OP_\w+) \*\/ (\d+):/g)].map(
    (m) => [m[1]!, Number(m[2])] as const,
  );
  const table = OPS as unknown as Record<string, number>;
  for (const [name, n] of labels) assert.equal(table[name], n, `${name} is ${table[name]}, labelled ${n}`);
  const names = labels.map(([name]) => name).sort();
  const want = Object.keys(table)
    .filter((k) => k !== 'OP_COUNT' && k !== 'OP_INVALID')
    .sort();
  assert.deepEqual(names, want, 'each operation has exactly one case');
  assert.equal(table.OP_COUNT, Object.keys(table).length - 1);
});

/* ------------------------------------------------------------------ 64-bit helpers vs BigInt */

test('64-bit arithmetic on halves equals BigInt on seeded random values', () => {
  const next = xorshift32(0x5eed_64);
  const pick = (): bigint => {
    const hi = next();
    const lo = next();
    switch (next() % 6) {
      case 0:
        return BigInt(lo); // fits in 32 bits
      case 1:
        return (BigInt(hi & 0x1f_ffff) << 32n) | BigInt(lo); // fits in 53 bits
      case 2:
        return u64(-((BigInt(hi & 0x1f_ffff) << 32n) | BigInt(lo))); // negative, 53 bits
      case 3:
        return EDGE64[next() % EDGE64.length]!;
      default:
        return (BigInt(hi) << 32n) | BigInt(lo);
    }
  };
  const halves = (v: bigint): [number, number] => [
    Number(BigInt.asIntN(32, v)),
    Number(BigInt.asIntN(32, v >> 32n)),
  ];
  const T = new Int32Array(2);
  const got = (): bigint => (BigInt(T[1]! >>> 0) << 32n) | BigInt(T[0]! >>> 0);
  const s = (v: bigint): bigint => BigInt.asIntN(64, v);
  const binary: [
    string,
    (al: number, ah: number, bl: number, bh: number, o: Int32Array) => void,
    (a: bigint, b: bigint) => bigint,
  ][] = [
    ['add64', A.add64, (a, b) => a + b],
    ['sub64', A.sub64, (a, b) => a - b],
    ['mul64', A.mul64, (a, b) => a * b],
    ['udiv64', A.udiv64, (a, b) => (b === 0n ? 0n : a / b)],
    ['umod64', A.umod64, (a, b) => (b === 0n ? a : a % b)],
    ['sdiv64', A.sdiv64, (a, b) => (b === 0n ? 0n : s(a) / s(b))],
    ['smod64', A.smod64, (a, b) => (b === 0n ? a : s(a) % s(b))],
  ];
  for (let i = 0; i < 20000; i++) {
    const a = pick();
    const b = i % 97 === 0 ? 0n : pick();
    const [al, ah] = halves(a);
    const [bl, bh] = halves(b);
    for (const [name, f, ref] of binary) {
      f(al, ah, bl, bh, T);
      assert.equal(got(), u64(ref(a, b)), `${name}(0x${a.toString(16)}, 0x${b.toString(16)})`);
    }
    const n = Number(b & 63n);
    A.lsh64(al, ah, n, T);
    assert.equal(got(), u64(a << BigInt(n)), `lsh64 ${n}`);
    A.rsh64(al, ah, n, T);
    assert.equal(got(), a >> BigInt(n), `rsh64 ${n}`);
    A.arsh64(al, ah, n, T);
    assert.equal(got(), u64(s(a) >> BigInt(n)), `arsh64 ${n}`);
    A.neg64(al, ah, T);
    assert.equal(got(), u64(-a), 'neg64');
    assert.equal(A.ult64(al, ah, bl, bh), a < b, `ult64 0x${a.toString(16)} 0x${b.toString(16)}`);
    assert.equal(A.slt64(al, ah, bl, bh), s(a) < s(b), `slt64 0x${a.toString(16)} 0x${b.toString(16)}`);
  }
});
