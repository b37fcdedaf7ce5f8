/**
 * The JIT's view of a program's control flow: basic blocks over the whole program, the functions
 * (slot 0 and every bpf2bpf call target), and per function the blocks reachable from its entry by
 * jumps and fall-through, renumbered from 0 (its entry) with their successor lists for structure().
 *
 * A function's blocks are found by reachability, not by the address range between entries: eBPF
 * code is one flat array, and an unverified program may jump from one subprogram into another; the
 * blocks it reaches then belong to (are compiled into) both functions, which is what the flat
 * semantics asks for. Verified programs never do, so no block is compiled twice there.
 *
 * Falling through past the last slot reaches a virtual block (`end`) whose code is a fault, as the
 * interpreter faults when it runs past the end.
 */
import { BPF_CALL, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32 } from '../../uapi/bpf.js';
import { type Insn, insnClass, isLddw, isLocalCall, jmpOp, jumpTarget } from '../insn.js';

export interface FunctionCfg {
  /** Slot of the function's entry. */
  readonly entry: number;
  /** Global block index of each local block (local 0 is the entry); -1 is the virtual end block. */
  readonly blocks: readonly number[];
  /** Successors by local block index (structure()'s input). */
  readonly succs: readonly (readonly number[])[];
}

export interface ProgramCfg {
  /** First slot of each global block. */
  readonly starts: readonly number[];
  /** One past the last slot of each global block. */
  readonly ends: readonly number[];
  /** Functions: [0] is the program's entry; the rest in ascending entry slot. */
  readonly functions: readonly FunctionCfg[];
  /** Function index by entry slot. */
  readonly functionAt: ReadonlyMap<number, number>;
}

const isJmp = (c: number): boolean => insnClass(c) === BPF_JMP || insnClass(c) === BPF_JMP32;

/** Whether `insn` ends a basic block (a jump, conditional or not, or an exit; not a call). */
export function endsBlock(insn: Insn): boolean {
  return isJmp(insn.code) && jmpOp(insn.code) !== BPF_CALL;
}

/**
 * Build the blocks and functions of a program that decodeProgram() accepted (targets inside the
 * program and not inside an lddw).
 */
export function buildProgramCfg(insns: readonly Insn[]): ProgramCfg {
  const n = insns.length;
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  const entries = new Set<number>([0]);
  for (let pc = 0; pc < n; pc++) {
    const insn = insns[pc] as Insn;
    if (isLddw(insn)) {
      pc++;
      continue;
    }
    if (isLocalCall(insn)) {
      const t = pc + 1 + insn.imm;
      entries.add(t);
      leader[t] = 1;
      continue;
    }
    if (!endsBlock(insn)) continue;
    leader[pc + 1] = 1;
    if (jmpOp(insn.code) !== BPF_EXIT) leader[jumpTarget(insn, pc)] = 1;
  }
  const starts: number[] = [];
  const blockOf = new Int32Array(n + 1).fill(-1);
  for (let pc = 0; pc < n; pc++) {
    if (leader[pc] === 1) {
      blockOf[pc] = starts.length;
      starts.push(pc);
    }
  }
  const ends = starts.map((_, b) => starts[b + 1] ?? n);
  const END = -1;
  const target = (pc: number): number => (pc >= n ? END : (blockOf[pc] as number));
  // Global successors: [] exit, [t] jump/fall, [f, t] conditional (END = past the end).
  const gsuccs = starts.map((start, b) => {
    const end = ends[b] as number;
    let last = start;
    for (let pc = start; pc < end; pc += isLddw(insns[pc] as Insn) ? 2 : 1) last = pc;
    const insn = insns[last] as Insn;
    if (!endsBlock(insn)) return [target(end)];
    const op = jmpOp(insn.code);
    if (op === BPF_EXIT) return [];
    if (op === BPF_JA) return [target(jumpTarget(insn, last))];
    return [target(end), target(jumpTarget(insn, last))];
  });
  const sorted = [...entries].sort((a, b) => a - b);
  const functionAt = new Map<number, number>(sorted.map((e, i) => [e, i]));
  const functions = sorted.map((entry): FunctionCfg => {
    const local = new Map<number, number>();
    const blocks: number[] = [];
    const visit = (g: number): number => {
      let l = local.get(g);
      if (l === undefined) {
        l = blocks.push(g) - 1;
        local.set(g, l);
      }
      return l;
    };
    visit(blockOf[entry] as number);
    const succs: number[][] = [];
    for (let i = 0; i < blocks.length; i++) {
      const g = blocks[i] as number;
      succs.push(g === END ? [] : (gsuccs[g] as number[]).map(visit));
    }
    return { entry, blocks, succs };
  });
  return { starts, ends, functions, functionAt };
}
