/**
 * The reference interpreter (src/ebpf/interp*.ts) and what it stands on: the helper registry and the
 * region-checked guest access (src/mem/regions.ts).
 *
 * ALU and jump semantics are checked against an independent BigInt model over edge values (and a
 * hand-written table anchors the model on the rules the conformance README pins down); then loads
 * and stores, atomics, calls and frames, helpers, budget, may_goto, faults and load errors, each
 * as a table; and a seeded differential test of the 64-bit helpers on halves against BigInt.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { BpfFault, ProgramLoadError } from '../src/ebpf/faults.js';
import { type HelperDef, type HelperEnv, HelperRegistry } from '../src/ebpf/helpers.js';
import { type Insn, InsnError, LDDW } from '../src/ebpf/insn.js';
import {
  type LoadOptions,
  loadProgram,
  type Region,
  type RunResult,
  releaseInterpreter,
} from '../src/ebpf/interp.js';
import * as A from '../src/ebpf/interp-alu64.js';
import * as OPS from '../src/ebpf/interp-ops.js';
import { MAY_GOTO_LOOPS } from '../src/ebpf/interp-run.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  RegionAccess,
  RMW_ADD,
  RMW_AND,
  RMW_CMPXCHG,
  RMW_OR,
  RMW_XCHG,
  RMW_XOR,
} from '../src/mem/regions.js';
import { repoRoot, xorshift32 } from './helpers.js';

/* ------------------------------------------------------------------ local helpers */

const mem = new AddressSpace({ size: 4 * 1024 * 1024 });
const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const EXIT = I(0x95);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
/** lddw rD, v. */
const lddw = (d: number, v: bigint): Insn[] => [
  I(LDDW, d, 0, 0, Number(BigInt.asIntN(32, v))),
  I(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
];

interface RunOpts extends LoadOptions {
  readonly bytes?: Uint8Array;
  readonly regions?: readonly Region[];
  readonly r1?: bigint | number;
  readonly r2?: bigint | number;
  readonly r5?: bigint | number;
  readonly ctx?: unknown;
  readonly runBudget?: number;
}

/** Assemble (text) or take slots, load, run; `bytes` become a region whose address is r1. */
function run(prog: string | Insn[], o: RunOpts = {}): RunResult {
  const insns = typeof prog === 'string' ? assembleUbpf(prog) : prog;
  const p = loadProgram(insns, o);
  const regions = [...(o.regions ?? [])];
  let addr = 0;
  if (o.bytes !== undefined) {
    addr = mem.alloc(o.bytes.length);
    mem.writeBytes(addr, o.bytes);
    regions.push({ addr, size: o.bytes.length, name: 'mem' });
  }
  try {
    return p.run({
      mem,
      r1: o.r1 ?? addr,
      r2: o.r2 ?? o.bytes?.length ?? 0,
      ...(o.r5 === undefined ? {} : { r5: o.r5 }),
      regions,
      ctx: o.ctx,
      ...(o.runBudget === undefined ? {} : { budget: o.runBudget }),
    });
  } finally {
    if (addr !== 0) mem.free(addr);
  }
}
const r0 = (prog: string | Insn[], o?: RunOpts): bigint => run(prog, o).r0;

/** Assert that `f` throws `cls` with `code` (and `index`, message pattern when given). */
function throwsCode(
  f: () => unknown,
  cls: typeof BpfFault | typeof ProgramLoadError | typeof InsnError,
  code: string,
  index?: number,
  re?: RegExp,
): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (index !== undefined) assert.equal(e.index, index, e.message);
    if (re !== undefined) assert.match(e.message, re);
    return true;
  });
}

function helper(id: number, impl: HelperDef['impl'], name = `h${id}`): HelperDef {
  return { id, name, args: ['ARG_ANYTHING'], ret: 'RET_INTEGER', sleepableOnly: false, gplOnly: false, impl };
}

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

/* ------------------------------------------------------------------ loads and stores */

