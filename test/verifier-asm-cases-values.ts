/**
 * Verifier cases: map values (V035, V037), helper-returned memory (V036), the ctx (V038-V039),
 * read-only maps and pointer leaks (V040-V042), atomics (V043); spills and fills of pointers and
 * of bounded scalars.
 */
import {
  type AsmCase,
  LOOKUP_ARR_CHECKED,
  LOOKUP_HASH,
  OUT,
  RESERVE_CHECKED,
  SUBMIT_R0,
} from './verifier-asm-cases.js';

export const MAP_VALUE_CASES: readonly AsmCase[] = [
  // V035: [0, value_size)
  {
    name: 'rejects an 8-byte load at offset 48 of a 48-byte map value (V035)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u64 *)(r0 + 48)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 7,
    message: /value_size=48 off=48 size=8/,
  },
  {
    name: 'accepts an 8-byte load at offset 40 of a 48-byte map value',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u64 *)(r0 + 40)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects a load at offset -1 of a map value (V035)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u8 *)(r0 - 1)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 7,
  },
  {
    name: 'rejects a store at offset 16 of a 16-byte hash value (V035)',
    asm: `${LOOKUP_HASH}
      if r0 == 0 goto out
      *(u64 *)(r0 + 16) = 0
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 7,
  },
  {
    name: 'accepts a store at offset 8 of a 16-byte hash value',
    asm: `${LOOKUP_HASH}
      if r0 == 0 goto out
      *(u64 *)(r0 + 8) = 0
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects a load at offset 64 of the 64-byte direct value (V035)',
    asm: 'r1 = map_value[data] ll\nr0 = *(u64 *)(r1 + 64)\nr0 = 0\nexit',
    expect: 'V035_MAP_VALUE_OOB',
    at: 2,
  },
  {
    name: 'accepts a load at offset 56 of the 64-byte direct value',
    asm: 'r1 = map_value[data] ll\nr0 = *(u64 *)(r1 + 56)\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a load 8 bytes past a direct value lddw at offset 56 (V035)',
    asm: 'r1 = map_value[data]+56 ll\nr0 = *(u64 *)(r1 + 8)\nr0 = 0\nexit',
    expect: 'V035_MAP_VALUE_OOB',
    at: 2,
  },
  {
    name: 'accepts a load at a direct value lddw at offset 56',
    asm: 'r1 = map_value[data]+56 ll\nr0 = *(u64 *)(r1 + 0)\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts an index bounded by `if r1 > 5`, scaled by 8, into a 48-byte value',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      if r1 > 5 goto out
      r1 <<= 3
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects the index bounded by `if r1 > 6` (offset 48 reachable) (V035)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      if r1 > 6 goto out
      r1 <<= 3
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 11,
  },
  {
    name: 'accepts a byte index masked with 47 into a 48-byte value',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r1 &= 47
      r0 += r1
      r2 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects a byte index masked with 48 (offset 48 reachable) (V035)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r1 &= 48
      r0 += r1
      r2 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 10,
  },
  // V037: variable offsets the bounds do not prove
  {
    name: 'rejects a map value access at an unbounded u32 index (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r0 += r1
      r2 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 9,
    message: /R0/,
  },
  {
    name: 'rejects a map value access at an index bounded only by a signed compare (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u8 *)(r0 + 0)
      r1 += -16
      if r1 s> 5 goto out
      r0 += r1
      r2 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 11,
  },
  {
    name: 'accepts that index bounded by an unsigned compare instead',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u8 *)(r0 + 0)
      r1 += -16
      if r1 > 5 goto out
      r0 += r1
      r2 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts an index kept in [2, 5] by two compares',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u64 *)(r0 + 0)
      if r1 < 2 goto out
      if r1 > 5 goto out
      r1 <<= 3
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
];

export const HELPER_MEM_CASES: readonly AsmCase[] = [
  // V036: memory a helper returned
  {
    name: 'rejects a store at offset 16 of a 16-byte reservation (V036)',
    asm: `${RESERVE_CHECKED}
      *(u64 *)(r0 + 16) = 1
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V036_MEM_OOB',
    at: 6,
    message: /mem_size=16/,
  },
  {
    name: 'accepts a store at offset 8 of a 16-byte reservation',
    asm: `${RESERVE_CHECKED}
      *(u64 *)(r0 + 8) = 1
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects a store at offset -1 of a reservation (V036)',
    asm: `${RESERVE_CHECKED}
      *(u8 *)(r0 - 1) = 1
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V036_MEM_OOB',
    at: 6,
  },
  {
    name: 'rejects a load at offset 16 of a 16-byte reservation (V036)',
    asm: `${RESERVE_CHECKED}
      r1 = *(u32 *)(r0 + 16)
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V036_MEM_OOB',
    at: 6,
  },
];

