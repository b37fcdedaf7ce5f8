/**
 * Program pre-decoding for the interpreter: the load-time checks beyond checkInsns (jump and call
 * targets inside the program and not inside an lddw, helpers registered, lddw pseudo sources
 * resolved) and the translation of every slot into four int32 words of one Int32Array, so that the
 * run loop reads no objects and decodes no bits:
 *
 *   word 0: operation (interp-ops.ts) | dst << 8 | src << 12 (src: a register, or the constant
 *           register of an ALU/JMP immediate, see FIRST_CONST_REG)
 *   word 1: jumps and calls: absolute target slot; loads/stores: off; helper calls: index in `helpers`
 *   word 2: imm (store of an immediate: the value); lddw: low half of the constant; atomics: RMW_* op
 *   word 3: lddw: high half of the constant; atomics: 1 when the old value is fetched, else 0
 *
 * One extra slot after the last holds OP_END, so running off the end is a fault, not a crash.
 */
import { RMW_ADD, RMW_AND, RMW_CMPXCHG, RMW_OR, RMW_XCHG, RMW_XOR } from '../mem/regions.js';
import {
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_ATOMIC,
  BPF_B,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_H,
  BPF_JA,
  BPF_JCOND,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP,
  BPF_JMP32,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_RSH,
  BPF_ST,
  BPF_SUB,
  BPF_TO_BE,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
} from '../uapi/bpf.js';
import { ProgramLoadError } from './faults.js';
import type { HelperDef, HelperRegistry } from './helpers.js';
import { aluOp, checkInsns, type Insn, insnClass, jmpOp, LDDW, memMode, memSize, srcBit } from './insn.js';
import * as O from './interp-ops.js';

/**
 * Resolves an lddw whose src is a pseudo value (1-6: map fd, map value, BTF id, function, map index,
 * map index value) to the 64-bit constant the program sees. `imm` and `nextImm` are the imm fields of
 * the two slots. Returns the value (u64 as bigint) or throws.
 */
export type LddwResolver = (src: number, imm: number, nextImm: number, index: number) => bigint;

/** A program ready for the run loop. */
export interface DecodedProgram {
  /** 4 words per slot, plus the OP_END slot. */
  readonly code: Int32Array;
  /** Number of slots of the program (without the OP_END slot). */
  readonly length: number;
  /** Helpers called by `call imm`, by the index in word 1. */
  readonly helpers: readonly HelperDef[];
  /** Every helper of the registry at load, by id (for callx). */
  readonly helperById: ReadonlyMap<number, HelperDef>;
  /** Register FIRST_CONST_REG + k holds consts[k] sign-extended to 64 bits, for every run. */
  readonly consts: Int32Array;
  /**
   * may_goto also jumps (ends its loop) when fewer instructions than this are left in the run's
   * budget (LoadOptions.mayGotoReserve), so a verified program never runs out of budget.
   */
  readonly mayGotoReserve: number;
}

/**
 * First constant register: the immediate operand of an ALU or JMP instruction becomes a read-only
 * register holding it (sign-extended to 64 bits, as the immediate forms use it), so that the run loop
 * has one implementation per operation: `add r1, 5` runs as `add r1, rK` with rK = 5. Registers r0-r10
 * come first; no instruction can write a constant register (dst is always r0-r10).
 */
export const FIRST_CONST_REG = 11;

/** Words per slot in DecodedProgram.code. */
export const WORDS = 4;

const ALU64_OPS: Readonly<Record<number, number>> = {
  [BPF_ADD]: O.OP_ADD64,
  [BPF_SUB]: O.OP_SUB64,
  [BPF_MUL]: O.OP_MUL64,
  [BPF_DIV]: O.OP_DIV64,
  [BPF_OR]: O.OP_OR64,
  [BPF_AND]: O.OP_AND64,
  [BPF_LSH]: O.OP_LSH64,
  [BPF_RSH]: O.OP_RSH64,
  [BPF_NEG]: O.OP_NEG64,
  [BPF_MOD]: O.OP_MOD64,
  [BPF_XOR]: O.OP_XOR64,
  [BPF_MOV]: O.OP_MOV64,
  [BPF_ARSH]: O.OP_ARSH64,
};

