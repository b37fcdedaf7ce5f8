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
import type { BpfProgram } from '../src/ebpf/run-env.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { genHelpers, genProgram, REGION, runVariants } from './jit-gen.js';

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

test('the generator is deterministic and its programs load on both engines', () => {
  const size = mem.memory.buffer.byteLength;
  assert.deepEqual(genProgram(77, size).insns, genProgram(77, size).insns);
  assert.notDeepEqual(genProgram(77, size).insns, genProgram(78, size).insns);
});
