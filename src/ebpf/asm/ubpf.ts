/**
 * The uBPF assembly dialect of the bpf_conformance suite: `mnemonic op1, op2, op3`, registers
 * `%r0`..`%r10`, memory operands `[%rN+off]`, labels `name:`, jump targets a label or `+N`/`-N`, the
 * name `exit` standing for the first `exit` instruction unless a label of that name is defined.
 * Output: instruction slots (lddw takes two); no load-time check is made here.
 */
import {
  BPF_ALU,
  BPF_ALU64,
  BPF_CALL,
  BPF_EXIT,
  BPF_JA,
  BPF_JMP,
  BPF_JMP32,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_X,
} from '../../uapi/bpf.js';
import { type Insn, LDDW } from '../insn.js';
import { asmError, type Pos } from './errors.js';
import {
  describe,
  I16_MAX,
  I16_MIN,
  imm32,
  imm64,
  type LexDialect,
  lexLine,
  ranged,
  type SignedNum,
  type Token,
} from './lexer.js';
import { type Emitted, insn, Program } from './program.js';
import { type Operand, parseOperands } from './ubpf-operands.js';
import {
  ALU_OPS,
  ATOMIC_OPS,
  ENDIAN_OPS,
  JUMP_OPS,
  LOAD_OPS,
  MOVSX_OPS,
  STORE_IMM_OPS,
  STORE_REG_OPS,
} from './ubpf-table.js';

const DIALECT: LexDialect = {
  identStart: '%.$',
  puncts: [',', '[', ']', '+', '-', ':'],
  signedOps: [],
  lineComments: ['#'],
  separator: null,
};

/** Assemble uBPF-dialect text into instruction slots. Throws AsmError. */
export function assembleUbpf(text: string): Insn[] {
  const prog = new Program();
  let firstExit: number | null = null;
  text.split('\n').forEach((line, k) => {
    for (const st of lexLine(line, k + 1, DIALECT)) {
      let toks = st.toks;
      // Labels: `name:` (possibly followed by an instruction on the same line).
      while (toks.length >= 2 && toks[0]!.kind === 'ident' && toks[1]!.text === ':') {
        const name = toks[0]!;
        if (!/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(name.text)) {
          throw asmError('E_ASM_SYNTAX', name, 'a label name', describe(name));
        }
        prog.define(name.text, name);
        toks = toks.slice(2);
      }
      if (toks.length === 0) continue;
      const e = statement(toks, st.end, line);
      if (firstExit === null && e.insn.code === (BPF_JMP | BPF_EXIT)) firstExit = prog.slot;
      prog.emit(e);
    }
  });
  return prog.finish(firstExit === null ? new Map() : new Map([['exit', firstExit]]));
}

const one = (i: Insn): Emitted => ({ insn: i });

