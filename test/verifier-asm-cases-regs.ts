/**
 * Verifier cases: program structure (V001-V011 through the full verify), refused instructions
 * (V012-V015), registers (V020-V021), pointer arithmetic (V022-V023) and scalar tracking
 * (32-bit subregisters, jmp32 refinement, zero extension, register links).
 */
import { BPF_MAX_SUBPROGS, MAX_CALL_FRAMES } from '../src/uapi/bpf.js';
import { type AsmCase, I, LOOKUP_ARR, LOOKUP_ARR_CHECKED, OUT } from './verifier-asm-cases.js';
import { ANY_RET_PROG_TYPE } from './verifier-harness.js';

const EXIT = I(0x95);
const MOV0 = I(0xb7);
const LDDW0 = [I(0x18, 1), I(0)];

/** Main calls f1, f1 calls f2, ...: `frames` frames in all. */
function chain(frames: number): string {
  const out: string[] = [];
  for (let k = 1; k < frames; k++) out.push(`f${k - 1}:`, `  call f${k}`, '  exit');
  out.push(`f${frames - 1}:`, '  r0 = 0', '  exit');
  return out.join('\n');
}

/** Main calls `callees` subprograms, each `r0 = 0; exit`. */
function fan(callees: number): string {
  const out: string[] = [];
  for (let k = 0; k < callees; k++) out.push(`  call g${k}`);
  out.push('  r0 = 0', '  exit');
  for (let k = 0; k < callees; k++) out.push(`g${k}:`, '  exit');
  return out.join('\n');
}

export const STRUCTURE_CASES: readonly AsmCase[] = [
  {
    name: 'rejects an empty program (V011)',
    asm: [],
    expect: 'V011_EMPTY_PROGRAM',
    at: 0,
  },
  {
    name: 'rejects a program whose last slot is not exit (V002)',
    asm: 'r0 = 0',
    expect: 'V002_LAST_INSN_NOT_EXIT',
    at: 0,
  },
  {
    name: 'rejects a jump past the end of the program (V001)',
    asm: 'r0 = 0\nif r0 == 0 goto +5\nexit',
    expect: 'V001_JUMP_OUT_OF_RANGE',
    at: 1,
  },
  {
    name: 'rejects a bpf2bpf call past the end (V003)',
    asm: [I(0x85, 0, 1, 0, 5), EXIT],
    expect: 'V003_CALL_OUT_OF_RANGE',
    at: 0,
  },
  {
    name: 'rejects a bpf2bpf call into the second slot of an lddw (V004)',
    asm: [I(0x85, 0, 1, 0, 2), EXIT, ...LDDW0, EXIT],
    expect: 'V004_CALL_INTO_LDDW',
    at: 0,
  },
  {
    name: 'rejects an lddw cut in half by the end of the program (V005)',
    asm: [MOV0, I(0x18)],
    expect: 'V005_LDDW_TRUNCATED',
    at: 1,
  },
  {
    name: `rejects ${BPF_MAX_SUBPROGS + 1} subprograms (V006)`,
    asm: fan(BPF_MAX_SUBPROGS),
    expect: 'V006_TOO_MANY_SUBPROGS',
    at: BPF_MAX_SUBPROGS - 1,
  },
  {
    name: `rejects a call chain of ${MAX_CALL_FRAMES + 1} frames (V007)`,
    asm: chain(MAX_CALL_FRAMES + 1),
    expect: 'V007_CALL_STACK_TOO_DEEP',
    at: 2 * (MAX_CALL_FRAMES - 1),
  },
  {
    name: `accepts a call chain of ${MAX_CALL_FRAMES} frames`,
    asm: chain(MAX_CALL_FRAMES),
    expect: 'accept',
  },
  {
    name: 'rejects a subprogram that calls itself (V008)',
    asm: 'call f\nexit\nf:\ncall f\nexit',
    expect: 'V008_RECURSIVE_CALL',
    at: 2,
  },
  {
    name: 'rejects code after the exit (V009)',
    asm: 'r0 = 0\nexit\nr0 = 1\nexit',
    expect: 'V009_UNREACHABLE_INSN',
    at: 2,
  },
  {
    name: 'rejects a jump into the second slot of an lddw (V010)',
    asm: 'r0 = 0\nif r0 == 0 goto +1\nr2 = 0 ll\nexit',
    expect: 'V010_JUMP_INTO_LDDW',
    at: 1,
  },
];

