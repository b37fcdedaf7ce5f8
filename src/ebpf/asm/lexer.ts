/**
 * Lexing shared by both assembly syntaxes: comments, tokens with their positions, number literals
 * (decimal or 0x hex, as bigints) and the checks that make a number fit an instruction field.
 */
import { asmError, type Pos } from './errors.js';

export type TokenKind = 'ident' | 'num' | 'punct';

/** One token. `value` holds a number token's value (unsigned: a sign is a separate punct token). */
export interface Token extends Pos {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: bigint;
  /** A number written in hex. */
  readonly hex: boolean;
}

/** The tokens of one statement, and where it ends (for "found end of line"). */
export interface Statement {
  readonly toks: readonly Token[];
  readonly end: Pos;
}

/** What differs between the two syntaxes. */
export interface LexDialect {
  /** Characters that may start an identifier (besides letters and `_`). */
  readonly identStart: string;
  /** Punctuation, longest first. */
  readonly puncts: readonly string[];
  /** Operators that an `s` glued before them turns into a signed operator (`s>>=`, `s<`). */
  readonly signedOps: readonly string[];
  /** Line comment starters. */
  readonly lineComments: readonly string[];
  /** A statement separator inside a line, or null. */
  readonly separator: string | null;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isWord = (c: string): boolean => /^[A-Za-z0-9_.$]$/.test(c);

/** Render a token for a message. */
export function describe(tok: Token | undefined): string {
  return tok === undefined ? 'end of line' : `'${tok.text}'`;
}

/** Blank out C block comments, keeping newlines so that positions do not move. */
export function blankBlockComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
}

/** Cut a line comment off (the text up to the first comment starter). */
function cutComment(line: string, starters: readonly string[]): string {
  let end = line.length;
  for (const s of starters) {
    const k = line.indexOf(s);
    if (k >= 0 && k < end) end = k;
  }
  return line.slice(0, end);
}

/**
 * Tokenize one source line (1-based `lineNo`) into statements. `col0` is the column of the line's
 * first character (1 unless a prefix such as an objdump address column was cut off).
 */
export function lexLine(line: string, lineNo: number, d: LexDialect, col0 = 1): Statement[] {
  const src = cutComment(line, d.lineComments);
  const out: Statement[] = [];
  let toks: Token[] = [];
  const pos = (k: number): Pos => ({ line: lineNo, col: col0 + k });
  let k = 0;
  while (k < src.length) {
    const c = src[k]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f') {
      k++;
      continue;
    }
    if (d.separator !== null && src.startsWith(d.separator, k)) {
      out.push({ toks, end: pos(k) });
      toks = [];
      k += d.separator.length;
      continue;
    }
    if (isDigit(c)) {
      let e = k + 1;
      while (e < src.length && /[A-Za-z0-9_]/.test(src[e]!)) e++;
      const text = src.slice(k, e);
      toks.push(numberToken(text, pos(k)));
      k = e;
      continue;
    }
    if (/[A-Za-z_]/.test(c) || d.identStart.includes(c)) {
      let e = k + 1;
      while (e < src.length && isWord(src[e]!)) e++;
      const text = src.slice(k, e);
      if (text === 's') {
        const op = d.signedOps.find((o) => src.startsWith(o, e));
        if (op !== undefined) {
          toks.push({ kind: 'punct', text: `s${op}`, value: 0n, hex: false, ...pos(k) });
          k = e + op.length;
          continue;
        }
      }
      toks.push({ kind: 'ident', text, value: 0n, hex: false, ...pos(k) });
      k = e;
      continue;
    }
    const p = d.puncts.find((o) => src.startsWith(o, k));
    if (p === undefined) {
      throw asmError('E_ASM_SYNTAX', pos(k), `a name, a number or one of ${d.puncts.join(' ')}`, `'${c}'`);
    }
    toks.push({ kind: 'punct', text: p, value: 0n, hex: false, ...pos(k) });
    k += p.length;
  }
  out.push({ toks, end: pos(src.trimEnd().length) });
  return out.filter((s) => s.toks.length > 0);
}

function numberToken(text: string, at: Pos): Token {
  if (/^0[xX][0-9A-Fa-f]+$/.test(text)) return { kind: 'num', text, value: BigInt(text), hex: true, ...at };
  if (/^(0|[1-9][0-9]*)$/.test(text)) return { kind: 'num', text, value: BigInt(text), hex: false, ...at };
  throw asmError('E_ASM_SYNTAX', at, 'a decimal number or a 0x-prefixed hex number', `'${text}'`);
}

/* ------------------------------------------------------------------ numbers into fields */

const I32_MIN = -(1n << 31n);
const I32_MAX = (1n << 31n) - 1n;
const U32_MAX = (1n << 32n) - 1n;

/** A signed literal: the number token and whether a `-` came before it. */
export interface SignedNum {
  readonly tok: Token;
  /** The sign token's position when there is one, else the number's. */
  readonly at: Pos;
  readonly value: bigint;
}

/**
 * A 32-bit immediate: a signed decimal in int32 range, or a hex bit pattern up to 0xffffffff (taken
 * as the int32 with those bits); a negative hex literal must be in int32 range.
 */
export function imm32(n: SignedNum, what = 'a 32-bit immediate'): number {
  const v = n.value;
  if (v >= I32_MIN && v <= I32_MAX) return Number(v);
  if (n.tok.hex && v > 0n && v <= U32_MAX) return Number(BigInt.asIntN(32, v));
  throw asmError(
    'E_ASM_RANGE',
    n.at,
    `${what} (${n.tok.hex ? '-0x80000000..0xffffffff' : '-2147483648..2147483647'})`,
    `${n.value < 0n ? '-' : ''}${n.tok.text}`,
  );
}

/** A 64-bit immediate (lddw): any value from -2^63 to 2^64-1, as its 64-bit pattern. */
export function imm64(n: SignedNum): bigint {
  const v = n.value;
  if (v >= -(1n << 63n) && v < 1n << 64n) return BigInt.asUintN(64, v);
  throw asmError(
    'E_ASM_RANGE',
    n.at,
    'a 64-bit immediate (-2^63..2^64-1)',
    `${v < 0n ? '-' : ''}${n.tok.text}`,
  );
}

/** A signed value that must lie in [min, max] (offsets, jump distances, small fields). */
export function ranged(n: SignedNum, min: number, max: number, what: string): number {
  const v = n.value;
  if (v >= BigInt(min) && v <= BigInt(max)) return Number(v);
  throw asmError('E_ASM_RANGE', n.at, `${what} (${min}..${max})`, `${v < 0n ? '-' : ''}${n.tok.text}`);
}

export const I16_MIN = -0x8000;
export const I16_MAX = 0x7fff;
export const I32_MIN_N = -0x8000_0000;
export const I32_MAX_N = 0x7fff_ffff;
