/**
 * The verifier log, in the kernel's style: level 2 prints every processed instruction with the
 * register state after it (and "from X to Y" when a pending branch is taken up); level 1 prints
 * the instructions of the path that failed; every level ends a rejection with the message from the
 * numbered table, the registers that broke the rule, the state, the source line from BTF line
 * info and a one-sentence fix, then the kernel's "processed N insns" summary line.
 */
import { BPF_COMPLEXITY_LIMIT_INSNS } from '../../uapi/bpf.js';
import { formatInsn } from '../disasm.js';
import type { Insn } from '../insn.js';
import type { LogLevel, VerifierLineInfo, VerifyOptions } from './api.js';
import type { VerifierError } from './errors.js';
import { MESSAGES } from './messages.js';
import { curFrame, regStr, stateStr, type VState } from './state.js';

const DEFAULT_LIMIT = 16 * 1024 * 1024;

/** A path of instructions, newest first (shared tails between branches). */
export interface PathNode {
  readonly idx: number;
  readonly prev: PathNode | null;
}

export interface LogStats {
  readonly processed: number;
  readonly maxStatesPerInsn: number;
  readonly totalStates: number;
  readonly peakStates: number;
}

export class VerifierLog {
  readonly level: LogLevel;
  readonly #insns: readonly Insn[];
  readonly #lines: readonly VerifierLineInfo[];
  readonly #funcs: ReadonlyMap<number, string>;
  readonly #limit: number;
  #out: string[] = [];
  #size = 0;
  #truncated = false;
  #lastLine: VerifierLineInfo | null = null;

  constructor(insns: readonly Insn[], opts: VerifyOptions) {
    this.level = opts.logLevel ?? 0;
    this.#insns = insns;
    this.#lines = opts.lineInfo ?? [];
    this.#funcs = opts.funcNames ?? new Map();
    this.#limit = opts.logLimit ?? DEFAULT_LIMIT;
  }

  #put(line: string): void {
    if (this.#truncated) return;
    if (this.#size + line.length + 1 > this.#limit) {
      this.#truncated = true;
      this.#out.push(`... log truncated at ${this.#limit} characters`);
      return;
    }
    this.#size += line.length + 1;
    this.#out.push(line);
  }

  /** The source line instructions at `idx` come from (BTF line info), or null. */
  lineAt(idx: number): VerifierLineInfo | null {
    const l = this.#lines;
    let lo = 0;
    let hi = l.length - 1;
    let best: VerifierLineInfo | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = l[mid]!;
      if (e.insnIndex <= idx) {
        best = e;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /** `N: (code) text`, preceded by `; source @ file:line` when the source line changes. */
  #insnLine(idx: number, suffix = ''): void {
    const fn = this.#funcs.get(idx);
    if (fn !== undefined || idx === 0) this.#put(`func#${fn ?? 'main'} @${idx}`);
    const src = this.lineAt(idx);
    if (src !== null && src !== this.#lastLine) {
      this.#put(`; ${src.text.trim()} @ ${src.file}:${src.line}`);
    }
    this.#lastLine = src;
    const line = this.#insnText(idx);
    this.#put(suffix === '' ? line : `${line.padEnd(40)}; ${suffix}`);
  }

  /** `N: (code) text`. */
  #insnText(idx: number): string {
    const insn = this.#insns[idx]!;
    return `${idx}: (${insn.code.toString(16).padStart(2, '0')}) ${formatInsn(this.#insns, idx).text}`;
  }

  /** Level 2: an instruction and the state after it. */
  step(idx: number, st: VState): void {
    if (this.level >= 2) this.#insnLine(idx, stateStr(st));
  }

  /** Level 2: a pending branch taken up. */
  resume(from: number, to: number, st: VState): void {
    if (this.level >= 2) this.#put(`from ${from} to ${to}: ${stateStr(st)}`);
  }

  /** Level 2: the path ended by pruning. */
  pruned(idx: number): void {
    if (this.level >= 2) this.#put(`${idx}: safe`);
  }

  /** The rejection block (after the failing path at level 1). */
  reject(err: VerifierError, path: PathNode | null, st: VState | null, stats: LogStats | null): void {
    if (this.level === 1 && path !== null) {
      const order: number[] = [];
      for (let p: PathNode | null = path; p !== null; p = p.prev) order.push(p.idx);
      order.reverse();
      this.#lastLine = null;
      for (const idx of order) if (idx !== err.index) this.#insnLine(idx);
    }
    if (err.index < this.#insns.length) {
      if (this.level >= 1) this.#insnLine(err.index);
      else this.#put(this.#insnText(err.index));
    }
    const text = err.message.replace(/^insn \d+: /, '');
    this.#put(text);
    if (st !== null) {
      const regs = curFrame(st).regs;
      for (const r of err.regs) {
        const reg = regs[r];
        if (reg !== undefined) this.#put(`  R${r}=${regStr(reg)}`);
      }
      this.#put(`  state at insn ${err.index}: ${stateStr(st)}`);
    }
    const src = this.lineAt(err.index);
    if (src !== null) this.#put(`  source: ${src.file}:${src.line}:${src.column}: ${src.text.trim()}`);
    this.#put(`  fix (${err.code}): ${MESSAGES[err.code].hint}`);
    if (stats !== null) this.summary(stats);
  }

  summary(s: LogStats): void {
    this.#put(
      `processed ${s.processed} insns (limit ${BPF_COMPLEXITY_LIMIT_INSNS}) max_states_per_insn ${s.maxStatesPerInsn} total_states ${s.totalStates} peak_states ${s.peakStates} mark_read 0`,
    );
  }

  text(): string {
    return this.#out.length === 0 ? '' : `${this.#out.join('\n')}\n`;
  }
}