const MEM_CASES: [name: string, asm: string, want: bigint][] = [
  ['stb truncates, ldxb zero-extends', 'stb [%r10-1], 0x1ff\nldxb %r0, [%r10-1]', 0xffn],
  ['sth/ldxh', 'sth [%r10-2], -1\nldxh %r0, [%r10-2]', 0xffffn],
  ['stw/ldxw', 'stw [%r10-4], -1\nldxw %r0, [%r10-4]', 0xffff_ffffn],
  ['stdw sign-extends its imm', 'stdw [%r10-8], -2\nldxdw %r0, [%r10-8]', u64(-2n)],
  [
    'stxdw/ldxdw',
    'lddw %r1, 0x1122334455667788\nstxdw [%r10-8], %r1\nldxdw %r0, [%r10-8]',
    0x1122_3344_5566_7788n,
  ],
  [
    'stxw stores the low half, little-endian',
    'lddw %r1, 0x1122334455667788\nstxw [%r10-8], %r1\nldxb %r0, [%r10-8]',
    0x88n,
  ],
  ['stxh/ldxh', 'mov %r1, 0x12345\nstxh [%r10-2], %r1\nldxh %r0, [%r10-2]', 0x2345n],
  ['stxb/ldxb', 'mov %r1, 0x1ab\nstxb [%r10-1], %r1\nldxb %r0, [%r10-1]', 0xabn],
  ['ldxsb sign-extends', 'stb [%r10-1], 0x80\nldxsb %r0, [%r10-1]', u64(-0x80n)],
  ['ldxsh sign-extends', 'sth [%r10-2], 0x8001\nldxsh %r0, [%r10-2]', u64(-0x7fffn)],
  ['ldxsw sign-extends', 'stw [%r10-4], -3\nldxsw %r0, [%r10-4]', u64(-3n)],
  [
    'unaligned stxdw/ldxdw on the stack',
    'lddw %r1, 0x0102030405060708\nstxdw [%r10-13], %r1\nldxdw %r0, [%r10-13]',
    0x0102_0304_0506_0708n,
  ],
  ['unaligned stxw/ldxw', 'mov32 %r1, 0xdeadbeef\nstxw [%r10-7], %r1\nldxw %r0, [%r10-7]', 0xdead_beefn],
  ['the stack starts zeroed', 'ldxdw %r0, [%r10-8]\nldxdw %r1, [%r10-4096]\nor %r0, %r1', 0n],
];

test('loads and stores of every size, sign-extending loads, unaligned access', () => {
  for (const [name, asm, want] of MEM_CASES) assert.equal(r0(`${asm}\nexit`), want, name);
  // Leave garbage on a stack, then check that the next run starts zeroed.
  r0('stdw [%r10-8], -1\nexit');
  assert.equal(r0('ldxdw %r0, [%r10-8]\nexit'), 0n);
});

test('memory regions: r1 points at the given bytes, little-endian, any alignment', () => {
  const bytes = Uint8Array.from([0xaa, 0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 0xcc]);
  assert.equal(r0('ldxdw %r0, [%r1+2]\nexit', { bytes }), 0x0807_0605_0403_0201n);
  assert.equal(r0('ldxh %r0, [%r1+1]\nexit', { bytes }), 0x01bbn);
  assert.equal(r0('mov %r0, %r2\nexit', { bytes }), 11n);
  // Bytes 3..10 after the store at 7: 02 03 04 05 44 33 22 11.
  assert.equal(r0('stw [%r1+7], 0x11223344\nldxdw %r0, [%r1+3]\nexit', { bytes }), 0x1122_3344_0504_0302n);
});

/* ------------------------------------------------------------------ atomics */

const RMW: [name: string, f: (m: bigint, v: bigint) => bigint][] = [
  ['add', (m, v) => m + v],
  ['or', (m, v) => m | v],
  ['and', (m, v) => m & v],
  ['xor', (m, v) => m ^ v],
];