/** One instruction: mnemonic and operands. */
function statement(toks: readonly Token[], end: Pos, line: string): Emitted {
  const head = toks[0]!;
  if (head.kind !== 'ident' || head.text.startsWith('.') || head.text.startsWith('%')) {
    const directive = head.text.startsWith('.') || (head.text === '-' && toks[1]?.text === '-');
    throw asmError(
      directive ? 'E_ASM_DIRECTIVE' : 'E_ASM_SYNTAX',
      head,
      directive ? 'an instruction (this dialect has no directives)' : 'an instruction mnemonic or a label',
      directive ? `'${line.slice(head.col - 1).trim()}'` : describe(head),
    );
  }
  const m = head.text;
  if (m === 'lock') return lock(head, toks.slice(1), end);
  if (m === 'call') return call(head, toks.slice(1), end);
  const ops = parseOperands(toks.slice(1), end);
  const alu = ALU_OPS.get(m);
  if (alu !== undefined) {
    const cls = alu.is32 ? BPF_ALU : BPF_ALU64;
    if (alu.unary) {
      const [d] = arity(head, ops, 1, `${m} %rD`);
      return one(insn(cls | alu.op, reg(d, m)));
    }
    const [d, s] = arity(head, ops, 2, `${m} %rD, %rS|imm`);
    if (s.kind === 'reg') return one(insn(cls | alu.op | BPF_X, reg(d, m), s.reg, alu.off));
    return one(insn(cls | alu.op, reg(d, m), 0, alu.off, imm32(num(s, m, 'a register or an immediate'))));
  }
  const movsx = MOVSX_OPS.get(m);
  if (movsx !== undefined) {
    const [d, s] = arity(head, ops, 2, `${m} %rD, %rS`);
    return one(insn(movsx.code, reg(d, m), reg(s, m), movsx.off));
  }
  const swap = ENDIAN_OPS.get(m);
  if (swap !== undefined) {
    const [d] = arity(head, ops, 1, `${m} %rD`);
    return one(insn(swap.code, reg(d, m), 0, 0, swap.bits));
  }
  if (m === 'lddw') {
    const [d, s] = arity(head, ops, 2, 'lddw %rD, imm64');
    const v = imm64(num(s, m, 'a 64-bit immediate'));
    const lo = Number(BigInt.asIntN(32, v));
    return { insn: insn(LDDW, reg(d, m), 0, 0, lo), hi: Number(BigInt.asIntN(32, v >> 32n)) };
  }
  const ld = LOAD_OPS.get(m);
  if (ld !== undefined) {
    const [d, s] = arity(head, ops, 2, `${m} %rD, [%rS+off]`);
    const a = mem(s, m);
    return one(insn(ld, reg(d, m), a.base, a.off));
  }
  const st = STORE_IMM_OPS.get(m);
  if (st !== undefined) {
    const [d, s] = arity(head, ops, 2, `${m} [%rD+off], imm`);
    const a = mem(d, m);
    return one(insn(st, a.base, 0, a.off, imm32(num(s, m, 'an immediate'))));
  }
  const stx = STORE_REG_OPS.get(m);
  if (stx !== undefined) {
    const [d, s] = arity(head, ops, 2, `${m} [%rD+off], %rS`);
    const a = mem(d, m);
    return one(insn(stx, a.base, reg(s, m), a.off));
  }
  if (m === 'ja' || m === 'ja32') {
    const [t] = arity(head, ops, 1, `${m} target`);
    const is32 = m === 'ja32';
    return jump(insn((is32 ? BPF_JMP32 : BPF_JMP) | BPF_JA), t, m, is32 ? 'imm' : 'off');
  }
  const j = JUMP_OPS.get(m);
  if (j !== undefined) {
    const cls = j.is32 ? BPF_JMP32 : BPF_JMP;
    const [d, s, t] = arity(head, ops, 3, `${m} %rD, %rS|imm, target`);
    const i =
      s.kind === 'reg'
        ? insn(cls | j.op | BPF_X, reg(d, m), s.reg)
        : insn(cls | j.op, reg(d, m), 0, 0, imm32(num(s, m, 'a register or an immediate')));
    return jump(i, t, m, 'off');
  }
  if (m === 'exit') {
    arity(head, ops, 0, 'exit');
    return one(insn(BPF_JMP | BPF_EXIT));
  }
  throw asmError('E_ASM_MNEMONIC', head, 'an instruction mnemonic', describe(head));
}

/** The operands when there are exactly `n`. */
function arity(head: Token, ops: readonly Operand[], n: 0, form: string): [];
function arity(head: Token, ops: readonly Operand[], n: 1, form: string): [Operand];
function arity(head: Token, ops: readonly Operand[], n: 2, form: string): [Operand, Operand];
function arity(head: Token, ops: readonly Operand[], n: 3, form: string): [Operand, Operand, Operand];
function arity(head: Token, ops: readonly Operand[], n: number, form: string): Operand[] {
  if (ops.length === n) return [...ops];
  const at = ops.length > n ? ops[n]!.at : head;
  throw asmError('E_ASM_OPERANDS', at, `${n} operand${n === 1 ? '' : 's'} (${form})`, `${ops.length}`);
}

