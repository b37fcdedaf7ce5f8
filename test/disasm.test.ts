/**
 * The disassembler (src/ebpf/disasm.ts) against llvm-objdump-19 -d --mcpu=v4.
 *
 * Goldens in test/golden/disasm/ hold objdump's listings (from the first `<symbol>:` header on),
 * one case per `# name` line:
 *   corpus.txt   every opcode form of cpu v1-v4 with interesting fields, then invalid encodings
 *                (test/disasm-corpus.ts), wrapped in a minimal ELF object (test/disasm-objdump.ts);
 *   edge.txt     byte streams for objdump's stream rules (zero runs, lddw cut by the end);
 *   clang.txt    tools/disasm/sample.c compiled by clang-19 (the case name records clang's version).
 * Our output is always compared with the goldens. When llvm-objdump-19 (and clang-19) are present,
 * the goldens are also compared with what the tools print now, the output options with objdump's
 * flags, and seeded random byte streams with objdump directly (DISASM_FUZZ=<n> multiplies their
 * size). `UPDATE_GOLDEN=1 node --test dist/test/disasm.test.js` rewrites the goldens.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type DisasmOptions,
  type DisasmSymbol,
  disassemble,
  type FormattedInsn,
  formatInsn,
} from '../src/ebpf/disasm.js';
import { checkInsns, decodeInsns, encodeInsns, type Insn, LDDW } from '../src/ebpf/insn.js';
import { corpus, edgeCases, randomValidInsns } from './disasm-corpus.js';
import {
  CLANG,
  clangListing,
  hasTool,
  listingBytes,
  OBJDUMP,
  objdumpBytes,
  objdumpListingOf,
  parseListing,
  toolVersion,
} from './disasm-objdump.js';
import { repoRoot, xorshift32 } from './helpers.js';

const ROOT = repoRoot();
const GOLDEN_DIR = join(ROOT, 'test', 'golden', 'disasm');
const SAMPLE = join(ROOT, 'tools', 'disasm', 'sample.c');
const HAS_OBJDUMP = hasTool(OBJDUMP);
const HAS_CLANG = HAS_OBJDUMP && hasTool(CLANG);
const NO_OBJDUMP = `needs ${OBJDUMP}`;

/* ------------------------------------------------------------------ golden files */

/** Case name -> objdump listing. */
type Golden = Map<string, string[]>;

function readGolden(file: string): Golden {
  const g: Golden = new Map();
  let lines: string[] | null = null;
  for (const line of readFileSync(join(GOLDEN_DIR, file), 'utf8').split('\n')) {
    if (line.startsWith('# ')) {
      lines = [];
      g.set(line.slice(2), lines);
    } else if (lines !== null) {
      lines.push(line);
    }
  }
  for (const l of g.values()) while (l.length > 0 && l[l.length - 1] === '') l.pop();
  return g;
}

function writeGolden(file: string, g: Golden): void {
  mkdirSync(GOLDEN_DIR, { recursive: true });
  const text = [...g].map(([name, lines]) => `# ${name}\n${lines.join('\n')}\n`).join('\n');
  writeFileSync(join(GOLDEN_DIR, file), text);
}

const CORPUS = corpus();
const EDGES = edgeCases();
const clangCase = (): string => `tools/disasm/sample.c, ${toolVersion(CLANG)}`;

function freshCorpus(): Golden {
  return new Map([['corpus', objdumpListingOf(encodeInsns(CORPUS))]]);
}
function freshEdges(): Golden {
  return new Map(EDGES.map((e) => [e.name, objdumpListingOf(encodeInsns(e.insns))]));
}
function freshClang(): Golden {
  return new Map([[clangCase(), clangListing(SAMPLE)]]);
}

if (process.env.UPDATE_GOLDEN === '1') {
  if (!HAS_CLANG) throw new Error(`UPDATE_GOLDEN=1 needs ${OBJDUMP} and ${CLANG}`);
  writeGolden('corpus.txt', freshCorpus());
  writeGolden('edge.txt', freshEdges());
  writeGolden('clang.txt', freshClang());
}

