/**
 * Instruction forms of the LLVM syntax as token templates, and the matcher. A template is a
 * space-separated list of literal tokens and placeholders:
 *   $Rd $Wd $Xd  destination register: 64-bit rN, 32-bit wN, either (same encoding)
 *   $Rs $Ws $Xs  source register (a placeholder named twice must name the same register)
 *   $R0 $W0      r0 / w0 (written out, encoded nowhere: cmpxchg's comparand, ld_abs's result)
 *   $imm         32-bit immediate, optional `-`          $imm64  lddw constant
 *   $off         `+ N` or `- N`, 16-bit memory offset     $src4   ld_pseudo source (0-15)
 *   $tgt16       jump target: [+|-]N or a label, in off   $tgt32  the same in imm (gotol)
 *   $call        call target: N (helper) or a label (bpf-to-bpf call, src 1)
 *   $as          16-bit address-space number (addr_space_cast; the first one goes to imm's upper half)
 * A line matches the first template it fits entirely; values are range-checked after the match.
 */
import { BPF_PSEUDO_CALL } from '../../uapi/bpf.js';
import type { Insn } from '../insn.js';
import { asmError, type Pos } from './errors.js';
import { describe, I16_MAX, I16_MIN, imm32, imm64, ranged, type SignedNum, type Token } from './lexer.js';
import { type Emitted, insn } from './program.js';

type Placeholder =
  | 'R0'
  | 'W0'
  | 'Rd'
  | 'Wd'
  | 'Xd'
  | 'Rs'
  | 'Ws'
  | 'Xs'
  | 'imm'
  | 'imm64'
  | 'off'
  | 'src4'
  | 'tgt16'
  | 'tgt32'
  | 'call'
  | 'as';

type Elem = { readonly lit: string } | { readonly ph: Placeholder };

/** One instruction form: its tokens and the slot it starts from. */
export interface Form {
  readonly elems: readonly Elem[];
  readonly base: Insn;
}

const PLACEHOLDERS = new Set<string>([
  'R0',
  'W0',
  'Rd',
  'Wd',
  'Xd',
  'Rs',
  'Ws',
  'Xs',
  'imm',
  'imm64',
  'off',
  'src4',
  'tgt16',
  'tgt32',
  'call',
  'as',
]);

/** A form from its template text and base slot fields. */
export function form(template: string, code: number, fixed: Partial<Insn> = {}): Form {
  const elems = template.split(' ').map((t): Elem => {
    if (t.startsWith('$')) {
      const ph = t.slice(1);
      if (!PLACEHOLDERS.has(ph)) throw new Error(`bad placeholder ${t} in template '${template}'`);
      return { ph: ph as Placeholder };
    }
    return { lit: t };
  });
  return { elems, base: { ...insn(code), ...fixed } };
}

/* ------------------------------------------------------------------ matching */

/** What a placeholder captured. */
type Capture =
  | {
      readonly ph: 'R0' | 'W0' | 'Rd' | 'Wd' | 'Xd' | 'Rs' | 'Ws' | 'Xs';
      readonly tok: Token;
      readonly reg: number;
    }
  | {
      readonly ph: 'imm' | 'imm64' | 'off' | 'src4' | 'tgt16' | 'tgt32' | 'call' | 'as';
      readonly n: SignedNum;
    }
  | { readonly ph: 'tgt16' | 'tgt32' | 'call'; readonly label: Token };

type MatchResult =
  | { readonly ok: true; readonly caps: readonly Capture[] }
  | { readonly ok: false; readonly at: number; readonly expected: string };

const REG = /^([rw])(\d+)$/;

const EXPECT: Record<Placeholder, string> = {
  R0: 'r0 (the only register this instruction takes there)',
  W0: 'w0 (the only register this instruction takes there)',
  Rd: 'a 64-bit register rN',
  Rs: 'a 64-bit register rN',
  Wd: 'a 32-bit register wN',
  Ws: 'a 32-bit register wN',
  Xd: 'a register rN or wN',
  Xs: 'a register rN or wN',
  imm: 'an immediate',
  imm64: 'an immediate',
  off: "'+' or '-' and an offset",
  src4: 'a pseudo source number',
  tgt16: 'a jump target (+N, -N or a label)',
  tgt32: 'a jump target (+N, -N or a label)',
  call: 'a helper number or a label',
  as: 'an address space number',
};

/**
 * A number with an optional sign (`-` always; `+` where `plus`) at toks[k]: the number and the
 * tokens it took, or the index of the token that is not what it should be.
 */
function signed(
  toks: readonly Token[],
  k: number,
  plus: boolean,
): { n: SignedNum; len: number } | { failAt: number } {
  const t = toks[k];
  if (t?.kind === 'num') return { n: { tok: t, at: t, value: t.value }, len: 1 };
  if (t === undefined || (t.text !== '-' && !(plus && t.text === '+'))) return { failAt: k };
  const v = toks[k + 1];
  if (v?.kind !== 'num') return { failAt: k + 1 };
  return { n: { tok: v, at: t, value: t.text === '-' ? -v.value : v.value }, len: 2 };
}

