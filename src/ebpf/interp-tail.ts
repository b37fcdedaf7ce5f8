/**
 * Tail calls in the interpreter: the chain of programs one run goes through once a helper (12,
 * bpf_tail_call, see base-helpers.ts) has asked for a tail call.
 *
 * Semantics, as the kernel's (kernel/bpf/core.c JMP_TAIL_CALL, and the x86-64 JIT for tail calls
 * from subprograms):
 * - The target replaces the current function and never returns to it: its first instruction runs
 *   next, with the registers as the caller left them (r1 = ctx as the caller passed it; r2-r5 the
 *   helper's arguments; r6-r9 and r0 whatever they were: the verifier lets the target read only r1
 *   and r10). r0 is 0 here, the helper's success value.
 * - The stack frame is reused, not stacked: r10 stays the current frame's top, so a chain of 33 tail
 *   calls takes no more stack than one program. The kernel leaves the old bytes there (the verifier
 *   forbids reading uninitialized stack); this interpreter zeroes the frame, as it does for every
 *   frame it enters, so a target never sees its predecessor's data.
 * - The may_goto counter restarts (the target's prologue sets its own).
 * - Budget, instruction count, regions, helper environment (ctx, grants) and the tail-call count
 *   carry over: it is the same run.
 * - From a bpf2bpf subprogram (the kernel allows it with JITs that support it, x86-64 since 5.10,
 *   when every frame below the call uses at most 256 bytes of stack): the target replaces the
 *   subprogram's frame, and its exit returns to the subprogram's caller (r6-r9 restored as the
 *   subprogram's exit would). The frame limit (MAX_CALL_FRAMES) counts across the chain: frames
 *   the target calls are stacked above the one it replaced. The 256-byte rule is the verifier's.
 *
 * Each program keeps its own Machine (its constant registers live there); switching copies r0-r10.
 */
import type { RegionAccess } from '../mem/regions.js';
import { MAX_BPF_STACK } from '../uapi/bpf.js';
import type { HelperEnv } from './helpers.js';
import type { DecodedProgram } from './interp-decode.js';
import {
  FRAME_WORDS,
  type LoopState,
  MAY_GOTO_LOOPS,
  Machine,
  runLoop,
  type TailTarget,
} from './interp-run.js';

/** r0-r10: the registers a switch of program carries over (the rest are the program's constants). */
const GPRS = 11;

function copyRegs(from: Machine, to: Machine, count: number): void {
  for (let r = 0; r < count; r++) {
    to.L[r] = from.L[r]!;
    to.H[r] = from.H[r]!;
  }
}

/** A program of the chain that has not exited yet, and the depth of the frame it entered at. */
interface Segment {
  readonly prog: DecodedProgram;
  readonly m: Machine;
  readonly floor: number;
}

/**
 * Continue a run whose loop returned for a tail call (s.tail set) until its outermost exit. `root`
 * is the entry program and its machine (owned by the caller). Returns the machine that holds r0.
 */
export function runTailChain(
  root: TailTarget,
  s: LoopState,
  acc: RegionAccess,
  env: HelperEnv,
  stackTop: number,
  limit: number,
): Machine {
  // One machine per program for the run: a program entered twice shares it, since every switch
  // reloads r0-r10. A program whose machine another run is using gets a new one.
  const machines = new Map<DecodedProgram, Machine>([[root.prog, root.machine]]);
  const borrowed: Machine[] = [];
  const machineOf = (t: TailTarget): Machine => {
    let m = machines.get(t.prog);
    if (m === undefined) {
      m = t.machine.busy ? new Machine(t.prog) : t.machine;
      m.busy = true;
      borrowed.push(m);
      machines.set(t.prog, m);
    }
    return m;
  };
  const chain: Segment[] = [{ prog: root.prog, m: root.machine, floor: 0 }];
  try {
    for (;;) {
      let top = chain[chain.length - 1]!;
      const t = s.tail;
      if (t !== null) {
        s.tail = null;
        const m = machineOf(t);
        if (m !== top.m) copyRegs(top.m, m, GPRS);
        const depth = s.depth;
        const seg: Segment = { prog: t.prog, m, floor: depth };
        // The target replaces the current function: the top segment if that function is its
        // program's entry, else (a subprogram of it) a new segment above.
        if (depth === top.floor) chain[chain.length - 1] = seg;
        else chain.push(seg);
        top = seg;
        const fp = stackTop - depth * MAX_BPF_STACK;
        acc.zero(fp - MAX_BPF_STACK, MAX_BPF_STACK);
        m.L[10] = fp;
        m.H[10] = 0;
        s.pc = 0;
        s.mg = MAY_GOTO_LOOPS;
        s.floor = depth;
      } else {
        // The loop returned at an exit at s.floor: the end of the run, or the end of a program
        // that replaced a subprogram, which returns to that subprogram's caller.
        if (chain.length === 1) return top.m;
        chain.pop();
        const done = top;
        top = chain[chain.length - 1]!;
        // r0 is the result; r1-r5 are as the callee left them, as after any bpf2bpf call.
        if (done.m !== top.m) copyRegs(done.m, top.m, 6);
        returnToCaller(top.m, s, stackTop);
        s.floor = top.floor;
      }
      runLoop(top.prog, top.m, s, acc, env, stackTop, limit);
    }
  } finally {
    s.tail = null;
    for (const m of borrowed) m.busy = false;
  }
}

/** The OP_EXIT of a callee frame (interp-run.ts): restore r6-r9, the return slot, may_goto, r10. */
function returnToCaller(m: Machine, s: LoopState, stackTop: number): void {
  const { L, H } = m;
  const F = s.F;
  const depth = s.depth - 1;
  const f = depth * FRAME_WORDS;
  L[6] = F[f]!;
  H[6] = F[f + 1]!;
  L[7] = F[f + 2]!;
  H[7] = F[f + 3]!;
  L[8] = F[f + 4]!;
  H[8] = F[f + 5]!;
  L[9] = F[f + 6]!;
  H[9] = F[f + 7]!;
  s.pc = F[f + 8]!;
  s.mg = F[f + 9]!;
  s.depth = depth;
  L[10] = stackTop - depth * MAX_BPF_STACK;
  H[10] = 0;
}
