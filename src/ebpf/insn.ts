/**
 * eBPF instructions (RFC 9669, cpu v1-v4): the 8-byte slot as a plain object, decode and encode of
 * little-endian bytes, and the load-time check of every slot: known opcode, registers r0-r10, and
 * every field the opcode does not use equal to zero (or to one of the values it allows), each
 * rejection naming the instruction index and the field.
 *
 * A wide instruction (lddw) takes two slots: the second has opcode 0 and carries the upper 32 bits
 * of the constant in its imm. Indexes and jump offsets count slots, as the kernel does.
 */
import {
  BPF_ABS,
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_IMM,
  BPF_IND,
  BPF_INSN_SIZE,
  BPF_JA,
  BPF_JCOND,
  BPF_JMP,
  BPF_JMP32,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MAY_GOTO,
  BPF_MEM,
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
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
  MAX_BPF_REG,
} from '../uapi/bpf.js';

/** One instruction slot. `off` is a signed 16-bit, `imm` a signed 32-bit value. */
export interface Insn {
  /** Opcode byte. */
  code: number;
  /** Destination register, 0-15 as encoded (valid: 0-10). */
  dst: number;
  /** Source register, 0-15 as encoded (valid: 0-10). */
  src: number;
  off: number;
  imm: number;
}

/** Stable codes of instruction errors. */
export type InsnErrorCode =
  | 'E_TRUNCATED' // byte length not a multiple of 8
  | 'E_EMPTY' // no instruction
  | 'E_OPCODE' // unknown opcode
  | 'E_REGISTER' // register number above 10
  | 'E_RESERVED' // a field the opcode does not use is not zero (or holds a value it does not allow)
  | 'E_LDDW' // lddw without its second slot, or a second slot that is not one
  | 'E_FIELD'; // a field that is not an integer of its width (code u8, dst/src u4, off s16, imm s32)

/** An instruction that cannot be loaded, with its index and the field at fault. */
export class InsnError extends Error {
  readonly code: InsnErrorCode;
  /** Slot index (lddw counts as two). */
  readonly index: number;
  /** The field at fault ('code', 'dst', 'src', 'off', 'imm'), or null. */
  readonly field: keyof Insn | null;

  constructor(code: InsnErrorCode, index: number, field: keyof Insn | null, message: string) {
    super(`insn ${index}: ${message}`);
    this.name = 'InsnError';
    this.code = code;
    this.index = index;
    this.field = field;
  }
}

export const insnClass = (code: number): number => code & 0x07;
export const aluOp = (code: number): number => code & 0xf0;
export const jmpOp = (code: number): number => code & 0xf0;
export const srcBit = (code: number): number => code & 0x08;
export const memSize = (code: number): number => code & 0x18;
export const memMode = (code: number): number => code & 0xe0;

/** Bytes moved by a load/store of size field `size` (BPF_W/H/B/DW). */
export function sizeBytes(size: number): number {
  return size === BPF_DW ? 8 : size === 0 ? 4 : size === 0x08 ? 2 : 1;
}

/** The lddw opcode (BPF_LD | BPF_IMM | BPF_DW). */
export const LDDW = BPF_LD | BPF_IMM | BPF_DW;

export const isLddw = (i: Insn): boolean => i.code === LDDW;

/** Target slot of a jump at `pc` (ja, gotol, conditional, may_goto): gotol keeps its offset in imm. */
export function jumpTarget(insn: Insn, pc: number): number {
  const gotol = insn.code === (BPF_JMP32 | BPF_JA);
  return pc + 1 + (gotol ? insn.imm : insn.off);
}

/** A bpf2bpf call (call with src BPF_PSEUDO_CALL, not callx); its target is pc + 1 + imm. */
export const isLocalCall = (i: Insn): boolean => i.code === (BPF_JMP | BPF_CALL) && i.src === BPF_PSEUDO_CALL;

/* ================================================================== bytes */