export const INSN_CASES: readonly AsmCase[] = [
  // V012: instructions a verified program may not use
  {
    name: 'rejects legacy BPF_ABS packet access (V012)',
    asm: 'r6 = r1\nr0 = *(u8 *)skb[0]\nr0 = 0\nexit',
    expect: 'V012_BAD_INSN',
    at: 1,
  },
  {
    name: 'rejects legacy BPF_IND packet access (V012)',
    asm: 'r6 = r1\nr2 = 0\nr0 = *(u32 *)skb[r2]\nr0 = 0\nexit',
    expect: 'V012_BAD_INSN',
    at: 2,
  },
  { name: 'rejects callx (V012)', asm: 'r2 = 0\ncallx r2\nr0 = 0\nexit', expect: 'V012_BAD_INSN', at: 1 },
  {
    name: 'rejects a kfunc call (V012)',
    asm: [MOV0, I(0x85, 0, 2, 0, 1), MOV0, EXIT],
    expect: 'V012_BAD_INSN',
    at: 1,
  },
  {
    name: 'rejects an undefined ALU opcode (V012)',
    asm: [MOV0, I(0xe7), EXIT],
    expect: 'V012_BAD_INSN',
    at: 1,
  },
  {
    name: 'rejects a mov with a non-zero reserved src field (V012)',
    asm: [MOV0, I(0xb7, 0, 3), EXIT],
    expect: 'V012_BAD_INSN',
    at: 1,
  },
  // V013: lddw pseudo sources
  {
    name: 'rejects an lddw with pseudo source BPF_PSEUDO_BTF_ID, which names no map (V013)',
    asm: 'r0 = 0\nld_pseudo r1, 3, 0\nexit',
    expect: 'V013_BAD_LDDW',
    at: 1,
  },
  {
    name: 'rejects an lddw with pseudo source BPF_PSEUDO_MAP_IDX left unresolved by a loader (V013)',
    asm: 'r0 = 0\nld_pseudo r1, 5, 0\nexit',
    expect: 'V013_BAD_LDDW',
    at: 1,
  },
  {
    name: 'rejects an lddw naming a map id that does not exist (V013)',
    asm: 'r0 = 0\nr1 = map[#99] ll\nexit',
    expect: 'V013_BAD_LDDW',
    at: 1,
  },
  {
    name: 'rejects a map value lddw naming a map id that does not exist (V013)',
    asm: 'r0 = 0\nr1 = map_value[#99] ll\nexit',
    expect: 'V013_BAD_LDDW',
    at: 1,
  },
  {
    name: 'accepts an lddw of a plain 64-bit constant',
    asm: 'r1 = 0x123456789abcdef ll\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts an lddw of a map that is never used',
    asm: 'r1 = map[hash] ll\nr0 = 0\nexit',
    expect: 'accept',
  },
  // V014: division by the constant 0
  {
    name: 'rejects a 64-bit div by the immediate 0 (V014)',
    asm: 'r0 = 5\nr0 /= 0\nr0 = 0\nexit',
    expect: 'V014_DIV_BY_ZERO',
    at: 1,
  },
  {
    name: 'rejects a 32-bit mod by the immediate 0 (V014)',
    asm: 'w0 = 5\nw0 %= 0\nr0 = 0\nexit',
    expect: 'V014_DIV_BY_ZERO',
    at: 1,
  },
  {
    name: 'rejects a signed div by the immediate 0 (V014)',
    asm: 'r0 = 5\nr0 s/= 0\nr0 = 0\nexit',
    expect: 'V014_DIV_BY_ZERO',
    at: 1,
  },
  {
    name: 'accepts a div by a register that holds 0 (the ISA defines x/0 = 0)',
    asm: 'r2 = 0\nr3 = 5\nr3 /= r2\nr0 = 0\nexit',
    expect: 'accept',
  },
  { name: 'accepts a div by the immediate 1', asm: 'r3 = 7\nr3 /= 1\nr0 = 0\nexit', expect: 'accept' },
  // V015: shifts by the immediate width or more
  {
    name: 'rejects a 64-bit shift by 64 (V015)',
    asm: 'r0 = 1\nr0 <<= 64\nr0 = 0\nexit',
    expect: 'V015_BAD_SHIFT',
    at: 1,
  },
  {
    name: 'rejects a 32-bit shift by 32 (V015)',
    asm: 'w0 = 1\nw0 >>= 32\nr0 = 0\nexit',
    expect: 'V015_BAD_SHIFT',
    at: 1,
  },
  {
    name: 'rejects an arithmetic shift by 64 (V015)',
    asm: 'r0 = 1\nr0 s>>= 64\nr0 = 0\nexit',
    expect: 'V015_BAD_SHIFT',
    at: 1,
  },
  {
    name: 'accepts a 64-bit shift by 63 and a 32-bit shift by 31',
    asm: 'r0 = 0\nr0 <<= 63\nw0 >>= 31\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a shift by an unknown register amount',
    asm: 'r2 = *(u32 *)(r1 + 8)\nr3 = 1\nr3 <<= r2\nr0 = 0\nexit',
    expect: 'accept',
  },
];