const GOLDEN_CORPUS = readGolden('corpus.txt');
const GOLDEN_EDGES = readGolden('edge.txt');
const GOLDEN_CLANG = readGolden('clang.txt');

/** Fail with the first differing lines (at most 15) of two line lists. */
function assertLines(actual: readonly string[], expected: readonly string[], what: string): void {
  const diff: string[] = [];
  for (let i = 0; i < Math.max(actual.length, expected.length) && diff.length < 15; i++) {
    if (actual[i] !== expected[i]) {
      diff.push(
        `  line ${i + 1}:\n    ours     ${JSON.stringify(actual[i])}\n    expected ${JSON.stringify(expected[i])}`,
      );
    }
  }
  if (diff.length > 0) {
    assert.fail(`${what}: ${actual.length} lines vs ${expected.length} expected\n${diff.join('\n')}`);
  }
}

function assertGoldenFresh(file: string, golden: Golden, fresh: Golden): void {
  assert.deepEqual([...golden.keys()], [...fresh.keys()], `${file}: case names`);
  for (const [name, lines] of fresh) {
    assertLines(
      golden.get(name)!,
      lines,
      `${file} '${name}' against ${OBJDUMP} (regenerate with UPDATE_GOLDEN=1)`,
    );
  }
}

/** Our lines for a listing's case: its symbols from the headers, our text for `insns`. */
function ours(listing: readonly string[], insns: readonly Insn[], options: DisasmOptions = {}): string[] {
  return disassemble(insns, { symbols: parseListing(listing).symbols, ...options });
}

/* ------------------------------------------------------------------ goldens */

test('corpus: every line equals the golden llvm-objdump-19 listing', () => {
  const listing = GOLDEN_CORPUS.get('corpus');
  assert.ok(listing !== undefined, 'corpus.txt has a "# corpus" case');
  assertLines(ours(listing, CORPUS), parseListing(listing).lines, 'corpus.txt');
});

test(
  'corpus golden is what llvm-objdump-19 prints for the corpus now',
  { skip: !HAS_OBJDUMP && NO_OBJDUMP },
  () => {
    assertGoldenFresh('corpus.txt', GOLDEN_CORPUS, freshCorpus());
  },
);

test('corpus covers every opcode a loader accepts, each in a slot that passes checkInsns', () => {
  // Opcodes insn.ts accepts with some field values.
  const tries = (code: number): Insn[][] => {
    const out: Insn[][] = [];
    for (const off of [0, 1, 8]) {
      for (const imm of [0, 1, 16, 0xe1]) {
        for (const [dst, src] of [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
          [0, 2],
        ] as const) {
          const slot = { code, dst, src, off, imm };
          out.push(code === LDDW ? [slot, { code: 0, dst: 0, src: 0, off: 0, imm: 0 }] : [slot]);
        }
      }
    }
    return out;
  };
  const passes = (slots: Insn[]): boolean => {
    try {
      checkInsns(slots);
      return true;
    } catch {
      return false;
    }
  };
  const valid = new Set<number>();
  for (let code = 0; code < 256; code++) if (tries(code).some(passes)) valid.add(code);
  const covered = new Set<number>();
  CORPUS.forEach((slot, i) => {
    if (passes(slot.code === LDDW ? CORPUS.slice(i, i + 2) : [slot])) covered.add(slot.code);
  });
  const missing = [...valid].filter((c) => !covered.has(c)).map((c) => `0x${c.toString(16)}`);
  assert.deepEqual(missing, [], 'opcodes without a valid corpus slot');
  // ALU 27 + ALU64 26 (11 ops K/X, mov K/X, neg, le/be or bswap), JMP 27 + JMP32 23 (11 conditions
  // K/X, ja; call, callx, exit, may_goto), lddw, LDX 4 + LDXS 3, ST 4, STX 4 + atomic 2.
  assert.equal(valid.size, 121, 'opcodes a loader accepts');
});

test('edge cases: zero runs and cut lddw pairs print as in the golden listings', () => {
  assert.deepEqual(
    [...GOLDEN_EDGES.keys()],
    EDGES.map((e) => e.name),
    'edge.txt case names',
  );
  for (const e of EDGES) {
    const listing = GOLDEN_EDGES.get(e.name)!;
    assertLines(ours(listing, e.insns), parseListing(listing).lines, `edge.txt '${e.name}'`);
  }
});

