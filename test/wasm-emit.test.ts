import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodeBuilder } from '../src/ebpf/jit/wasm/code.js';
import { s32, s64, u32, u64 } from '../src/ebpf/jit/wasm/leb128.js';
import { ModuleBuilder } from '../src/ebpf/jit/wasm/module.js';
import { OPCODES } from '../src/ebpf/jit/wasm/opcodes.js';

type Fn = (...args: unknown[]) => unknown;

/** Validate and instantiate `m`, returning its exports as functions. */
function instantiate(
  m: ModuleBuilder,
  imports: Record<string, Record<string, unknown>> = {},
): Record<string, Fn> {
  const bytes = m.build();
  assert.ok(WebAssembly.validate(bytes), 'module should validate');
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports as never);
  return inst.exports as unknown as Record<string, Fn>;
}

/** The `name` custom sections of a module (customSections is missing from the TS lib types). */
function nameSections(bytes: Uint8Array): ArrayBuffer[] {
  const M = WebAssembly.Module as unknown as { customSections(m: unknown, n: string): ArrayBuffer[] };
  return M.customSections(new WebAssembly.Module(bytes), 'name');
}

function sharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 1, maximum: 10, shared: true });
}

describe('LEB128', () => {
  const cases: [string, () => number[], number[]][] = [
    ['u32 0', () => u32(0), [0x00]],
    ['u32 127', () => u32(127), [0x7f]],
    ['u32 128', () => u32(128), [0x80, 0x01]],
    ['u32 2^32-1', () => u32(0xffffffff), [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ['s32 0', () => s32(0), [0x00]],
    ['s32 127', () => s32(127), [0xff, 0x00]],
    ['s32 128', () => s32(128), [0x80, 0x01]],
    ['s32 -1', () => s32(-1), [0x7f]],
    ['s32 -64', () => s32(-64), [0x40]],
    ['s32 -65', () => s32(-65), [0xbf, 0x7f]],
    ['s32 2^31-1', () => s32(0x7fffffff), [0xff, 0xff, 0xff, 0xff, 0x07]],
    ['s32 -2^31', () => s32(-0x80000000), [0x80, 0x80, 0x80, 0x80, 0x78]],
    ['u64 0', () => u64(0n), [0x00]],
    ['u64 128', () => u64(128n), [0x80, 0x01]],
    ['u64 2^64-1', () => u64((1n << 64n) - 1n), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['s64 -1', () => s64(-1n), [0x7f]],
    ['s64 -64', () => s64(-64n), [0x40]],
    ['s64 -65', () => s64(-65n), [0xbf, 0x7f]],
    ['s64 127', () => s64(127n), [0xff, 0x00]],
    ['s64 2^31-1', () => s64(0x7fffffffn), [0xff, 0xff, 0xff, 0xff, 0x07]],
    ['s64 -2^31', () => s64(-0x80000000n), [0x80, 0x80, 0x80, 0x80, 0x78]],
    ['s64 2^63-1', () => s64((1n << 63n) - 1n), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]],
    ['s64 -2^63', () => s64(-(1n << 63n)), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]],
  ];
  for (const [label, enc, bytes] of cases) {
    it(`encodes ${label} as ${bytes.map((b) => b.toString(16)).join(' ')}`, () => {
      assert.deepEqual(enc(), bytes);
    });
  }

  const bad: [string, () => unknown][] = [
    ['u32 -1', () => u32(-1)],
    ['u32 2^32', () => u32(0x100000000)],
    ['u32 1.5', () => u32(1.5)],
    ['s32 2^31', () => s32(0x80000000)],
    ['s32 -2^31-1', () => s32(-0x80000001)],
    ['u64 -1', () => u64(-1n)],
    ['u64 2^64', () => u64(1n << 64n)],
    ['s64 2^63', () => s64(1n << 63n)],
    ['s64 -2^63-1', () => s64(-(1n << 63n) - 1n)],
  ];
  for (const [label, enc] of bad) {
    it(`rejects ${label} with RangeError`, () => assert.throws(enc, RangeError));
  }
});

describe('opcode tables', () => {
  it('hold the spec values for a sample of instructions', () => {
    assert.deepEqual(OPCODES['i64.add'], [0x7c]);
    assert.deepEqual(OPCODES['i32.rotr'], [0x78]);
    assert.deepEqual(OPCODES['i64.extend_i32_u'], [0xad]);
    assert.deepEqual(OPCODES['i64.store32'], [0x3e]);
    assert.deepEqual(OPCODES['i64.atomic.rmw.cmpxchg'], [0xfe, 0x49]);
    assert.deepEqual(OPCODES['i64.atomic.rmw32.xchg_u'], [0xfe, 0x47]);
    assert.deepEqual(OPCODES['i32.atomic.rmw8.or_u'], [0xfe, 0x35]);
    assert.ok(Object.isFrozen(OPCODES));
  });

  it('give every instruction distinct bytes', () => {
    const seen = new Map<string, string>();
    for (const [name, code] of Object.entries(OPCODES)) {
      const key = code.join(',');
      assert.equal(seen.get(key), undefined, `${name} and ${seen.get(key)} share opcode ${key}`);
      seen.set(key, name);
    }
  });
});

describe('ModuleBuilder + CodeBuilder', () => {
  it('runs an i64 add function', () => {
    const m = new ModuleBuilder();
    const body = new CodeBuilder().localGet(0).localGet(1).op('i64.add');
    m.addFunction({ params: ['i64', 'i64'], results: ['i64'], body, export: 'add', name: 'add' });
    const { add } = instantiate(m);
    assert.equal(add!(2n, 40n), 42n);
    assert.equal(add!(-1n, 1n), 0n);
    assert.equal(add!((1n << 63n) - 1n, 1n), -(1n << 63n));
  });

  it('deduplicates function types', () => {
    const m = new ModuleBuilder();
    assert.equal(m.addType(['i64'], ['i64']), 0);
    assert.equal(m.addType(['i32'], []), 1);
    assert.equal(m.addType(['i64'], ['i64']), 0);
  });

  it('counts to N with block/loop/br_if', () => {
    // (param $n i64) (local $i i64): while (i < n) i++; return i * 3
    const c = new CodeBuilder()
      .op('block')
      .op('loop')
      .localGet(1)
      .localGet(0)
      .op('i64.ge_u')
      .op('br_if', 1)
      .localGet(1)
      .i64Const(1n)
      .op('i64.add')
      .localSet(1)
      .op('br', 0)
      .op('end')
      .op('end')
      .localGet(1)
      .i64Const(3n)
      .op('i64.mul');
    const m = new ModuleBuilder();
    m.addFunction({ params: ['i64'], results: ['i64'], locals: ['i64'], body: c, export: 'count' });
    const { count } = instantiate(m);
    assert.equal(count!(0n), 0n);
    assert.equal(count!(1000n), 3000n);
  });

  it('dispatches with br_table', () => {
    // switch (x) { case 0: 10; case 1: 20; case 2: 30; default: 99 }
    const c = new CodeBuilder();
    c.op('block').op('block').op('block').op('block');
    c.localGet(0).op('br_table', [0, 1, 2], 3).op('end');
    c.i32Const(10).op('return').op('end');
    c.i32Const(20).op('return').op('end');
    c.i32Const(30).op('return').op('end');
    c.i32Const(99);
    const m = new ModuleBuilder();
    m.addFunction({ params: ['i32'], results: ['i32'], body: c, export: 'sw' });
    const { sw } = instantiate(m);
    assert.deepEqual(
      [0, 1, 2, 3, 1000, -1].map((x) => sw!(x)),
      [10, 20, 30, 99, 99, 99],
    );
  });

  it('zero-extends i32 ALU results to i64 as eBPF ALU32 does', () => {
    // (u64)(u32)(a + b) and (u64)(u32)(a >> (b & 31)) arithmetic, from i64 operands.
    const add32 = new CodeBuilder()
      .localGet(0)
      .op('i32.wrap_i64')
      .localGet(1)
      .op('i32.wrap_i64')
      .op('i32.add')
      .op('i64.extend_i32_u');
    const arsh32 = new CodeBuilder()
      .localGet(0)
      .op('i32.wrap_i64')
      .localGet(1)
      .op('i32.wrap_i64')
      .i32Const(31)
      .op('i32.and')
      .op('i32.shr_s')
      .op('i64.extend_i32_u');
    const sext8 = new CodeBuilder().localGet(0).op('i64.extend8_s');
    const m = new ModuleBuilder();
    m.addFunction({ params: ['i64', 'i64'], results: ['i64'], body: add32, export: 'add32' });
    m.addFunction({ params: ['i64', 'i64'], results: ['i64'], body: arsh32, export: 'arsh32' });
    m.addFunction({ params: ['i64'], results: ['i64'], body: sext8, export: 'sext8' });
    const e = instantiate(m);
    assert.equal(e.add32!(0xffffffffn, 2n), 1n);
    assert.equal(e.add32!(-1n, 0n), 0xffffffffn);
    assert.equal(e.arsh32!(0x80000000n, 4n), 0xf8000000n);
    assert.equal(e.sext8!(0x80n), -128n);
  });

  it('loads and stores on an imported shared memory', () => {
    const m = new ModuleBuilder();
    m.importMemory('env', 'mem', { min: 1, max: 10, shared: true });
    // store64(addr, v) at offset 8; load32_u(addr); load8_s(addr) with align 1
    const st = new CodeBuilder().localGet(0).localGet(1).op('i64.store', 8);
    const ld32 = new CodeBuilder().localGet(0).op('i64.load32_u', 0, 0);
    const ld8 = new CodeBuilder().localGet(0).op('i64.load8_s');
    const size = new CodeBuilder().op('memory.size');
    m.addFunction({ params: ['i32', 'i64'], results: [], body: st, export: 'st' });
    m.addFunction({ params: ['i32'], results: ['i64'], body: ld32, export: 'ld32' });
    m.addFunction({ params: ['i32'], results: ['i64'], body: ld8, export: 'ld8' });
    m.addFunction({ params: [], results: ['i32'], body: size, export: 'size' });
    const memory = sharedMemory();
    const e = instantiate(m, { env: { mem: memory } });
    e.st!(0x100, 0x1122_3344_5566_77ffn);
    const dv = new DataView(memory.buffer);
    assert.equal(dv.getBigUint64(0x108, true), 0x1122_3344_5566_77ffn);
    assert.equal(e.ld32!(0x108), 0x5566_77ffn);
    assert.equal(e.ld8!(0x108), -1n);
    assert.equal(e.size!(), 1);
  });

  it('performs i64 atomic add and cmpxchg on the shared memory', () => {
    const m = new ModuleBuilder();
    m.importMemory('env', 'mem', { min: 1, max: 10, shared: true });
    const add = new CodeBuilder().localGet(0).localGet(1).op('i64.atomic.rmw.add');
    const cas = new CodeBuilder().localGet(0).localGet(1).localGet(2).op('i64.atomic.rmw.cmpxchg');
    const add32 = new CodeBuilder().localGet(0).localGet(1).op('i32.atomic.rmw.add', 4);
    m.addFunction({ params: ['i32', 'i64'], results: ['i64'], body: add, export: 'add' });
    m.addFunction({ params: ['i32', 'i64', 'i64'], results: ['i64'], body: cas, export: 'cas' });
    m.addFunction({ params: ['i32', 'i32'], results: ['i32'], body: add32, export: 'add32' });
    const memory = sharedMemory();
    const e = instantiate(m, { env: { mem: memory } });
    const big = new BigInt64Array(memory.buffer);
    big[2] = 40n;
    assert.equal(e.add!(16, 2n), 40n); // returns the old value
    assert.equal(big[2], 42n);
    assert.equal(e.cas!(16, 0n, 7n), 42n); // mismatch: unchanged
    assert.equal(big[2], 42n);
    assert.equal(e.cas!(16, 42n, 7n), 42n);
    assert.equal(big[2], 7n);
    assert.equal(e.add32!(16, 1), 0); // high half of slot 2 (offset 4)
    assert.equal(big[2], 7n + (1n << 32n));
  });

  it('calls an imported JS function with i64 arguments (BigInt at the boundary)', () => {
    const m = new ModuleBuilder();
    const helper = m.importFunction('env', 'helper', ['i64', 'i64'], ['i64']);
    const body = new CodeBuilder().localGet(0).i64Const(-1n).call(helper).i64Const(1n).op('i64.add');
    m.addFunction({ params: ['i64'], results: ['i64'], body, export: 'f', name: 'f', localNames: ['x'] });
    const seen: unknown[] = [];
    let stack = '';
    const e = instantiate(m, {
      env: {
        helper: (a: bigint, b: bigint) => {
          seen.push(a, b);
          stack = new Error().stack ?? '';
          return a * 2n;
        },
      },
    });
    assert.equal(e.f!(21n), 43n);
    assert.deepEqual(seen, [21n, -1n]);
    assert.match(stack, /at f \(wasm:/, 'the name section names the function in stack traces');
  });

  it('rejects an end without an open block, an unknown label and unclosed blocks', () => {
    assert.throws(() => new CodeBuilder().op('end'), TypeError);
    assert.throws(() => new CodeBuilder().op('else'), TypeError);
    assert.throws(() => new CodeBuilder().op('block').op('br', 2), RangeError);
    assert.throws(() => new CodeBuilder().op('br_table', [0], 1), RangeError);
    assert.throws(() => new CodeBuilder().op('loop').finish(), TypeError);
    assert.throws(() => new CodeBuilder().op('i64.frobnicate'), TypeError);
    assert.throws(() => new CodeBuilder().op('i64.const', 1), TypeError);
    assert.throws(() => new CodeBuilder().op('i64.load', 0, 4), RangeError);
    assert.throws(() => new CodeBuilder().op('i64.atomic.load', 0, 2), RangeError);
    assert.throws(() => new ModuleBuilder().importMemory('e', 'm', { min: 1, shared: true }), TypeError);
  });

  it('rejects an import after a defined function', () => {
    const m = new ModuleBuilder();
    m.addFunction({ params: [], results: [], body: new CodeBuilder() });
    assert.throws(() => m.importFunction('env', 'h', [], []), TypeError);
  });

  it('builds a valid module without a name section too', () => {
    const m = new ModuleBuilder();
    m.addFunction({ params: [], results: [], body: new CodeBuilder().op('nop'), name: 'n', export: 'n' });
    const withNames = m.build();
    const without = m.build({ names: false });
    assert.ok(WebAssembly.validate(withNames) && WebAssembly.validate(without));
    assert.ok(without.length < withNames.length);
    assert.equal(nameSections(withNames).length, 1);
    assert.equal(nameSections(without).length, 0);
  });
});

describe('CodeBuilder.toWat', () => {
  it('renders one function flat, indented by block depth', () => {
    const c = new CodeBuilder()
      .op('block', 'i64')
      .localGet(0)
      .op('i64.eqz')
      .op('if')
      .i64Const(-1n)
      .op('return')
      .op('else')
      .localGet(1)
      .op('i64.load32_u', 16, 1)
      .op('drop')
      .op('end')
      .i64Const(0xffffffffffffffffn)
      .i32Const(0)
      .op('br_table', [0, 1], 0)
      .op('end');
    const m = new ModuleBuilder();
    m.importMemory('env', 'mem', { min: 1, max: 10, shared: true });
    m.addFunction({ params: ['i64', 'i32'], results: ['i64'], body: c, export: 'f' });
    assert.ok(WebAssembly.validate(m.build()), 'the rendered function is a valid one');
    assert.equal(
      c.toWat(1),
      [
        '  block (result i64)',
        '    local.get 0',
        '    i64.eqz',
        '    if',
        '      i64.const -1',
        '      return',
        '    else',
        '      local.get 1',
        '      i64.load32_u offset=16 align=2',
        '      drop',
        '    end',
        '    i64.const -1',
        '    i32.const 0',
        '    br_table 0 1 0',
        '  end',
      ].join('\n'),
    );
  });
});

describe('opcode values checked by running them', () => {
  // Binary ops of width w against a BigInt model; results as the JS boundary gives them (signed).
  function modelOf(w: 32 | 64): Record<string, (a: bigint, b: bigint) => bigint> {
    const W = BigInt(w);
    const s = (v: bigint) => BigInt.asIntN(w, v);
    const u = (v: bigint) => BigInt.asUintN(w, v);
    const sh = (b: bigint) => u(b) % W;
    const b01 = (c: boolean) => (c ? 1n : 0n);
    return {
      add: (a, b) => s(a + b),
      sub: (a, b) => s(a - b),
      mul: (a, b) => s(a * b),
      div_s: (a, b) => s(s(a) / s(b)),
      div_u: (a, b) => s(u(a) / u(b)),
      rem_s: (a, b) => s(s(a) % s(b)),
      rem_u: (a, b) => s(u(a) % u(b)),
      and: (a, b) => s(a & b),
      or: (a, b) => s(a | b),
      xor: (a, b) => s(a ^ b),
      shl: (a, b) => s(a << sh(b)),
      shr_s: (a, b) => s(s(a) >> sh(b)),
      shr_u: (a, b) => s(u(a) >> sh(b)),
      rotl: (a, b) => s((u(a) << sh(b)) | (u(a) >> ((W - sh(b)) % W))),
      rotr: (a, b) => s((u(a) >> sh(b)) | (u(a) << ((W - sh(b)) % W))),
      eq: (a, b) => b01(u(a) === u(b)),
      ne: (a, b) => b01(u(a) !== u(b)),
      lt_s: (a, b) => b01(s(a) < s(b)),
      lt_u: (a, b) => b01(u(a) < u(b)),
      gt_s: (a, b) => b01(s(a) > s(b)),
      gt_u: (a, b) => b01(u(a) > u(b)),
      le_s: (a, b) => b01(s(a) <= s(b)),
      le_u: (a, b) => b01(u(a) <= u(b)),
      ge_s: (a, b) => b01(s(a) >= s(b)),
      ge_u: (a, b) => b01(u(a) >= u(b)),
    };
  }
  const pairs: [bigint, bigint][] = [
    [7n, 3n],
    [-7n, 3n],
    [3n, -7n],
    [-1n, 2n],
    [-(1n << 63n), 4n],
    [-(1n << 31n), 5n],
    [0x123456789abcdefn, 68n],
  ];
  for (const w of [32, 64] as const) {
    const ty = w === 32 ? 'i32' : 'i64';
    const model = modelOf(w);
    const m = new ModuleBuilder();
    // Every function takes and returns i64; i32 ops wrap their operands and sign-extend the result.
    for (const op of Object.keys(model)) {
      const c = new CodeBuilder().localGet(0);
      if (w === 32) c.op('i32.wrap_i64');
      c.localGet(1);
      if (w === 32) c.op('i32.wrap_i64');
      c.op(`${ty}.${op}`);
      if (w === 32 || /^(eq|ne|[lg][te]_[su])$/.test(op)) c.op('i64.extend_i32_s');
      m.addFunction({ params: ['i64', 'i64'], results: ['i64'], body: c, export: op });
    }
    const e = instantiate(m);
    for (const [op, f] of Object.entries(model)) {
      it(`${ty}.${op} computes what the BigInt model says`, () => {
        for (const [a, b] of pairs) {
          assert.equal(e[op]!(a, b), f(BigInt.asIntN(w, a), BigInt.asIntN(w, b)), `${ty}.${op}(${a}, ${b})`);
        }
      });
    }
  }

  it('every memory and atomic instruction validates with its operand types', () => {
    const mod = new ModuleBuilder();
    mod.importMemory('env', 'mem', { min: 1, max: 10, shared: true });
    const names = Object.keys(OPCODES).filter((n) => /\.(load|store)|\.atomic\.rmw/.test(n));
    assert.ok(names.length > 19 + 14 + 49 - 1, `found ${names.length}`);
    for (const name of names) {
      const ty = name.startsWith('i64') ? 'i64' : 'i32';
      const c = new CodeBuilder().i32Const(0);
      const konst = () => (ty === 'i64' ? c.i64Const(0n) : c.i32Const(0));
      if (!/load/.test(name)) konst();
      if (name.endsWith('cmpxchg') || name.endsWith('cmpxchg_u')) konst();
      c.op(name);
      if (!/store/.test(name)) c.op('drop');
      mod.addFunction({ params: [], results: [], body: c, name });
    }
    assert.ok(WebAssembly.validate(mod.build()));
  });
});

describe('ModuleBuilder.toWat', () => {
  it('renders types, imports, functions with named params/locals (used by name in the body), and exports', () => {
    const m = new ModuleBuilder();
    m.importMemory('env', 'mem', { min: 1, max: 10, shared: true });
    const h = m.importFunction('env', 'helper', ['i64'], ['i64']);
    const body = new CodeBuilder().localGet(0).call(h).localTee(1);
    m.addFunction({
      name: 'prog',
      params: ['i64'],
      results: ['i64'],
      locals: ['i64', 'i32'],
      localNames: ['r1', 'r0'],
      body,
      export: 'run',
    });
    assert.ok(WebAssembly.validate(m.build()));
    assert.equal(
      m.toWat(),
      [
        '(module',
        '  (type (;0;) (func (param i64) (result i64)))',
        '  (import "env" "helper" (func (;0;) (type 0)))',
        '  (import "env" "mem" (memory 1 10 shared))',
        '  (func $prog (type 0) (param $r1 i64) (result i64) (local $r0 i64) (local i32)',
        '    local.get $r1',
        '    call 0',
        '    local.tee $r0',
        '  )',
        '  (export "run" (func 1))',
        ')',
      ].join('\n'),
    );
  });
});