const ALU32_OPS: Readonly<Record<number, number>> = {
  [BPF_ADD]: O.OP_ADD32,
  [BPF_SUB]: O.OP_SUB32,
  [BPF_MUL]: O.OP_MUL32,
  [BPF_DIV]: O.OP_DIV32,
  [BPF_OR]: O.OP_OR32,
  [BPF_AND]: O.OP_AND32,
  [BPF_LSH]: O.OP_LSH32,
  [BPF_RSH]: O.OP_RSH32,
  [BPF_NEG]: O.OP_NEG32,
  [BPF_MOD]: O.OP_MOD32,
  [BPF_XOR]: O.OP_XOR32,
  [BPF_MOV]: O.OP_MOV32,
  [BPF_ARSH]: O.OP_ARSH32,
};

/** Conditional jumps: [JMP, JMP32]. */
const JMP_OPS: Readonly<Record<number, readonly [number, number]>> = {
  [BPF_JEQ]: [O.OP_JEQ64, O.OP_JEQ32],
  [BPF_JGT]: [O.OP_JGT64, O.OP_JGT32],
  [BPF_JGE]: [O.OP_JGE64, O.OP_JGE32],
  [BPF_JSET]: [O.OP_JSET64, O.OP_JSET32],
  [BPF_JNE]: [O.OP_JNE64, O.OP_JNE32],
  [BPF_JSGT]: [O.OP_JSGT64, O.OP_JSGT32],
  [BPF_JSGE]: [O.OP_JSGE64, O.OP_JSGE32],
  [BPF_JLT]: [O.OP_JLT64, O.OP_JLT32],
  [BPF_JLE]: [O.OP_JLE64, O.OP_JLE32],
  [BPF_JSLT]: [O.OP_JSLT64, O.OP_JSLT32],
  [BPF_JSLE]: [O.OP_JSLE64, O.OP_JSLE32],
};

/** Loads by size: [BPF_MEM, BPF_MEMSX]. */
const LDX_OPS: Readonly<Record<number, readonly [number, number]>> = {
  [BPF_B]: [O.OP_LDXB, O.OP_LDXSB],
  [BPF_H]: [O.OP_LDXH, O.OP_LDXSH],
  0: [O.OP_LDXW, O.OP_LDXSW],
  [BPF_DW]: [O.OP_LDXDW, O.OP_LDXDW],
};
/** Stores by size: [ST (imm), STX (register)]. */
const ST_OPS: Readonly<Record<number, readonly [number, number]>> = {
  [BPF_B]: [O.OP_STB, O.OP_STXB],
  [BPF_H]: [O.OP_STH, O.OP_STXH],
  0: [O.OP_STW, O.OP_STXW],
  [BPF_DW]: [O.OP_STDW, O.OP_STXDW],
};

const RMW_BY_IMM: Readonly<Record<number, number>> = {
  [BPF_ADD]: RMW_ADD,
  [BPF_OR]: RMW_OR,
  [BPF_AND]: RMW_AND,
  [BPF_XOR]: RMW_XOR,
  [BPF_XCHG & ~BPF_FETCH]: RMW_XCHG,
  [BPF_CMPXCHG & ~BPF_FETCH]: RMW_CMPXCHG,
};

const pick = <T>(table: Readonly<Record<number, T>>, key: number): T => {
  const v = table[key];
  // checkInsns admitted the opcode, so every table holds it.
  if (v === undefined) throw new Error(`interp-decode: no entry for ${key} (checkInsns admitted it)`);
  return v;
};

/**
 * Check and pre-decode a program. Throws InsnError (bad slot) or ProgramLoadError (bad target,
 * unknown helper, unresolved pseudo lddw, kfunc call).
 */
