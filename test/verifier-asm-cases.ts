/**
 * The verifier's assembly case table: the case type and the program fragments the topic tables
 * (verifier-asm-cases-*.ts) share. Programs are LLVM syntax with the map placeholders of
 * verifier-harness.ts (`r1 = map[arr] ll`); `at` is the slot index of the rejection (an lddw
 * counts as two slots). test/verifier-asm.test.ts runs every table.
 */
import type { Insn } from '../src/ebpf/insn.js';
import type { ProgTypeInfo } from '../src/ebpf/verifier/api.js';
import type { VerifierErrorCode } from '../src/ebpf/verifier/errors.js';

export interface AsmCase {
  /** States the behaviour: `rejects ... (V031)`, `accepts ...`. */
  readonly name: string;
  /** LLVM-syntax text, or raw slots for encodings the assembler cannot write. */
  readonly asm: string | readonly Insn[];
  readonly expect: 'accept' | VerifierErrorCode;
  /** Slot index of the rejection. */
  readonly at?: number;
  /** The rejection message must match (what was expected and what was found). */
  readonly message?: RegExp;
  readonly sleepable?: boolean;
  readonly gpl?: boolean;
  readonly maxProcessed?: number;
  /** Default: IOURING_PROG_TYPE. */
  readonly progType?: ProgTypeInfo;
  /** The verifier disagrees with the case and the case is believed right: why. */
  readonly todo?: string;
}

/** A raw slot. */
export const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

/* ------------------------------------------------------------------ shared fragments */

/** Key 0 at fp-4, lookup in `arr` (value 48 bytes): slots 0-5; r0 = value or NULL from slot 6 on. */
export const LOOKUP_ARR = `
  *(u32 *)(r10 - 4) = 0
  r2 = r10
  r2 += -4
  r1 = map[arr] ll
  call 1`;

/** Key 0 at fp-8, lookup in `hash` (value 16 bytes): slots 0-5; r0 from slot 6 on. */
export const LOOKUP_HASH = `
  *(u64 *)(r10 - 8) = 0
  r2 = r10
  r2 += -8
  r1 = map[hash] ll
  call 1`;

/** LOOKUP_ARR then `if r0 == 0 goto out` (slot 6): r0 is a map value from slot 7 on. */
export const LOOKUP_ARR_CHECKED = `${LOOKUP_ARR}
  if r0 == 0 goto out`;

/** Reserve 16 bytes of `rb` with flags 0: slots 0-4; r0 = memory or NULL from slot 5 on. */
export const RESERVE = `
  r1 = map[rb] ll
  r2 = 16
  r3 = 0
  call 131`;

/** RESERVE then `if r0 == 0 goto out` (slot 5): r0 is the reservation from slot 6 on. */
export const RESERVE_CHECKED = `${RESERVE}
  if r0 == 0 goto out`;

/** Submit the reservation in r0 (3 slots). */
export const SUBMIT_R0 = `
  r1 = r0
  r2 = 0
  call 132`;

/** The common ending: `out: r0 = 0; exit` (2 slots). */
export const OUT = `
out:
  r0 = 0
  exit`;