test(
  'edge golden is what llvm-objdump-19 prints for the edge cases now',
  { skip: !HAS_OBJDUMP && NO_OBJDUMP },
  () => {
    assertGoldenFresh('edge.txt', GOLDEN_EDGES, freshEdges());
  },
);

test('clang-19 sample: our lines for its bytes and symbols equal the golden listing byte for byte', () => {
  assert.equal(GOLDEN_CLANG.size, 1, 'clang.txt holds one case');
  const [listing] = [...GOLDEN_CLANG.values()];
  const { lines, symbols } = parseListing(listing!);
  assert.ok(symbols.length >= 2, 'the sample has two functions');
  const insns = decodeInsns(listingBytes(lines));
  assertLines(disassemble(insns, { symbols }), lines, 'clang.txt');
  // what the sample is there for
  const text = lines.join('\n');
  for (const needle of [' ll', 'call 0x5', 'goto -0x', '*(s8 *)', 'w7 = *(u32 *)', 'lock *(u64 *)']) {
    assert.ok(text.includes(needle), `the sample's code contains '${needle}'`);
  }
});

test(
  'clang-19 sample: objdump of a fresh compile equals our lines and the golden',
  { skip: !HAS_CLANG && `needs ${OBJDUMP} and ${CLANG}` },
  (t) => {
    const listing = clangListing(SAMPLE);
    const { lines, symbols } = parseListing(listing);
    assertLines(disassemble(decodeInsns(listingBytes(lines)), { symbols }), lines, `${CLANG} object`);
    if (!GOLDEN_CLANG.has(clangCase())) {
      t.skip(
        `clang.txt was made by another clang (${[...GOLDEN_CLANG.keys()].join()}), now ${toolVersion(CLANG)}`,
      );
      return;
    }
    assertGoldenFresh('clang.txt', GOLDEN_CLANG, freshClang());
  },
);

/* ------------------------------------------------------------------ output options */

/** Every golden listing's instruction lines with the insns they were made from. */
function goldenStreams(): { name: string; insns: Insn[]; lines: string[] }[] {
  return [
    { name: 'corpus', insns: CORPUS, lines: parseListing(GOLDEN_CORPUS.get('corpus')!).lines },
    ...EDGES.map((e) => ({
      name: e.name,
      insns: e.insns,
      lines: parseListing(GOLDEN_EDGES.get(e.name)!).lines,
    })),
  ];
}

const LEAD = /^ *\d+:/;
const BYTES = /\t[0-9a-f]{2}(?: [0-9a-f]{2})*(?=\t)/;
const ANNOTATION = / <[^<>]+>$/;

/** Options and how each changes objdump's default line. */
const OPTION_CASES: { options: DisasmOptions; flags: string[]; edit: (line: string) => string }[] = [
  { options: { bytes: false }, flags: ['--no-show-raw-insn'], edit: (l) => l.replace(BYTES, '') },
  { options: { addresses: false }, flags: ['--no-leading-addr'], edit: (l) => l.replace(LEAD, '') },
  {
    options: { addresses: false, bytes: false },
    flags: ['--no-leading-addr', '--no-show-raw-insn'],
    edit: (l) => l.replace(LEAD, '').replace(BYTES, '').replace(/^\t+/, ''),
  },
  { options: { annotations: false }, flags: [], edit: (l) => l.replace(ANNOTATION, '') },
];

test('addresses, bytes and annotations off remove exactly that column from every golden line', () => {
  for (const { options, edit } of OPTION_CASES) {
    for (const s of goldenStreams()) {
      assertLines(disassemble(s.insns, options), s.lines.map(edit), `${JSON.stringify(options)} '${s.name}'`);
    }
  }
});

test('without addresses and bytes a line is the bare text: no tab, `...` for a zero run', () => {
  const lines = disassemble([{ code: 0x05, dst: 0, src: 0, off: 1, imm: 0 }, ...Array(2).fill(ZERO)], {
    addresses: false,
    bytes: false,
  });
  assert.deepEqual(lines, ['goto +0x1 <.text+0x10>', '...']);
});

