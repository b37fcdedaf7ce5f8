/**
 * The verifier's numbered message table: for every rejection code, the message template (in the
 * kernel's words where the kernel has some, with {name} placeholders) and one sentence on how to
 * fix the program. Every rejection the verifier logs is formatted from this table.
 */
import type { VerifierErrorCode } from './errors.js';

export interface MessageDef {
  /** Template: `{name}` is replaced by the parameter of that name. */
  readonly text: string;
  /** One sentence on how to fix the program. */
  readonly hint: string;
}

export const MESSAGES: Readonly<Record<VerifierErrorCode, MessageDef>> = {
  V001_JUMP_OUT_OF_RANGE: {
    text: 'jump out of range from insn {from} to {to}',
    hint: 'Jumps must land inside the same function; check hand-written offsets.',
  },
  V002_LAST_INSN_NOT_EXIT: {
    text: 'last insn is not an exit or jmp',
    hint: 'End every function with exit (return) or an unconditional jump.',
  },
  V003_CALL_OUT_OF_RANGE: {
    text: 'call to invalid destination {to}',
    hint: 'A bpf2bpf call must target an instruction of the program.',
  },
  V004_CALL_INTO_LDDW: {
    text: 'call into the middle of ldimm64 insn {to}',
    hint: 'A call must target the first slot of an instruction.',
  },
  V005_LDDW_TRUNCATED: {
    text: 'invalid bpf_ld_imm64 insn',
    hint: 'An lddw takes two slots; the program ends in the middle of one.',
  },
  V006_TOO_MANY_SUBPROGS: {
    text: 'too many subprograms',
    hint: 'Inline some functions (static __always_inline) to have at most 256.',
  },
  V007_CALL_STACK_TOO_DEEP: {
    text: 'the call stack of {frames} frames is too deep',
    hint: 'Call chains may be at most 8 functions deep; inline some callees.',
  },
  V008_RECURSIVE_CALL: {
    text: 'recursive call',
    hint: 'BPF functions may not call themselves; rewrite recursion as a bounded loop.',
  },
  V009_UNREACHABLE_INSN: {
    text: 'unreachable insn {index}',
    hint: 'Remove dead code; every instruction must be on some path from the entry.',
  },
  V010_JUMP_INTO_LDDW: {
    text: 'jump into the middle of ldimm64 insn {index}',
    hint: 'A jump must target the first slot of an lddw.',
  },
  V011_EMPTY_PROGRAM: {
    text: 'empty program',
    hint: 'A program needs at least `r0 = 0; exit`.',
  },
  V012_BAD_INSN: {
    text: 'invalid insn: {what}',
    hint: 'Only the eBPF instructions a verified program may use are accepted; compile with clang -mcpu=v3 or v4.',
  },
  V013_BAD_LDDW: {
    text: 'invalid bpf_ld_imm64 insn: {what}',
    hint: 'Name maps through relocations (the loader fills the map id) or with an existing map id.',
  },
  V014_DIV_BY_ZERO: {
    text: 'div by zero',
    hint: 'Division or modulo by the constant 0 is refused; divide by a non-zero constant or a register.',
  },
  V015_BAD_SHIFT: {
    text: 'invalid shift {shift}',
    hint: 'Shift amounts must be less than the operand width (32 or 64).',
  },
  V020_UNINIT_REG: {
    text: 'R{reg} !read_ok',
    hint: 'Give the register a value on every path before reading it (after a call only R0 and R6-R9 keep values).',
  },
  V021_FP_READ_ONLY: {
    text: 'frame pointer is read only',
    hint: 'Copy r10 into another register and move that one.',
  },
  V022_PTR_ARITH: {
    text: 'R{reg} {what}',
    hint: 'Only add or subtract scalars to pointers with 64-bit instructions, after a NULL check.',
  },
  V023_PTR_OUT_OF_BOUNDS: {
    text: 'R{reg} {what}',
    hint: 'Bound the offset with a comparison before adding it to the pointer.',
  },
  V030_BAD_MEM_TYPE: {
    text: "R{reg} invalid mem access '{type}'",
    hint: 'Load and store only through pointers to the stack, the ctx, map values or helper-returned memory.',
  },
  V031_NULL_DEREF: {
    text: "R{reg} invalid mem access '{type}'",
    hint: 'Compare the pointer with NULL (if (!p) return 0;) before using it.',
  },
  V032_STACK_OOB: {
    text: 'invalid {rw} stack R{reg} off={off} size={size}',
    hint: 'Each function has 512 bytes of stack at r10-512 .. r10-1; keep large data in a map.',
  },
  V033_STACK_UNINIT: {
    text: 'invalid read from stack R{reg} off {off}+{varOff} size {size}',
    hint: 'Initialise the stack bytes before reading them (e.g. = {} or __builtin_memset).',
  },
  V034_MISALIGNED: {
    text: 'misaligned {kind}access off {off} size {size}',
    hint: 'Access each field at an offset that is a multiple of its size.',
  },
  V035_MAP_VALUE_OOB: {
    text: 'invalid access to map value, value_size={valueSize} off={off} size={size}',
    hint: 'Keep accesses inside the map value; check the struct layout and index bounds.',
  },
  V036_MEM_OOB: {
    text: 'invalid access to memory, mem_size={memSize} off={off} size={size}',
    hint: 'Keep accesses inside the size passed to the helper that returned the memory.',
  },
  V037_VAR_OFF_UNBOUNDED: {
    text: 'R{reg} {what}',
    hint: 'Bound the index with a comparison (if (i >= N) return 0;) on the same register before using it.',
  },
  V038_CTX_ACCESS: {
    text: 'invalid bpf_context access off={off} size={size}',
    hint: 'Access ctx fields only as declared (see spec §3.7): whole fields, at their offsets.',
  },
  V039_CTX_MODIFIED: {
    text: 'dereference of modified ctx ptr R{reg} off={off} disallowed',
    hint: 'Access ctx fields through the unmodified ctx pointer (ctx->field), not through ctx + n.',
  },
  V040_READ_ONLY: {
    text: 'write into map forbidden, value_size={valueSize} off={off} size={size}',
    hint: 'The map is read-only to programs (.rodata or frozen); write to a writable map instead.',
  },
  V041_PTR_LEAK: {
    text: 'R{reg} leaks addr into {where}',
    hint: 'Pointers may be kept in registers and on the stack only; store integers (e.g. an index) instead.',
  },
  V042_SPILL_CORRUPT: {
    text: 'invalid size of register fill',
    hint: 'Read a spilled pointer back whole, with an 8-byte load at the offset it was stored.',
  },
  V043_ATOMIC: {
    text: 'BPF_ATOMIC {what}',
    hint: 'Atomics work on 4- or 8-byte aligned stack, map value or helper memory only.',
  },
  V050_UNKNOWN_HELPER: {
    text: 'invalid func unknown#{id}',
    hint: 'Call only helpers this runtime provides (see include/uring_bpf.h).',
  },
  V051_HELPER_NOT_ALLOWED: {
    text: 'program of type {progType} cannot call {helper}#{id}',
    hint: 'Use helpers of this program type only.',
  },
  V052_HELPER_SLEEPABLE: {
    text: 'helper call might sleep in a non-sleepable prog: {helper}#{id}',
    hint: 'Put the program in a sleepable section (SEC("iouring.s")) to call this helper.',
  },
  V053_HELPER_GPL: {
    text: 'cannot call GPL-restricted function {helper}#{id} from non-GPL compatible program',
    hint: 'Declare a GPL-compatible license: char LICENSE[] SEC("license") = "GPL";',
  },
  V054_HELPER_ARG_TYPE: {
    text: 'R{reg} type={type} expected={expected}',
    hint: 'Pass the kind of value the helper prototype asks for in this argument.',
  },
  V055_HELPER_ARG_SIZE: {
    text: 'R{reg} {what}',
    hint: 'Size arguments must be bounded: clamp them (if (n > sizeof(buf)) n = sizeof(buf);) before the call.',
  },
  V056_HELPER_MAP_TYPE: {
    text: 'cannot pass map_type {mapType} into func {helper}#{id}',
    hint: 'Use a map of a type this helper takes (e.g. RINGBUF for ringbuf helpers, PROG_ARRAY for tail calls).',
  },
  V057_HELPER_MEM_RANGE: {
    text: 'R{reg} {what}',
    hint: 'The helper reads or writes the whole range; it must be in bounds (and initialised when read).',
  },
  V058_UNRELEASED_REF: {
    text: 'Unreleased reference id={id} alloc_insn={at}',
    hint: 'Submit or discard every ring buffer reservation on every path.',
  },
  V059_BAD_RELEASE: {
    text: 'R{reg} {what}',
    hint: 'Pass submit/discard the unmodified pointer reserve returned, after a NULL check.',
  },
  V060_STACK_TOO_LARGE: {
    text: 'combined stack size of {calls} calls is {size}. Too large',
    hint: 'The stacks of a call chain share 512 bytes; move big locals into a map or inline less.',
  },
  V061_RETURN_STACK_PTR: {
    text: 'cannot return stack pointer to the caller',
    hint: "A function's stack is gone when it returns; copy the data to the caller's stack instead.",
  },
  V070_BAD_RETURN: {
    text: 'At program exit the register R0 has {value} should have been in {range}',
    hint: 'Return exactly the value the program type requires (io_uring programs: return 0).',
  },
  V071_RETURN_PTR: {
    text: 'R0 leaks addr as return value',
    hint: 'Return an integer, not a pointer.',
  },
  V072_INFINITE_LOOP: {
    text: 'infinite loop detected at insn {index}',
    hint: 'Make each loop iteration change a bounded counter (for (i = 0; i < N; i++)), or use may_goto.',
  },
  V073_TOO_COMPLEX: {
    text: 'BPF program is too large. Processed {processed} insn',
    hint: 'Bound loops with small constants, split the program with tail calls, or simplify branches.',
  },
};

/** The numeric part of a code: V031_NULL_DEREF → 31. */
export const messageNumber = (code: VerifierErrorCode): number => Number(code.slice(1, 4));

/** The message of `code` with its placeholders filled from `params`. */
export function formatMessage(
  code: VerifierErrorCode,
  params: Readonly<Record<string, string | number>>,
): string {
  return MESSAGES[code].text.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = params[k];
    return v === undefined ? m : String(v);
  });
}
