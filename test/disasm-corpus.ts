/**
 * The disassembler's golden corpora: instruction encodings covering every opcode form of cpu v1-v4
 * with interesting field values (corpus), and byte streams that exercise objdump's stream rules
 * (edge). test/golden/disasm/*.txt hold what llvm-objdump-19 -d --mcpu=v4 prints for them.
 */

import type { Insn } from '../src/ebpf/insn.js';
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
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
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
  BPF_STX,
  BPF_SUB,
  BPF_TO_BE,
  BPF_TO_LE,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
} from '../src/uapi/bpf.js';

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

/** Both slots of an lddw of `value` (as a u64) with pseudo source `src`. */
function lddw(dst: number, value: bigint, src = 0): Insn[] {
  const v = BigInt.asUintN(64, value);
  return [
    I(BPF_LD | BPF_DW, dst, src, 0, Number(BigInt.asIntN(32, v))),
    I(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
  ];
}

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

const ALU_OPS = [
  BPF_ADD,
  BPF_SUB,
  BPF_MUL,
  BPF_DIV,
  BPF_OR,
  BPF_AND,
  BPF_LSH,
  BPF_RSH,
  BPF_MOD,
  BPF_XOR,
  BPF_ARSH,
];
const IMMS = [0, 1, -1, 0x7f, 63, INT32_MAX, INT32_MIN, 0x1234_5678, -0x1000];
const JMP_OPS = [
  BPF_JEQ,
  BPF_JGT,
  BPF_JGE,
  BPF_JSET,
  BPF_JNE,
  BPF_JSGT,
  BPF_JSGE,
  BPF_JLT,
  BPF_JLE,
  BPF_JSLT,
  BPF_JSLE,
];
const OFFS = [0, 1, -1, 3, -7, 0x7fff, -0x8000];
const SIZES = [BPF_B, BPF_H, BPF_W, BPF_DW];

/** Every valid form, then invalid 8-byte encodings (all aligned, no run of 8 zero bytes). */
export function corpus(): Insn[] {
  const out: Insn[] = [];
  let k = 0; // rotates registers and values through the cases
  const rot = <T>(xs: readonly T[]): T => xs[k++ % xs.length]!;
  const REGS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  // ALU and ALU64: every operation with an immediate and a register source.
  for (const cls of [BPF_ALU64, BPF_ALU]) {
    for (const op of ALU_OPS) {
      for (const imm of [rot(IMMS), rot(IMMS)]) out.push(I(cls | op | BPF_K, rot(REGS), 0, 0, imm));
      out.push(I(cls | op | BPF_X, rot(REGS), rot(REGS)));
    }
    // signed division and modulo (off 1), mov, movsx, neg
    for (const op of [BPF_DIV, BPF_MOD]) {
      out.push(I(cls | op | BPF_K, 1, 0, 1, -3), I(cls | op | BPF_X, 2, 3, 1));
    }
    out.push(I(cls | BPF_MOV | BPF_K, 0, 0, 0, -1), I(cls | BPF_MOV | BPF_K, 9, 0, 0, INT32_MIN));
    out.push(I(cls | BPF_MOV | BPF_X, 6, 10), I(cls | BPF_NEG | BPF_K, 4));
    for (const off of cls === BPF_ALU64 ? [8, 16, 32] : [8, 16])
      out.push(I(cls | BPF_MOV | BPF_X, 1, 2, off));
  }
  // the arena cast (alu64 mov, off 1): imm = destination space << 16 | source space
  out.push(I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 4, 1, 1), I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 1, 1, 0x10000));
  // byte swaps: le/be (ALU), bswap (ALU64)
  for (const width of [16, 32, 64]) {
    out.push(
      I(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 0, width),
      I(BPF_ALU | BPF_END | BPF_TO_BE, 2, 0, 0, width),
    );
    out.push(I(BPF_ALU64 | BPF_END | BPF_TO_LE, 3, 0, 0, width));
  }

  // lddw: plain constants, then every pseudo source
  for (const v of [
    0n,
    1n,
    -1n,
    0x1122_3344_5566_7788n,
    0x8000_0000_0000_0000n,
    0x7fff_ffff_ffff_ffffn,
    1n << 32n,
  ]) {
    out.push(...lddw(rot(REGS), v));
  }
  for (let src = 1; src <= 6; src++) out.push(...lddw(src, BigInt(src) * 0x1_0000_0001n, src));
  out.push(...lddw(1, 0xffff_fffen, 1));

  // loads and stores of every size, offsets of every sign
  for (const size of SIZES) {
    for (const off of [rot(OFFS), rot(OFFS)]) {
      out.push(I(BPF_LDX | BPF_MEM | size, rot(REGS), rot(REGS), off));
      out.push(I(BPF_ST | BPF_MEM | size, rot(REGS), 0, off, rot(IMMS)));
      out.push(I(BPF_STX | BPF_MEM | size, rot(REGS), rot(REGS), off));
    }
    if (size !== BPF_DW)
      out.push(I(BPF_LDX | BPF_MEMSX | size, 1, 10, -8), I(BPF_LDX | BPF_MEMSX | size, 2, 3, 0x7fff));
  }
  // legacy packet loads
  for (const size of [BPF_B, BPF_H, BPF_W]) {
    out.push(I(BPF_LD | BPF_ABS | size, 0, 0, 0, 14), I(BPF_LD | BPF_IND | size, 0, 7, 0, -2));
  }

  // atomics: 32 and 64 bits, every operation with and without fetch, xchg, cmpxchg
  for (const size of [BPF_W, BPF_DW]) {
    for (const op of [BPF_ADD, BPF_OR, BPF_AND, BPF_XOR]) {
      out.push(
        I(BPF_STX | BPF_ATOMIC | size, 10, 1, -8, op),
        I(BPF_STX | BPF_ATOMIC | size, 2, 3, 16, op | BPF_FETCH),
      );
    }
    out.push(
      I(BPF_STX | BPF_ATOMIC | size, 4, 5, 0, BPF_XCHG),
      I(BPF_STX | BPF_ATOMIC | size, 6, 7, -1, BPF_CMPXCHG),
    );
  }

  // jumps: every condition, immediate and register, both classes, both directions
  for (const cls of [BPF_JMP, BPF_JMP32]) {
    for (const op of JMP_OPS) {
      out.push(I(cls | op | BPF_K, rot(REGS), 0, rot(OFFS), rot(IMMS)));
      out.push(I(cls | op | BPF_X, rot(REGS), rot(REGS), rot(OFFS)));
    }
  }
  for (const off of [0, 1, -1, -2, 0x7fff, -0x8000]) out.push(I(BPF_JMP | BPF_JA, 0, 0, off));
  for (const imm of [0, 5, -3, INT32_MAX, INT32_MIN]) out.push(I(BPF_JMP32 | BPF_JA, 0, 0, 0, imm));
  for (const off of [0, 2, -4]) out.push(I(BPF_JMP | BPF_JCOND, 0, 0, off));
  // calls: helper, bpf-to-bpf (src 1), kfunc (src 2), callx (register in dst); exit
  out.push(
    I(BPF_JMP | BPF_CALL, 0, 0, 0, 5),
    I(BPF_JMP | BPF_CALL, 0, 0, 0, 165),
    I(BPF_JMP | BPF_CALL, 0, 0, 0, -1),
  );
  out.push(
    I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 3),
    I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -12),
  );
  out.push(I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0x1234));
  out.push(I(BPF_JMP | BPF_CALL | BPF_X, 2), I(BPF_JMP | BPF_CALL | BPF_X, 9));
  out.push(I(BPF_JMP | BPF_EXIT));

  // what LLVM decodes although a loader would reject it: r11, ignored fields
  out.push(I(BPF_ALU64 | BPF_ADD | BPF_X, 11, 11), I(BPF_LDX | BPF_MEM | BPF_DW, 11, 10));
  out.push(I(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 77), I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 9, 0, 1));
  out.push(
    I(BPF_ALU | BPF_NEG, 3, 4, 5, 6),
    I(BPF_JMP | BPF_JA, 7, 8, 2, 9),
    I(BPF_JMP32 | BPF_JA, 7, 8, 2, 9),
  );
  out.push(
    I(BPF_JMP | BPF_EXIT, 1, 2, 3),
    I(BPF_JMP | BPF_CALL, 5, 6, 7, 8),
    I(BPF_JMP | BPF_CALL | BPF_X, 1, 2, 3, 4),
  );
  out.push(
    I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0x104),
    I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, 0x7fff_ff51),
  );
  out.push(I(BPF_JMP | BPF_JCOND, 1, 1, 1, 1), I(BPF_ST | BPF_MEM | BPF_W, 1, 15, 2, 3));
  out.push(...lddw(4, 0x5n).map((s, j) => (j === 1 ? { ...s, code: 0x07, dst: 1, src: 2, off: 3 } : s)));

  // invalid: unknown opcodes, registers 12-15, fixed fields holding other values
  for (const code of [
    0x00, 0x08, 0x0d, 0x0e, 0x38, 0x58, 0x60, 0x8c, 0x86, 0x96, 0x99, 0x9d, 0xd3, 0xe4, 0xe7,
  ]) {
    out.push(I(code, 1, 2, 3, 4));
  }
  out.push(I(0xed, 0, 0, 1), I(0xf5, 1, 0, 1), I(0xf6, 1, 0, 1), I(0xff, 15, 15, -1, -1), I(0xdf, 1, 2));
  out.push(I(BPF_ALU64 | BPF_ADD | BPF_K, 12, 0, 0, 1), I(BPF_ALU | BPF_MOV | BPF_X, 1, 13));
  out.push(I(BPF_LDX | BPF_MEM | BPF_W, 1, 14), I(BPF_STX | BPF_MEM | BPF_DW, 15, 1));
  out.push(I(BPF_JMP | BPF_JEQ | BPF_X, 1, 12, 1), I(BPF_JMP | BPF_CALL | BPF_X, 12));
  out.push(I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 1, 1), I(BPF_ALU | BPF_MUL | BPF_X, 1, 2, -1));
  out.push(I(BPF_ALU64 | BPF_DIV | BPF_K, 1, 0, 2, 1), I(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 8, 1));
  out.push(I(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 32), I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 7));
  out.push(I(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 1), I(BPF_ALU64 | BPF_END | BPF_TO_BE, 1, 0, 0, 16));
  out.push(I(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 0, 8), I(BPF_ALU64 | BPF_END | BPF_TO_LE, 1, 0, 0, 0));
  out.push(I(BPF_JMP | BPF_EXIT, 0, 0, 0, 1), I(BPF_LDX | BPF_MEMSX | BPF_DW, 1, 2));
  out.push(I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0x10), I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, 0xe0));
  out.push(I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0xf0), I(BPF_STX | BPF_ATOMIC | BPF_H, 1, 2, 0, 0));
  out.push(I(BPF_ST | BPF_ATOMIC | BPF_W, 1, 2), I(BPF_LD | BPF_ABS | BPF_DW, 0, 0, 0, 1));
  out.push(I(BPF_LD | BPF_DW, 1, 0, 1, 2), I(BPF_LD | BPF_DW, 12, 0, 0, 2));
  // an lddw as the very last slot: its missing half makes objdump print 8 one-byte lines
  out.push(I(BPF_LD | BPF_DW, 1, 0, 0, 0x55));
  return out;
}

