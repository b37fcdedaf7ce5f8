/** Mnemonic tables of the uBPF dialect: each name with its opcode and fixed fields. */
import {
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_ATOMIC,
  BPF_B,
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_H,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LDX,
  BPF_LSH,
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

export interface AluOp {
  readonly op: number;
  readonly is32: boolean;
  /** `off` field: 1 for sdiv/smod. */
  readonly off: number;
  readonly unary: boolean;
}

const ALU_NAMES: readonly [string, number, number][] = [
  ['add', BPF_ADD, 0],
  ['sub', BPF_SUB, 0],
  ['mul', BPF_MUL, 0],
  ['div', BPF_DIV, 0],
  ['sdiv', BPF_DIV, 1],
  ['or', BPF_OR, 0],
  ['and', BPF_AND, 0],
  ['lsh', BPF_LSH, 0],
  ['rsh', BPF_RSH, 0],
  ['neg', BPF_NEG, 0],
  ['mod', BPF_MOD, 0],
  ['smod', BPF_MOD, 1],
  ['xor', BPF_XOR, 0],
  ['mov', BPF_MOV, 0],
  ['arsh', BPF_ARSH, 0],
];

/** add ... arsh (ALU64) and add32 ... arsh32 (ALU). */
export const ALU_OPS: ReadonlyMap<string, AluOp> = new Map(
  ALU_NAMES.flatMap(([name, op, off]) =>
    [false, true].map((is32): [string, AluOp] => [
      is32 ? `${name}32` : name,
      { op, is32, off, unary: op === BPF_NEG },
    ]),
  ),
);

/** Sign-extending moves: movsx<from><to>, register source, `off` = source width. */
export const MOVSX_OPS: ReadonlyMap<string, { code: number; off: number }> = new Map([
  ['movsx832', { code: BPF_ALU | BPF_MOV | BPF_X, off: 8 }],
  ['movsx1632', { code: BPF_ALU | BPF_MOV | BPF_X, off: 16 }],
  ['movsx864', { code: BPF_ALU64 | BPF_MOV | BPF_X, off: 8 }],
  ['movsx1664', { code: BPF_ALU64 | BPF_MOV | BPF_X, off: 16 }],
  ['movsx3264', { code: BPF_ALU64 | BPF_MOV | BPF_X, off: 32 }],
]);

/** le/be (class ALU, source bit = order) and bswap/swap (ALU64, unconditional), imm = width. */
export const ENDIAN_OPS: ReadonlyMap<string, { code: number; bits: number }> = new Map(
  [16, 32, 64].flatMap((bits): [string, { code: number; bits: number }][] => [
    [`le${bits}`, { code: BPF_ALU | BPF_END | BPF_TO_LE, bits }],
    [`be${bits}`, { code: BPF_ALU | BPF_END | BPF_TO_BE, bits }],
    [`bswap${bits}`, { code: BPF_ALU64 | BPF_END | BPF_TO_LE, bits }],
    [`swap${bits}`, { code: BPF_ALU64 | BPF_END | BPF_TO_LE, bits }],
  ]),
);

const SIZES: readonly [string, number][] = [
  ['b', BPF_B],
  ['h', BPF_H],
  ['w', BPF_W],
  ['dw', BPF_DW],
];

/** ldxb ... ldxdw, and the sign-extending ldxsb, ldxsh, ldxsw. */
export const LOAD_OPS: ReadonlyMap<string, number> = new Map([
  ...SIZES.map(([s, size]): [string, number] => [`ldx${s}`, BPF_LDX | BPF_MEM | size]),
  ...SIZES.slice(0, 3).map(([s, size]): [string, number] => [`ldxs${s}`, BPF_LDX | BPF_MEMSX | size]),
]);

export const STORE_IMM_OPS: ReadonlyMap<string, number> = new Map(
  SIZES.map(([s, size]): [string, number] => [`st${s}`, BPF_ST | BPF_MEM | size]),
);

export const STORE_REG_OPS: ReadonlyMap<string, number> = new Map(
  SIZES.map(([s, size]): [string, number] => [`stx${s}`, BPF_STX | BPF_MEM | size]),
);

const JUMP_NAMES: readonly [string, number][] = [
  ['jeq', BPF_JEQ],
  ['jgt', BPF_JGT],
  ['jge', BPF_JGE],
  ['jset', BPF_JSET],
  ['jne', BPF_JNE],
  ['jsgt', BPF_JSGT],
  ['jsge', BPF_JSGE],
  ['jlt', BPF_JLT],
  ['jle', BPF_JLE],
  ['jslt', BPF_JSLT],
  ['jsle', BPF_JSLE],
];

/** Conditional jumps (JMP) and their `32` forms (JMP32). */
export const JUMP_OPS: ReadonlyMap<string, { op: number; is32: boolean }> = new Map(
  JUMP_NAMES.flatMap(([name, op]) =>
    [false, true].map((is32): [string, { op: number; is32: boolean }] => [
      is32 ? `${name}32` : name,
      { op, is32 },
    ]),
  ),
);

/**
 * Atomic operations after `lock`: opcode and imm (`fetch` adds BPF_FETCH to the arithmetic ones;
 * xchg and cmpxchg always fetch).
 */
export const ATOMIC_OPS: ReadonlyMap<string, { code: number; imm: number; fetches: boolean }> = new Map(
  (
    [
      ['add', BPF_ADD],
      ['or', BPF_OR],
      ['and', BPF_AND],
      ['xor', BPF_XOR],
      ['xchg', BPF_XCHG],
      ['cmpxchg', BPF_CMPXCHG],
    ] as const
  ).flatMap(([name, imm]) =>
    [false, true].map((is32): [string, { code: number; imm: number; fetches: boolean }] => [
      is32 ? `${name}32` : name,
      {
        code: BPF_STX | BPF_ATOMIC | (is32 ? BPF_W : BPF_DW),
        imm,
        fetches: imm === BPF_XCHG || imm === BPF_CMPXCHG,
      },
    ]),
  ),
);
