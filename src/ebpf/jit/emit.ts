/**
 * Code generation for one eBPF function: the instructions of its blocks as wasm, laid out by the
 * structure() tree. compile.ts builds the module around it; the module comment there gives the
 * function signatures, imports and the run-time contract.
 *
 * Locals: params 0-9 are r0-r9, 10 is r10 (the frame pointer), 11 the frame depth (i32); then two i64
 * temporaries, the dispatch label, an i32 temporary and the may_goto counter.
 */
import {
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ATOMIC,
  BPF_B,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DW,
  BPF_FETCH,
  BPF_H,
  BPF_JCOND,
  BPF_JMP,
  BPF_LDX,
  BPF_MAX_LOOPS,
  BPF_MEMSX,
  BPF_OR,
  BPF_ST,
  BPF_STX,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
  MAX_BPF_STACK,
  MAX_CALL_FRAMES,
} from '../../uapi/bpf.js';
import type { HelperDef } from '../helpers.js';
import {
  type Insn,
  insnClass,
  isLddw,
  isLocalCall,
  jmpOp,
  memMode,
  memSize,
  sizeBytes,
  srcBit,
} from '../insn.js';
import { emitAlu, emitCompare, TMP32 } from './emit-alu.js';
import type { Exit, StructNode } from './structure.js';
import { CodeBuilder } from './wasm/code.js';

/** Fault codes passed to the `fault` import (index = the number). */
export const FAULT_CODES = [
  'E_FAULT_MEM',
  'E_FAULT_ALIGN',
  'E_FAULT_END',
  'E_STACK_OVERFLOW',
  'E_BUDGET',
] as const;
export const F_MEM = 0;
export const F_ALIGN = 1;
export const F_END = 2;
export const F_STACK = 3;
export const F_BUDGET = 4;

export const NULL_PAGE = 4096;

/** Local indices (13 is T1 and 15 TMP32, in emit-alu.ts). */
export const FP = 10;
export const DEPTH = 11;
const T0 = 12;
const LABEL = 14;
const MG = 16;
/** Counting: the run's instruction count and budget, kept in locals between calls. */
const CNT = 17;
const LIM = 18;
export const FUNC_LOCALS = ['i64', 'i64', 'i32', 'i32', 'i32', 'i64', 'i64'] as const;
export const FUNC_LOCAL_NAMES = [
  'r0',
  'r1',
  'r2',
  'r3',
  'r4',
  'r5',
  'r6',
  'r7',
  'r8',
  'r9',
  'r10',
  'depth',
  't0',
  't1',
  'label',
  'tmp32',
  'mg',
  'n',
  'limit',
];

/** A memory access site: where a trap there comes from. */
export interface Site {
  /** Offset in the function body (compile.ts makes it absolute in the module). */
  offset: number;
  readonly pc: number;
  /** Instructions of the block after this one (not executed when it faults). */
  readonly excess: number;
  readonly kind: 'load' | 'store' | 'atomic';
}

/** The inlined form of a lookup in an ARRAY map (HelperDef.inlineArrayLookup). */
export interface ArrayLayout {
  readonly valueBase: number;
  readonly maxEntries: number;
  /** Bytes between values (value_size rounded up to 8). */
  readonly stride: number;
}

export interface EmitContext {
  readonly insns: readonly Insn[];
  /** The 64-bit value of the lddw at a slot (pseudo sources resolved). */
  lddwValue(pc: number): bigint;
  /** The helper a `call imm` at a slot calls. */
  helperAt(pc: number): HelperDef;
  /** Function index of the import for helper `def` (plain calls). */
  helperImport(def: HelperDef): number;
  /** The layout of the ARRAY lookup inlined at `pc`, if it is. */
  inlineAt(pc: number): ArrayLayout | undefined;
  /** Function index of the eBPF function entered at `slot`. */
  functionIndex(slot: number): number;
  readonly imports: { readonly fault: number; readonly tailHelper: number };
  /** Globals: memEnd (guards), n and limit (count). */
  readonly globals: { readonly memEnd: number; readonly n: number; readonly limit: number };
  readonly guards: boolean;
  readonly count: boolean;
  readonly mayGotoReserve: number;
  /** Keep the instructions for WAT text. */
  readonly text: boolean;
  /** Whether a helper may start a tail call (its calls go through the tail-call import). */
  tailCapable(def: HelperDef): boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Load/store width suffixes by BPF size ('' = 64 bits). */
const MEM_SUFFIX: Readonly<Record<number, string>> = { [BPF_B]: '8', [BPF_H]: '16', 0: '32', [BPF_DW]: '' };

/** Atomic read-modify-write operations by imm (without BPF_FETCH). */
const ATOMIC_OPS: Readonly<Record<number, string>> = {
  [BPF_ADD]: 'add',
  [BPF_OR]: 'or',
  [BPF_AND]: 'and',
  [BPF_XOR]: 'xor',
  [BPF_XCHG & ~BPF_FETCH]: 'xchg',
};

export class FunctionEmitter {
  readonly c: CodeBuilder;
  readonly sites: Site[] = [];
  readonly #x: EmitContext;
  readonly #starts: readonly number[];
  readonly #ends: readonly number[];
  readonly #blocks: readonly number[];
  /** Excess of the instruction being emitted. */
  #excess = 0;
  #pc = 0;

