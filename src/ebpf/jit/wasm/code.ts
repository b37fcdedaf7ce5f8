/** A function body emitter: opcodes with their immediates, label-depth bookkeeping, and a WAT rendering. */

import { pushS32, pushS64, pushU32 } from './leb128.js';
import { BLOCKTYPE_EMPTY, type BlockType, OPS, type OpInfo, VALTYPE } from './opcodes.js';

/** Immediates as given to `op`: numbers, a bigint for i64.const, a number[] for br_table depths. */
export type Immediate = number | bigint | readonly number[] | BlockType;

interface Instr {
  readonly info: OpInfo;
  readonly name: string;
  /** The immediates as given (rendered as WAT text only by toWat()). */
  readonly args: readonly Immediate[];
  /** Nesting depth before the instruction (for indentation). */
  readonly depth: number;
}

const NO_ARGS: readonly Immediate[] = [];
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;

/** The WAT text of an instruction's immediates (may be empty); op() checked them. */
function immText(info: OpInfo, args: readonly Immediate[]): string {
  switch (info.imm) {
    case 'block': {
      const bt = args[0] ?? 'empty';
      return bt === 'empty' ? '' : `(result ${String(bt)})`;
    }
    case 'labels':
      return [...(args[0] as readonly number[]), args[1] as number].join(' ');
    case 'call_indirect': {
      const tbl = (args[1] as number | undefined) ?? 0;
      return `${tbl === 0 ? '' : `${tbl} `}(type ${args[0] as number})`;
    }
    case 'memarg': {
      const natural = info.natural ?? 0;
      const offset = (args[0] as number | undefined) ?? 0;
      const align = (args[1] as number | undefined) ?? natural;
      const parts: string[] = [];
      if (offset !== 0) parts.push(`offset=${offset}`);
      if (align !== natural) parts.push(`align=${1 << align}`);
      return parts.join(' ');
    }
    case 'i32': {
      const v = args[0] as number;
      return String(v > 0x7fffffff && v <= 0xffffffff ? v | 0 : v);
    }
    case 'i64': {
      const v = args[0] as bigint;
      return String(v >= 1n << 63n && v < 1n << 64n ? BigInt.asIntN(64, v) : v);
    }
    case 'label':
    case 'index':
      return String(args[0]);
    default:
      return '';
  }
}

type Frame = 'block' | 'loop' | 'if' | 'else';

function imm<T extends Immediate>(
  name: string,
  args: readonly Immediate[],
  i: number,
  check: (v: Immediate) => v is T,
  what: string,
): T {
  const v = args[i];
  if (v === undefined || !check(v)) {
    throw new TypeError(`${name}: immediate ${i} should be ${what}, found ${String(v)}`);
  }
  return v;
}
const isNum = (v: Immediate): v is number => typeof v === 'number';

function u32Arg(name: string, v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`${name}: ${what} must be an integer in 0..0xffffffff, found ${v}`);
  }
  return v;
}
const isBig = (v: Immediate): v is bigint => typeof v === 'bigint';
const isArr = (v: Immediate): v is readonly number[] => Array.isArray(v);
const isBlockType = (v: Immediate): v is BlockType =>
  v === 'empty' || (typeof v === 'string' && v in VALTYPE);

const EXPECTED: Record<OpInfo['imm'], number> = {
  none: 0,
  block: 1,
  label: 1,
  labels: 2,
  index: 1,
  call_indirect: 2,
  memarg: 2,
  mem0: 0,
  i32: 1,
  i64: 1,
};

/** Emits one function body (without its locals header; the ModuleBuilder writes that). */
export class CodeBuilder {
  readonly #bytes: number[] = [];
  readonly #instrs: Instr[] = [];
  /** Whether instructions are kept for toWat() (a compiler that never renders text skips it). */
  readonly #text: boolean;

  /** `text: false` makes toWat() unavailable and emission cheaper (no record per instruction). */
  constructor(options: { text?: boolean } = {}) {
    this.#text = options.text ?? true;
  }
  readonly #frames: Frame[] = [];
  #finished = false;

  /** Bytes emitted so far (the offset of the next instruction in the body). */
  get size(): number {
    return this.#bytes.length;
  }

  /** Number of blocks open now (the function body itself not counted). */
  get depth(): number {
    return this.#frames.length;
  }

