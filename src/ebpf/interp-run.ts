/**
 * The interpreter's run loop over a pre-decoded program (interp-decode.ts).
 *
 * Registers r0-r10 are two Int32Arrays of halves: L (low 32 bits) and H (high 32 bits), followed by
 * the program's read-only constant registers that stand for ALU and JMP immediates (FIRST_CONST_REG),
 * so each operation has one implementation. An ALU32 result writes H = 0 (zero extension); 64-bit
 * arithmetic goes through interp-alu64.ts. Nothing is
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
 * more than MAX_CALL_FRAMES frames is 'E_STACK_OVERFLOW'. callx (register in dst) calls the helper
 * whose id the register holds, i.e. it is `call imm` with the id computed: the convention of
 * bpf_conformance, PREVAIL and eBPF for Windows, and the one callx.data pins down (r2 = 5 must call
 * helper 5: as an instruction index, 5 would be past the end of that 5-slot program). The kernel
 * rejects callx; a code-address convention would need the loader's function table.
 *
 * may_goto: as the kernel's (non-timed) rewrite, each frame has a counter set to BPF_MAX_LOOPS (8M)
 * when the frame is entered (program start, each bpf2bpf call, each tail call); a may_goto falls
 * through and decrements it while it is not zero, and jumps once it is.
 *
 * Tail calls: the loop knows nothing of them but two exits. After a helper call it returns when the
 * helper asked for a tail call (LoopState.tail, set by interp.ts's tailCall()), and an exit at the
 * depth the current program was entered at (LoopState.floor) returns instead of ending the run when
 * that depth is not 0. interp-tail.ts switches programs and resumes the loop: the whole run's state
 * (pc, instruction count, depth, may_goto counter, saved caller frames) lives in one LoopState.
 */
import type { Region, RegionAccess } from '../mem/regions.js';
import { RMW_CMPXCHG } from '../mem/regions.js';
import { BPF_MAX_LOOPS, MAX_BPF_STACK, MAX_CALL_FRAMES } from '../uapi/bpf.js';
import type { HelperEnv } from './helpers.js';
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
import { type DecodedProgram, FIRST_CONST_REG } from './interp-decode.js';
import { alignFault, budgetFault, callHelper, fault, memFault } from './interp-faults.js';

/** may_goto iterations per frame: the kernel's BPF_MAX_LOOPS. */
export const MAY_GOTO_LOOPS = BPF_MAX_LOOPS;

/** Saved state per caller frame: r6-r9 (lo, hi), return slot, may_goto counter. */
export const FRAME_WORDS = 10;

const hex64 = (lo: number, hi: number): string =>
  `0x${((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16)}`;

/** A program a tail call enters: its decoded code and the machine that normally runs it. */
export interface TailTarget {
  readonly prog: DecodedProgram;
  readonly machine: Machine;
  /** Regions the program may access in every run (LoadOptions.regions), granted when entered. */
  readonly regions: readonly Region[];
}

/**
 * Where the run loop stands, kept between its entries: a run starts it with reset(), the loop reads
 * it on entry and writes it back when it returns for a tail call or an exit at `floor`.
 */
export class LoopState {
  /** Next slot to execute. */
  pc = 0;
  /** Instructions executed so far in the run (every program of a tail-call chain). */
  n = 0;
  /** Current frame: 0 for the entry program, +1 per bpf2bpf call. */
  depth = 0;
  /** may_goto counter of the current frame. */
  mg = MAY_GOTO_LOOPS;
  /** Depth at which the current program was entered (0, or the depth of the tail call into it). */
  floor = 0;
  /** The program a helper asked to tail call into; the loop returns after that helper. */
  tail: TailTarget | null = null;
  /** Saved state of the caller frames (FRAME_WORDS each). */
  readonly F = new Int32Array(MAX_CALL_FRAMES * FRAME_WORDS);

  reset(): void {
    this.pc = 0;
    this.n = 0;
    this.depth = 0;
    this.mg = MAY_GOTO_LOOPS;
    this.floor = 0;
    this.tail = null;
  }
}

