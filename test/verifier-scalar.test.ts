import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boundsSync,
  constValue,
  isConst,
  S64_MAX,
  S64_MIN,
  type Scalar,
  s32,
  scalarConst,
  scalarContains,
  scalarIsSane,
  scalarStr,
  scalarUnknown,
  U32_MAX,
  U64_MAX,
  u32,
  u64,
} from '../src/ebpf/verifier/scalar.js';
import {
  scalarAlu,
  scalarEnd,
  scalarMov,
  scalarMovImm,
  scalarMovsx,
  scalarNeg,
} from '../src/ebpf/verifier/scalar-alu.js';
import { branchRefine, branchTaken } from '../src/ebpf/verifier/scalar-branch.js';
import { tnum, tnumConst } from '../src/ebpf/verifier/tnum.js';
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LSH,
  BPF_MOD,
  BPF_MUL,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
} from '../src/uapi/bpf.js';
import { BINARY_OPS, concreteAlu, Gen } from './verifier-common.js';

/** An unknown scalar with some bounds set, synchronised. */
function st(p: Partial<Scalar>): Scalar {
  const r = { ...scalarUnknown(), ...p };
  boundsSync(r);
  return r;
}
const K = scalarConst;

describe('scalar bounds synchronisation', () => {
  it('an unsigned upper bound below 2^63 gives signed bounds, a tnum and 32-bit bounds', () => {
    const r = st({ umax: 10n });
    assert.deepEqual([r.smin, r.smax, r.umin, r.umax], [0n, 10n, 0n, 10n]);
    assert.deepEqual([r.u32min, r.u32max, r.s32min, r.s32max], [0n, 10n, 0n, 10n]);
    assert.deepEqual(r.varOff, tnum(0n, 15n));
  });
  it('a negative signed range gives the matching unsigned range', () => {
    const r = st({ smin: -5n, smax: -1n });
    assert.deepEqual([r.umin, r.umax], [u64(-5n), U64_MAX]);
    assert.deepEqual([r.s32min, r.s32max], [-5n, -1n]);
  });
  it('a tnum bounds the ranges', () => {
    const r = st({ varOff: tnum(0x100n, 0xffn) });
    assert.deepEqual([r.umin, r.umax, r.smin, r.smax], [0x100n, 0x1ffn, 0x100n, 0x1ffn]);
  });
  it('32-bit bounds with a known-zero high word become 64-bit bounds', () => {
    const r = st({ varOff: tnum(0n, U32_MAX), u32min: 3n, u32max: 9n });
    assert.deepEqual([r.umin, r.umax, r.smin, r.smax], [3n, 9n, 3n, 9n]);
    assert.deepEqual(r.varOff, tnum(0n, 15n));
  });
  it('a wrapping signed range and an unsigned range meeting one half of it narrow each other (64 and 32 bits)', () => {
    const r = st({ smin: -10n, smax: 10n, umin: 5n, umax: (1n << 63n) + 5n });
    assert.deepEqual([r.smin, r.smax, r.umin, r.umax], [5n, 10n, 5n, 10n]);
    const n = st({ smin: -10n, smax: 10n, umin: u64(-20n) });
    assert.deepEqual([n.smin, n.smax, n.umin], [-10n, -1n, u64(-10n)]);
    const h = st({ s32min: -10n, s32max: 10n, u32min: 5n, u32max: 0x8000_0005n });
    assert.deepEqual([h.s32min, h.s32max, h.u32min, h.u32max], [5n, 10n, 5n, 10n]);
  });
  it('a signed range crossing zero leaves the unsigned one alone', () => {
    const r = st({ smin: -1n, smax: 1n });
    assert.deepEqual([r.umin, r.umax], [0n, U64_MAX]);
    assert.deepEqual([r.s32min, r.s32max], [-1n, 1n]);
  });
  it('constants are known, print as numbers, and contain only themselves', () => {
    const r = K(-2n);
    assert.equal(isConst(r), true);
    assert.equal(constValue(r), u64(-2n));
    assert.equal(constValue(r, true), U32_MAX - 1n);
    assert.equal(scalarStr(r), '-2');
    assert.equal(scalarContains(r, u64(-2n)), true);
    assert.equal(scalarContains(r, 2n), false);
    assert.equal(
      scalarStr(st({ umax: 10n })),
      'scalar(smin=0,smax=10,umax=10,smin32=0,smax32=10,umax32=10,var_off=(0; 0xf))',
    );
  });
});

