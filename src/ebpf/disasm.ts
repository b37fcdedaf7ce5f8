/**
 * The disassembler: eBPF instructions in LLVM's assembly syntax, line for line what
 * `llvm-objdump-19 -d --mcpu=v4` prints for a .text section holding the same bytes.
 *
 * Decoding follows LLVM 19's BPF decoder rather than the load-time rules of insn.ts: a field the
 * instruction does not use is ignored (`r1 += r2` with imm 5 still prints `r1 += r2`), registers
 * r0-r11 decode (r11 is LLVM's internal register) and r12-r15 make the slot `<unknown>`, fixed
 * fields (off of most ALU ops, imm of exit, the byte-swap width...) must hold their value, and an
 * lddw reads its constant from the second slot whatever that slot's other fields hold.
 *
 * Output layout, as objdump's BPF printer writes it (tools/disasm/README.md has the details):
 *   `%8d:` the slot index (byte address / 8) - `\t` + the bytes in hex - `\t` + the text,
 * and after a jump (goto, gotol, conditional jumps, may_goto) the target as ` <.text+0x28>`: the
 * byte address of the target relative to the section start (objdump names the section when the
 * object has no symbols, as for a raw instruction file), `<.text>` for 0 and a 64-bit wrapped
 * value for targets before the start. Calls get no annotation. Like `objdump -d`, a run of 8 or
 * more zero bytes at an instruction boundary prints as one `\t\t...` line and is skipped in
 * multiples of 4 bytes (which may leave the decoder off the slot grid, as it leaves objdump).
 * Bytes that do not decode print `<unknown>`, 8 at a time, or 1 at a time when fewer than 8 (or an
 * lddw's 16) remain.
 */
import {
  BPF_ABS,
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_ATOMIC,
  BPF_B,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_H,
  BPF_IND,
  BPF_INSN_SIZE,
  BPF_JA,
  BPF_JCOND,
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
  BPF_LD,
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
  BPF_SUB,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
} from '../uapi/bpf.js';
import { aluOp, encodeInsns, type Insn, insnClass, jmpOp, LDDW, memMode, memSize, srcBit } from './insn.js';

/** A symbol for the jump annotations: a name at a slot index (a function, as an ELF symbol). */
export interface DisasmSymbol {
  readonly name: string;
  readonly index: number;
}

/** Options of disassemble(); the defaults give `llvm-objdump-19 -d --mcpu=v4`'s lines. */
export interface DisasmOptions {
  /** Leading `%8d:` slot index (objdump's address / 8); false as `--no-leading-addr`. Default true. */
  addresses?: boolean;
  /** The instruction's bytes in hex; false as `--no-show-raw-insn`. Default true. */
  bytes?: boolean;
  /** ` <.text+0x28>` after a jump's text, as objdump prints it. Default true. */
  annotations?: boolean;
  /**
   * Symbols of the section, for the annotations: a target is named after the last symbol at or
   * before it. Without a symbol at index 0, the section's name stands at 0 (objdump's rule).
   */
  symbols?: readonly DisasmSymbol[];
  /** The section's name. Default `.text`. */
  section?: string;
  /** Disassemble runs of zero bytes instead of printing `...`, as `objdump -z`. Default false. */
  zeroes?: boolean;
}

/** formatInsn()'s answer. */
export interface FormattedInsn {
  /** objdump's text, without its leading tab and the jump annotation; `<unknown>` if undecodable. */
  text: string;
  /** Slots taken: 2 for an lddw. */
  slots: 1 | 2;
  /** For a jump (goto, gotol, conditional, may_goto), the slot index of the target. */
  target?: number;
}

/** One decoded instruction (or undecodable bytes) at a byte position. */
interface Step {
  /** Bytes consumed: 8, 16 (lddw), or 1 (fewer bytes left than the instruction needs). */
  readonly size: number;
  /** The text without objdump's leading tab; null when the bytes do not decode. */
  readonly text: string | null;
  /** For a jump, the offset in slots from the next slot to the target. */
  readonly jump: number | null;
}

