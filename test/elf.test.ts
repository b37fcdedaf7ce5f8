/**
 * The ELF64 reader: sections, symbols and relocations of every fixture object agree with
 * llvm-readobj-19 (when installed), and every header, section-table, string-table, symbol and
 * relocation defect throws ElfError with its code and the file offset of the faulty field.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ElfError } from '../src/ebpf/elf/errors.js';
import { type ElfFile, parseElf } from '../src/ebpf/elf/reader.js';
import {
  EM_BPF,
  ET_REL,
  R_BPF_64_32,
  R_BPF_64_64,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHN_ABS,
  SHT_NOBITS,
  SHT_PROGBITS,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FILE,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
} from '../src/uapi/bpf.js';
import { hasTool, repoRoot } from './helpers.js';

const FIXTURES = join(repoRoot(), 'test/fixtures/bpf');
const OBJECTS = readdirSync(FIXTURES).filter((f) => f.endsWith('.o'));
const READOBJ = 'llvm-readobj-19';
const HAVE_READOBJ = hasTool(READOBJ);
const ringBytes = readFileSync(join(FIXTURES, 'ring.o'));
const ring = parseElf(ringBytes);

/** A symbol's name, section symbols named after their section (as readelf shows them). */
function symName(e: ElfFile, index: number): string {
  const s = e.symbols[index]!;
  return s.type === STT_SECTION ? e.sections[s.shndx]!.name : s.name;
}

test('ring.o: header, sections, symbols and relocations as clang wrote them', () => {
  assert.deepEqual([ring.header.type, ring.header.machine, ring.header.shnum], [ET_REL, EM_BPF, 39]);
  assert.equal(ring.sections[ring.header.shstrndx]!.name, '.strtab');
  const text = ring.section('.text')!;
  assert.deepEqual(
    [text.index, text.type, text.flags, text.offset, text.size, text.addralign],
    [2, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x40, 0xc0, 8],
  );
  assert.equal(ring.section('.bss')!.type, SHT_NOBITS);
  assert.equal(ring.sectionData(ring.section('.bss')!).length, 0);
  assert.equal(Buffer.from(ring.sectionData(ring.section('license')!)).toString('latin1'), 'GPL\0');
  const sym = (name: string) => ring.symbols.find((s) => s.name === name)!;
  const fields = (name: string) => {
    const s = sym(name);
    return [s.value, s.size, s.type, s.bind, s.visibility, ring.sections[s.shndx]?.name ?? s.shndx];
  };
  assert.deepEqual(fields('count'), [0, 384, STT_FUNC, STB_GLOBAL, 0, 'iouring/count']);
  assert.deepEqual(fields('bump'), [0, 192, STT_FUNC, STB_LOCAL, 0, '.text']);
  assert.deepEqual(fields('counters'), [0x98, 32, STT_OBJECT, STB_GLOBAL, 0, '.maps']);
  assert.deepEqual(fields('ring.c'), [0, 0, STT_FILE, STB_LOCAL, 0, SHN_ABS]);
  assert.equal(ring.symbols[0]!.name, '');
  const relSecs = ring.relocSectionsFor(ring.section('iouring/count')!.index);
  assert.deepEqual(
    relSecs.map((s) => s.name),
    ['.reliouring/count'],
  );
  const rels = ring.relocations(relSecs[0]!).map((r) => [r.offset, r.type, symName(ring, r.symbol)]);
  assert.deepEqual(rels, [
    [0x10, R_BPF_64_64, 'limit'],
    [0x60, R_BPF_64_64, 'table'],
    [0x80, R_BPF_64_32, '.text'],
    [0xb8, R_BPF_64_64, 'runs'],
    [0xf8, R_BPF_64_64, 'hist'],
    [0x138, R_BPF_64_64, '.rodata.str1.1'],
  ]);
  assert.equal(ring.symbols[2]!.type, STT_SECTION);
  assert.equal(ring.symbols[2]!.name, '');
});

