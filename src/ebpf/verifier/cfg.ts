/**
 * The verifier's structural pass, run before abstract interpretation, as the kernel does in
 * check_subprogs / add_subprog and check_cfg:
 *
 * 1. Subprograms: entry 0 plus every bpf2bpf call target (call, src BPF_PSEUDO_CALL) and every
 *    BPF_PSEUDO_FUNC lddw target, sorted. A jump may not leave its subprogram, and each
 *    subprogram's last slot must be exit or an unconditional jump (ja, gotol).
 * 2. The static call graph: no recursion (a cycle), no chain deeper than MAX_CALL_FRAMES frames.
 * 3. check_cfg: a depth-first walk of each subprogram reached from the entry (fall-through, both
 *    edges of conditional jumps and may_goto, exit ends a path, calls fall through). Every slot
 *    must be reached; no jump may land on the second slot of an lddw. Back-edges are bounded-loop
 *    candidates: they are recorded (their targets are loop headers), not refused.
 *
 * The input is assumed to have passed checkInsns (opcodes, registers, reserved fields); only an
 * lddw without its second half is checked again here, since the walk depends on it.
 */
import {
  BPF_CALL,
  BPF_EXIT,
  BPF_JA,
  BPF_JMP,
  BPF_JMP32,
  BPF_MAX_SUBPROGS,
  BPF_PSEUDO_FUNC,
  MAX_CALL_FRAMES,
} from '../../uapi/bpf.js';
import { type Insn, insnClass, isLddw, isLocalCall, jmpOp, jumpTarget as targetOf } from '../insn.js';
import { VerifierError } from './errors.js';

/** One subprogram: the slots [start, end). */
export interface Subprog {
  readonly start: number;
  readonly end: number;
  /** Indexes (into ProgramCfg.subprogs) of the subprograms it calls with bpf2bpf calls, sorted. */
  readonly callees: readonly number[];
  /** True if some BPF_PSEUDO_FUNC lddw names it (a callback). */
  readonly isCallback: boolean;
}

/** A back-edge of the walk: the jump at `from` goes back to `to`, a loop header. */
export interface BackEdge {
  readonly from: number;
  readonly to: number;
}

/** What the structural pass learns, per slot (second lddw slots share their first's flags). */
export interface ProgramCfg {
  readonly subprogs: readonly Subprog[];
  /** Subprogram index of each slot. */
  readonly subprogOf: readonly number[];
  readonly reachable: readonly boolean[];
  /** Target of some jump edge (fall-through and call edges excluded). */
  readonly jumpTarget: readonly boolean[];
  /** Target of a back-edge. */
  readonly loopHeader: readonly boolean[];
  readonly backEdges: readonly BackEdge[];
  /** Instruction starts in post-order of the walk, subprogram after subprogram. */
  readonly postOrder: readonly number[];
  /** Most frames (the entry's included) of any static call chain. */
  readonly maxCallFrames: number;
}

const isJmpClass = (code: number): boolean => {
  const c = insnClass(code);
  return c === BPF_JMP || c === BPF_JMP32;
};

/** An lddw loading the address of a function (src BPF_PSEUDO_FUNC). */
export const isPseudoFunc = (i: Insn): boolean => isLddw(i) && i.src === BPF_PSEUDO_FUNC;

/** Kind of control transfer of one (non-lddw) slot. */
type Flow = 'next' | 'exit' | 'goto' | 'cond';

function flowOf(insn: Insn): Flow {
  if (!isJmpClass(insn.code)) return 'next';
  const op = jmpOp(insn.code);
  const is32 = insnClass(insn.code) === BPF_JMP32;
  if (op === BPF_CALL && !is32) return 'next';
  if (op === BPF_EXIT && !is32) return 'exit';
  if (op === BPF_JA) return 'goto';
  return 'cond'; // conditional jumps and may_goto (BPF_JCOND): both edges
}

/** Indexes of the slots that are second halves of an lddw; refuses a truncated lddw. */
function lddwSeconds(insns: readonly Insn[]): boolean[] {
  const second = new Array<boolean>(insns.length).fill(false);
  for (let i = 0; i < insns.length; i++) {
    if (!isLddw(insns[i]!)) continue;
    if (i + 1 >= insns.length) {
      throw new VerifierError(
        'V005_LDDW_TRUNCATED',
        i,
        'invalid bpf_ld_imm64 insn: expected its second slot after it, found the end of the program',
      );
    }
    second[i + 1] = true;
    i++;
  }
  return second;
}