/** The register file and scratch of a run, reused from run to run. */
export class Machine {
  /** Low and high halves of r0-r10, then of the program's constant registers (read-only). */
  readonly L: Int32Array;
  readonly H: Int32Array;
  /** Results of the 64-bit helpers. */
  readonly T = new Int32Array(2);
  /** The loop state of runs this machine starts (tail-call targets share their caller's). */
  readonly S = new LoopState();
  /** In use by a run (a nested run takes another Machine). */
  busy = false;

  constructor(prog: DecodedProgram) {
    const n = FIRST_CONST_REG + prog.consts.length;
    this.L = new Int32Array(n);
    this.H = new Int32Array(n);
    prog.consts.forEach((imm, k) => {
      this.L[FIRST_CONST_REG + k] = imm;
      this.H[FIRST_CONST_REG + k] = imm >> 31;
    });
  }

  /** Zero r0-r10 for a new run (the constant registers stay). */
  reset(): void {
    this.L.fill(0, 0, FIRST_CONST_REG);
    this.H.fill(0, 0, FIRST_CONST_REG);
  }
}

/** Store the loop's registers in its state when it returns (kept out of the loop's body). */
function park(s: LoopState, pc: number, n: number, depth: number, mg: number): void {
  s.pc = pc;
  s.n = n;
  s.depth = depth;
  s.mg = mg;
}

/**
 * Run a decoded program from the state `s` until an exit at depth s.floor (the outermost exit when
 * s.floor is 0) or a helper's request for a tail call (s.tail set), and store the state back in `s`.
 * On entry m.L/m.H hold r0-r10 (r10 = top of the current frame; frame 0's top is stackTop); on return
 * r0 is in L[0]/H[0] and s.n is the number of instructions executed in the run. Each bpf2bpf frame's
 * 512 bytes are zeroed when the frame is entered (the caller zeroes the first one). Throws BpfFault
 * (with `executed` set) on any fault, including more than `limit` instructions.
 */