export const REG_CASES: readonly AsmCase[] = [
  // V020: uninitialised registers
  {
    name: 'rejects exit with r0 never written (V020)',
    asm: 'exit',
    expect: 'V020_UNINIT_REG',
    at: 0,
    message: /R0/,
  },
  {
    name: 'rejects a read of r2 at entry (V020)',
    asm: 'r0 = r2\nr0 = 0\nexit',
    expect: 'V020_UNINIT_REG',
    at: 0,
    message: /R2/,
  },
  {
    name: 'rejects a read of r1 after a helper call clobbered it (V020)',
    asm: 'call 5\nr2 = *(u64 *)(r1 + 0)\nr0 = 0\nexit',
    expect: 'V020_UNINIT_REG',
    at: 1,
    message: /R1/,
  },
  {
    name: 'rejects a helper call whose key argument r2 was never written (V020)',
    asm: 'r1 = map[arr] ll\ncall 1\nr0 = 0\nexit',
    expect: 'V020_UNINIT_REG',
    at: 2,
  },
  {
    name: 'rejects a register written on only one path (V020)',
    asm: `
      r2 = *(u32 *)(r1 + 8)
      if r2 == 0 goto +1
      r3 = 1
      r0 = r3
      r0 = 0
      exit`,
    expect: 'V020_UNINIT_REG',
    at: 3,
  },
  {
    name: 'rejects exit right after tail_call, which returns void (V020)',
    asm: 'r2 = map[progs] ll\nr3 = 0\ncall 12\nexit',
    expect: 'V020_UNINIT_REG',
    at: 4,
  },
  {
    name: 'accepts r0 set after a tail_call that fell through',
    asm: 'r2 = map[progs] ll\nr3 = 0\ncall 12\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts r6-r9 kept across a helper call',
    asm: 'r6 = 0\nr7 = r1\ncall 5\nr0 = r6\nr1 = *(u64 *)(r7 + 0)\nexit',
    expect: 'accept',
  },
  // V021: r10 is read-only
  { name: 'rejects a mov into r10 (V021)', asm: 'r10 = 0\nr0 = 0\nexit', expect: 'V021_FP_READ_ONLY', at: 0 },
  {
    name: 'rejects an add to r10 (V021)',
    asm: 'r0 = 0\nr10 += -8\nexit',
    expect: 'V021_FP_READ_ONLY',
    at: 1,
  },
  {
    name: 'rejects a 32-bit mov into w10 (V021)',
    asm: 'w10 = 1\nr0 = 0\nexit',
    expect: 'V021_FP_READ_ONLY',
    at: 0,
  },
  {
    name: 'rejects a load into r10 (V021)',
    asm: 'r10 = *(u64 *)(r1 + 0)\nr0 = 0\nexit',
    expect: 'V021_FP_READ_ONLY',
    at: 0,
  },
];