test('atomics: add/or/and/xor with and without fetch, xchg, cmpxchg, 32 and 64 bits', () => {
  const init = 0x8000_0001_ffff_fff0n;
  const val = 0x0000_0001_0000_0020n;
  /** Memory after, and the register the op writes back (src for fetch/xchg, r0 for cmpxchg). */
  const exec = (op: string, cmp: bigint): [bigint, bigint] => {
    const pre = `lddw %r1, ${init}\nstxdw [%r10-8], %r1\nlddw %r2, ${val}\nlddw %r0, ${cmp}\nlock ${op} [%r10-8], %r2\n`;
    const reg = op.startsWith('cmpxchg') ? '%r0' : '%r2';
    return [r0(`${pre}ldxdw %r0, [%r10-8]\nexit`), r0(`${pre}mov %r0, ${reg}\nexit`)];
  };
  const lo = (x: bigint): bigint => BigInt.asUintN(32, x);
  const hi = init & ~0xffff_ffffn;
  for (const [name, f] of RMW) {
    assert.deepEqual(exec(name, 0n), [u64(f(init, val)), val], `${name}`);
    assert.deepEqual(exec(`fetch ${name}`, 0n), [u64(f(init, val)), init], `fetch ${name}`);
    assert.deepEqual(exec(`${name}32`, 0n), [hi | lo(f(lo(init), lo(val))), val], `${name}32`);
    assert.deepEqual(
      exec(`fetch ${name}32`, 0n),
      [hi | lo(f(lo(init), lo(val))), lo(init)],
      `fetch ${name}32`,
    );
  }
  assert.deepEqual(exec('xchg', 0n), [val, init]);
  assert.deepEqual(exec('xchg32', 0n), [hi | lo(val), lo(init)]);
  assert.deepEqual(exec('cmpxchg', init), [val, init], 'cmpxchg equal: stores');
  assert.deepEqual(exec('cmpxchg', init + 1n), [init, init], 'cmpxchg differs: keeps');
  // 32-bit cmpxchg compares the low halves only; r0 gets the old value zero-extended.
  assert.deepEqual(exec('cmpxchg32', 0xdead_0000_0000_0000n | lo(init)), [hi | lo(val), lo(init)]);
  assert.deepEqual(exec('cmpxchg32', 0n), [init, lo(init)]);
});

test('atomics must be naturally aligned and writable', () => {
  throwsCode(
    () => run('lock add [%r10-12], %r1\nexit'),
    BpfFault,
    'E_FAULT_ALIGN',
    0,
    /0x[0-9a-f]+4: expected an address aligned to 8/,
  );
  throwsCode(() => run('lock add32 [%r10-6], %r1\nexit'), BpfFault, 'E_FAULT_ALIGN', 0);
  const ro = mem.alloc(8);
  try {
    const regions = [{ addr: ro, size: 8, writable: false, name: 'ro' }];
    assert.equal(r0('ldxdw %r0, [%r1]\nexit', { r1: ro, regions }), 0n);
    throwsCode(
      () => run('lock add [%r1], %r2\nexit', { r1: ro, regions }),
      BpfFault,
      'E_FAULT_MEM',
      0,
      /read-only region 'ro'/,
    );
  } finally {
    mem.free(ro);
  }
});

test('RegionAccess atomics give the same results with Atomics (threaded) as without', () => {
  const spaces = [new AddressSpace({ size: 1 << 17 }), new AddressSpace({ size: 1 << 17 })];
  spaces[1]!.enableThreads();
  const results = spaces.map((s) => {
    const acc = new RegionAccess(s);
    const a = s.alloc(8, 8);
    const out = new Int32Array(2);
    const seen: number[] = [];
    for (const op of [RMW_ADD, RMW_OR, RMW_AND, RMW_XOR, RMW_XCHG, RMW_CMPXCHG]) {
      s.writeU64(a, 0x8000_0001_ffff_fff0n);
      acc.atomic64(a, op, 0x20, 1, -16, -0x7fff_ffff, out);
      seen.push(out[0]!, out[1]!, s.readI32(a), s.readI32(a + 4));
      seen.push(acc.atomic32(a, op, 0x7fff_ffff, s.readI32(a)), s.readI32(a));
    }
    return seen;
  });
  assert.deepEqual(results[1], results[0]);
});

/* ------------------------------------------------------------------ calls and frames */

