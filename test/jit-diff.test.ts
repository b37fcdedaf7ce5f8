/**
 * Differential testing: seeded random programs (test/jit-gen.ts) run on the interpreter and on the
 * JIT (with guards, counting, and without guards when the program holds no deliberate fault) must
 * agree on r0, the run region's bytes, the fault (code and index) and, when the JIT counts, the
 * instructions executed; a program that exits after N instructions must also exit on the JIT with a
 * budget of N and stop E_BUDGET with N - 1. The long run is scripts/jit-diff.mjs (npm run jit-diff).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disassemble } from '../src/ebpf/disasm.js';
import type { Insn } from '../src/ebpf/insn.js';
import type { BpfProgram } from '../src/ebpf/run-env.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { compareOutcome, genHelpers, genProgram, REGION, runVariants } from './jit-gen.js';

const mem = new AddressSpace({ size: 1 << 20 });
const slots: BpfProgram[] = [];
const helpers = genHelpers(() => slots);

function check(seed: number): { faulted: boolean; tails: boolean } {
  const gp = genProgram(seed, mem.memory.buffer.byteLength);
  const addr = mem.alloc(REGION, 8);
  try {
    const { want, outcomes, diffs } = runVariants(gp, mem, addr, helpers, slots);
    if (diffs.length > 0) {
      const targets = gp.targets.map((t, k) => `target ${k}:\n${disassemble(t).join('\n')}`);
      assert.fail(
        `seed ${seed}: ${diffs.join('\n')}\n${outcomes.join('\n')}\n${disassemble(gp.insns).join('\n')}\n${targets.join('\n')}`,
      );
    }
    return { faulted: want.fault !== null, tails: gp.tails };
  } finally {
    mem.free(addr);
  }
}

test('seeded random programs agree on every engine variant (r0, region, fault, executed)', () => {
  let faulted = 0;
  let tails = 0;
  const N = 250;
  for (let seed = 1; seed <= N; seed++) {
    const r = check(seed);
    if (r.faulted) faulted++;
    if (r.tails) tails++;
  }
  console.log(`# jit-diff: ${N} programs, ${faulted} faulted, ${tails} with tail calls`);
  assert.ok(tails > 10, `expected programs with tail calls, found ${tails}`);
  assert.ok(faulted > 0 && faulted < N / 2, `expected some programs to fault, ${faulted} of ${N} did`);
});

test('the generator is deterministic and covers every instruction family', () => {
  const size = mem.memory.buffer.byteLength;
  assert.deepEqual(genProgram(77, size).insns, genProgram(77, size).insns);
  assert.notDeepEqual(genProgram(77, size).insns, genProgram(78, size).insns);
  const families: Record<string, (i: Insn) => boolean> = {
    alu64: (i) => (i.code & 7) === 7 && (i.code & 0xf0) !== 0xd0,
    alu32: (i) => (i.code & 7) === 4 && (i.code & 0xf0) !== 0xd0,
    'sdiv/smod': (i) => [0x30, 0x90].includes(i.code & 0xf0) && [4, 7].includes(i.code & 7) && i.off === 1,
    movsx: (i) => (i.code === 0xbf || i.code === 0xbc) && i.off !== 0,
    'byte swaps': (i) => (i.code & 0xf0) === 0xd0 && (i.code & 7) !== 5,
    jmp32: (i) => (i.code & 7) === 6,
    'sign-extending loads': (i) => (i.code & 0xe7) === 0x81,
    atomics: (i) => (i.code & 0xe7) === 0xc3,
    cmpxchg: (i) => (i.code & 0xe7) === 0xc3 && i.imm === 0xf1,
    may_goto: (i) => i.code === 0xe5,
    'bpf2bpf calls': (i) => i.code === 0x85 && i.src === 1,
    callx: (i) => i.code === 0x8d,
    'tail calls': (i) => i.code === 0x85 && i.src === 0 && i.imm === 12,
  };
  const seen = new Set<string>();
  for (let seed = 1; seed <= 100; seed++) {
    const gp = genProgram(seed, size);
    for (const insns of [gp.insns, ...gp.targets])
      for (const i of insns) for (const [name, is] of Object.entries(families)) if (is(i)) seen.add(name);
  }
  assert.deepEqual([...seen].sort(), Object.keys(families).sort());
});

test('a mismatch is reported: r0, region, fault and executed are compared', () => {
  const base = { r0: 1n, fault: null, index: null, executed: 5, region: '00' };
  assert.equal(compareOutcome('x', base, base), null);
  for (const change of [
    { r0: 2n },
    { region: '01' },
    { executed: 6 },
    { r0: null, fault: 'E_FAULT_MEM', index: 3 },
  ])
    assert.notEqual(
      compareOutcome('x', base, { ...base, ...change }),
      null,
      JSON.stringify(change, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    );
  // A JIT that did not count (-1) is not compared on executed.
  assert.equal(compareOutcome('x', base, { ...base, executed: -1 }), null);
});
