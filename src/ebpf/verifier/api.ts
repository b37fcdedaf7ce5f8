/**
 * The verifier's public types: what a caller tells it about the program (helpers, maps, program
 * type, license, sleepability, line info) and what it answers.
 */
import type { HelperDef, HelperRegistry } from '../helpers.js';

/** What the verifier knows of a map named by an lddw (BPF_PSEUDO_MAP_FD / _VALUE, imm = id). */
export interface MapInfo {
  readonly id: number;
  readonly name: string;
  /** BPF_MAP_TYPE_*. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Programs may not write its values (.rodata, a frozen map). */
  readonly readonly: boolean;
  /** Whether lddw BPF_PSEUDO_MAP_VALUE may address its value directly (single-element ARRAY). */
  readonly directValue: boolean;
}

/**
 * A program type as the verifier sees it: the ctx object r1 points to at entry, which ctx
 * accesses are allowed, what r0 must be at exit, which helpers it may call.
 */
export interface ProgTypeInfo {
  /** For messages, e.g. 'iouring'. */
  readonly name: string;
  /** Bytes of ctx. */
  readonly ctxSize: number;
  /** Whether a load (write false) or store (write true) of `size` bytes at ctx offset `off` is allowed. */
  ctxAccess(off: number, size: number, write: boolean): boolean;
  /** r0 at exit of the main program must lie in [lo, hi] (signed 64-bit), or anything if null. */
  readonly retRange: readonly [bigint, bigint] | null;
  /** Whether the program type may call `def` at all (default: every helper of the registry). */
  helperAllowed?(def: HelperDef): boolean;
}

/** A line of source (from BTF line info) that instructions from `insnIndex` on come from. */
export interface VerifierLineInfo {
  readonly insnIndex: number;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

export type LogLevel = 0 | 1 | 2;

export interface VerifyOptions {
  readonly helpers: HelperRegistry;
  readonly progType: ProgTypeInfo;
  /** The map of an lddw's id (undefined: no such map). */
  readonly map?: (id: number) => MapInfo | undefined;
  /** Sleepable program (default false). */
  readonly sleepable?: boolean;
  /** GPL-compatible license (default true). */
  readonly gpl?: boolean;
  /**
   * 0 (default): only the rejection with its source line, register state and hint in the log;
   * 1: the instructions of the failing path too; 2: every processed instruction with register state.
   */
  readonly logLevel?: LogLevel;
  /** BTF line info, sorted by insnIndex. */
  readonly lineInfo?: readonly VerifierLineInfo[];
  /** Names of the functions, by first slot (the program at 0), for the log. */
  readonly funcNames?: ReadonlyMap<number, string>;
  /** Processed-instruction limit (default BPF_COMPLEXITY_LIMIT_INSNS, 1,000,000). */
  readonly maxProcessed?: number;
  /** Most characters of log kept (default 16 MiB); a longer log ends with a truncation line. */
  readonly logLimit?: number;
}

/** Statistics and log of a program the verifier accepted. */
export interface VerifyResult {
  /** Instructions processed (the kernel's "processed N insns"). */
  readonly processed: number;
  /** States stored for pruning. */
  readonly totalStates: number;
  /** Most states stored at once. */
  readonly peakStates: number;
  /** Most states stored at one instruction. */
  readonly maxStatesPerInsn: number;
  /** Stack depth in bytes of each function, by subprogram order. */
  readonly stackDepth: readonly number[];
  readonly log: string;
}