  /**
   * Append instruction `name` with its immediates:
   * block/loop/if: block type ('empty' by default); br/br_if: depth; br_table: (depths[], default);
   * call, local.get/set/tee, global.get/set: index; call_indirect: (type index, table index = 0);
   * loads/stores/atomics: (offset = 0, align log2 = natural); i32.const: number; i64.const: bigint.
   */
  op(name: string, ...args: Immediate[]): this {
    if (this.#finished) throw new TypeError(`${name}: the body is already finished`);
    const info = OPS[name];
    if (info === undefined) throw new TypeError(`unknown WebAssembly instruction '${name}'`);
    if (args.length > EXPECTED[info.imm]) {
      throw new TypeError(`${name}: expected at most ${EXPECTED[info.imm]} immediates, found ${args.length}`);
    }
    const depth = this.#frames.length;
    const out = this.#bytes;
    const mark = out.length;
    try {
      this.#encode(name, info, args, out);
    } catch (e) {
      // A refused instruction leaves nothing behind.
      out.length = mark;
      throw e;
    }
    let indent = depth;
    if (name === 'block' || name === 'loop' || name === 'if') {
      this.#frames.push(name);
    } else if (name === 'else') {
      if (this.#frames[depth - 1] !== 'if') throw new TypeError('else: no open if block');
      this.#frames[depth - 1] = 'else';
      indent = depth - 1;
    } else if (name === 'end') {
      if (depth === 0) throw new TypeError('end: no open block (use finish() to end the function body)');
      this.#frames.pop();
      indent = depth - 1;
    }
    if (this.#text)
      this.#instrs.push({ info, name, args: args.length === 0 ? NO_ARGS : args, depth: indent });
    return this;
  }

  /** Append the opcode and immediates of `name` to `out` (throws on a bad immediate). */
  #encode(name: string, info: OpInfo, args: readonly Immediate[], out: number[]): void {
    for (const b of info.code) out.push(b);
    switch (info.imm) {
      case 'none':
        break;
      case 'block': {
        const bt = args.length === 0 ? 'empty' : imm(name, args, 0, isBlockType, 'a block type');
        out.push(bt === 'empty' ? BLOCKTYPE_EMPTY : VALTYPE[bt]);
        break;
      }
      case 'label': {
        const d = imm(name, args, 0, isNum, 'a label depth');
        this.#checkLabel(name, d);
        pushU32(out, d);
        break;
      }
      case 'labels': {
        const targets = imm(name, args, 0, isArr, 'an array of label depths');
        const dflt = imm(name, args, 1, isNum, 'the default label depth');
        pushU32(out, targets.length);
        for (const d of [...targets, dflt]) {
          this.#checkLabel(name, d);
          pushU32(out, d);
        }
        break;
      }
      case 'index':
        pushU32(out, u32Arg(name, imm(name, args, 0, isNum, 'an index'), 'an index'));
        break;
      case 'call_indirect': {
        const type = imm(name, args, 0, isNum, 'a type index');
        const tbl = args.length > 1 ? imm(name, args, 1, isNum, 'a table index') : 0;
        pushU32(out, u32Arg(name, type, 'a type index'));
        pushU32(out, u32Arg(name, tbl, 'a table index'));
        break;
      }
      case 'memarg': {
        const natural = info.natural ?? 0;
        const offset = args.length > 0 ? imm(name, args, 0, isNum, 'an offset') : 0;
        const align = args.length > 1 ? imm(name, args, 1, isNum, 'an align (log2)') : natural;
        if (!Number.isInteger(align) || align < 0 || align > natural) {
          throw new RangeError(`${name}: align (log2) must be in 0..${natural}, found ${align}`);
        }
        if (info.code[0] === 0xfe && align !== natural) {
          throw new RangeError(`${name}: atomic accesses need the natural align ${natural}, found ${align}`);
        }
        pushU32(out, align);
        pushU32(out, u32Arg(name, offset, 'an offset'));
        break;
      }
      case 'mem0':
        out.push(0x00);
        break;
      case 'i32': {
        const v = imm(name, args, 0, isNum, 'a number');
        if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
          throw new RangeError(`${name}: expected an s32 (or u32 bit pattern), found ${v}`);
        }
        // Accept u32 bit patterns too (0x80000000..0xffffffff) as their s32 reading.
        pushS32(out, v > 0x7fffffff ? v | 0 : v);
        break;
      }
      case 'i64': {
        const v = imm(name, args, 0, isBig, 'a bigint');
        if (v < S64_MIN || v > U64_MAX) {
          throw new RangeError(`${name}: expected an s64 (or u64 bit pattern), found ${v}`);
        }
        pushS64(out, v > S64_MAX ? BigInt.asIntN(64, v) : v);
        break;
      }
    }
  }

  #checkLabel(name: string, d: number): void {
    // Depth `frames.length` is the function body's own label.
    if (!Number.isInteger(d) || d < 0 || d > this.#frames.length) {
      throw new RangeError(`${name}: label depth must be in 0..${this.#frames.length}, found ${d}`);
    }
  }

  // Typed shorthands for the most common instructions.
  i32Const(v: number): this {
    return this.op('i32.const', v);
  }
  i64Const(v: bigint): this {
    return this.op('i64.const', v);
  }
  localGet(i: number): this {
    return this.op('local.get', i);
  }
  localSet(i: number): this {
    return this.op('local.set', i);
  }
  localTee(i: number): this {
    return this.op('local.tee', i);
  }
  call(f: number): this {
    return this.op('call', f);
  }

  /** Close the function body (its final `end`) and return the instruction bytes. All blocks must be closed. */
  finish(): Uint8Array {
    if (!this.#finished) {
      if (this.#frames.length !== 0) {
        throw new TypeError(
          `finish: ${this.#frames.length} block(s) still open (${this.#frames.join(', ')})`,
        );
      }
      this.#bytes.push(0x0b);
      this.#finished = true;
    }
    return new Uint8Array(this.#bytes);
  }

  /**
   * The body as flat WAT instructions, one a line, indented two spaces per block depth (plus
   * `indent`); locals that have a name in `localNames` are written by name ($name).
   */
  toWat(indent = 0, localNames: readonly (string | undefined)[] = []): string {
    if (!this.#text) throw new TypeError('toWat: this body was built with text: false');
    return this.#instrs
      .map((ins) => {
        const local = ins.name.startsWith('local.') ? localNames[ins.args[0] as number] : undefined;
        const text = local !== undefined ? `$${local}` : immText(ins.info, ins.args);
        return `${'  '.repeat(indent + ins.depth)}${ins.name}${text === '' ? '' : ` ${text}`}`;
      })
      .join('\n');
  }
}
