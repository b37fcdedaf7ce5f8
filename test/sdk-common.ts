/**
 * Shared helpers of the C SDK tests (test/sdk-*.test.ts): where things are, which compilers this
 * machine has, building host tools and BPF fixtures, reading the header's declarations, and a small
 * ELF64 reader for the committed fixture objects.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers.js';

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
export function hasTool(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The first host C compiler present (gcc, else clang-19), or null. */
export const HOST_CC: string | null = ['gcc', CLANG].find(hasTool) ?? null;
export const HAS_CLANG = hasTool(CLANG);
export const HAS_OBJDUMP = hasTool(OBJDUMP);

/** Run a command; its stdout, or an Error with its stderr. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; input?: string } = {},
): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd ?? ROOT, input: opts.input });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

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

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHF_WRITE = 0x1n;
export const SHF_ALLOC = 0x2n;
export const SHF_EXECINSTR = 0x4n;
export const STT_FUNC = 2;
export const STT_SECTION = 3;

function cstr(b: Uint8Array, at: number): string {
  let end = at;
  while (end < b.length && b[end] !== 0) end++;
  return Buffer.from(b.subarray(at, end)).toString('latin1');
}

/** Sections, symbols and REL relocations of an ELF64 LE relocatable object (what clang -c writes). */
export function readElf(bytes: Uint8Array, what = 'object'): ElfObject {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
  if (!magic || bytes[4] !== 2 || bytes[5] !== 1)
    throw new Error(
      `${what}: expected an ELF64 little-endian file, found bytes ${[...bytes.subarray(0, 6)]}`,
    );
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const h = shoff + i * 64;
    const type = dv.getUint32(h + 4, true);
    const offset = Number(dv.getBigUint64(h + 24, true));
    const size = Number(dv.getBigUint64(h + 32, true));
    if (type !== SHT_NOBITS && offset + size > bytes.length)
      throw new Error(
        `${what}: section ${i} [0x${offset.toString(16)}, +0x${size.toString(16)}) is past the end`,
      );
    return {
      nameOff: dv.getUint32(h, true),
      type,
      flags: dv.getBigUint64(h + 8, true),
      data: type === SHT_NOBITS ? new Uint8Array(0) : bytes.subarray(offset, offset + size),
      size,
      link: dv.getUint32(h + 40, true),
      info: dv.getUint32(h + 44, true),
    };
  });
  const shstr = raw[shstrndx]?.data ?? new Uint8Array(0);
  const sections: ElfSection[] = raw.map((s, index) => ({ index, name: cstr(shstr, s.nameOff), ...s }));
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const symbols: ElfSymbol[] = [];
  if (symtab !== undefined) {
    const strtab = sections[symtab.link]?.data ?? new Uint8Array(0);
    const sv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
    for (let at = 0; at + 24 <= symtab.data.length; at += 24) {
      const info = sv.getUint8(at + 4);
      symbols.push({
        name: cstr(strtab, sv.getUint32(at, true)),
        type: info & 0xf,
        bind: info >> 4,
        shndx: sv.getUint16(at + 6, true),
        value: sv.getBigUint64(at + 8, true),
      });
    }
  }
  const relocs = new Map<number, ElfReloc[]>();
  for (const s of sections) {
    if (s.type !== SHT_REL) continue;
    const rv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const list: ElfReloc[] = [];
    for (let at = 0; at + 16 <= s.data.length; at += 16) {
      const info = rv.getBigUint64(at + 8, true);
      const symbol = symbols[Number(info >> 32n)];
      if (symbol === undefined)
        throw new Error(`${what}: ${s.name} refers to symbol ${info >> 32n}, not in .symtab`);
      list.push({ offset: Number(rv.getBigUint64(at, true)), type: Number(info & 0xffffffffn), symbol });
    }
    relocs.set(s.info, list);
  }
  return { sections, symbols, relocs };
}

/** Program sections: executable code (the program sections and .text). */
export function codeSections(o: ElfObject): ElfSection[] {
  return o.sections.filter((s) => (s.flags & SHF_EXECINSTR) !== 0n);
}

/** Hex dump of bytes, for messages. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
