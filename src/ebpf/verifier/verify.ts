/**
 * The verifier: path-sensitive abstract interpretation of a program, modelled on the Linux kernel's
 * (do_check): every path from the entry is followed instruction by instruction with the abstract
 * state (state.ts); conditional jumps fork it (branch.ts) and the fork not followed at once waits on
 * a stack; at jump targets the state is compared with the states already explored there (equiv.ts)
 * and the path is pruned when one covers it; a loop coming back to an equal state is infinite;
 * more than maxProcessed instructions is too complex.
 *
 *   const result = verify(insns, { helpers, progType: IOURING_PROG_TYPE, map: tableMaps(table) });
 *
 * Throws VerifierError (code from the numbered table in messages.ts, slot index, log); returns the
 * statistics and the log of an accepted program.
 */
import {
  BPF_ALU,
  BPF_ALU64,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_COMPLEXITY_LIMIT_INSNS,
  BPF_DW,
  BPF_EXIT,
  BPF_FETCH,
  BPF_JA,
  BPF_JCOND,
  BPF_JMP,
  BPF_JMP32,
  BPF_LD,
  BPF_LDX,
  BPF_MEM,
  BPF_MEMSX,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
  BPF_ST,
  BPF_STX,
  BPF_W,
  BPF_X,
  MAX_BPF_STACK,
} from '../../uapi/bpf.js';
import {
  type Insn,
  insnClass,
  isLddw,
  jmpOp,
  lddwValue,
  memMode,
  memSize,
  sizeBytes,
  srcBit,
} from '../insn.js';
import { checkAlu, readReg, writeReg } from './alu.js';
import type { VerifyOptions, VerifyResult } from './api.js';
import { checkCondJmp } from './branch.js';
import { checkHelperCall, enterCall, leaveCall } from './calls.js';
import { checkProgramStructure, type ProgramCfg } from './cfg.js';
import { checkEncoding, checkMapLddw } from './encoding.js';
import { type Env, fail } from './env.js';
import { fingerprint, IdMap, lastMismatch, statesEqual, widenLoopState } from './equiv.js';
import { VerifierError } from './errors.js';
import { liveIn } from './liveness.js';
import { type PathNode, VerifierLog } from './log.js';
import { checkMemAccess, sizedUnknown } from './memory.js';
import { type Checkpoint, histEntry, markPrecise, propagatePrecision } from './precision.js';
import { scalarStr } from './scalar.js';
import {
  clearSingularIds,
  constReg,
  copyState,
  isPointer,
  newFrame,
  ptrReg,
  regStr,
  scalarReg,
  type VState,
} from './state.js';

interface Pending {
  readonly st: VState;
  readonly idx: number;
  readonly from: number;
  readonly parent: Checkpoint | null;
  readonly path: PathNode | null;
  readonly hist: number[];
}

/** Most instructions of a path between two stored states (see #segment). */
const MAX_SEGMENT = 256;

/**
 * Most fully explored states kept at one instruction for pruning; past it the one that pruned least
 * is forgotten. (The kernel also forgets a state after 3 misses per hit; here that made a 20-slot
 * search loop with break and continue explode past 1M instructions, its (iteration, slot found)
 * states being evicted before the paths that join them arrive, so it is not done.)
 */
const MAX_DONE_STATES = 256;

/** Most states of paths still being explored kept at one instruction (iterations of a loop). */
const MAX_LOOP_STATES = 1024;

/** Stack bytes of a frame count in multiples of 32 toward the combined limit (the kernel's round_up). */
const FRAME_ROUND = 32;

function isMayGoto(insn: Insn): boolean {
  return insn.code === (BPF_JMP | BPF_JCOND);
}

export function verify(insns: readonly Insn[], options: VerifyOptions): VerifyResult {
  const log = new VerifierLog(insns, options);
  let cfg: ProgramCfg;
  try {
    checkEncoding(insns, options.helpers, options.map);
    cfg = checkProgramStructure(insns);
  } catch (e) {
    if (e instanceof VerifierError) {
      log.reject(e, null, null, null);
      e.log = log.text();
    }
    throw e;
  }
  return new Walk(insns, options, cfg, log).run();
}

