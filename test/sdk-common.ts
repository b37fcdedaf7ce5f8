import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfError } from '../src/ebpf/elf/errors.js';
import { parseElf } from '../src/ebpf/elf/reader.js';
import * as bpf from '../src/uapi/bpf.js';
import { hasTool, repoRoot, runTool as run } from './helpers.js';

export { hasTool, run };

export const ROOT = repoRoot();
export const HEADER = join(ROOT, 'include', 'uring_bpf.h');
export const SDK_README = join(ROOT, 'include', 'README.md');
export const TOOLS = join(ROOT, 'tools', 'sdk');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'sdk');
export const GOLDEN_DIR = join(ROOT, 'test', 'golden', 'sdk');
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export const CLANG = 'clang-19';
export const OBJDUMP = 'llvm-objdump-19';

/** Whether `cmd --version` runs. */

/** The first host C compiler present (gcc, else clang-19), or null. */
export const HOST_CC: string | null = ['gcc', CLANG].find(hasTool) ?? null;
export const HAS_CLANG = hasTool(CLANG);
export const HAS_OBJDUMP = hasTool(OBJDUMP);

/** Compile tools/sdk/<name>.c for the host in a temp dir, run it with `input` on stdin; its stdout. */
export function runHostTool(name: string, input = ''): string {
  if (HOST_CC === null) throw new Error('no host C compiler (gcc or clang-19)');
  const dir = mkdtempSync(join(tmpdir(), `sdk-${name}-`));
  try {
    const exe = join(dir, name);
    run(HOST_CC, [
      '-std=gnu11',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-I',
      'include',
      '-o',
      exe,
      `tools/sdk/${name}.c`,
    ]);
    return run(exe, [], { input });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/* ------------------------------------------------------------------ the BPF fixtures */

/** The C samples of test/fixtures/sdk/, each committed as <name>.v3.o and <name>.v4.o. */
export const FIXTURE_SOURCES = ['tick', 'tour', 'preps'] as const;
export const CPUS = ['v3', 'v4'] as const;
export type Cpu = (typeof CPUS)[number];

export const fixtureSource = (name: string): string => `test/fixtures/sdk/${name}.bpf.c`;
export const fixtureObject = (name: string, cpu: Cpu): string => join(FIXTURES, `${name}.${cpu}.o`);

/**
 * Compile a BPF C file (path relative to the repository root, which is the working directory, so
 * that file names recorded in the object do not depend on where the repository lives).
 */
export function compileBpf(src: string, cpu: Cpu, out: string): void {
  run(CLANG, [
    '--target=bpf',
    '-O2',
    '-g',
    `-mcpu=${cpu}`,
    '-Wall',
    '-Wextra',
    '-Werror',
    '-fdebug-compilation-dir=.',
    '-I',
    'include',
    '-c',
    src,
    '-o',
    out,
  ]);
}

/* ------------------------------------------------------------------ the header's declarations */

export interface HelperDecl {
  readonly name: string;
  readonly id: number;
  /** The declaration as C text, e.g. `long bpf_copy_to_user(void *user_ptr, const void *src, __u32 size)`. */
  readonly proto: string;
}

/**
 * Helper declarations `static RET (* const NAME)(ARGS) = (void *) ID;` of the header, in order.
 * The prototype comes back as a plain function declaration with single spaces.
 */
export function headerHelpers(text: string): HelperDecl[] {
  const re = /^static\s+([\w\s*]+?)\s*\(\*\s*const\s+(\w+)\)\s*\(([^)]*)\)\s*=\s*\(void\s*\*\)\s*(\d+)\s*;/gm;
  return [...text.matchAll(re)].map((m) => {
    const ret = m[1]!.replace(/\s+/g, ' ').replace(/ \*/g, ' *');
    const sep = ret.endsWith('*') ? '' : ' ';
    return { name: m[2]!, id: Number(m[4]), proto: `${ret}${sep}${m[2]}(${m[3]!.replace(/\s+/g, ' ')})` };
  });
}

/**
 * Names of the constants the header defines: object-like `#define NAME value` with an upper-case
 * name (not the include guard) and enumerators `NAME = value,`.
 */
export function headerConstants(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/^#define\s+([A-Z][A-Z0-9_]*)(\s|$)/gm)) {
    if (m[1] !== 'URING_BPF_H' && m[1] !== 'NULL') names.push(m[1]!);
  }
  for (const m of text.matchAll(/^\s+([A-Z][A-Z0-9_]*)\s*=\s*[^,]+,/gm)) names.push(m[1]!);
  return names;
}

/* ------------------------------------------------------------------ ELF64 little-endian reader */

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  /** The bytes (empty for SHT_NOBITS). */
  readonly data: Uint8Array;
  readonly size: number;
  readonly link: number;
  readonly info: number;
}

export interface ElfSymbol {
  readonly name: string;
  readonly type: number;
  readonly bind: number;
  /** Section index (0 = undefined). */
  readonly shndx: number;
  readonly value: bigint;
}

export interface ElfReloc {
  readonly offset: number;
  readonly type: number;
  readonly symbol: ElfSymbol;
}

export interface ElfObject {
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  /** Relocations by the index of the section they apply to. */
  readonly relocs: ReadonlyMap<number, readonly ElfReloc[]>;
}

export { SHT_NOBITS, SHT_REL, STT_FUNC, STT_SECTION } from '../src/uapi/bpf.js';
/** Section flags as bigints, as ElfSection.flags holds them here. */
export const SHF_WRITE = BigInt(bpf.SHF_WRITE);
export const SHF_ALLOC = BigInt(bpf.SHF_ALLOC);
export const SHF_EXECINSTR = BigInt(bpf.SHF_EXECINSTR);

/**
 * Sections, symbols and REL relocations of an ELF64 LE relocatable object (what clang -c writes), in
 * the shape these tests use, read with the project's ELF reader (src/ebpf/elf/). ElfError is
 * rethrown with `what` in front.
 */
export function readElf(bytes: Uint8Array, what = 'object'): ElfObject {
  let elf: ReturnType<typeof parseElf>;
  try {
    elf = parseElf(bytes);
  } catch (e) {
    if (e instanceof ElfError) throw new Error(`${what}: ${e.message}`);
    throw e;
  }
  const sections: ElfSection[] = elf.sections.map((s) => ({
    index: s.index,
    name: s.name,
    type: s.type,
    flags: BigInt(s.flags),
    data: s.type === bpf.SHT_NOBITS ? new Uint8Array(0) : elf.sectionData(s),
    size: s.size,
    link: s.link,
    info: s.info,
  }));
  const symbols: ElfSymbol[] = elf.symbols.map((y) => ({
    name: y.name,
    type: y.type,
    bind: y.bind,
    shndx: y.shndx,
    value: BigInt(y.value),
  }));
  const relocs = new Map<number, ElfReloc[]>();
  for (const rs of elf.sections) {
    if (rs.type !== bpf.SHT_REL) continue;
    const list = elf.relocations(rs).map((r) => {
      const symbol = symbols[r.symbol];
      if (symbol === undefined)
        throw new Error(`${what}: ${rs.name} refers to symbol ${r.symbol}, not in .symtab`);
      return { offset: r.offset, type: r.type, symbol };
    });
    relocs.set(rs.info, list);
  }
  return { sections, symbols, relocs };
}

/** Program sections: executable code (the program sections and .text). */
export function codeSections(o: ElfObject): ElfSection[] {
  return o.sections.filter((s) => (s.flags & SHF_EXECINSTR) !== 0n);
}

/** Hex dump of bytes, for messages. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