const UNKNOWN = '<unknown>';
const ZERO_RUN = '...';

/* ================================================================== public API */

/**
 * Disassemble `insns` (slots; an lddw takes two) into one line per instruction, exactly as
 * llvm-objdump-19 -d --mcpu=v4 prints the same bytes in a .text section of an object without
 * symbols. With `addresses` and `bytes` false, each line is the bare text.
 */
export function disassemble(insns: readonly Insn[], options: DisasmOptions = {}): string[] {
  const addresses = options.addresses ?? true;
  const bytes = options.bytes ?? true;
  const annotations = options.annotations ?? true;
  const symbols = symbolTable(options.symbols ?? [], options.section ?? '.text');
  const zeroes = options.zeroes ?? false;
  const buf = encodeChecked(insns);
  const bare = !addresses && !bytes;
  const out: string[] = [];
  let p = 0;
  while (p < buf.length) {
    if (!zeroes) {
      const skip = skippableZeroes(buf, p);
      if (skip > 0) {
        out.push(bare ? ZERO_RUN : `\t\t${ZERO_RUN}`);
        p += skip;
        continue;
      }
    }
    const step = decodeAt(buf, p);
    let text = step.text ?? UNKNOWN;
    if (step.jump !== null && annotations) text += ` ${targetLabel(symbols, p, step.jump)}`;
    if (bare) {
      out.push(text);
    } else {
      let line = addresses ? `${String(Math.floor(p / BPF_INSN_SIZE)).padStart(8)}:` : '';
      if (bytes) line += `\t${hexBytes(buf, p, step.size)}`;
      out.push(`${line}\t${text}`);
    }
    p += step.size;
  }
  return out;
}

/**
 * The text of the instruction starting at slot `index` (objdump's text without its leading tab and
 * without the jump annotation), the slots it takes, and for a jump the slot index it targets.
 * Slots that do not decode give `<unknown>` (1 slot), as does an lddw without its second slot.
 */
export function formatInsn(insns: readonly Insn[], index: number): FormattedInsn {
  if (!Number.isInteger(index) || index < 0 || index >= insns.length) {
    throw new RangeError(`formatInsn: expected a slot index 0-${insns.length - 1}, found ${index}`);
  }
  const buf = encodeChecked(insns.slice(index, index + 2), index);
  const step = decodeAt(buf, 0);
  if (step.text === null) return { text: UNKNOWN, slots: 1 };
  const slots = step.size === 16 ? 2 : 1;
  if (step.jump === null) return { text: step.text, slots };
  return { text: step.text, slots, target: index + 1 + step.jump };
}

/* ================================================================== layout helpers */

const FIELD_RANGES: readonly (readonly [keyof Insn, number, number])[] = [
  ['code', 0, 0xff],
  ['dst', 0, 15],
  ['src', 0, 15],
  ['off', -0x8000, 0x7fff],
  ['imm', -0x8000_0000, 0x7fff_ffff],
];

/** The slots' bytes; a field out of its range is API misuse (RangeError), not a decoding matter. */
function encodeChecked(insns: readonly Insn[], base = 0): Uint8Array {
  insns.forEach((insn, k) => {
    for (const [field, lo, hi] of FIELD_RANGES) {
      const v = insn[field];
      if (!Number.isInteger(v) || v < lo || v > hi) {
        throw new RangeError(`insn ${base + k}: expected ${field} an integer ${lo}..${hi}, found ${v}`);
      }
    }
  });
  return encodeInsns(insns);
}

/** objdump's zero-run rule: at least 8 zero bytes are skipped, in a multiple of 4. */
function skippableZeroes(buf: Uint8Array, p: number): number {
  let n = 0;
  while (p + n < buf.length && buf[p + n] === 0) n++;
  return n < 8 ? 0 : n & ~3;
}

