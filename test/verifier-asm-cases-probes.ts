/**
 * Verifier cases that probe soundness where verifiers go wrong (pruning: verifier-asm-cases-pruning.ts):
 * spill widths, scalar tracking through mul/sub/neg/arsh and 32-bit wraparound, register-register
 * bounds, NULL checks that are not NULL checks, use after release, memory written by helpers,
 * frames, maps chosen by a branch, read-only maps.
 */
import {
  type AsmCase,
  LOOKUP_ARR,
  LOOKUP_ARR_CHECKED,
  OUT,
  RESERVE_CHECKED,
  SUBMIT_R0,
} from './verifier-asm-cases.js';

/** A 48-byte arr value in r0 indexed by r1 = f(u32 at value+0) built by `ops`, then a u64 load. */
const indexed = (ops: string, size = 64): string => `${LOOKUP_ARR_CHECKED}
  r1 = *(u32 *)(r0 + 0)
  ${ops}
  r0 += r1
  r2 = *(u${size} *)(r0 + 0)
  ${OUT}`;

export const SPILL_PROBE_CASES: readonly AsmCase[] = [
  {
    name: 'rejects an 8-byte fill of two 4-byte stores as the bounded scalar of the first (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r1 &= 3
      *(u32 *)(r10 - 16) = w1
      *(u32 *)(r10 - 12) = 1
      r1 = *(u64 *)(r10 - 16)
      r1 <<= 3
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 13,
  },
  {
    name: 'accepts the 8-byte fill of an 8-byte spill of the bounded scalar',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r1 &= 3
      *(u64 *)(r10 - 16) = r1
      *(u32 *)(r10 - 4) = 1
      r1 = *(u64 *)(r10 - 16)
      r1 <<= 3
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    // Stricter than the kernel (which makes the rest of the spill misc bytes, readable): the other
    // bytes of the pointer are poisoned, so none of its bits can be read back as a scalar.
    name: 'rejects a fill of a spilled pointer one byte of which was overwritten: its bytes are poisoned (V042)',
    asm: '*(u64 *)(r10 - 8) = r1\n*(u8 *)(r10 - 8) = 0\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit',
    expect: 'V042_SPILL_CORRUPT',
    at: 2,
    message: /overwritten in part/,
  },
];

