import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  TNUM_UNKNOWN,
  type Tnum,
  tnum,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap,
  tnumCast,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumContains,
  tnumIn,
  tnumIntersect,
  tnumIsAligned,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumRange,
  tnumRshift,
  tnumSbin,
  tnumStr,
  tnumSub,
  tnumSubreg,
  tnumUnion,
  tnumWithSubreg,
  tnumXor,
  U64_MAX,
} from '../src/ebpf/verifier/tnum.js';
import { Gen } from './verifier-common.js';

const T = (value: bigint, mask: bigint): Tnum => ({ value, mask });
const C = tnumConst;
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

describe('tnum operations on hand-checked cases', () => {
  const cases: [string, Tnum, Tnum][] = [
    ['range [0,0] is the constant 0', tnumRange(0n, 0n), C(0n)],
    ['range [0,7] knows the bits above bit 2', tnumRange(0n, 7n), T(0n, 7n)],
    ['range [4,5] keeps bit 2', tnumRange(4n, 5n), T(4n, 1n)],
    ['range [8,16] spans five low bits', tnumRange(8n, 16n), T(0n, 31n)],
    ['range over the whole space is unknown', tnumRange(0n, U64_MAX), TNUM_UNKNOWN],
    ['range [2^63, max] keeps the sign bit', tnumRange(1n << 63n, U64_MAX), T(1n << 63n, (1n << 63n) - 1n)],
    ['const + const', tnumAdd(C(40n), C(2n)), C(42n)],
    ['add wraps', tnumAdd(C(U64_MAX), C(2n)), C(1n)],
    ['{0,1} + {0,1} carries', tnumAdd(T(0n, 1n), T(0n, 1n)), T(0n, 3n)],
    ['{0,1} + 2 stays exact', tnumAdd(T(0n, 1n), C(2n)), T(2n, 1n)],
    ['sub wraps below zero', tnumSub(C(1n), C(2n)), C(U64_MAX)],
    ['{0,1} - 1 borrows through every bit', tnumSub(T(0n, 1n), C(1n)), TNUM_UNKNOWN],
    ['neg of a constant', tnumNeg(C(5n)), C(u64(-5n))],
    ['and with a constant masks', tnumAnd(T(0n, 0xffn), C(0x0fn)), T(0n, 0x0fn)],
    ['and keeps known ones', tnumAnd(T(0xf0n, 0x0fn), C(0x3cn)), T(0x30n, 0x0cn)],
    ['or sets known ones', tnumOr(T(0n, 0xffn), C(0x0fn)), T(0x0fn, 0xf0n)],
    ['xor of knowns', tnumXor(C(0xf0n), C(0xffn)), C(0x0fn)],
    ['xor with unknown bits', tnumXor(T(0x10n, 0x01n), C(0x11n)), T(0x00n, 0x01n)],
    ['mul of constants', tnumMul(C(6n), C(7n)), C(42n)],
    ['mul {0,1} * 3', tnumMul(T(0n, 1n), C(3n)), T(0n, 3n)],
    ['mul by a power of two shifts', tnumMul(T(0n, 3n), C(4n)), T(0n, 12n)],
    ['lshift drops high bits', tnumLshift(T(1n << 63n, 1n), 1), T(0n, 2n)],
    ['rshift is logical', tnumRshift(T(1n << 63n, 1n), 63), C(1n)],
    ['arshift 64 copies the sign', tnumArshift(C(1n << 63n), 4, 64), C(0xf8n << 56n)],
    ['arshift 64 copies an unknown sign', tnumArshift(T(0n, 1n << 63n), 62, 64), T(0n, U64_MAX - 1n)],
    ['arshift 32 works on the low word', tnumArshift(C(0x80000000n), 4, 32), C(0xf8000000n)],
    ['arshift 32 ignores the high word', tnumArshift(C(0xffff_ffff_0000_0010n), 4, 32), C(1n)],
    ['intersect of overlapping tnums', tnumIntersect(T(0n, 0xffn), T(0x0fn, 0xf0n)), T(0x0fn, 0xf0n)],
    ['union of 4 and 5', tnumUnion(C(4n), C(5n)), T(4n, 1n)],
    ['union keeps both masks', tnumUnion(T(0n, 2n), T(8n, 1n)), T(0n, 11n)],
    ['cast to 1 byte', tnumCast(T(0x1234n, 0xf00fn), 1), T(0x34n, 0x0fn)],
    ['cast to 8 bytes is the identity', tnumCast(T(0x1234n, 0xf00fn), 8), T(0x1234n, 0xf00fn)],
    ['subreg keeps the low word', tnumSubreg(T(0x1_0000_0002n, 0x1_0000_0001n)), T(2n, 1n)],
    [
      'clear_subreg zeroes the low word',
      tnumClearSubreg(T(0x1_0000_0002n, 0x2_0000_0001n)),
      T(0x1_0000_0000n, 0x2_0000_0000n),
    ],
    [
      'with_subreg joins high and low words',
      tnumWithSubreg(C(0x5_0000_0000n), T(0x9_0000_0007n, 8n)),
      T(0x5_0000_0007n, 8n),
    ],
    [
      'const_subreg sets a known low word',
      tnumConstSubreg(TNUM_UNKNOWN, 0x1234n),
      T(0x1234n, U64_MAX ^ 0xffffffffn),
    ],
    ['bswap 16', tnumBswap(T(0x1234n, 0x00f0n), 2), T(0x3412n, 0xf000n)],
    ['bswap 64', tnumBswap(C(0x0102030405060708n), 8), C(0x0807060504030201n)],
    ['tnum() canonicalises the value', tnum(0xffn, 0x0fn), T(0xf0n, 0x0fn)],
  ];
  for (const [name, got, want] of cases) {
    it(name, () => assert.deepEqual(got, want));
  }

  it('is_aligned looks at the bits that may be set', () => {
    assert.equal(tnumIsAligned(T(8n, 0x30n), 8n), true);
    assert.equal(tnumIsAligned(T(8n, 0x34n), 8n), false);
    assert.equal(tnumIsAligned(T(9n, 0n), 1n), true);
    assert.equal(tnumIsAligned(T(9n, 0n), 0n), true);
  });

  it('in is the subset relation', () => {
    assert.equal(tnumIn(T(0n, 0xffn), C(0x42n)), true);
    assert.equal(tnumIn(T(0n, 0xffn), C(0x142n)), false);
    assert.equal(tnumIn(C(0x42n), T(0x40n, 2n)), false);
    assert.equal(tnumIn(TNUM_UNKNOWN, T(0x40n, 2n)), true);
    assert.equal(tnumIn(T(0x100n, 0xffn), T(0x140n, 0x0fn)), true);
  });

  it('sbin prints 64 digits with x for unknown bits, str prints value and mask', () => {
    assert.equal(tnumSbin(T(0b1010n, 0b0101n)), `${'0'.repeat(60)}1x1x`);
    assert.equal(tnumSbin(TNUM_UNKNOWN), 'x'.repeat(64));
    assert.equal(tnumStr(T(0x10n, 0x3n)), '(0x10; 0x3)');
    assert.equal(tnumStr(C(0n)), '(0; 0)');
  });
});

