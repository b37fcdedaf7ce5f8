/**
 * The uBPF-dialect assembler: every conformance program assembles into slots that pass the load-time
 * check (and equal the `-- raw` words where a file has both), the malformed negatives fail with the
 * expected code and line, a table of lines covers every mnemonic family with hand-checked encodings
 * (RFC 9669 opcodes), and a table of errors pins code, line and column.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AsmError } from '../src/ebpf/asm/errors.js';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { checkInsns, encodeInsns, type Insn, insnsFromWords } from '../src/ebpf/insn.js';
import { type AsmErrorCase, assertAsmErrors } from './asm-common.js';
import { repoRoot } from './helpers.js';

const CONFORMANCE = join(repoRoot(), '..', 'shared', 'conformance', 'bpf');

/* ------------------------------------------------------------------ local helpers */

const KNOWN_SECTIONS = new Set(['asm', 'raw', 'mem', 'result', 'error', 'c', 'no register offset']);

/**
 * The sections of a conformance .data file, each as its text (lines after the header, verbatim).
 * A `--` line naming no known section stays inside the current section: the assembler must reject
 * it as a directive (invalid_unknown_directive.data).
 */
function sections(path: string): Map<string, string> {
  const out = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*--\s*(.*?)\s*$/.exec(line.replace(/#.*/, ''));
    if (m !== null && KNOWN_SECTIONS.has(m[1]!)) {
      cur = [];
      out.set(m[1]!, cur);
      continue;
    }
    cur?.push(line);
  }
  return new Map([...out].map(([k, v]) => [k, v.join('\n')]));
}

/** Slots as hex bytes, 8 per slot: `b7 01 00 00 05 00 00 00`. */
function hex(insns: readonly Insn[]): string {
  return [...encodeInsns(insns)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function dataFiles(dir: string): string[] {
  return readdirSync(join(CONFORMANCE, dir))
    .filter((f) => f.endsWith('.data'))
    .sort();
}

/* ------------------------------------------------------------------ conformance programs */

test('every conformance program assembles and passes the load-time check', () => {
  const files = dataFiles('tests');
  assert.ok(files.length >= 300, `only ${files.length} conformance files found in ${CONFORMANCE}/tests`);
  let withRaw = 0;
  for (const f of files) {
    const s = sections(join(CONFORMANCE, 'tests', f));
    const asm = s.get('asm');
    assert.ok(asm !== undefined, `${f}: no -- asm section`);
    let insns: Insn[];
    try {
      insns = assembleUbpf(asm);
      checkInsns(insns);
    } catch (e) {
      assert.fail(`${f}: ${(e as Error).message}`);
    }
    const raw = s.get('raw');
    if (raw !== undefined) {
      withRaw++;
      const words = raw
        .split(/\s+/)
        .filter((w) => w !== '')
        .map((w) => BigInt(w));
      assert.equal(hex(insns), hex(insnsFromWords(words)), `${f}: -- asm and -- raw differ`);
    }
  }
  assert.equal(withRaw, 1, 'expected exactly one file with both -- asm and -- raw (lddw.data)');
});

/**
 * Negatives that are assembler errors: code and 1-based line within the `-- asm` section.
 * - invalid_imm32_*: 2^31 in decimal and 2^32 in hex do not fit a 32-bit immediate;
 * - invalid_offset_range: 0x10000 does not fit the 16-bit offset;
 * - invalid_offset: ldxb takes a memory operand, not a register;
 * - invalid_operand_count, invalid_lock, invalid_lock2: too few operands (`lock` alone names no
 *   operation);
 * - invalid_register: %r50; invalid_mnemonic: ldxq; invalid_label: an undefined label;
 * - invalid_unknown_directive: `-- Unknown directive` names no section, so it stays in the asm text,
 *   where it is an unknown directive.
 */
const ASSEMBLER_NEGATIVES: Record<string, { code: string; line: number }> = {
  'invalid_imm32_dec_range.data': { code: 'E_ASM_RANGE', line: 2 },
  'invalid_imm32_hex_range.data': { code: 'E_ASM_RANGE', line: 2 },
  'invalid_label.data': { code: 'E_ASM_LABEL', line: 1 },
  'invalid_lock.data': { code: 'E_ASM_OPERANDS', line: 1 },
  'invalid_lock2.data': { code: 'E_ASM_OPERANDS', line: 1 },
  'invalid_mnemonic.data': { code: 'E_ASM_MNEMONIC', line: 2 },
  'invalid_offset.data': { code: 'E_ASM_OPERANDS', line: 1 },
  'invalid_offset_range.data': { code: 'E_ASM_RANGE', line: 2 },
  'invalid_operand_count.data': { code: 'E_ASM_OPERANDS', line: 1 },
  'invalid_register.data': { code: 'E_ASM_REGISTER', line: 1 },
  'invalid_unknown_directive.data': { code: 'E_ASM_DIRECTIVE', line: 1 },
};

/**
 * Negatives that are not assembler errors (their program, if any, assembles):
 * - empty, empty_instructions: no program at all (the loader's E_EMPTY, or a harness error);
 * - error: `or %r0, %r10` is valid; the file expects an error the program does not produce (a
 *   self-test of the runner's error comparison);
 * - incorrect_return_value_high_bits: valid; its `-- result` deliberately mismatches what it returns.
 */
const OTHER_NEGATIVES = new Set([
  'empty.data',
  'empty_instructions.data',
  'error.data',
  'incorrect_return_value_high_bits.data',
]);

test('malformed negative programs fail to assemble with the expected code and line', () => {
  const files = dataFiles('negative').filter((f) => !f.startsWith('unused-'));
  for (const f of files) {
    assert.ok(f in ASSEMBLER_NEGATIVES || OTHER_NEGATIVES.has(f), `${f}: not classified by this test`);
    const asm = sections(join(CONFORMANCE, 'negative', f)).get('asm');
    const want = ASSEMBLER_NEGATIVES[f];
    if (want === undefined) {
      if (asm !== undefined) checkInsns(assembleUbpf(asm));
      continue;
    }
    assert.ok(asm !== undefined, `${f}: no -- asm section`);
    assert.throws(
      () => assembleUbpf(asm),
      (e: unknown) => {
        assert.ok(e instanceof AsmError, `${f}: ${String(e)}`);
        assert.equal(e.code, want.code, `${f}: ${e.message}`);
        assert.equal(e.line, want.line, `${f}: ${e.message}`);
        assert.match(e.message, /^line \d+, column \d+: expected .+, found .+$/);
        return true;
      },
      `${f} assembled`,
    );
  }
});

/* ------------------------------------------------------------------ encodings */

/**
 * One line per case, bytes as RFC 9669 lays them out: opcode, src<<4|dst, off (LE16), imm (LE32).
 * Opcodes: ALU64 K 0x07+op, X 0x0f+op; ALU 0x04/0x0c; JMP 0x05/0x0d; JMP32 0x06/0x0e.
 */
const ENCODINGS: readonly [string, string][] = [
  // ALU64, register and immediate source
  ['add %r1, %r2', '0f 21 00 00 00 00 00 00'],
  ['add %r1, 5', '07 01 00 00 05 00 00 00'],
  ['sub %r3, %r4', '1f 43 00 00 00 00 00 00'],
  ['sub %r3, -1', '17 03 00 00 ff ff ff ff'],
  ['mul %r0, %r10', '2f a0 00 00 00 00 00 00'],
  ['mul %r0, 0x7fffffff', '27 00 00 00 ff ff ff 7f'],
  ['div %r1, %r2', '3f 21 00 00 00 00 00 00'],
  ['div %r1, 3', '37 01 00 00 03 00 00 00'],
  ['sdiv %r1, %r2', '3f 21 01 00 00 00 00 00'],
  ['sdiv %r1, -3', '37 01 01 00 fd ff ff ff'],
  ['or %r5, %r6', '4f 65 00 00 00 00 00 00'],
  ['or %r5, 0xff', '47 05 00 00 ff 00 00 00'],
  ['and %r7, %r8', '5f 87 00 00 00 00 00 00'],
  ['and %r7, 0xffffffff', '57 07 00 00 ff ff ff ff'],
  ['lsh %r9, %r1', '6f 19 00 00 00 00 00 00'],
  ['lsh %r9, 63', '67 09 00 00 3f 00 00 00'],
  ['rsh %r1, %r2', '7f 21 00 00 00 00 00 00'],
  ['rsh %r1, 1', '77 01 00 00 01 00 00 00'],
  ['neg %r4', '87 04 00 00 00 00 00 00'],
  ['mod %r1, %r2', '9f 21 00 00 00 00 00 00'],
  ['mod %r1, 7', '97 01 00 00 07 00 00 00'],
  ['smod %r1, %r2', '9f 21 01 00 00 00 00 00'],
  ['smod %r1, -7', '97 01 01 00 f9 ff ff ff'],
  ['xor %r1, %r2', 'af 21 00 00 00 00 00 00'],
  ['xor %r1, 0x80000000', 'a7 01 00 00 00 00 00 80'],
  ['mov %r1, %r2', 'bf 21 00 00 00 00 00 00'],
  ['mov %r1, -2147483648', 'b7 01 00 00 00 00 00 80'],
  ['arsh %r1, %r2', 'cf 21 00 00 00 00 00 00'],
  ['arsh %r1, 4', 'c7 01 00 00 04 00 00 00'],
  // ALU32
  ['add32 %r1, %r2', '0c 21 00 00 00 00 00 00'],
  ['add32 %r1, 5', '04 01 00 00 05 00 00 00'],
  ['sub32 %r1, 1', '14 01 00 00 01 00 00 00'],
  ['mul32 %r1, %r2', '2c 21 00 00 00 00 00 00'],
  ['div32 %r1, 2', '34 01 00 00 02 00 00 00'],
  ['sdiv32 %r1, %r2', '3c 21 01 00 00 00 00 00'],
  ['or32 %r1, 1', '44 01 00 00 01 00 00 00'],
  ['and32 %r1, %r2', '5c 21 00 00 00 00 00 00'],
  ['lsh32 %r1, 31', '64 01 00 00 1f 00 00 00'],
  ['rsh32 %r1, %r2', '7c 21 00 00 00 00 00 00'],
  ['neg32 %r1', '84 01 00 00 00 00 00 00'],
  ['mod32 %r1, 3', '94 01 00 00 03 00 00 00'],
  ['smod32 %r1, 3', '94 01 01 00 03 00 00 00'],
  ['xor32 %r1, %r2', 'ac 21 00 00 00 00 00 00'],
  ['mov32 %r1, 0xffffffff', 'b4 01 00 00 ff ff ff ff'],
  ['mov32 %r1, %r2', 'bc 21 00 00 00 00 00 00'],
  ['arsh32 %r1, %r2', 'cc 21 00 00 00 00 00 00'],
  // sign-extending moves: off = source width
  ['movsx832 %r1, %r2', 'bc 21 08 00 00 00 00 00'],
  ['movsx1632 %r1, %r2', 'bc 21 10 00 00 00 00 00'],
  ['movsx864 %r1, %r2', 'bf 21 08 00 00 00 00 00'],
  ['movsx1664 %r1, %r2', 'bf 21 10 00 00 00 00 00'],
  ['movsx3264 %r1, %r2', 'bf 21 20 00 00 00 00 00'],
  // byte order: le 0xd4, be 0xdc, bswap 0xd7; imm = width
  ['le16 %r1', 'd4 01 00 00 10 00 00 00'],
  ['le32 %r1', 'd4 01 00 00 20 00 00 00'],
  ['le64 %r1', 'd4 01 00 00 40 00 00 00'],
  ['be16 %r1', 'dc 01 00 00 10 00 00 00'],
  ['be32 %r2', 'dc 02 00 00 20 00 00 00'],
  ['be64 %r3', 'dc 03 00 00 40 00 00 00'],
  ['bswap16 %r1', 'd7 01 00 00 10 00 00 00'],
  ['bswap32 %r1', 'd7 01 00 00 20 00 00 00'],
  ['bswap64 %r1', 'd7 01 00 00 40 00 00 00'],
  ['swap16 %r1', 'd7 01 00 00 10 00 00 00'],
  ['swap32 %r1', 'd7 01 00 00 20 00 00 00'],
  ['swap64 %r1', 'd7 01 00 00 40 00 00 00'],
  // lddw: two slots, high half in the second imm
  ['lddw %r0, 0x1122334455667788', '18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11'],
  ['lddw %r1, -1', '18 01 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff'],
  ['lddw %r1, 0xffffffffffffffff', '18 01 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff'],
  ['lddw %r2, 5', '18 02 00 00 05 00 00 00 00 00 00 00 00 00 00 00'],
  // loads
  ['ldxb %r0, [%r1+2]', '71 10 02 00 00 00 00 00'],
  ['ldxh %r0, [%r1-2]', '69 10 fe ff 00 00 00 00'],
  ['ldxw %r0, [%r1]', '61 10 00 00 00 00 00 00'],
  ['ldxdw %r0, [%r10-8]', '79 a0 f8 ff 00 00 00 00'],
  ['ldxsb %r0, [%r1+0x7fff]', '91 10 ff 7f 00 00 00 00'],
  ['ldxsh %r0, [%r1-32768]', '89 10 00 80 00 00 00 00'],
  ['ldxsw %r0, [%r1+4]', '81 10 04 00 00 00 00 00'],
  // stores of an immediate and of a register
  ['stb [%r1+1], 0xff', '72 01 01 00 ff 00 00 00'],
  ['sth [%r1+2], -1', '6a 01 02 00 ff ff ff ff'],
  ['stw [%r10-4], 0x11223344', '62 0a fc ff 44 33 22 11'],
  ['stdw [%r10-8], 1', '7a 0a f8 ff 01 00 00 00'],
  ['stxb [%r1+1], %r2', '73 21 01 00 00 00 00 00'],
  ['stxh [%r1+2], %r2', '6b 21 02 00 00 00 00 00'],
  ['stxw [%r1+4], %r2', '63 21 04 00 00 00 00 00'],
  ['stxdw [%r10-8], %r9', '7b 9a f8 ff 00 00 00 00'],
  // unconditional jumps: ja (off), ja32 (imm)
  ['ja +1', '05 00 01 00 00 00 00 00'],
  ['ja -1', '05 00 ff ff 00 00 00 00'],
  ['ja32 +1', '06 00 00 00 01 00 00 00'],
  ['ja32 -2', '06 00 00 00 fe ff ff ff'],
  // conditional jumps, JMP and JMP32, immediate and register
  ['jeq %r1, 5, +1', '15 01 01 00 05 00 00 00'],
  ['jeq %r1, %r2, +1', '1d 21 01 00 00 00 00 00'],
  ['jgt %r1, 5, +1', '25 01 01 00 05 00 00 00'],
  ['jge %r1, %r2, -1', '3d 21 ff ff 00 00 00 00'],
  ['jset %r1, 0x80000000, +1', '45 01 01 00 00 00 00 80'],
  ['jne %r1, %r2, +2', '5d 21 02 00 00 00 00 00'],
  ['jsgt %r1, -1, +1', '65 01 01 00 ff ff ff ff'],
  ['jsge %r1, %r2, +1', '7d 21 01 00 00 00 00 00'],
  ['jlt %r1, 5, +1', 'a5 01 01 00 05 00 00 00'],
  ['jle %r1, %r2, +1', 'bd 21 01 00 00 00 00 00'],
  ['jslt %r1, 5, +1', 'c5 01 01 00 05 00 00 00'],
  ['jsle %r1, %r2, +1', 'dd 21 01 00 00 00 00 00'],
  ['jeq32 %r1, 5, +1', '16 01 01 00 05 00 00 00'],
  ['jgt32 %r1, %r2, +1', '2e 21 01 00 00 00 00 00'],
  ['jge32 %r1, 5, +1', '36 01 01 00 05 00 00 00'],
  ['jset32 %r1, %r2, +1', '4e 21 01 00 00 00 00 00'],
  ['jne32 %r1, 5, +1', '56 01 01 00 05 00 00 00'],
  ['jsgt32 %r1, %r2, +1', '6e 21 01 00 00 00 00 00'],
  ['jsge32 %r1, 5, +1', '76 01 01 00 05 00 00 00'],
  ['jlt32 %r1, %r2, +1', 'ae 21 01 00 00 00 00 00'],
  ['jle32 %r1, 5, +1', 'b6 01 01 00 05 00 00 00'],
  ['jslt32 %r1, %r2, +1', 'ce 21 01 00 00 00 00 00'],
  ['jsle32 %r1, -5, +1', 'd6 01 01 00 fb ff ff ff'],
  // calls and exit
  ['call 5', '85 00 00 00 05 00 00 00'],
  ['call %r2', '8d 02 00 00 00 00 00 00'],
  ['call local +3', '85 10 00 00 03 00 00 00'],
  ['call runtime 7', '85 20 00 00 07 00 00 00'],
  ['exit', '95 00 00 00 00 00 00 00'],
  // atomics: 0xdb (64-bit), 0xc3 (32-bit); imm = op | fetch, xchg 0xe1, cmpxchg 0xf1
  ['lock add [%r10-8], %r1', 'db 1a f8 ff 00 00 00 00'],
  ['lock add32 [%r10-4], %r1', 'c3 1a fc ff 00 00 00 00'],
  ['lock or [%r1], %r2', 'db 21 00 00 40 00 00 00'],
  ['lock and32 [%r1], %r2', 'c3 21 00 00 50 00 00 00'],
  ['lock xor [%r1+8], %r2', 'db 21 08 00 a0 00 00 00'],
  ['lock fetch add [%r1], %r2', 'db 21 00 00 01 00 00 00'],
  ['lock fetch or32 [%r1], %r2', 'c3 21 00 00 41 00 00 00'],
  ['lock fetch and [%r1], %r2', 'db 21 00 00 51 00 00 00'],
  ['lock fetch xor32 [%r1], %r2', 'c3 21 00 00 a1 00 00 00'],
  ['lock xchg [%r10-8], %r1', 'db 1a f8 ff e1 00 00 00'],
  ['lock xchg32 [%r10-8], %r1', 'c3 1a f8 ff e1 00 00 00'],
  ['lock cmpxchg [%r10-8], %r1', 'db 1a f8 ff f1 00 00 00'],
  ['lock cmpxchg32 [%r10-8], %r1', 'c3 1a f8 ff f1 00 00 00'],
];

test('every mnemonic family encodes as RFC 9669 lays it out', () => {
  for (const [line, bytes] of ENCODINGS) {
    assert.equal(hex(assembleUbpf(line)), bytes, line);
  }
});

test('label targets count lddw as two slots; `exit` names the first exit; call local and ja32 use imm', () => {
  const cases: readonly [string, string][] = [
    ['ja L\nlddw %r0, 1\nL:\nexit', '05 00 02 00'],
    ['jeq %r1, 0, exit\nmov %r0, 1\nexit\nexit', '15 01 01 00'],
    ['exit:\nmov %r0, 1\nja exit\nexit', 'b7 00 00 00 01 00 00 00 05 00 fe ff'],
    ['call local f\nexit\nf: exit', '85 10 00 00 01 00 00 00'],
    ['L1: ja32 L1', '06 00 00 00 ff ff ff ff'],
    ['back:\nmov %r0, 0\njne %r0, 1, back', 'b7 00 00 00 00 00 00 00 55 00 fe ff 01 00 00 00'],
  ];
  for (const [src, prefix] of cases) {
    const out = hex(assembleUbpf(src));
    assert.ok(out.startsWith(prefix), `${JSON.stringify(src)}: got ${out}`);
  }
});

test('comments, blank lines, label-only lines and spacing are ignored', () => {
  const a = assembleUbpf(
    '# header\n\n  start:   # a label\n\tmov   %r0 ,  1  # one\nldxw %r1, [ %r1 + 4 ]\nexit',
  );
  assert.equal(hex(a), hex(assembleUbpf('mov %r0, 1\nldxw %r1, [%r1+4]\nexit')));
  assert.deepEqual(assembleUbpf(''), []);
});

/* ------------------------------------------------------------------ errors */

const ERRORS: readonly AsmErrorCase[] = [
  ['mov %r0, 1\nfoo %r0, 1', 'E_ASM_MNEMONIC', 2, 1],
  ['lock fetch xchg [%r1], %r2', 'E_ASM_MNEMONIC', 1, 12],
  ['lock nand [%r1], %r2', 'E_ASM_MNEMONIC', 1, 6],
  ['.section text', 'E_ASM_DIRECTIVE', 1, 1],
  ['mov %r0, %r11', 'E_ASM_REGISTER', 1, 10],
  ['mov %r0, %r010', 'E_ASM_REGISTER', 1, 10],
  ['mov %r0, %r01', 'E_ASM_REGISTER', 1, 10],
  ['mov %x0, 1', 'E_ASM_REGISTER', 1, 5],
  ['ldxw %r0, [%r11+0]', 'E_ASM_REGISTER', 1, 12],
  ['mov %r0', 'E_ASM_OPERANDS', 1, 1],
  ['mov %r0, 1, 2', 'E_ASM_OPERANDS', 1, 13],
  ['exit %r0', 'E_ASM_OPERANDS', 1, 6],
  ['neg %r0, 1', 'E_ASM_OPERANDS', 1, 10],
  ['mov 1, %r0', 'E_ASM_OPERANDS', 1, 5],
  ['stxw [%r1], 5', 'E_ASM_OPERANDS', 1, 13],
  ['stw %r1, 5', 'E_ASM_OPERANDS', 1, 5],
  ['jeq %r1, 0, 3', 'E_ASM_OPERANDS', 1, 13],
  ['movsx832 %r1, 5', 'E_ASM_OPERANDS', 1, 15],
  ['call local 5', 'E_ASM_OPERANDS', 1, 12],
  ['lock add [%r1], 5', 'E_ASM_OPERANDS', 1, 17],
  ['mov32 %r0, 2147483648', 'E_ASM_RANGE', 1, 12],
  ['mov32 %r0, -2147483649', 'E_ASM_RANGE', 1, 12],
  ['mov32 %r0, 0x100000000', 'E_ASM_RANGE', 1, 12],
  ['mov32 %r0, -0x80000001', 'E_ASM_RANGE', 1, 12],
  ['lddw %r0, 0x10000000000000000', 'E_ASM_RANGE', 1, 11],
  ['ldxb %r0, [%r1+32768]', 'E_ASM_RANGE', 1, 15],
  ['ldxb %r0, [%r1-32769]', 'E_ASM_RANGE', 1, 15],
  ['ja +32768', 'E_ASM_RANGE', 1, 4],
  ['ja -32769', 'E_ASM_RANGE', 1, 4],
  ['ja32 +2147483648', 'E_ASM_RANGE', 1, 6],
  ['ja NOWHERE', 'E_ASM_LABEL', 1, 4],
  ['jne %r0, 0, exit\nmov %r0, 1', 'E_ASM_LABEL', 1, 13],
  ['a:\nexit\na:\nexit', 'E_ASM_LABEL', 3, 1],
  ['mov %r0, 08', 'E_ASM_SYNTAX', 1, 10],
  ['mov %r0, 0x', 'E_ASM_SYNTAX', 1, 10],
  ['mov %r0, 1 ; exit', 'E_ASM_SYNTAX', 1, 12],
  ['mov %r0,, 1', 'E_ASM_SYNTAX', 1, 9],
  ['ldxw %r0, [%r1+4', 'E_ASM_SYNTAX', 1, 17],
  ['ldxw %r0, [%r1*4]', 'E_ASM_SYNTAX', 1, 15],
  ['mov %r0 1', 'E_ASM_SYNTAX', 1, 9],
];

test('errors carry a stable code, the line and column of the offending token, and expected/found', () => {
  assertAsmErrors(assembleUbpf, ERRORS);
});

test('a jump to a label farther than the 16-bit offset reaches is a range error; ja32 reaches it', () => {
  const far = `ja L\n${'mov %r0, 0\n'.repeat(0x8000)}L: exit`;
  assert.throws(() => assembleUbpf(far), { code: 'E_ASM_RANGE', line: 1, column: 4 });
  const insns = assembleUbpf(far.replace('ja L', 'ja32 L'));
  assert.equal(insns[0]!.imm, 0x8000);
});
