/**
 * Verifier cases: helper calls (V050-V057) with every argument kind of the io_uring registry, and
 * pointers leaked through helper arguments (V041).
 */
import type { ProgTypeInfo } from '../src/ebpf/verifier/api.js';
import { IOURING_PROG_TYPE } from '../src/ebpf/verifier/prog-types.js';
import { BPF_FUNC_iouring_queue_sqe, BPF_FUNC_tail_call } from '../src/uapi/bpf.js';
import { type AsmCase, LOOKUP_ARR, LOOKUP_ARR_CHECKED, OUT } from './verifier-asm-cases.js';

/** io_uring's ctx and return rule, without the io_uring helpers (164-167). */
const NO_IOURING_HELPERS: ProgTypeInfo = {
  ...IOURING_PROG_TYPE,
  name: 'iouring-no-ring-helpers',
  helperAllowed: (def) => def.id < BPF_FUNC_iouring_queue_sqe,
};

/** io_uring's ctx and return rule, without tail_call. */
const NO_TAIL_CALL: ProgTypeInfo = {
  ...IOURING_PROG_TYPE,
  name: 'iouring-no-tail-call',
  helperAllowed: (def) => def.id !== BPF_FUNC_tail_call,
};

/** "hi\n" at fp-8, then trace_printk(fp-8, 8): the call is slot 4. */
const PRINTK = `
  *(u64 *)(r10 - 8) = 0x0a6968
  r1 = r10
  r1 += -8
  r2 = 8
  call 6`;

/** 8 zero bytes at fp-8, then ringbuf_output(rb, fp-8, SIZE, 0) with r3 set by `size`: see uses. */
const output = (size: string): string => `
  *(u64 *)(r10 - 8) = 0
  ${size}
  r1 = map[rb] ll
  r2 = r10
  r2 += -8
  r4 = 0
  call 130`;