/** Step 1: subprogram entries (sorted, 0 first), each validated. */
function findEntries(
  insns: readonly Insn[],
  second: readonly boolean[],
): { entries: number[]; callbacks: Set<number> } {
  const set = new Set<number>([0]);
  const callbacks = new Set<number>();
  const n = insns.length;
  for (let i = 0; i < n; i++) {
    const insn = insns[i]!;
    if (second[i]) continue;
    const call = isLocalCall(insn);
    const func = isPseudoFunc(insn);
    if (!call && !func) continue;
    const t = i + insn.imm + 1;
    const what = call ? 'call' : 'function pointer (BPF_PSEUDO_FUNC)';
    if (t < 0 || t >= n) {
      throw new VerifierError(
        'V003_CALL_OUT_OF_RANGE',
        i,
        `${what} to invalid destination: expected a target in [0, ${n}), found ${t}`,
      );
    }
    if (second[t]) {
      throw new VerifierError(
        'V004_CALL_INTO_LDDW',
        i,
        `${what} into the middle of ldimm64 insn ${t - 1}: expected an instruction start, found ${t}`,
      );
    }
    if (!set.has(t) && set.size >= BPF_MAX_SUBPROGS) {
      throw new VerifierError(
        'V006_TOO_MANY_SUBPROGS',
        i,
        `too many subprograms: expected at most ${BPF_MAX_SUBPROGS}, found more`,
      );
    }
    set.add(t);
    if (func) callbacks.add(t);
  }
  return { entries: [...set].sort((a, b) => a - b), callbacks };
}

/** Step 1 continued: jumps stay inside their subprogram; the last slot ends it. */
function checkRanges(insns: readonly Insn[], second: readonly boolean[], entries: readonly number[]): void {
  for (let s = 0; s < entries.length; s++) {
    const start = entries[s]!;
    const end = entries[s + 1] ?? insns.length;
    for (let i = start; i < end; i++) {
      const insn = insns[i]!;
      if (second[i]) continue;
      const flow = flowOf(insn);
      if (flow === 'goto' || flow === 'cond') {
        const t = targetOf(insn, i);
        if (t < start || t >= end) {
          throw new VerifierError(
            'V001_JUMP_OUT_OF_RANGE',
            i,
            `jump out of range from insn ${i} to ${t}: expected a target in subprogram [${start}, ${end})`,
          );
        }
      }
    }
    const last = insns[end - 1]!;
    const ok = !second[end - 1] && (last.code === (BPF_JMP | BPF_EXIT) || flowOf(last) === 'goto');
    if (!ok) {
      throw new VerifierError(
        'V002_LAST_INSN_NOT_EXIT',
        end - 1,
        `last insn is not an exit or jmp: expected exit, ja or gotol to end subprogram [${start}, ${end}), found opcode 0x${last.code.toString(16).padStart(2, '0')}${second[end - 1] ? ' (second slot of an lddw)' : ''}`,
      );
    }
  }
}

/** Call sites (bpf2bpf) of each subprogram: [call insn index, callee subprogram]. */
function callSites(
  insns: readonly Insn[],
  second: readonly boolean[],
  entries: readonly number[],
  subOf: (t: number) => number,
): [number, number][][] {
  return entries.map((start, s) => {
    const end = entries[s + 1] ?? insns.length;
    const out: [number, number][] = [];
    for (let i = start; i < end; i++) {
      const insn = insns[i]!;
      if (!second[i] && isLocalCall(insn)) out.push([i, subOf(i + insn.imm + 1)]);
    }
    return out;
  });
}

/**
 * Step 2: no cycle in the call graph, no chain of more than MAX_CALL_FRAMES frames from a root
 * (the entry, and each callback, which the kernel runs in frames of its own). Returns the most
 * frames seen.
 */
function checkCallGraph(sites: readonly [number, number][][], roots: readonly number[]): number {
  const state = new Array<number>(sites.length).fill(0); // 0 new, 1 on the path, 2 done
  const depth = new Array<number>(sites.length).fill(0); // frames of the deepest chain from here
  const visit = (s: number): void => {
    state[s] = 1;
    let d = 1;
    for (const [at, callee] of sites[s]!) {
      if (state[callee] === 1) {
        throw new VerifierError(
          'V008_RECURSIVE_CALL',
          at,
          `recursive call from insn ${at} to subprogram at insn ${callee}: expected an acyclic call graph`,
        );
      }
      if (state[callee] === 0) visit(callee);
      d = Math.max(d, 1 + depth[callee]!);
    }
    depth[s] = d;
    state[s] = 2;
  };
  let most = 0;
  for (const r of roots) {
    if (state[r] === 0) visit(r);
    most = Math.max(most, depth[r]!);
  }
  return most;
}

/** The first call site of the chain from `root` that reaches frame MAX_CALL_FRAMES + 1. */
function tooDeepAt(
  sites: readonly [number, number][][],
  root: number,
  entries: readonly number[],
): VerifierError | null {
  const walk = (s: number, frames: number): VerifierError | null => {
    for (const [at, callee] of sites[s]!) {
      if (frames + 1 > MAX_CALL_FRAMES) {
        return new VerifierError(
          'V007_CALL_STACK_TOO_DEEP',
          at,
          `the call stack of ${frames + 1} frames is too deep: expected at most ${MAX_CALL_FRAMES} frames, found a call to insn ${entries[callee]} from frame ${frames}`,
        );
      }
      const e = walk(callee, frames + 1);
      if (e !== null) return e;
    }
    return null;
  };
  return walk(root, 1);
}

