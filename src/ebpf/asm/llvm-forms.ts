/**
 * Every instruction form of the LLVM (and kernel) BPF assembly syntax, cpu v1-v4, as printed by
 * llvm-objdump-19 and accepted by llvm-mc-19: templates (see llvm-match.ts) with their opcodes.
 */
import {
  BPF_ABS,
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
  BPF_IND,
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
  BPF_MAY_GOTO,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_TO_BE,
  BPF_TO_LE,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
} from '../../uapi/bpf.js';
import { LDDW } from '../insn.js';
import { type Form, form } from './llvm-match.js';

/** `off` of the addr_space_cast form of mov (BPF_ADDR_SPACE_CAST in the kernel). */
const ADDR_SPACE_CAST_OFF = 1;

const ALU_ASSIGN: readonly [op: string, code: number, off: number][] = [
  ['+=', BPF_ADD, 0],
  ['-=', BPF_SUB, 0],
  ['*=', BPF_MUL, 0],
  ['/=', BPF_DIV, 0],
  ['s/=', BPF_DIV, 1],
  ['|=', BPF_OR, 0],
  ['&=', BPF_AND, 0],
  ['<<=', BPF_LSH, 0],
  ['>>=', BPF_RSH, 0],
  ['s>>=', BPF_ARSH, 0],
  ['%=', BPF_MOD, 0],
  ['s%=', BPF_MOD, 1],
  ['^=', BPF_XOR, 0],
  ['=', BPF_MOV, 0],
];

function aluForms(): Form[] {
  const out: Form[] = [];
  for (const [r, cls] of [
    ['R', BPF_ALU64],
    ['W', BPF_ALU],
  ] as const) {
    for (const [op, code, off] of ALU_ASSIGN) {
      out.push(form(`$${r}d ${op} $${r}s`, cls | code | BPF_X, { off }));
      out.push(form(`$${r}d ${op} $imm`, cls | code, { off }));
    }
    out.push(form(`$${r}d = - $${r}d`, cls | BPF_NEG));
    for (const bits of r === 'R' ? [8, 16, 32] : [8, 16]) {
      out.push(form(`$${r}d = ( s${bits} ) $${r}s`, cls | BPF_MOV | BPF_X, { off: bits }));
    }
  }
  for (const bits of [16, 32, 64]) {
    out.push(form(`$Rd = be${bits} $Rd`, BPF_ALU | BPF_END | BPF_TO_BE, { imm: bits }));
    out.push(form(`$Rd = le${bits} $Rd`, BPF_ALU | BPF_END | BPF_TO_LE, { imm: bits }));
    out.push(form(`$Rd = bswap${bits} $Rd`, BPF_ALU64 | BPF_END | BPF_TO_LE, { imm: bits }));
  }
  out.push(
    form('$Rd = addr_space_cast ( $Rs , $as , $as )', BPF_ALU64 | BPF_MOV | BPF_X, {
      off: ADDR_SPACE_CAST_OFF,
    }),
  );
  return out;
}

const SIZES: readonly [bits: number, size: number][] = [
  [8, BPF_B],
  [16, BPF_H],
  [32, BPF_W],
  [64, BPF_DW],
];

function memoryForms(): Form[] {
  const out: Form[] = [form('$Rd = $imm64 ll', LDDW), form('ld_pseudo $Rd , $src4 , $imm', LDDW)];
  for (const [bits, size] of SIZES) {
    // 8/16/32-bit loads and stores print wN in alu32 mode and rN otherwise: same encoding.
    const x = bits === 64 ? 'R' : 'X';
    const ptr = `* ( u${bits} * ) ( $Rd $off )`;
    out.push(form(`$${x}d = * ( u${bits} * ) ( $Rs $off )`, BPF_LDX | BPF_MEM | size));
    if (bits < 64) out.push(form(`$Rd = * ( s${bits} * ) ( $Rs $off )`, BPF_LDX | BPF_MEMSX | size));
    out.push(form(`${ptr} = $imm`, BPF_ST | BPF_MEM | size));
    out.push(form(`${ptr} = $${x}s`, BPF_STX | BPF_MEM | size));
    if (bits < 64) {
      out.push(form(`$R0 = * ( u${bits} * ) skb [ $imm ]`, BPF_LD | BPF_ABS | size));
      out.push(form(`$R0 = * ( u${bits} * ) skb [ $Rs ]`, BPF_LD | BPF_IND | size));
    }
  }
  return out;
}

const ATOMIC_ALU: readonly [op: string, name: string, imm: number][] = [
  ['+=', 'add', BPF_ADD],
  ['|=', 'or', BPF_OR],
  ['&=', 'and', BPF_AND],
  ['^=', 'xor', BPF_XOR],
];

function atomicForms(): Form[] {
  const out: Form[] = [];
  for (const [bits, r, size] of [
    [64, 'R', BPF_DW],
    [32, 'W', BPF_W],
  ] as const) {
    const code = BPF_STX | BPF_ATOMIC | size;
    for (const [op, name, imm] of ATOMIC_ALU) {
      // The 32-bit add also prints with rN (the original xadd, without alu32).
      const src = bits === 32 && imm === BPF_ADD ? 'X' : r;
      out.push(form(`lock * ( u${bits} * ) ( $Rd $off ) ${op} $${src}s`, code, { imm }));
      out.push(
        form(`$${r}s = atomic_fetch_${name} ( ( u${bits} * ) ( $Rd $off ) , $${r}s )`, code, {
          imm: imm | BPF_FETCH,
        }),
      );
    }
    const named = (op: string): string => (bits === 64 ? `${op}_64` : `${op}32_32`);
    out.push(form(`$${r}s = ${named('xchg')} ( $Rd $off , $${r}s )`, code, { imm: BPF_XCHG }));
    const r0 = bits === 64 ? '$R0' : '$W0';
    out.push(form(`${r0} = ${named('cmpxchg')} ( $Rd $off , ${r0} , $${r}s )`, code, { imm: BPF_CMPXCHG }));
  }
  return out;
}

const CONDITIONS: readonly [op: string, code: number][] = [
  ['==', BPF_JEQ],
  ['!=', BPF_JNE],
  ['>', BPF_JGT],
  ['>=', BPF_JGE],
  ['<', BPF_JLT],
  ['<=', BPF_JLE],
  ['s>', BPF_JSGT],
  ['s>=', BPF_JSGE],
  ['s<', BPF_JSLT],
  ['s<=', BPF_JSLE],
  ['&', BPF_JSET],
];

function jumpForms(): Form[] {
  const out: Form[] = [];
  for (const [r, cls] of [
    ['R', BPF_JMP],
    ['W', BPF_JMP32],
  ] as const) {
    for (const [op, code] of CONDITIONS) {
      out.push(form(`if $${r}d ${op} $${r}s goto $tgt16`, cls | code | BPF_X));
      out.push(form(`if $${r}d ${op} $imm goto $tgt16`, cls | code));
    }
  }
  out.push(
    form('goto $tgt16', BPF_JMP | BPF_JA),
    form('gotol $tgt32', BPF_JMP32 | BPF_JA),
    form('may_goto $tgt16', BPF_JMP | BPF_JCOND, { src: BPF_MAY_GOTO }),
    form('call $call', BPF_JMP | BPF_CALL),
    form('callx $Rd', BPF_JMP | BPF_CALL | BPF_X),
    form('exit', BPF_JMP | BPF_EXIT),
  );
  return out;
}

/** All forms. */
export const LLVM_FORMS: readonly Form[] = [
  ...aluForms(),
  ...memoryForms(),
  ...atomicForms(),
  ...jumpForms(),
];
