/**
 * Verifier cases: program exit (V070-V071), bounded loops explored iteration by iteration, loops
 * that never change state (V072) and the processed-instruction limit (V073).
 */
import { type AsmCase, LOOKUP_ARR_CHECKED, OUT } from './verifier-asm-cases.js';
import { ANY_RET_PROG_TYPE } from './verifier-harness.js';

/** A counted loop of 1000 iterations (about 2000 instructions processed). */
const LOOP_1000 = `
  r0 = 0
  r2 = 0
l:
  r2 += 1
  if r2 < 1000 goto l
  exit`;

/** Sum of the six u64 words of an `arr` value, i < LIMIT: the load is slot 14. */
const sumWords = (limit: number): string => `${LOOKUP_ARR_CHECKED}
  r6 = r0
  r2 = 0
  r3 = 0
l:
  r4 = r2
  r4 <<= 3
  r5 = r6
  r5 += r4
  r4 = *(u64 *)(r5 + 0)
  r3 += r4
  r2 += 1
  if r2 < ${limit} goto l
  *(u64 *)(r6 + 0) = r3
  ${OUT}`;

/** Zero the stack words fp-32 + 8i for i < LIMIT in a loop, then load fp-8 (slot 9). */
const zeroWords = (limit: number): string => `
  r2 = 0
l:
  r3 = r10
  r3 += -32
  r4 = r2
  r4 <<= 3
  r3 += r4
  *(u64 *)(r3 + 0) = 0
  r2 += 1
  if r2 < ${limit} goto l
  r0 = *(u64 *)(r10 - 8)
  r0 = 0
  exit`;

export const EXIT_CASES: readonly AsmCase[] = [
  { name: 'accepts r0 = 0 at exit', asm: 'r0 = 0\nexit', expect: 'accept' },
  {
    name: 'rejects r0 = 1 at exit of an io_uring program (V070)',
    asm: 'r0 = 1\nexit',
    expect: 'V070_BAD_RETURN',
    at: 1,
    message: /R0/,
  },
  { name: 'rejects r0 = -1 at exit (V070)', asm: 'r0 = -1\nexit', expect: 'V070_BAD_RETURN', at: 1 },
  {
    name: 'rejects an unknown r0 (wait_nr) at exit (V070)',
    asm: 'r0 = *(u32 *)(r1 + 8)\nexit',
    expect: 'V070_BAD_RETURN',
    at: 1,
  },
  {
    name: 'rejects r0 = 1 on one path only (V070)',
    asm: 'r0 = 0\nr2 = *(u32 *)(r1 + 8)\nif r2 == 0 goto +1\nr0 = 1\nexit',
    expect: 'V070_BAD_RETURN',
    at: 4,
  },
  {
    name: "rejects a helper's result returned as r0 (V070)",
    asm: 'call 5\nexit',
    expect: 'V070_BAD_RETURN',
    at: 1,
  },
  {
    name: 'accepts r0 = 1 for a program type without a return range',
    asm: 'r0 = 1\nexit',
    expect: 'accept',
    progType: ANY_RET_PROG_TYPE,
  },
  {
    name: 'rejects the frame pointer returned as r0 (V071)',
    asm: 'r0 = r10\nexit',
    expect: 'V071_RETURN_PTR',
    at: 1,
    message: /R0/,
  },
  {
    name: 'rejects the ctx pointer returned as r0 (V071)',
    asm: 'r0 = r1\nexit',
    expect: 'V071_RETURN_PTR',
    at: 1,
  },
  {
    name: 'rejects the ctx pointer returned even without a return range (V071)',
    asm: 'r0 = r1\nexit',
    expect: 'V071_RETURN_PTR',
    at: 1,
    progType: ANY_RET_PROG_TYPE,
  },
];

