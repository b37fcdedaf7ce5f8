/**
 * Errors of running BPF code: BpfFault stops a run (a bad memory access, too deep a call chain, a
 * spent budget...), ProgramLoadError rejects a program before it runs (a jump out of the program, an
 * unknown helper...). Both carry a stable `code` and the instruction index (slots, lddw counts two);
 * messages say what was expected and what was found, addresses in hex.
 *
 * Instruction-level load errors (opcode, registers, reserved fields) are InsnError (insn.ts).
 */

/** Stable codes of run-time faults. */
export type BpfFaultCode =
  | 'E_FAULT_MEM' // load/store/atomic outside every permitted region (NULL included)
  | 'E_FAULT_ALIGN' // an atomic operation at an address that is not naturally aligned
  | 'E_FAULT_CALL' // callx with a register value that cannot be a helper id
  | 'E_FAULT_END' // execution ran past the last instruction (no exit)
  | 'E_STACK_OVERFLOW' // a bpf2bpf call beyond MAX_CALL_FRAMES frames
  | 'E_BUDGET' // the instruction budget of the run is spent
  | 'E_HELPER_UNKNOWN' // callx of a helper id that is not registered
  | 'E_HELPER'; // a helper failed (threw) or returned something other than a bigint

/** A run stopped by a fault. `index` is the slot of the faulting instruction. */
export class BpfFault extends Error {
  readonly code: BpfFaultCode;
  readonly index: number;
  /** The message without its `insn N: ` prefix. */
  readonly detail: string;
  /**
   * Instructions executed up to the fault, the faulting one included (0 when not run by a loop; -1
   * when the JIT ran without counting, see RunResult.executed).
   */
  executed = 0;

  constructor(code: BpfFaultCode, index: number, detail: string, options?: { cause?: unknown }) {
    super(`insn ${index}: ${detail}`, options);
    this.name = 'BpfFault';
    this.code = code;
    this.index = index;
    this.detail = detail;
  }
}

/** Stable codes of program-level load errors. */
export type ProgramLoadErrorCode =
  | 'E_JUMP_RANGE' // jump target outside the program
  | 'E_JUMP_LDDW' // jump target is the second slot of an lddw
  | 'E_CALL_RANGE' // bpf2bpf call target outside the program
  | 'E_CALL_LDDW' // bpf2bpf call target is the second slot of an lddw
  | 'E_HELPER_UNKNOWN' // call of a helper id the registry does not hold
  | 'E_KFUNC' // call of a kernel function (src 2): not supported
  | 'E_LDDW_PSEUDO' // lddw with a pseudo source (map fd, BTF id...) and no resolver
  | 'E_GPL'; // a GPL-only helper called by a program whose license is not GPL-compatible

/** A program rejected at load, with the slot at fault. */
export class ProgramLoadError extends Error {
  readonly code: ProgramLoadErrorCode;
  readonly index: number;

  constructor(code: ProgramLoadErrorCode, index: number, message: string) {
    super(`insn ${index}: ${message}`);
    this.name = 'ProgramLoadError';
    this.code = code;
    this.index = index;
  }
}