describe('tnum operations are sound on random members', () => {
  const g = new Gen(7);
  const N = 600;
  const binary: [string, (a: Tnum, b: Tnum) => Tnum, (x: bigint, y: bigint) => bigint][] = [
    ['add', tnumAdd, (x, y) => u64(x + y)],
    ['sub', tnumSub, (x, y) => u64(x - y)],
    ['and', tnumAnd, (x, y) => x & y],
    ['or', tnumOr, (x, y) => x | y],
    ['xor', tnumXor, (x, y) => x ^ y],
    ['mul', tnumMul, (x, y) => u64(x * y)],
    ['union', tnumUnion, (x) => x],
  ];
  for (const [name, f, conc] of binary) {
    it(`${name}: op(x, y) is a member of op(a, b)`, () => {
      for (let i = 0; i < N; i++) {
        const x = g.u64();
        const y = g.u64();
        const a = g.tnumOf(x);
        const b = g.tnumOf(y);
        const r = f(a, b);
        assert.ok(
          tnumContains(r, conc(x, y)),
          `${name} ${tnumStr(a)} ${tnumStr(b)} x=${x} y=${y} -> ${tnumStr(r)}`,
        );
        if (name === 'union') assert.ok(tnumContains(r, y) && tnumIn(r, a) && tnumIn(r, b));
      }
    });
  }

  it('unary ops, shifts, casts and subregister ops keep their members', () => {
    for (let i = 0; i < N; i++) {
      const x = g.u64();
      const a = g.tnumOf(x);
      const k = g.int(64);
      const k32 = k & 31;
      const lo = x & 0xffffffffn;
      const size = [1, 2, 4, 8][g.int(4)] ?? 8;
      const checks: [string, Tnum, bigint][] = [
        ['neg', tnumNeg(a), u64(-x)],
        ['lshift', tnumLshift(a, k), u64(x << BigInt(k))],
        ['rshift', tnumRshift(a, k), x >> BigInt(k)],
        ['arshift64', tnumArshift(a, k, 64), u64(BigInt.asIntN(64, x) >> BigInt(k))],
        ['arshift32', tnumArshift(a, k32, 32), BigInt.asUintN(32, BigInt.asIntN(32, lo) >> BigInt(k32))],
        ['cast', tnumCast(a, size), BigInt.asUintN(size * 8, x)],
        ['subreg', tnumSubreg(a), lo],
        ['clear_subreg', tnumClearSubreg(a), x - lo],
        ['bswap', tnumBswap(a, size), bswap(x, size)],
      ];
      for (const [name, r, want] of checks) assert.ok(tnumContains(r, want), `${name} ${tnumStr(a)} x=${x}`);
    }
  });

  it('range holds its interval, intersect holds common members, in agrees with membership', () => {
    for (let i = 0; i < N; i++) {
      const x = g.u64();
      const y = g.u64();
      const [lo, hi] = x < y ? [x, y] : [y, x];
      const r = tnumRange(lo, hi);
      assert.ok(tnumContains(r, lo) && tnumContains(r, hi), `range ${lo} ${hi}`);
      const a = g.tnumOf(x);
      const b = g.tnumOf(x);
      assert.ok(tnumContains(tnumIntersect(a, b), x));
      const member = u64(b.value | (g.raw() & b.mask));
      if (tnumIn(a, b)) assert.ok(tnumContains(a, member));
      assert.equal(tnumIn(a, C(member)), tnumContains(a, member));
      const sub = g.tnumOf(y);
      assert.ok(tnumContains(tnumWithSubreg(a, sub), (x & ~0xffffffffn) | (y & 0xffffffffn)));
    }
  });
});

function bswap(x: bigint, size: number): bigint {
  let r = 0n;
  for (let i = 0; i < size; i++) r = (r << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
  return r;
}