function reg(o: Operand, m: string): number {
  if (o.kind === 'reg') return o.reg;
  throw asmError('E_ASM_OPERANDS', o.at, `a register %r0-%r10 in '${m}'`, `'${o.text}'`);
}

function num(o: Operand, m: string, what: string): SignedNum {
  if (o.kind === 'num') return o.n;
  throw asmError('E_ASM_OPERANDS', o.at, `${what} in '${m}'`, `'${o.text}'`);
}

function mem(o: Operand, m: string): { base: number; off: number } {
  if (o.kind === 'mem') return o;
  throw asmError('E_ASM_OPERANDS', o.at, `a memory operand [%rN+off] in '${m}'`, `'${o.text}'`);
}

/** A jump to `t` (label or +N/-N) with its distance in `field`. */
function jump(i: Insn, t: Operand, m: string, field: 'off' | 'imm'): Emitted {
  if (t.kind === 'label') return { insn: i, ref: { label: t.name, at: t.at, field } };
  if (t.kind === 'num' && t.signed) {
    const v =
      field === 'off'
        ? ranged(t.n, I16_MIN, I16_MAX, 'a 16-bit jump offset')
        : imm32(t.n, 'a 32-bit jump offset');
    return one({ ...i, [field]: v });
  }
  throw asmError('E_ASM_OPERANDS', t.at, `a jump target (label, +N or -N) in '${m}'`, `'${t.text}'`);
}

/** `call N`, `call %rN` (callx), `call local LABEL|+N`, `call runtime N`. */
function call(head: Token, rest: readonly Token[], end: Pos): Emitted {
  const kind = rest[0]?.kind === 'ident' ? rest[0].text : '';
  if (kind === 'local' || kind === 'runtime') {
    const form = `call ${kind} ${kind === 'local' ? 'target' : 'imm'}`;
    const [t] = arity(head, parseOperands(rest.slice(1), end), 1, form);
    if (kind === 'local') return jump(insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL), t, 'call local', 'imm');
    const n = imm32(num(t, 'call runtime', 'a function id'));
    return one(insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, n));
  }
  const [t] = arity(head, parseOperands(rest, end), 1, 'call imm|%rN|local target|runtime imm');
  if (t.kind === 'reg') return one(insn(BPF_JMP | BPF_CALL | BPF_X, t.reg));
  return one(insn(BPF_JMP | BPF_CALL, 0, 0, 0, imm32(num(t, 'call', 'a helper id or a register'))));
}

/** `lock [fetch] add|or|and|xor[32] [%rD+off], %rS`, `lock xchg[32]|cmpxchg[32] [%rD+off], %rS`. */
function lock(head: Token, rest: readonly Token[], end: Pos): Emitted {
  let k = 0;
  const fetch = rest[0]?.kind === 'ident' && rest[0].text === 'fetch';
  if (fetch) k++;
  const opTok = rest[k];
  const form = 'lock [fetch] add|or|and|xor[32] [%rD+off], %rS or lock xchg[32]|cmpxchg[32] [%rD+off], %rS';
  if (opTok === undefined) {
    throw asmError(
      'E_ASM_OPERANDS',
      end,
      `an atomic operation and 2 operands after '${head.text}' (${form})`,
      'end of line',
    );
  }
  const name = opTok.kind === 'ident' ? opTok.text : '';
  const a = ATOMIC_OPS.get(name);
  if (a === undefined || (fetch && a.fetches)) {
    const expected =
      a === undefined
        ? `an atomic operation (${form})`
        : "add, or, and or xor after 'lock fetch' (xchg and cmpxchg always fetch)";
    throw asmError('E_ASM_MNEMONIC', opTok, expected, describe(opTok));
  }
  const m = `lock ${fetch ? 'fetch ' : ''}${name}`;
  const [d, s] = arity(opTok, parseOperands(rest.slice(k + 1), end), 2, `${m} [%rD+off], %rS`);
  const dst = mem(d, m);
  return one(insn(a.code, dst.base, reg(s, m), dst.off, a.imm | (fetch ? 1 : 0)));
}
