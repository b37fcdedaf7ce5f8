/**
 * Differential testing: seeded random programs (test/jit-gen.ts) run on the interpreter and on the
 * JIT (with guards, counting, and without guards when the program holds no deliberate fault) must
 * agree on r0, the run region's bytes, the fault (code and index) and, when the JIT counts, the
 * instructions executed. The long run is scripts/jit-diff.mjs (npm run jit-diff).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disassemble } from '../src/ebpf/disasm.js';
import { loadProgram } from '../src/ebpf/engine.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  compareOutcome,
  genHelpers,
  genProgram,
  type Outcome,
  REGION,
  runOnce,
  VARIANTS,
} from './jit-gen.js';

const mem = new AddressSpace({ size: 1 << 20 });
const helpers = genHelpers();

function check(seed: number): { faulted: boolean } {
  const gp = genProgram(seed, mem.memory.buffer.byteLength);
  const addr = mem.alloc(REGION, 8);
  try {
    let want: Outcome | null = null;
    const diffs: string[] = [];
    for (const v of VARIANTS) {
      if (v.opts.engine === 'jit' && 'guards' in v.opts && gp.faulty) continue;
      const prog = loadProgram(gp.insns, { ...v.opts, helpers });
      const got = runOnce(prog, gp, mem, addr);
      if (want === null) want = got;
      else {
        const d = compareOutcome(v.name, want, got);
        if (d !== null) diffs.push(d);
      }
    }
    if (diffs.length > 0) {
      assert.fail(
        `seed ${seed}: ${diffs.join('\n')}\ninterp: ${JSON.stringify(want, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))}\n${disassemble(gp.insns).join('\n')}`,
      );
    }
    return { faulted: want?.fault !== null };
  } finally {
    mem.free(addr);
  }
}

test('seeded random programs agree on every engine variant (r0, region, fault, executed)', () => {
  let faulted = 0;
  const N = 300;
  for (let seed = 1; seed <= N; seed++) if (check(seed).faulted) faulted++;
  console.log(`# jit-diff: ${N} programs, ${faulted} faulted`);
  assert.ok(faulted > 0 && faulted < N / 2, `expected some programs to fault, ${faulted} of ${N} did`);
});

test('the generator is deterministic and its programs load on both engines', () => {
  const size = mem.memory.buffer.byteLength;
  assert.deepEqual(genProgram(77, size).insns, genProgram(77, size).insns);
  assert.notDeepEqual(genProgram(77, size).insns, genProgram(78, size).insns);
});