const CALL_CASES: [name: string, asm: string, want: bigint][] = [
  [
    'local call passes r1-r5, returns r0 and restores r6-r9',
    'mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\nmov %r6, 6\nmov %r9, 9\ncall local f\n' +
      'mul %r0, 100\nadd %r0, %r6\nadd %r0, %r9\nexit\n' +
      'f:\nmov %r0, %r1\nadd %r0, %r2\nadd %r0, %r3\nadd %r0, %r4\nadd %r0, %r5\nmov %r6, 0\nmov %r9, 0\nexit',
    1515n,
  ],
  [
    'the callee frame pointer is 512 bytes below',
    'mov %r6, %r10\ncall local f\nsub %r6, %r0\nmov %r0, %r6\nexit\nf:\nmov %r0, %r10\nexit',
    512n,
  ],
  [
    'the callee writes the caller frame through a pointer; r10 is restored',
    'mov %r1, %r10\nadd %r1, -8\ncall local f\nldxdw %r0, [%r10-8]\nexit\nf:\nstdw [%r1], 77\nstdw [%r10-8], 1\nexit',
    77n,
  ],
  [
    'every frame starts zeroed, also where an earlier call wrote',
    'call local f\ncall local g\nexit\nf:\nstdw [%r10-8], 7\nexit\ng:\nldxdw %r0, [%r10-8]\nexit',
    0n,
  ],
  [
    'nested calls unwind in order',
    'call local f\nadd %r0, 1\nexit\nf:\ncall local g\nmul %r0, 10\nexit\ng:\nmov %r0, 4\nexit',
    41n,
  ],
];

test('bpf2bpf calls: arguments, r6-r9, r10 per frame, return', () => {
  for (const [name, asm, want] of CALL_CASES) assert.equal(r0(asm), want, name);
});

/** Recurse until r1 is 0: `depth` frames in all (main + depth - 1 calls). */
const recurse = (depth: number): string =>
  `mov %r1, ${depth - 2}\ncall local f\nmov %r0, 0\nexit\nf:\njeq %r1, 0, +2\nsub %r1, 1\ncall local f\nexit`;

test('eight frames are allowed; a ninth is E_STACK_OVERFLOW at the call', () => {
  assert.equal(r0(recurse(8)), 0n);
  throwsCode(() => run(recurse(9)), BpfFault, 'E_STACK_OVERFLOW', 6, /frame 9: at most 8 frames/);
});

test('helpers: u64 arguments, the run context, granted regions, callx by id', () => {
  // Grant the middle 16 bytes of a 48-byte block: the bytes around them are not the program's.
  const block = mem.alloc(48);
  const granted = block + 16;
  const reg = new HelperRegistry()
    .register(helper(1, (_e, a, b, c, d, e) => a + b + c + d + e))
    .register(helper(2, (env) => BigInt((env.ctx as { v: number }).v)))
    .register(
      helper(3, (env) => {
        env.grant(granted, 16, true, 'buf');
        return BigInt(granted);
      }),
    )
    .register(helper(4, (_e, a) => a))
    .register(
      helper(5, (env) => {
        kept = env;
        return 0n;
      }),
    );
  let kept: HelperEnv | null = null;
  try {
    assert.equal(r0('call 5\nexit', { helpers: reg }), 0n);
    assert.ok(kept !== null);
    const env: HelperEnv = kept;
    assert.throws(() => env.grant(granted, 16), TypeError, 'grant after the run ended');
    assert.equal(env.readable(granted, 1), false);
    assert.equal(
      r0('mov %r1, -1\nmov %r2, 0\nmov %r3, 0\nmov %r4, 0\nmov %r5, 0\ncall 4\nexit', { helpers: reg }),
      u64(-1n),
    );
    assert.equal(
      r0('mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 1\nexit', { helpers: reg }),
      15n,
    );
    assert.equal(r0('call 2\nexit', { helpers: reg, ctx: { v: 42 } }), 42n);
    assert.equal(r0('call 3\nstdw [%r0+8], 9\nldxdw %r0, [%r0+8]\nexit', { helpers: reg }), 9n);
    throwsCode(() => run('call 3\nstdw [%r0-8], 9\nexit', { helpers: reg }), BpfFault, 'E_FAULT_MEM', 1);
    throwsCode(() => run('call 3\nstb [%r0+16], 9\nexit', { helpers: reg }), BpfFault, 'E_FAULT_MEM', 1);
    assert.equal(r0('mov %r1, 7\nmov %r2, 4\ncall %r2\nexit', { helpers: reg }), 7n);
    throwsCode(
      () => run('mov %r2, 6\ncall %r2\nexit', { helpers: reg }),
      BpfFault,
      'E_HELPER_UNKNOWN',
      1,
      /no helper 6/,
    );
    throwsCode(
      () => run('lddw %r2, 0x100000004\ncall %r2\nexit', { helpers: reg }),
      BpfFault,
      'E_FAULT_CALL',
      2,
      /0x100000004/,
    );
  } finally {
    mem.free(block);
  }
});