describe('scalar ALU transfer functions on hand-checked cases', () => {
  const cases: [string, Scalar, Partial<Scalar>][] = [
    ['const + const', scalarAlu(BPF_ADD, K(40n), K(2n), false), K(42n)],
    ['alu32 add wraps and zero-extends', scalarAlu(BPF_ADD, K(0xffffffffn), K(2n), true), K(1n)],
    [
      '[0,10] + [5,5]',
      scalarAlu(BPF_ADD, st({ umax: 10n }), K(5n), false),
      { umin: 5n, umax: 15n, smin: 5n, smax: 15n },
    ],
    [
      '[0,10] - 1 wraps the unsigned range',
      scalarAlu(BPF_SUB, st({ umax: 10n }), K(1n), false),
      { smin: -1n, smax: 9n, umin: 0n, umax: U64_MAX },
    ],
    [
      '[-2,-1] + 3: both unsigned ends wrap, the range survives',
      scalarAlu(BPF_ADD, st({ smin: -2n, smax: -1n }), K(3n), false),
      { umin: 1n, umax: 2n },
    ],
    [
      '[0,5] - [10,20]: both ends borrow, the range survives',
      scalarAlu(BPF_SUB, st({ umax: 5n }), st({ umin: 10n, umax: 20n }), false),
      { umin: u64(-20n), umax: u64(-5n) },
    ],
    [
      '[0,5] + unknown: only the top wraps, unsigned is lost',
      scalarAlu(BPF_ADD, st({ umax: 5n }), st({ umin: 2n }), false),
      { umin: 0n, umax: U64_MAX },
    ],
    [
      '[2,3] * [4,5]',
      scalarAlu(BPF_MUL, st({ umin: 2n, umax: 3n }), st({ umin: 4n, umax: 5n }), false),
      { umin: 8n, umax: 15n },
    ],
    [
      'unknown & 0xff',
      scalarAlu(BPF_AND, scalarUnknown(), K(0xffn), false),
      { umin: 0n, umax: 255n, varOff: tnum(0n, 0xffn) },
    ],
    ['unknown | 0x80', scalarAlu(BPF_OR, st({ umax: 0xffn }), K(0x80n), false), { umin: 0x80n, umax: 0xffn }],
    [
      '[0,255] << 4',
      scalarAlu(BPF_LSH, st({ umax: 255n }), K(4n), false),
      { umin: 0n, umax: 0xff0n, varOff: tnum(0n, 0xff0n) },
    ],
    ['unknown >> 60', scalarAlu(BPF_RSH, scalarUnknown(), K(60n), false), { umin: 0n, umax: 15n }],
    [
      '[-16,-1] s>> 2',
      scalarAlu(BPF_ARSH, st({ smin: -16n, smax: -1n }), K(2n), false),
      { smin: -4n, smax: -1n },
    ],
    [
      'alu32 [0,255] << 28: the bounds overflow, the tnum keeps them',
      scalarAlu(BPF_LSH, st({ umax: 255n }), K(28n), true),
      { umin: 0n, umax: 0xf0000000n },
    ],
    ['shift by 64 is unknown', scalarAlu(BPF_LSH, K(1n), K(64n), false), scalarUnknown()],
    [
      'shift by an unknown amount is unknown',
      scalarAlu(BPF_RSH, K(1n), st({ umax: 3n }), false),
      scalarUnknown(),
    ],
    ['div is not tracked', scalarAlu(BPF_DIV, K(10n), K(2n), false), scalarUnknown()],
    ['mod is not tracked', scalarAlu(BPF_MOD, K(10n), K(3n), true), scalarUnknown()],
    ['neg of [1,5]', scalarNeg(st({ umin: 1n, umax: 5n }), false), { smin: -5n, smax: -1n }],
    ['neg32 of 1 zero-extends', scalarNeg(K(1n), true), K(U32_MAX)],
    ['mov32 keeps the low word', scalarMov(K(0x1_0000_0005n), true), K(5n)],
    ['mov imm sign-extends', scalarMovImm(-1, false), K(U64_MAX)],
    ['mov32 imm zero-extends', scalarMovImm(-1, true), K(U32_MAX)],
    ['movsx8 of 0x80', scalarMovsx(K(0x80n), 8, false), K(u64(-128n))],
    [
      'movsx8 of [0,100] keeps it',
      scalarMovsx(st({ umax: 100n }), 8, false),
      { smin: 0n, smax: 100n, umax: 100n },
    ],
    [
      'movsx8 of [0,200] is the s8 range',
      scalarMovsx(st({ umax: 200n }), 8, false),
      { smin: -128n, smax: 127n },
    ],
    ['movsx32 16 of 0x8000 zero-extends', scalarMovsx(K(0x8000n), 16, true), K(0xffff8000n)],
    ['be16 swaps', scalarEnd(K(0x1234n), 16, true), K(0x3412n)],
    ['le32 truncates', scalarEnd(K(0x1_2345_6789n), 32, false), K(0x2345_6789n)],
    [
      'bswap64 of [0,255] puts the byte on top',
      scalarEnd(st({ umax: 255n }), 64, true),
      { varOff: tnum(0n, 0xffn << 56n) },
    ],
  ];
  for (const [name, got, want] of cases) {
    it(name, () => {
      const sub = Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof Scalar]]));
      assert.deepEqual(sub, want, scalarStr(got));
    });
  }
});