export const LOOP_CASES: readonly AsmCase[] = [
  {
    name: 'accepts a counted loop of 10 iterations',
    asm: 'r0 = 0\nr2 = 0\nl:\nr2 += 1\nif r2 < 10 goto l\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a count-down while loop',
    asm: 'r0 = 0\nr2 = 10\nl:\nr2 -= 1\nif r2 != 0 goto l\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a do-while loop on a 32-bit signed counter',
    asm: 'r0 = 0\nw2 = 5\nl:\nw2 -= 1\nif w2 s> 0 goto l\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts nested loops of 3 x 3 iterations',
    asm: `
      r0 = 0
      r6 = 0
    outer:
      r7 = 0
    inner:
      r7 += 1
      if r7 < 3 goto inner
      r6 += 1
      if r6 < 3 goto outer
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a loop with a break on a value read from ctx',
    asm: `
      r0 = 0
      r2 = 0
      r3 = *(u32 *)(r1 + 8)
    l:
      if r2 == r3 goto done
      r2 += 1
      if r2 < 16 goto l
    done:
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a while loop up to a ctx value bounded by 8',
    asm: `
      r3 = *(u32 *)(r1 + 8)
      if r3 > 8 goto out
      r2 = 0
    l:
      if r2 >= r3 goto out
      r2 += 1
      goto l
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts nested loops whose inner loop breaks on a value read from ctx',
    asm: `
      r0 = 0
      r8 = *(u32 *)(r1 + 12)
      r6 = 0
    outer:
      r7 = 0
    inner:
      if r7 == r8 goto next
      r7 += 1
      if r7 < 4 goto inner
    next:
      r6 += 1
      if r6 < 4 goto outer
      exit`,
    expect: 'accept',
  },
  { name: 'accepts a loop summing the six words of a map value', asm: sumWords(6), expect: 'accept' },
  {
    name: 'rejects the loop reading a seventh word past the 48-byte value (V035)',
    asm: sumWords(7),
    expect: 'V035_MAP_VALUE_OOB',
    at: 14,
  },
  { name: 'accepts a loop zeroing four stack words before one is read', asm: zeroWords(4), expect: 'accept' },
  {
    name: 'rejects the loop zeroing only three, leaving the word read unwritten (V033)',
    asm: zeroWords(3),
    expect: 'V033_STACK_UNINIT',
    at: 9,
  },
  {
    name: 'accepts a counted loop of 1000 iterations under the default limit',
    asm: LOOP_1000,
    expect: 'accept',
  },
  {
    name: 'accepts a loop that may return early',
    asm: `
      r0 = 0
      r2 = 0
      r3 = *(u32 *)(r1 + 8)
    l:
      if r2 == r3 goto done
      r2 += 1
      if r2 < 8 goto l
    done:
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a loop reserving and submitting a record per iteration',
    asm: `
      r6 = 0
    l:
      r1 = map[rb] ll
      r2 = 8
      r3 = 0
      call 131
      if r0 == 0 goto next
      *(u64 *)(r0 + 0) = r6
      r1 = r0
      r2 = 0
      call 132
    next:
      r6 += 1
      if r6 < 8 goto l
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'rejects the loop skipping the submit in its last iteration (V058)',
    asm: `
      r6 = 0
    l:
      r1 = map[rb] ll
      r2 = 8
      r3 = 0
      call 131
      if r0 == 0 goto next
      if r6 == 7 goto next
      r1 = r0
      r2 = 0
      call 132
    next:
      r6 += 1
      if r6 < 8 goto l
      r0 = 0
      exit`,
    expect: 'V058_UNRELEASED_REF',
    at: 14,
  },
  {
    name: 'accepts a bpf2bpf call in a loop',
    asm: 'r6 = 0\nl:\nr1 = r6\ncall f\nr6 += 1\nif r6 < 4 goto l\nr0 = 0\nexit\nf:\nr0 = r1\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a counted loop that also has a may_goto',
    asm: 'r0 = 0\nr2 = 0\nl:\nmay_goto +3\nr2 += 1\nif r2 < 10 goto l\nexit\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a loop bounded only by may_goto',
    asm: 'r0 = 0\nr2 = 0\nl:\nmay_goto +2\nr2 += 1\ngoto l\nexit',
    expect: 'accept',
    maxProcessed: 4000,
  },
  {
    name: 'rejects a may_goto loop indexing a map value by its counter, which no compare bounds (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r2 = 0
    l:
      may_goto +5
      r3 = r0
      r3 += r2
      r4 = *(u8 *)(r3 + 0)
      r2 += 1
      goto l
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 10,
  },
  { name: 'accepts gotol', asm: 'r0 = 0\ngotol +0\nexit', expect: 'accept' },
  // V072
  {
    name: 'rejects a jump to itself (V072)',
    asm: 'r0 = 0\nl:\ngoto l',
    expect: 'V072_INFINITE_LOOP',
    at: 1,
  },
  {
    name: 'rejects a loop whose condition is always true and state never changes (V072)',
    asm: 'r0 = 0\nr2 = 1\nl:\nif r2 != 0 goto l\nexit',
    expect: 'V072_INFINITE_LOOP',
    at: 2,
  },
  {
    name: 'rejects a loop whose counter is masked back to 0 every iteration (V072)',
    asm: 'r0 = 0\nr2 = 0\nl:\nr2 &= 1\nif r2 < 10 goto l\nexit',
    expect: 'V072_INFINITE_LOOP',
    at: 2,
  },
  // V073: the slot where the limit is hit depends on the exploration order, so no `at`
  {
    name: 'rejects the 1000-iteration loop with a limit of 500 processed instructions (V073)',
    asm: LOOP_1000,
    expect: 'V073_TOO_COMPLEX',
    maxProcessed: 500,
  },
  {
    name: 'rejects nested loops of 100 x 100 iterations with a limit of 5000 (V073)',
    asm: `
      r0 = 0
      r6 = 0
    outer:
      r7 = 0
    inner:
      r7 += 1
      if r7 < 100 goto inner
      r6 += 1
      if r6 < 100 goto outer
      exit`,
    expect: 'V073_TOO_COMPLEX',
    maxProcessed: 5000,
  },
];
