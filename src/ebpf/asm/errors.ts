/**
 * Assembler errors: a stable code, the 1-based line and column of the offending token, and a
 * message `line L, column C: expected ..., found ...`.
 */

/** Stable codes of assembler errors. */
export type AsmErrorCode =
  | 'E_ASM_SYNTAX' // a character or number that cannot start or be a token; a malformed operand
  | 'E_ASM_MNEMONIC' // an unknown instruction
  | 'E_ASM_DIRECTIVE' // an unknown or unsupported directive
  | 'E_ASM_OPERANDS' // wrong operand count or kind for the instruction
  | 'E_ASM_REGISTER' // a register other than r0-r10 (w0-w10)
  | 'E_ASM_RANGE' // an immediate, offset or jump distance that does not fit its field
  | 'E_ASM_LABEL'; // an undefined or duplicate label

/** A source text that does not assemble. */
export class AsmError extends Error {
  readonly code: AsmErrorCode;
  /** 1-based line of the offending token. */
  readonly line: number;
  /** 1-based column of the offending token. */
  readonly column: number;

  constructor(code: AsmErrorCode, line: number, column: number, detail: string) {
    super(`line ${line}, column ${column}: ${detail}`);
    this.name = 'AsmError';
    this.code = code;
    this.line = line;
    this.column = column;
  }
}

/** Where a token sits in the source. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** An AsmError at `at` whose message is `expected <expected>, found <found>`. */
export function asmError(code: AsmErrorCode, at: Pos, expected: string, found: string): AsmError {
  return new AsmError(code, at.line, at.col, `expected ${expected}, found ${found}`);
}
