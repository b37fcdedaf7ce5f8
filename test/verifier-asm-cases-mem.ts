/**
 * Verifier cases: loads and stores through non-pointers (V030) and possibly-NULL pointers (V031),
 * NULL checks, the stack (V032-V033, variable offsets) and alignment on every pointer kind (V034).
 */
import {
  type AsmCase,
  LOOKUP_ARR,
  LOOKUP_ARR_CHECKED,
  LOOKUP_HASH,
  OUT,
  RESERVE,
  RESERVE_CHECKED,
  SUBMIT_R0,
} from './verifier-asm-cases.js';

/** Four initialised stack words fp-32 .. fp-1 (slots 0-3). */
const STACK32 = `
  *(u64 *)(r10 - 32) = 0
  *(u64 *)(r10 - 24) = 0
  *(u64 *)(r10 - 16) = 0
  *(u64 *)(r10 - 8) = 0`;

export const DEREF_CASES: readonly AsmCase[] = [
  // V030: loads and stores through non-pointers
  {
    name: 'rejects a load through a constant (V030)',
    asm: 'r2 = 0x1000\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit',
    expect: 'V030_BAD_MEM_TYPE',
    at: 1,
    message: /R2.*scalar/,
  },
  {
    name: 'rejects a load through a map pointer (V030)',
    asm: 'r1 = map[arr] ll\nr0 = *(u64 *)(r1 + 0)\nr0 = 0\nexit',
    expect: 'V030_BAD_MEM_TYPE',
    at: 2,
  },
  {
    name: 'rejects a store through a value loaded from ctx (V030)',
    asm: 'r2 = *(u64 *)(r1 + 0)\n*(u32 *)(r2 + 0) = 1\nr0 = 0\nexit',
    expect: 'V030_BAD_MEM_TYPE',
    at: 1,
  },
  {
    name: 'rejects a load through the difference of two stack pointers (V030)',
    asm: 'r2 = r10\nr3 = r10\nr3 -= r2\nr0 = *(u8 *)(r3 + 0)\nr0 = 0\nexit',
    expect: 'V030_BAD_MEM_TYPE',
    at: 3,
  },
  {
    name: 'rejects a load through r0 on the edge where it is NULL (V030)',
    asm: `${LOOKUP_ARR}
      if r0 != 0 goto out
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V030_BAD_MEM_TYPE',
    at: 7,
  },
  {
    name: 'rejects a load through a spilled pointer overwritten by a constant (V030)',
    asm: `
      *(u64 *)(r10 - 8) = r1
      *(u64 *)(r10 - 8) = 0
      r2 = *(u64 *)(r10 - 8)
      r0 = *(u64 *)(r2 + 0)
      r0 = 0
      exit`,
    expect: 'V030_BAD_MEM_TYPE',
    at: 3,
  },
  // V031: possibly-NULL pointers
  {
    name: "rejects a load through map_lookup_elem's result before a NULL check (V031)",
    asm: `${LOOKUP_ARR}
      r1 = *(u64 *)(r0 + 0)
      r0 = 0
      exit`,
    expect: 'V031_NULL_DEREF',
    at: 6,
    message: /R0/,
  },
  {
    name: 'rejects a store into a hash value before a NULL check (V031)',
    asm: `${LOOKUP_HASH}
      *(u64 *)(r0 + 0) = 1
      r0 = 0
      exit`,
    expect: 'V031_NULL_DEREF',
    at: 6,
  },
  {
    name: 'rejects a store into a ring buffer reservation before a NULL check (V031)',
    asm: `${RESERVE}
      *(u64 *)(r0 + 0) = 1
      ${SUBMIT_R0}
      r0 = 0
      exit`,
    expect: 'V031_NULL_DEREF',
    at: 5,
  },
  {
    name: 'rejects a load on the one path that skips the NULL check (V031)',
    asm: `
      r6 = r1
      ${LOOKUP_ARR}
      r2 = *(u32 *)(r6 + 8)
      if r2 == 0 goto +1
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V031_NULL_DEREF',
    at: 10,
  },
  {
    name: 'rejects a load through a filled copy of an unchecked lookup result (V031)',
    asm: `${LOOKUP_ARR}
      *(u64 *)(r10 - 16) = r0
      r6 = *(u64 *)(r10 - 16)
      r1 = *(u64 *)(r6 + 0)
      ${OUT}`,
    expect: 'V031_NULL_DEREF',
    at: 8,
  },
  // NULL checks that work
  {
    name: 'accepts a load after an `if r0 == 0` NULL check',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a load on the taken edge of an `if r0 != 0` NULL check',
    asm: `${LOOKUP_ARR}
      if r0 != 0 goto +2
      r0 = 0
      exit
      r1 = *(u64 *)(r0 + 0)
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a NULL check on a copy making the original safe',
    asm: `${LOOKUP_ARR}
      r6 = r0
      if r6 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a NULL check on the original making an earlier copy safe',
    asm: `${LOOKUP_HASH}
      r6 = r0
      if r0 != 0 goto +2
      r0 = 0
      exit
      *(u64 *)(r6 + 8) = 1
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a NULL check on a pointer filled from its spill slot',
    asm: `${LOOKUP_ARR}
      *(u64 *)(r10 - 16) = r0
      r6 = *(u64 *)(r10 - 16)
      if r6 == 0 goto out
      r1 = *(u64 *)(r6 + 0)
      ${OUT}`,
    expect: 'accept',
  },
];

export const STACK_CASES: readonly AsmCase[] = [
  // V032: outside the frame
  {
    name: 'rejects a store at fp-520, below the 512-byte frame (V032)',
    asm: '*(u64 *)(r10 - 520) = 0\nr0 = 0\nexit',
    expect: 'V032_STACK_OOB',
    at: 0,
    message: /-520/,
  },
  {
    name: 'accepts a store at fp-512, the bottom of the frame',
    asm: '*(u64 *)(r10 - 512) = 0\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a store at fp+0, above the frame (V032)',
    asm: '*(u64 *)(r10 + 0) = 0\nr0 = 0\nexit',
    expect: 'V032_STACK_OOB',
    at: 0,
  },
  { name: 'accepts a one-byte store at fp-1', asm: '*(u8 *)(r10 - 1) = 0\nr0 = 0\nexit', expect: 'accept' },
  {
    name: 'rejects a load at fp+8 (V032)',
    asm: 'r0 = *(u32 *)(r10 + 8)\nr0 = 0\nexit',
    expect: 'V032_STACK_OOB',
    at: 0,
  },
  {
    name: 'rejects a store through a stack pointer moved to fp-520 (V032)',
    asm: 'r2 = r10\nr2 += -520\n*(u64 *)(r2 + 0) = 0\nr0 = 0\nexit',
    expect: 'V032_STACK_OOB',
    at: 2,
  },
  {
    name: 'rejects a variable-offset store that may reach fp+0 (V032)',
    asm: `
      r2 = *(u32 *)(r1 + 8)
      r2 &= 8
      r3 = r10
      r3 += -8
      r3 += r2
      *(u64 *)(r3 + 0) = 0
      r0 = 0
      exit`,
    expect: 'V032_STACK_OOB',
    at: 5,
  },
  {
    name: 'accepts a variable-offset store within the frame',
    asm: `
      r2 = *(u32 *)(r1 + 8)
      r2 &= 8
      r3 = r10
      r3 += -16
      r3 += r2
      *(u64 *)(r3 + 0) = 0
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a variable-offset load of a compare-bounded, scaled index into initialised stack',
    asm: `${STACK32}
      r2 = *(u32 *)(r1 + 8)
      if r2 > 3 goto out
      r2 <<= 3
      r3 = r10
      r3 += -32
      r3 += r2
      r0 = *(u64 *)(r3 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects the same load when the bound lets the index reach fp+0 (V032)',
    asm: `${STACK32}
      r2 = *(u32 *)(r1 + 8)
      if r2 > 4 goto out
      r2 <<= 3
      r3 = r10
      r3 += -32
      r3 += r2
      r0 = *(u64 *)(r3 + 0)
      ${OUT}`,
    expect: 'V032_STACK_OOB',
    at: 10,
  },
  // V033: uninitialised stack
  {
    name: 'rejects a load of stack never written (V033)',
    asm: 'r0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit',
    expect: 'V033_STACK_UNINIT',
    at: 0,
    message: /-8/,
  },
  {
    name: 'rejects an 8-byte load of which only 4 bytes were written (V033)',
    asm: '*(u32 *)(r10 - 8) = 0\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit',
    expect: 'V033_STACK_UNINIT',
    at: 1,
  },
  {
    name: 'accepts a 4-byte load of the 4 bytes written',
    asm: '*(u32 *)(r10 - 8) = 0\nr0 = *(u32 *)(r10 - 8)\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a load of stack written on only one path (V033)',
    asm: `
      r2 = *(u32 *)(r1 + 8)
      if r2 == 0 goto +1
      *(u64 *)(r10 - 8) = 0
      r0 = *(u64 *)(r10 - 8)
      r0 = 0
      exit`,
    expect: 'V033_STACK_UNINIT',
    at: 3,
  },
  {
    name: 'rejects a variable-offset load that may read an unwritten word (V033)',
    asm: `
      *(u64 *)(r10 - 16) = 0
      r2 = *(u32 *)(r1 + 8)
      r2 &= 8
      r3 = r10
      r3 += -16
      r3 += r2
      r0 = *(u64 *)(r3 + 0)
      r0 = 0
      exit`,
    expect: 'V033_STACK_UNINIT',
    at: 6,
  },
  {
    name: 'accepts the variable-offset load once both words are written',
    asm: `
      *(u64 *)(r10 - 16) = 0
      *(u64 *)(r10 - 8) = 0
      r2 = *(u32 *)(r1 + 8)
      r2 &= 8
      r3 = r10
      r3 += -16
      r3 += r2
      r0 = *(u64 *)(r3 + 0)
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'rejects an atomic add to stack never written (V033)',
    asm: 'r2 = 1\nlock *(u64 *)(r10 - 8) += r2\nr0 = 0\nexit',
    expect: 'V033_STACK_UNINIT',
    at: 1,
  },
];