test(
  'output options print what llvm-objdump-19 prints with the matching flags',
  { skip: !HAS_OBJDUMP && NO_OBJDUMP },
  () => {
    const streams = [
      { name: 'corpus', insns: CORPUS },
      { name: 'zero-heavy stream', insns: decodeInsns(randomBytes(4000, 77, 'zeros')) },
    ];
    const cases = [
      ...OPTION_CASES.filter((c) => c.flags.length > 0),
      { options: { zeroes: true }, flags: ['-z'], edit: (l: string) => l },
    ];
    cases.push({
      options: { zeroes: true, addresses: false, bytes: false },
      flags: ['-z', '--no-leading-addr', '--no-show-raw-insn'],
      edit: (l) => l,
    });
    for (const { options, flags } of cases) {
      for (const s of streams) {
        const theirs = objdumpBytes(encodeInsns(s.insns), flags);
        const bare = options.addresses === false && options.bytes === false;
        // objdump keeps the text's leading tab (and `\t\t...`) even when nothing precedes it
        const expected = bare ? theirs.map((l) => l.replace(/^\t+/, '')) : theirs;
        assertLines(disassemble(s.insns, options), expected, `${flags.join(' ')} on the ${s.name}`);
      }
    }
  },
);

test('zeroes: true disassembles zero slots as <unknown> instead of skipping them', () => {
  assert.deepEqual(disassemble([ZERO, ZERO], { zeroes: true, addresses: false, bytes: false }), [
    '<unknown>',
    '<unknown>',
  ]);
  assert.deepEqual(disassemble([ZERO, ZERO]), ['\t\t...']);
});

/* ------------------------------------------------------------------ symbols */

test('jump annotations name the last symbol at or before the target, the section when none', () => {
  const ja = (off: number): Insn => ({ code: 0x05, dst: 0, src: 0, off, imm: 0 });
  const prog = [ja(2), ja(0), ja(-4), ja(-2), EXIT];
  const text = (options: DisasmOptions): string[] =>
    disassemble(prog, { addresses: false, bytes: false, ...options });
  assert.deepEqual(text({}), [
    'goto +0x2 <.text+0x18>',
    'goto +0x0 <.text+0x10>',
    'goto -0x4 <.text+0xfffffffffffffff8>',
    'goto -0x2 <.text+0x10>',
    'exit',
  ]);
  assert.deepEqual(text({ symbols: [{ name: 'g', index: 3 }], section: 'iouring/x' }), [
    'goto +0x2 <g>',
    'goto +0x0 <iouring/x+0x10>',
    'goto -0x4 <g+0xffffffffffffffe0>', // wrapped targets are past every symbol
    'goto -0x2 <iouring/x+0x10>',
    'exit',
  ]);
  assert.deepEqual(text({ symbols: [{ name: 'f', index: 0 }] })[1], 'goto +0x0 <f+0x10>');
});

test(
  'jump annotations with symbols are what llvm-objdump-19 prints for an object with them',
  { skip: !HAS_OBJDUMP && NO_OBJDUMP },
  () => {
    const next = xorshift32(31);
    const n = 2000;
    const insns: Insn[] = [];
    for (let i = 0; i < n; i++) {
      const code = [0x05, 0x06, 0x15, 0x2e, 0xe5, 0xb7][next() % 6]!;
      insns.push({ code, dst: 1, src: 2, off: (next() % 700) - 350, imm: (next() % 700) - 350 });
    }
    const tables: DisasmSymbol[][] = [
      [{ name: 'main', index: 0 }],
      [
        { name: 'f', index: 10 },
        { name: 'g', index: 1000 },
      ],
      [
        { name: 'a', index: 0 },
        { name: 'b', index: 1 },
        { name: 'c', index: n - 1 },
      ],
    ];
    for (const symbols of tables) {
      assertLines(
        disassemble(insns, { symbols }),
        objdumpBytes(encodeInsns(insns), [], symbols),
        JSON.stringify(symbols),
      );
    }
  },
);

/* ------------------------------------------------------------------ random streams against objdump */