describe('scalar branches on hand-checked cases', () => {
  it('unknown > 10: umin 11 when taken, umax 10 when not', () => {
    const { taken, fallthrough } = branchRefine(scalarUnknown(), K(10n), BPF_JGT, false);
    assert.equal(taken?.a.umin, 11n);
    assert.equal(fallthrough?.a.umax, 10n);
    assert.equal(fallthrough?.a.smax, 10n);
  });
  it('constant comparisons are decided and keep only one edge', () => {
    assert.equal(branchTaken(K(3n), K(3n), BPF_JEQ, false), 1);
    const r = branchRefine(K(3n), K(4n), BPF_JEQ, false);
    assert.equal(r.taken, null);
    assert.ok(r.fallthrough !== null);
  });
  it('disjoint ranges decide JEQ/JNE and the ordering jumps', () => {
    const a = st({ umax: 5n });
    const b = st({ umin: 6n, umax: 9n });
    assert.equal(branchTaken(a, b, BPF_JEQ, false), 0);
    assert.equal(branchTaken(a, b, BPF_JNE, false), 1);
    assert.equal(branchTaken(a, b, BPF_JLT, false), 1);
    assert.equal(branchTaken(a, b, BPF_JGE, false), 0);
    assert.equal(branchTaken(a, b, BPF_JSLE, false), 1);
    assert.equal(branchTaken(st({ smin: -5n, smax: -1n }), K(0n), BPF_JSLT, false), 1);
    assert.equal(branchTaken(st({ smin: -5n, smax: -1n }), K(0n), BPF_JGT, false), 1);
  });
  it('JEQ intersects, JNE trims a constant at a range edge', () => {
    const { taken } = branchRefine(st({ umax: 10n }), st({ umin: 5n, umax: 20n }), BPF_JEQ, false);
    assert.deepEqual([taken?.a.umin, taken?.a.umax, taken?.b.umin, taken?.b.umax], [5n, 10n, 5n, 10n]);
    const ne = branchRefine(st({ umax: 10n }), K(0n), BPF_JNE, false).taken;
    assert.equal(ne?.a.umin, 1n);
  });
  it('JSET of one bit sets it on the taken edge and clears it on the other', () => {
    const { taken, fallthrough } = branchRefine(st({ umax: 0xffn }), K(4n), BPF_JSET, false);
    assert.deepEqual(taken?.a.varOff, tnum(4n, 0xfbn));
    assert.deepEqual(fallthrough?.a.varOff, tnum(0n, 0xfbn));
    assert.equal(branchTaken(st({ varOff: tnum(0n, 0xf0n) }), K(0x0fn), BPF_JSET, false), 0);
    assert.equal(branchTaken(st({ varOff: tnum(1n, 0xf0n) }), K(0x0fn), BPF_JSET, false), 1);
  });
  it('JSET is decided only against a constant; a register against itself is decided by the op', () => {
    assert.equal(
      branchTaken(st({ varOff: tnum(0n, 0xf0n) }), st({ varOff: tnum(0n, 0x0fn) }), BPF_JSET, false),
      -1,
    );
    const r = st({ umin: 1n, umax: 9n });
    assert.equal(branchTaken(r, r, BPF_JGE, false), 1);
    assert.equal(branchTaken(r, r, BPF_JSLT, false), 0);
    assert.equal(branchTaken(r, r, BPF_JSET, false), 1);
    const z = st({ smin: -1n, smax: 1n });
    assert.equal(branchTaken(z, z, BPF_JSET, false), -1);
    const e = branchRefine(z, z, BPF_JSET, false);
    assert.deepEqual(e.taken?.a, z);
    assert.equal(e.taken?.a, e.taken?.b);
    assert.equal(branchRefine(r, r, BPF_JGT, false).taken, null);
  });
  it('32-bit jumps look at the low word only and refine it', () => {
    const a = st({ varOff: tnumConst(0x1_0000_0005n) });
    assert.equal(branchTaken(a, K(5n), BPF_JEQ, true), 1);
    assert.equal(branchTaken(a, K(5n), BPF_JEQ, false), 0);
    const { taken } = branchRefine(scalarUnknown(), K(7n), BPF_JLT, true);
    assert.equal(taken?.a.u32max, 6n);
    assert.equal(
      taken?.a.umax,
      U64_MAX - U32_MAX + 6n,
      'the high word stays free, the low word is at most 6',
    );
  });
  it('an unknown op is a RangeError', () => {
    assert.throws(() => branchTaken(K(0n), K(0n), 0x80, false), RangeError);
  });
});