export const ALIGN_CASES: readonly AsmCase[] = [
  // V034: natural alignment on every pointer kind
  {
    name: 'rejects an 8-byte store at fp-12 (V034)',
    asm: '*(u64 *)(r10 - 12) = 0\nr0 = 0\nexit',
    expect: 'V034_MISALIGNED',
    at: 0,
    message: /size 8/,
  },
  { name: 'accepts a 4-byte store at fp-12', asm: '*(u32 *)(r10 - 12) = 0\nr0 = 0\nexit', expect: 'accept' },
  {
    name: 'rejects a 2-byte store through a stack pointer at fp-7 (V034)',
    asm: 'r2 = r10\nr2 += -7\n*(u16 *)(r2 + 0) = 0\nr0 = 0\nexit',
    expect: 'V034_MISALIGNED',
    at: 2,
  },
  {
    name: 'rejects a 4-byte load at map value offset 2 (V034)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 2)
      ${OUT}`,
    expect: 'V034_MISALIGNED',
    at: 7,
  },
  {
    name: 'rejects an 8-byte load at offset 4 of a direct map value (V034)',
    asm: 'r1 = map_value[data]+4 ll\nr0 = *(u64 *)(r1 + 0)\nr0 = 0\nexit',
    expect: 'V034_MISALIGNED',
    at: 2,
  },
  {
    name: 'rejects a 4-byte store at offset 2 of a ring buffer reservation (V034)',
    asm: `${RESERVE_CHECKED}
      *(u32 *)(r0 + 2) = 1
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V034_MISALIGNED',
    at: 6,
  },
  {
    name: 'rejects an 8-byte load at a map value offset masked with 7 (V034)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r1 &= 7
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V034_MISALIGNED',
    at: 10,
  },
  {
    name: 'accepts an 8-byte load at a map value offset masked with 24',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r1 &= 24
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects an atomic add at fp-12 (V034)',
    asm: '*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr2 = 1\nlock *(u64 *)(r10 - 12) += r2\nr0 = 0\nexit',
    expect: 'V034_MISALIGNED',
    at: 3,
  },
];