export const HELPER_CASES: readonly AsmCase[] = [
  // V050
  {
    name: 'rejects a call of helper 9999, which the registry lacks (V050)',
    asm: 'call 9999\nr0 = 0\nexit',
    expect: 'V050_UNKNOWN_HELPER',
    at: 0,
    message: /9999/,
  },
  {
    name: 'rejects a call of probe_read (4), which the registry lacks (V050)',
    asm: 'r0 = 0\ncall 4\nr0 = 0\nexit',
    expect: 'V050_UNKNOWN_HELPER',
    at: 1,
  },
  // V051
  {
    name: 'rejects iouring_emit_cqe in a program type that does not allow it (V051)',
    asm: 'r2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit',
    expect: 'V051_HELPER_NOT_ALLOWED',
    at: 4,
    progType: NO_IOURING_HELPERS,
  },
  {
    name: 'accepts iouring_emit_cqe with the ctx and four scalars in an io_uring program',
    asm: 'r2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects tail_call in a program type that does not allow it (V051)',
    asm: 'r2 = map[progs] ll\nr3 = 0\ncall 12\nr0 = 0\nexit',
    expect: 'V051_HELPER_NOT_ALLOWED',
    at: 3,
    progType: NO_TAIL_CALL,
  },
  // V052
  {
    name: 'rejects copy_to_user in a non-sleepable program (V052)',
    asm: '*(u64 *)(r10 - 8) = 0\nr1 = 0\nr2 = r10\nr2 += -8\nr3 = 8\ncall 167\nr0 = 0\nexit',
    expect: 'V052_HELPER_SLEEPABLE',
    at: 5,
    message: /copy_to_user/,
  },
  {
    name: 'accepts copy_to_user from initialised stack in a sleepable program',
    asm: '*(u64 *)(r10 - 8) = 0\nr1 = 0\nr2 = r10\nr2 += -8\nr3 = 8\ncall 167\nr0 = 0\nexit',
    expect: 'accept',
    sleepable: true,
  },
  {
    name: 'rejects iouring_queue_sqe in a non-sleepable program (V052)',
    asm: '*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr3 = 8\ncall 164\nr0 = 0\nexit',
    expect: 'V052_HELPER_SLEEPABLE',
    at: 4,
  },
  {
    name: 'accepts iouring_queue_sqe with the ctx and initialised stack in a sleepable program',
    asm: '*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr3 = 8\ncall 164\nr0 = 0\nexit',
    expect: 'accept',
    sleepable: true,
  },
  {
    name: 'rejects copy_from_user in a non-sleepable program (V052)',
    asm: 'r1 = r10\nr1 += -16\nr2 = 16\nr3 = 0\ncall 148\nr0 = 0\nexit',
    expect: 'V052_HELPER_SLEEPABLE',
    at: 4,
  },
  {
    name: 'accepts copy_from_user filling uninitialised stack that is read afterwards',
    asm: 'r1 = r10\nr1 += -16\nr2 = 16\nr3 = 0\ncall 148\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit',
    expect: 'accept',
    sleepable: true,
  },
  {
    name: 'accepts iouring_queue_sqe reading a whole 48-byte map value',
    asm: `
      r6 = r1
      ${LOOKUP_ARR}
      if r0 == 0 goto out
      r1 = r6
      r2 = r0
      r3 = 48
      call 164
      ${OUT}`,
    expect: 'accept',
    sleepable: true,
  },
  // V053
  {
    name: 'rejects the GPL-only trace_printk without a GPL-compatible license (V053)',
    asm: `${PRINTK}\nr0 = 0\nexit`,
    expect: 'V053_HELPER_GPL',
    at: 4,
    gpl: false,
    message: /trace_printk/,
  },
  {
    name: 'accepts trace_printk with a GPL-compatible license',
    asm: `${PRINTK}\nr0 = 0\nexit`,
    expect: 'accept',
  },
  {
    name: 'rejects trace_printk in a subprogram without a GPL-compatible license (V053)',
    asm: `call f\nr0 = 0\nexit\nf:${PRINTK}\nr0 = 0\nexit`,
    expect: 'V053_HELPER_GPL',
    at: 7,
    gpl: false,
  },
  {
    name: 'rejects iouring_emit_cqe with its ARG_ANYTHING r5 never written (V020)',
    asm: 'r2 = 0\nr3 = 0\nr4 = 0\ncall 165\nr0 = 0\nexit',
    expect: 'V020_UNINIT_REG',
    at: 3,
    message: /R5/,
  },
  // V054
  {
    name: 'rejects map_lookup_elem with a scalar as the map (V054)',
    asm: '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = 0\ncall 1\nr0 = 0\nexit',
    expect: 'V054_HELPER_ARG_TYPE',
    at: 4,
    message: /R1/,
  },
  {
    name: 'rejects map_lookup_elem with a scalar as the key (V054)',
    asm: 'r1 = map[arr] ll\nr2 = 0\ncall 1\nr0 = 0\nexit',
    expect: 'V054_HELPER_ARG_TYPE',
    at: 3,
    message: /R2/,
  },
  {
    name: 'rejects map_lookup_elem with the ctx as the map (V054)',
    asm: '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\ncall 1\nr0 = 0\nexit',
    expect: 'V054_HELPER_ARG_TYPE',
    at: 3,
  },
  {
    name: 'rejects iouring_emit_cqe with a stack pointer as the ctx (V054)',
    asm: 'r1 = r10\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit',
    expect: 'V054_HELPER_ARG_TYPE',
    at: 5,
  },
  {
    name: 'rejects tail_call with a scalar as the ctx (V054)',
    asm: 'r1 = 0\nr2 = map[progs] ll\nr3 = 0\ncall 12\nr0 = 0\nexit',
    expect: 'V054_HELPER_ARG_TYPE',
    at: 4,
  },
  {
    name: 'rejects ringbuf_output with a map pointer as the data (V054)',
    asm: 'r1 = map[rb] ll\nr2 = map[arr] ll\nr3 = 8\nr4 = 0\ncall 130\nr0 = 0\nexit',
    expect: 'V054_HELPER_ARG_TYPE',
    at: 6,
  },
  // V055
  {
    name: 'rejects ringbuf_output with an unbounded size (V055)',
    asm: `${output('r3 = *(u64 *)(r1 + 0)')}\nr0 = 0\nexit`,
    expect: 'V055_HELPER_ARG_SIZE',
    at: 7,
    message: /R3/,
  },
  {
    name: 'rejects ringbuf_output with a size that may be negative (V055)',
    asm: `${output('r3 = *(u32 *)(r1 + 8)\nr3 &= 7\nr3 += -4')}\nr0 = 0\nexit`,
    expect: 'V055_HELPER_ARG_SIZE',
    at: 9,
  },
  {
    name: 'accepts ringbuf_output with a size masked to [0, 7] over 8 initialised bytes',
    asm: `${output('r3 = *(u32 *)(r1 + 8)\nr3 &= 7')}\nr0 = 0\nexit`,
    expect: 'accept',
  },
  {
    name: 'rejects ringbuf_output with a size masked to [0, 15] over 8 bytes of stack (V057)',
    asm: `${output('r3 = *(u32 *)(r1 + 8)\nr3 &= 15')}\nr0 = 0\nexit`,
    expect: 'V057_HELPER_MEM_RANGE',
    at: 8,
  },
  {
    name: 'accepts ringbuf_output with size 0 (ARG_CONST_SIZE_OR_ZERO)',
    asm: `${output('r3 = 0')}\nr0 = 0\nexit`,
    expect: 'accept',
  },
  {
    name: 'rejects trace_printk with size 0 (ARG_CONST_SIZE must be > 0) (V055)',
    asm: '*(u64 *)(r10 - 8) = 0x0a6968\nr1 = r10\nr1 += -8\nr2 = 0\ncall 6\nr0 = 0\nexit',
    expect: 'V055_HELPER_ARG_SIZE',
    at: 4,
  },
  {
    name: 'rejects ringbuf_reserve with an unbounded size (V055)',
    asm: 'r2 = *(u64 *)(r1 + 0)\nr1 = map[rb] ll\nr3 = 0\ncall 131\nr0 = 0\nexit',
    expect: 'V055_HELPER_ARG_SIZE',
    at: 4,
  },
  // V056
  {
    name: 'rejects map_lookup_elem on a PROG_ARRAY (V056)',
    asm: '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[progs] ll\ncall 1\nr0 = 0\nexit',
    expect: 'V056_HELPER_MAP_TYPE',
    at: 5,
    message: /map_lookup_elem/,
  },
  {
    name: 'rejects map_delete_elem on a PROG_ARRAY (V056)',
    asm: '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[progs] ll\ncall 3\nr0 = 0\nexit',
    expect: 'V056_HELPER_MAP_TYPE',
    at: 5,
  },
  {
    name: 'rejects ringbuf_reserve on an ARRAY (V056)',
    asm: 'r1 = map[arr] ll\nr2 = 16\nr3 = 0\ncall 131\nr0 = 0\nexit',
    expect: 'V056_HELPER_MAP_TYPE',
    at: 4,
  },
  {
    name: 'rejects ringbuf_output on a HASH (V056)',
    asm: '*(u64 *)(r10 - 8) = 0\nr1 = map[hash] ll\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall 130\nr0 = 0\nexit',
    expect: 'V056_HELPER_MAP_TYPE',
    at: 7,
  },
  {
    name: 'rejects tail_call through an ARRAY (V056)',
    asm: 'r2 = map[arr] ll\nr3 = 0\ncall 12\nr0 = 0\nexit',
    expect: 'V056_HELPER_MAP_TYPE',
    at: 3,
  },
  // V057
  {
    name: 'rejects map_lookup_elem with a key on stack never written (V057)',
    asm: 'r2 = r10\nr2 += -4\nr1 = map[arr] ll\ncall 1\nr0 = 0\nexit',
    expect: 'V057_HELPER_MEM_RANGE',
    at: 4,
    message: /R2/,
  },
  {
    name: 'rejects an 8-byte hash key read from fp-4, past the frame (V057)',
    asm: '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[hash] ll\ncall 1\nr0 = 0\nexit',
    expect: 'V057_HELPER_MEM_RANGE',
    at: 5,
  },
  {
    name: 'rejects ringbuf_output of 16 bytes from 8 bytes at fp-8 (V057)',
    asm: `${output('r3 = 16')}\nr0 = 0\nexit`,
    expect: 'V057_HELPER_MEM_RANGE',
    at: 7,
  },
  {
    name: 'rejects ringbuf_output of 64 bytes from offset 32 of the 64-byte .data value (V057)',
    asm: 'r1 = map[rb] ll\nr2 = map_value[data]+32 ll\nr3 = 64\nr4 = 0\ncall 130\nr0 = 0\nexit',
    expect: 'V057_HELPER_MEM_RANGE',
    at: 6,
  },
  {
    name: 'accepts ringbuf_output of 32 bytes from offset 32 of the .data value',
    asm: 'r1 = map[rb] ll\nr2 = map_value[data]+32 ll\nr3 = 32\nr4 = 0\ncall 130\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects iouring_reap_cqe writing 16 bytes into the 8 at fp-8 (V057)',
    asm: 'r2 = 0\nr3 = r10\nr3 += -8\nr4 = 16\ncall 166\nr0 = 0\nexit',
    expect: 'V057_HELPER_MEM_RANGE',
    at: 4,
  },
  {
    name: 'accepts iouring_reap_cqe filling uninitialised stack that is read afterwards',
    asm: 'r2 = 0\nr3 = r10\nr3 += -16\nr4 = 16\ncall 166\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects map_update_elem with a 48-byte value of which 8 bytes are written (V057)',
    asm: `
      *(u32 *)(r10 - 4) = 0
      *(u64 *)(r10 - 56) = 0
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -56
      r1 = map[arr] ll
      r4 = 0
      call 2
      r0 = 0
      exit`,
    expect: 'V057_HELPER_MEM_RANGE',
    at: 9,
    message: /R3/,
  },
  {
    name: 'accepts map_update_elem with a whole initialised value, then map_delete_elem',
    asm: `
      *(u64 *)(r10 - 8) = 0
      *(u64 *)(r10 - 24) = 0
      *(u64 *)(r10 - 16) = 0
      r2 = r10
      r2 += -8
      r3 = r10
      r3 += -24
      r1 = map[hash] ll
      r4 = 0
      call 2
      r2 = r10
      r2 += -8
      r1 = map[hash] ll
      call 3
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a map value as the key of another lookup',
    asm: `${LOOKUP_ARR_CHECKED}
      r2 = r0
      r1 = map[hash] ll
      call 1
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a helper result (RET_INTEGER) used as a bounded size',
    asm: `
      call 7
      r3 = r0
      r3 &= 7
      ${output('')}
      r0 = 0
      exit`,
    expect: 'accept',
  },
  // V041 through helpers
  {
    name: 'rejects a stack pointer passed as an ARG_ANYTHING of iouring_emit_cqe (V041)',
    asm: 'r2 = r10\nr3 = 0\nr4 = 0\nr5 = 0\ncall 165\nr0 = 0\nexit',
    expect: 'V041_PTR_LEAK',
    at: 4,
  },
  {
    name: "rejects a stack pointer as tail_call's index (V041)",
    asm: 'r2 = map[progs] ll\nr3 = r10\ncall 12\nr0 = 0\nexit',
    expect: 'V041_PTR_LEAK',
    at: 3,
  },
  {
    name: 'rejects ringbuf_output of stack holding a spilled pointer (V041)',
    asm: `
      *(u64 *)(r10 - 8) = r1
      r1 = map[rb] ll
      r2 = r10
      r2 += -8
      r3 = 8
      r4 = 0
      call 130
      r0 = 0
      exit`,
    expect: 'V041_PTR_LEAK',
    at: 7,
  },
  {
    name: 'rejects map_update_elem of a value holding a spilled pointer (V041)',
    asm: `
      *(u64 *)(r10 - 8) = 0
      *(u64 *)(r10 - 24) = r10
      *(u64 *)(r10 - 16) = 0
      r2 = r10
      r2 += -8
      r3 = r10
      r3 += -24
      r1 = map[hash] ll
      r4 = 0
      call 2
      r0 = 0
      exit`,
    expect: 'V041_PTR_LEAK',
    at: 10,
  },
];
