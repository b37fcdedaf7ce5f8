/**
 * Verifier regressions: each case is a bug found in the verifier, with the program that showed it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleLlvm } from '../src/ebpf/asm/llvm.js';
import { MapTable } from '../src/ebpf/maps/table.js';
import { VerifierError } from '../src/ebpf/verifier/errors.js';
import { tableMaps } from '../src/ebpf/verifier/map-info.js';
import { IOURING_PROG_TYPE } from '../src/ebpf/verifier/prog-types.js';
import { verify } from '../src/ebpf/verifier/verify.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { BPF_MAP_TYPE_ARRAY, BPF_PSEUDO_MAP_FD } from '../src/uapi/bpf.js';
import { iouringRegistry } from '../src/uring/bpf/load.js';

const mem = new AddressSpace();
const table = new MapTable(mem);
const arr = table.create({ type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 16, maxEntries: 1, name: 'arr' });
const { helpers } = iouringRegistry(table);

function check(text: string): { ok: true; processed: number } | { ok: false; code: string; index: number } {
  const insns = assembleLlvm(text.replaceAll('MAP ll', '0x7eadbeef ll')).map((i) =>
    i.code === 0x18 && i.imm === 0x7eadbeef ? { ...i, src: BPF_PSEUDO_MAP_FD, imm: arr.id } : i,
  );
  try {
    const r = verify(insns, {
      helpers,
      progType: IOURING_PROG_TYPE,
      map: tableMaps(table),
      maxProcessed: 100_000,
    });
    return { ok: true, processed: r.processed };
  } catch (e) {
    if (!(e instanceof VerifierError)) throw e;
    return { ok: false, code: e.code, index: e.index };
  }
}

/** r0 = &arr[0] (NULL-checked), r1 and r2 two u64 loaded from it. */
const TWO_LOADS = `r1 = 0
*(u32 *)(r10 - 4) = r1
r1 = MAP ll
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 0)
r2 = *(u64 *)(r0 + 8)`;

test('two unrelated unknown values compared follow both edges (not taken as one register compared with itself)', () => {
  // Bug: loads shared one scalar object, and the branch code took `r2 >= r1` as r1 >= r1 (always
  // true), so the fall-through with its NULL dereference was never checked.
  const r = check(`${TWO_LOADS}
if r2 >= r1 goto out
r3 = 0
r3 = *(u64 *)(r3 + 0)
out:
r0 = 0
exit`);
  assert.deepEqual(r, { ok: false, code: 'V030_BAD_MEM_TYPE', index: 12 });
});

test('a register compared with a linked copy of itself has one outcome', () => {
  const r = check(`${TWO_LOADS}
r3 = r1
if r3 >= r1 goto out
r3 = 0
r3 = *(u64 *)(r3 + 0)
out:
r0 = 0
exit`);
  assert.equal(r.ok, true);
});

test('a may_goto loop whose counter grows is checked once per shape, not unrolled', () => {
  const r = check(`r1 = 0
l:
may_goto +2
r1 += 1
goto l
r0 = 0
exit`);
  assert.ok(r.ok && r.processed < 50, JSON.stringify(r));
});

test('a loop that never ends reaches the processed-instruction limit with bounded work', () => {
  const r = check(`r1 = 0
l:
r1 += 1
if r1 != 0 goto l
r0 = 0
exit`);
  assert.deepEqual(r, { ok: false, code: 'V073_TOO_COMPLEX', index: 2 });
});

test('branches that only change values no safety decision uses are pruned (precision tracking), not 2^n paths', () => {
  // 24 diamonds each adding to r7, which is never used for a bound: without precision marks every
  // combination of r7's values is a different state and the walk needs 2^24 paths.
  const diamonds = Array.from(
    { length: 24 },
    (_, k) => `r1 = r6\nr1 &= ${1 << k}\nif r1 == 0 goto +1\nr7 += ${k * 3 + 1}`,
  ).join('\n');
  const r = check(`r6 = *(u64 *)(r1 + 0)\nr7 = 0\n${diamonds}\nr0 = 0\nexit`);
  assert.ok(r.ok && r.processed < 1000, JSON.stringify(r));
});

test('a value a bound was learnt from stays precise across the pruning point (no false pruning)', () => {
  // The fall-through (r7 = 0) reaches the join first and is stored there; the pushed path (r7 = 8)
  // must not be pruned at the join: r7 becomes an offset into the 16-byte value, and 8 + 8 + 8 > 16.
  const r = check(`${TWO_LOADS}
r7 = 8
r1 &= 1
if r1 != 0 goto +1
r7 = 0
r0 += r7
r1 = *(u64 *)(r0 + 8)
out:
r0 = 0
exit`);
  assert.deepEqual(r, { ok: false, code: 'V035_MAP_VALUE_OOB', index: 15 });
});

test('a may_goto loop with a branch in its body is not taken for an infinite loop (may_goto depth)', () => {
  // Found by the soundness fuzz: after widening, the iterations' states at the join were equal and
  // the loop was refused with V072; iterations of a may_goto loop now differ by their depth.
  const r = check(`r9 = 0
l:
may_goto +4
if r9 == 0 goto s
r8 = 1
s:
r9 += 1
goto l
r0 = 0
exit`);
  assert.ok(r.ok, JSON.stringify(r));
});

test('a bound learnt on a register holds for its 8-byte spilled copy (linked by id)', () => {
  // Found by the case table: the fill after the check used to be unbounded (V037).
  const r = check(`${TWO_LOADS}
*(u64 *)(r10 - 16) = r1
if r1 > 15 goto out
r2 = *(u64 *)(r10 - 16)
r0 += r2
r3 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit`);
  assert.ok(r.ok, JSON.stringify(r));
});
