/**
 * The JIT (loadProgram with engine 'jit') against the interpreter: the bpf_conformance vectors on
 * every variant (plain, counting, and without guards where the vector touches no bad memory), loops
 * (a sum, an irreducible one through the dispatch switch), memory faults and their index, unaligned
 * atomics, every atomic operation, running off the end, budgets and may_goto.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { conformanceHelpers } from '../src/ebpf/conformance.js';
import { parseConformanceData } from '../src/ebpf/conformance-data.js';
import { loadProgram } from '../src/ebpf/engine.js';
import type { Insn } from '../src/ebpf/insn.js';
import type { JitProgram } from '../src/ebpf/jit/program.js';
import { BPF_MAX_LOOPS } from '../src/uapi/bpf.js';
import { repoRoot } from './helpers.js';
import { agree, ENGINE_VARIANTS, type Ending, ending, endings, mem, NO_GUARDS } from './jit-gen-run.js';

const CONFORMANCE_TESTS = join(repoRoot(), '..', 'shared', 'conformance', 'bpf', 'tests');
const ALL_VARIANTS = [...ENGINE_VARIANTS, NO_GUARDS];
const wat = (src: string): string => (loadProgram(assembleUbpf(src)) as JitProgram).compiled.wat;

/* ------------------------------------------------------------------ conformance vectors */

test('every conformance vector ends the same on the interpreter and every JIT variant', () => {
  const helpers = conformanceHelpers();
  let ran = 0;
  let unguarded = 0;
  const mismatches: string[] = [];
  for (const file of readdirSync(CONFORMANCE_TESTS)
    .filter((f) => f.endsWith('.data'))
    .sort()) {
    const data = parseConformanceData(readFileSync(join(CONFORMANCE_TESTS, file), 'utf8'));
    let insns: Insn[];
    try {
      insns = data.raw ?? assembleUbpf(data.asm ?? '');
    } catch {
      continue; // vectors that must not assemble: the assembler's tests cover them
    }
    const addr = data.mem.length > 0 ? mem.alloc(data.mem.length, 8) : 0;
    try {
      const run = () => {
        if (addr !== 0) mem.writeBytes(addr, data.mem);
        return {
          r1: addr,
          r2: data.mem.length,
          regions: addr === 0 ? [] : [{ addr, size: data.mem.length, name: 'mem' }],
        };
      };
      const got = new Map<string, Ending | string>();
      for (const v of ALL_VARIANTS) {
        let e: Ending | string;
        try {
          e = ending(loadProgram(insns, { helpers, budget: 1_000_000, ...v.opts }), run());
        } catch (err) {
          e = `load: ${(err as { code?: string }).code ?? String(err)}`;
        }
        got.set(v.name, e);
      }
      const want = got.get('interp') as Ending | string;
      const expectsError = data.error !== null && data.error !== '';
      if (!expectsError && (typeof want === 'string' || want.r0 !== (data.result ?? 0n)))
        mismatches.push(`${file}: interp ${JSON.stringify(want, big)}`);
      for (const [name, e] of got) {
        // Without guards: only vectors that run to their exit (no bad memory, no fault to match).
        if (name === NO_GUARDS.name && (expectsError || typeof want === 'string' || want.fault !== undefined))
          continue;
        if (name === NO_GUARDS.name) unguarded++;
        // A budget makes every JIT variant count; E_BUDGET would differ by design (none expected).
        const same =
          typeof e === 'string' || typeof want === 'string'
            ? e === want
            : e.r0 === want.r0 &&
              e.fault === want.fault &&
              e.index === want.index &&
              e.executed === want.executed;
        if (!same)
          mismatches.push(
            `${file}: ${name} ${JSON.stringify(e, big)} vs interp ${JSON.stringify(want, big)}`,
          );
      }
      ran++;
    } finally {
      if (addr !== 0) mem.free(addr);
    }
  }
  assert.deepEqual(mismatches, []);
  assert.ok(ran >= 300, `expected the 313 vectors to run, ran ${ran}`);
  assert.ok(unguarded >= 250, `expected most vectors to run without guards, ran ${unguarded}`);
});