export const ALU_PROBE_CASES: readonly AsmCase[] = [
  {
    name: 'accepts (w1 & 7) - 8 wrapped in 32 bits, >> 30, as 3 (zero extension of w registers)',
    asm: indexed('w1 &= 7\nw1 -= 8\nr1 >>= 30\nr1 <<= 3'),
    expect: 'accept',
  },
  {
    name: 'rejects (w1 & 7) - 8 wrapped in 32 bits, >> 29, as 7: offset 56 (V035)',
    asm: indexed('w1 &= 7\nw1 -= 8\nr1 >>= 29\nr1 <<= 3'),
    expect: 'V035_MAP_VALUE_OOB',
    at: 13,
    message: /off=56/,
  },
  { name: 'accepts an index (x & 3) * 8', asm: indexed('r1 &= 3\nr1 *= 8'), expect: 'accept' },
  {
    name: 'rejects an index (x & 3) * 16, reaching offset 48 (V035)',
    asm: indexed('r1 &= 3\nr1 *= 16'),
    expect: 'V035_MAP_VALUE_OOB',
    at: 11,
  },
  {
    name: 'rejects an index (x & 3) - 1, which may be -1 (V037)',
    asm: indexed('r1 &= 3\nr1 -= 1', 8),
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 11,
  },
  {
    name: 'rejects an index -(x & 7), which may be negative (V037)',
    asm: indexed('r1 &= 7\nr1 = -r1', 8),
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 11,
  },
  {
    name: 'rejects an index sign-extended from its low byte by << 56 and s>> 56 (V037)',
    asm: indexed('r1 <<= 56\nr1 s>>= 56', 8),
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 11,
  },
  {
    name: 'accepts an index bounded by a compare with a register holding 6',
    asm: indexed('r2 = 6\nif r1 >= r2 goto out\nr1 <<= 3'),
    expect: 'accept',
  },
  {
    name: 'rejects an index compared with an unknown register (V037)',
    asm: indexed('r2 = *(u32 *)(r0 + 4)\nif r1 >= r2 goto out\nr1 <<= 3'),
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 12,
  },
  {
    name: 'accepts an index bounded by `if r1 > r2` where r2 is masked to [0, 40]',
    asm: indexed('r2 = *(u32 *)(r0 + 4)\nr2 &= 40\nif r1 > r2 goto out', 8),
    expect: 'accept',
  },
  {
    name: 'accepts an index proven equal to a register holding 40',
    asm: indexed('r2 = 40\nif r1 != r2 goto out'),
    expect: 'accept',
  },
  {
    name: 'accepts a u32 spill and u32 fill of an index keeping its bounds',
    asm: indexed('r1 &= 3\n*(u32 *)(r10 - 16) = w1\nw1 = *(u32 *)(r10 - 16)\nr1 <<= 3'),
    expect: 'accept',
  },
  {
    name: 'accepts an offset of 40 stored as an immediate and filled',
    asm: indexed('*(u64 *)(r10 - 16) = 40\nr1 = *(u64 *)(r10 - 16)'),
    expect: 'accept',
  },
  {
    name: 'rejects an offset of 48 stored as an immediate and filled (V035)',
    asm: indexed('*(u64 *)(r10 - 16) = 48\nr1 = *(u64 *)(r10 - 16)'),
    expect: 'V035_MAP_VALUE_OOB',
    at: 11,
  },
  {
    name: 'rejects a byte index sign-extended by movsx and checked >= 0: it may be 127 (V035)',
    asm: indexed('r1 = (s8) r1\nif r1 s< 0 goto out', 8),
    expect: 'V035_MAP_VALUE_OOB',
    at: 11,
  },
  {
    name: 'rejects a byte index sign-extended by movsx and not checked (V037)',
    asm: indexed('r1 = (s8) r1', 8),
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 10,
  },
  {
    name: 'accepts a byte-swapped index bounded by `if r1 > 47`',
    asm: indexed('r1 = be16 r1\nif r1 > 47 goto out', 8),
    expect: 'accept',
  },
  {
    name: 'accepts a byte index proven below 8 by the false edge of `if r1 & -8`',
    asm: indexed('if r1 & -8 goto out', 8),
    expect: 'accept',
  },
  {
    name: 'rejects that index scaled by 8 for a u64 load: offset 56 reachable (V035)',
    asm: indexed('if w1 & -8 goto out\nr1 <<= 3'),
    expect: 'V035_MAP_VALUE_OOB',
    at: 11,
  },
  {
    name: 'rejects moving a stack pointer by the (unknown) difference of two stack pointers (V037)',
    asm: 'r2 = r10\nr2 += -8\nr3 = r10\nr3 -= r2\nr4 = r10\nr4 -= r3\n*(u64 *)(r4 + 0) = 0\nr0 = 0\nexit',
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 5,
  },
];

export const NULL_PROBE_CASES: readonly AsmCase[] = [
  {
    name: 'rejects a load after a 32-bit compare of the pointer with 0, which is no NULL check (V031)',
    asm: `${LOOKUP_ARR}
      if w0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V031_NULL_DEREF',
    at: 7,
  },
  {
    name: 'rejects a load after comparing the pointer with 1, which is no NULL check (V031)',
    asm: `${LOOKUP_ARR}
      if r0 == 1 goto out
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V031_NULL_DEREF',
    at: 7,
  },
  {
    name: 'rejects moving the ctx pointer by a variable amount (V022)',
    asm: 'r3 = *(u32 *)(r1 + 8)\nr3 &= 8\nr2 = r1\nr2 += r3\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 3,
  },
];

export const RELEASE_PROBE_CASES: readonly AsmCase[] = [
  {
    name: 'rejects a store through a copy of a reservation after its submit: the copy is released (V059)',
    asm: `${RESERVE_CHECKED}
      r6 = r0
      ${SUBMIT_R0}
      *(u64 *)(r6 + 0) = 1
      ${OUT}`,
    expect: 'V059_BAD_RELEASE',
    at: 10,
    message: /R6/,
  },
  {
    name: 'accepts a store through a moved copy of a reservation, the original submitted',
    asm: `${RESERVE_CHECKED}
      r6 = r0
      r6 += 8
      *(u64 *)(r6 + 0) = 1
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects a store through a copy of a reservation moved to its end (V036)',
    asm: `${RESERVE_CHECKED}
      r6 = r0
      r6 += 16
      *(u64 *)(r6 + 0) = 1
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V036_MEM_OOB',
    at: 8,
  },
  {
    name: 'accepts a reservation of 0 bytes, discarded',
    asm: `
      r1 = map[rb] ll
      r2 = 0
      r3 = 0
      call 131
      if r0 == 0 goto out
      r1 = r0
      r2 = 0
      call 133
      ${OUT}`,
    expect: 'accept',
  },
];