interface ReadobjSection {
  Section: {
    Index: number;
    Name: { Name: string };
    Type: { Value: number };
    Flags: { Value: number };
    Offset: number;
    Size: number;
    Link: number;
    Info: number;
    AddressAlignment: number;
    EntrySize: number;
  };
}
interface ReadobjSymbol {
  Symbol: {
    Name: { Name: string };
    Value: number;
    Size: number;
    Binding: { Value: number };
    Type: { Value: number };
    Other: { Value: number };
    Section: { Value: number };
  };
}
interface ReadobjRelocs {
  SectionIndex: number;
  Relocs: { Relocation: { Offset: number; Type: { Value: number }; Symbol: { Value: number } } }[];
}

test(
  'every fixture agrees with llvm-readobj-19',
  { skip: HAVE_READOBJ ? false : `${READOBJ} not installed` },
  () => {
    for (const name of OBJECTS) {
      const path = join(FIXTURES, name);
      const r = spawnSync(
        READOBJ,
        ['--elf-output-style=JSON', '--sections', '--symbols', '--relocations', path],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const ref = JSON.parse(r.stdout)[0] as {
        Sections: ReadobjSection[];
        Symbols: ReadobjSymbol[];
        Relocations: ReadobjRelocs[];
      };
      const elf = parseElf(readFileSync(path));
      assert.deepEqual(
        elf.sections.map((s) => [
          s.index,
          s.name,
          s.type,
          s.flags,
          s.offset,
          s.size,
          s.link,
          s.info,
          s.addralign,
          s.entsize,
        ]),
        ref.Sections.map(({ Section: s }) => [
          s.Index,
          s.Name.Name,
          s.Type.Value,
          s.Flags.Value,
          s.Offset,
          s.Size,
          s.Link,
          s.Info,
          s.AddressAlignment,
          s.EntrySize,
        ]),
        `${name}: sections`,
      );
      // readobj names section symbols after their section; the table holds an empty name.
      assert.deepEqual(
        elf.symbols.map((s) => [
          symName(elf, s.index),
          s.value,
          s.size,
          s.bind,
          s.type,
          s.visibility,
          s.shndx,
        ]),
        ref.Symbols.map(({ Symbol: s }) => [
          s.Name.Name,
          s.Value,
          s.Size,
          s.Binding.Value,
          s.Type.Value,
          s.Other.Value & 3,
          s.Section.Value,
        ]),
        `${name}: symbols`,
      );
      assert.deepEqual(
        ref.Relocations.map((rs) => ({
          sec: rs.SectionIndex,
          relocs: elf.relocations(elf.sections[rs.SectionIndex]!).map((x) => [x.offset, x.type, x.symbol]),
        })),
        ref.Relocations.map((rs) => ({
          sec: rs.SectionIndex,
          relocs: rs.Relocs.map(({ Relocation: x }) => [x.Offset, x.Type.Value, x.Symbol.Value]),
        })),
        `${name}: relocations`,
      );
    }
  },
);

/* ------------------------------------------------------------------ defects */

/** A copy of ring.o changed by `f` (which sees the original's parse for offsets). */
function mutate(f: (b: Uint8Array, dv: DataView, e: ElfFile) => void): Uint8Array {
  const b = new Uint8Array(ringBytes);
  f(b, new DataView(b.buffer), ring);
  return b;
}
const sh = (name: string): number => ring.section(name)!.headerOffset;
const symOff = (name: string): number => ring.symbols.find((s) => s.name === name)!.fileOffset;
const symtab = ring.sections[ring.symtabIndex]!;

const DEFECTS: [string, () => Uint8Array, string, number, RegExp?][] = [
  ['an empty file', () => new Uint8Array(0), 'E_ELF_MAGIC', 0, /found an empty file/],
  [
    'a bad magic',
    () => mutate((b) => (b[1] = 0x46)),
    'E_ELF_MAGIC',
    0,
    /expected the ELF magic 7f 45 4c 46, found 7f 46 4c 46/,
  ],
  [
    'a header cut short',
    () => ringBytes.subarray(0, 40),
    'E_ELF_TRUNCATED',
    0,
    /expected a file header of 0x40 bytes, found 0x28/,
  ],
  ['ELFCLASS32', () => mutate((b) => (b[4] = 1)), 'E_ELF_CLASS', 4],
  ['big-endian data', () => mutate((b) => (b[5] = 2)), 'E_ELF_DATA', 5],
  ['an e_ident version of 0', () => mutate((b) => (b[6] = 0)), 'E_ELF_VERSION', 6],
  ['an executable (ET_EXEC)', () => mutate((_b, dv) => dv.setUint16(16, 2, true)), 'E_ELF_TYPE', 16],
  [
    'an x86-64 object',
    () => mutate((_b, dv) => dv.setUint16(18, 62, true)),
    'E_ELF_MACHINE',
    18,
    /expected e_machine EM_BPF \(247\), found 62/,
  ],
  ['e_version 2', () => mutate((_b, dv) => dv.setUint32(20, 2, true)), 'E_ELF_VERSION', 20],
  ['e_ehsize 0', () => mutate((_b, dv) => dv.setUint16(52, 0, true)), 'E_ELF_HEADER', 52],
  ['e_shentsize 40', () => mutate((_b, dv) => dv.setUint16(58, 40, true)), 'E_ELF_HEADER', 58],
  [
    'e_shoff past the end',
    () => mutate((_b, dv) => dv.setBigUint64(40, 0x1_0000_0000n, true)),
    'E_ELF_TRUNCATED',
    40,
    /section header table at 0x100000000/,
  ],
  [
    'e_shoff above 2^53',
    () => mutate((_b, dv) => dv.setBigUint64(40, 1n << 60n, true)),
    'E_ELF_HEADER',
    40,
    /found 0x1000000000000000/,
  ],
  ['a section table cut short', () => ringBytes.subarray(0, ringBytes.length - 8), 'E_ELF_TRUNCATED', 60],
  ['a huge e_shnum', () => mutate((_b, dv) => dv.setUint16(60, 0xfff0, true)), 'E_ELF_TRUNCATED', 60],
  [
    'e_shnum without a section table',
    () => mutate((_b, dv) => dv.setBigUint64(40, 0n, true)),
    'E_ELF_HEADER',
    60,
  ],
  ['e_shstrndx 0', () => mutate((_b, dv) => dv.setUint16(62, 0, true)), 'E_ELF_HEADER', 62],
  ['e_shstrndx past the table', () => mutate((_b, dv) => dv.setUint16(62, 39, true)), 'E_ELF_HEADER', 62],
  [
    'a section-name table that is not SHT_STRTAB',
    () => mutate((_b, dv) => dv.setUint16(62, 2, true)),
    'E_ELF_STRTAB',
    sh('.text') + 4,
  ],
  [
    'a section name past its table',
    () => mutate((_b, dv) => dv.setUint32(sh('.text'), 0x10000, true)),
    'E_ELF_STRTAB',
    ring.section('.strtab')!.offset + ring.section('.strtab')!.size,
    /expected a name offset inside the string table of 0x1c7 bytes, found 0x10000/,
  ],
  [
    'a section name without its NUL',
    () =>
      mutate((b, dv) => {
        const st = ring.section('.strtab')!;
        b[st.offset + st.size - 1] = 0x41;
        dv.setUint32(sh('.text'), st.size - 1, true);
      }),
    'E_ELF_STRTAB',
    ring.section('.strtab')!.offset + ring.section('.strtab')!.size - 1,
    /expected a NUL-terminated name/,
  ],
  [
    'section bytes past the end',
    () => mutate((_b, dv) => dv.setBigUint64(sh('.BTF') + 32, 0x100000n, true)),
    'E_ELF_TRUNCATED',
    sh('.BTF') + 24,
  ],
  [
    'a section offset above 2^53',
    () => mutate((_b, dv) => dv.setBigUint64(sh('.BTF') + 24, 1n << 63n, true)),
    'E_ELF_SECTION',
    sh('.BTF') + 24,
  ],
  [
    'a symbol table entsize of 0',
    () => mutate((_b, dv) => dv.setBigUint64(symtab.headerOffset + 56, 0n, true)),
    'E_ELF_SECTION',
    symtab.headerOffset + 56,
  ],
  [
    'a symbol table of a partial entry',
    () => mutate((_b, dv) => dv.setBigUint64(symtab.headerOffset + 32, BigInt(symtab.size - 4), true)),
    'E_ELF_SECTION',
    symtab.headerOffset + 32,
  ],
  [
    'two symbol tables',
    () => mutate((_b, dv) => dv.setUint32(sh('.llvm_addrsig') + 4, 2, true)),
    'E_ELF_SECTION',
    symtab.headerOffset,
  ],
  [
    'symbol names in a non-string section',
    () => mutate((_b, dv) => dv.setUint32(symtab.headerOffset + 40, 2, true)),
    'E_ELF_STRTAB',
    symtab.headerOffset + 40,
  ],
  [
    'a symbol in section 999',
    () => mutate((_b, dv) => dv.setUint16(symOff('count') + 6, 999, true)),
    'E_ELF_SYMBOL',
    symOff('count') + 6,
  ],
  [
    'a symbol with SHN_XINDEX',
    () => mutate((_b, dv) => dv.setUint16(symOff('count') + 6, 0xffff, true)),
    'E_ELF_SYMBOL',
    symOff('count') + 6,
  ],
  [
    'a symbol value above 2^53',
    () => mutate((_b, dv) => dv.setBigUint64(symOff('count') + 8, 1n << 60n, true)),
    'E_ELF_SYMBOL',
    symOff('count') + 8,
  ],
];

test('defects of the header, section table, string tables and symbols throw ElfError at their offset', () => {
  for (const [what, make, code, offset, msg] of DEFECTS) {
    assert.throws(
      () => parseElf(make()),
      (e: unknown) => {
        assert.ok(e instanceof ElfError, `${what}: ${e}`);
        assert.deepEqual([e.code, e.offset], [code, offset], `${what}: ${e.message}`);
        if (msg) assert.match(e.message, msg, what);
        assert.match(e.message, /^ELF at 0x[0-9a-f]+: .*expected/, what);
        return true;
      },
    );
  }
});

test('relocation defects throw ElfError when the relocations are read', () => {
  const rel = ring.section('.reliouring/count')!;
  const cases: [string, (dv: DataView) => void, string, number][] = [
    [
      'a symbol index past the table',
      (dv) => dv.setUint32(rel.offset + 12, 4096, true),
      'E_ELF_RELOC',
      rel.offset + 8,
    ],
    [
      'an offset past the target section',
      (dv) => dv.setBigUint64(rel.offset, 0x1000n, true),
      'E_ELF_RELOC',
      rel.offset,
    ],
    [
      'a link to a section that is not the symbol table',
      (dv) => dv.setUint32(rel.headerOffset + 40, 1, true),
      'E_ELF_SECTION',
      rel.headerOffset + 40,
    ],
    [
      'a target section 0',
      (dv) => dv.setUint32(rel.headerOffset + 44, 0, true),
      'E_ELF_SECTION',
      rel.headerOffset + 44,
    ],
    [
      'an entsize of 24',
      (dv) => dv.setBigUint64(rel.headerOffset + 56, 24n, true),
      'E_ELF_SECTION',
      rel.headerOffset + 56,
    ],
  ];
  for (const [what, f, code, offset] of cases) {
    const elf = parseElf(mutate((_b, dv) => f(dv)));
    assert.throws(
      () => elf.relocations(elf.sections[rel.index]!),
      (e: unknown) => e instanceof ElfError && e.code === code && e.offset === offset,
      what,
    );
  }
  assert.throws(() => ring.relocations(ring.section('.text')!), { name: 'ElfError', code: 'E_ELF_SECTION' });
});

test('extended section numbering: the count in section 0 sh_size, the name table index in its sh_link', () => {
  const ext = parseElf(
    mutate((_b, dv) => {
      const shoff = Number(dv.getBigUint64(40, true));
      dv.setUint16(60, 0, true);
      dv.setBigUint64(shoff + 32, 39n, true);
      dv.setUint16(62, 0xffff, true);
      dv.setUint32(shoff + 40, ring.header.shstrndx, true);
    }),
  );
  assert.deepEqual(
    ext.sections.map((s) => s.name),
    ring.sections.map((s) => s.name),
  );
  assert.equal(ext.symbols.length, ring.symbols.length);
});

test('an object without sections parses to no sections and no symbols', () => {
  const bare = parseElf(
    mutate((_b, dv) => {
      dv.setBigUint64(40, 0n, true);
      dv.setUint16(60, 0, true);
      dv.setUint16(62, 0, true);
    }),
  );
  assert.deepEqual([bare.sections.length, bare.symbols.length, bare.symtabIndex], [0, 0, -1]);
});
