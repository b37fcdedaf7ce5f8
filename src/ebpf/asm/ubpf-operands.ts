/**
 * Operands of the uBPF dialect: `%rN`, an immediate (`5`, `-5`, `0x10`, `+3`), a memory operand
 * (`[%rN]`, `[%rN+off]`, `[%rN-off]`) or a label name.
 */
import { asmError, type Pos } from './errors.js';
import { describe, I16_MAX, I16_MIN, ranged, type SignedNum, type Token } from './lexer.js';

export type Operand =
  | { readonly kind: 'reg'; readonly reg: number; readonly at: Pos; readonly text: string }
  | {
      readonly kind: 'num';
      readonly n: SignedNum;
      /** Written with an explicit `+` or `-` (a relative jump target). */
      readonly signed: boolean;
      readonly at: Pos;
      readonly text: string;
    }
  | {
      readonly kind: 'mem';
      readonly base: number;
      readonly off: number;
      readonly at: Pos;
      readonly text: string;
    }
  | { readonly kind: 'label'; readonly name: string; readonly at: Pos; readonly text: string };

/** A register token `%r0`..`%r10`. */
export function regToken(t: Token | undefined, end: Pos): number {
  const m = t?.kind === 'ident' ? /^%r(\d+)$/.exec(t.text) : null;
  if (m === null || t === undefined) {
    throw asmError(
      t?.text.startsWith('%') ? 'E_ASM_REGISTER' : 'E_ASM_SYNTAX',
      t ?? end,
      'a register %r0-%r10',
      describe(t),
    );
  }
  const n = Number(m[1]);
  if (n > 10 || m[1]!.length > 2) throw asmError('E_ASM_REGISTER', t, 'a register %r0-%r10', describe(t));
  return n;
}

/** Split the tokens after the mnemonic at commas and parse each operand. */
export function parseOperands(toks: readonly Token[], end: Pos): Operand[] {
  const groups: Token[][] = [[]];
  const commas: Token[] = [];
  for (const t of toks) {
    if (t.text === ',') {
      groups.push([]);
      commas.push(t);
    } else groups[groups.length - 1]!.push(t);
  }
  if (toks.length === 0) return [];
  return groups.map((g, k) => {
    const next = commas[k] ?? end;
    if (g.length === 0) throw asmError('E_ASM_SYNTAX', next, 'an operand', describe(commas[k]));
    return operand(g, next);
  });
}

function operand(g: readonly Token[], end: Pos): Operand {
  const first = g[0]!;
  const text = g.map((t) => t.text).join('');
  const extra = (k: number): never => {
    throw asmError('E_ASM_SYNTAX', g[k]!, "',' or end of line after an operand", describe(g[k]));
  };
  if (first.kind === 'ident' && first.text.startsWith('%')) {
    const reg = regToken(first, end);
    if (g.length > 1) extra(1);
    return { kind: 'reg', reg, at: first, text };
  }
  if (first.kind === 'ident') {
    if (g.length > 1) extra(1);
    return { kind: 'label', name: first.text, at: first, text };
  }
  if (first.text === '+' || first.text === '-' || first.kind === 'num') {
    const signed = first.kind !== 'num';
    const numTok = signed ? g[1] : first;
    if (numTok?.kind !== 'num') throw asmError('E_ASM_SYNTAX', numTok ?? end, 'a number', describe(numTok));
    if (g.length > (signed ? 2 : 1)) extra(signed ? 2 : 1);
    const value = first.text === '-' ? -numTok.value : numTok.value;
    return { kind: 'num', n: { tok: numTok, at: first, value }, signed, at: first, text };
  }
  if (first.text === '[') {
    const base = regToken(g[1], end);
    let k = 2;
    let off = 0;
    const sign = g[k];
    if (sign?.text === '+' || sign?.text === '-') {
      const numTok = g[k + 1];
      if (numTok?.kind !== 'num')
        throw asmError('E_ASM_SYNTAX', numTok ?? end, 'an offset', describe(numTok));
      const value = sign.text === '-' ? -numTok.value : numTok.value;
      off = ranged({ tok: numTok, at: sign, value }, I16_MIN, I16_MAX, 'a 16-bit offset');
      k += 2;
    }
    const close = g[k];
    if (close?.text !== ']') {
      throw asmError('E_ASM_SYNTAX', close ?? end, k === 2 ? "'+', '-' or ']'" : "']'", describe(close));
    }
    if (g.length > k + 1) extra(k + 1);
    return { kind: 'mem', base, off, at: first, text };
  }
  throw asmError('E_ASM_SYNTAX', first, 'a register, immediate, memory operand or label', describe(first));
}