export const HELPER_PROBE_CASES: readonly AsmCase[] = [
  {
    name: 'rejects iouring_reap_cqe writing into the frozen .rodata value (V040)',
    asm: 'r2 = 0\nr3 = map_value[rodata] ll\nr4 = 8\ncall 166\nr0 = 0\nexit',
    expect: 'V040_READ_ONLY',
    at: 4,
  },
  {
    name: 'accepts iouring_reap_cqe writing into the .data value',
    asm: 'r2 = 0\nr3 = map_value[data] ll\nr4 = 8\ncall 166\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts ringbuf_output reading the frozen .rodata value',
    asm: 'r1 = map[rb] ll\nr2 = map_value[rodata] ll\nr3 = 32\nr4 = 0\ncall 130\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a ringbuf_output size bounded by `if r3 > 8` over 8 bytes',
    asm: `
      *(u64 *)(r10 - 8) = 0
      r3 = *(u32 *)(r1 + 8)
      if r3 > 8 goto out
      r1 = map[rb] ll
      r2 = r10
      r2 += -8
      r4 = 0
      call 130
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects a ringbuf_output size bounded by `if r3 > 9` over 8 bytes (V057)',
    asm: `
      *(u64 *)(r10 - 8) = 0
      r3 = *(u32 *)(r1 + 8)
      if r3 > 9 goto out
      r1 = map[rb] ll
      r2 = r10
      r2 += -8
      r4 = 0
      call 130
      ${OUT}`,
    expect: 'V057_HELPER_MEM_RANGE',
    at: 8,
  },
  {
    name: 'rejects an atomic add of the frame pointer into a map value (V041)',
    asm: `${LOOKUP_ARR_CHECKED}
      lock *(u64 *)(r0 + 0) += r10
      ${OUT}`,
    expect: 'V041_PTR_LEAK',
    at: 7,
  },
  {
    name: 'rejects xchg of a stack pointer into a map value (V041)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = r10
      r1 = xchg_64(r0 + 0, r1)
      ${OUT}`,
    expect: 'V041_PTR_LEAK',
    at: 8,
  },
  {
    name: 'accepts a void callee exiting with r0 never written, its r0 unused',
    asm: 'call f\nr0 = 0\nexit\nf:\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a caller reading the r0 a void callee never wrote (V020)',
    asm: 'call f\nexit\nf:\nexit',
    expect: 'V020_UNINIT_REG',
    at: 1,
  },
  {
    name: "rejects a callee storing past the caller's frame through the pointer it was given (V032)",
    asm: `
      r1 = r10
      r1 += -8
      call f
      r0 = 0
      exit
    f:
      *(u64 *)(r1 + 8) = 0
      r0 = 0
      exit`,
    expect: 'V032_STACK_OOB',
    at: 5,
  },
  {
    name: 'rejects a shift by the immediate -1 (V015)',
    asm: 'r0 = 1\nr0 <<= -1\nr0 = 0\nexit',
    expect: 'V015_BAD_SHIFT',
    at: 1,
  },
  {
    name: 'rejects a 32-bit negation of a stack pointer (V022)',
    asm: 'r2 = r10\nw2 = -w2\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 1,
  },
  {
    name: 'rejects a direct map value as the map of map_lookup_elem (V054)',
    asm: '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map_value[data] ll\ncall 1\nr0 = 0\nexit',
    expect: 'V054_HELPER_ARG_TYPE',
    at: 5,
  },
  {
    name: 'rejects iouring_emit_cqe given the ctx pointer moved by 8 (V039)',
    asm: 'r1 += 8\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit',
    expect: 'V039_CTX_MODIFIED',
    at: 5,
  },
  {
    name: 'rejects tail_call given the ctx pointer moved by 8 (V039)',
    asm: 'r1 += 8\nr2 = map[progs] ll\nr3 = 0\ncall 12\nr0 = 0\nexit',
    expect: 'V039_CTX_MODIFIED',
    at: 4,
  },
  {
    name: 'accepts iouring_emit_cqe given the ctx pointer spilled and filled',
    asm: '*(u64 *)(r10 - 8) = r1\nr1 = *(u64 *)(r10 - 8)\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts copy_from_user filling the whole .data value',
    asm: 'r1 = map_value[data] ll\nr2 = 64\nr3 = 0\ncall 148\nr0 = 0\nexit',
    expect: 'accept',
    sleepable: true,
  },
  {
    name: 'rejects copy_from_user writing into the frozen .rodata value (V040)',
    asm: 'r1 = map_value[rodata] ll\nr2 = 32\nr3 = 0\ncall 148\nr0 = 0\nexit',
    expect: 'V040_READ_ONLY',
    at: 4,
    sleepable: true,
  },
  {
    name: 'rejects iouring_queue_sqe reading 64 bytes from 8 bytes at fp-8 (V057)',
    asm: '*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr3 = 64\ncall 164\nr0 = 0\nexit',
    expect: 'V057_HELPER_MEM_RANGE',
    at: 4,
    sleepable: true,
  },
  {
    name: 'accepts copy_to_user with a size bounded by `if r3 > 8` over 8 bytes',
    asm: `
      *(u64 *)(r10 - 8) = 0
      r3 = *(u32 *)(r1 + 8)
      if r3 > 8 goto out
      r1 = 0
      r2 = r10
      r2 += -8
      call 167
      ${OUT}`,
    expect: 'accept',
    sleepable: true,
  },
];