/** Seeded bytes: 'slots' biased towards decodable fields, 'uniform' noise, 'zeros' mostly zero. */
function randomBytes(slots: number, seed: number, kind: 'slots' | 'uniform' | 'zeros'): Uint8Array {
  const next = xorshift32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const bytes = new Uint8Array(slots * 8);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < slots; i++) {
    const p = i * 8;
    if (kind === 'uniform') {
      dv.setUint32(p, next());
      dv.setUint32(p + 4, next());
    } else if (kind === 'zeros') {
      for (let k = 0; k < 8; k++)
        bytes[p + k] = next() % 4 === 0 ? next() & 0xff : next() % 7 === 0 ? LDDW : 0;
    } else {
      bytes[p] = next() & 0xff;
      bytes[p + 1] = next() % 4 === 0 ? next() & 0xff : (next() % 12) | ((next() % 12) << 4);
      dv.setInt16(p + 2, pick([0, 0, 0, 1, 8, 16, 32, -1, 0x7fff, -0x8000, next() & 0xffff]), true);
      dv.setInt32(
        p + 4,
        pick([0, 0, 1, 16, 32, 64, -1, 0x8000_0000, 0xe1, 0xf1, 0x41, next(), next() & 0xff]),
        true,
      );
    }
  }
  return bytes;
}

const FUZZ = Math.max(1, Number(process.env.DISASM_FUZZ ?? 1));

for (const [kind, slots, seed] of [
  ['slots', 20000, 1],
  ['uniform', 8000, 2],
  ['zeros', 8000, 3],
] as const) {
  test(
    `random ${kind} stream (${slots * FUZZ} slots, seed ${seed}) prints as llvm-objdump-19 prints it`,
    { skip: !HAS_OBJDUMP && NO_OBJDUMP },
    () => {
      const bytes = randomBytes(slots * FUZZ, seed, kind);
      assertLines(disassemble(decodeInsns(bytes)), objdumpBytes(bytes), `${kind} stream`);
    },
  );
}

test('every instruction a loader accepts decodes: one line each, none <unknown>', () => {
  const insns = randomValidInsns(xorshift32(11), 5000, true);
  checkInsns(insns);
  const lines = disassemble(insns, { addresses: false, bytes: false });
  const wide = insns.filter((i) => i.code === LDDW).length;
  assert.equal(lines.length, insns.length - wide);
  assert.deepEqual(
    lines.filter((l) => l === '<unknown>' || l === '...'),
    [],
  );
});

test(
  'random valid programs (every form, seeded) print as llvm-objdump-19 prints them',
  { skip: !HAS_OBJDUMP && NO_OBJDUMP },
  () => {
    const insns = randomValidInsns(xorshift32(12), 20000 * FUZZ, true);
    assertLines(disassemble(insns), objdumpBytes(encodeInsns(insns)), 'valid program');
  },
);

/* ------------------------------------------------------------------ formatInsn and the syntax */

const ZERO: Insn = { code: 0, dst: 0, src: 0, off: 0, imm: 0 };
const EXIT: Insn = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };
const S = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

test('formatInsn gives the text, the slots taken and a jump target as a slot index', () => {
  const prog = [
    S(0x18, 1, 0, 0, 5),
    S(0, 0, 0, 0, 1),
    S(0x2d, 1, 2, -3),
    S(0x06, 0, 0, 0, 7),
    S(0xff),
    S(0x18, 2),
  ];
  const cases: [number, FormattedInsn][] = [
    [0, { text: 'r1 = 0x100000005 ll', slots: 2 }],
    [1, { text: '<unknown>', slots: 1 }], // the second half alone
    [2, { text: 'if r1 > r2 goto -0x3', slots: 1, target: 0 }],
    [3, { text: 'gotol +0x7', slots: 1, target: 11 }],
    [4, { text: '<unknown>', slots: 1 }],
    [5, { text: '<unknown>', slots: 1 }], // lddw without its second slot
  ];
  for (const [index, expected] of cases) assert.deepEqual(formatInsn(prog, index), expected, `slot ${index}`);
});

