/**
 * A first eBPF → WebAssembly compiler (not wired into any loader yet).
 *
 * compileProgram(insns) builds a module importing the shared memory as `env.memory` and exporting
 * `run(r1, r2, r3, r4, r5, fp) -> r0` (all i64; fp = r10, the top of a stack frame in that memory).
 * Supported: ALU/ALU64 (all ops, div/mod by zero and signed overflow as the interpreter does), MOV/
 * MOVSX, END, JMP/JMP32 (all conditions, JA, gotol), EXIT, lddw with src 0, LDX/ST/STX MEM and MEMSX.
 * Calls, atomics, legacy packet loads and lddw pseudo sources throw a TypeError naming the first one.
 * Memory accesses trap (`unreachable`) below 4 KiB (the NULL page) or past the end of the memory.
 * Control flow: basic blocks from the jump targets, structure() for the block/loop tree, lowered
 * exactly as structure.ts documents.
 */
import {
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_B,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_H,
  BPF_JA,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP,
  BPF_JMP32,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LDX,
  BPF_LSH,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_TO_BE,
  BPF_X,
  BPF_XOR,
} from '../../uapi/bpf.js';
import {
  aluOp,
  checkInsns,
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
import { type Exit, type StructNode, structure } from './structure.js';
import { CodeBuilder } from './wasm/code.js';
import { ModuleBuilder } from './wasm/module.js';

export interface CompiledProgram {
  /** The module binary: imports env.memory (shared), exports run(r1..r5, fp: i64) -> i64. */
  readonly bytes: Uint8Array;
  /** The module as WAT text. */
  readonly wat: string;
  /** Number of basic blocks. */
  readonly blocks: number;
}

export interface CompileOptions {
  /** Memory limits of the imported memory, in 64 KiB pages (default min 1, max 65536). */
  readonly minPages?: number;
  readonly maxPages?: number;
}

/** Local indices: params r1..r5 = 0..4, fp (r10) = 5, then r0, r6..r9, two i64 temps, label, addr. */
const REG_LOCAL = [6, 0, 1, 2, 3, 4, 7, 8, 9, 10, 5];
const T0 = 11;
const T1 = 12;
const LABEL = 13;
const ADDR = 14;
const NULL_PAGE = 4096n;

const reg = (r: number): number => {
  const l = REG_LOCAL[r];
  if (l === undefined) throw new RangeError(`compile: register r${r} out of range`);
  return l;
};
const hex = (n: number): string => `0x${n.toString(16)}`;

function unsupported(insn: Insn, pc: number, what: string): TypeError {
  return new TypeError(
    `compileProgram: instruction ${pc} (code ${hex(insn.code)}) is ${what}, not supported by this compiler yet`,
  );
}

/** Basic blocks: start slots and successor lists (by block index). */
interface Cfg {
  readonly starts: number[];
  readonly succs: number[][];
  /** Slot index one past the last slot of each block. */
  readonly ends: number[];
}

const isJmp = (c: number): boolean => insnClass(c) === BPF_JMP || insnClass(c) === BPF_JMP32;

function jumpTarget(insn: Insn, pc: number): number {
  const gotol = insnClass(insn.code) === BPF_JMP32 && jmpOp(insn.code) === BPF_JA;
  return pc + 1 + (gotol ? insn.imm : insn.off);
}

function checkSupported(insns: readonly Insn[]): void {
  for (let pc = 0; pc < insns.length; pc++) {
    const insn = insns[pc] as Insn;
    const cls = insnClass(insn.code);
    if (isLddw(insn)) {
      if (insn.src !== 0) throw unsupported(insn, pc, `lddw with pseudo source ${insn.src}`);
      pc++;
      continue;
    }
    if (isJmp(insn.code)) {
      const op = jmpOp(insn.code);
      if (op === 0x80) throw unsupported(insn, pc, 'a call');
      if (op === 0xe0) throw unsupported(insn, pc, 'a conditional pseudo-jump (may_goto)');
      if (op !== BPF_EXIT) {
        const t = jumpTarget(insn, pc);
        if (t < 0 || t >= insns.length)
          throw new RangeError(`compileProgram: jump at ${pc} leaves the program`);
      }
    } else if (cls === BPF_LDX) {
      if (memMode(insn.code) !== BPF_MEM && memMode(insn.code) !== BPF_MEMSX)
        throw unsupported(insn, pc, 'a non-MEM load');
    } else if (cls === BPF_ST || cls === BPF_STX) {
      if (memMode(insn.code) !== BPF_MEM) throw unsupported(insn, pc, 'an atomic or non-MEM store');
    } else if (cls !== BPF_ALU && cls !== BPF_ALU64) {
      throw unsupported(insn, pc, 'a legacy packet load');
    }
  }
}

function buildCfg(insns: readonly Insn[]): Cfg {
  const n = insns.length;
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  for (let pc = 0; pc < n; pc++) {
    const insn = insns[pc] as Insn;
    if (isLddw(insn)) {
      pc++;
      continue;
    }
    if (!isJmp(insn.code)) continue;
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
  const target = (pc: number): number => {
    const b = blockOf[pc] ?? -1;
    if (b < 0) throw new RangeError(`compileProgram: jump into the middle of lddw at ${pc}`);
    return b;
  };
  const succs = starts.map((start, b) => {
    const end = ends[b] as number;
    // The last instruction of the block (the high slot of a trailing lddw is not an instruction).
    let last = start;
    for (let pc = start; pc < end; pc += isLddw(insns[pc] as Insn) ? 2 : 1) last = pc;
    const insn = insns[last] as Insn;
    const fallNext = (): number => {
      if (end >= n)
        throw new RangeError(`compileProgram: execution falls off the end after instruction ${last}`);
      return target(end);
    };
    if (!isJmp(insn.code) || isLddw(insn)) return [fallNext()];
    const op = jmpOp(insn.code);
    if (op === BPF_EXIT) return [];
    if (op === BPF_JA) return [target(jumpTarget(insn, last))];
    return [fallNext(), target(jumpTarget(insn, last))];
  });
  return { starts, succs, ends };
}

class Emitter {
  readonly c = new CodeBuilder();
  readonly insns: readonly Insn[];
  constructor(insns: readonly Insn[]) {
    this.insns = insns;
  }

  get(r: number): void {
    this.c.op('local.get', reg(r));
  }
  set(r: number): void {
    this.c.op('local.set', reg(r));
  }

  /** Push the i32 effective address of [r + off, +size) after the range checks. */
  addr(r: number, off: number, size: number): void {
    const c = this.c;
    this.get(r);
    c.op('i64.const', BigInt(off)).op('i64.add').op('local.tee', T0);
    c.op('i64.const', NULL_PAGE).op('i64.lt_u').op('if').op('unreachable').op('end');
    c.op('local.get', T0).op('i64.const', BigInt(size)).op('i64.add');
    c.op('memory.size').op('i64.extend_i32_u').op('i64.const', 16n).op('i64.shl');
    c.op('i64.gt_u').op('if').op('unreachable').op('end');
    c.op('local.get', T0).op('i32.wrap_i64');
  }

  /** Push the second operand (i64, or i32 when w32). */
  operand(insn: Insn, w32: boolean): void {
    if (srcBit(insn.code) === BPF_X) {
      this.get(insn.src);
      if (w32) this.c.op('i32.wrap_i64');
    } else if (w32) this.c.op('i32.const', insn.imm);
    else this.c.op('i64.const', BigInt(insn.imm));
  }

  /** Byte-swap the low `bits` of the i64 in T1 (leaves the result on the stack, zero-extended). */
  bswap(bits: number): void {
    const c = this.c;
    const n = bits / 8;
    for (let i = 0; i < n; i++) {
      c.op('local.get', T1)
        .op('i64.const', BigInt(8 * i))
        .op('i64.shr_u');
      c.op('i64.const', 0xffn).op('i64.and');
      c.op('i64.const', BigInt(8 * (n - 1 - i))).op('i64.shl');
      if (i > 0) c.op('i64.or');
    }
  }

  alu(insn: Insn, pc: number): void {
    const c = this.c;
    const w32 = insnClass(insn.code) === BPF_ALU;
    const t = w32 ? 'i32' : 'i64';
    const op = aluOp(insn.code);
    const d = insn.dst;
    const finish = (): void => {
      if (w32) c.op('i64.extend_i32_u');
      this.set(d);
    };
    const dst = (): void => {
      this.get(d);
      if (w32) c.op('i32.wrap_i64');
    };
    const tmp = w32 ? ADDR : T1; // ADDR is an i32 temp, T1 an i64 one
    const simple: Record<number, string> = {
      [BPF_ADD]: 'add',
      [BPF_SUB]: 'sub',
      [BPF_MUL]: 'mul',
      [BPF_OR]: 'or',
      [BPF_AND]: 'and',
      [BPF_LSH]: 'shl',
      [BPF_RSH]: 'shr_u',
      [BPF_XOR]: 'xor',
      [BPF_ARSH]: 'shr_s',
    };
    const name = simple[op];
    if (name !== undefined) {
      dst();
      this.operand(insn, w32);
      c.op(`${t}.${name}`);
      finish();
      return;
    }
    const signed = insn.off === 1;
    switch (op) {
      case BPF_NEG:
        c.op(`${t}.const`, w32 ? 0 : 0n);
        dst();
        c.op(`${t}.sub`);
        finish();
        return;
      case BPF_MOV:
        this.operand(insn, w32);
        if (insn.off === 8 || insn.off === 16) c.op(`${t}.extend${insn.off}_s`);
        else if (insn.off === 32 && !w32) c.op('i64.extend32_s');
        finish();
        return;
      case BPF_DIV:
      case BPF_MOD: {
        const zero = (): void => {
          c.op(`${t}.const`, w32 ? 0 : 0n);
        };
        this.operand(insn, w32);
        c.op('local.set', tmp);
        c.op('local.get', tmp).op(`${t}.eqz`).op('if', t);
        if (op === BPF_DIV) zero();
        else dst();
        c.op('else');
        if (op === BPF_DIV && signed) {
          // b = -1: 0 - a (INT_MIN / -1 = INT_MIN, no trap).
          c.op('local.get', tmp)
            .op(`${t}.const`, w32 ? -1 : -1n)
            .op(`${t}.eq`)
            .op('if', t);
          zero();
          dst();
          c.op(`${t}.sub`).op('else');
          dst();
          c.op('local.get', tmp).op(`${t}.div_s`).op('end');
        } else {
          // wasm rem_s gives INT_MIN % -1 = 0 without trapping.
          dst();
          c.op('local.get', tmp);
          c.op(`${t}.${op === BPF_DIV ? 'div' : 'rem'}_${signed ? 's' : 'u'}`);
        }
        c.op('end');
        finish();
        return;
      }
      case BPF_END: {
        const bits = insn.imm;
        if (bits !== 16 && bits !== 32 && bits !== 64) throw unsupported(insn, pc, `an END of width ${bits}`);
        this.get(d);
        const swap = !w32 || srcBit(insn.code) === BPF_TO_BE;
        if (swap) {
          c.op('local.set', T1);
          this.bswap(bits);
        } else if (bits < 64) {
          c.op('i64.const', (1n << BigInt(bits)) - 1n).op('i64.and');
        }
        this.set(d);
        return;
      }
      default:
        throw unsupported(insn, pc, `an unknown ALU operation ${hex(op)}`);
    }
  }

  mem(insn: Insn): void {
    const c = this.c;
    const cls = insnClass(insn.code);
    const size = sizeBytes(memSize(insn.code));
    const suffix: Record<number, string> = { [BPF_B]: '8', [BPF_H]: '16', 0: '32', [BPF_DW]: '' };
    const sz = suffix[memSize(insn.code)] ?? '';
    if (cls === BPF_LDX) {
      this.addr(insn.src, insn.off, size);
      const sx = memMode(insn.code) === BPF_MEMSX;
      c.op(sz === '' ? 'i64.load' : `i64.load${sz}_${sx ? 's' : 'u'}`);
      this.set(insn.dst);
      return;
    }
    this.addr(insn.dst, insn.off, size);
    if (cls === BPF_ST) c.op('i64.const', BigInt(insn.imm));
    else this.get(insn.src);
    c.op(`i64.store${sz}`);
  }

  /** Push the i32 condition of a conditional jump (true when taken). */
  cond(insn: Insn): void {
    const c = this.c;
    const w32 = insnClass(insn.code) === BPF_JMP32;
    const t = w32 ? 'i32' : 'i64';
    this.get(insn.dst);
    if (w32) c.op('i32.wrap_i64');
    this.operand(insn, w32);
    const cmp: Record<number, string> = {
      [BPF_JEQ]: 'eq',
      [BPF_JNE]: 'ne',
      [BPF_JGT]: 'gt_u',
      [BPF_JGE]: 'ge_u',
      [BPF_JLT]: 'lt_u',
      [BPF_JLE]: 'le_u',
      [BPF_JSGT]: 'gt_s',
      [BPF_JSGE]: 'ge_s',
      [BPF_JSLT]: 'lt_s',
      [BPF_JSLE]: 'le_s',
    };
    const op = jmpOp(insn.code);
    if (op === BPF_JSET) {
      c.op(`${t}.and`)
        .op(`${t}.const`, w32 ? 0 : 0n)
        .op(`${t}.ne`);
      return;
    }
    const name = cmp[op];
    if (name === undefined) throw new TypeError(`compileProgram: unknown jump operation ${hex(op)}`);
    c.op(`${t}.${name}`);
  }

  /** The straight-line part of block [start, end) and the index of its last instruction. */
  body(start: number, end: number): number {
    let last = start;
    for (let pc = start; pc < end; pc++) {
      const insn = this.insns[pc] as Insn;
      last = pc;
      if (isLddw(insn)) {
        this.c.op('i64.const', BigInt.asIntN(64, lddwValue(insn, this.insns[pc + 1] as Insn)));
        this.set(insn.dst);
        pc++;
        continue;
      }
      const cls = insnClass(insn.code);
      if (cls === BPF_ALU || cls === BPF_ALU64) this.alu(insn, pc);
      else if (cls === BPF_LDX || cls === BPF_ST || cls === BPF_STX) this.mem(insn);
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
      this.get(0);
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

  nodes(list: readonly StructNode[], cfg: Cfg): void {
    const c = this.c;
    for (const node of list) {
      switch (node.kind) {
        case 'block':
        case 'loop':
          c.op(node.kind);
          this.nodes(node.body, cfg);
          c.op('end');
          break;
        case 'setLabel':
          c.op('i32.const', node.label).op('local.set', LABEL);
          break;
        case 'switch':
          c.op('local.get', LABEL).op('br_table', node.depths.slice(0, -1), node.depths.at(-1) ?? 0);
          break;
        case 'code': {
          const start = cfg.starts[node.block] as number;
          const end = cfg.ends[node.block] as number;
          const last = this.body(start, end);
          this.terminator(this.insns[last] as Insn, node.exits);
          break;
        }
      }
    }
  }
}

/** Compile a program (see the module comment for what is supported). */
export function compileProgram(insns: readonly Insn[], options: CompileOptions = {}): CompiledProgram {
  checkInsns(insns);
  checkSupported(insns);
  const cfg = buildCfg(insns);
  const tree = structure(cfg.succs);
  const e = new Emitter(insns);
  e.nodes(tree.body, cfg);
  // Every path returns; the end of the body is unreachable (the result type needs a value).
  e.c.op('unreachable');
  const m = new ModuleBuilder();
  const maxPages = options.maxPages ?? 65536;
  m.importMemory('env', 'memory', { min: options.minPages ?? 1, max: maxPages, shared: true });
  m.addFunction({
    params: ['i64', 'i64', 'i64', 'i64', 'i64', 'i64'],
    results: ['i64'],
    locals: ['i64', 'i64', 'i64', 'i64', 'i64', 'i64', 'i64', 'i32', 'i32'],
    body: e.c,
    name: 'run',
    localNames: [
      'r1',
      'r2',
      'r3',
      'r4',
      'r5',
      'r10',
      'r0',
      'r6',
      'r7',
      'r8',
      'r9',
      't0',
      't1',
      'label',
      'tmp32',
    ],
    export: 'run',
  });
  return { bytes: m.build({ names: true }), wat: m.toWat(), blocks: cfg.starts.length };
}