test('a helper that throws or returns a non-bigint stops the run with E_HELPER; its BpfFault keeps its code', () => {
  const reg = new HelperRegistry()
    .register(
      helper(
        1,
        () => {
          throw new Error('boom');
        },
        'bad',
      ),
    )
    .register(helper(2, () => 1 as unknown as bigint, 'num'))
    .register(
      helper(
        3,
        () => {
          throw new BpfFault('E_FAULT_MEM', -1, 'copy of 8 bytes at 0x0');
        },
        'copy',
      ),
    );
  throwsCode(
    () => run('mov %r0, 0\ncall 1\nexit', { helpers: reg }),
    BpfFault,
    'E_HELPER',
    1,
    /helper 1 \(bad\) failed: boom/,
  );
  throwsCode(
    () => run('call 2\nexit', { helpers: reg }),
    BpfFault,
    'E_HELPER',
    0,
    /returned number, expected a bigint/,
  );
  throwsCode(
    () => run('call 3\nexit', { helpers: reg }),
    BpfFault,
    'E_FAULT_MEM',
    0,
    /^insn 0: helper 3 \(copy\): copy of 8/,
  );
});

test('HelperRegistry: one entry per id, validated definitions, listed by id', () => {
  const reg = new HelperRegistry().register(helper(7, () => 0n)).register(helper(3, () => 0n));
  assert.deepEqual(
    reg.list().map((h) => h.id),
    [3, 7],
  );
  assert.ok(reg.has(7) && !reg.has(8));
  assert.equal(reg.get(3)?.name, 'h3');
  assert.equal(reg.size, 2);
  const bad: [string, HelperDef][] = [
    ['duplicate id', helper(7, () => 0n)],
    ['negative id', helper(-1, () => 0n)],
    ['fractional id', helper(1.5, () => 0n)],
    ['id beyond s32', helper(2 ** 31, () => 0n)],
    ['six arguments', { ...helper(9, () => 0n), args: Array(6).fill('ARG_ANYTHING') }],
    ['empty name', helper(10, () => 0n, '')],
  ];
  for (const [name, def] of bad) assert.throws(() => reg.register(def), TypeError, name);
});

/* ------------------------------------------------------------------ budget, may_goto */

test('the budget stops a runaway program with E_BUDGET after exactly that many instructions', () => {
  const forever = [I(0xb7, 0, 0, 0, 0), I(0x07, 0, 0, 0, 1), I(0x05, 0, 0, -2), EXIT];
  assert.throws(
    () => run(forever, { budget: 1000 }),
    (e: unknown) =>
      e instanceof BpfFault &&
      e.code === 'E_BUDGET' &&
      e.executed === 1000 &&
      e.index === 2 &&
      /1000/.test(e.message),
  );
  throwsCode(() => run(forever, { budget: 1_000_000, runBudget: 10 }), BpfFault, 'E_BUDGET', 2);
  const three = 'mov %r0, 1\nadd %r0, 1\nexit';
  assert.deepEqual(run(three, { budget: 3 }), { r0: 2n, executed: 3 });
  throwsCode(() => run(three, { budget: 2 }), BpfFault, 'E_BUDGET', 2);
  for (const b of [0, -1, 1.5, Number.NaN])
    assert.throws(() => loadProgram(assembleUbpf(three), { budget: b }), RangeError);
});

test(`may_goto falls through ${MAY_GOTO_LOOPS} times, then jumps; every frame has its own count`, () => {
  // 0: r0 = 0; 1: may_goto +2; 2: r0 += 1; 3: ja -3; 4: exit
  const loop = [I(0xb7, 0, 0, 0, 0), I(0xe5, 0, 0, 2), I(0x07, 0, 0, 0, 1), I(0x05, 0, 0, -3), EXIT];
  assert.equal(MAY_GOTO_LOOPS, 8 * 1024 * 1024);
  assert.deepEqual(run(loop), { r0: BigInt(MAY_GOTO_LOOPS), executed: 2 + 3 * MAY_GOTO_LOOPS + 1 });
  // main: call f; r6 = r0; call f; r0 += r6; exit. f: the loop above.
  const twice = [I(0x85, 0, 1, 0, 4), I(0xbf, 6, 0), I(0x85, 0, 1, 0, 2), I(0x0f, 0, 6), EXIT, ...loop];
  assert.equal(r0(twice), BigInt(2 * MAY_GOTO_LOOPS));
});

