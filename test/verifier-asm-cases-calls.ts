/**
 * Verifier cases: ring buffer references (V058-V059), tail calls, and bpf2bpf calls (frames,
 * arguments, stacks, V060-V061).
 */
import {
  type AsmCase,
  LOOKUP_ARR,
  LOOKUP_ARR_CHECKED,
  OUT,
  RESERVE,
  RESERVE_CHECKED,
  SUBMIT_R0,
} from './verifier-asm-cases.js';
import { ANY_RET_PROG_TYPE } from './verifier-harness.js';

export const RINGBUF_CASES: readonly AsmCase[] = [
  {
    name: 'accepts a reservation written and submitted',
    asm: `${RESERVE_CHECKED}
      *(u64 *)(r0 + 0) = 1
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a reservation submitted on one path and discarded on the other',
    asm: `
      r6 = r1
      ${RESERVE}
      if r0 == 0 goto out
      r7 = *(u32 *)(r6 + 8)
      r1 = r0
      r2 = 0
      if r7 == 0 goto discard
      call 132
      goto out
    discard:
      call 133
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a reservation submitted through a copy kept in r7 across a helper call',
    asm: `${RESERVE_CHECKED}
      r7 = r0
      call 5
      *(u64 *)(r7 + 0) = r0
      r1 = r7
      r2 = 0
      call 132
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a reservation passed as the data of ringbuf_output, then discarded',
    asm: `${RESERVE_CHECKED}
      r6 = r0
      *(u64 *)(r6 + 0) = 0
      *(u64 *)(r6 + 8) = 0
      r1 = map[rb] ll
      r2 = r6
      r3 = 16
      r4 = 0
      call 130
      r1 = r6
      r2 = 0
      call 133
      ${OUT}`,
    expect: 'accept',
  },
  // V058
  {
    name: 'rejects exit with a reservation never submitted (V058)',
    asm: `${RESERVE_CHECKED}
      *(u64 *)(r0 + 0) = 0
      ${OUT}`,
    expect: 'V058_UNRELEASED_REF',
    at: 8,
    message: /alloc_insn=4/,
  },
  {
    name: 'rejects a reservation submitted on only one path (V058)',
    asm: `
      r6 = r1
      ${RESERVE}
      if r0 == 0 goto out
      r2 = *(u32 *)(r6 + 8)
      if r2 == 0 goto out
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V058_UNRELEASED_REF',
    at: 13,
  },
  {
    name: 'rejects a reservation lost by overwriting its only register (V058)',
    asm: `${RESERVE_CHECKED}
      r0 = 0
      r1 = 0
      ${OUT}`,
    expect: 'V058_UNRELEASED_REF',
    at: 9,
  },
  // V059
  {
    name: 'rejects discarding a reservation already submitted (V059)',
    asm: `${RESERVE_CHECKED}
      r6 = r0
      ${SUBMIT_R0}
      r1 = r6
      r2 = 0
      call 133
      ${OUT}`,
    expect: 'V059_BAD_RELEASE',
    at: 12,
  },
  {
    name: 'rejects discarding a reservation already submitted, through its spilled copy: the fill reads poisoned bytes (V042)',
    asm: `${RESERVE_CHECKED}
      *(u64 *)(r10 - 8) = r0
      ${SUBMIT_R0}
      r1 = *(u64 *)(r10 - 8)
      r2 = 0
      call 133
      ${OUT}`,
    expect: 'V042_SPILL_CORRUPT',
    at: 10,
    message: /released/,
  },
  {
    name: 'rejects submitting a reservation before its NULL check (V059)',
    asm: `${RESERVE}
      ${SUBMIT_R0}
      r0 = 0
      exit`,
    expect: 'V059_BAD_RELEASE',
    at: 7,
  },
  {
    name: 'rejects submitting a map value pointer (V059)',
    asm: `${LOOKUP_ARR_CHECKED}
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V059_BAD_RELEASE',
    at: 9,
    message: /map_value/,
  },
  {
    name: 'rejects submitting a reservation pointer moved by 8 (V059)',
    asm: `${RESERVE_CHECKED}
      r0 += 8
      ${SUBMIT_R0}
      ${OUT}`,
    expect: 'V059_BAD_RELEASE',
    at: 9,
  },
];

export const TAIL_CALL_CASES: readonly AsmCase[] = [
  {
    name: 'accepts a tail call at an index read from ctx, with r0 set after it',
    asm: 'r6 = r1\nr3 = *(u32 *)(r1 + 8)\nr2 = map[progs] ll\ncall 12\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a tail call on one path and a plain return on the other',
    asm: `
      r3 = *(u32 *)(r1 + 8)
      if r3 > 3 goto out
      r2 = map[progs] ll
      call 12
      ${OUT}`,
    expect: 'accept',
  },
];

export const CALL_CASES: readonly AsmCase[] = [
  {
    name: "accepts a callee storing through a pointer to the caller's stack, the caller reading it",
    asm: `
      r1 = r10
      r1 += -8
      call f
      r0 = *(u64 *)(r10 - 8)
      r0 = 0
      exit
    f:
      r2 = 7
      *(u64 *)(r1 + 0) = r2
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: "accepts a callee reading the caller's initialised stack",
    asm: `
      *(u64 *)(r10 - 8) = 5
      r1 = r10
      r1 += -8
      call f
      r0 = 0
      exit
    f:
      r0 = *(u64 *)(r1 + 0)
      exit`,
    expect: 'accept',
  },
  {
    name: "rejects a callee reading the caller's uninitialised stack (V033)",
    asm: `
      r1 = r10
      r1 += -8
      call f
      r0 = 0
      exit
    f:
      r0 = *(u64 *)(r1 + 0)
      exit`,
    expect: 'V033_STACK_UNINIT',
    at: 5,
  },
  {
    name: 'accepts a return value of 5 from a callee, minus 5, as r0 == 0',
    asm: 'call f\nr0 -= 5\nexit\nf:\nr0 = 5\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a return value of 6 from a callee, minus 5, as r0 (V070)',
    asm: 'call f\nr0 -= 5\nexit\nf:\nr0 = 6\nexit',
    expect: 'V070_BAD_RETURN',
    at: 2,
  },
  {
    name: 'rejects a callee reading r6, which is not an argument (V020)',
    asm: 'r6 = 1\ncall f\nr0 = 0\nexit\nf:\nr0 = r6\nexit',
    expect: 'V020_UNINIT_REG',
    at: 4,
    message: /R6/,
  },
  {
    name: "accepts the caller's r6 kept across a callee that writes its own r6",
    asm: 'r6 = 0\ncall f\nr0 = r6\nexit\nf:\nr6 = 9\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a read of r1 after a bpf2bpf call (V020)',
    asm: 'call f\nr2 = r1\nr0 = 0\nexit\nf:\nr0 = 0\nexit',
    expect: 'V020_UNINIT_REG',
    at: 1,
  },
  {
    name: 'accepts a callee passing the ctx it received to iouring_emit_cqe',
    asm: 'call f\nr0 = 0\nexit\nf:\nr2 = 1\nr3 = 0\nr4 = 0\nr5 = 0\ncall 165\nexit',
    expect: 'accept',
  },
  {
    name: "accepts a callee's map lookup result NULL-checked and used by the caller",
    asm: `
      call f
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
    out:
      r0 = 0
      exit
    f:${LOOKUP_ARR}
      exit`,
    expect: 'accept',
  },
  // V060
  {
    name: 'rejects a 512-byte frame calling a function that uses 8 bytes, at the callee (V060)',
    asm: `
      *(u64 *)(r10 - 512) = 0
      call f
      r0 = 0
      exit
    f:
      *(u64 *)(r10 - 8) = 0
      r0 = 0
      exit`,
    expect: 'V060_STACK_TOO_LARGE',
    at: 4,
  },
  {
    name: 'accepts a 480-byte frame calling a function that uses 8 bytes (480 + 32 = 512)',
    asm: `
      *(u64 *)(r10 - 480) = 0
      call f
      r0 = 0
      exit
    f:
      *(u64 *)(r10 - 8) = 0
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'rejects a chain of frames of 256 + 224 + 64 bytes (V060)',
    asm: `
      *(u64 *)(r10 - 256) = 0
      call f
      r0 = 0
      exit
    f:
      *(u64 *)(r10 - 224) = 0
      call g
      r0 = 0
      exit
    g:
      *(u64 *)(r10 - 64) = 0
      r0 = 0
      exit`,
    expect: 'V060_STACK_TOO_LARGE',
    at: 8,
  },
  {
    name: 'rejects a callee using the whole 512 bytes under a main that uses none, which counts as 32 (V060)',
    asm: 'call f\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 512) = 0\nr0 = 0\nexit',
    expect: 'V060_STACK_TOO_LARGE',
    at: 3,
  },
  {
    name: 'accepts a callee using 480 bytes under a main that uses none (32 + 480 = 512)',
    asm: 'call f\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 480) = 0\nr0 = 0\nexit',
    expect: 'accept',
  },
  // V061
  {
    name: 'rejects a callee returning a pointer to its own stack (V061)',
    asm: 'call f\nr0 = 0\nexit\nf:\nr0 = r10\nr0 += -8\nexit',
    expect: 'V061_RETURN_STACK_PTR',
    at: 5,
  },
  {
    name: 'rejects a callee returning its stack pointer on one path (V061)',
    asm: `
      r1 = *(u32 *)(r1 + 8)
      call f
      r0 = 0
      exit
    f:
      r0 = 0
      if r1 == 0 goto +2
      r0 = r10
      r0 += -16
      exit`,
    expect: 'V061_RETURN_STACK_PTR',
    at: 8,
  },
  {
    name: "rejects a callee storing a pointer to its own stack into its caller's stack (V061)",
    asm: 'r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\nr2 = r10\nr2 += -8\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit',
    expect: 'V061_RETURN_STACK_PTR',
    at: 7,
  },
  {
    name: "accepts a callee spilling a pointer to its caller's stack into its own and storing through the fill",
    asm: 'r1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\n*(u64 *)(r2 + 0) = 1\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: "accepts a callee returning the pointer to its caller's stack it was given",
    asm: 'r1 = r10\nr1 += -8\ncall f\n*(u64 *)(r0 + 0) = 1\nr0 = 0\nexit\nf:\nr0 = r1\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects main returning a map value pointer even without a return range (V071)',
    asm: `${LOOKUP_ARR_CHECKED}
      exit
      ${OUT}`,
    expect: 'V071_RETURN_PTR',
    at: 7,
    progType: ANY_RET_PROG_TYPE,
  },
];
