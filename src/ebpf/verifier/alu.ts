/**
 * ALU instructions as the verifier checks them (the kernel's check_alu_op and
 * adjust_ptr_min_max_vals): scalar arithmetic through the scalar domain, pointer arithmetic under
 * the rules that keep pointers inside their region, and copies that link scalars.
 */
import {
  BPF_ADD,
  BPF_ALU,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_END,
  BPF_LSH,
  BPF_MAX_VAR_OFF,
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
import { aluOp, type Insn, insnClass, srcBit } from '../insn.js';
import { type Env, fail } from './env.js';
import {
  boundsSync,
  constValue,
  S64_MIN,
  type Scalar,
  scalarConst,
  scalarStr,
  scalarUnknown,
  zext32To64,
} from './scalar.js';
import { scalarAlu, scalarEnd, scalarMov, scalarMovImm, scalarMovsx, scalarNeg } from './scalar-alu.js';
import { curFrame, isPointer, type Reg, regStr, scalarReg, typeName } from './state.js';

const OP_NAME: Readonly<Record<number, string>> = {
  [BPF_ADD]: '+=',
  [BPF_SUB]: '-=',
  [BPF_MUL]: '*=',
  [BPF_DIV]: '/=',
  [BPF_OR]: '|=',
  [BPF_AND]: '&=',
  [BPF_LSH]: '<<=',
  [BPF_RSH]: '>>=',
  [BPF_MOD]: '%=',
  [BPF_XOR]: '^=',
  [BPF_ARSH]: 's>>=',
};

const MAX_OFF = BigInt(BPF_MAX_VAR_OFF);

/** Read register `r` of the current frame; V020 if this path never wrote it. */
export function readReg(env: Env, r: number): Reg {
  const reg = curFrame(env.cur).regs[r]!;
  if (reg.released === true) {
    fail(
      env,
      'V059_BAD_RELEASE',
      { reg: r, what: 'is a ring buffer reservation already submitted or discarded' },
      'expected no use of a reservation after its release',
      [r],
    );
  }
  if (reg.type === 'not_init') {
    fail(env, 'V020_UNINIT_REG', { reg: r }, `expected R${r} written on every path to insn ${env.idx}`, [r]);
  }
  return reg;
}

/** Write register `r` of the current frame (V021 for r10). */
export function writeReg(env: Env, r: number, reg: Reg): void {
  if (r === 10) fail(env, 'V021_FP_READ_ONLY', {}, 'expected a destination register r0-r9');
  curFrame(env.cur).regs[r] = reg;
}

/** op on two constants as the machine computes it (BPF semantics for division by 0), or undefined. */
function foldConst(op: number, a: bigint, b: bigint, alu32: boolean, signed: boolean): bigint | undefined {
  const w = alu32 ? 32 : 64;
  const x = BigInt.asUintN(w, a);
  const y = BigInt.asUintN(w, b);
  const sx = BigInt.asIntN(w, a);
  const sy = BigInt.asIntN(w, b);
  let r: bigint;
  switch (op) {
    case BPF_ADD:
      r = x + y;
      break;
    case BPF_SUB:
      r = x - y;
      break;
    case BPF_MUL:
      r = x * y;
      break;
    case BPF_OR:
      r = x | y;
      break;
    case BPF_AND:
      r = x & y;
      break;
    case BPF_XOR:
      r = x ^ y;
      break;
    case BPF_LSH:
    case BPF_RSH:
    case BPF_ARSH:
      if (y >= BigInt(w)) return undefined;
      r = op === BPF_LSH ? x << y : op === BPF_RSH ? x >> y : sx >> y;
      break;
    case BPF_DIV:
      r = y === 0n ? 0n : signed ? sx / sy : x / y;
      break;
    case BPF_MOD:
      r = y === 0n ? x : signed ? sx % sy : x % y;
      break;
    default:
      return undefined;
  }
  return BigInt.asUintN(w, r);
}

/** The scalar result of an ALU op, zero-extended for ALU32 even where the domain gives up. */
function scalarOp(op: number, dst: Scalar, src: Scalar, alu32: boolean, signed: boolean): Scalar {
  const a = constValue(dst);
  const b = a === undefined ? undefined : constValue(src);
  if (a !== undefined && b !== undefined) {
    const v = foldConst(op, a, b, alu32, signed);
    if (v !== undefined) return scalarConst(v);
  }
  if (op === BPF_DIV || op === BPF_MOD) {
    const r = scalarUnknown();
    if (alu32) {
      zext32To64(r);
      boundsSync(r);
    }
    return r;
  }
  return scalarAlu(op, dst, src, alu32);
}

export function checkAlu(env: Env, insn: Insn): void {
  const alu32 = insnClass(insn.code) === BPF_ALU;
  const op = aluOp(insn.code);
  const isX = srcBit(insn.code) === BPF_X;
  if (insn.dst === 10) fail(env, 'V021_FP_READ_ONLY', {}, 'expected a destination register r0-r9');

  if (op === BPF_END || op === BPF_NEG) {
    const dst = readReg(env, insn.dst);
    if (isPointer(dst)) {
      ptrArith(env, insn.dst, `${op === BPF_END ? 'byte swap' : 'negation'} of a pointer`, dst);
    }
    const s =
      op === BPF_NEG
        ? scalarNeg(dst.s, alu32)
        : scalarEnd(dst.s, insn.imm as 16 | 32 | 64, !alu32 || srcBit(insn.code) === BPF_TO_BE);
    writeReg(env, insn.dst, scalarReg(s));
    return;
  }

  if (op === BPF_MOV) {
    if (!isX) {
      writeReg(env, insn.dst, scalarReg(scalarMovImm(insn.imm, alu32)));
      return;
    }
    const released = curFrame(env.cur).regs[insn.src]!;
    if (released.released === true && !alu32 && insn.off === 0) {
      // A copy of a released reservation is as unusable; the use is refused where it happens.
      writeReg(env, insn.dst, released);
      return;
    }
    const src = readReg(env, insn.src);
    if (insn.off !== 0) {
      if (isPointer(src)) ptrArith(env, insn.src, 'sign extension of a pointer', src);
      writeReg(env, insn.dst, scalarReg(scalarMovsx(src.s, insn.off as 8 | 16 | 32, alu32)));
      return;
    }
    if (alu32) {
      if (isPointer(src)) ptrArith(env, insn.src, 'partial copy of pointer', src);
      writeReg(env, insn.dst, scalarReg(scalarMov(src.s, true)));
      return;
    }
    if (src.type === 'scalar' && constValue(src.s) === undefined) {
      // Link the copies: a bound learnt on one holds for the other (find_equal_scalars).
      const id = src.id !== 0 ? src.id : env.nextId();
      const linked = src.id === id ? src : { ...src, id };
      curFrame(env.cur).regs[insn.src] = linked;
      writeReg(env, insn.dst, linked);
      return;
    }
    writeReg(env, insn.dst, src);
    return;
  }

  const dst = readReg(env, insn.dst);
  let src: Reg;
  if (isX) src = readReg(env, insn.src);
  else {
    if ((op === BPF_DIV || op === BPF_MOD) && insn.imm === 0) fail(env, 'V014_DIV_BY_ZERO', {}, '');
    if (
      (op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) &&
      (insn.imm < 0 || insn.imm >= (alu32 ? 32 : 64))
    ) {
      fail(env, 'V015_BAD_SHIFT', { shift: insn.imm }, `expected 0-${alu32 ? 31 : 63}`);
    }
    src = scalarReg(scalarConst(BigInt(insn.imm)));
  }
  if (isPointer(dst) || isPointer(src)) {
    writeReg(env, insn.dst, pointerAlu(env, insn, op, alu32, dst, src));
    return;
  }
  writeReg(env, insn.dst, scalarReg(scalarOp(op, dst.s, src.s, alu32, insn.off === 1)));
}

function ptrArith(env: Env, regno: number, what: string, reg: Reg): never {
  return fail(env, 'V022_PTR_ARITH', { reg: regno, what: `${what} prohibited` }, `found ${regStr(reg)}`, [
    regno,
  ]);
}

/** The kernel's check_reg_sane_offset on the scalar operand and on the resulting pointer. */
function saneOffset(env: Env, regno: number, s: Scalar, off: number, type: string, what: string): void {
  const c = constValue(s);
  if (c !== undefined) {
    const v = BigInt.asIntN(64, c);
    if (v >= MAX_OFF || v <= -MAX_OFF) {
      fail(
        env,
        'V023_PTR_OUT_OF_BOUNDS',
        { reg: regno, what: `math between ${type} pointer and ${v} is not allowed` },
        `expected ${what} within ±${BPF_MAX_VAR_OFF}`,
        [regno],
      );
    }
  }
  if (off >= BPF_MAX_VAR_OFF || off <= -BPF_MAX_VAR_OFF) {
    fail(
      env,
      'V023_PTR_OUT_OF_BOUNDS',
      { reg: regno, what: `${type} pointer offset ${off} is not allowed` },
      `expected ${what} within ±${BPF_MAX_VAR_OFF}`,
      [regno],
    );
  }
  if (c === undefined && (s.smin === S64_MIN || s.smin <= -MAX_OFF || s.smin >= MAX_OFF)) {
    fail(
      env,
      'V037_VAR_OFF_UNBOUNDED',
      {
        reg: regno,
        what: `math between ${type} pointer and register with unbounded min value is not allowed`,
      },
      `expected ${what} bounded by a comparison, found ${scalarStr(s)}`,
      [regno],
    );
  }
}

function pointerAlu(env: Env, insn: Insn, op: number, alu32: boolean, dst: Reg, src: Reg): Reg {
  const srcNo = insn.src;
  const dstNo = insn.dst;
  const name = OP_NAME[op] ?? `op 0x${op.toString(16)}`;
  if (alu32) {
    const regno = isPointer(dst) ? dstNo : srcNo;
    return ptrArith(env, regno, '32-bit pointer arithmetic', isPointer(dst) ? dst : src);
  }
  if (isPointer(dst) && isPointer(src)) {
    const same =
      dst.type === src.type &&
      !dst.nullable &&
      !src.nullable &&
      dst.map?.id === src.map?.id &&
      dst.frame === src.frame &&
      dst.ref === src.ref;
    if (op === BPF_SUB && same && dst.type !== 'map_ptr') return scalarReg(scalarUnknown());
    return fail(
      env,
      'V022_PTR_ARITH',
      { reg: dstNo, what: `pointer ${name} pointer prohibited` },
      `found ${regStr(dst)} and ${regStr(src)}; only the difference of two pointers into the same region is allowed`,
      [dstNo, srcNo],
    );
  }
  const ptrIsDst = isPointer(dst);
  const ptr = ptrIsDst ? dst : src;
  const ptrNo = ptrIsDst ? dstNo : srcNo;
  const k = ptrIsDst ? src : dst;
  if (op !== BPF_ADD && op !== BPF_SUB) {
    const kind =
      op === BPF_AND || op === BPF_OR || op === BPF_XOR
        ? 'bitwise operator'
        : 'pointer arithmetic with operator';
    return ptrArith(env, ptrNo, `${kind} ${name} on pointer`, ptr);
  }
  if (op === BPF_SUB && !ptrIsDst) {
    return fail(
      env,
      'V022_PTR_ARITH',
      { reg: dstNo, what: 'tried to subtract pointer from scalar' },
      `found ${regStr(src)} subtracted from a scalar`,
      [srcNo],
    );
  }
  if (ptr.nullable) {
    return ptrArith(env, ptrNo, `pointer arithmetic on ${typeName(ptr)}, null-check it first;`, ptr);
  }
  if (ptr.type === 'map_ptr') return ptrArith(env, ptrNo, 'pointer arithmetic on map_ptr', ptr);
  const c = constValue(k.s);
  if (ptr.type === 'ctx' && c === undefined) {
    return ptrArith(env, ptrNo, 'variable ctx access', ptr);
  }
  const type = typeName(ptr);
  const kNo = ptrIsDst ? srcNo : dstNo;
  if (!ptrIsDst || srcBit(insn.code) === BPF_X) env.markPrecise(1 << kNo);
  saneOffset(env, kNo, k.s, ptr.off, type, 'the offset');
  let res: Reg;
  if (c !== undefined) {
    const v = Number(BigInt.asIntN(64, c));
    res = { ...ptr, off: op === BPF_ADD ? ptr.off + v : ptr.off - v };
  } else {
    res = { ...ptr, s: scalarAlu(op, ptr.s, k.s, false) };
  }
  saneOffset(env, dstNo, res.s, res.off, type, 'the resulting pointer offset');
  return res;
}