/** verify(), naming `program` in the VerifierError it throws (the loaders' entry point). */
export function verifyNamed(program: string, insns: readonly Insn[], options: VerifyOptions): VerifyResult {
  try {
    return verify(insns, options);
  } catch (e) {
    if (e instanceof VerifierError) e.program = program;
    throw e;
  }
}

class Walk {
  readonly #insns: readonly Insn[];
  readonly #opts: VerifyOptions;
  readonly #cfg: ProgramCfg;
  readonly #log: VerifierLog;
  readonly #live: Int32Array;
  readonly #limit: number;
  readonly #explored: (Checkpoint[] | undefined)[];
  readonly #pending: Pending[] = [];
  readonly #env: Env;
  #parent: Checkpoint | null = null;
  #path: PathNode | null = null;
  /** History (precision.ts histEntry) of the current path since the last stored state. */
  #hist: number[] = [];
  #processed = 0;
  /** Jump-class instructions processed, and both counters when the last state was stored. */
  #jumps = 0;
  #jumpsAtCp = 0;
  #processedAtCp = 0;
  #totalStates = 0;
  #curStates = 0;
  #peakStates = 0;
  #maxPerInsn = 0;
  #lastId = 0;
  readonly #ids = new IdMap();

  constructor(insns: readonly Insn[], opts: VerifyOptions, cfg: ProgramCfg, log: VerifierLog) {
    this.#insns = insns;
    this.#opts = opts;
    this.#cfg = cfg;
    this.#log = log;
    this.#live = liveIn(insns, opts.helpers);
    this.#limit = opts.maxProcessed ?? BPF_COMPLEXITY_LIMIT_INSNS;
    this.#explored = new Array(insns.length);
    const main = newFrame(-1, 0, 0);
    main.regs[1] = ptrReg('ctx');
    this.#env = {
      opts,
      insns,
      cur: { frames: [main], refs: [], mayGotoDepth: 0 },
      idx: 0,
      depth: new Array<number>(cfg.subprogs.length).fill(0),
      nextId: () => ++this.#lastId,
      stackRef: -1,
      markPrecise: (regs) => markPrecise(insns, this.#env.cur, this.#hist, this.#parent, regs),
    };
  }

  run(): VerifyResult {
    const env = this.#env;
    try {
      this.#walk();
      this.#checkCombinedStack();
    } catch (e) {
      if (e instanceof VerifierError) {
        this.#log.reject(e, this.#path, env.cur, this.#stats());
        e.log = this.#log.text();
      }
      throw e;
    }
    if (this.#log.level >= 1) this.#log.summary(this.#stats());
    return {
      ...this.#stats(),
      stackDepth: env.depth.slice(),
      log: this.#log.text(),
    };
  }

  #stats() {
    return {
      processed: this.#processed,
      maxStatesPerInsn: this.#maxPerInsn,
      totalStates: this.#totalStates,
      peakStates: this.#peakStates,
    };
  }

  /* ---------------------------------------------------------------- paths */

