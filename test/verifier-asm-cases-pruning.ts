/**
 * Verifier cases on states at joins: pruning must keep what a later instruction depends on
 * (registers, stack slots, pointer types, helper and callee arguments, callee-saved registers),
 * and may drop what is dead.
 */
import { type AsmCase, LOOKUP_ARR_CHECKED, OUT } from './verifier-asm-cases.js';

/** r6 = ctx, then LOOKUP_ARR_CHECKED: r0 is a map value from slot 8 on. */
const CTX_LOOKUP = `
  r6 = r1
  ${LOOKUP_ARR_CHECKED}`;

/** `n` branches in a row, each writing r3 (dead after the next write): 2^n paths without pruning. */
function diamonds(n: number): string {
  const out = ['r2 = *(u32 *)(r1 + 8)'];
  for (let k = 0; k < n; k++) out.push(`if r2 == ${k} goto +1`, `r3 = ${k}`);
  out.push('r0 = 0', 'exit');
  return out.join('\n');
}

export const PRUNING_CASES: readonly AsmCase[] = [
  {
    name: 'rejects an offset of 48 that only the second-explored path sets (register precision at a join) (V035)',
    asm: `${CTX_LOOKUP}
      r2 = *(u32 *)(r6 + 8)
      r1 = 48
      if r2 == 0 goto +1
      r1 = 0
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 13,
  },
  {
    name: 'accepts the same join when the second path sets 40',
    asm: `${CTX_LOOKUP}
      r2 = *(u32 *)(r6 + 8)
      r1 = 40
      if r2 == 0 goto +1
      r1 = 0
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects an offset of 48 spilled to the stack on the second-explored path only (V035)',
    asm: `${CTX_LOOKUP}
      r2 = *(u32 *)(r6 + 8)
      *(u64 *)(r10 - 16) = 48
      if r2 == 0 goto +1
      *(u64 *)(r10 - 16) = 0
      r1 = *(u64 *)(r10 - 16)
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 14,
  },
  {
    name: 'rejects a load through a register that is ctx on one path and a constant on the other (V030)',
    asm: `
      r2 = *(u32 *)(r1 + 8)
      r3 = 0x1000
      if r2 == 0 goto +1
      r3 = r1
      r0 = *(u64 *)(r3 + 0)
      r0 = 0
      exit`,
    expect: 'V030_BAD_MEM_TYPE',
    at: 4,
  },
  {
    name: 'accepts 40 branches in a row within 5000 processed instructions (dead registers prune)',
    asm: diamonds(40),
    expect: 'accept',
    maxProcessed: 5000,
  },
  {
    name: 'accepts a loop whose counter lives in a stack slot',
    asm: `
      *(u64 *)(r10 - 8) = 0
    l:
      r2 = *(u64 *)(r10 - 8)
      r2 += 1
      *(u64 *)(r10 - 8) = r2
      if r2 < 5 goto l
      r0 = 0
      exit`,
    expect: 'accept',
  },
];

/** CTX_LOOKUP, then r7 = wait_nr: a branch on r7 makes two paths; the first explored is the safe one. */
const TWO_PATHS = `${CTX_LOOKUP}
  r7 = *(u32 *)(r6 + 8)`;

export const LIVENESS_CASES: readonly AsmCase[] = [
  {
    name: 'rejects a ctx pointer on the second-explored path stored into a map value after a join (V041)',
    asm: `${TWO_PATHS}
      r3 = r6
      if r7 == 0 goto +1
      r3 = *(u64 *)(r6 + 0)
      *(u64 *)(r0 + 0) = r3
      ${OUT}`,
    expect: 'V041_PTR_LEAK',
    at: 12,
  },
  {
    name: 'rejects an offset of 48 passed in r2 to a callee, set on the second-explored path (V035)',
    asm: `${TWO_PATHS}
      r2 = 48
      if r7 == 0 goto +1
      r2 = 0
      r1 = r0
      call f
      ${OUT}
    f:
      r1 += r2
      r0 = *(u64 *)(r1 + 0)
      r0 = 0
      exit`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 17,
  },
  {
    name: 'rejects an offset of 48 kept in r6 across a call, set on the second-explored path (V035)',
    asm: `
      r8 = r1
      ${LOOKUP_ARR_CHECKED}
      r7 = *(u32 *)(r8 + 8)
      r6 = 48
      if r7 == 0 goto +1
      r6 = 0
      r9 = r0
      call f
      r9 += r6
      r0 = *(u64 *)(r9 + 0)
      ${OUT}
    f:
      r0 = 0
      exit`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 15,
  },
  {
    name: "rejects an offset of 48 a callee reads from its caller's stack, set on the second-explored path (V035)",
    asm: `${TWO_PATHS}
      *(u64 *)(r10 - 16) = 48
      if r7 == 0 goto +1
      *(u64 *)(r10 - 16) = 0
      r1 = r0
      r2 = r10
      r2 += -16
      call f
      ${OUT}
    f:
      r3 = *(u64 *)(r2 + 0)
      r1 += r3
      r0 = *(u64 *)(r1 + 0)
      r0 = 0
      exit`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 20,
  },
  {
    name: 'rejects a helper size of 16 over 8 bytes, set on the second-explored path (V057)',
    asm: `
      *(u64 *)(r10 - 8) = 0
      r6 = *(u32 *)(r1 + 8)
      r3 = 16
      if r6 == 0 goto +1
      r3 = 8
      r1 = map[rb] ll
      r2 = r10
      r2 += -8
      r4 = 0
      call 130
      r0 = 0
      exit`,
    expect: 'V057_HELPER_MEM_RANGE',
    at: 10,
  },
  {
    name: 'accepts a loop stepping by an unknown amount in [1, 4] up to 100',
    asm: 'r3 = *(u32 *)(r1 + 8)\nr3 &= 3\nr3 += 1\nr2 = 0\nl:\nr2 += r3\nif r2 < 100 goto l\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects an offset of 48 set on the second-explored path, spilled at the join and filled (V035)',
    asm: `${TWO_PATHS}
      r2 = 48
      if r7 == 0 goto +1
      r2 = 0
      *(u64 *)(r10 - 16) = r2
      r2 = 0
      r1 = *(u64 *)(r10 - 16)
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 16,
  },
  {
    name: 'rejects the same offset spilled and filled without overwriting r2 (V035)',
    asm: `${TWO_PATHS}
      r2 = 48
      if r7 == 0 goto +1
      r2 = 0
      *(u64 *)(r10 - 16) = r2
      r1 = *(u64 *)(r10 - 16)
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 15,
  },
  {
    name: 'rejects the same offset used from r2 directly after the spill (V035)',
    asm: `${TWO_PATHS}
      r2 = 48
      if r7 == 0 goto +1
      r2 = 0
      *(u64 *)(r10 - 16) = r2
      r0 += r2
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 14,
  },
  {
    name: 'rejects an offset of 40 + 8 computed after the join from a path-dependent register (V035)',
    asm: `${TWO_PATHS}
      r2 = 40
      if r7 == 0 goto +1
      r2 = 0
      r3 = r2
      r3 += 8
      r0 += r3
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 15,
  },
  {
    name: 'rejects an offset a callee returns from its path-dependent argument (V035)',
    asm: `${TWO_PATHS}
      r1 = 48
      if r7 == 0 goto +1
      r1 = 0
      r9 = r0
      call f
      r9 += r0
      r3 = *(u64 *)(r9 + 0)
      ${OUT}
    f:
      r0 = r1
      exit`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 15,
  },
  {
    name: 'rejects a load only a branch decided by a path-dependent register skips (V035)',
    asm: `${TWO_PATHS}
      r2 = 1
      if r7 == 0 goto +1
      r2 = 0
      if r2 == 0 goto out
      r3 = *(u64 *)(r0 + 48)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 13,
  },
  {
    name: 'rejects a load only a jmp32 register compare decided by a spilled value skips (V035)',
    asm: `${TWO_PATHS}
      *(u64 *)(r10 - 16) = 1
      r8 = 0
      if r7 == 0 goto +1
      *(u64 *)(r10 - 16) = 0
      r2 = *(u64 *)(r10 - 16)
      if w2 == w8 goto out
      r3 = *(u64 *)(r0 + 48)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 15,
  },
  {
    name: 'rejects a map value pointer moved by 48 on the second-explored path only (V035)',
    asm: `${TWO_PATHS}
      r1 = r0
      r1 += 48
      if r7 == 0 goto +1
      r1 = r0
      r3 = *(u64 *)(r1 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 13,
  },
  {
    name: 'rejects r0 = 1 set on the second-explored path before a join that is not the exit (V070)',
    asm: 'r2 = *(u32 *)(r1 + 8)\nr0 = 1\nif r2 == 0 goto +1\nr0 = 0\nr3 = 5\nexit',
    expect: 'V070_BAD_RETURN',
    at: 5,
  },
  {
    name: 'rejects an offset of 48 spilled at the join and filled by a callee through a pointer (V035)',
    asm: `${TWO_PATHS}
      r2 = 48
      if r7 == 0 goto +1
      r2 = 0
      *(u64 *)(r10 - 16) = r2
      r1 = r0
      r2 = r10
      r2 += -16
      call f
      ${OUT}
    f:
      r3 = *(u64 *)(r2 + 0)
      r1 += r3
      r0 = *(u64 *)(r1 + 0)
      r0 = 0
      exit`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 21,
  },
  {
    name: 'rejects an offset of 48 spilled at the join, copied to another slot and filled (V035)',
    asm: `${TWO_PATHS}
      r2 = 48
      if r7 == 0 goto +1
      r2 = 0
      *(u64 *)(r10 - 16) = r2
      r4 = *(u64 *)(r10 - 16)
      *(u64 *)(r10 - 24) = r4
      r4 = 0
      r1 = *(u64 *)(r10 - 24)
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 18,
  },
  {
    name: 'rejects an offset of 48 spilled on the second-explored path before the join and filled after it (V035)',
    asm: `${TWO_PATHS}
      if r7 == 0 goto +3
      r2 = 0
      *(u64 *)(r10 - 16) = r2
      goto +2
      r2 = 48
      *(u64 *)(r10 - 16) = r2
      r2 = 0
      r1 = *(u64 *)(r10 - 16)
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 18,
  },
  {
    name: 'rejects a loop whose bound (7 instead of 5) is set on the second-explored path (V035)',
    asm: `${TWO_PATHS}
      r2 = 7
      if r7 == 0 goto +1
      r2 = 5
      r3 = 0
    l:
      r4 = r3
      r4 <<= 3
      r5 = r0
      r5 += r4
      r1 = *(u64 *)(r5 + 0)
      r3 += 1
      if r3 < r2 goto l
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 17,
  },
  {
    name: 'rejects an offset fetched by an atomic fetch_add from a path-dependent stack slot (V037)',
    asm: `${TWO_PATHS}
      *(u64 *)(r10 - 16) = 48
      if r7 == 0 goto +1
      *(u64 *)(r10 - 16) = 0
      r2 = 0
      r2 = atomic_fetch_add((u64 *)(r10 - 16), r2)
      r0 += r2
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 14,
  },
  {
    name: 'rejects ringbuf_output of a slot holding the ctx pointer on the second-explored path only (V041)',
    asm: `
      r6 = r1
      r7 = *(u32 *)(r6 + 8)
      *(u64 *)(r10 - 8) = r6
      if r7 == 0 goto +1
      *(u64 *)(r10 - 8) = 0
      r1 = map[rb] ll
      r2 = r10
      r2 += -8
      r3 = 8
      r4 = 0
      call 130
      r0 = 0
      exit`,
    expect: 'V041_PTR_LEAK',
    at: 11,
  },
  {
    name: 'rejects a fill of the ctx pointer (second-explored path only) stored into a map value (V041)',
    asm: `${TWO_PATHS}
      *(u64 *)(r10 - 16) = r6
      if r7 == 0 goto +1
      *(u64 *)(r10 - 16) = 0
      r3 = *(u64 *)(r10 - 16)
      *(u64 *)(r0 + 0) = r3
      ${OUT}`,
    expect: 'V041_PTR_LEAK',
    at: 13,
  },
  {
    name: 'rejects ringbuf_output of a slot written on the first-explored path only (V057)',
    asm: `
      r6 = r1
      r7 = *(u32 *)(r6 + 8)
      if r7 == 0 goto +1
      *(u64 *)(r10 - 8) = 0
      r1 = map[rb] ll
      r2 = r10
      r2 += -8
      r3 = 8
      r4 = 0
      call 130
      r0 = 0
      exit`,
    expect: 'V057_HELPER_MEM_RANGE',
    at: 10,
  },
  {
    name: 'rejects a ctx load through a pointer moved by 8 on one path only (V039)',
    asm: 'r7 = *(u32 *)(r1 + 8)\nr2 = r1\nif r7 == 0 goto +1\nr2 += 8\nr3 = *(u64 *)(r2 + 0)\nr0 = 0\nexit',
    expect: 'V039_CTX_MODIFIED',
    at: 4,
  },
  {
    name: 'rejects a byte index masked with 7 on the first-explored path only, 63 on the other (V035)',
    asm: `${TWO_PATHS}
      r2 = *(u32 *)(r0 + 0)
      r2 &= 63
      if r7 == 0 goto +1
      r2 &= 7
      r0 += r2
      r3 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 14,
  },
  {
    name: 'rejects an offset of 48 stored as one byte from a register at the join and filled (V035)',
    asm: `${TWO_PATHS}
      r2 = 48
      if r7 == 0 goto +1
      r2 = 0
      *(u8 *)(r10 - 16) = r2
      r1 = *(u8 *)(r10 - 16)
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 15,
  },
  {
    name: 'rejects an offset of 48 spilled at the join when the first-explored path spills 8, not 0 (V035)',
    asm: `${TWO_PATHS}
      r2 = 48
      if r7 == 0 goto +1
      r2 = 8
      *(u64 *)(r10 - 16) = r2
      r2 = 0
      r1 = *(u64 *)(r10 - 16)
      r0 += r1
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 16,
  },
  {
    name: 'rejects a fill of the ctx pointer stored into a map value when the first-explored path left unknown bytes there (V041)',
    asm: `${TWO_PATHS}
      r3 = *(u64 *)(r6 + 0)
      *(u64 *)(r10 - 16) = r6
      if r7 == 0 goto +4
      *(u16 *)(r10 - 16) = r3
      *(u16 *)(r10 - 14) = r3
      *(u16 *)(r10 - 12) = r3
      *(u16 *)(r10 - 10) = r3
      r4 = *(u64 *)(r10 - 16)
      *(u64 *)(r0 + 0) = r4
      ${OUT}`,
    expect: 'V041_PTR_LEAK',
    at: 17,
  },
  {
    name: 'rejects ringbuf_output of the spilled ctx pointer when the first-explored path overwrote it with unknown bytes (V041)',
    asm: `
      r6 = r1
      r7 = *(u32 *)(r6 + 8)
      r3 = *(u64 *)(r6 + 0)
      *(u64 *)(r10 - 8) = r6
      if r7 == 0 goto +4
      *(u16 *)(r10 - 8) = r3
      *(u16 *)(r10 - 6) = r3
      *(u16 *)(r10 - 4) = r3
      *(u16 *)(r10 - 2) = r3
      r1 = map[rb] ll
      r2 = r10
      r2 += -8
      r3 = 8
      r4 = 0
      call 130
      r0 = 0
      exit`,
    expect: 'V041_PTR_LEAK',
    at: 15,
  },
  {
    name: 'rejects an offset set before a loop on the second-explored path and used in its fourth iteration (V035)',
    asm: `${TWO_PATHS}
      r3 = 48
      if r7 == 0 goto +1
      r3 = 0
      r2 = 0
    l:
      if r2 != 3 goto skip
      r4 = r0
      r4 += r3
      r5 = *(u64 *)(r4 + 0)
    skip:
      r2 += 1
      if r2 < 5 goto l
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 16,
  },
  {
    name: 'rejects that offset spilled before the loop and filled in its fourth iteration (V035)',
    asm: `${TWO_PATHS}
      r3 = 48
      if r7 == 0 goto +1
      r3 = 8
      *(u64 *)(r10 - 16) = r3
      r3 = 0
      r2 = 0
    l:
      if r2 != 3 goto skip
      r4 = r0
      r5 = *(u64 *)(r10 - 16)
      r4 += r5
      r5 = *(u64 *)(r4 + 0)
    skip:
      r2 += 1
      if r2 < 5 goto l
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 19,
  },
];