function hexBytes(buf: Uint8Array, p: number, n: number): string {
  const parts: string[] = [];
  for (let k = p; k < p + n; k++) parts.push(buf[k]!.toString(16).padStart(2, '0'));
  return parts.join(' ');
}

interface Sym {
  readonly name: string;
  /** Byte address. */
  readonly addr: bigint;
}

/** Symbols by address, with the section's name at 0 unless a symbol is there. */
function symbolTable(symbols: readonly DisasmSymbol[], section: string): Sym[] {
  const table = symbols.map((s, k) => {
    if (!Number.isInteger(s.index) || s.index < 0) {
      throw new RangeError(`symbols[${k}]: expected a slot index >= 0, found ${s.index}`);
    }
    return { name: s.name, addr: BigInt(s.index * BPF_INSN_SIZE) };
  });
  table.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  if (table[0]?.addr !== 0n) table.unshift({ name: section, addr: 0n });
  return table;
}

/** `<sym+0x..>`: the target's byte address (64-bit wrapped) after the last symbol at or before it. */
function targetLabel(symbols: readonly Sym[], p: number, jump: number): string {
  const target = BigInt.asUintN(64, BigInt(p) + BigInt(BPF_INSN_SIZE) * BigInt(jump + 1));
  let lo = 0; // symbols[0] is at 0 <= target: find the last symbol at or before the target
  let hi = symbols.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (symbols[mid]!.addr <= target) lo = mid;
    else hi = mid - 1;
  }
  const sym = symbols[lo]!;
  const disp = target - sym.addr;
  return disp === 0n ? `<${sym.name}>` : `<${sym.name}+0x${disp.toString(16)}>`;
}

/* ================================================================== numbers and operands */

/** LLVM's formatImm in hex style: `0x2a`, `-0x2a`. */
function imm(v: number | bigint): string {
  return v < 0 ? `-0x${(-BigInt(v)).toString(16)}` : `0x${v.toString(16)}`;
}

/** A jump offset: `+0x3`, `-0x3`. */
const rel = (v: number): string => (v >= 0 ? `+${imm(v)}` : imm(v));

/** `(r1 + 0x8)`, `(r10 - 0x8)` without the parentheses. */
const mem = (base: string, off: number): string =>
  off >= 0 ? `${base} + ${imm(off)}` : `${base} - ${imm(-off)}`;

/** LLVM's decoder knows r0-r11; 12-15 do not decode. */
const reg = (n: number, w = false): string | null => (n <= 11 ? `${w ? 'w' : 'r'}${n}` : null);

/** Bits moved by each load/store size. */
const SIZE_NAMES: Readonly<Record<number, string>> = {
  [BPF_W]: '32',
  [BPF_H]: '16',
  [BPF_B]: '8',
  [BPF_DW]: '64',
};

/* ================================================================== decoding */

const ALU_OPS = new Map<number, string>([
  [BPF_ADD, '+='],
  [BPF_SUB, '-='],
  [BPF_MUL, '*='],
  [BPF_DIV, '/='],
  [BPF_OR, '|='],
  [BPF_AND, '&='],
  [BPF_LSH, '<<='],
  [BPF_RSH, '>>='],
  [BPF_MOD, '%='],
  [BPF_XOR, '^='],
  [BPF_ARSH, 's>>='],
]);

const JMP_OPS = new Map<number, string>([
  [BPF_JEQ, '=='],
  [BPF_JGT, '>'],
  [BPF_JGE, '>='],
  [BPF_JSET, '&'],
  [BPF_JNE, '!='],
  [BPF_JSGT, 's>'],
  [BPF_JSGE, 's>='],
  [BPF_JLT, '<'],
  [BPF_JLE, '<='],
  [BPF_JSLT, 's<'],
  [BPF_JSLE, 's<='],
]);

/** Atomic read-modify-write operations (imm bits 7-4) and their names. */
const ATOMIC_OPS = new Map<number, [string, string]>([
  [BPF_ADD, ['+', 'add']],
  [BPF_OR, ['|', 'or']],
  [BPF_AND, ['&', 'and']],
  [BPF_XOR, ['^', 'xor']],
]);