  constructor(x: EmitContext, starts: readonly number[], ends: readonly number[], blocks: readonly number[]) {
    this.c = new CodeBuilder({ text: x.text });
    this.#x = x;
    this.#starts = starts;
    this.#ends = ends;
    this.#blocks = blocks;
  }

  get(r: number): void {
    this.c.op('local.get', r);
  }
  set(r: number): void {
    this.c.op('local.set', r);
  }

  /** `fault(code, pc, excess, addr in T0 or 0)`, which throws. */
  fault(code: number, pc: number, excess: number, addr: boolean): void {
    const c = this.c;
    this.#flush();
    c.op('i32.const', code).op('i32.const', pc).op('i32.const', excess);
    if (addr) c.op('local.get', T0);
    else c.op('i64.const', 0n);
    c.op('call', this.#x.imports.fault).op('unreachable');
  }

  /** The prologue: the may_goto counter when the function has a may_goto; the count and budget. */
  prologue(hasMayGoto: boolean): void {
    if (hasMayGoto) this.c.op('i32.const', BPF_MAX_LOOPS).op('local.set', MG);
    if (this.#x.count) {
      this.c.op('global.get', this.#x.globals.n).op('local.set', CNT);
      this.c.op('global.get', this.#x.globals.limit).op('local.set', LIM);
    }
  }

  /**
   * Counting keeps the run's count in a local (a register, not a global's memory): it goes to the
   * global `n` before anything that reads it (faults, returns; calls: #beforeCall/#afterCall).
   */
  #flush(): void {
    if (this.#x.count) this.c.op('local.get', CNT).op('global.set', this.#x.globals.n);
  }

  /**
   * Push the i32 address of [r + off, +size) for an access of `kind`. With guards: a fault unless the
   * bytes lie in [4 KiB, end of memory) (and, for atomics, are naturally aligned). Without: the low
   * 32 bits of r + off; the memory's own bounds trap beyond its end.
   * Returns the memarg offset to use.
   */
  addr(r: number, off: number, size: number, kind: Site['kind']): number {
    const c = this.c;
    const x = this.#x;
    if (x.guards) {
      this.get(r);
      if (off !== 0) c.op('i64.const', BigInt(off)).op('i64.add');
      c.op('local.tee', T0);
      c.op('i64.const', BigInt(NULL_PAGE)).op('i64.sub');
      c.op('global.get', x.globals.memEnd)
        .op('i64.const', BigInt(NULL_PAGE + size))
        .op('i64.sub');
      c.op('i64.gt_u').op('if');
      this.fault(F_MEM, this.#pc, this.#excess, true);
      c.op('end');
      if (kind === 'atomic') {
        c.op('local.get', T0)
          .op('i32.wrap_i64')
          .op('i32.const', size - 1)
          .op('i32.and')
          .op('if');
        this.fault(F_ALIGN, this.#pc, this.#excess, true);
        c.op('end');
      }
      c.op('local.get', T0).op('i32.wrap_i64');
      return 0;
    }
    this.get(r);
    c.op('i32.wrap_i64');
    if (off >= 0) return off;
    c.op('i32.const', off).op('i32.add');
    return 0;
  }

  /** Record the next instruction (the access) as a site a trap can come from. */
  site(kind: Site['kind']): void {
    this.sites.push({ offset: this.c.size, pc: this.#pc, excess: this.#excess, kind });
  }

  mem(insn: Insn): void {
    const c = this.c;
    const cls = insnClass(insn.code);
    const size = sizeBytes(memSize(insn.code));
    const sz = MEM_SUFFIX[memSize(insn.code)] ?? '';
    const align = Math.log2(size);
    if (cls === BPF_LDX) {
      const moff = this.addr(insn.src, insn.off, size, 'load');
      const sx = memMode(insn.code) === BPF_MEMSX;
      this.site('load');
      c.op(sz === '' ? 'i64.load' : `i64.load${sz}_${sx ? 's' : 'u'}`, moff, align);
      this.set(insn.dst);
      return;
    }
    if (cls === BPF_STX && memMode(insn.code) === BPF_ATOMIC) {
      this.atomic(insn, size);
      return;
    }
    const moff = this.addr(insn.dst, insn.off, size, 'store');
    if (cls === BPF_ST) c.op('i64.const', BigInt(insn.imm));
    else this.get(insn.src);
    this.site('store');
    c.op(`i64.store${sz}`, moff, align);
  }

  /** BPF_ATOMIC: [dst + off] op= src, with FETCH into src, XCHG, CMPXCHG with r0. */
  atomic(insn: Insn, size: number): void {
    const c = this.c;
    const w = size === 8 ? '' : '32';
    const u = size === 8 ? '' : '_u';
    const moff = this.addr(insn.dst, insn.off, size, 'atomic');
    const align = size === 8 ? 3 : 2;
    if (insn.imm === BPF_CMPXCHG) {
      this.get(0);
      this.get(insn.src);
      this.site('atomic');
      c.op(`i64.atomic.rmw${w}.cmpxchg${u}`, moff, align);
      this.set(0);
      return;
    }
    const name = ATOMIC_OPS[insn.imm & ~BPF_FETCH];
    if (name === undefined) throw new Error(`jit: unknown atomic operation ${hex(insn.imm)}`);
    this.get(insn.src);
    this.site('atomic');
    c.op(`i64.atomic.rmw${w}.${name}${u}`, moff, align);
    if ((insn.imm & BPF_FETCH) !== 0) this.set(insn.src);
    else c.op('drop');
  }

  /** Push the i32 condition of a conditional jump (true when taken). */
  cond(insn: Insn): void {
    if (jmpOp(insn.code) === BPF_JCOND) this.mayGoto();
    else emitCompare(this.c, insn);
  }

  /**
   * may_goto: taken when the frame's counter is 0 (or, counting, when fewer than the reserve of
   * instructions are left in the budget); otherwise the counter goes down by one.
   */
  mayGoto(): void {
    const c = this.c;
    const x = this.#x;
    c.op('local.get', MG).op('i32.eqz');
    if (x.count && x.mayGotoReserve > 0) {
      c.op('local.get', LIM).op('local.get', CNT).op('i64.sub');
      c.op('i64.const', BigInt(x.mayGotoReserve)).op('i64.lt_s').op('i32.or');
    }
    c.op('if', 'i32').op('i32.const', 1).op('else');
    c.op('local.get', MG).op('i32.const', 1).op('i32.sub').op('local.set', MG);
    c.op('i32.const', 0).op('end');
  }

  /** A call instruction (helper, callx or bpf2bpf) at `pc`. */
  call(insn: Insn, pc: number): void {
    const c = this.c;
    const x = this.#x;
    if (isLocalCall(insn)) {
      const target = pc + 1 + insn.imm;
      c.op('local.get', DEPTH)
        .op('i32.const', MAX_CALL_FRAMES - 1)
        .op('i32.ge_u')
        .op('if');
      this.fault(F_STACK, pc, this.#excess, false);
      c.op('end');
      if (x.guards) {
        // The callee's frame is zeroed, as the interpreter does for every frame it enters.
        c.op('local.get', FP)
          .op('i32.wrap_i64')
          .op('i32.const', 2 * MAX_BPF_STACK)
          .op('i32.sub');
        c.op('i32.const', 0).op('i32.const', MAX_BPF_STACK).op('memory.fill');
      }
      for (let r = 0; r < 10; r++) this.get(r);
      c.op('local.get', FP).op('i64.const', BigInt(MAX_BPF_STACK)).op('i64.sub');
      c.op('local.get', DEPTH).op('i32.const', 1).op('i32.add');
      this.#beforeCall();
      c.op('call', x.functionIndex(target));
      this.#afterCall();
      for (let r = 5; r >= 0; r--) this.set(r);
      return;
    }
    const callx = srcBit(insn.code) === BPF_X;
    const def = callx ? null : x.helperAt(pc);
    if (def !== null && !x.tailCapable(def)) {
      if (this.#inline(pc)) return;
      c.op('i32.const', pc);
      for (let r = 1; r <= 5; r++) this.get(r);
      this.#beforeCall();
      c.op('call', x.helperImport(def));
      this.#afterCall();
      this.set(0);
      return;
    }
    // callx and tail-call helpers: (pc, id, r1-r9, fp, depth) -> (tailed, r0-r5). After a tail call
    // the function returns what the target returned; the rest of this block never runs, so it stays
    // uncounted (the global already holds the target's count).
    c.op('i32.const', pc);
    if (def !== null) c.op('i64.const', BigInt(def.id));
    else this.get(insn.dst);
    for (let r = 1; r <= 9; r++) this.get(r);
    c.op('local.get', FP).op('local.get', DEPTH);
    this.#beforeCall();
    c.op('call', x.imports.tailHelper);
    for (let r = 5; r >= 0; r--) this.set(r);
    c.op('if');
    for (let r = 0; r <= 5; r++) this.get(r);
    c.op('return').op('end');
    this.#afterCall();
  }

  /**
   * Counting, around a call: the block's instructions after the call were counted at its start, so
   * the global gets the count without them (what the callee, a helper's fault or a tail call's
   * target must see); after the call the local reloads it and adds them back, checked against the
   * budget again (the callee may have used it: E_BUDGET at the next slot).
   */
  #beforeCall(): void {
    const x = this.#x;
    if (!x.count) return;
    const c = this.c;
    c.op('local.get', CNT);
    if (this.#excess > 0) c.op('i64.const', BigInt(this.#excess)).op('i64.sub');
    c.op('global.set', x.globals.n);
  }
  #afterCall(): void {
    const x = this.#x;
    if (!x.count) return;
    const c = this.c;
    c.op('global.get', x.globals.n);
    if (this.#excess === 0) {
      c.op('local.set', CNT);
      return;
    }
    c.op('i64.const', BigInt(this.#excess)).op('i64.add').op('local.tee', CNT);
    this.#overBudget(this.#pc + 1, this.#excess);
  }

  /** With the count on the stack: E_BUDGET at `pc` when it passes the budget. */
  #overBudget(pc: number, excess: number): void {
    const c = this.c;
    c.op('local.get', LIM).op('i64.gt_u').op('if');
    this.fault(F_BUDGET, pc, excess, false);
    c.op('end');
  }

  /** An inlined ARRAY lookup: r0 = key < max_entries ? base + key * stride : 0 (key: u32 at r2). */
  #inline(pc: number): boolean {
    const layout = this.#x.inlineAt(pc);
    if (layout === undefined) return false;
    const c = this.c;
    const moff = this.addr(2, 0, 4, 'load');
    this.site('load');
    c.op('i32.load', moff, 2).op('local.tee', TMP32);
    c.op('i32.const', layout.maxEntries).op('i32.lt_u').op('if', 'i64');
    c.op('local.get', TMP32).op('i64.extend_i32_u');
    c.op('i64.const', BigInt(layout.stride)).op('i64.mul');
    c.op('i64.const', BigInt(layout.valueBase)).op('i64.add');
    c.op('else').op('i64.const', 0n).op('end');
    this.set(0);
    return true;
  }

  /** Count the block's instructions; a budget fault before the block when they exceed it. */
  #countBlock(first: number, len: number): void {
    this.c.op('local.get', CNT).op('i64.const', BigInt(len)).op('i64.add').op('local.tee', CNT);
    this.#overBudget(first, len);
  }

  /** The straight-line part of block [start, end) and the index of its last instruction. */
  body(start: number, end: number): number {
    const insns = this.#x.insns;
    let len = 0;
    for (let pc = start; pc < end; pc += isLddw(insns[pc] as Insn) ? 2 : 1) len++;
    if (this.#x.count) this.#countBlock(start, len);
    let last = start;
    let k = 0;
    for (let pc = start; pc < end; pc++) {
      const insn = insns[pc] as Insn;
      last = pc;
      this.#pc = pc;
      this.#excess = len - ++k;
      if (isLddw(insn)) {
        this.c.op('i64.const', BigInt.asIntN(64, this.#x.lddwValue(pc)));
        this.set(insn.dst);
        pc++;
        continue;
      }
      const cls = insnClass(insn.code);
      if (cls === BPF_ALU || cls === BPF_ALU64) emitAlu(this.c, insn, pc);
      else if (cls === BPF_LDX || cls === BPF_ST || cls === BPF_STX) this.mem(insn);
      else if (jmpOp(insn.code) === BPF_CALL) this.call(insn, pc);
    }
    return last;
  }

  goto(label: number, depth: number): void {
    this.c.op('i32.const', label).op('local.set', LABEL).op('br', depth);
  }

  /** One unconditional edge. */
  edge(e: Exit): void {
    if (e.kind === 'br') this.c.op('br', e.depth);
    else if (e.kind === 'goto') this.goto(e.label, e.depth);
  }

  terminator(insn: Insn, exits: readonly Exit[]): void {
    const c = this.c;
    if (exits.length === 0) {
      // An exit: r0 is the result; r1-r5 go back too (the caller sees them as the callee left them).
      this.#flush();
      for (let r = 0; r <= 5; r++) this.get(r);
      c.op('return');
      return;
    }
    const [ef, et] = exits;
    if (ef === undefined) return;
    if (et === undefined) {
      this.edge(ef);
      return;
    }
    this.cond(insn);
    if (et.kind === 'goto') {
      c.op('if');
      this.goto(et.label, et.depth + 1);
      c.op('end');
      this.edge(ef);
    } else if (et.kind === 'br') {
      c.op('br_if', et.depth);
      this.edge(ef);
    } else if (ef.kind === 'fall') c.op('drop');
    else if (ef.kind === 'br') c.op('i32.eqz').op('br_if', ef.depth);
    else {
      c.op('i32.eqz').op('if');
      this.goto(ef.label, ef.depth + 1);
      c.op('end');
    }
  }

  /** Emit a structure() body; iterative (an explicit stack), so deep nesting needs no JS stack. */
  nodes(list: readonly StructNode[]): void {
    const c = this.c;
    // Each entry: a body and the index of its next node; entries above the first close a block.
    const stack: { list: readonly StructNode[]; i: number }[] = [{ list, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { list: readonly StructNode[]; i: number };
      const node = top.list[top.i++];
      if (node === undefined) {
        stack.pop();
        if (stack.length > 0) c.op('end');
        continue;
      }
      switch (node.kind) {
        case 'block':
        case 'loop':
          c.op(node.kind);
          stack.push({ list: node.body, i: 0 });
          break;
        case 'setLabel':
          c.op('i32.const', node.label).op('local.set', LABEL);
          break;
        case 'switch':
          c.op('local.get', LABEL).op('br_table', node.depths.slice(0, -1), node.depths.at(-1) ?? 0);
          break;
        case 'code':
          this.#code(node.block, node.exits);
          break;
      }
    }
  }

  /** A code node: the block's instructions and its terminator (or the fault past the end). */
  #code(block: number, exits: readonly Exit[]): void {
    const g = this.#blocks[block] as number;
    if (g < 0) {
      // The virtual block past the last slot: one instruction (the interpreter counts it too).
      const n = this.#x.insns.length;
      if (this.#x.count) this.#countBlock(n, 1);
      this.fault(F_END, n, 0, false);
      return;
    }
    const start = this.#starts[g] as number;
    const end = this.#ends[g] as number;
    const last = this.body(start, end);
    this.terminator(this.#x.insns[last] as Insn, exits);
  }
}

/**
 * The slot of the lddw whose value r1 holds at the call at `pc` when an lddw of the same block
 * (starting at `first`) set it and nothing wrote r1 since, else null.
 */
export function r1LddwSlot(insns: readonly Insn[], pc: number, first: number): number | null {
  let found: number | null = null;
  for (let p = first; p < pc; p++) {
    const i = insns[p] as Insn;
    if (isLddw(i)) {
      if (i.dst === 1) found = p;
      p++;
      continue;
    }
    const cls = insnClass(i.code);
    const writesR1 =
      ((cls === BPF_LDX || cls === BPF_ALU || cls === BPF_ALU64) && i.dst === 1) ||
      (cls === BPF_STX && memMode(i.code) === BPF_ATOMIC && i.src === 1 && (i.imm & BPF_FETCH) !== 0) ||
      // Any call (a bpf2bpf callee returns r1-r5).
      (cls === BPF_JMP && jmpOp(i.code) === BPF_CALL);
    if (writesR1) found = null;
  }
  return found;
}