/** Match `toks` against one form. */
export function match(f: Form, toks: readonly Token[]): MatchResult {
  const caps: Capture[] = [];
  let k = 0;
  for (const e of f.elems) {
    const t = toks[k];
    if ('lit' in e) {
      if (t === undefined || t.text !== e.lit) return { ok: false, at: k, expected: `'${e.lit}'` };
      k++;
      continue;
    }
    const fail: MatchResult = { ok: false, at: k, expected: EXPECT[e.ph] };
    switch (e.ph) {
      case 'R0':
      case 'W0':
      case 'Rd':
      case 'Wd':
      case 'Xd':
      case 'Rs':
      case 'Ws':
      case 'Xs': {
        const m = t?.kind === 'ident' ? REG.exec(t.text) : null;
        if (m === null || t === undefined) return fail;
        const kind = e.ph[0] === 'R' ? 'r' : e.ph[0] === 'W' ? 'w' : m[1]!;
        if (m[1] !== kind) return fail;
        caps.push({ ph: e.ph, tok: t, reg: m[2]!.length > 2 ? 99 : Number(m[2]) });
        k++;
        continue;
      }
      case 'tgt16':
      case 'tgt32':
      case 'call':
        if (t?.kind === 'ident' && !REG.test(t.text)) {
          caps.push({ ph: e.ph, label: t });
          k++;
          continue;
        }
        break;
      default:
        break;
    }
    if (e.ph === 'off' && t?.text !== '+' && t?.text !== '-') return fail;
    const s = signed(toks, k, e.ph !== 'imm' && e.ph !== 'imm64' && e.ph !== 'call');
    if ('failAt' in s) return s.failAt === k ? fail : { ok: false, at: s.failAt, expected: 'a number' };
    caps.push({ ph: e.ph, n: s.n });
    k += s.len;
  }
  if (k < toks.length) return { ok: false, at: k, expected: 'end of line' };
  return { ok: true, caps };
}

/** The instruction a full match encodes; range and register checks happen here. */
export function encode(f: Form, caps: readonly Capture[]): Emitted {
  let i: Insn = { ...f.base };
  let hi: number | undefined;
  let ref: Emitted['ref'];
  const regs = new Map<string, Token>();
  let asCount = 0;
  for (const c of caps) {
    if ('tok' in c) {
      if (c.reg > 10) {
        throw asmError(
          'E_ASM_REGISTER',
          c.tok,
          `a register ${c.tok.text[0]}0-${c.tok.text[0]}10`,
          describe(c.tok),
        );
      }
      if (c.ph === 'R0' || c.ph === 'W0') {
        if (c.reg !== 0) throw asmError('E_ASM_OPERANDS', c.tok, EXPECT[c.ph], describe(c.tok));
        continue;
      }
      const role = c.ph[1]!;
      const prev = regs.get(role);
      if (prev !== undefined) {
        if (REG.exec(prev.text)![2] !== REG.exec(c.tok.text)![2]) {
          throw asmError(
            'E_ASM_OPERANDS',
            c.tok,
            `the same register as at column ${prev.col} (${prev.text})`,
            describe(c.tok),
          );
        }
        continue;
      }
      regs.set(role, c.tok);
      i = role === 'd' ? { ...i, dst: c.reg } : { ...i, src: c.reg };
      continue;
    }
    if ('label' in c) {
      ref = { label: c.label.text, at: c.label, field: c.ph === 'tgt16' ? 'off' : 'imm' };
      if (c.ph === 'call') i = { ...i, src: BPF_PSEUDO_CALL };
      continue;
    }
    switch (c.ph) {
      case 'imm':
        i = { ...i, imm: imm32(c.n) };
        break;
      case 'call':
        i = { ...i, imm: imm32(c.n, 'a 32-bit helper number') };
        break;
      case 'imm64': {
        const v = imm64(c.n);
        i = { ...i, imm: Number(BigInt.asIntN(32, v)) };
        hi = Number(BigInt.asIntN(32, v >> 32n));
        break;
      }
      case 'off':
        i = { ...i, off: ranged(c.n, I16_MIN, I16_MAX, 'a 16-bit offset') };
        break;
      case 'tgt16':
        i = { ...i, off: ranged(c.n, I16_MIN, I16_MAX, 'a 16-bit jump offset') };
        break;
      case 'tgt32':
        i = { ...i, imm: imm32(c.n, 'a 32-bit jump offset') };
        break;
      case 'src4':
        i = { ...i, src: ranged(c.n, 0, 15, 'a 4-bit pseudo source') };
        break;
      case 'as': {
        const v = ranged(c.n, 0, 0xffff, 'a 16-bit address space');
        i = { ...i, imm: asCount++ === 0 ? v << 16 : i.imm | v };
        break;
      }
    }
  }
  return { insn: i, ...(hi === undefined ? {} : { hi }), ...(ref === undefined ? {} : { ref }) };
}

/** Match a statement against every form: the first full match, or the error of the best attempt. */
export function matchAny(forms: readonly Form[], toks: readonly Token[], end: Pos): Emitted {
  let best = -1;
  const expected = new Set<string>();
  for (const f of forms) {
    const r = match(f, toks);
    if (r.ok) return encode(f, r.caps);
    if (r.at > best) {
      best = r.at;
      expected.clear();
    }
    if (r.at === best) expected.add(r.expected);
  }
  const found = toks[best];
  const at = found ?? end;
  const list = [...expected];
  const what =
    list.length === 1 ? list[0]! : `one of ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', ...' : ''}`;
  if (best === 0) throw asmError('E_ASM_MNEMONIC', at, 'an instruction', describe(found));
  throw asmError('E_ASM_OPERANDS', at, what, describe(found));
}