  #push(st: VState, idx: number): void {
    this.#pending.push({
      st,
      idx,
      from: this.#env.idx,
      parent: this.#parent,
      path: this.#path,
      hist: this.#hist.slice(),
    });
    if (this.#parent !== null) this.#parent.branches++;
  }

  /** The current path ended (exit of the program, or pruned). */
  #endPath(): void {
    let c = this.#parent;
    while (c !== null) {
      c.branches--;
      if (c.branches > 0) break;
      c = c.parent;
    }
  }

  /** Take up the next pending path; false when none is left. */
  #resume(): boolean {
    const p = this.#pending.pop();
    if (p === undefined) return false;
    const env = this.#env;
    env.cur = p.st;
    env.idx = p.idx;
    this.#parent = p.parent;
    this.#path = p.path;
    this.#hist = p.hist;
    this.#log.resume(p.from, p.idx, p.st);
    return true;
  }

  #isAncestor(cp: Checkpoint): boolean {
    for (let c = this.#parent; c !== null; c = c.parent) if (c === cp) return true;
    return false;
  }

  /** Whether register r of frame k may be read later. */
  #liveAt(idx: number): (k: number, r: number) => boolean {
    const frames = this.#env.cur.frames;
    const top = frames.length - 1;
    return (k, r) => {
      if (k === top) return ((this.#live[idx]! >> r) & 1) === 1;
      if (r < 6) return false;
      const after = frames[k + 1]!.callsite + 1;
      return ((this.#live[after]! >> r) & 1) === 1;
    };
  }

  /** At a prune point: true if the path can stop here (an explored state covers it). */
  #visit(idx: number): boolean {
    const env = this.#env;
    const cur = env.cur;
    const live = this.#liveAt(idx);
    let list = this.#explored[idx];
    if (list === undefined) {
      list = [];
      this.#explored[idx] = list;
    }
    const mayGoto = isMayGoto(this.#insns[idx]!);
    const ids = this.#ids;
    // Links held by one register only link nothing; dropped first so that they cannot make equal
    // states look different (stored states have them dropped too).
    clearSingularIds(cur);
    let fp: number | null = null;
    if (mayGoto) {
      // The nearest iteration in progress: covered → pruned; same shape → widened (equiv.ts).
      for (let k = list.length - 1; k >= 0; k--) {
        const cp = list[k]!;
        if (cp.branches === 0 || !this.#isAncestor(cp)) continue;
        if (statesEqual(cp.state, cur, live, 'all', ids)) return true;
        widenLoopState(cp.state, cur, live);
        break;
      }
    }
    let inProgress = 0;
    let duplicate = false;
    for (let k = 0; k < list.length; k++) {
      const cp = list[k]!;
      if (cp.branches > 0) {
        inProgress++;
        fp ??= fingerprint(cur, live);
        if (cp.fp === fp && statesEqual(cp.state, cur, live, 'exact', ids)) {
          if (this.#isAncestor(cp)) {
            fail(
              env,
              'V072_INFINITE_LOOP',
              { index: idx },
              'the loop comes back to the same state; no iteration bound',
            );
          }
          duplicate = true; // an equal state is stored already (another path's): store none
        }
        continue;
      }
      if (statesEqual(cp.state, cur, live, 'precise', ids, cp.hint)) {
        cp.hits++;
        propagatePrecision(this.#insns, cp.state, cur, this.#hist, this.#parent);
        return true;
      }
      cp.hint = lastMismatch();
    }
    // Bounded memory and comparison work per instruction: a long loop keeps its first iterations
    // as checkpoints (for infinite-loop detection); later ones are only walked.
    if (inProgress >= MAX_LOOP_STATES || duplicate) return false;
    if (list.length - inProgress >= MAX_DONE_STATES) {
      // Bounded comparison work: forget the explored state that pruned least (oldest first).
      let worst = -1;
      for (let k = 0; k < list.length; k++) {
        const c = list[k]!;
        if (c.branches === 0 && (worst < 0 || c.hits < list[worst]!.hits)) worst = k;
      }
      if (worst >= 0) {
        list.splice(worst, 1);
        this.#curStates--;
      }
    }
    // As the kernel: store a new state only after at least 2 jumps and 8 instructions since the
    // last one (at may_goto always, which its loops need to converge); comparisons happen anyway.
    if (!mayGoto && (this.#jumps - this.#jumpsAtCp < 2 || this.#processed - this.#processedAtCp < 8))
      return false;
    this.#jumpsAtCp = this.#jumps;
    this.#processedAtCp = this.#processed;
    const cp: Checkpoint = {
      state: copyState(cur),
      insn: idx,
      hist: this.#hist,
      branches: 1,
      parent: this.#parent,
      hits: 0,
      hint: -1,
      fp: fingerprint(cur, live),
    };
    list.push(cp);
    this.#parent = cp;
    this.#hist = [];
    this.#totalStates++;
    this.#curStates++;
    if (this.#curStates > this.#peakStates) this.#peakStates = this.#curStates;
    if (list.length > this.#maxPerInsn) this.#maxPerInsn = list.length;
    return false;
  }

  /**
   * Store the state at `idx` in the path's chain only (not for pruning), so that precision
   * backtracking walks at most MAX_SEGMENT instructions before a stored state (a long loop past
   * MAX_LOOP_STATES iterations stores no states of its own).
   */
  #segment(idx: number): void {
    const cur = this.#env.cur;
    this.#parent = {
      state: copyState(cur),
      insn: idx,
      hist: this.#hist,
      branches: 1,
      parent: this.#parent,
      hits: 0,
      hint: -1,
      fp: 0,
    };
    this.#hist = [];
  }

  /* ---------------------------------------------------------------- the walk */

  #walk(): void {
    const env = this.#env;
    const insns = this.#insns;
    const trackPath = this.#log.level >= 1;
    for (;;) {
      const idx = env.idx;
      if (++this.#processed > this.#limit) {
        fail(env, 'V073_TOO_COMPLEX', { processed: this.#processed }, `the limit is ${this.#limit}`);
      }
      if ((this.#cfg.jumpTarget[idx] || isMayGoto(insns[idx]!)) && this.#visit(idx)) {
        this.#log.pruned(idx);
        this.#endPath();
        if (!this.#resume()) return;
        continue;
      }
      if (trackPath) this.#path = { idx, prev: this.#path };
      const insn = insns[idx]!;
      env.stackRef = -1;
      const next = this.#step(insn, idx);
      this.#hist.push(histEntry(idx, env.stackRef));
      this.#log.step(idx, env.cur);
      if (next >= 0) {
        env.idx = next;
        if (this.#hist.length >= MAX_SEGMENT) this.#segment(next);
        continue;
      }
      this.#endPath();
      if (!this.#resume()) return;
    }
  }

  /** Check one instruction; returns the slot to go on at, or -1 when the path ends. */
  #step(insn: Insn, idx: number): number {
    const env = this.#env;
    const cls = insnClass(insn.code);
    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64:
        checkAlu(env, insn);
        return idx + 1;
      case BPF_LDX: {
        const mode = memMode(insn.code);
        if (mode !== BPF_MEM && mode !== BPF_MEMSX) this.#bad(`ldx mode 0x${mode.toString(16)}`);
        readReg(env, insn.src);
        const size = sizeBytes(memSize(insn.code));
        const v = checkMemAccess(env, insn.src, insn.off, size, 'read', null, mode === BPF_MEMSX);
        writeReg(env, insn.dst, v);
        return idx + 1;
      }
      case BPF_ST:
      case BPF_STX:
        this.#store(insn, cls === BPF_STX);
        return idx + 1;
      case BPF_LD:
        this.#ld(insn, idx);
        return idx + 2;
      default:
        this.#jumps++;
        return this.#jmp(insn, idx, cls === BPF_JMP32);
    }
  }

  #bad(what: string): never {
    return fail(this.#env, 'V012_BAD_INSN', { what }, 'expected an instruction a verified program may use');
  }

  #store(insn: Insn, isStx: boolean): void {
    const env = this.#env;
    const mode = memMode(insn.code);
    const size = sizeBytes(memSize(insn.code));
    readReg(env, insn.dst);
    if (!isStx) {
      if (mode !== BPF_MEM) this.#bad(`st mode 0x${mode.toString(16)}`);
      checkMemAccess(env, insn.dst, insn.off, size, 'write', constReg(BigInt(insn.imm)));
      return;
    }
    const value = readReg(env, insn.src);
    if (mode === BPF_MEM) {
      checkMemAccess(env, insn.dst, insn.off, size, 'write', value);
      return;
    }
    if (mode !== BPF_ATOMIC) this.#bad(`stx mode 0x${mode.toString(16)}`);
    const sz = memSize(insn.code);
    if (sz !== BPF_W && sz !== BPF_DW) {
      fail(env, 'V043_ATOMIC', { what: `of ${size} bytes` }, 'expected 4 or 8 bytes');
    }
    if (isPointer(value)) {
      fail(
        env,
        'V041_PTR_LEAK',
        { reg: insn.src, where: 'mem' },
        `expected a scalar, found ${regStr(value)}`,
        [insn.src],
      );
    }
    if (insn.imm === BPF_CMPXCHG) {
      const r0 = readReg(env, 0);
      if (isPointer(r0)) {
        fail(env, 'V041_PTR_LEAK', { reg: 0, where: 'mem' }, `expected a scalar, found ${regStr(r0)}`, [0]);
      }
    }
    checkMemAccess(env, insn.dst, insn.off, size, 'atomic', null);
    const loaded = scalarReg(sizedUnknown(size));
    if (insn.imm === BPF_CMPXCHG) writeReg(env, 0, loaded);
    else if (insn.imm & BPF_FETCH) writeReg(env, insn.src, loaded);
  }

  #ld(insn: Insn, idx: number): void {
    const env = this.#env;
    if (!isLddw(insn)) this.#bad('legacy packet access (BPF_LD | BPF_ABS / BPF_IND)');
    const hi = this.#insns[idx + 1]!;
    switch (insn.src) {
      case 0:
        writeReg(env, insn.dst, constReg(lddwValue(insn, hi)));
        return;
      case BPF_PSEUDO_MAP_FD:
      case BPF_PSEUDO_MAP_VALUE: {
        // checkEncoding checked every map lddw already.
        const map = checkMapLddw(insn, hi, idx, this.#opts.map);
        if (insn.src === BPF_PSEUDO_MAP_FD) {
          writeReg(env, insn.dst, ptrReg('map_ptr', { map }));
          return;
        }
        const off = hi.imm;
        writeReg(env, insn.dst, ptrReg('map_value', { map, off, rdonly: map.readonly }));
        return;
      }
      default:
        fail(env, 'V013_BAD_LDDW', { what: `unsupported pseudo source ${insn.src}` }, 'expected 0, 1 or 2');
    }
  }

  #jmp(insn: Insn, idx: number, jmp32: boolean): number {
    const env = this.#env;
    const op = jmpOp(insn.code);
    if (!jmp32 && op === BPF_CALL) {
      if (srcBit(insn.code) === BPF_X) this.#bad('callx (indirect call through a register)');
      if (insn.src === BPF_PSEUDO_CALL) {
        const target = idx + insn.imm + 1;
        enterCall(env, this.#cfg.subprogOf[target]!);
        return target;
      }
      if (insn.src !== 0) this.#bad('kfunc call');
      checkHelperCall(env, insn);
      return idx + 1;
    }
    if (!jmp32 && op === BPF_EXIT) {
      if (env.cur.frames.length > 1) return leaveCall(env);
      this.#checkExit();
      return -1;
    }
    if (op === BPF_JA) return idx + 1 + (jmp32 ? insn.imm : insn.off);
    if (op === BPF_JCOND) {
      this.#push(copyState(env.cur), idx + 1 + insn.off);
      env.cur.mayGotoDepth++;
      return idx + 1;
    }
    const { fall, taken } = checkCondJmp(env, insn);
    if (fall !== null && taken !== null) {
      this.#push(taken, idx + 1 + insn.off);
      env.cur = fall;
      return idx + 1;
    }
    if (fall !== null) {
      env.cur = fall;
      return idx + 1;
    }
    if (taken !== null) {
      env.cur = taken;
      return idx + 1 + insn.off;
    }
    return -1;
  }

  #checkExit(): void {
    const env = this.#env;
    const r0 = readReg(env, 0);
    if (isPointer(r0)) fail(env, 'V071_RETURN_PTR', {}, `found R0=${regStr(r0)}`, [0]);
    const range = this.#opts.progType.retRange;
    if (range !== null) {
      env.markPrecise(1);
      const [lo, hi] = range;
      if (r0.s.smin < lo || r0.s.smax > hi) {
        fail(
          env,
          'V070_BAD_RETURN',
          { value: scalarStr(r0.s), range: `[${lo}, ${hi}]` },
          `the ${this.#opts.progType.name} program type requires it`,
          [0],
        );
      }
    }
    const ref = env.cur.refs[0];
    if (ref !== undefined) {
      fail(
        env,
        'V058_UNRELEASED_REF',
        { id: ref.id, at: ref.at },
        'expected every reservation submitted or discarded',
      );
    }
  }

  /** The kernel's check_max_stack_depth: the stacks of any call chain share 512 bytes. */
  #checkCombinedStack(): void {
    const { subprogs } = this.#cfg;
    const depth = this.#env.depth;
    const frame = (s: number): number => Math.ceil(Math.max(depth[s] ?? 0, 1) / FRAME_ROUND) * FRAME_ROUND;
    const walk = (s: number, total: number, calls: number): void => {
      const t = total + frame(s);
      if (t > MAX_BPF_STACK) {
        this.#env.idx = subprogs[s]!.start;
        fail(
          this.#env,
          'V060_STACK_TOO_LARGE',
          { calls, size: t },
          `expected at most ${MAX_BPF_STACK} bytes over the call chain (each frame rounded up to ${FRAME_ROUND})`,
        );
      }
      for (const c of subprogs[s]!.callees) walk(c, t, calls + 1);
    };
    walk(0, 0, 1);
  }
}
