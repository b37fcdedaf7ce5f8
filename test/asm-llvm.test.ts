/**
 * The LLVM-syntax assembler against LLVM itself. tools/asm/corpus.s holds every instruction form of
 * cpu v1-v4; test/golden/asm/ holds the bytes llvm-mc-19 gives each line and the llvm-objdump-19 -d
 * listings of the assembled corpus (plain and --mcpu=v4). Where LLVM is installed the goldens are
 * regenerated and compared (`UPDATE_GOLDEN=1` rewrites them); everywhere, assembleLlvm must give
 * the golden bytes for every corpus line and for both listings.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lexLine } from '../src/ebpf/asm/lexer.js';
import { assembleLlvm, LLVM_DIALECT } from '../src/ebpf/asm/llvm.js';
import { LLVM_FORMS } from '../src/ebpf/asm/llvm-forms.js';
import { match } from '../src/ebpf/asm/llvm-match.js';
import { checkInsns, decodeInsns, encodeInsns, type Insn } from '../src/ebpf/insn.js';
import { type AsmErrorCase, assertAsmErrors } from './asm-common.js';
import { hasTool, repoRoot, runTool } from './helpers.js';

const ROOT = repoRoot();
const SCRIPT = join(ROOT, 'tools', 'asm', 'llvm-golden.sh');
const CORPUS = join(ROOT, 'tools', 'asm', 'corpus.s');
const SAMPLE = join(ROOT, 'tools', 'asm', 'clang-sample.c');
const GOLDENS = {
  encodings: join(ROOT, 'test', 'golden', 'asm', 'llvm-corpus.txt'),
  objdump: join(ROOT, 'test', 'golden', 'asm', 'llvm-corpus.objdump.txt'),
  'objdump-v4': join(ROOT, 'test', 'golden', 'asm', 'llvm-corpus.objdump-v4.txt'),
} as const;
type Artefact = keyof typeof GOLDENS;

/* ------------------------------------------------------------------ local helpers */

const HAVE_LLVM = ['llvm-mc-19', 'llvm-objdump-19'].every((tool) => hasTool(tool));