/** Run the structural pass; throws VerifierError on the first rejection. */
export function checkProgramStructure(insns: readonly Insn[]): ProgramCfg {
  const n = insns.length;
  if (n === 0)
    throw new VerifierError('V011_EMPTY_PROGRAM', 0, 'expected at least one instruction, found none');
  const second = lddwSeconds(insns);
  const { entries, callbacks } = findEntries(insns, second);
  checkRanges(insns, second, entries);

  const subprogOf = new Array<number>(n);
  for (let s = 0; s < entries.length; s++) {
    const end = entries[s + 1] ?? n;
    for (let i = entries[s]!; i < end; i++) subprogOf[i] = s;
  }
  const subOf = (t: number): number => subprogOf[t]!;
  const sites = callSites(insns, second, entries, subOf);
  const roots = [0, ...[...callbacks].map(subOf).filter((s) => s !== 0)];
  const maxCallFrames = checkCallGraph(sites, roots);
  if (maxCallFrames > MAX_CALL_FRAMES) {
    for (const r of roots) {
      const e = tooDeepAt(sites, r, entries);
      if (e !== null) throw e;
    }
  }

  // Step 3: walk each subprogram reached from the entry through calls and function pointers.
  const reachable = new Array<boolean>(n).fill(false);
  const jumpTarget = new Array<boolean>(n).fill(false);
  const loopHeader = new Array<boolean>(n).fill(false);
  const backEdges: BackEdge[] = [];
  const postOrder: number[] = [];
  const color = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
  const queued = new Array<boolean>(entries.length).fill(false);
  const work = [0];
  queued[0] = true;
  const reach = (t: number): void => {
    const s = subOf(t);
    if (!queued[s]) {
      queued[s] = true;
      work.push(s);
    }
  };
  while (work.length > 0) {
    walk(entries[work.shift()!]!);
  }

  function successors(i: number): { to: number; jump: boolean }[] {
    const insn = insns[i]!;
    if (isLddw(insn)) {
      if (isPseudoFunc(insn)) reach(i + insn.imm + 1);
      return [{ to: i + 2, jump: false }];
    }
    if (isLocalCall(insn)) reach(i + insn.imm + 1);
    switch (flowOf(insn)) {
      case 'next':
        return [{ to: i + 1, jump: false }];
      case 'exit':
        return [];
      case 'goto':
        return [{ to: targetOf(insn, i), jump: true }];
      default:
        return [
          { to: i + 1, jump: false },
          { to: targetOf(insn, i), jump: true },
        ];
    }
  }

  function walk(entry: number): void {
    const stack: { at: number; succ: { to: number; jump: boolean }[]; k: number }[] = [];
    const enter = (i: number): void => {
      color[i] = 1;
      reachable[i] = true;
      if (isLddw(insns[i]!)) reachable[i + 1] = true;
      stack.push({ at: i, succ: successors(i), k: 0 });
    };
    enter(entry);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const e = top.succ[top.k++];
      if (e === undefined) {
        color[top.at] = 2;
        postOrder.push(top.at);
        stack.pop();
        continue;
      }
      const t = e.to;
      // checkRanges keeps jumps and fall-throughs inside the subprogram.
      if (second[t]) {
        throw new VerifierError(
          'V010_JUMP_INTO_LDDW',
          top.at,
          `jump into the middle of ldimm64 insn ${t - 1}: expected an instruction start, found ${t}`,
        );
      }
      if (e.jump) jumpTarget[t] = true;
      if (color[t] === 0) enter(t);
      else if (color[t] === 1) {
        loopHeader[t] = true;
        backEdges.push({ from: top.at, to: t });
      }
    }
  }

  for (let i = 0; i < n; i++) {
    if (!reachable[i]) {
      throw new VerifierError(
        'V009_UNREACHABLE_INSN',
        i,
        `unreachable insn ${i}: expected every instruction on a path from the entry${queued[subOf(i)] ? '' : ` (subprogram at insn ${entries[subOf(i)]} is never called)`}`,
      );
    }
  }

  const subprogs: Subprog[] = entries.map((start, s) => ({
    start,
    end: entries[s + 1] ?? n,
    callees: [...new Set(sites[s]!.map(([, c]) => c))].sort((a, b) => a - b),
    isCallback: callbacks.has(start),
  }));
  return { subprogs, subprogOf, reachable, jumpTarget, loopHeader, backEdges, postOrder, maxCallFrames };
}