const big = (_k: string, x: unknown): unknown => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x);

/* ------------------------------------------------------------------ loops */

test('a loop summing 1..N compiles to a wasm loop and agrees on every variant', () => {
  const src = 'mov %r0, 0\nmov %r2, 1\nadd %r0, %r2\nadd %r2, 1\njle %r2, %r1, -3\nexit';
  assert.match(wat(src), /\bloop\b/);
  for (const n of [0n, 1n, 10n, 1000n]) {
    const want = n === 0n ? 1n : (n * (n + 1n)) / 2n;
    assert.equal(agree(src, {}, { r1: n }, ALL_VARIANTS).r0, want);
  }
});

test('an irreducible loop (entered at two blocks) goes through the dispatch switch and agrees', () => {
  const src = [
    'mov %r0, 0',
    'jeq %r1, 0, +2',
    'add %r0, 1',
    'jgt %r0, 10, +3',
    'add %r0, 2',
    'jlt %r0, 20, -4',
    'ja +0',
    'exit',
  ].join('\n');
  assert.match(wat(src), /br_table/);
  for (const r1 of [0n, 1n, 7n]) agree(src, {}, { r1 }, ALL_VARIANTS);
});

/* ------------------------------------------------------------------ memory faults */

test('loads, stores and atomics in the NULL page or past the end fault E_FAULT_MEM at their index', () => {
  const size = BigInt(mem.memory.buffer.byteLength);
  const cases: [string, string, bigint][] = [
    ['load at 0', 'mov %r0, 1\nldxdw %r0, [%r1+0]\nexit', 0n],
    ['load ending in the NULL page', 'mov %r0, 1\nldxdw %r0, [%r1+0]\nexit', 4095n - 7n],
    ['load straddling the NULL page', 'mov %r0, 1\nldxdw %r0, [%r1+0]\nexit', 4092n],
    ['load past the end', 'mov %r0, 1\nldxdw %r0, [%r1+0]\nexit', size - 7n],
    ['load at a negative address', 'mov %r0, 1\nldxb %r0, [%r1+0]\nexit', -8n],
    ['load beyond 4 GiB', 'mov %r0, 1\nldxw %r0, [%r1+0]\nexit', 1n << 32n],
    ['store past the end', 'mov %r0, 0\nadd %r0, 1\nstw [%r1+2], 7\nexit', size - 5n],
    ['store in the NULL page', 'mov %r0, 0\nstw [%r1+2], 7\nexit', 8n],
    ['store of a register past the end', 'mov %r0, 0\nstxh [%r1-2], %r0\nexit', size + 1n],
    ['atomic in the NULL page', 'mov %r0, 0\nmov %r2, 1\nlock add [%r1+0], %r2\nexit', 16n],
    ['fetching atomic past the end', 'mov %r0, 0\nlock fetch or32 [%r1+0], %r0\nexit', size],
    ['cmpxchg past the end', 'mov %r0, 0\nlock cmpxchg [%r1+8], %r0\nexit', size - 8n],
  ];
  for (const [name, src, r1] of cases) {
    const insns = assembleUbpf(src);
    const index = insns.findIndex((i) => (i.code & 0x07) >= 1 && (i.code & 0x07) <= 3);
    const all = endings(insns, {}, { r1 });
    for (const [v, e] of all) {
      assert.equal(e.fault, 'E_FAULT_MEM', `${name}: ${v}`);
      assert.equal(e.index, index, `${name}: ${v}`);
    }
  }
});