export function runLoop(
  prog: DecodedProgram,
  m: Machine,
  s: LoopState,
  acc: RegionAccess,
  env: HelperEnv,
  stackTop: number,
  limit: number,
): void {
  const C = prog.code;
  const helpers = prog.helpers;
  const reserve = prog.mayGotoReserve;
  const { L, H, T } = m;
  const F = s.F;
  const floor = s.floor;
  let pc = s.pc;
  let n = s.n;
  let depth = s.depth;
  let mg = s.mg;
  for (;;) {
    if (n >= limit) throw budgetFault(pc, n, limit);
    n++;
    const p = pc << 2;
    const w = C[p]!;
    const d = (w >> 8) & 15;
    pc++;
    switch (w & 0xff) {
      /* ------------------------------------------------------------ ALU64 */
      case /* OP_ADD64 */ 2: {
        const s = w >>> 12;
        add64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SUB64 */ 3: {
        const s = w >>> 12;
        sub64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_MUL64 */ 4: {
        const s = w >>> 12;
        mul64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_DIV64 */ 5: {
        const s = w >>> 12;
        udiv64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SDIV64 */ 6: {
        const s = w >>> 12;
        sdiv64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_OR64 */ 7: {
        const s = w >>> 12;
        L[d] = L[d]! | L[s]!;
        H[d] = H[d]! | H[s]!;
        break;
      }
      case /* OP_AND64 */ 8: {
        const s = w >>> 12;
        L[d] = L[d]! & L[s]!;
        H[d] = H[d]! & H[s]!;
        break;
      }
      case /* OP_LSH64 */ 9:
        lsh64(L[d]!, H[d]!, L[w >>> 12]! & 63, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_RSH64 */ 10:
        rsh64(L[d]!, H[d]!, L[w >>> 12]! & 63, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_NEG64 */ 11:
        neg64(L[d]!, H[d]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_MOD64 */ 12: {
        const s = w >>> 12;
        umod64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_SMOD64 */ 13: {
        const s = w >>> 12;
        smod64(L[d]!, H[d]!, L[s]!, H[s]!, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      }
      case /* OP_XOR64 */ 14: {
        const s = w >>> 12;
        L[d] = L[d]! ^ L[s]!;
        H[d] = H[d]! ^ H[s]!;
        break;
      }
      case /* OP_MOV64 */ 15: {
        const s = w >>> 12;
        L[d] = L[s]!;
        H[d] = H[s]!;
        break;
      }
      case /* OP_MOVSX64_8 */ 16: {
        const v = (L[w >>> 12]! << 24) >> 24;
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_MOVSX64_16 */ 17: {
        const v = (L[w >>> 12]! << 16) >> 16;
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_MOVSX64_32 */ 18: {
        const v = L[w >>> 12]!;
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_ARSH64 */ 19:
        arsh64(L[d]!, H[d]!, L[w >>> 12]! & 63, T);
        L[d] = T[0]!;
        H[d] = T[1]!;
        break;
      case /* OP_BSWAP16 */ 20:
        L[d] = bswap16(L[d]!);
        H[d] = 0;
        break;
      case /* OP_BSWAP32 */ 21:
        L[d] = bswap32(L[d]!);
        H[d] = 0;
        break;
      case /* OP_BSWAP64 */ 22: {
        const lo = L[d]!;
        L[d] = bswap32(H[d]!);
        H[d] = bswap32(lo);
        break;
      }

      /* ------------------------------------------------------------ ALU32 (every result zero-extends) */
      case /* OP_ADD32 */ 23:
        L[d] = (L[d]! + L[w >>> 12]!) | 0;
        H[d] = 0;
        break;
      case /* OP_SUB32 */ 24:
        L[d] = (L[d]! - L[w >>> 12]!) | 0;
        H[d] = 0;
        break;
      case /* OP_MUL32 */ 25:
        L[d] = Math.imul(L[d]!, L[w >>> 12]!);
        H[d] = 0;
        break;
      case /* OP_DIV32 */ 26: {
        // The u32 quotient of two u32 values is exact in a double; the store truncates it.
        const b = L[w >>> 12]! >>> 0;
        L[d] = b === 0 ? 0 : (L[d]! >>> 0) / b;
        H[d] = 0;
        break;
      }
      case /* OP_SDIV32 */ 27: {
        // Truncation toward zero by the int32 store; INT32_MIN / -1 = 2^31 wraps to INT32_MIN.
        const b = L[w >>> 12]!;
        L[d] = b === 0 ? 0 : L[d]! / b;
        H[d] = 0;
        break;
      }
      case /* OP_OR32 */ 28:
        L[d] = L[d]! | L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_AND32 */ 29:
        L[d] = L[d]! & L[w >>> 12]!;
        H[d] = 0;
        break;
      // JS shifts use the count modulo 32: the BPF mask for 32-bit shifts.
      case /* OP_LSH32 */ 30:
        L[d] = L[d]! << L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_RSH32 */ 31:
        L[d] = L[d]! >>> L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_NEG32 */ 32:
        L[d] = -L[d]! | 0;
        H[d] = 0;
        break;
      case /* OP_MOD32 */ 33: {
        const b = L[w >>> 12]! >>> 0;
        if (b !== 0) L[d] = (L[d]! >>> 0) % b;
        H[d] = 0;
        break;
      }
      case /* OP_SMOD32 */ 34: {
        // INT32_MIN % -1 is -0 in JS: stored as 0.
        const b = L[w >>> 12]!;
        if (b !== 0) L[d] = L[d]! % b;
        H[d] = 0;
        break;
      }
      case /* OP_XOR32 */ 35:
        L[d] = L[d]! ^ L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_MOV32 */ 36:
        L[d] = L[w >>> 12]!;
        H[d] = 0;
        break;
      case /* OP_MOVSX32_8 */ 37:
        L[d] = (L[w >>> 12]! << 24) >> 24;
        H[d] = 0;
        break;
      case /* OP_MOVSX32_16 */ 38:
        L[d] = (L[w >>> 12]! << 16) >> 16;
        H[d] = 0;
        break;
      case /* OP_ARSH32 */ 39:
        L[d] = L[d]! >> L[w >>> 12]!;
        H[d] = 0;
        break;
      // Byte order: this host is little-endian like the guest, so le* only truncate and be* swap.
      case /* OP_LE16 */ 40:
        L[d] = L[d]! & 0xffff;
        H[d] = 0;
        break;
      case /* OP_LE32 */ 41:
        H[d] = 0;
        break;
      case /* OP_LE64 */ 42:
        break;
      case /* OP_BE16 */ 43:
        L[d] = bswap16(L[d]!);
        H[d] = 0;
        break;
      case /* OP_BE32 */ 44:
        L[d] = bswap32(L[d]!);
        H[d] = 0;
        break;
      case /* OP_BE64 */ 45: {
        const lo = L[d]!;
        L[d] = bswap32(H[d]!);
        H[d] = bswap32(lo);
        break;
      }

      /* ------------------------------------------------------------ JMP: 64-bit compares, hi then lo */
      case /* OP_JA */ 46:
        pc = C[p + 1]!;
        break;
      case /* OP_JEQ64 */ 47: {
        const s = w >>> 12;
        if (L[d] === L[s] && H[d] === H[s]) pc = C[p + 1]!;
        break;
      }
      case /* OP_JNE64 */ 51: {
        const s = w >>> 12;
        if (L[d] !== L[s] || H[d] !== H[s]) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSET64 */ 50: {
        const s = w >>> 12;
        if ((L[d]! & L[s]!) !== 0 || (H[d]! & H[s]!) !== 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JGT64 */ 48: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 > L[s]! >>> 0 : ah >>> 0 > bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JGE64 */ 49: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 >= L[s]! >>> 0 : ah >>> 0 > bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JLT64 */ 54: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 < L[s]! >>> 0 : ah >>> 0 < bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JLE64 */ 55: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 <= L[s]! >>> 0 : ah >>> 0 < bh >>> 0) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSGT64 */ 52: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 > L[s]! >>> 0 : ah > bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSGE64 */ 53: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 >= L[s]! >>> 0 : ah > bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSLT64 */ 56: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 < L[s]! >>> 0 : ah < bh) pc = C[p + 1]!;
        break;
      }
      case /* OP_JSLE64 */ 57: {
        const s = w >>> 12;
        const ah = H[d]!;
        const bh = H[s]!;
        if (ah === bh ? L[d]! >>> 0 <= L[s]! >>> 0 : ah < bh) pc = C[p + 1]!;
        break;
      }

      /* ------------------------------------------------------------ calls, exit, may_goto */
      case /* OP_CALL */ 58:
        callHelper(helpers[C[p + 1]!]!, L, H, env, pc - 1, n);
        if (s.tail !== null) {
          park(s, pc, n, depth, mg);
          return;
        }
        break;
      case /* OP_CALLX */ 60: {
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
        if (s.tail !== null) {
          park(s, pc, n, depth, mg);
          return;
        }
        break;
      }
      case /* OP_CALL_LOCAL */ 59: {
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
      case /* OP_EXIT */ 61: {
        if (depth === floor) {
          park(s, pc, n, depth, mg);
          return;
        }
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
      case /* OP_MAY_GOTO */ 62:
        if (mg === 0 || limit - n < reserve) pc = C[p + 1]!;
        else mg--;
        break;

      /* ------------------------------------------------------------ JMP32: compares of the low halves */
      case /* OP_JEQ32 */ 63:
        if (L[d] === L[w >>> 12]) pc = C[p + 1]!;
        break;
      case /* OP_JNE32 */ 67:
        if (L[d] !== L[w >>> 12]) pc = C[p + 1]!;
        break;
      case /* OP_JSET32 */ 66:
        if ((L[d]! & L[w >>> 12]!) !== 0) pc = C[p + 1]!;
        break;
      case /* OP_JGT32 */ 64:
        if (L[d]! >>> 0 > L[w >>> 12]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JGE32 */ 65:
        if (L[d]! >>> 0 >= L[w >>> 12]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JLT32 */ 70:
        if (L[d]! >>> 0 < L[w >>> 12]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JLE32 */ 71:
        if (L[d]! >>> 0 <= L[w >>> 12]! >>> 0) pc = C[p + 1]!;
        break;
      case /* OP_JSGT32 */ 68:
        if (L[d]! > L[w >>> 12]!) pc = C[p + 1]!;
        break;
      case /* OP_JSGE32 */ 69:
        if (L[d]! >= L[w >>> 12]!) pc = C[p + 1]!;
        break;
      case /* OP_JSLT32 */ 72:
        if (L[d]! < L[w >>> 12]!) pc = C[p + 1]!;
        break;
      case /* OP_JSLE32 */ 73:
        if (L[d]! <= L[w >>> 12]!) pc = C[p + 1]!;
        break;

      /* ------------------------------------------------------------ loads: [src + off] */
      case /* OP_LDDW */ 74:
        L[d] = C[p + 2]!;
        H[d] = C[p + 3]!;
        pc++;
        break;
      case /* OP_LDXB */ 75: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 1)) throw memFault('load', 1, s, C[p + 1]!, L, H, acc, pc - 1, n);
        L[d] = acc.u8(a);
        H[d] = 0;
        break;
      }
      case /* OP_LDXH */ 76: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 2)) throw memFault('load', 2, s, C[p + 1]!, L, H, acc, pc - 1, n);
        L[d] = acc.u16(a);
        H[d] = 0;
        break;
      }
      case /* OP_LDXW */ 77: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 4)) throw memFault('load', 4, s, C[p + 1]!, L, H, acc, pc - 1, n);
        L[d] = acc.i32(a);
        H[d] = 0;
        break;
      }
      case /* OP_LDXDW */ 78: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 8)) throw memFault('load', 8, s, C[p + 1]!, L, H, acc, pc - 1, n);
        L[d] = acc.i32(a);
        H[d] = acc.i32(a + 4);
        break;
      }
      case /* OP_LDXSB */ 79: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 1)) throw memFault('load', 1, s, C[p + 1]!, L, H, acc, pc - 1, n);
        const v = acc.i8(a);
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_LDXSH */ 80: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 2)) throw memFault('load', 2, s, C[p + 1]!, L, H, acc, pc - 1, n);
        const v = acc.i16(a);
        L[d] = v;
        H[d] = v >> 31;
        break;
      }
      case /* OP_LDXSW */ 81: {
        const s = w >>> 12;
        const a = H[s] === 0 ? (L[s]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canRead(a, 4)) throw memFault('load', 4, s, C[p + 1]!, L, H, acc, pc - 1, n);
        const v = acc.i32(a);
        L[d] = v;
        H[d] = v >> 31;
        break;
      }

      /* ------------------------------------------------------------ stores: [dst + off] */
      case /* OP_STB */ 82: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 1)) throw memFault('store', 1, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set8(a, C[p + 2]!);
        break;
      }
      case /* OP_STH */ 83: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 2)) throw memFault('store', 2, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set16(a, C[p + 2]!);
        break;
      }
      case /* OP_STW */ 84: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 4)) throw memFault('store', 4, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set32(a, C[p + 2]!);
        break;
      }
      case /* OP_STDW */ 85: {
        // The s32 imm is sign-extended to 64 bits.
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 8)) throw memFault('store', 8, d, C[p + 1]!, L, H, acc, pc - 1, n);
        const v = C[p + 2]!;
        acc.set32(a, v);
        acc.set32(a + 4, v >> 31);
        break;
      }
      case /* OP_STXB */ 86: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 1)) throw memFault('store', 1, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set8(a, L[w >>> 12]!);
        break;
      }
      case /* OP_STXH */ 87: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 2)) throw memFault('store', 2, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set16(a, L[w >>> 12]!);
        break;
      }
      case /* OP_STXW */ 88: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 4)) throw memFault('store', 4, d, C[p + 1]!, L, H, acc, pc - 1, n);
        acc.set32(a, L[w >>> 12]!);
        break;
      }
      case /* OP_STXDW */ 89: {
        const a = H[d] === 0 ? (L[d]! >>> 0) + C[p + 1]! : -1;
        if (!acc.canWrite(a, 8)) throw memFault('store', 8, d, C[p + 1]!, L, H, acc, pc - 1, n);
        const s = w >>> 12;
        acc.set32(a, L[s]!);
        acc.set32(a + 4, H[s]!);
        break;
      }

      /* ------------------------------------------------------------ atomics: [dst + off] op= src */
      case /* OP_ATOMIC32 */ 90: {
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
      case /* OP_ATOMIC64 */ 91: {
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
