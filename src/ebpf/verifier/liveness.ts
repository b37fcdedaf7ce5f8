/**
 * Static register liveness (a backward data-flow pass over the instructions): which registers an
 * instruction or any later one on some path may read before writing them. Pruning compares only
 * live registers, as the kernel's liveness marks let it.
 */
import {
  BPF_ALU,
  BPF_ALU64,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_JA,
  BPF_JCOND,
  BPF_JMP,
  BPF_JMP32,
  BPF_LD,
  BPF_LDX,
  BPF_MOV,
  BPF_NEG,
  BPF_PSEUDO_CALL,
  BPF_ST,
  BPF_STX,
  BPF_X,
} from '../../uapi/bpf.js';
import type { HelperRegistry } from '../helpers.js';
import { aluOp, type Insn, insnClass, isLddw, jmpOp, memMode, srcBit } from '../insn.js';

const bit = (r: number): number => 1 << r;
const ARGS = 0b111110; // r1-r5
const CALLER_SAVED = 0b111111; // r0-r5

/** Bitmask of registers live on entry to each slot (second lddw slots: 0). */
export function liveIn(insns: readonly Insn[], helpers: HelperRegistry): Int32Array {
  const n = insns.length;
  const use = new Int32Array(n);
  const def = new Int32Array(n);
  const succ: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const insn = insns[i]!;
    const cls = insnClass(insn.code);
    const x = srcBit(insn.code) === BPF_X;
    let u = 0;
    let d = 0;
    let s: number[] = [i + 1];
    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64: {
        const op = aluOp(insn.code);
        if (op === BPF_MOV) u = x ? bit(insn.src) : 0;
        else if (op === BPF_NEG || op === BPF_END) u = bit(insn.dst);
        else u = bit(insn.dst) | (x ? bit(insn.src) : 0);
        d = bit(insn.dst);
        break;
      }
      case BPF_LDX:
        u = bit(insn.src);
        d = bit(insn.dst);
        break;
      case BPF_ST:
        u = bit(insn.dst);
        break;
      case BPF_STX:
        u = bit(insn.dst) | bit(insn.src);
        if (memMode(insn.code) === BPF_ATOMIC) {
          if (insn.imm === BPF_CMPXCHG) {
            u |= bit(0);
            d = bit(0);
          } else if (insn.imm & BPF_FETCH) d = bit(insn.src);
        }
        break;
      case BPF_LD:
        if (isLddw(insn)) {
          d = bit(insn.dst);
          s = [i + 2];
          if (i + 1 < n) succ[i + 1] = [];
        }
        break;
      case BPF_JMP:
      case BPF_JMP32: {
        const op = jmpOp(insn.code);
        if (cls === BPF_JMP && op === BPF_CALL) {
          const nargs = insn.src === 0 ? (helpers.get(insn.imm)?.args.length ?? 5) : 5;
          u = insn.src === BPF_PSEUDO_CALL ? ARGS : ARGS & ((1 << (nargs + 1)) - 1);
          d = CALLER_SAVED;
        } else if (cls === BPF_JMP && op === BPF_EXIT) {
          u = bit(0);
          s = [];
        } else if (op === BPF_JA) {
          s = [i + 1 + (cls === BPF_JMP32 ? insn.imm : insn.off)];
        } else {
          if (op !== BPF_JCOND) u = bit(insn.dst) | (x ? bit(insn.src) : 0);
          s = [i + 1, i + 1 + insn.off];
        }
        break;
      }
    }
    use[i] = u;
    def[i] = d;
    if (succ[i] === undefined) succ[i] = s;
    if (isLddw(insn)) i++;
  }
  const live = new Int32Array(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      const ss = succ[i];
      if (ss === undefined) continue;
      let out = 0;
      for (const t of ss) if (t >= 0 && t < n) out |= live[t]!;
      const v = use[i]! | (out & ~def[i]!);
      if (v !== live[i]) {
        live[i] = v;
        changed = true;
      }
    }
  }
  return live;
}
