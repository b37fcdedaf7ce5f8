/**
 * Parser of bpf_conformance `.data` files (format: conformance/bpf/README.md).
 *
 * - Line oriented; everything after `#` on a line is a comment (the ignored `-- c` section keeps its
 *   text unparsed).
 * - A line whose text starts with `--` starts a section: asm, raw, mem, result, error; `c` and
 *   `no register offset` are ignored; any other name is a parse error.
 * - `-- raw`: one or more instruction words per line (`0x` hex or decimal, 64-bit little-endian);
 *   a line of exactly 8 tokens of 1-2 hex digits without `0x` is one instruction as 8 bytes (the
 *   form of negative/unused-*.data). When present it wins over `-- asm`.
 * - `-- mem`: hex byte tokens. `-- result`: the last non-empty line, hex when it holds `0x`, else
 *   decimal (a negative decimal is taken modulo 2^64). `-- error`: its text; an empty section still
 *   means that an error is expected.
 */
import { decodeInsns, type Insn } from './insn.js';

export interface ConformanceData {
  /** The `-- asm` text (null when absent) and the file line of its first line. */
  readonly asm: string | null;
  readonly asmLine: number;
  /** Slots of the `-- raw` section, or null when absent. */
  readonly raw: Insn[] | null;
  /** The `-- mem` bytes (empty when absent). */
  readonly mem: Uint8Array;
  /** Expected r0 as a u64, or null without a result section. */
  readonly result: bigint | null;
  /** Expected error text, or null without an error section ('' for an empty one). */
  readonly error: string | null;
}

/** A malformed .data file, with its 1-based line. */
export class ConformanceParseError extends Error {
  readonly code = 'E_CONFORMANCE_DATA';
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ConformanceParseError';
    this.line = line;
  }
}

type Section = 'asm' | 'raw' | 'mem' | 'result' | 'error' | 'ignored';

const SECTIONS: Readonly<Record<string, Section>> = {
  asm: 'asm',
  raw: 'raw',
  mem: 'mem',
  result: 'result',
  error: 'error',
  c: 'ignored',
  'no register offset': 'ignored',
};

const BYTE = /^[0-9a-fA-F]{1,2}$/;
const WORD = /^(0x[0-9a-fA-F]+|[0-9]+)$/;

export function parseConformanceData(text: string): ConformanceData {
  const lines = text.split(/\r?\n/);
  let section: Section | null = null;
  const asm: string[] = [];
  let asmLine = 0;
  let raw: Insn[] | null = null;
  const rawBytes: number[] = [];
  const mem: number[] = [];
  let resultText: string | null = null;
  let resultLine = 0;
  let error: string[] | null = null;

  lines.forEach((full, k) => {
    const ln = k + 1;
    if (full.trimStart().startsWith('--')) {
      const name = full.trim().slice(2).trim();
      const s = SECTIONS[name];
      if (s === undefined) {
        throw new ConformanceParseError(
          ln,
          `unknown section '-- ${name}': expected asm, raw, mem, result, error, c or no register offset`,
        );
      }
      section = s;
      if (s === 'asm') asmLine = ln + 1;
      if (s === 'raw') raw ??= [];
      if (s === 'error') error ??= [];
      return;
    }
    if (section === 'ignored') return;
    if (section === 'asm') {
      asm.push(full);
      return;
    }
    const hash = full.indexOf('#');
    const line = (hash >= 0 ? full.slice(0, hash) : full).trim();
    if (section === 'error') {
      if (line !== '') error!.push(line);
      return;
    }
    if (line === '' || section === null) {
      if (line !== '') throw new ConformanceParseError(ln, `text '${line}' before any section`);
      return;
    }
    const toks = line.split(/\s+/);
    switch (section) {
      case 'raw':
        if (toks.length === 8 && toks.every((t) => BYTE.test(t))) {
          for (const t of toks) rawBytes.push(Number.parseInt(t, 16));
        } else {
          for (const t of toks) {
            if (!WORD.test(t)) {
              throw new ConformanceParseError(ln, `raw: expected a 0x hex or decimal word, found '${t}'`);
            }
            const w = BigInt(t);
            if (w >= 1n << 64n) throw new ConformanceParseError(ln, `raw: word ${t} does not fit in 64 bits`);
            pushWord(rawBytes, w);
          }
        }
        return;
      case 'mem':
        for (const t of toks) {
          if (!BYTE.test(t)) throw new ConformanceParseError(ln, `mem: expected a hex byte, found '${t}'`);
          mem.push(Number.parseInt(t, 16));
        }
        return;
      default: // result
        resultText = line;
        resultLine = ln;
    }
  });

  let result: bigint | null = null;
  if (resultText !== null) {
    const t: string = resultText;
    const ok = t.includes('0x') ? /^-?0x[0-9a-fA-F]+$/.test(t) : /^-?[0-9]+$/.test(t);
    if (!ok)
      throw new ConformanceParseError(
        resultLine,
        `result: expected a hex (0x) or decimal number, found '${t}'`,
      );
    const neg = t.startsWith('-');
    const v = BigInt(neg ? t.slice(1) : t);
    result = BigInt.asUintN(64, neg ? -v : v);
  }
  if (raw !== null) raw = decodeInsns(Uint8Array.from(rawBytes));
  return {
    asm: asmLine > 0 ? asm.join('\n') : null,
    asmLine,
    raw,
    mem: Uint8Array.from(mem),
    result,
    error: error === null ? null : (error as string[]).join('\n'),
  };
}

function pushWord(out: number[], w: bigint): void {
  for (let i = 0n; i < 64n; i += 8n) out.push(Number((w >> i) & 0xffn));
}