/** Concrete outcome of a conditional jump. */
function concreteJump(op: number, x: bigint, y: bigint, jmp32: boolean): boolean {
  const u = (v: bigint): bigint => (jmp32 ? u32(v) : u64(v));
  const s = (v: bigint): bigint => (jmp32 ? s32(v) : BigInt.asIntN(64, v));
  const [a, b, sa, sb] = [u(x), u(y), s(x), s(y)];
  switch (op) {
    case BPF_JEQ:
      return a === b;
    case BPF_JNE:
      return a !== b;
    case BPF_JGT:
      return a > b;
    case BPF_JGE:
      return a >= b;
    case BPF_JLT:
      return a < b;
    case BPF_JLE:
      return a <= b;
    case BPF_JSGT:
      return sa > sb;
    case BPF_JSGE:
      return sa >= sb;
    case BPF_JSLT:
      return sa < sb;
    case BPF_JSLE:
      return sa <= sb;
    default:
      return (a & b) !== 0n;
  }
}

const JUMPS: [string, number][] = [
  ['jeq', BPF_JEQ],
  ['jne', BPF_JNE],
  ['jgt', BPF_JGT],
  ['jge', BPF_JGE],
  ['jlt', BPF_JLT],
  ['jle', BPF_JLE],
  ['jsgt', BPF_JSGT],
  ['jsge', BPF_JSGE],
  ['jslt', BPF_JSLT],
  ['jsle', BPF_JSLE],
  ['jset', BPF_JSET],
];

/** x and y, often related so that equalities and edges are hit. */
function pair(g: Gen): [bigint, bigint] {
  const x = g.u64();
  switch (g.int(4)) {
    case 0:
      return [x, x];
    case 1:
      return [x, u64(x + BigInt(g.int(5)) - 2n)];
    case 2:
      return [x, u64((x & ~U32_MAX) | (g.u64() & U32_MAX))];
    default:
      return [x, g.u64()];
  }
}