export const FRAME_PROBE_CASES: readonly AsmCase[] = [
  {
    name: 'rejects a callee reading r2, which its caller never wrote (V020)',
    asm: 'call f\nr0 = 0\nexit\nf:\nr0 = r2\nexit',
    expect: 'V020_UNINIT_REG',
    at: 3,
    message: /R2/,
  },
  {
    name: 'accepts a call with r2-r5 unwritten when the callee reads only r1',
    asm: 'r1 = 1\ncall f\nr0 = 0\nexit\nf:\nr0 = r1\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a callee NULL-checking a lookup result it was passed',
    asm: `${LOOKUP_ARR}
      r1 = r0
      call f
      r0 = 0
      exit
    f:
      if r1 == 0 goto +1
      *(u64 *)(r1 + 0) = 1
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'rejects a callee storing through a lookup result it was passed unchecked (V031)',
    asm: `${LOOKUP_ARR}
      r1 = r0
      call f
      r0 = 0
      exit
    f:
      *(u64 *)(r1 + 0) = 1
      r0 = 0
      exit`,
    expect: 'V031_NULL_DEREF',
    at: 10,
  },
  {
    name: "accepts a pointer to main's stack passed through f to g, which writes it",
    asm: `
      r1 = r10
      r1 += -8
      call f
      r0 = *(u64 *)(r10 - 8)
      r0 = 0
      exit
    f:
      r6 = r1
      call g
      r0 = *(u64 *)(r6 + 0)
      exit
    g:
      *(u64 *)(r1 + 0) = 3
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: "rejects the caller reading its fp-8 after the callee wrote the callee's own fp-8 (V033)",
    asm: 'call f\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 8) = 0\nr0 = 0\nexit',
    expect: 'V033_STACK_UNINIT',
    at: 1,
  },
];

export const MISC_PROBE_CASES: readonly AsmCase[] = [
  {
    name: 'rejects a direct value lddw at offset 64 of the 64-byte .data value (V013)',
    asm: 'r1 = map_value[data]+64 ll\nr0 = 0\nexit',
    expect: 'V013_BAD_LDDW',
    at: 0,
  },
  {
    name: 'rejects a direct value lddw of a HASH map (V013)',
    asm: 'r1 = map_value[hash] ll\nr0 = 0\nexit',
    expect: 'V013_BAD_LDDW',
    at: 0,
  },
  {
    name: 'rejects an atomic add into the frozen .rodata value (V040)',
    asm: 'r1 = map_value[rodata] ll\nr2 = 1\nlock *(u64 *)(r1 + 0) += r2\nr0 = 0\nexit',
    expect: 'V040_READ_ONLY',
    at: 3,
  },
  {
    name: 'accepts the ctx user_data as 8 bytes of helper memory (a departure from the kernel)',
    asm: 'r2 = r1\nr1 = map[rb] ll\nr3 = 8\nr4 = 0\ncall 130\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects the whole 16-byte ctx as helper memory (V057)',
    asm: 'r2 = r1\nr1 = map[rb] ll\nr3 = 16\nr4 = 0\ncall 130\nr0 = 0\nexit',
    expect: 'V057_HELPER_MEM_RANGE',
    at: 5,
  },
  {
    name: 'rejects a 4-byte store of a pointer into the stack (V041)',
    asm: '*(u32 *)(r10 - 8) = w1\nr0 = 0\nexit',
    expect: 'V041_PTR_LEAK',
    at: 0,
  },
  {
    name: 'rejects a fixed read of a word a variable-offset store may have missed (V033)',
    asm: `
      r2 = *(u32 *)(r1 + 8)
      r2 &= 8
      r3 = r10
      r3 += -16
      r3 += r2
      *(u64 *)(r3 + 0) = 0
      r0 = *(u64 *)(r10 - 16)
      r0 = 0
      exit`,
    expect: 'V033_STACK_UNINIT',
    at: 6,
  },
  {
    name: 'accepts an invalid load on a branch never taken (r0 is known 0)',
    asm: 'r0 = 0\nif r0 == 0 goto +1\nr0 = *(u64 *)(r2 + 0)\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects r0 = r10 - r10 at exit: the difference of two pointers is an unknown scalar (V070)',
    asm: 'r0 = r10\nr0 -= r10\nexit',
    expect: 'V070_BAD_RETURN',
    at: 2,
  },
  {
    name: 'rejects an endless loop whose counter keeps growing, at the processed limit (V073)',
    asm: 'r0 = 0\nr2 = 0\nl:\nr2 += 1\ngoto l',
    expect: 'V073_TOO_COMPLEX',
    maxProcessed: 1000,
  },
  {
    name: 'accepts a 32-bit cmpxchg on an initialised stack word',
    asm: '*(u32 *)(r10 - 4) = 0\nw0 = 0\nw2 = 1\nw0 = cmpxchg32_32(r10 - 4, w0, w2)\nr0 = 0\nexit',
    expect: 'accept',
  },
];