/* ------------------------------------------------------------------ faults */

test('memory faults name the access, the address in hex, the reason and the permitted regions', () => {
  const cases: [name: string, prog: string, opts: RunOpts, index: number, re: RegExp][] = [
    [
      'NULL',
      'ldxw %r0, [%r1]\nexit',
      { r1: 0 },
      0,
      /load of 4 byte\(s\) at 0x0 \(r1 0x0 \+ 0\) is in the NULL page; permitted: stack \[0x[0-9a-f]+, 0x[0-9a-f]+\) rw/,
    ],
    [
      'NULL + off',
      'mov %r0, 0\nstxdw [%r1+16], %r0\nexit',
      { r1: 0 },
      1,
      /store of 8 byte\(s\) at 0x10 \(r1 0x0 \+ 16\) is in the NULL page/,
    ],
    ['unmapped', 'ldxb %r0, [%r1]\nexit', { r1: 0x30000 }, 0, /at 0x30000 .* outside every permitted region/],
    [
      'high bits',
      'lddw %r1, 0x100001000\nldxb %r0, [%r1]\nexit',
      {},
      2,
      /at 0x100001000 .* beyond the 32-bit address space/,
    ],
    [
      'past the region end',
      'ldxdw %r0, [%r1+4]\nexit',
      { bytes: new Uint8Array(8) },
      0,
      /crossing the end of region 'mem'/,
    ],
    [
      'below the stack',
      'ldxb %r0, [%r10-4097]\nexit',
      {},
      0,
      /r10 0x[0-9a-f]+ - 4097\) is (in the NULL page|outside every permitted region)/,
    ],
    ['at the frame pointer', 'stb [%r10], 1\nexit', {}, 0, /store of 1 byte\(s\)/],
  ];
  for (const [name, prog, opts, index, re] of cases) {
    assert.throws(
      () => run(prog, opts),
      (e: unknown) => {
        assert.ok(e instanceof BpfFault, `${name}: ${String(e)}`);
        assert.equal(e.code, 'E_FAULT_MEM', name);
        assert.equal(e.index, index, name);
        assert.match(e.message, re, name);
        assert.equal(e.executed, index + 1 - (name === 'high bits' ? 1 : 0), `${name}: executed`);
        return true;
      },
    );
  }
});

test('running past the last instruction is E_FAULT_END; faults leave no allocation behind', () => {
  r0('exit');
  const live = mem.liveAllocations;
  throwsCode(() => run('mov %r0, 1'), BpfFault, 'E_FAULT_END', 1, /ran past the last instruction \(slot 0\)/);
  throwsCode(() => run('ldxb %r0, [%r1]\nexit', { r1: 0 }), BpfFault, 'E_FAULT_MEM', 0);
  assert.equal(mem.liveAllocations, live);
});

test('the stack is kept between runs until releaseInterpreter; a nested run gets its own', () => {
  const space = new AddressSpace({ size: 1 << 17 });
  const p = loadProgram(assembleUbpf('mov %r0, %r10\nexit'));
  const fp = p.run({ mem: space }).r0;
  assert.equal(space.liveAllocations, 1, 'one stack kept');
  assert.equal(p.run({ mem: space }).r0, fp, 'the same stack again');
  releaseInterpreter(space);
  assert.equal(space.liveAllocations, 0);
  // A helper that runs a program in the same address space while the outer run is going on.
  const inner = loadProgram(assembleUbpf('stdw [%r10-8], 5\nldxdw %r0, [%r10-8]\nadd %r0, %r1\nexit'));
  const reg = new HelperRegistry().register(
    helper(1, (env, a) => inner.run({ mem: env.mem, r1: a }).r0 + 100n),
  );
  const outer = loadProgram(
    assembleUbpf('stdw [%r10-8], 1\nmov %r1, 2\ncall 1\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit'),
    {
      helpers: reg,
    },
  );
  assert.equal(outer.run({ mem: space }).r0, 108n, 'inner 5 + 2 + 100, outer frame untouched (+1)');
  assert.equal(space.liveAllocations, 1, "the nested run's stack is freed");
});