describe('scalar transfer functions are sound on random members', () => {
  const g = new Gen(42);
  const N = 300;
  it('every state the generator builds (after bounds sync) holds its value', () => {
    for (let i = 0; i < 2000; i++) {
      const x = g.u64();
      const r = g.scalarOf(x);
      assert.ok(scalarContains(r, x), `${x} ${scalarStr(r)}`);
    }
  });
  for (const [name, op] of BINARY_OPS) {
    for (const alu32 of [false, true]) {
      it(`${alu32 ? 'alu32' : 'alu64'} ${name}: the concrete result is a member of the abstract one`, () => {
        for (let i = 0; i < N; i++) {
          let [x, y] = pair(g);
          const isShift = op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH;
          if (isShift && g.int(4) !== 0) y = BigInt(g.int(alu32 ? 32 : 64));
          const a = g.scalarOf(x);
          const b = g.scalarOf(y);
          const r = scalarAlu(op, a, b, alu32);
          const signed = (op === BPF_DIV || op === BPF_MOD) && g.int(2) === 1;
          const want = concreteAlu(op, x, y, alu32, signed);
          assert.ok(
            scalarContains(r, want),
            `${name} ${scalarStr(a)} ${scalarStr(b)} x=${x} y=${y} want ${want} got ${scalarStr(r)}`,
          );
        }
      });
    }
  }
  it('neg, mov, movsx and byte swaps: the concrete result is a member', () => {
    for (let i = 0; i < N * 4; i++) {
      const x = g.u64();
      const a = g.scalarOf(x);
      const lo = u32(x);
      const bits = ([8, 16, 32] as const)[g.int(3)] ?? 8;
      const sz = ([16, 32, 64] as const)[g.int(3)] ?? 16;
      const checks: [string, Scalar, bigint][] = [
        ['neg64', scalarNeg(a, false), u64(-x)],
        ['neg32', scalarNeg(a, true), u32(-x)],
        ['mov64', scalarMov(a, false), x],
        ['mov32', scalarMov(a, true), lo],
        [`movsx64 ${bits}`, scalarMovsx(a, bits, false), u64(BigInt.asIntN(bits, x))],
        [
          `movsx32 ${bits}`,
          scalarMovsx(a, bits === 32 ? 16 : bits, true),
          u32(BigInt.asIntN(bits === 32 ? 16 : bits, x)),
        ],
        [`le${sz}`, scalarEnd(a, sz, false), BigInt.asUintN(sz, x)],
        [`be${sz}`, scalarEnd(a, sz, true), swap(x, sz / 8)],
      ];
      for (const [name, r, want] of checks)
        assert.ok(scalarContains(r, want), `${name} ${scalarStr(a)} x=${x} -> ${scalarStr(r)}`);
    }
  });
  for (const [name, op] of JUMPS) {
    for (const jmp32 of [false, true]) {
      it(`${jmp32 ? 'jmp32' : 'jmp'} ${name}: decisions agree with the values and the taken edge holds them`, () => {
        for (let i = 0; i < N; i++) {
          const self = g.int(10) === 0;
          const [x, y0] = pair(g);
          const y = self ? x : y0;
          const a = g.scalarOf(x);
          const b = self ? a : g.int(3) === 0 ? K(y) : g.scalarOf(y);
          const c = concreteJump(op, x, y, jmp32);
          const t = branchTaken(a, b, op, jmp32);
          const ctx = `${name} ${scalarStr(a)} ${scalarStr(b)} x=${x} y=${y} concrete=${c}`;
          assert.ok(t === -1 || (t === 1) === c, `${ctx} decided ${t}`);
          const r = branchRefine(a, b, op, jmp32);
          const edge = c ? r.taken : r.fallthrough;
          assert.ok(edge !== null, `${ctx}: edge missing`);
          assert.ok(scalarIsSane(edge.a) && scalarContains(edge.a, x), `${ctx}: a -> ${scalarStr(edge.a)}`);
          assert.ok(scalarContains(edge.b, y), `${ctx}: b -> ${scalarStr(edge.b)}`);
        }
      });
    }
  }
  it('chains of ALU ops and branch edges keep the concrete values in the states they produce', () => {
    for (let i = 0; i < 200; i++) {
      let x = g.u64();
      let a = g.scalarOf(x);
      for (let step = 0; step < 10; step++) {
        const y = pair(g)[1];
        const b = g.int(2) === 0 ? K(y) : g.scalarOf(y);
        const ctx = `chain ${i} step ${step} ${scalarStr(a)} x=${x} y=${y}`;
        if (g.int(2) === 0) {
          const [, op] = BINARY_OPS[g.int(BINARY_OPS.length)] ?? ['add', BPF_ADD];
          const alu32 = g.int(3) === 0;
          a = scalarAlu(op, a, b, alu32);
          x = concreteAlu(op, x, y, alu32);
        } else {
          const [, op] = JUMPS[g.int(JUMPS.length)] ?? ['jeq', BPF_JEQ];
          const jmp32 = g.int(3) === 0;
          const r = branchRefine(a, b, op, jmp32);
          const edge = concreteJump(op, x, y, jmp32) ? r.taken : r.fallthrough;
          assert.ok(edge !== null, `${ctx}: edge missing`);
          a = edge.a;
        }
        assert.ok(scalarContains(a, x), `${ctx} -> ${scalarStr(a)}`);
      }
    }
  });
  it('smin/smax edge constants stay representable', () => {
    assert.ok(scalarContains(st({ smin: S64_MIN, smax: S64_MAX }), 1n << 63n));
  });
});

function swap(x: bigint, size: number): bigint {
  let r = 0n;
  for (let i = 0; i < size; i++) r = (r << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
  return r;
}