/** Decode little-endian bytes into slots (no checks beyond the length). */
export function decodeInsns(bytes: Uint8Array): Insn[] {
  if (bytes.length % BPF_INSN_SIZE !== 0) {
    throw new InsnError(
      'E_TRUNCATED',
      Math.floor(bytes.length / BPF_INSN_SIZE),
      null,
      `expected a multiple of 8 bytes, found 0x${bytes.length.toString(16)} bytes`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let p = 0; p < bytes.length; p += BPF_INSN_SIZE) {
    const regs = bytes[p + 1]!;
    out.push({
      code: bytes[p]!,
      dst: regs & 0x0f,
      src: regs >>> 4,
      off: dv.getInt16(p + 2, true),
      imm: dv.getInt32(p + 4, true),
    });
  }
  return out;
}

/** Encode slots as little-endian bytes. Fields are truncated to their widths. */
export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * BPF_INSN_SIZE);
  const dv = new DataView(bytes.buffer);
  insns.forEach((i, k) => {
    const p = k * BPF_INSN_SIZE;
    bytes[p] = i.code & 0xff;
    bytes[p + 1] = (i.dst & 0x0f) | ((i.src & 0x0f) << 4);
    dv.setInt16(p + 2, (i.off << 16) >> 16, true);
    dv.setInt32(p + 4, i.imm | 0, true);
  });
  return bytes;
}

/** 64-bit words (as the conformance `-- raw` sections write them) to slots. */
export function insnsFromWords(words: readonly bigint[]): Insn[] {
  const bytes = new Uint8Array(words.length * 8);
  const dv = new DataView(bytes.buffer);
  words.forEach((w, k) => {
    dv.setBigUint64(k * 8, BigInt.asUintN(64, w), true);
  });
  return decodeInsns(bytes);
}

/** The 64-bit constant of an lddw pair. */
export function lddwValue(lo: Insn, hi: Insn): bigint {
  return (BigInt(hi.imm >>> 0) << 32n) | BigInt(lo.imm >>> 0);
}

/* ================================================================== load-time check */

const ALU_OPS = new Set([
  BPF_ADD,
  BPF_SUB,
  BPF_MUL,
  BPF_DIV,
  BPF_OR,
  BPF_AND,
  BPF_LSH,
  BPF_RSH,
  BPF_NEG,
  BPF_MOD,
  BPF_XOR,
  BPF_MOV,
  BPF_ARSH,
  BPF_END,
]);

const ATOMIC_OPS = new Set([
  BPF_ADD,
  BPF_OR,
  BPF_AND,
  BPF_XOR,
  BPF_ADD | BPF_FETCH,
  BPF_OR | BPF_FETCH,
  BPF_AND | BPF_FETCH,
  BPF_XOR | BPF_FETCH,
  BPF_XCHG,
  BPF_CMPXCHG,
]);

const hex = (n: number, w = 2): string => `0x${(n >>> 0).toString(16).padStart(w, '0')}`;

/**
 * Check every slot as a loader must (RFC 9669 plus the kernel's bpf_check insn rules): opcodes,
 * registers, reserved fields, lddw pairs. Throws InsnError for the first bad slot.
 */
export function checkInsns(insns: readonly Insn[]): void {
  if (insns.length === 0)
    throw new InsnError('E_EMPTY', 0, null, 'expected at least one instruction, found none');
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    if (insn.code === LDDW) {
      checkOne(insn, i);
      const hi = insns[i + 1];
      if (hi === undefined) {
        throw new InsnError('E_LDDW', i, 'code', 'lddw is the last slot: expected its second half after it');
      }
      checkFields(hi, i + 1);
      if (hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        const f: keyof Insn = hi.code !== 0 ? 'code' : hi.dst !== 0 ? 'dst' : hi.src !== 0 ? 'src' : 'off';
        throw new InsnError(
          'E_LDDW',
          i + 1,
          f,
          `second slot of lddw must have code, dst, src and off 0, found ${f} ${hex(hi[f])}`,
        );
      }
      i++;
      continue;
    }
    checkOne(insn, i);
  }
}

function reserved(i: number, insn: Insn, field: keyof Insn, what: string): InsnError {
  return new InsnError(
    'E_RESERVED',
    i,
    field,
    `${what}: expected ${field} 0, found ${field === 'off' || field === 'imm' ? insn[field] : hex(insn[field])}`,
  );
}

function badOpcode(i: number, insn: Insn, why: string): InsnError {
  return new InsnError('E_OPCODE', i, 'code', `unknown opcode ${hex(insn.code)} (${why})`);
}

/** Check one slot (the first of an lddw pair included). */
/** Each field an integer of its width (objects built in JS may hold anything). */
const FIELD_RANGES: readonly [keyof Insn, number, number][] = [
  ['code', 0, 0xff],
  ['dst', 0, 0xf],
  ['src', 0, 0xf],
  ['off', -0x8000, 0x7fff],
  ['imm', -0x8000_0000, 0x7fff_ffff],
];