export const CTX_CASES: readonly AsmCase[] = [
  // V038: only the fields of struct io_uring_bpf_ctx, whole
  {
    name: 'rejects a 4-byte load of half of user_data (V038)',
    asm: 'r2 = *(u32 *)(r1 + 0)\nr0 = 0\nexit',
    expect: 'V038_CTX_ACCESS',
    at: 0,
    message: /off=0 size=4/,
  },
  {
    name: 'rejects a load past the 16-byte ctx (V038)',
    asm: 'r2 = *(u64 *)(r1 + 16)\nr0 = 0\nexit',
    expect: 'V038_CTX_ACCESS',
    at: 0,
  },
  {
    name: 'rejects a 2-byte load of wait_nr (V038)',
    asm: 'r2 = *(u16 *)(r1 + 8)\nr0 = 0\nexit',
    expect: 'V038_CTX_ACCESS',
    at: 0,
  },
  {
    name: 'rejects a load before the ctx (V038)',
    asm: 'r2 = *(u64 *)(r1 - 8)\nr0 = 0\nexit',
    expect: 'V038_CTX_ACCESS',
    at: 0,
  },
  {
    name: 'rejects a 1-byte store into wait_idx (V038)',
    asm: 'r2 = 0\n*(u8 *)(r1 + 12) = r2\nr0 = 0\nexit',
    expect: 'V038_CTX_ACCESS',
    at: 1,
  },
  {
    name: 'accepts loads of user_data, wait_nr, wait_idx and of wait_nr+wait_idx as one u64',
    asm: 'r2 = *(u64 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 8)\nr4 = *(u32 *)(r1 + 12)\nr5 = *(u64 *)(r1 + 8)\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts stores of scalars into user_data and wait_nr',
    asm: 'r2 = 7\n*(u64 *)(r1 + 0) = r2\n*(u32 *)(r1 + 8) = r2\nr0 = 0\nexit',
    expect: 'accept',
  },
  // V039: through a moved ctx pointer
  {
    name: 'rejects a load through the ctx pointer moved by 8 (V039)',
    asm: 'r1 += 8\nr2 = *(u32 *)(r1 + 0)\nr0 = 0\nexit',
    expect: 'V039_CTX_MODIFIED',
    at: 1,
    message: /R1/,
  },
  {
    name: 'rejects a store through a moved copy of the ctx pointer (V039)',
    asm: 'r2 = r1\nr2 += 8\nr3 = 1\n*(u32 *)(r2 + 0) = r3\nr0 = 0\nexit',
    expect: 'V039_CTX_MODIFIED',
    at: 3,
  },
  {
    name: 'accepts a load through an unmoved copy of the ctx pointer',
    asm: 'r2 = r1\nr3 = *(u32 *)(r2 + 8)\nr0 = 0\nexit',
    expect: 'accept',
  },
];

