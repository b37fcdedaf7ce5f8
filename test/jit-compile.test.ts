/**
 * The first eBPF → WebAssembly compiler (src/ebpf/jit/compile.ts), checked against the interpreter:
 * the bpf_conformance vectors it supports, seeded random ALU programs, a loop, and the WAT shape.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { conformanceHelpers } from '../src/ebpf/conformance.js';
import { parseConformanceData } from '../src/ebpf/conformance-data.js';
import type { Insn } from '../src/ebpf/insn.js';
import { loadInterpProgram as loadProgram } from '../src/ebpf/interp.js';
import { compileProgram } from '../src/ebpf/jit/compile.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { repoRoot } from './helpers.js';

const CONFORMANCE_TESTS = join(repoRoot(), '..', 'shared', 'conformance', 'bpf', 'tests');
const mem = new AddressSpace({ size: 1 << 20 });
const STACK = 512;

type RunFn = (r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, fp: bigint) => bigint;

function jit(insns: readonly Insn[]): RunFn {
  const { bytes } = compileProgram(insns);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: mem.memory } });
  return inst.exports.run as RunFn;
}

/** Run with the JIT: a fresh zeroed stack; r0 as a u64. */
function runJit(fn: RunFn, r: readonly bigint[]): bigint {
  const stack = mem.alloc(STACK, 8);
  try {
    const [a = 0n, b = 0n, c = 0n, d = 0n, e = 0n] = r;
    return BigInt.asUintN(64, fn(a, b, c, d, e, BigInt(stack + STACK)));
  } finally {
    mem.free(stack);
  }
}

function runInterp(insns: readonly Insn[], r: readonly bigint[]): bigint {
  const prog = loadProgram(insns, { helpers: conformanceHelpers(), budget: 1_000_000 });
  const [r1 = 0n, r2 = 0n, r3 = 0n, r4 = 0n, r5 = 0n] = r;
  return prog.run({ mem, r1, r2, r3, r4, r5 }).r0;
}

/* ------------------------------------------------------------------ conformance vectors */

test('the JIT agrees with the interpreter on the conformance vectors it supports', () => {
  let ran = 0;
  let skipped = 0;
  const mismatches: string[] = [];
  for (const file of readdirSync(CONFORMANCE_TESTS)
    .filter((f) => f.endsWith('.data'))
    .sort()) {
    const data = parseConformanceData(readFileSync(join(CONFORMANCE_TESTS, file), 'utf8'));
    if (data.error !== null && data.error !== '') {
      skipped++;
      continue;
    }
    let insns: Insn[];
    let fn: RunFn;
    try {
      insns = data.raw ?? assembleUbpf(data.asm ?? '');
      fn = jit(insns);
    } catch (e) {
      if (e instanceof TypeError && /not supported/.test(e.message)) {
        skipped++;
        continue;
      }
      mismatches.push(`${file}: compile failed: ${String(e)}`);
      continue;
    }
    const addr = data.mem.length > 0 ? mem.alloc(data.mem.length, 8) : 0;
    try {
      if (addr !== 0) mem.writeBytes(addr, data.mem);
      const args = [BigInt(addr), BigInt(data.mem.length)];
      const got = runJit(fn, args);
      const want = data.result ?? 0n;
      ran++;
      if (got !== want)
        mismatches.push(`${file}: JIT r0 = 0x${got.toString(16)}, expected 0x${want.toString(16)}`);
    } catch (e) {
      mismatches.push(`${file}: JIT run failed: ${String(e)}`);
    } finally {
      if (addr !== 0) mem.free(addr);
    }
  }
  console.log(`# jit conformance: ${ran} ran, ${ran - mismatches.length} passed, ${skipped} skipped`);
  assert.deepEqual(mismatches, []);
  assert.ok(ran >= 250, `expected most vectors to run, ran ${ran}`);
});

/* ------------------------------------------------------------------ random programs */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALU_LINES = [
  'add',
  'sub',
  'mul',
  'div',
  'sdiv',
  'mod',
  'smod',
  'or',
  'and',
  'lsh',
  'rsh',
  'arsh',
  'xor',
  'mov',
];
const JMPS = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset'];
const IMMS = [0, 1, -1, 2, 7, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 12345, -9];

function randomProgram(next: () => number, branchy: boolean): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const r = (): string => `%r${Math.floor(next() * 6)}`;
  const lines: string[] = ['mov %r0, %r1'];
  const n = 10 + Math.floor(next() * 30);
  for (let i = 0; i < n; i++) {
    const k = next();
    const w = next() < 0.5 ? '32' : '';
    const src = next() < 0.5 ? r() : String(pick(IMMS));
    if (k < 0.7) lines.push(`${pick(ALU_LINES)}${w} ${r()}, ${src}`);
    else if (k < 0.75) lines.push(`neg${w} ${r()}`);
    else if (k < 0.8) lines.push(`${pick(['le', 'be'])}${pick([16, 32, 64])} ${r()}`);
    else if (k < 0.85)
      lines.push(`movsx${pick(w === '' ? [8, 16, 32] : [8, 16])}${w === '' ? '64' : '32'} ${r()}, ${r()}`);
    else if (branchy && k < 1) {
      const cond = next() < 0.5 ? 'jmp32' : '';
      const op = pick(JMPS);
      const name = cond === '' ? op : `${op}32`;
      lines.push(`${name} ${r()}, ${src}, +${Math.floor(next() * Math.min(5, n - i))}`);
    } else lines.push(`xor %r0, ${r()}`);
    if (next() < 0.3) lines.push(`add %r0, ${r()}`);
  }
  lines.push('exit');
  return lines.join('\n');
}