export const PTR_ARITH_CASES: readonly AsmCase[] = [
  // V022: forbidden pointer arithmetic
  {
    name: 'rejects 32-bit arithmetic on a stack pointer (V022)',
    asm: 'r2 = r10\nw2 += -8\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 1,
    message: /R2/,
  },
  {
    name: 'rejects a bitwise and on a stack pointer (V022)',
    asm: 'r2 = r10\nr2 &= -8\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 1,
  },
  {
    name: 'rejects a bitwise or on the ctx pointer (V022)',
    asm: 'r1 |= 1\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 0,
  },
  {
    name: 'rejects negating a stack pointer (V022)',
    asm: 'r2 = r10\nr2 = -r2\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 1,
  },
  {
    name: 'rejects multiplying a stack pointer (V022)',
    asm: 'r2 = r10\nr2 *= 2\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 1,
  },
  {
    name: 'rejects arithmetic on a map pointer (V022)',
    asm: 'r1 = map[arr] ll\nr1 += 8\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 2,
  },
  {
    name: "rejects arithmetic on map_lookup_elem's result before the NULL check (V022)",
    asm: `${LOOKUP_ARR}
      r0 += 8
      r0 = 0
      exit`,
    expect: 'V022_PTR_ARITH',
    at: 6,
  },
  {
    name: "accepts arithmetic on map_lookup_elem's result after the NULL check",
    asm: `${LOOKUP_ARR_CHECKED}
      r0 += 8
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects a 32-bit mov of a pointer (V022)',
    asm: 'w2 = w10\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 0,
  },
  {
    name: 'rejects adding two pointers (V022)',
    asm: 'r2 = r10\nr2 += r1\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 1,
  },
  {
    name: 'rejects subtracting pointers of different kinds (V022)',
    asm: 'r2 = r10\nr2 -= r1\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 1,
  },
  {
    name: 'rejects subtracting a pointer from a scalar (V022)',
    asm: 'r2 = 8\nr2 -= r10\nr0 = 0\nexit',
    expect: 'V022_PTR_ARITH',
    at: 1,
  },
  {
    name: 'accepts subtracting two stack pointers (the difference is a scalar)',
    asm: 'r2 = r10\nr2 += -8\nr3 = r10\nr3 -= r2\n*(u64 *)(r1 + 0) = r3\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts moving the ctx pointer by a constant without accessing through it',
    asm: 'r2 = r1\nr2 += 8\nr0 = 0\nexit',
    expect: 'accept',
  },
  // V023: pointer arithmetic beyond what can be proven safe
  {
    name: 'rejects moving the stack pointer by 2^29 (V023)',
    asm: 'r2 = r10\nr2 += 0x20000000\nr0 = 0\nexit',
    expect: 'V023_PTR_OUT_OF_BOUNDS',
    at: 1,
  },
  {
    name: 'rejects moving a map value pointer by -2^29 (V023)',
    asm: `${LOOKUP_ARR_CHECKED}
      r0 += -0x20000000
      ${OUT}`,
    expect: 'V023_PTR_OUT_OF_BOUNDS',
    at: 7,
  },
  {
    name: 'rejects adding an unbounded 64-bit scalar to a map value pointer, before any access (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u64 *)(r0 + 0)
      r0 += r1
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 8,
  },
];

export const SCALAR_CASES: readonly AsmCase[] = [
  {
    name: 'accepts a 32-bit add that wraps to 0 (w0 = -1; w0 += 1)',
    asm: 'w0 = -1\nw0 += 1\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a 64-bit add where the 32-bit one would wrap to 0 (V070)',
    asm: 'w0 = -1\nr0 += 1\nexit',
    expect: 'V070_BAD_RETURN',
    at: 2,
  },
  {
    name: 'accepts w2 = -1 as zero-extended 0xffffffff (r2 + 1 == 1 << 32)',
    asm: 'w2 = -1\nr2 += 1\nr2 >>= 32\nr2 -= 1\nr0 = r2\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects r2 = -1 in the same computation, which ends at -1 (V070)',
    asm: 'r2 = -1\nr2 += 1\nr2 >>= 32\nr2 -= 1\nr0 = r2\nexit',
    expect: 'V070_BAD_RETURN',
    at: 5,
  },
  {
    name: 'accepts a u32 load shifted right by 32 as exactly 0',
    asm: 'r0 = *(u32 *)(r1 + 8)\nr0 >>= 32\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects a u64 load shifted right by 32 as r0 (V070)',
    asm: 'r0 = *(u64 *)(r1 + 8)\nr0 >>= 32\nexit',
    expect: 'V070_BAD_RETURN',
    at: 2,
  },
  {
    name: 'accepts an unknown value and-ed with 0',
    asm: 'r0 = *(u64 *)(r1 + 0)\nr0 &= 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts w0 = w2 on the edge where jmp32 proved w2 == 0',
    asm: 'r2 = *(u64 *)(r1 + 0)\nr0 = 0\nif w2 != 0 goto +1\nw0 = w2\nexit',
    expect: 'accept',
  },
  {
    name: 'rejects r0 = r2 on that edge: jmp32 says nothing of the upper half (V070)',
    asm: 'r2 = *(u64 *)(r1 + 0)\nr0 = 0\nif w2 != 0 goto +1\nr0 = r2\nexit',
    expect: 'V070_BAD_RETURN',
    at: 4,
  },
  {
    name: 'accepts a 64-bit compare proving a value 0 on one edge',
    asm: 'r0 = *(u32 *)(r1 + 8)\nif r0 != 0 goto +1\nexit\nr0 = 0\nexit',
    expect: 'accept',
  },
  {
    name: 'accepts a signed range [-4, -1] plus 4 and-ed with 0x10 as 0',
    asm: `
      r0 = *(u32 *)(r1 + 8)
      r0 <<= 32
      r0 s>>= 32
      if r0 s> -1 goto out
      if r0 s< -4 goto out
      r0 += 4
      r0 &= 0x10
      exit
    out:
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a jmp32 signed range [-4, -1] plus 4 and-ed with 0x10 as 0',
    asm: `
      r0 = *(u32 *)(r1 + 8)
      if w0 s> -1 goto out
      if w0 s< -4 goto out
      w0 += 4
      w0 &= 0x10
      exit
    out:
      r0 = 0
      exit`,
    expect: 'accept',
  },
  {
    name: 'accepts a zero-extended index bounded by jmp32 into a map value',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u64 *)(r0 + 0)
      w1 = w1
      if w1 > 5 goto out
      r1 <<= 3
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects the index when its upper half was not zero-extended (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u64 *)(r0 + 0)
      r1 >>= 1
      if w1 > 5 goto out
      r0 += r1
      r2 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 11,
  },
  {
    name: 'accepts a bound learnt on r1 applying to its copy r2',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r2 = r1
      if r1 > 3 goto out
      r2 <<= 3
      r0 += r2
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects the same index when r2 is a second load, not a copy (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r2 = *(u32 *)(r0 + 4)
      if r1 > 3 goto out
      r2 <<= 3
      r0 += r2
      r1 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 12,
  },
  {
    name: 'rejects an index whose copy was bounded only after being shifted (r1 >>= 4 breaks the link) (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u32 *)(r0 + 0)
      r2 = r1
      r1 >>= 4
      if r1 > 2 goto out
      r2 <<= 3
      r0 += r2
      r3 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 13,
  },
  {
    name: 'accepts a u32 index bounded by a jmp32 compare (the load zero-extends it)',
    asm: `${LOOKUP_ARR_CHECKED}
      w1 = *(u32 *)(r0 + 0)
      if w1 >= 6 goto out
      r1 <<= 3
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a 64-bit index kept in [0, 5] by two signed compares',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(u64 *)(r0 + 0)
      if r1 s< 0 goto out
      if r1 s> 5 goto out
      r1 <<= 3
      r0 += r1
      r2 = *(u64 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'accepts a sign-extended byte index kept in [0, 40]',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(s8 *)(r0 + 0)
      if r1 s< 0 goto out
      if r1 s> 40 goto out
      r0 += r1
      r2 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'accept',
  },
  {
    name: 'rejects the sign-extended byte index kept only in [-1, 40] (V037)',
    asm: `${LOOKUP_ARR_CHECKED}
      r1 = *(s8 *)(r0 + 0)
      if r1 s< -1 goto out
      if r1 s> 40 goto out
      r0 += r1
      r2 = *(u8 *)(r0 + 0)
      ${OUT}`,
    expect: 'V037_VAR_OFF_UNBOUNDED',
    at: 11,
  },
  {
    name: 'accepts any r0 at exit for a program type without a return range',
    asm: 'r0 = *(u64 *)(r1 + 0)\nexit',
    expect: 'accept',
    progType: ANY_RET_PROG_TYPE,
  },
];