export const MAP_PROBE_CASES: readonly AsmCase[] = [
  {
    name: 'rejects offset 40 of a value looked up in hash (16 bytes) or arr (48) chosen by a branch (V035)',
    asm: `
      r6 = r1
      *(u64 *)(r10 - 8) = 0
      r7 = *(u32 *)(r6 + 8)
      r1 = map[hash] ll
      if r7 == 0 goto +2
      r1 = map[arr] ll
      r2 = r10
      r2 += -8
      call 1
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 40)
      ${OUT}`,
    expect: 'V035_MAP_VALUE_OOB',
    at: 12,
    message: /value_size=16/,
  },
  {
    name: 'rejects map_update_elem on the frozen .rodata map (V040)',
    asm: `
      *(u32 *)(r10 - 4) = 0
      *(u64 *)(r10 - 40) = 0
      *(u64 *)(r10 - 32) = 0
      *(u64 *)(r10 - 24) = 0
      *(u64 *)(r10 - 16) = 0
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -40
      r1 = map[rodata] ll
      r4 = 0
      call 2
      r0 = 0
      exit`,
    expect: 'V040_READ_ONLY',
    at: 12,
  },
  {
    name: 'rejects map_delete_elem on the frozen .rodata map (V040)',
    asm: '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[rodata] ll\ncall 3\nr0 = 0\nexit',
    expect: 'V040_READ_ONLY',
    at: 5,
  },
  {
    name: 'accepts a map pointer spilled and filled before map_lookup_elem',
    asm: 'r1 = map[arr] ll\n*(u64 *)(r10 - 16) = r1\n*(u32 *)(r10 - 4) = 0\nr1 = *(u64 *)(r10 - 16)\nr2 = r10\nr2 += -4\ncall 1\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a map value as the value of map_update_elem on the same map',
    asm: `${LOOKUP_ARR_CHECKED}
      r3 = r0
      r2 = r10
      r2 += -4
      r1 = map[arr] ll
      r4 = 0
      call 2
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects a 16-byte hash value as the 48-byte value of an arr update (V057)',
    asm: `
      *(u64 *)(r10 - 8) = 0
      r2 = r10
      r2 += -8
      r1 = map[hash] ll
      call 1
      if r0 == 0 goto out
      r3 = r0
      *(u32 *)(r10 - 12) = 0
      r2 = r10
      r2 += -12
      r1 = map[arr] ll
      r4 = 0
      call 2
      ${OUT}`,
    expect: 'V057_HELPER_MEM_RANGE',
    at: 14,
  },
  {
    name: 'accepts a ring buffer reservation as the key of a hash lookup',
    asm: `${RESERVE_CHECKED}
      r6 = r0
      *(u64 *)(r6 + 0) = 0
      r2 = r6
      r1 = map[hash] ll
      call 1
      r1 = r6
      r2 = 0
      call 132
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts r6 kept across a tail call that fell through',
    asm: 'r6 = 0\nr2 = map[progs] ll\nr3 = 0\ncall 12\nr0 = r6\nexit',
    expect: 'accept',
  },
];