test('unaligned atomics fault E_FAULT_ALIGN at their index on every variant', () => {
  const ops = ['lock add', 'lock fetch xor', 'lock xchg', 'lock cmpxchg'];
  for (const op of ops) {
    for (const [w, off] of [
      ['', -12],
      ['', -15],
      ['32', -6],
      ['32', -7],
    ] as const) {
      const src = `mov %r0, 0\nmov %r2, 1\nstdw [%r10-16], 0\nstdw [%r10-8], 0\n${op}${w} [%r10${off}], %r2\nexit`;
      const e = agree(src, {}, {}, ALL_VARIANTS);
      assert.equal(e.fault, 'E_FAULT_ALIGN', `${op}${w} at r10${off}`);
      assert.equal(e.index, 4);
    }
  }
});

/* ------------------------------------------------------------------ atomics */

test('every atomic operation (32/64, fetch, xchg, cmpxchg) agrees with the interpreter', () => {
  const ops = ['add', 'or', 'and', 'xor'].flatMap((o) => [`lock ${o}`, `lock fetch ${o}`]);
  ops.push('lock xchg', 'lock cmpxchg');
  const values: [bigint, bigint, bigint][] = [
    [0x0123_4567_89ab_cdefn, 0xf0f0_f0f0_0f0f_0f0fn, 0x0123_4567_89ab_cdefn],
    [0xffff_ffff_ffff_fff0n, 0x11n, 0x89ab_cdefn],
    [0x8000_0000n, 0x8000_0000n, 0x1n],
  ];
  let n = 0;
  for (const op of ops) {
    for (const w of ['', '32']) {
      for (const [mem0, src, cmp] of values) {
        // r0 (the comparand of cmpxchg), r2 (the source, fetched into), the memory word: all returned mixed.
        const text = [
          `lddw %r3, 0x${mem0.toString(16)}`,
          'stxdw [%r10-8], %r3',
          `lddw %r2, 0x${src.toString(16)}`,
          `lddw %r0, 0x${cmp.toString(16)}`,
          `${op}${w} [%r10-8], %r2`,
          'ldxdw %r4, [%r10-8]',
          'mov %r5, %r0',
          'lsh %r5, 1',
          'xor %r4, %r5',
          'mov %r5, %r2',
          'lsh %r5, 2',
          'xor %r4, %r5',
          'mov %r0, %r4',
          'exit',
        ].join('\n');
        agree(text, {}, {}, ALL_VARIANTS);
        n++;
      }
    }
  }
  assert.equal(n, 10 * 2 * values.length);
});

/* ------------------------------------------------------------------ end, budget, may_goto */

const OFF_THE_END = ['mov %r0, 1', 'mov %r0, 1\njeq %r0, 1, +1\nexit\nadd %r0, 1', 'lddw %r0, 5'];

test('running off the end faults E_FAULT_END at the slot past the last on every variant', () => {
  for (const src of OFF_THE_END) {
    const insns = assembleUbpf(src);
    for (const [v, e] of endings(insns, {}, {}, ALL_VARIANTS)) {
      assert.equal(e.fault, 'E_FAULT_END', `${src}: ${v}`);
      assert.equal(e.index, insns.length, `${src}: ${v}`);
    }
  }
});

test('running off the end: the counting JIT reports the executed count the interpreter reports', () => {
  for (const src of OFF_THE_END) agree(src, {}, {}, ALL_VARIANTS);
});

test('an endless loop stops E_BUDGET at the start of a block with executed <= budget', () => {
  // Blocks: [0, 1] then the loop body [2, 3, 4].
  const src = 'mov %r0, 0\nmov %r1, 0\nadd %r0, 1\nadd %r1, 2\nja -3';
  const starts = [0, 2];
  for (const budget of [1, 2, 3, 5, 7, 100, 1001]) {
    const interp = ending(loadProgram(assembleUbpf(src), { engine: 'interp', budget }));
    assert.equal(interp.fault, 'E_BUDGET');
    assert.equal(interp.executed, budget, 'the interpreter stops at the exact instruction');
    for (const opts of [{ budget }, { budget, count: true }, { budget, guards: false }]) {
      const e = ending(loadProgram(assembleUbpf(src), { engine: 'jit', ...opts }));
      assert.equal(e.fault, 'E_BUDGET', `budget ${budget}`);
      assert.ok(starts.includes(e.index as number), `budget ${budget}: index ${e.index} starts a block`);
      assert.ok(e.executed <= budget && e.executed > budget - 3, `budget ${budget}: executed ${e.executed}`);
    }
    // The run's budget overrides the program's.
    const e = ending(loadProgram(assembleUbpf(src), { engine: 'jit' }), { budget });
    assert.equal(e.fault, 'E_BUDGET');
    assert.ok(e.executed <= budget);
  }
});