test('instruction texts of every family, as LLVM writes them', () => {
  const cases: [Insn[], string][] = [
    [[S(0xb7, 1, 0, 0, -1)], 'r1 = -0x1'],
    [[S(0xb4, 1, 0, 0, -1)], 'w1 = -0x1'],
    [[S(0x0f, 10, 11)], 'r10 += r11'],
    [[S(0x3c, 1, 2, 1)], 'w1 s/= w2'],
    [[S(0xbf, 1, 2, 32)], 'r1 = (s32)r2'],
    [[S(0xbf, 1, 2, 1, 0x0003_0004)], 'r1 = addr_space_cast(r2, 0x3, 0x4)'],
    [[S(0x87, 5, 9, 9, 9)], 'r5 = -r5'],
    [[S(0xdc, 5, 0, 0, 16)], 'r5 = be16 r5'],
    [[S(0xd7, 5, 0, 0, 64)], 'r5 = bswap64 r5'],
    [[S(0x18, 1, 0, 0, 0), S(0, 0, 0, 0, -0x8000_0000)], 'r1 = -0x8000000000000000 ll'],
    [[S(0x18, 1, 2, 0, -2), S(0, 0, 0, 0, -1)], 'ld_pseudo\tr1, 0x2, 0xfffffffe'],
    [[S(0x61, 1, 10, -4)], 'w1 = *(u32 *)(r10 - 0x4)'],
    [[S(0x81, 1, 10, -4)], 'r1 = *(s32 *)(r10 - 0x4)'],
    [[S(0x7a, 10, 0, -8, 0x7fff_ffff)], '*(u64 *)(r10 - 0x8) = 0x7fffffff'],
    [[S(0x73, 10, 1, 0)], '*(u8 *)(r10 + 0x0) = w1'],
    [[S(0xdb, 1, 2, 8, 0xa1)], 'r2 = atomic_fetch_xor((u64 *)(r1 + 0x8), r2)'],
    [[S(0xc3, 1, 2, 8, 0xf1)], 'w0 = cmpxchg32_32(r1 + 0x8, w0, w2)'],
    [[S(0x30, 0, 0, 0, 12)], 'r0 = *(u8 *)skb[0xc]'],
    [[S(0x56, 1, 0, -1, 7)], 'if w1 != 0x7 goto -0x1'],
    [[S(0xe5, 0, 0, 2)], 'may_goto +0x2'],
    [[S(0x85, 0, 1, 0, -2)], 'call -0x2'],
    [[S(0x8d, 3)], 'callx r3'],
    [[EXIT], 'exit'],
    [[S(0x95, 0, 0, 0, 1)], '<unknown>'],
    [[S(0x07, 12, 0, 0, 1)], '<unknown>'],
  ];
  for (const [insns, text] of cases) assert.equal(formatInsn(insns, 0).text, text, JSON.stringify(insns));
});

test('an lddw line shows both slots: 16 bytes, and the next line is two slots on', () => {
  const lines = disassemble([S(0x18, 1, 0, 0, 5), S(0, 0, 0, 0, 1), EXIT]);
  assert.deepEqual(lines, [
    '       0:\t18 01 00 00 05 00 00 00 00 00 00 00 01 00 00 00\tr1 = 0x100000005 ll',
    '       2:\t95 00 00 00 00 00 00 00\texit',
  ]);
});

test('misuse: fields out of range, bad slot indexes and bad symbols throw RangeError', () => {
  assert.deepEqual(disassemble([]), []);
  for (const bad of [
    { ...EXIT, code: 256 },
    { ...EXIT, dst: 16 },
    { ...EXIT, src: -1 },
    { ...EXIT, off: 0x8000 },
    { ...EXIT, imm: 0x8000_0000 },
    { ...EXIT, imm: 0.5 },
  ]) {
    assert.throws(
      () => disassemble([EXIT, bad]),
      /^RangeError: insn 1: expected \w+ an integer/,
      JSON.stringify(bad),
    );
  }
  for (const index of [-1, 1, 0.5, Number.NaN]) {
    assert.throws(() => formatInsn([EXIT], index), RangeError, `index ${index}`);
  }
  assert.throws(() => disassemble([EXIT], { symbols: [{ name: 'f', index: -1 }] }), RangeError);
});