/** What tools/asm/llvm-golden.sh prints for `artefact`. */
function generate(artefact: Artefact): string {
  const r = spawnSync('sh', [SCRIPT, artefact], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${SCRIPT} ${artefact} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

if (process.env.UPDATE_GOLDEN === '1') {
  if (!HAVE_LLVM) throw new Error('UPDATE_GOLDEN=1 needs llvm-mc-19 and llvm-objdump-19');
  for (const a of Object.keys(GOLDENS) as Artefact[]) writeFileSync(GOLDENS[a], generate(a));
}

/** Slots as hex bytes: `b7 01 00 00 05 00 00 00`. */
function hex(insns: readonly Insn[]): string {
  return [...encodeInsns(insns)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function slotsOf(bytes: string): Insn[] {
  return decodeInsns(Uint8Array.from(bytes.split(' '), (h) => Number.parseInt(h, 16)));
}

/** One golden line: a corpus instruction, its line number and the bytes llvm-mc-19 gives it. */
interface Encoded {
  readonly line: number;
  readonly bytes: string;
  readonly text: string;
}

const ENCODED: readonly Encoded[] = readFileSync(GOLDENS.encodings, 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [line, bytes, text] = l.split('\t');
    assert.ok(line !== undefined && bytes !== undefined && text !== undefined, `bad golden line '${l}'`);
    return { line: Number(line), bytes, text };
  });

const GOLDEN_SLOTS: readonly Insn[] = ENCODED.flatMap((e) => slotsOf(e.bytes));

/** Compare slots with the golden slots, naming the corpus line of the first difference. */
function assertCorpusSlots(
  got: readonly Insn[],
  what: string,
  exempt: (want: Insn, got: Insn) => boolean,
): void {
  let slot = 0;
  for (const e of ENCODED) {
    const want = slotsOf(e.bytes);
    const mine = got.slice(slot, slot + want.length);
    const same = hex(mine) === e.bytes || (mine.length === 1 && exempt(want[0]!, mine[0]!));
    assert.ok(same, `${what}: corpus line ${e.line} '${e.text}': llvm ${e.bytes}, assembleLlvm ${hex(mine)}`);
    slot += want.length;
  }
  assert.equal(got.length, GOLDEN_SLOTS.length, `${what}: slot count`);
}

/** A bpf-to-bpf call (src 1): objdump prints `call <imm>`, which names a helper (src 0). */
const callSrcLost = (want: Insn, got: Insn): boolean =>
  want.code === 0x85 && want.src === 1 && hex([got]) === hex([{ ...want, src: 0 }]);

/* ------------------------------------------------------------------ goldens vs LLVM */

for (const a of Object.keys(GOLDENS) as Artefact[]) {
  test(
    `golden ${a} is what LLVM makes of the corpus today`,
    { skip: HAVE_LLVM ? false : 'needs llvm-mc-19 and llvm-objdump-19' },
    () => {
      const fresh = generate(a);
      const golden = readFileSync(GOLDENS[a], 'utf8');
      if (fresh !== golden) {
        const x = golden.split('\n');
        const y = fresh.split('\n');
        const k = x.findIndex((l, i) => l !== y[i]);
        assert.fail(
          `${GOLDENS[a]} differs from ${SCRIPT} ${a} at line ${k + 1}: golden '${x[k]}' vs llvm '${y[k]}'. ` +
            'If LLVM or the corpus changed legitimately, regenerate with UPDATE_GOLDEN=1 and review the diff.',
        );
      }
    },
  );
}

/* ------------------------------------------------------------------ corpus */

test('the corpus exercises every LLVM instruction form and the golden covers every corpus instruction', () => {
  assert.ok(ENCODED.length >= 190, `only ${ENCODED.length} golden lines`);
  const unused = LLVM_FORMS.filter(
    (f) =>
      !ENCODED.some((e) => {
        const [st] = lexLine(e.text, e.line, LLVM_DIALECT);
        return st !== undefined && match(f, st.toks).ok;
      }),
  );
  assert.deepEqual(
    unused.map((f) => f.elems.map((e) => ('lit' in e ? e.lit : `$${e.ph}`)).join(' ')),
    [],
    'forms no corpus line uses',
  );
});

test('the whole corpus assembles to the bytes llvm-mc-19 gives it, line by line', () => {
  assertCorpusSlots(assembleLlvm(readFileSync(CORPUS, 'utf8')), 'corpus', () => false);
});

test('each corpus line without a label assembles alone to its llvm-mc-19 bytes', () => {
  const labels = new Set(
    [...readFileSync(CORPUS, 'utf8').matchAll(/^\s*([A-Za-z_.$][\w.$]*):/gm)].map((m) => m[1]),
  );
  let alone = 0;
  for (const e of ENCODED) {
    if (e.text.split(/[\s,()]+/).some((w) => labels.has(w))) continue;
    assert.equal(hex(assembleLlvm(e.text)), e.bytes, `corpus line ${e.line}: ${e.text}`);
    alone++;
  }
  assert.ok(alone >= 180, `only ${alone} lines checked alone`);
});

/**
 * Corpus instructions the load-time check rejects, on purpose: legacy packet access (class LD, modes
 * ABS/IND), and addr_space_cast (mov with off 1), which checkInsns does not know.
 */
const NOT_LOADABLE = new Set([0x20, 0x28, 0x30, 0x40, 0x48, 0x50]);

test('every corpus instruction but legacy packet access and addr_space_cast passes checkInsns', () => {
  const rejected: string[] = [];
  for (const e of ENCODED) {
    try {
      checkInsns(slotsOf(e.bytes));
    } catch {
      rejected.push(e.text);
    }
  }
  const expected = ENCODED.filter((e) => {
    const [i] = slotsOf(e.bytes);
    return NOT_LOADABLE.has(i!.code) || (i!.code === 0xbf && i!.off === 1);
  }).map((e) => e.text);
  assert.deepEqual(rejected, expected);
  assert.equal(expected.length, 8);
});

test('the llvm-objdump-19 -d --mcpu=v4 listing assembles back to the corpus bytes', () => {
  // Exception: bpf-to-bpf calls, which the listing prints as helper calls.
  assertCorpusSlots(
    assembleLlvm(readFileSync(GOLDENS['objdump-v4'], 'utf8')),
    'objdump -d --mcpu=v4',
    callSrcLost,
  );
});

test('the plain llvm-objdump-19 -d listing assembles back, <unknown> lines from their bytes', () => {
  const listing = readFileSync(GOLDENS.objdump, 'utf8');
  assert.ok(listing.includes('<unknown>'), 'the plain listing should have lines objdump cannot print');
  // Exceptions: bpf-to-bpf calls (as above), and a 32-bit atomic_fetch_add, which plain objdump
  // (no alu32) prints as the non-fetching `lock *(u32 *)(...) += r2`.
  const fetchAddLost = (want: Insn, got: Insn): boolean =>
    want.code === 0xc3 && want.imm === 0x01 && hex([got]) === hex([{ ...want, imm: 0 }]);
  assertCorpusSlots(assembleLlvm(listing), 'objdump -d', (w, g) => callSrcLost(w, g) || fetchAddLost(w, g));
});

const HAVE_CLANG = HAVE_LLVM && hasTool('clang-19');

const run = (tool: string, args: readonly string[]): string => runTool(tool, args, { cwd: process.cwd() });

test(
  'clang-19 output for cpu v1-v4: the llvm-objdump-19 -dr listing assembles back to the object bytes',
  { skip: HAVE_CLANG ? false : 'needs clang-19 and llvm-objdump-19' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'asm-llvm-'));
    try {
      for (const cpu of ['v1', 'v2', 'v3', 'v4']) {
        const obj = join(dir, `sample-${cpu}.o`);
        run('clang-19', ['-O2', '-target', 'bpf', `-mcpu=${cpu}`, '-c', SAMPLE, '-o', obj]);
        for (const flags of [['-dr'], ['-dr', `--mcpu=${cpu}`]]) {
          const listing = run('llvm-objdump-19', [...flags, obj]);
          // The object's bytes, from the listing's byte column.
          const bytes = [...listing.matchAll(/^ *\d+:\t([0-9a-f ]+?) *\t/gm)].map((m) => m[1]).join(' ');
          assert.ok(bytes.length > 400, `${cpu}: listing too short`);
          assert.equal(hex(assembleLlvm(listing)), bytes, `cpu ${cpu}, llvm-objdump-19 ${flags.join(' ')}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/* ------------------------------------------------------------------ syntax details */

test('objdump lines: address and byte columns, headers, relocations and target annotations are skipped; a call relocation makes a bpf-to-bpf call', () => {
  const listing = [
    '',
    'prog.o:\tfile format elf64-bpf',
    '',
    'Disassembly of section iouring:',
    '',
    '0000000000000000 <prog>:',
    '      0:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0x0 ll',
    '\t\t0000000000000000:  R_BPF_64_64\tmap',
    '      2:\t61 12 08 00 00 00 00 00\tr2 = *(u32 *)(r1 + 0x8)',
    '      3:\t25 02 01 00 05 00 00 00\tif r2 > 0x5 goto +0x1 <LBB0_2>',
    '      4:\tc3 21 00 00 50 00 00 00\t<unknown>',
    '',
    '0000000000000028 <LBB0_2>:',
    '      5:\t95 00 00 00 00 00 00 00\texit',
    '      6:\texit',
    '      7:\t85 10 00 00 ff ff ff ff\tcall -0x1',
    '\t\t0000000000000038:  R_BPF_64_32\tsub',
  ].join('\n');
  assert.equal(
    hex(assembleLlvm(listing)),
    [
      '18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '61 12 08 00 00 00 00 00',
      '25 02 01 00 05 00 00 00',
      'c3 21 00 00 50 00 00 00',
      '95 00 00 00 00 00 00 00',
      '95 00 00 00 00 00 00 00',
      '85 10 00 00 ff ff ff ff',
    ].join(' '),
  );
});

test('labels, comments, statement separators and ignored directives', () => {
  const src = [
    '\t.text',
    '\t.globl\tprog # a comment',
    '\t.p2align\t3',
    'prog:  /* block',
    '   comment */ r0 = 0 // line comment',
    'LBB0_1: if r0 > 10 goto .LBB0_2 ; r0 += 1',
    '\tgoto LBB0_1',
    '.LBB0_2: exit',
  ].join('\n');
  assert.equal(
    hex(assembleLlvm(src)),
    [
      'b7 00 00 00 00 00 00 00',
      '25 00 02 00 0a 00 00 00',
      '07 00 00 00 01 00 00 00',
      '05 00 fd ff 00 00 00 00',
      '95 00 00 00 00 00 00 00',
    ].join(' '),
  );
});

test('decimal and hex immediates agree; hex up to 0xffffffff is a 32-bit pattern', () => {
  const pairs: readonly [string, string][] = [
    ['r1 = 0xffffffff', 'r1 = -1'],
    ['if w1 == 0x80000000 goto +0x10', 'if w1 == -2147483648 goto +16'],
    ['*(u16 *)(r10 - 0x8) = 0x7fffffff', '*(u16 *)(r10 - 8) = 2147483647'],
    ['r1 = 0xffffffffffffffff ll', 'r1 = -1 ll'],
    ['gotol +0x7fffffff', 'gotol +2147483647'],
  ];
  for (const [a, b] of pairs) assert.equal(hex(assembleLlvm(a)), hex(assembleLlvm(b)), `${a} vs ${b}`);
});

/* ------------------------------------------------------------------ errors */

const ERRORS: readonly AsmErrorCase[] = [
  ['r0 = 1\nfrobnicate r0', 'E_ASM_MNEMONIC', 2, 1],
  ['nop', 'E_ASM_MNEMONIC', 1, 1],
  ['.section .maps', 'E_ASM_DIRECTIVE', 1, 1],
  ['  .byte 1, 2', 'E_ASM_DIRECTIVE', 1, 3],
  ['r11 = 1', 'E_ASM_REGISTER', 1, 1],
  ['w1 += w12', 'E_ASM_REGISTER', 1, 7],
  ['r1 = r01', 'E_ASM_REGISTER', 1, 6],
  ['r1 = *(u32 *)(r16 + 0)', 'E_ASM_REGISTER', 1, 15],
  ['r1 = w2', 'E_ASM_OPERANDS', 1, 6],
  ['w1 = be16 w1', 'E_ASM_OPERANDS', 1, 6],
  ['r1 = be16 r2', 'E_ASM_OPERANDS', 1, 11],
  ['r1 = -r2', 'E_ASM_OPERANDS', 1, 7],
  ['r1 = atomic_fetch_add((u64 *)(r2 + 0), r3)', 'E_ASM_OPERANDS', 1, 40],
  ['r1 = cmpxchg_64(r1 + 0, r0, r2)', 'E_ASM_OPERANDS', 1, 1],
  ['r1 = *(u64 *)(r2 + 0) r3', 'E_ASM_OPERANDS', 1, 23],
  ['r1 = *(u64 *)(r2 + -4)', 'E_ASM_OPERANDS', 1, 20],
  ['if r1 >> r2 goto +1', 'E_ASM_OPERANDS', 1, 8],
  ['exit 0', 'E_ASM_OPERANDS', 1, 6],
  ['callx 5', 'E_ASM_OPERANDS', 1, 7],
  ['r1 = 0x100000000', 'E_ASM_RANGE', 1, 6],
  ['r1 = 2147483648', 'E_ASM_RANGE', 1, 6],
  ['w1 += -2147483649', 'E_ASM_RANGE', 1, 7],
  ['r1 = 0x10000000000000000 ll', 'E_ASM_RANGE', 1, 6],
  ['*(u32 *)(r1 + 32768) = 5', 'E_ASM_RANGE', 1, 13],
  ['*(u32 *)(r1 - 0x8001) = 5', 'E_ASM_RANGE', 1, 13],
  ['goto +32768', 'E_ASM_RANGE', 1, 6],
  ['if r1 == 0 goto -0x8001', 'E_ASM_RANGE', 1, 17],
  ['call 0x100000000', 'E_ASM_RANGE', 1, 6],
  ['ld_pseudo r1, 16, 0', 'E_ASM_RANGE', 1, 15],
  ['r1 = addr_space_cast(r2, 0x10000, 0)', 'E_ASM_RANGE', 1, 26],
  ['goto LBB0_9', 'E_ASM_LABEL', 1, 6],
  ['call missing_func', 'E_ASM_LABEL', 1, 6],
  ['a: exit\n a: exit', 'E_ASM_LABEL', 2, 2],
  ['r1 = 08', 'E_ASM_SYNTAX', 1, 6],
  ['r1 = 0b11', 'E_ASM_SYNTAX', 1, 6],
  ['r1 = @x', 'E_ASM_SYNTAX', 1, 6],
  ['       3:\t<unknown>', 'E_ASM_SYNTAX', 1, 11],
];

test('errors carry a stable code, the line and column of the offending token, and expected/found', () => {
  assertAsmErrors(assembleLlvm, ERRORS);
});

test('an objdump line keeps the columns of the original line in errors', () => {
  assert.throws(() => assembleLlvm('      7:\t61 12 08 00 00 00 00 00\tr2 = *(u32 *)(r11 + 0x8)'), {
    code: 'E_ASM_REGISTER',
    line: 1,
    column: 48,
  });
});