/** r0 counts the iterations of a loop whose only exit is may_goto (not in the uBPF dialect: raw). */
const MAY_GOTO_LOOP: Insn[] = [
  { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 },
  { code: 0xe5, dst: 0, src: 0, off: 2, imm: 0 },
  { code: 0x07, dst: 0, src: 0, off: 0, imm: 1 },
  { code: 0x05, dst: 0, src: 0, off: -3, imm: 0 },
  { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
];

test(`may_goto ends its loop after ${BPF_MAX_LOOPS} iterations on every JIT variant`, () => {
  const insns = MAY_GOTO_LOOP;
  for (const v of ENGINE_VARIANTS.slice(1)) {
    const e = ending(loadProgram(insns, { ...v.opts }));
    assert.equal(e.r0, BigInt(BPF_MAX_LOOPS), v.name);
  }
});

test('may_goto with count and mayGotoReserve ends its loop before the budget runs out', () => {
  const insns = MAY_GOTO_LOOP;
  for (const budget of [50, 1000, 12345]) {
    const opts = { budget, mayGotoReserve: 10 };
    const want = ending(loadProgram(insns, { engine: 'interp', ...opts }));
    assert.equal(want.fault, undefined, `interp, budget ${budget}`);
    assert.ok((want.r0 as bigint) < BigInt(Math.ceil(budget / 3)));
    for (const extra of [{}, { count: true }, { guards: false }]) {
      const got = ending(loadProgram(insns, { engine: 'jit', ...opts, ...extra }));
      assert.equal(got.fault, undefined, `jit ${JSON.stringify(extra)}, budget ${budget}`);
      assert.ok(got.executed <= budget, `executed ${got.executed}`);
      assert.ok(
        (got.r0 as bigint) > 0n && (got.r0 as bigint) < BigInt(Math.ceil(budget / 3)),
        `r0 ${got.r0}`,
      );
      // The loop head is a block of its own: the JIT's count there is the interpreter's.
      assert.deepEqual(got, want, `jit ${JSON.stringify(extra)}, budget ${budget}`);
    }
  }
});

test('without guards, accesses past the memory and unaligned atomics trap back to their instruction', () => {
  const size = BigInt(mem.memory.buffer.byteLength);
  const cases: [string, string, bigint, string, number][] = [
    ['load past the end', 'mov %r0, 1\nadd %r0, 1\nldxdw %r0, [%r1+0]\nexit', size, 'E_FAULT_MEM', 2],
    ['store straddling the end', 'mov %r0, 0\nstxw [%r1+0], %r0\nexit', size - 2n, 'E_FAULT_MEM', 1],
    ['atomic past the end', 'mov %r0, 0\nlock fetch add [%r1+8], %r0\nexit', size, 'E_FAULT_MEM', 1],
    ['unaligned atomic', 'mov %r0, 0\nlock add32 [%r10-6], %r0\nexit', 0n, 'E_FAULT_ALIGN', 1],
    ['unaligned cmpxchg', 'mov %r0, 0\nlock cmpxchg [%r10-12], %r0\nexit', 0n, 'E_FAULT_ALIGN', 1],
  ];
  for (const [what, src, r1, code, index] of cases) {
    for (const extra of [{}, { count: true }]) {
      const e = ending(loadProgram(assembleUbpf(src), { engine: 'jit', guards: false, ...extra }), { r1 });
      assert.equal(e.fault, code, `${what} ${JSON.stringify(extra)}`);
      assert.equal(e.index, index, `${what} ${JSON.stringify(extra)}`);
    }
  }
});

test('may_goto counts per frame: each bpf2bpf call starts a fresh counter (JIT variants)', () => {
  // main: r6 = f() + f(); f: r0 counts the iterations of its may_goto loop.
  const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
  const insns: Insn[] = [
    I(0x85, 0, 1, 0, 5), // call f (slot 6)
    I(0xbf, 6, 0), // r6 = r0
    I(0x85, 0, 1, 0, 3), // call f
    I(0x0f, 0, 6), // r0 += r6
    I(0x95),
    I(0x95),
    I(0xb7, 0, 0, 0, 0), // f: r0 = 0
    I(0xe5, 0, 0, 2), // may_goto +2
    I(0x07, 0, 0, 0, 1),
    I(0x05, 0, 0, -3),
    I(0x95),
  ];
  for (const v of [...ENGINE_VARIANTS.slice(1), NO_GUARDS]) {
    assert.equal(ending(loadProgram(insns, v.opts)).r0, 2n * BigInt(BPF_MAX_LOOPS), v.name);
  }
});

test('may_goto with a reserve in a callee ends its loop where the interpreter ends it', () => {
  const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
  const insns: Insn[] = [
    I(0x85, 0, 1, 0, 21),
    ...Array.from({ length: 20 }, () => I(0x07, 1, 0, 0, 1)),
    I(0x95),
    ...MAY_GOTO_LOOP,
  ];
  for (const budget of [100, 1000]) agree(insns, { budget, mayGotoReserve: 30 }, {}, ALL_VARIANTS);
});

test('load errors are the same on both engines (class, code, index)', () => {
  const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
  const cases: [string, Insn[]][] = [
    ['a jump past the end', [I(0x05, 0, 0, 5), I(0x95)]],
    ['a jump into an lddw', [I(0x05, 0, 0, 1), I(0x18), I(0), I(0x95)]],
    ['a call past the end', [I(0x85, 0, 1, 0, 9), I(0x95)]],
    ['an unknown helper', [I(0xb7), I(0x85, 0, 0, 0, 9999), I(0x95)]],
    ['a map lddw without a resolver', [I(0x18, 1, 1, 0, 3), I(0), I(0x95)]],
    ['a bad opcode', [I(0xb7), I(0xff), I(0x95)]],
    ['no instructions', []],
  ];
  for (const [what, insns] of cases) {
    const errs = (['interp', 'jit'] as const).map((engine) => {
      try {
        loadProgram(insns, { engine });
        return 'loaded';
      } catch (e) {
        const x = e as { name: string; code?: string; index?: number };
        return `${x.name} ${x.code} @${x.index}`;
      }
    });
    assert.notEqual(errs[0], 'loaded', what);
    assert.equal(errs[1], errs[0], what);
  }
});

test('10,000 nested forward branches compile (no JS recursion per nesting level) and agree', () => {
  // Branch i jumps to the add i places from the end: ranges nested 10,000 deep, one wasm block each.
  const n = 10_000;
  const insns: Insn[] = [{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }];
  for (let i = 0; i < n; i++) insns.push({ code: 0x15, dst: 1, src: 0, off: 2 * (n - 1 - i), imm: i });
  for (let i = 0; i < n; i++) insns.push({ code: 0x07, dst: 0, src: 0, off: 0, imm: 1 });
  insns.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  for (const r1 of [0, 3, n - 1, n]) {
    const want = loadProgram(insns, { engine: 'interp' }).run({ mem, r1 }).r0;
    assert.equal(loadProgram(insns, { engine: 'jit' }).run({ mem, r1 }).r0, want, `r1 = ${r1}`);
  }
});