export const LEAK_CASES: readonly AsmCase[] = [
  // V040: read-only maps
  {
    name: 'rejects a store into the frozen .rodata value (V040)',
    asm: 'r1 = map_value[rodata] ll\n*(u32 *)(r1 + 0) = 1\nr0 = 0\nexit',
    expect: 'V040_READ_ONLY',
    at: 2,
  },
  {
    name: 'accepts a load from the frozen .rodata value',
    asm: 'r1 = map_value[rodata] ll\nr0 = *(u32 *)(r1 + 0)\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a store into a value looked up in a frozen map (V040)',
    asm: `
      *(u32 *)(r10 - 4) = 0
      r2 = r10
      r2 += -4
      r1 = map[rodata] ll
      call 1
      if r0 == 0 goto out
      r1 = 1
      *(u64 *)(r0 + 8) = r1
      ${OUT}`,
    expect: 'V040_READ_ONLY',
    at: 8,
  },
  // V041: pointers stored where they leak
  {
    name: 'rejects storing the frame pointer into a map value (V041)',
    asm: `${LOOKUP_ARR_CHECKED}
      *(u64 *)(r0 + 0) = r10
      ${OUT}`,
    expect: 'V041_PTR_LEAK',
    at: 7,
    message: /R10/,
  },
  {
    name: 'accepts storing a scalar into a map value',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = 5
      *(u64 *)(r0 + 0) = r1
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects storing a map pointer into a map value (V041)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = map[hash] ll
      *(u64 *)(r0 + 8) = r1
      ${OUT}`,
    expect: 'V041_PTR_LEAK',
    at: 9,
  },
  {
    name: 'rejects storing the ctx pointer into ctx (V041)',
    asm: '*(u64 *)(r1 + 0) = r1\nr0 = 0\nexit',
    expect: 'V041_PTR_LEAK',
    at: 0,
  },
  {
    name: 'rejects storing a reservation pointer into itself (V041)',
    asm: `${RESERVE_CHECKED}
      *(u64 *)(r0 + 0) = r0
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V041_PTR_LEAK',
    at: 6,
  },
  {
    name: 'rejects storing a pointer into the direct .data value (V041)',
    asm: 'r2 = map_value[data] ll\n*(u64 *)(r2 + 0) = r1\nr0 = 0\nexit',
    expect: 'V041_PTR_LEAK',
    at: 2,
  },
  // V042: partial fills of spilled pointers
  {
    name: 'rejects a 4-byte fill of the spilled ctx pointer (V042)',
    asm: '*(u64 *)(r10 - 8) = r1\nr2 = *(u32 *)(r10 - 8)\nr0 = 0\nexit',
    expect: 'V042_SPILL_CORRUPT',
    at: 1,
  },
  {
    name: 'rejects a 1-byte fill from the middle of a spilled stack pointer (V042)',
    asm: '*(u64 *)(r10 - 8) = r10\nr2 = *(u8 *)(r10 - 4)\nr0 = 0\nexit',
    expect: 'V042_SPILL_CORRUPT',
    at: 1,
  },
  {
    name: 'rejects a 2-byte fill of a spilled map value pointer (V042)',
    asm: `${LOOKUP_ARR_CHECKED}
      *(u64 *)(r10 - 16) = r0
      r1 = *(u16 *)(r10 - 16)
      ${OUT}`,
    expect: 'V042_SPILL_CORRUPT',
    at: 8,
  },
  // spills and fills that work
  {
    name: 'accepts the ctx pointer spilled, filled and used for a ctx load',
    asm: '*(u64 *)(r10 - 8) = r1\nr1 = 0\nr6 = *(u64 *)(r10 - 8)\nr0 = *(u64 *)(r6 + 0)\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a map value pointer spilled across a helper call and used after the fill',
    asm: `${LOOKUP_ARR_CHECKED}
      *(u64 *)(r10 - 16) = r0
      call 5
      r1 = *(u64 *)(r10 - 16)
      *(u64 *)(r1 + 0) = r0
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a stack pointer spilled, filled and stored through',
    asm: `
      r2 = r10
      r2 += -16
      *(u64 *)(r10 - 8) = r2
      r3 = *(u64 *)(r10 - 8)
      *(u64 *)(r3 + 0) = 1
      r0 = *(u64 *)(r10 - 16)
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a spilled scalar keeping its bounds across a helper call',
    asm: `${LOOKUP_ARR_CHECKED}
      r6 = r0
      r1 = *(u32 *)(r6 + 0)
      r1 &= 3
      *(u64 *)(r10 - 16) = r1
      call 5
      r1 = *(u64 *)(r10 - 16)
      r1 <<= 3
      r6 += r1
      r2 = *(u64 *)(r6 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects the scalar spilled before it was masked (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r6 = r0
      r1 = *(u32 *)(r6 + 0)
      *(u64 *)(r10 - 16) = r1
      r1 &= 3
      call 5
      r1 = *(u64 *)(r10 - 16)
      r1 <<= 3
      r6 += r1
      r2 = *(u64 *)(r6 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 15,
  },
];

export const ATOMIC_CASES: readonly AsmCase[] = [
  // V043: atomics where they are not allowed
  {
    name: 'rejects an atomic add into ctx user_data (V043)',
    asm: 'r2 = 1\nlock *(u64 *)(r1 + 0) += r2\nr0 = 0\nexit',
    expect: 'V043_ATOMIC',
    at: 1,
  },
  {
    name: 'rejects a 32-bit atomic add into ctx wait_nr (V043)',
    asm: 'w2 = 1\nlock *(u32 *)(r1 + 8) += w2\nr0 = 0\nexit',
    expect: 'V043_ATOMIC',
    at: 1,
  },
  // atomics that work
  {
    name: 'accepts atomic add and fetch_add on an initialised stack word',
    asm: `
      *(u64 *)(r10 - 8) = 0
      r2 = 1
      lock *(u64 *)(r10 - 8) += r2
      r2 = atomic_fetch_add((u64 *)(r10 - 8), r2)
      r0 = *(u64 *)(r10 - 8)
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts 32-bit atomic fetch_xor and xchg on the stack',
    asm: `
      *(u32 *)(r10 - 4) = 0
      w2 = 3
      w2 = atomic_fetch_xor((u32 *)(r10 - 4), w2)
      w2 = xchg32_32(r10 - 4, w2)
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts atomic add and or on a map value',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = 1
      lock *(u64 *)(r0 + 8) += r1
      w1 = 2
      lock *(u32 *)(r0 + 4) |= w1
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts xchg and cmpxchg on a map value',
    asm: `${LOOKUP_ARR_CHECKED}
      r6 = r0
      r1 = 5
      r1 = xchg_64(r6 + 16, r1)
      r0 = 0
      r2 = 7
      r0 = cmpxchg_64(r6 + 24, r0, r2)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts an atomic add on the direct .data value',
    asm: 'r1 = map_value[data] ll\nr2 = 1\nlock *(u64 *)(r1 + 8) += r2\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts an atomic add on a ring buffer reservation',
    asm: `${RESERVE_CHECKED}
      *(u64 *)(r0 + 0) = 0
      r1 = 1
      lock *(u64 *)(r0 + 0) += r1
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'accept',
  },
];