function checkFields(insn: Insn, i: number): void {
  for (const [f, lo, hi] of FIELD_RANGES) {
    const v: unknown = insn[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new InsnError('E_FIELD', i, f, `expected ${f} an integer ${lo}..${hi}, found ${String(v)}`);
    }
  }
}

function checkOne(insn: Insn, i: number): void {
  checkFields(insn, i);
  const { code } = insn;
  if (insn.dst >= MAX_BPF_REG) {
    throw new InsnError('E_REGISTER', i, 'dst', `expected a register r0-r10, found dst r${insn.dst}`);
  }
  const cls = insnClass(code);
  // callx names its register in dst; every other src field is a register or a pseudo value.
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64:
      checkAlu(insn, i, cls === BPF_ALU64);
      return;
    case BPF_JMP:
    case BPF_JMP32:
      checkJmp(insn, i, cls === BPF_JMP32);
      return;
    case BPF_LD: {
      const mode = memMode(code);
      if (mode === BPF_ABS || mode === BPF_IND) {
        throw badOpcode(i, insn, 'legacy BPF_ABS/BPF_IND packet access is not supported');
      }
      if (code !== LDDW) throw badOpcode(i, insn, 'class LD holds only lddw (0x18)');
      if (insn.src > 6) {
        throw new InsnError('E_RESERVED', i, 'src', `lddw: expected src 0-6 (pseudo), found ${insn.src}`);
      }
      if (insn.off !== 0) throw reserved(i, insn, 'off', 'lddw');
      return;
    }
    case BPF_LDX: {
      const mode = memMode(code);
      if (mode !== BPF_MEM && mode !== BPF_MEMSX) throw badOpcode(i, insn, 'LDX mode must be MEM or MEMSX');
      if (mode === BPF_MEMSX && memSize(code) === BPF_DW)
        throw badOpcode(i, insn, 'no sign-extending 8-byte load');
      checkSrcReg(insn, i);
      if (insn.imm !== 0) throw reserved(i, insn, 'imm', 'load');
      return;
    }
    case BPF_ST: {
      if (memMode(code) !== BPF_MEM) throw badOpcode(i, insn, 'ST mode must be MEM');
      if (insn.src !== 0) throw reserved(i, insn, 'src', 'store of an immediate');
      return;
    }
    default: {
      // BPF_STX
      const mode = memMode(code);
      checkSrcReg(insn, i);
      if (mode === BPF_MEM) {
        if (insn.imm !== 0) throw reserved(i, insn, 'imm', 'store of a register');
        return;
      }
      if (mode !== BPF_ATOMIC) throw badOpcode(i, insn, 'STX mode must be MEM or ATOMIC');
      const size = memSize(code);
      if (size !== BPF_DW && size !== 0) throw badOpcode(i, insn, 'atomics are 4 or 8 bytes wide');
      if (!ATOMIC_OPS.has(insn.imm)) {
        throw new InsnError('E_RESERVED', i, 'imm', `atomic: unknown operation imm ${hex(insn.imm)}`);
      }
      return;
    }
  }
}

function checkSrcReg(insn: Insn, i: number): void {
  if (insn.src >= MAX_BPF_REG) {
    throw new InsnError('E_REGISTER', i, 'src', `expected a register r0-r10, found src r${insn.src}`);
  }
}