/**
 * Byte streams for objdump's stream rules: runs of zero bytes (skipped as `...` from 8 bytes on, in
 * multiples of 4, which can leave the decoder off the slot grid) and lddw pairs cut by the end.
 */
export function edgeCases(): { name: string; insns: Insn[] }[] {
  const exit = I(BPF_JMP | BPF_EXIT);
  const zero = I(0);
  const r1 = I(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1);
  return [
    { name: 'one zero slot between instructions', insns: [r1, zero, exit] },
    { name: 'three zero slots', insns: [r1, zero, zero, zero, exit] },
    {
      name: 'zero slot then a slot with four leading zero bytes (off the grid)',
      insns: [r1, zero, I(0, 0, 0, 0, 0x95), exit],
    },
    { name: 'zero run at the end', insns: [r1, zero, zero] },
    { name: 'only zero slots', insns: [zero, zero] },
    { name: 'zero second half of lddw is part of the lddw', insns: [...lddw(1, 0n), exit] },
    { name: 'lddw whose second half starts a zero run', insns: [...lddw(1, 5n), zero, exit] },
    { name: 'lddw as the last slot', insns: [r1, I(BPF_LD | BPF_DW, 2, 0, 0, 7)] },
    { name: 'lddw with a bad register as the last slot', insns: [I(BPF_LD | BPF_DW, 12, 0, 0, 7)] },
    { name: 'lddw with off as the last slot', insns: [I(BPF_LD | BPF_DW, 1, 0, 1, 7)] },
    {
      name: 'lddw then an lddw slot as its second half',
      insns: [I(BPF_LD | BPF_DW, 1, 0, 0, 7), ...lddw(2, 9n)],
    },
    {
      name: 'jumps to the start, before it and far after it',
      insns: [I(0x05, 0, 0, -1), I(0x05, 0, 0, -3), I(0x06, 0, 0, 0, INT32_MIN)],
    },
  ];
}