/* ------------------------------------------------------------------ load errors */

test('loading rejects bad targets, unknown helpers, kfuncs and unresolved pseudo lddw, with the index', () => {
  const cases: [name: string, insns: Insn[], code: string, index: number, re: RegExp][] = [
    [
      'jump past the end',
      [I(0x05, 0, 0, 5), EXIT],
      'E_JUMP_RANGE',
      0,
      /jump target 6 \(offset 5\) is outside the program: expected 0 to 1/,
    ],
    ['jump before the start', [EXIT, I(0x15, 1, 0, -3)], 'E_JUMP_RANGE', 1, /target -1/],
    ['jump to the program end', [I(0x05, 0, 0, 1), EXIT], 'E_JUMP_RANGE', 0, /target 2/],
    [
      'jump into an lddw',
      [I(0x05, 0, 0, 1), ...lddw(0, 1n), EXIT],
      'E_JUMP_LDDW',
      0,
      /second slot of the lddw at 1/,
    ],
    ['gotol out of range', [I(0x06, 0, 0, 0, 9), EXIT], 'E_JUMP_RANGE', 0, /target 10/],
    ['may_goto out of range', [I(0xe5, 0, 0, 4), EXIT], 'E_JUMP_RANGE', 0, /target 5/],
    ['local call out of range', [I(0x85, 0, 1, 0, 7), EXIT], 'E_CALL_RANGE', 0, /call target 8/],
    [
      'local call into an lddw',
      [I(0x85, 0, 1, 0, 1), ...lddw(0, 1n), EXIT],
      'E_CALL_LDDW',
      0,
      /call target 2/,
    ],
    [
      'unknown helper',
      [I(0x85, 0, 0, 0, 99), EXIT],
      'E_HELPER_UNKNOWN',
      0,
      /helper 99: no such helper is registered \(registered: none\)/,
    ],
    ['kfunc', [I(0x85, 0, 2, 0, 1), EXIT], 'E_KFUNC', 0, /kfunc calls are not supported/],
    [
      'pseudo map fd',
      [I(LDDW, 1, 1, 0, 3), I(0), EXIT],
      'E_LDDW_PSEUDO',
      0,
      /pseudo source 1 \(imm 3\) needs the loader/,
    ],
  ];
  for (const [name, insns, code, index, re] of cases) {
    throwsCode(() => loadProgram(insns), ProgramLoadError, code, index, re);
    void name;
  }
  throwsCode(() => loadProgram([I(0xb7, 11), EXIT]), InsnError, 'E_REGISTER', 0);
});

test('a resolver turns pseudo lddw into constants at load', () => {
  const seen: number[][] = [];
  const resolveLddw = (src: number, imm: number, next: number, index: number): bigint => {
    seen.push([src, imm, next, index]);
    return 0xabcd_0000_1234n + BigInt(imm);
  };
  assert.equal(
    r0([I(0xb7), I(LDDW, 0, 2, 0, 5), I(0, 0, 0, 0, 8), EXIT], { resolveLddw }),
    0xabcd_0000_1239n,
  );
  assert.deepEqual(seen, [[2, 5, 8, 1]]);
});

test('run arguments: r1-r5 as bigint or safe integer; misuse is a TypeError or RangeError', () => {
  assert.equal(r0('mov %r0, %r5\nexit', { r5: -1 }), u64(-1n));
  assert.equal(r0('mov %r0, %r5\nexit', { r5: (1n << 64n) + 3n }), 3n);
  const p = loadProgram(assembleUbpf('mov %r0, %r10\nexit'));
  const fp = p.run({ mem }).r0;
  assert.ok(fp % 8n === 0n && fp > 0x1000n && fp <= BigInt(mem.size), `r10 = 0x${fp.toString(16)}`);
  assert.throws(() => p.run({ mem, r1: 1.5 }), TypeError);
  assert.throws(() => p.run({} as never), TypeError);
  assert.throws(() => p.run({ mem, regions: [{ addr: 0, size: 8 }] }), RangeError);
  assert.throws(() => p.run({ mem, regions: [{ addr: mem.size - 4, size: 8 }] }), RangeError);
  assert.throws(() => loadProgram([EXIT], { helpers: {} as never }), TypeError);
  assert.equal(p.engine, 'interp');
  assert.equal(p.length, 2);
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