function checkAlu(insn: Insn, i: number, is64: boolean): void {
  const op = aluOp(insn.code);
  if (!ALU_OPS.has(op)) throw badOpcode(i, insn, 'no such ALU operation');
  const x = srcBit(insn.code) === BPF_X;
  const name = `${is64 ? 'alu64' : 'alu32'} op ${hex(op)}`;
  if (op === BPF_NEG) {
    if (x) throw badOpcode(i, insn, 'neg takes no source');
    if (insn.src !== 0) throw reserved(i, insn, 'src', 'neg');
    if (insn.off !== 0) throw reserved(i, insn, 'off', 'neg');
    if (insn.imm !== 0) throw reserved(i, insn, 'imm', 'neg');
    return;
  }
  if (op === BPF_END) {
    if (is64 && x) throw badOpcode(i, insn, 'bswap is ALU64 with source bit 0');
    if (insn.src !== 0) throw reserved(i, insn, 'src', 'byte swap');
    if (insn.off !== 0) throw reserved(i, insn, 'off', 'byte swap');
    if (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) {
      throw new InsnError('E_RESERVED', i, 'imm', `byte swap: expected imm 16, 32 or 64, found ${insn.imm}`);
    }
    return;
  }
  if (x) {
    checkSrcReg(insn, i);
    if (insn.imm !== 0) throw reserved(i, insn, 'imm', `${name} with a register source`);
  } else if (insn.src !== 0) {
    throw reserved(i, insn, 'src', `${name} with an immediate source`);
  }
  if (insn.off === 0) return;
  // off selects a variant: sdiv/smod (1), movsx (8, 16, 32 for alu64 with a register source).
  if ((op === BPF_DIV || op === BPF_MOD) && insn.off === 1) return;
  if (op === BPF_MOV && x && (insn.off === 8 || insn.off === 16 || (is64 && insn.off === 32))) return;
  throw new InsnError(
    'E_RESERVED',
    i,
    'off',
    `${name}: expected off 0${op === BPF_DIV || op === BPF_MOD ? ' or 1' : op === BPF_MOV && x ? `, 8, 16${is64 ? ' or 32' : ''}` : ''}, found ${insn.off}`,
  );
}

function checkJmp(insn: Insn, i: number, is32: boolean): void {
  const op = jmpOp(insn.code);
  const x = srcBit(insn.code) === BPF_X;
  if (op === BPF_JA) {
    if (x) throw badOpcode(i, insn, 'ja takes no source');
    if (insn.dst !== 0) throw reserved(i, insn, 'dst', 'ja');
    if (insn.src !== 0) throw reserved(i, insn, 'src', 'ja');
    // JMP: target in off; JMP32 (gotol): target in imm.
    if (is32 ? insn.off !== 0 : insn.imm !== 0)
      throw reserved(i, insn, is32 ? 'off' : 'imm', is32 ? 'gotol' : 'ja');
    return;
  }
  if (op === BPF_CALL) {
    if (is32) throw badOpcode(i, insn, 'no call in class JMP32');
    // kfunc calls (src 2) carry the BTF fd index of the kfunc's module in off.
    if (insn.off !== 0 && !(insn.src === BPF_PSEUDO_KFUNC_CALL && !x)) throw reserved(i, insn, 'off', 'call');
    if (x) {
      // callx: the register is in dst (as clang encodes it), imm and src 0.
      if (insn.src !== 0) throw reserved(i, insn, 'src', 'callx');
      if (insn.imm !== 0) throw reserved(i, insn, 'imm', 'callx');
      return;
    }
    if (insn.dst !== 0) throw reserved(i, insn, 'dst', 'call');
    if (insn.src !== 0 && insn.src !== BPF_PSEUDO_CALL && insn.src !== BPF_PSEUDO_KFUNC_CALL) {
      throw new InsnError('E_RESERVED', i, 'src', `call: expected src 0, 1 or 2, found ${insn.src}`);
    }
    return;
  }
  if (op === BPF_EXIT) {
    if (is32 || x) throw badOpcode(i, insn, 'exit is 0x95');
    if (insn.dst !== 0) throw reserved(i, insn, 'dst', 'exit');
    if (insn.src !== 0) throw reserved(i, insn, 'src', 'exit');
    if (insn.off !== 0) throw reserved(i, insn, 'off', 'exit');
    if (insn.imm !== 0) throw reserved(i, insn, 'imm', 'exit');
    return;
  }
  if (op === BPF_JCOND) {
    if (is32 || x) throw badOpcode(i, insn, 'may_goto is 0xe5');
    if (insn.src !== BPF_MAY_GOTO) throw reserved(i, insn, 'src', 'may_goto');
    if (insn.dst !== 0) throw reserved(i, insn, 'dst', 'may_goto');
    if (insn.imm !== 0) throw reserved(i, insn, 'imm', 'may_goto');
    return;
  }
  if (op > 0xd0) throw badOpcode(i, insn, 'no such jump');
  if (x) {
    checkSrcReg(insn, i);
    if (insn.imm !== 0) throw reserved(i, insn, 'imm', 'conditional jump on a register');
  } else if (insn.src !== 0) {
    throw reserved(i, insn, 'src', 'conditional jump on an immediate');
  }
}
