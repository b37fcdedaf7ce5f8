/**
 * The reference interpreter: loads and stores of every size, atomics, memory faults, the stack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { BpfFault } from '../src/ebpf/faults.js';
import { HelperRegistry } from '../src/ebpf/helpers.js';
import { loadInterpProgram as loadProgram, releaseInterpreter } from '../src/ebpf/interp.js';
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
import { helper, mem, type RunOpts, r0, run, throwsCode, u64 } from './interp-common.js';

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
