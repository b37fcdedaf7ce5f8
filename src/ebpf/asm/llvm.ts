/**
 * The LLVM / kernel BPF assembly syntax (`r0 = *(u32 *)(r1 + 0x8)`, `if w1 s< w2 goto -0x2`, ...),
 * cpu v1-v4, as llvm-objdump-19 prints it and llvm-mc-19 accepts it. Also accepts whole
 * llvm-objdump -d listings: the address and byte columns, `<sym>:` headers, `file format` and
 * `Disassembly of section` lines, relocation lines and a trailing ` <sym+0x..>` after a jump target
 * are skipped; a `<unknown>` line (an instruction objdump could not print) takes its byte column.
 * Labels (`LBB0_1:`), `#` and `//` comments, C block comments and `;` between statements are
 * accepted, and the directives of IGNORED_DIRECTIVES are ignored.
 */
import { decodeInsns, type Insn } from '../insn.js';
import { asmError } from './errors.js';
import { blankBlockComments, describe, type LexDialect, lexLine } from './lexer.js';
import { LLVM_FORMS } from './llvm-forms.js';
import { matchAny } from './llvm-match.js';
import { Program } from './program.js';

export const LLVM_DIALECT: LexDialect = {
  identStart: '.$',
  puncts: [
    '<<=',
    '>>=',
    '==',
    '!=',
    '>=',
    '<=',
    '+=',
    '-=',
    '*=',
    '/=',
    '|=',
    '&=',
    '^=',
    '%=',
    '=',
    '+',
    '-',
    '*',
    '/',
    '|',
    '&',
    '^',
    '%',
    '<',
    '>',
    '(',
    ')',
    '[',
    ']',
    ',',
    ':',
  ],
  signedOps: ['>>=', '/=', '%=', '>=', '<=', '>', '<'],
  lineComments: ['#', '//'],
  separator: ';',
};

/** Directives that do not change the instruction stream; any other directive is an error. */
export const IGNORED_DIRECTIVES: ReadonlySet<string> = new Set([
  '.text',
  '.globl',
  '.global',
  '.p2align',
  '.align',
  '.type',
  '.size',
  '.file',
]);

/** Lines of an llvm-objdump listing that hold no instruction. */
const OBJDUMP_NOISE = [
  /:\s+file format \S+\s*$/,
  /^Disassembly of section .*:\s*$/,
  /^[0-9a-fA-F]+ <[^<>]*>:\s*$/,
  /^\s*[0-9a-fA-F]+:\s+R_BPF_\w+/,
];

/** `      10:\t61 12 08 00 00 00 00 00\t`: slot number, then (optionally) the bytes and a tab. */
const OBJDUMP_PREFIX = /^\s*\d+:[ \t]+(?:((?:[0-9a-fA-F]{2} )*[0-9a-fA-F]{2})(?:\t|$))?/;

/** Assemble LLVM-syntax text (or an llvm-objdump -d listing) into instruction slots. Throws AsmError. */
export function assembleLlvm(text: string): Insn[] {
  const prog = new Program();
  blankBlockComments(text)
    .split('\n')
    .forEach((raw, k) => {
      const lineNo = k + 1;
      if (OBJDUMP_NOISE.some((re) => re.test(raw))) return;
      let line = raw;
      let col0 = 1;
      let bytes: string | undefined;
      const pre = OBJDUMP_PREFIX.exec(raw);
      if (pre !== null) {
        bytes = pre[1];
        col0 = pre[0].length + 1;
        line = raw.slice(pre[0].length);
      }
      // The annotation objdump appends to a jump target: ` <LBB0_2>`, ` <.text+0x160>`.
      line = line.replace(/\s+<[^<>\s]*>\s*$/, '');
      if (line.trim() === '<unknown>') {
        const at = { line: lineNo, col: col0 + line.indexOf('<') };
        if (bytes === undefined) throw asmError('E_ASM_SYNTAX', at, 'an instruction', "'<unknown>'");
        const b = Uint8Array.from(bytes.split(' '), (h) => Number.parseInt(h, 16));
        if (b.length % 8 !== 0) throw asmError('E_ASM_SYNTAX', at, '8 or 16 bytes', `${b.length} bytes`);
        prog.emitSlots(decodeInsns(b));
        return;
      }
      const dir = /^(\s*)(\.[A-Za-z_][A-Za-z0-9_.$]*)(?=\s|$)/.exec(line);
      if (dir !== null) {
        if (IGNORED_DIRECTIVES.has(dir[2]!)) return;
        const at = { line: lineNo, col: col0 + dir[1]!.length };
        throw asmError(
          'E_ASM_DIRECTIVE',
          at,
          `an instruction or one of ${[...IGNORED_DIRECTIVES].join(' ')}`,
          `'${dir[2]}'`,
        );
      }
      for (const st of lexLine(line, lineNo, LLVM_DIALECT, col0)) {
        let toks = st.toks;
        while (toks.length >= 2 && toks[0]!.kind === 'ident' && toks[1]!.text === ':') {
          prog.define(toks[0]!.text, toks[0]!);
          toks = toks.slice(2);
        }
        const head = toks[0];
        if (head === undefined) continue;
        if (head.kind === 'ident' && head.text.startsWith('.')) {
          if (IGNORED_DIRECTIVES.has(head.text)) continue;
          throw asmError('E_ASM_DIRECTIVE', head, 'an instruction', describe(head));
        }
        prog.emit(matchAny(LLVM_FORMS, toks, st.end));
      }
    });
  return prog.finish();
}
