/**
 * Code generation of ALU instructions and jump conditions: pure functions of one instruction over the
 * register locals (r0-r9 are locals 0-9, r10 local 10) and two temporaries (T1 i64, TMP32 i32) of
 * the function layout in emit.ts.
 */
import {
  BPF_ADD,
  BPF_ALU,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_END,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP32,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LSH,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_TO_BE,
  BPF_X,
  BPF_XOR,
} from '../../uapi/bpf.js';
import { aluOp, type Insn, insnClass, jmpOp, srcBit } from '../insn.js';
import type { CodeBuilder } from './wasm/code.js';

/** Temporaries (local indices in emit.ts's layout). */
export const T1 = 13;
export const TMP32 = 15;

const hex = (n: number): string => `0x${n.toString(16)}`;

/** ALU operations that map to one wasm instruction (prefixed i32./i64.). */
const ALU_SIMPLE: Readonly<Record<number, string>> = {
  [BPF_ADD]: 'add',
  [BPF_SUB]: 'sub',
  [BPF_MUL]: 'mul',
  [BPF_OR]: 'or',
  [BPF_AND]: 'and',
  [BPF_LSH]: 'shl',
  [BPF_RSH]: 'shr_u',
  [BPF_XOR]: 'xor',
  [BPF_ARSH]: 'shr_s',
};

/** Conditional jumps: the wasm comparison (i32./i64.). */
const JMP_CMP: Readonly<Record<number, string>> = {
  [BPF_JEQ]: 'eq',
  [BPF_JNE]: 'ne',
  [BPF_JGT]: 'gt_u',
  [BPF_JGE]: 'ge_u',
  [BPF_JLT]: 'lt_u',
  [BPF_JLE]: 'le_u',
  [BPF_JSGT]: 'gt_s',
  [BPF_JSGE]: 'ge_s',
  [BPF_JSLT]: 'lt_s',
  [BPF_JSLE]: 'le_s',
};

/** Push the second operand (i64, or i32 when w32). */
function operand(c: CodeBuilder, insn: Insn, w32: boolean): void {
  if (srcBit(insn.code) === BPF_X) {
    c.op('local.get', insn.src);
    if (w32) c.op('i32.wrap_i64');
  } else if (w32) c.op('i32.const', insn.imm);
  else c.op('i64.const', BigInt(insn.imm));
}

/** Byte-swap the low `bits` of the i64 in T1 (leaves the result on the stack, zero-extended). */
function bswap(c: CodeBuilder, bits: number): void {
  const n = bits / 8;
  for (let i = 0; i < n; i++) {
    c.op('local.get', T1);
    if (i > 0) c.op('i64.const', BigInt(8 * i)).op('i64.shr_u');
    if (i < 7) c.op('i64.const', 0xffn).op('i64.and'); // the top byte of 64 needs no mask
    const sh = 8 * (n - 1 - i);
    if (sh > 0) c.op('i64.const', BigInt(sh)).op('i64.shl');
    if (i > 0) c.op('i64.or');
  }
}

/** An ALU or ALU64 instruction (every op, with the interpreter's division rules). */
export function emitAlu(c: CodeBuilder, insn: Insn, pc: number): void {
  const w32 = insnClass(insn.code) === BPF_ALU;
  const t = w32 ? 'i32' : 'i64';
  const op = aluOp(insn.code);
  const d = insn.dst;
  const finish = (): void => {
    if (w32) c.op('i64.extend_i32_u');
    c.op('local.set', d);
  };
  const dst = (): void => {
    c.op('local.get', d);
    if (w32) c.op('i32.wrap_i64');
  };
  const tmp = w32 ? TMP32 : T1;
  const name = ALU_SIMPLE[op];
  if (name !== undefined) {
    dst();
    operand(c, insn, w32);
    c.op(`${t}.${name}`);
    finish();
    return;
  }
  const signed = insn.off === 1;
  switch (op) {
    case BPF_NEG:
      c.op(`${t}.const`, w32 ? 0 : 0n);
      dst();
      c.op(`${t}.sub`);
      finish();
      return;
    case BPF_MOV:
      operand(c, insn, w32);
      if (insn.off === 8 || insn.off === 16) c.op(`${t}.extend${insn.off}_s`);
      else if (insn.off === 32 && !w32) c.op('i64.extend32_s');
      finish();
      return;
    case BPF_DIV:
    case BPF_MOD: {
      const zero = (): void => {
        c.op(`${t}.const`, w32 ? 0 : 0n);
      };
      // A constant divisor other than 0 and -1 needs no test.
      if (srcBit(insn.code) !== BPF_X && insn.imm !== 0 && insn.imm !== -1) {
        dst();
        operand(c, insn, w32);
        c.op(`${t}.${op === BPF_DIV ? 'div' : 'rem'}_${signed ? 's' : 'u'}`);
        finish();
        return;
      }
      operand(c, insn, w32);
      c.op('local.set', tmp);
      c.op('local.get', tmp).op(`${t}.eqz`).op('if', t);
      if (op === BPF_DIV) zero();
      else dst();
      c.op('else');
      if (op === BPF_DIV && signed) {
        // b = -1: 0 - a (INT_MIN / -1 = INT_MIN, no trap).
        c.op('local.get', tmp)
          .op(`${t}.const`, w32 ? -1 : -1n)
          .op(`${t}.eq`)
          .op('if', t);
        zero();
        dst();
        c.op(`${t}.sub`).op('else');
        dst();
        c.op('local.get', tmp).op(`${t}.div_s`).op('end');
      } else {
        // wasm rem_s gives INT_MIN % -1 = 0 without trapping.
        dst();
        c.op('local.get', tmp);
        c.op(`${t}.${op === BPF_DIV ? 'div' : 'rem'}_${signed ? 's' : 'u'}`);
      }
      c.op('end');
      finish();
      return;
    }
    case BPF_END: {
      const bits = insn.imm;
      c.op('local.get', d);
      const swap = !w32 || srcBit(insn.code) === BPF_TO_BE;
      if (swap) {
        c.op('local.set', T1);
        bswap(c, bits);
      } else if (bits < 64) {
        c.op('i64.const', (1n << BigInt(bits)) - 1n).op('i64.and');
      }
      c.op('local.set', d);
      return;
    }
    default:
      throw new Error(`jit: unknown ALU operation ${hex(op)} at ${pc} (checkInsns admitted it)`);
  }
}

/** Push the i32 condition of a conditional jump other than may_goto (true when taken). */
export function emitCompare(c: CodeBuilder, insn: Insn): void {
  const w32 = insnClass(insn.code) === BPF_JMP32;
  const t = w32 ? 'i32' : 'i64';
  c.op('local.get', insn.dst);
  if (w32) c.op('i32.wrap_i64');
  operand(c, insn, w32);
  const op = jmpOp(insn.code);
  if (op === BPF_JSET) {
    c.op(`${t}.and`)
      .op(`${t}.const`, w32 ? 0 : 0n)
      .op(`${t}.ne`);
    return;
  }
  const name = JMP_CMP[op];
  if (name === undefined) throw new Error(`jit: unknown jump operation ${hex(op)}`);
  c.op(`${t}.${name}`);
}
