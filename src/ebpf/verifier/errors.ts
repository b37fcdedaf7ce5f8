/**
 * Verifier rejections: a stable code (numbered for a future message table), the instruction index
 * at fault, and a message saying what was expected and what was found, in the kernel's words where
 * the kernel has some ("jump out of range", "unreachable insn N", ...).
 */

/** Stable codes of verifier rejections. */
export type VerifierErrorCode =
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
  | 'V011_EMPTY_PROGRAM'; // no instruction at all

/** A program the verifier refuses, with the slot index at fault. */
export class VerifierError extends Error {
  readonly code: VerifierErrorCode;
  /** Slot index (an lddw counts as two). */
  readonly index: number;

  constructor(code: VerifierErrorCode, index: number, message: string) {
    super(`insn ${index}: ${message}`);
    this.name = 'VerifierError';
    this.code = code;
    this.index = index;
  }
}
