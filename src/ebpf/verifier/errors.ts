/**
 * Verifier rejections: a stable code from the numbered message table (messages.ts), the instruction
 * index at fault, and a message saying what was expected and what was found, in the kernel's words
 * where the kernel has some ("jump out of range", "unreachable insn N", "R1 !read_ok", ...).
 */

/** Stable codes of verifier rejections; messages.ts holds each one's text and fix hint. */
export type VerifierErrorCode =
  // structure (cfg.ts)
  | 'V001_JUMP_OUT_OF_RANGE' // a jump leaves its subprogram or the program
  | 'V002_LAST_INSN_NOT_EXIT' // a subprogram's last slot is neither exit nor an unconditional jump
  | 'V003_CALL_OUT_OF_RANGE' // bpf2bpf call / BPF_PSEUDO_FUNC target outside the program
  | 'V004_CALL_INTO_LDDW' // bpf2bpf call / BPF_PSEUDO_FUNC target is the second slot of an lddw
  | 'V005_LDDW_TRUNCATED' // lddw in the last slot, without its second half
  | 'V006_TOO_MANY_SUBPROGS' // more than BPF_MAX_SUBPROGS subprograms
  | 'V007_CALL_STACK_TOO_DEEP' // a static call chain of more than MAX_CALL_FRAMES frames
  | 'V008_RECURSIVE_CALL' // a cycle in the static call graph
  | 'V009_UNREACHABLE_INSN' // an instruction no path from the entry reaches
  | 'V010_JUMP_INTO_LDDW' // a jump lands on the second slot of an lddw
  | 'V011_EMPTY_PROGRAM' // no instruction at all
  // instructions the verifier does not accept
  | 'V012_BAD_INSN' // an encoding checkInsns refuses, legacy packet access, kfunc, callx, ...
  | 'V013_BAD_LDDW' // lddw with an unknown pseudo source or a map id that names no map
  | 'V014_DIV_BY_ZERO' // div/mod by the immediate 0
  | 'V015_BAD_SHIFT' // shift by an immediate >= the operand width
  // registers
  | 'V020_UNINIT_REG' // a read of a register never written on this path
  | 'V021_FP_READ_ONLY' // a write to r10
  | 'V022_PTR_ARITH' // pointer arithmetic the rules forbid (32-bit, bitwise, on map_ptr, on _or_null, ...)
  | 'V023_PTR_OUT_OF_BOUNDS' // pointer arithmetic that moves a pointer beyond what can be proven safe
  // memory
  | 'V030_BAD_MEM_TYPE' // a load or store through a scalar, map pointer, or other non-memory register
  | 'V031_NULL_DEREF' // a load or store through a pointer that may be NULL
  | 'V032_STACK_OOB' // stack access outside [-512, 0) of its frame
  | 'V033_STACK_UNINIT' // read of stack bytes not written on this path
  | 'V034_MISALIGNED' // access not aligned to its size
  | 'V035_MAP_VALUE_OOB' // map value access outside [0, value_size)
  | 'V036_MEM_OOB' // access outside memory a helper returned
  | 'V037_VAR_OFF_UNBOUNDED' // a variable offset whose bounds do not prove the access in range
  | 'V038_CTX_ACCESS' // ctx access the program type's rules (spec §3.7) do not allow
  | 'V039_CTX_MODIFIED' // ctx access through a ctx pointer that was moved
  | 'V040_READ_ONLY' // a store into read-only memory (.rodata, a frozen map)
  | 'V041_PTR_LEAK' // a pointer stored where it leaks (map value, ctx, helper memory, ...)
  | 'V042_SPILL_CORRUPT' // a partial read of a spilled pointer
  | 'V043_ATOMIC' // an atomic operation on memory that does not allow it, or of a bad size
  // calls and helpers
  | 'V050_UNKNOWN_HELPER' // call of a helper id that the registry lacks
  | 'V051_HELPER_NOT_ALLOWED' // helper not allowed for this program type
  | 'V052_HELPER_SLEEPABLE' // sleepable-only helper in a non-sleepable program
  | 'V053_HELPER_GPL' // GPL-only helper in a program whose license is not GPL-compatible
  | 'V054_HELPER_ARG_TYPE' // an argument register of the wrong type
  | 'V055_HELPER_ARG_SIZE' // a size argument that is not a bounded constant range as required
  | 'V056_HELPER_MAP_TYPE' // a map of a type the helper does not take
  | 'V057_HELPER_MEM_RANGE' // helper memory argument not all accessible / initialized
  | 'V058_UNRELEASED_REF' // a reference (ringbuf reservation) not released at exit
  | 'V059_BAD_RELEASE' // release of something that is not an unreleased reference
  | 'V060_STACK_TOO_LARGE' // combined stack of a call chain over 512 bytes
  | 'V061_RETURN_STACK_PTR' // a subprogram returns a pointer to its own stack
  // exit and termination
  | 'V070_BAD_RETURN' // r0 at program exit outside what the program type allows
  | 'V071_RETURN_PTR' // r0 at program exit holds a pointer
  | 'V072_INFINITE_LOOP' // a loop that comes back to the same state
  | 'V073_TOO_COMPLEX'; // more than the processed-instruction limit

/** A program the verifier refuses, with the slot index at fault. */
export class VerifierError extends Error {
  readonly code: VerifierErrorCode;
  /** Slot index (an lddw counts as two). */
  readonly index: number;
  /** The verifier log up to and including the rejection. */
  log: string;
  /** The program's name, when the loader verified a program of an object. */
  program: string | null = null;
  /** The registers whose state broke the rule (for the log). */
  readonly regs: readonly number[];

  constructor(code: VerifierErrorCode, index: number, message: string, regs: readonly number[] = []) {
    super(`insn ${index}: ${message}`);
    this.name = 'VerifierError';
    this.code = code;
    this.index = index;
    this.log = '';
    this.regs = regs;
  }
}
