/**
 * The interpreter's run loop over a pre-decoded program (interp-decode.ts).
 *
 * Registers r0-r10 are two Int32Arrays of halves: L (low 32 bits) and H (high 32 bits). An ALU32
 * result writes H = 0 (zero extension); 64-bit arithmetic goes through interp-alu64.ts. Nothing is
 * allocated per executed instruction: the loop reads four int32 words per slot and dispatches on the
 * operation number with a switch whose cases are numeric literals (V8 builds a jump table only for
 * those); each label carries the name from interp-ops.ts, and a test checks that they agree.
 *
 * Memory: every load, store and atomic asks the RegionAccess whether its exact bytes lie in one
 * permitted region (the stack frames, the regions of the run, the regions helpers grant); anything
 * else is a BpfFault 'E_FAULT_MEM'. A register whose high half is not zero is never an address.
 * Loads and stores may be unaligned (the kernel allows it to privileged programs on x86-64; the
 * verifier, not the interpreter, is where stricter rules belong); atomics must be naturally aligned
 * (the kernel requires it for every program), else 'E_FAULT_ALIGN'.
 *
 * Calls: `call imm` (src 0) and callx call helpers; `call` src 1 enters a bpf2bpf frame: r6-r9 are
 * saved and restored by the matching exit, r10 points at the top of the new frame's 512 bytes, and
 * more than MAX_CALL_FRAMES frames is 'E_STACK_OVERFLOW'. callx takes the helper id from its register
 * (dst), the convention of bpf_conformance (callx.data), PREVAIL and eBPF for Windows.
 *
 * may_goto: as the kernel's (non-timed) rewrite, each frame has a counter set to BPF_MAX_LOOPS (8M)
 * when the frame is entered (program start, each bpf2bpf call); a may_goto falls through and
 * decrements it while it is not zero, and jumps once it is.
 */
import type { RegionAccess } from '../mem/regions.js';
import { RMW_CMPXCHG } from '../mem/regions.js';
import { MAX_BPF_STACK, MAX_CALL_FRAMES } from '../uapi/bpf.js';
import { BpfFault } from './faults.js';
import type { HelperDef, HelperEnv } from './helpers.js';
import {
  add64,
  arsh64,
  bswap16,
  bswap32,
  lsh64,
  mul64,
  neg64,
  rsh64,
  sdiv64,
  smod64,
  sub64,
  udiv64,
  umod64,
} from './interp-alu64.js';
import type { DecodedProgram } from './interp-decode.js';

/**
 * may_goto iterations per frame: the kernel's BPF_MAX_LOOPS (include/linux/bpf.h, 8 * 1024 * 1024).
 * Not a UAPI constant, so src/uapi/bpf.ts does not have it yet; this local value stands in for it.
 */
export const MAY_GOTO_LOOPS = 8 * 1024 * 1024;

/** Saved state per caller frame: r6-r9 (lo, hi), return slot, may_goto counter. */
const FRAME_WORDS = 10;

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;
const hex64 = (lo: number, hi: number): string =>
  `0x${((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16)}`;

/** The register file and scratch of a run, reused from run to run. */
export class Machine {
  /** Low and high halves of r0-r10. */
  readonly L = new Int32Array(11);
  readonly H = new Int32Array(11);
  /** Results of the 64-bit helpers. */
  readonly T = new Int32Array(2);
  /** Saved state of the caller frames. */
  readonly F = new Int32Array(MAX_CALL_FRAMES * FRAME_WORDS);
  /** In use by a run (a nested run takes another Machine). */
  busy = false;
}

/**
 * Run a decoded program until its outermost exit. On entry m.L/m.H hold r0-r10 (r10 = top of frame
 * 0 = stackTop); on return r0 is in L[0]/H[0] and the result is the number of instructions executed.
 * Each frame's 512 bytes are zeroed when the frame is entered. Throws BpfFault (with `executed` set)
 * on any fault, including more than `limit` instructions.
 */