export function decodeProgram(
  insns: readonly Insn[],
  registry: HelperRegistry,
  resolveLddw?: LddwResolver,
  mayGotoReserve = 0,
): DecodedProgram {
  checkInsns(insns);
  const n = insns.length;
  // Second slots of lddw: no jump may land there.
  const inLddw = new Uint8Array(n + 1);
  for (let i = 0; i < n; i++) {
    if (insns[i]!.code === LDDW) inLddw[++i] = 1;
  }
  const code = new Int32Array((n + 1) * WORDS);
  const helpers: HelperDef[] = [];
  const helperIndex = new Map<number, number>();
  const helperById = new Map<number, HelperDef>(registry.list().map((h) => [h.id, h]));
  // Immediates of ALU and JMP instructions, one constant register each (deduplicated).
  const consts: number[] = [];
  const constIndex = new Map<number, number>();
  const constReg = (imm: number): number => {
    let k = constIndex.get(imm);
    if (k === undefined) {
      k = consts.push(imm) - 1;
      constIndex.set(imm, k);
    }
    return FIRST_CONST_REG + k;
  };

  const target = (i: number, rel: number, what: 'jump' | 'call'): number => {
    const t = i + 1 + rel;
    if (t < 0 || t >= n) {
      throw new ProgramLoadError(
        what === 'jump' ? 'E_JUMP_RANGE' : 'E_CALL_RANGE',
        i,
        `${what} target ${t} (offset ${rel}) is outside the program: expected 0 to ${n - 1}`,
      );
    }
    if (inLddw[t] === 1) {
      throw new ProgramLoadError(
        what === 'jump' ? 'E_JUMP_LDDW' : 'E_CALL_LDDW',
        i,
        `${what} target ${t} (offset ${rel}) is the second slot of the lddw at ${t - 1}: expected an instruction`,
      );
    }
    return t;
  };

  for (let i = 0; i < n; i++) {
    const insn = insns[i]!;
    const p = i * WORDS;
    const cls = insnClass(insn.code);
    const x = srcBit(insn.code) === BPF_X;
    let op: number;
    let src = insn.src;
    let w1 = 0;
    let w2 = insn.imm;
    let w3 = 0;
    switch (cls) {
      case BPF_ALU64:
      case BPF_ALU: {
        const a = aluOp(insn.code);
        const is64 = cls === BPF_ALU64;
        if (a === BPF_END) {
          const k = insn.imm === 16 ? 0 : insn.imm === 32 ? 1 : 2;
          op = is64
            ? [O.OP_BSWAP16, O.OP_BSWAP32, O.OP_BSWAP64][k]!
            : srcBit(insn.code) === BPF_TO_BE
              ? [O.OP_BE16, O.OP_BE32, O.OP_BE64][k]!
              : [O.OP_LE16, O.OP_LE32, O.OP_LE64][k]!;
        } else if (a === BPF_DIV && insn.off === 1) {
          op = is64 ? O.OP_SDIV64 : O.OP_SDIV32;
          if (!x) src = constReg(insn.imm);
        } else if (a === BPF_MOD && insn.off === 1) {
          op = is64 ? O.OP_SMOD64 : O.OP_SMOD32;
          if (!x) src = constReg(insn.imm);
        } else if (a === BPF_MOV && x && insn.off !== 0) {
          op =
            insn.off === 8
              ? is64
                ? O.OP_MOVSX64_8
                : O.OP_MOVSX32_8
              : insn.off === 16
                ? is64
                  ? O.OP_MOVSX64_16
                  : O.OP_MOVSX32_16
                : O.OP_MOVSX64_32;
        } else {
          op = pick(is64 ? ALU64_OPS : ALU32_OPS, a);
          if (!x && a !== BPF_NEG) src = constReg(insn.imm);
        }
        break;
      }
      case BPF_JMP:
      case BPF_JMP32: {
        const j = jmpOp(insn.code);
        const is32 = cls === BPF_JMP32;
        if (j === BPF_JA) {
          op = O.OP_JA;
          w1 = target(i, is32 ? insn.imm : insn.off, 'jump');
        } else if (j === BPF_CALL) {
          if (x) {
            op = O.OP_CALLX;
          } else if (insn.src === BPF_PSEUDO_CALL) {
            op = O.OP_CALL_LOCAL;
            w1 = target(i, insn.imm, 'call');
          } else if (insn.src === BPF_PSEUDO_KFUNC_CALL) {
            throw new ProgramLoadError(
              'E_KFUNC',
              i,
              `call of kernel function ${insn.imm} (src 2): kfunc calls are not supported, expected a helper (src 0) or a local call (src 1)`,
            );
          } else {
            const def = registry.get(insn.imm);
            if (def === undefined) {
              throw new ProgramLoadError(
                'E_HELPER_UNKNOWN',
                i,
                `call of helper ${insn.imm}: no such helper is registered (registered: ${[...helperById.keys()].join(', ') || 'none'})`,
              );
            }
            op = O.OP_CALL;
            let k = helperIndex.get(def.id);
            if (k === undefined) {
              k = helpers.push(def) - 1;
              helperIndex.set(def.id, k);
            }
            w1 = k;
          }
        } else if (j === BPF_EXIT) {
          op = O.OP_EXIT;
        } else if (j === BPF_JCOND) {
          op = O.OP_MAY_GOTO;
          w1 = target(i, insn.off, 'jump');
        } else {
          op = pick(JMP_OPS, j)[is32 ? 1 : 0]!;
          if (!x) src = constReg(insn.imm);
          w1 = target(i, insn.off, 'jump');
        }
        break;
      }
      case BPF_LD: {
        // checkInsns admits only lddw here, followed by its second slot.
        op = O.OP_LDDW;
        const hi = insns[i + 1]!;
        if (insn.src === 0) {
          w2 = insn.imm;
          w3 = hi.imm;
        } else {
          if (resolveLddw === undefined) {
            throw new ProgramLoadError(
              'E_LDDW_PSEUDO',
              i,
              `lddw with pseudo source ${insn.src} (imm ${insn.imm}) needs the loader to resolve it: expected src 0 or a resolveLddw option`,
            );
          }
          const v = BigInt.asUintN(64, resolveLddw(insn.src, insn.imm, hi.imm, i));
          w2 = Number(BigInt.asIntN(32, v));
          w3 = Number(BigInt.asIntN(32, v >> 32n));
        }
        break;
      }
      case BPF_LDX:
        op = pick(LDX_OPS, memSize(insn.code))[memMode(insn.code) === BPF_MEMSX ? 1 : 0]!;
        w1 = insn.off;
        break;
      case BPF_ST:
        op = pick(ST_OPS, memSize(insn.code))[0]!;
        w1 = insn.off;
        break;
      default: {
        // BPF_STX
        w1 = insn.off;
        if (memMode(insn.code) === BPF_ATOMIC) {
          op = memSize(insn.code) === BPF_DW ? O.OP_ATOMIC64 : O.OP_ATOMIC32;
          w2 = pick(RMW_BY_IMM, insn.imm & ~BPF_FETCH);
          w3 = (insn.imm & BPF_FETCH) !== 0 ? 1 : 0;
        } else {
          op = pick(ST_OPS, memSize(insn.code))[1]!;
        }
      }
    }
    code[p] = op | (insn.dst << 8) | (src << 12);
    code[p + 1] = w1;
    code[p + 2] = w2;
    code[p + 3] = w3;
    if (op === O.OP_LDDW) {
      // The second slot stays OP_INVALID (0): never reached.
      i++;
    }
  }
  code[n * WORDS] = O.OP_END;
  return { code, length: n, helpers, helperById, consts: Int32Array.from(consts), mayGotoReserve };
}