/**
 * `n` random instructions that pass checkInsns, drawn evenly over every form of cpu v1-v4 (seeded).
 * Forms whose text does not carry every field are left out unless `lossy`: calls with src 1 or 2
 * print as helper calls (`call 0x3`) and an lddw with a pseudo source prints only the low 32 bits.
 */
export function randomValidInsns(next: () => number, n: number, lossy = false): Insn[] {
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const reg = (): number => next() % 11;
  const imm = (): number =>
    pick([0, 1, -1, INT32_MIN, INT32_MAX, (next() % 512) - 256, next() | 0, next() & 0xffff]);
  const off = (): number =>
    pick([0, 1, -1, 0x7fff, -0x8000, (next() % 512) - 256, (next() & 0xffff) - 0x8000]);
  const forms: (() => Insn[])[] = [
    () => [I(pick([BPF_ALU, BPF_ALU64]) | pick(ALU_OPS) | BPF_K, reg(), 0, 0, imm())],
    () => [I(pick([BPF_ALU, BPF_ALU64]) | pick(ALU_OPS) | BPF_X, reg(), reg())],
    () => [I(pick([BPF_ALU, BPF_ALU64]) | pick([BPF_DIV, BPF_MOD]) | BPF_K, reg(), 0, 1, imm())],
    () => [I(pick([BPF_ALU, BPF_ALU64]) | pick([BPF_DIV, BPF_MOD]) | BPF_X, reg(), reg(), 1)],
    () => [I(pick([BPF_ALU, BPF_ALU64]) | BPF_MOV | BPF_K, reg(), 0, 0, imm())],
    () => [I(pick([BPF_ALU, BPF_ALU64]) | BPF_MOV | BPF_X, reg(), reg())],
    () => [I(BPF_ALU64 | BPF_MOV | BPF_X, reg(), reg(), pick([8, 16, 32]))],
    () => [I(BPF_ALU | BPF_MOV | BPF_X, reg(), reg(), pick([8, 16]))],
    () => [I(pick([BPF_ALU, BPF_ALU64]) | BPF_NEG, reg())],
    () => [I(BPF_ALU | BPF_END | pick([BPF_TO_LE, BPF_TO_BE]), reg(), 0, 0, pick([16, 32, 64]))],
    () => [I(BPF_ALU64 | BPF_END, reg(), 0, 0, pick([16, 32, 64]))],
    () => lddw(reg(), (BigInt(next()) << 32n) | BigInt(next())),
    () => lddw(reg(), lossy ? (BigInt(next()) << 32n) | BigInt(next()) : BigInt(next()), 1 + (next() % 6)),
    () => [I(BPF_LDX | BPF_MEM | pick(SIZES), reg(), reg(), off())],
    () => [I(BPF_LDX | BPF_MEMSX | pick([BPF_B, BPF_H, BPF_W]), reg(), reg(), off())],
    () => [I(BPF_ST | BPF_MEM | pick(SIZES), reg(), 0, off(), imm())],
    () => [I(BPF_STX | BPF_MEM | pick(SIZES), reg(), reg(), off())],
    () => {
      const ops = [BPF_ADD, BPF_OR, BPF_AND, BPF_XOR];
      const op = pick([...ops, ...ops.map((o) => o | BPF_FETCH), BPF_XCHG, BPF_CMPXCHG]);
      return [I(BPF_STX | BPF_ATOMIC | pick([BPF_W, BPF_DW]), reg(), reg(), off(), op)];
    },
    () => [I(pick([BPF_JMP, BPF_JMP32]) | pick(JMP_OPS) | BPF_K, reg(), 0, off(), imm())],
    () => [I(pick([BPF_JMP, BPF_JMP32]) | pick(JMP_OPS) | BPF_X, reg(), reg(), off())],
    () => [I(BPF_JMP | BPF_JA, 0, 0, off())],
    () => [I(BPF_JMP32 | BPF_JA, 0, 0, 0, imm())],
    () => [I(BPF_JMP | BPF_JCOND, 0, 0, off())],
    () => [I(BPF_JMP | BPF_CALL, 0, lossy ? pick([0, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL]) : 0, 0, imm())],
    () => [I(BPF_JMP | BPF_CALL | BPF_X, reg())],
    () => [I(BPF_JMP | BPF_EXIT)],
  ];
  const out: Insn[] = [];
  while (out.length < n) out.push(...pick(forms)());
  return out;
}