export function runLoop(
  prog: DecodedProgram,
  m: Machine,
  acc: RegionAccess,
  env: HelperEnv,
  stackTop: number,
  limit: number,
): number {
  const C = prog.code;
  const helpers = prog.helpers;
  const { L, H, T, F } = m;
  acc.zero(stackTop - MAX_BPF_STACK, MAX_BPF_STACK);
  let pc = 0;
  let n = 0;
  let depth = 0;
  let mg = MAY_GOTO_LOOPS;
  for (;;) {
    if (n >= limit) throw budgetFault(pc, n, limit);
    n++;
    const p = pc << 2;
    const w = C[p]!;
    const d = (w >> 8) & 15;
    pc++;
    switch (w & 0xff) {
      /* ------------------------------------------------------------ ALU64 */
      case /* OP_ADD64_K */ 2: {
        const b = C[p + 2]!;
        add64(L[d]!, H[d]!, b, b >> 31, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_ADD64_X */ 3: {
        const s = w >>> 12;
        add64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SUB64_K */ 4: {
        const b = C[p + 2]!;
        sub64(L[d]!, H[d]!, b, b >> 31, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SUB64_X */ 5: {
        const s = w >>> 12;
        sub64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_MUL64_K */ 6: {
        const b = C[p + 2]!;
        mul64(L[d]!, H[d]!, b, b >> 31, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_MUL64_X */ 7: {
        const s = w >>> 12;
        mul64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_DIV64_K */ 8: {
        const b = C[p + 2]!;
        udiv64(L[d]!, H[d]!, b, b >> 31, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_DIV64_X */ 9: {
        const s = w >>> 12;
        udiv64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SDIV64_K */ 10: {
        const b = C[p + 2]!;
        sdiv64(L[d]!, H[d]!, b, b >> 31, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SDIV64_X */ 11: {
        const s = w >>> 12;
        sdiv64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_OR64_K */ 12: {
        const b = C[p + 2]!;
        L[d] = L[d]! | b;
        H[d] = H[d]! | (b >> 31);
        break;
      }
      case /* OP_OR64_X */ 13: {
        const s = w >>> 12;
        L[d] = L[d]! | L[s]!;
        H[d] = H[d]! | H[s]!;
        break;
      }
      case /* OP_AND64_K */ 14: {
        const b = C[p + 2]!;
        L[d] = L[d]! & b;
        H[d] = H[d]! & (b >> 31);
        break;
      }
      case /* OP_AND64_X */ 15: {
        const s = w >>> 12;
        L[d] = L[d]! & L[s]!;
        H[d] = H[d]! & H[s]!;
        break;
      }
      case /* OP_LSH64_K */ 16:
        lsh64(L[d]!, H[d]!, C[p + 2]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_LSH64_X */ 17:
        lsh64(L[d]!, H[d]!, L[w >>> 12]! & 63, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_RSH64_K */ 18:
        rsh64(L[d]!, H[d]!, C[p + 2]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_RSH64_X */ 19:
        rsh64(L[d]!, H[d]!, L[w >>> 12]! & 63, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_NEG64 */ 20:
        neg64(L[d]!, H[d]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_MOD64_K */ 21: {
        const b = C[p + 2]!;
        umod64(L[d]!, H[d]!, b, b >> 31, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_MOD64_X */ 22: {
        const s = w >>> 12;
        umod64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SMOD64_K */ 23: {
        const b = C[p + 2]!;
        smod64(L[d]!, H[d]!, b, b >> 31, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SMOD64_X */ 24: {
        const s = w >>> 12;
        smod64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_XOR64_K */ 25: {
        const b = C[p + 2]!;
        L[d] = L[d]! ^ b;
        H[d] = H[d]! ^ (b >> 31);
        break;
      }
      case /* OP_XOR64_X */ 26: {
        const s = w >>> 12;
        L[d] = L[d]! ^ L[s]!;
        H[d] = H[d]! ^ H[s]!;
        break;
      }
      case /* OP_MOV64_K */ 27: {
        const b = C[p + 2]!;
        L[d] = b;
        H[d] = b >> 31;
        break;
      }
      case /* OP_MOV64_X */ 28: {
        const s = w >>> 12;
        L[d] = L[s]!;
        H[d] = H[s]!;
        break;
      }
      case /* OP_MOVSX64_8 */ 29: {
        const v = (L[w >>> 12]! << 24) >> 24;
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_MOVSX64_16 */ 30: {
        const v = (L[w >>> 12]! << 16) >> 16;
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_MOVSX64_32 */ 31: {
        const v = L[w >>> 12]!;
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_ARSH64_K */ 32:
        arsh64(L[d]!, H[d]!, C[p + 2]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_ARSH64_X */ 33:
        arsh64(L[d]!, H[d]!, L[w >>> 12]! & 63, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_BSWAP16 */ 34:
        L[d] = bswap16(L[d]!);
        H[d] = 0;
        break;
      case /* OP_BSWAP32 */ 35:
        L[d] = bswap32(L[d]!);
        H[d] = 0;
        break;
      case /* OP_BSWAP64 */ 36: {
        const lo = L[d]!;
        L[d] = bswap32(H[d]!);
        H[d] = bswap32(lo);
        break;
      }

      /* ------------------------------------------------------------ ALU32 (every result zero-extends) */
      case /* OP_ADD32_K */ 37:
        L[d] = (L[d]! + C[p + 2]!) | 0;
        H[d] = 0;
        break;
      case /* OP_ADD32_X */ 38:
        L[d] = (L[d]! + L[w >>> 12]!) | 0;
        H[d] = 0;
        break;
      case /* OP_SUB32_K */ 39:
        L[d] = (L[d]! - C[p + 2]!) | 0;
        H[d] = 0;
        break;
      case /* OP_SUB32_X */ 40:
        L[d] = (L[d]! - L[w >>> 12]!) | 0;
        H[d] = 0;
        break;
      case /* OP_MUL32_K */ 41:
        L[d] = Math.imul(L[d]!, C[p + 2]!);
        H[d] = 0;
        break;
      case /* OP_MUL32_X */ 42:
        L[d] = Math.imul(L[d]!, L[w >>> 12]!);
        H[d] = 0;
        break;
      case /* OP_DIV32_K */ 43: {
        // The u32 quotient of two u32 values is exact in a double; the store truncates it.
        const b = C[p + 2]! >>> 0;
        L[d] = b === 0 ? 0 : (L[d]! >>> 0) / b;
        H[d] = 0;
        break;
      }
      case /* OP_DIV32_X */ 44: {
        const b = L[w >>> 12]! >>> 0;
        L[d] = b === 0 ? 0 : (L[d]! >>> 0) / b;
        H[d] = 0;
        break;
      }
      case /* OP_SDIV32_K */ 45: {
        // Truncation toward zero by the int32 store; INT32_MIN / -1 = 2^31 wraps to INT32_MIN.
        const b = C[p + 2]!;
        L[d] = b === 0 ? 0 : L[d]! / b;
        H[d] = 0;
        break;
      }
      case /* OP_SDIV32_X */ 46: {
        const b = L[w >>> 12]!;
        L[d] = b === 0 ? 0 : L[d]! / b;
        H[d] = 0;
        break;
      }
      case /* OP_OR32_K */ 47:
        L[d] = L[d]! | C[p + 2]!;
        H[d] = 0;
        break;
      case /* OP_OR32_X */ 48:
        L[d] = L[d]! | L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_AND32_K */ 49:
        L[d] = L[d]! & C[p + 2]!;
        H[d] = 0;
        break;
      case /* OP_AND32_X */ 50:
        L[d] = L[d]! & L[w >>> 12]!;
        H[d] = 0;
        break;
      // JS shifts use the count modulo 32: the BPF mask for 32-bit shifts.
      case /* OP_LSH32_K */ 51:
        L[d] = L[d]! << C[p + 2]!;
        H[d] = 0;
        break;
      case /* OP_LSH32_X */ 52:
        L[d] = L[d]! << L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_RSH32_K */ 53:
        L[d] = L[d]! >>> C[p + 2]!;
        H[d] = 0;
        break;
      case /* OP_RSH32_X */ 54:
        L[d] = L[d]! >>> L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_NEG32 */ 55:
        L[d] = -L[d]! | 0;
        H[d] = 0;
        break;
      case /* OP_MOD32_K */ 56: {
        const b = C[p + 2]! >>> 0;
        if (b !== 0) L[d] = (L[d]! >>> 0) % b;
        H[d] = 0;
        break;
      }
      case /* OP_MOD32_X */ 57: {
        const b = L[w >>> 12]! >>> 0;
        if (b !== 0) L[d] = (L[d]! >>> 0) % b;
        H[d] = 0;
        break;
      }
      case /* OP_SMOD32_K */ 58: {
        // INT32_MIN % -1 is -0 in JS: stored as 0.
        const b = C[p + 2]!;
        if (b !== 0) L[d] = L[d]! % b;
        H[d] = 0;
        break;
      }
      case /* OP_SMOD32_X */ 59: {
        const b = L[w >>> 12]!;
        if (b !== 0) L[d] = L[d]! % b;
        H[d] = 0;
        break;
      }
      case /* OP_XOR32_K */ 60:
        L[d] = L[d]! ^ C[p + 2]!;
        H[d] = 0;
        break;
      case /* OP_XOR32_X */ 61:
        L[d] = L[d]! ^ L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_MOV32_K */ 62:
        L[d] = C[p + 2]!;
        H[d] = 0;
        break;
      case /* OP_MOV32_X */ 63:
        L[d] = L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_MOVSX32_8 */ 64:
        L[d] = (L[w >>> 12]! << 24) >> 24;
        H[d] = 0;
        break;
      case /* OP_MOVSX32_16 */ 65:
        L[d] = (L[w >>> 12]! << 16) >> 16;
        H[d] = 0;
        break;
      case /* OP_ARSH32_K */ 66:
        L[d] = L[d]! >> C[p + 2]!;
        H[d] = 0;
        break;
      case /* OP_ARSH32_X */ 67:
        L[d] = L[d]! >> L[w >>> 12]!;
        H[d] = 0;
        break;
      // Byte order: this host is little-endian like the guest, so le* only truncate and be* swap.
      case /* OP_LE16 */ 68:
        L[d] = L[d]! & 0xffff;
        H[d] = 0;
        break;
      case /* OP_LE32 */ 69:
        H[d] = 0;
        break;
      case /* OP_LE64 */ 70:
        break;
      case /* OP_BE16 */ 71:
        L[d] = bswap16(L[d]!);
        H[d] = 0;
        break;
      case /* OP_BE32 */ 72:
        L[d] = bswap32(L[d]!);
        H[d] = 0;
        break;
      case /* OP_BE64 */ 73: {
        const lo = L[d]!;
        L[d] = bswap32(H[d]!);
        H[d] = bswap32(lo);
        break;
      }

      /* ------------------------------------------------------------ JMP: 64-bit compares, hi then lo */
      case /* OP_JA */ 74:
        pc = C[p + 1]!;
        break;
      case /* OP_JEQ64_K */ 75: {
        const b = C[p + 2]!;
        if (L[d] === b && H[d] === b >> 31) pc = C[p + 1]!;
        break;
      }
      case /* OP_JEQ64_X */ 76: {
        const s = w >>> 12;
        if (L[d] === L[s] && H[d] === H[s]) pc = C[p + 1]!;
        break;
      }
      case /* OP_JNE64_K */ 83: {
        const b = C[p + 2]!;
        if (L[d] !== b || H[d] !== b >> 31) pc = C[p + 1]!;
        break;
      }
      case /* OP_JNE64_X */ 84: {
        const s = w >>> 12;
        if (L[d] !== L[s] || H[d] !== H[s]) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSET64_K */ 81: {
        const b = C[p + 2]!;
        if ((L[d]! & b) !== 0 || (H[d]! & (b >> 31)) !== 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSET64_X */ 82: {
        const s = w >>> 12;
        if ((L[d]! & L[s]!) !== 0 || (H[d]! & H[s]!) !== 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JGT64_K */ 77: {
        const b = C[p + 2]!;
        const ah = H[d]!;
        const bh = b >> 31;
        if (ah === bh ? L[d]! >>> 0 > b >>> 0 : ah >>> 0 > bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JGT64_X */ 78: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 > L[s]! >>> 0 : ah >>> 0 > bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JGE64_K */ 79: {
        const b = C[p + 2]!;
        const ah = H[d]!;
        const bh = b >> 31;
        if (ah === bh ? L[d]! >>> 0 >= b >>> 0 : ah >>> 0 > bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JGE64_X */ 80: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 >= L[s]! >>> 0 : ah >>> 0 > bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JLT64_K */ 89: {
        const b = C[p + 2]!;
        const ah = H[d]!;
        const bh = b >> 31;
        if (ah === bh ? L[d]! >>> 0 < b >>> 0 : ah >>> 0 < bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JLT64_X */ 90: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 < L[s]! >>> 0 : ah >>> 0 < bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JLE64_K */ 91: {
        const b = C[p + 2]!;
        const ah = H[d]!;
        const bh = b >> 31;
        if (ah === bh ? L[d]! >>> 0 <= b >>> 0 : ah >>> 0 < bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JLE64_X */ 92: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 <= L[s]! >>> 0 : ah >>> 0 < bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSGT64_K */ 85: {
        const b = C[p + 2]!;
        const ah = H[d]!;
        const bh = b >> 31;
        if (ah === bh ? L[d]! >>> 0 > b >>> 0 : ah > bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSGT64_X */ 86: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 > L[s]! >>> 0 : ah > bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSGE64_K */ 87: {
        const b = C[p + 2]!;
        const ah = H[d]!;
        const bh = b >> 31;
        if (ah === bh ? L[d]! >>> 0 >= b >>> 0 : ah > bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSGE64_X */ 88: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 >= L[s]! >>> 0 : ah > bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSLT64_K */ 93: {
        const b = C[p + 2]!;
        const ah = H[d]!;
        const bh = b >> 31;
        if (ah === bh ? L[d]! >>> 0 < b >>> 0 : ah < bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSLT64_X */ 94: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 < L[s]! >>> 0 : ah < bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSLE64_K */ 95: {
        const b = C[p + 2]!;
        const ah = H[d]!;
        const bh = b >> 31;
        if (ah === bh ? L[d]! >>> 0 <= b >>> 0 : ah < bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSLE64_X */ 96: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 <= L[s]! >>> 0 : ah < bh) pc = C[p + 1]!;
        break;
      }

      /* ------------------------------------------------------------ calls, exit, may_goto */
      case /* OP_CALL */ 97:
        callHelper(helpers[C[p + 1]!]!, L, H, env, pc - 1, n);
        break;
      case /* OP_CALLX */ 99: {
        if (H[d] !== 0 || L[d]! < 0) {
          throw fault(
            'E_FAULT_CALL',
            pc - 1,
            n,
            `callx r${d}: expected a helper id (0 to 0x7fffffff), found ${hex64(L[d]!, H[d]!)}`,
          );
        }
        const def = prog.helperById.get(L[d]!);
        if (def === undefined) {
          throw fault('E_HELPER_UNKNOWN', pc - 1, n, `callx r${d}: no helper ${L[d]} is registered`);
        }
        callHelper(def, L, H, env, pc - 1, n);
        break;
      }
      case /* OP_CALL_LOCAL */ 98: {
        if (depth + 1 >= MAX_CALL_FRAMES) {
          throw fault(
            'E_STACK_OVERFLOW',
            pc - 1,
            n,
            `call to slot ${C[p + 1]} would enter frame ${depth + 2}: at most ${MAX_CALL_FRAMES} frames`,
          );
        }
        const f = depth * FRAME_WORDS;
        F[f] = L[6]!;
        F[f + 1] = H[6]!;
        F[f + 2] = L[7]!;
        F[f + 3] = H[7]!;
        F[f + 4] = L[8]!;
        F[f + 5] = H[8]!;
        F[f + 6] = L[9]!;
        F[f + 7] = H[9]!;
        F[f + 8] = pc;
        F[f + 9] = mg;
        depth++;
        mg = MAY_GOTO_LOOPS;
        const fp = stackTop - depth * MAX_BPF_STACK;
        acc.zero(fp - MAX_BPF_STACK, MAX_BPF_STACK);
        L[10] = fp;
        H[10] = 0;
        pc = C[p + 1]!;
        break;
      }
      case /* OP_EXIT */ 100: {
        if (depth === 0) return n;
        depth--;
        const f = depth * FRAME_WORDS;
        L[6] = F[f]!;
        H[6] = F[f + 1]!;
        L[7] = F[f + 2]!;
        H[7] = F[f + 3]!;
        L[8] = F[f + 4]!;
        H[8] = F[f + 5]!;
        L[9] = F[f + 6]!;
        H[9] = F[f + 7]!;
        pc = F[f + 8]!;
        mg = F[f + 9]!;
        L[10] = stackTop - depth * MAX_BPF_STACK;
        H[10] = 0;
        break;
      }
      case /* OP_MAY_GOTO */ 101:
        if (mg === 0) pc = C[p + 1]!;
        else mg--;
        break;

      /* ------------------------------------------------------------ JMP32: compares of the low halves */
      case /* OP_JEQ32_K */ 102:
        if (L[d] === C[p + 2]) pc = C[p + 1]!;
        break;
      case /* OP_JEQ32_X */ 103:
        if (L[d] === L[w >>> 12]) pc = C[p + 1]!;
        break;
      case /* OP_JNE32_K */ 110:
        if (L[d] !== C[p + 2]) pc = C[p + 1]!;
        break;
      case /* OP_JNE32_X */ 111:
        if (L[d] !== L[w >>> 12]) pc = C[p + 1]!;
        break;
      case /* OP_JSET32_K */ 108:
        if ((L[d]! & C[p + 2]!) !== 0) pc = C[p + 1]!;
        break;
      case /* OP_JSET32_X */ 109:
        if ((L[d]! & L[w >>> 12]!) !== 0) pc = C[p + 1]!;
        break;
      case /* OP_JGT32_K */ 104:
        if (L[d]! >>> 0 > C[p + 2]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JGT32_X */ 105:
        if (L[d]! >>> 0 > L[w >>> 12]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JGE32_K */ 106:
        if (L[d]! >>> 0 >= C[p + 2]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JGE32_X */ 107:
        if (L[d]! >>> 0 >= L[w >>> 12]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JLT32_K */ 116:
        if (L[d]! >>> 0 < C[p + 2]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JLT32_X */ 117:
        if (L[d]! >>> 0 < L[w >>> 12]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JLE32_K */ 118:
        if (L[d]! >>> 0 <= C[p + 2]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JLE32_X */ 119:
        if (L[d]! >>> 0 <= L[w >>> 12]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JSGT32_K */ 112:
        if (L[d]! > C[p + 2]!) pc = C[p + 1]!;
        break;
      case /* OP_JSGT32_X */ 113:
        if (L[d]! > L[w >>> 12]!) pc = C[p + 1]!;
        break;
      case /* OP_JSGE32_K */ 114:
        if (L[d]! >= C[p + 2]!) pc = C[p + 1]!;
        break;
      case /* OP_JSGE32_X */ 115:
        if (L[d]! >= L[w >>> 12]!) pc = C[p + 1]!;
        break;
      case /* OP_JSLT32_K */ 120:
        if (L[d]! < C[p + 2]!) pc = C[p + 1]!;
        break;
      case /* OP_JSLT32_X */ 121:
        if (L[d]! < L[w >>> 12]!) pc = C[p + 1]!;
        break;
      case /* OP_JSLE32_K */ 122:
        if (L[d]! <= C[p + 2]!) pc = C[p + 1]!;
        break;
      case /* OP_JSLE32_X */ 123:
        if (L[d]! <= L[w >>> 12]!) pc = C[p + 1]!;
        break;

      /* ------------------------------------------------------------ loads: [src + off] */
      case /* OP_LDDW */ 124:
        L[d] = C[p + 2]!;
        H[d] = C[p + 3]!;
        pc++;
        break;
      case /* OP_LDXB */ 125: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 1)) throw memFault('load', 1, s, C[p + 1]!, L, H, acc, pc - 1, n);
        L[d] = acc.u8(a);
        H[d] = 0;
        break;
      }
      case /* OP_LDXH */ 126: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 2)) throw memFault('load', 2, s, C[p + 1]!, L, H, acc, pc - 1, n);
        L[d] = acc.u16(a);
        H[d] = 0;
        break;
      }
      case /* OP_LDXW */ 127: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 4)) throw memFault('load', 4, s, C[p + 1]!, L, H, acc, pc - 1, n);
        L[d] = acc.i32(a);
        H[d] = 0;
        break;
      }
      case /* OP_LDXDW */ 128: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 8)) throw memFault('load', 8, s, C[p + 1]!, L, H, acc, pc - 1, n);
        L[d] = acc.i32(a);
        H[d] = acc.i32(a + 4);
        break;
      }
      case /* OP_LDXSB */ 129: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 1)) throw memFault('load', 1, s, C[p + 1]!, L, H, acc, pc - 1, n);
        const v = acc.i8(a);
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_LDXSH */ 130: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 2)) throw memFault('load', 2, s, C[p + 1]!, L, H, acc, pc - 1, n);
        const v = acc.i16(a);
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_LDXSW */ 131: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 4)) throw memFault('load', 4, s, C[p + 1]!, L, H, acc, pc - 1, n);
        const v = acc.i32(a);
        L[d] = v;
        H[d] = v >> 31;
        break;
      }

      /* ------------------------------------------------------------ stores: [dst + off] */
      case /* OP_STB */ 132: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 1)) throw memFault('store', 1, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set8(a, C[p + 2]!);
        break;
      }
      case /* OP_STH */ 133: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 2)) throw memFault('store', 2, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set16(a, C[p + 2]!);
        break;
      }
      case /* OP_STW */ 134: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 4)) throw memFault('store', 4, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set32(a, C[p + 2]!);
        break;
      }
      case /* OP_STDW */ 135: {
        // The s32 imm is sign-extended to 64 bits.
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 8)) throw memFault('store', 8, d, C[p + 1]!, L, H, acc, pc - 1, n);
        const v = C[p + 2]!;
        acc.set32(a, v);
        acc.set32(a + 4, v >> 31);
        break;
      }
      case /* OP_STXB */ 136: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 1)) throw memFault('store', 1, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set8(a, L[w >>> 12]!);
        break;
      }
      case /* OP_STXH */ 137: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 2)) throw memFault('store', 2, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set16(a, L[w >>> 12]!);
        break;
      }
      case /* OP_STXW */ 138: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 4)) throw memFault('store', 4, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set32(a, L[w >>> 12]!);
        break;
      }
      case /* OP_STXDW */ 139: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 8)) throw memFault('store', 8, d, C[p + 1]!, L, H, acc, pc - 1, n);
        const s = w >>> 12;
        acc.set32(a, L[s]!);
        acc.set32(a + 4, H[s]!);
        break;
      }

      /* ------------------------------------------------------------ atomics: [dst + off] op= src */
      case /* OP_ATOMIC32 */ 140: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 4)) throw memFault('atomic', 4, d, C[p + 1]!, L, H, acc, pc - 1, n);
        if ((a & 3) !== 0) throw alignFault(4, a, pc - 1, n);
        const s = w >>> 12;
        const rmw = C[p + 2]!;
        const old = acc.atomic32(a, rmw, L[s]!, L[0]!);
        if (rmw === RMW_CMPXCHG) {
          L[0] = old;
          H[0] = 0;
        } else if (C[p + 3] === 1) {
          L[s] = old;
          H[s] = 0;
        }
        break;
      }
      case /* OP_ATOMIC64 */ 141: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 8)) throw memFault('atomic', 8, d, C[p + 1]!, L, H, acc, pc - 1, n);
        if ((a & 7) !== 0) throw alignFault(8, a, pc - 1, n);
        const s = w >>> 12;
        const rmw = C[p + 2]!;
        acc.atomic64(a, rmw, L[s]!, H[s]!, L[0]!, H[0]!, T);
        if (rmw === RMW_CMPXCHG) {
          L[0] = T[0]!;
          H[0] = T[1]!;
        } else if (C[p + 3] === 1) {
          L[s] = T[0]!;
          H[s] = T[1]!;
        }
        break;
      }

      case /* OP_END */ 1:
        throw fault(
          'E_FAULT_END',
          pc - 1,
          n,
          `execution ran past the last instruction (slot ${pc - 2}): expected an exit or a jump back`,
        );
      default:
        // OP_INVALID: unreachable, decodeProgram rejects jumps into an lddw.
        throw new Error(`interpreter bug: operation ${w & 0xff} at slot ${pc - 1}`);
    }
  }
}

/* ------------------------------------------------------------------ cold paths */

function fault(code: BpfFault['code'], index: number, executed: number, detail: string): BpfFault {
  const f = new BpfFault(code, index, detail);
  f.executed = executed;
  return f;
}

function budgetFault(pc: number, n: number, limit: number): BpfFault {
  return fault(
    'E_BUDGET',
    pc,
    n,
    `instruction budget spent: ${limit} instructions executed, expected the program to exit within them`,
  );
}

function memFault(
  kind: 'load' | 'store' | 'atomic',
  size: number,
  reg: number,
  off: number,
  L: Int32Array,
  H: Int32Array,
  acc: RegionAccess,
  index: number,
  n: number,
): BpfFault {
  const base = (BigInt(H[reg]! >>> 0) << 32n) | BigInt(L[reg]! >>> 0);
  const addr = BigInt.asUintN(64, base + BigInt(off));
  const at = `${kind} of ${size} byte(s) at 0x${addr.toString(16)} (r${reg} 0x${base.toString(16)} ${off < 0 ? '-' : '+'} ${Math.abs(off)})`;
  let why: string;
  if (addr < 0x1000n) why = 'in the NULL page';
  else if (addr >= 0x1_0000_0000n) why = 'beyond the 32-bit address space';
  else {
    const r = acc.regionAt(Number(addr));
    if (r === null) why = 'outside every permitted region';
    else if (kind !== 'load' && r.writable === false) why = `in read-only region '${r.name}'`;
    else why = `crossing the end of region '${r.name}' [${hex(r.addr)}, ${hex(r.addr + r.size)})`;
  }
  return fault('E_FAULT_MEM', index, n, `${at} is ${why}; permitted: ${acc.describe()}`);
}

function alignFault(size: number, addr: number, index: number, n: number): BpfFault {
  return fault(
    'E_FAULT_ALIGN',
    index,
    n,
    `atomic of ${size} bytes at ${hex(addr)}: expected an address aligned to ${size} bytes`,
  );
}

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function callHelper(
  def: HelperDef,
  L: Int32Array,
  H: Int32Array,
  env: HelperEnv,
  index: number,
  n: number,
): void {
  let r: unknown;
  try {
    r = def.impl(
      env,
      u64(L[1]!, H[1]!),
      u64(L[2]!, H[2]!),
      u64(L[3]!, H[3]!),
      u64(L[4]!, H[4]!),
      u64(L[5]!, H[5]!),
    );
  } catch (e) {
    if (e instanceof BpfFault) {
      const f = new BpfFault(e.code, index, `helper ${def.id} (${def.name}): ${e.detail}`, { cause: e });
      f.executed = n;
      throw f;
    }
    const f = new BpfFault(
      'E_HELPER',
      index,
      `helper ${def.id} (${def.name}) failed: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
    f.executed = n;
    throw f;
  }
  if (typeof r !== 'bigint') {
    throw fault(
      'E_HELPER',
      index,
      n,
      `helper ${def.id} (${def.name}) returned ${typeof r}, expected a bigint`,
    );
  }
  const v = BigInt.asUintN(64, r);
  L[0] = Number(v & 0xffff_ffffn);
  H[0] = Number(v >> 32n);
}