interface Fields {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

const fail = (size = 8): Step => ({ size, text: null, jump: null });
const ok = (text: string | null, jump: number | null = null): Step =>
  text === null ? fail() : { size: 8, text, jump };

/** Decode the instruction at byte `p` of `buf`. */
function decodeAt(buf: Uint8Array, p: number): Step {
  if (buf.length - p < BPF_INSN_SIZE) return fail(1);
  const dv = new DataView(buf.buffer, buf.byteOffset + p, BPF_INSN_SIZE);
  const f: Fields = {
    code: buf[p]!,
    dst: buf[p + 1]! & 0x0f,
    src: buf[p + 1]! >>> 4,
    off: dv.getInt16(2, true),
    imm: dv.getInt32(4, true),
  };
  switch (insnClass(f.code)) {
    case BPF_ALU:
    case BPF_ALU64:
      return ok(alu(f));
    case BPF_JMP:
    case BPF_JMP32:
      return jmp(f);
    case BPF_LD:
      return ld(f, buf, p);
    case BPF_LDX:
      return ok(ldx(f));
    case BPF_ST:
      return ok(st(f));
    default:
      return ok(stx(f));
  }
}

function alu(f: Fields): string | null {
  const is64 = insnClass(f.code) === BPF_ALU64;
  const x = srcBit(f.code) === BPF_X;
  const op = aluOp(f.code);
  const d = reg(f.dst, !is64);
  if (d === null) return null;
  if (op === BPF_NEG) return x ? null : `${d} = -${d}`;
  if (op === BPF_END) {
    // ALU64 with source bit 0: bswap; ALU: le (bit 0) / be (bit 1). Always 64-bit register names.
    if ((is64 && x) || (f.imm !== 16 && f.imm !== 32 && f.imm !== 64)) return null;
    const name = is64 ? 'bswap' : x ? 'be' : 'le';
    return `r${f.dst} = ${name}${f.imm} r${f.dst}`;
  }
  const s = x ? reg(f.src, !is64) : imm(f.imm);
  if (s === null) return null;
  if (op === BPF_MOV) {
    if (f.off === 0) return `${d} = ${s}`;
    // off 1 of the 64-bit register move: the arena cast, imm = destination << 16 | source space.
    if (is64 && x && f.off === 1)
      return `${d} = addr_space_cast(${s}, ${imm(f.imm >>> 16)}, ${imm(f.imm & 0xffff)})`;
    if (!x || !(f.off === 8 || f.off === 16 || (is64 && f.off === 32))) return null;
    return `${d} = (s${f.off})${s}`;
  }
  const sym = ALU_OPS.get(op);
  if (sym === undefined) return null;
  if (f.off === 0) return `${d} ${sym} ${s}`;
  if (f.off === 1 && (op === BPF_DIV || op === BPF_MOD)) return `${d} s${sym} ${s}`;
  return null;
}

function jmp(f: Fields): Step {
  const is32 = insnClass(f.code) === BPF_JMP32;
  const x = srcBit(f.code) === BPF_X;
  const op = jmpOp(f.code);
  if (op === BPF_JA) {
    if (x) return fail();
    return is32 ? ok(`gotol ${rel(f.imm)}`, f.imm) : ok(`goto ${rel(f.off)}`, f.off);
  }
  const cond = JMP_OPS.get(op);
  if (cond !== undefined) {
    const d = reg(f.dst, is32);
    const s = x ? reg(f.src, is32) : imm(f.imm);
    if (d === null || s === null) return fail();
    return ok(`if ${d} ${cond} ${s} goto ${rel(f.off)}`, f.off);
  }
  if (is32) return fail();
  if (op === BPF_CALL) return ok(x ? (reg(f.dst) === null ? null : `callx r${f.dst}`) : `call ${imm(f.imm)}`);
  if (op === BPF_EXIT) return ok(!x && f.imm === 0 ? 'exit' : null);
  if (op === BPF_JCOND && !x) return ok(`may_goto ${rel(f.off)}`, f.off);
  return fail();
}

function ld(f: Fields, buf: Uint8Array, p: number): Step {
  const mode = memMode(f.code);
  const size = memSize(f.code);
  if (f.code === LDDW) {
    const d = reg(f.dst);
    if (d === null || f.off !== 0) return fail();
    if (buf.length - p < 2 * BPF_INSN_SIZE) return fail(1);
    const dv = new DataView(buf.buffer, buf.byteOffset + p, 2 * BPF_INSN_SIZE);
    const lo = dv.getUint32(4, true);
    if (f.src !== 0) return { size: 16, text: `ld_pseudo\t${d}, ${imm(f.src)}, ${imm(lo)}`, jump: null };
    const value = BigInt.asIntN(64, (BigInt(dv.getUint32(12, true)) << 32n) | BigInt(lo));
    return { size: 16, text: `${d} = ${imm(value)} ll`, jump: null };
  }
  if (size === BPF_DW) return fail();
  const width = `u${SIZE_NAMES[size]}`;
  if (mode === BPF_ABS) return ok(`r0 = *(${width} *)skb[${imm(f.imm)}]`);
  if (mode === BPF_IND) {
    const s = reg(f.src);
    return ok(s === null ? null : `r0 = *(${width} *)skb[${s}]`);
  }
  return fail();
}

function ldx(f: Fields): string | null {
  const mode = memMode(f.code);
  const size = memSize(f.code);
  const base = reg(f.src);
  if (base === null) return null;
  if (mode === BPF_MEM) {
    // With ALU32 (cpu v3+) the narrow loads write a 32-bit register.
    const d = reg(f.dst, size !== BPF_DW);
    return d === null ? null : `${d} = *(u${SIZE_NAMES[size]} *)(${mem(base, f.off)})`;
  }
  if (mode === BPF_MEMSX && size !== BPF_DW) {
    const d = reg(f.dst);
    return d === null ? null : `${d} = *(s${SIZE_NAMES[size]} *)(${mem(base, f.off)})`;
  }
  return null;
}

function st(f: Fields): string | null {
  if (memMode(f.code) !== BPF_MEM) return null;
  const base = reg(f.dst);
  return base === null ? null : `*(u${SIZE_NAMES[memSize(f.code)]} *)(${mem(base, f.off)}) = ${imm(f.imm)}`;
}

function stx(f: Fields): string | null {
  const mode = memMode(f.code);
  const size = memSize(f.code);
  const base = reg(f.dst);
  const w = size !== BPF_DW;
  const s = reg(f.src, w);
  if (base === null || s === null) return null;
  const addr = mem(base, f.off);
  const width = `u${SIZE_NAMES[size]}`;
  if (mode === BPF_MEM) return `*(${width} *)(${addr}) = ${s}`;
  if (mode !== BPF_ATOMIC || (size !== BPF_W && size !== BPF_DW)) return null;
  // imm bits 31-8 are ignored; bits 7-4 pick the operation, bits 3-0 the fetch flag.
  const op = f.imm & 0xf0;
  const fetch = (f.imm & 0x0f) === BPF_FETCH;
  const rmw = ATOMIC_OPS.get(op);
  if (rmw !== undefined) {
    return fetch
      ? `${s} = atomic_fetch_${rmw[1]}((${width} *)(${addr}), ${s})`
      : `lock *(${width} *)(${addr}) ${rmw[0]}= ${s}`;
  }
  if (!fetch) return null;
  const r0 = w ? 'w0' : 'r0';
  if (op === (BPF_XCHG & 0xf0)) return `${s} = xchg${w ? '32_32' : '_64'}(${addr}, ${s})`;
  if (op === (BPF_CMPXCHG & 0xf0)) return `${r0} = cmpxchg${w ? '32_32' : '_64'}(${addr}, ${r0}, ${s})`;
  return null;
}
