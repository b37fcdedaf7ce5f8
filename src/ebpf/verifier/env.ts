/** What the instruction checks share during one verification: the options, the state, failing. */
import type { Insn } from '../insn.js';
import type { VerifyOptions } from './api.js';
import { VerifierError, type VerifierErrorCode } from './errors.js';
import { formatMessage } from './messages.js';
import type { VState } from './state.js';

export interface Env {
  readonly opts: VerifyOptions;
  readonly insns: readonly Insn[];
  /** The state of the path being walked. */
  cur: VState;
  /** Slot index of the instruction being checked. */
  idx: number;
  /** Deepest stack use (bytes) seen in each subprogram. */
  readonly depth: number[];
  /** A fresh id (NULL-check ids, scalar links, references). */
  nextId(): number;
  /** The stack slot (frame * 64 + slot) the current instruction spilled to or filled from, else -1. */
  stackRef: number;
  /** A safety decision used the exact range of these registers (a bitmask) of the top frame. */
  markPrecise(regs: number): void;
}

/**
 * Refuse the program at the current instruction: the message from the table filled with `params`,
 * then `detail` (what was expected and found); `regs` are the registers whose state broke the rule.
 */
export function fail(
  env: Env,
  code: VerifierErrorCode,
  params: Readonly<Record<string, string | number>> = {},
  detail = '',
  regs: readonly number[] = [],
): never {
  const text = formatMessage(code, params);
  throw new VerifierError(code, env.idx, detail === '' ? text : `${text}: ${detail}`, regs);
}