function randomArgs(next: () => number): bigint[] {
  return [0, 1, 2, 3, 4].map(() => {
    const hi = BigInt(Math.floor(next() * 2 ** 32));
    const lo = BigInt(Math.floor(next() * 2 ** 32));
    return next() < 0.2 ? BigInt(Math.floor(next() * 10)) : (hi << 32n) | lo;
  });
}

for (const branchy of [false, true]) {
  test(`seeded random ${branchy ? 'branchy' : 'straight-line'} ALU programs agree with the interpreter`, () => {
    const next = rng(branchy ? 0xb4a9c : 0x5eed);
    let checked = 0;
    for (let p = 0; p < 150; p++) {
      const src = randomProgram(next, branchy);
      const insns = assembleUbpf(src);
      const fn = jit(insns);
      for (let a = 0; a < 4; a++) {
        const args = randomArgs(next);
        assert.equal(runJit(fn, args), runInterp(insns, args), `program:\n${src}\nargs ${args.join(', ')}`);
        checked++;
      }
    }
    assert.ok(checked >= 400, `expected at least 400 runs, found ${checked}`);
  });
}

/* ------------------------------------------------------------------ loop, WAT, errors */

test('a loop summing 1..N compiles to a wasm loop and returns N(N+1)/2', () => {
  const insns = assembleUbpf(
    ['mov %r0, 0', 'mov %r2, 1', 'add %r0, %r2', 'add %r2, 1', 'jle %r2, %r1, -3', 'exit'].join('\n'),
  );
  const { wat } = compileProgram(insns);
  assert.match(wat, /\bloop\b/);
  const fn = jit(insns);
  for (const n of [0n, 1n, 10n, 1000n]) {
    const want = n === 0n ? 1n : (n * (n + 1n)) / 2n;
    assert.equal(runJit(fn, [n]), want);
    assert.equal(runInterp(insns, [n]), want);
  }
});

test('a tiny program renders as the expected WAT body (r0 = local 6, r1 = local 0)', () => {
  const { wat } = compileProgram(assembleUbpf('mov %r0, 42\nadd %r0, %r1\nexit'));
  assert.match(wat, /\(import "env" "memory" \(memory \d+ \d+ shared\)\)/);
  assert.match(wat, /\(export "run" \(func 0\)\)/);
  const body = wat
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(i64|i32|local|return|unreachable)/.test(l));
  assert.deepEqual(body, [
    'i64.const 42',
    'local.set 6',
    'local.get 6',
    'local.get 0',
    'i64.add',
    'local.set 6',
    'local.get 6',
    'return',
    'unreachable',
  ]);
});

test('calls and atomics are rejected with a TypeError naming the instruction', () => {
  assert.throws(() => compileProgram(assembleUbpf('call 5\nexit')), /instruction 0 .*a call/);
  assert.throws(
    () => compileProgram(assembleUbpf('mov %r0, 0\nstxdw [%r10-8], %r0\nlock add [%r10-8], %r0\nexit')),
    /instruction 2 .*atomic/,
  );
});

test('an irreducible loop (entered at two blocks) goes through the dispatch switch and agrees', () => {
  const insns = assembleUbpf(
    [
      'mov %r0, 0',
      'jeq %r1, 0, +2',
      'add %r0, 1',
      'jgt %r0, 10, +3',
      'add %r0, 2',
      'jlt %r0, 20, -4',
      'ja +0',
      'exit',
    ].join('\n'),
  );
  assert.match(compileProgram(insns).wat, /br_table/);
  const fn = jit(insns);
  for (const r1 of [0n, 1n, 7n]) assert.equal(runJit(fn, [r1]), runInterp(insns, [r1]));
});

test('loads and stores outside the memory or into the NULL page trap', () => {
  const size = BigInt(mem.memory.buffer.byteLength);
  const load = jit(assembleUbpf('ldxdw %r0, [%r1+0]\nexit'));
  const store = jit(assembleUbpf('stw [%r1+2], 7\nmov %r0, 0\nexit'));
  const cases: [RunFn, bigint][] = [
    [load, 0n],
    [load, 4095n],
    [load, size - 7n],
    [load, -8n],
    [store, size - 5n],
    [store, 8n],
  ];
  for (const [fn, addr] of cases) {
    assert.throws(
      () => runJit(fn, [addr]),
      (e: unknown) => e instanceof Error && e.constructor.name === 'RuntimeError',
      `address ${addr}`,
    );
  }
  assert.doesNotThrow(() => runJit(load, [size - 8n]));
  assert.equal(runJit(store, [size - 6n]), 0n);
});
