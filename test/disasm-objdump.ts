/**
 * Test support for the disassembler: a minimal ELF64 little-endian EM_BPF relocatable object
 * holding given bytes in .text (optionally with one function symbol at offset 0), and a runner of
 * llvm-objdump-19 -d --mcpu=v4 over it that returns the instruction lines. Not a product loader.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisasmSymbol } from '../src/ebpf/disasm.js';

export const OBJDUMP = 'llvm-objdump-19';
export const CLANG = 'clang-19';

/** objdump's flags for the goldens: `-d` and cpu v4 (ALU32 registers in narrow loads/stores/atomics). */
export const OBJDUMP_FLAGS = ['-d', '--mcpu=v4'] as const;

const EM_BPF = 247;
const ET_REL = 1;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHF_ALLOC_EXECINSTR = 0x6;
const STB_GLOBAL_STT_FUNC = 0x12;

/** True when `cmd --version` runs. */
export { hasTool } from './helpers.js';

/**
 * An ELF64 LE EM_BPF ET_REL object: section 1 is .text with `text`; with `symbols`, a .symtab holds
 * them as global STT_FUNC symbols at their slot indexes, each reaching to the next one.
 */
export function bpfObject(text: Uint8Array, symbols: readonly DisasmSymbol[] = []): Uint8Array {
  const names = ['', '.text', '.shstrtab', ...(symbols.length === 0 ? [] : ['.symtab', '.strtab'])];
  const shstr = strtab(names);
  const parts: Uint8Array[] = [];
  let pos = 64;
  const place = (data: Uint8Array): number => {
    const at = pos;
    parts.push(data);
    pos += data.length;
    const pad = (8 - (pos % 8)) % 8;
    parts.push(new Uint8Array(pad));
    pos += pad;
    return at;
  };
  // Section header fields: name, type, flags, offset, size, link, info, align, entsize.
  const sections: number[][] = [[0, 0, 0, 0, 0, 0, 0, 0, 0]];
  sections.push([shstr.offsets[1]!, SHT_PROGBITS, SHF_ALLOC_EXECINSTR, place(text), text.length, 0, 0, 8, 0]);
  const shstrOff = place(shstr.bytes);
  sections.push([shstr.offsets[2]!, SHT_STRTAB, 0, shstrOff, shstr.bytes.length, 0, 0, 1, 0]);
  if (symbols.length > 0) {
    const str = strtab(['', ...symbols.map((s) => s.name)]);
    const sym = new Uint8Array(24 * (symbols.length + 1)); // the null symbol first
    const dv = new DataView(sym.buffer);
    const starts = symbols.map((s) => s.index * 8);
    starts.forEach((start, k) => {
      const e = 24 * (k + 1);
      const end = Math.min(text.length, ...starts.filter((a) => a > start));
      dv.setUint32(e, str.offsets[k + 1]!, true);
      sym[e + 4] = STB_GLOBAL_STT_FUNC;
      dv.setUint16(e + 6, 1, true); // st_shndx: .text
      dv.setBigUint64(e + 8, BigInt(start), true);
      dv.setBigUint64(e + 16, BigInt(end - start), true);
    });
    const symOff = place(sym);
    const strOff = place(str.bytes);
    sections.push([shstr.offsets[3]!, SHT_SYMTAB, 0, symOff, sym.length, 4, 1, 8, 24]);
    sections.push([shstr.offsets[4]!, SHT_STRTAB, 0, strOff, str.bytes.length, 0, 0, 1, 0]);
  }
  const shoff = pos;
  const out = new Uint8Array(shoff + sections.length * 64);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT
  dv.setUint16(16, ET_REL, true);
  dv.setUint16(18, EM_BPF, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true); // e_ehsize
  dv.setUint16(58, 64, true); // e_shentsize
  dv.setUint16(60, sections.length, true);
  dv.setUint16(62, 2, true); // e_shstrndx
  let p = 64;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  sections.forEach(([name, type, flags, offset, size, link, info, align, entsize], k) => {
    const h = shoff + k * 64;
    dv.setUint32(h, name!, true);
    dv.setUint32(h + 4, type!, true);
    dv.setBigUint64(h + 8, BigInt(flags!), true);
    dv.setBigUint64(h + 24, BigInt(offset!), true);
    dv.setBigUint64(h + 32, BigInt(size!), true);
    dv.setUint32(h + 40, link!, true);
    dv.setUint32(h + 44, info!, true);
    dv.setBigUint64(h + 48, BigInt(align!), true);
    dv.setBigUint64(h + 56, BigInt(entsize!), true);
  });
  return out;
}

function strtab(names: readonly string[]): { bytes: Uint8Array; offsets: number[] } {
  const offsets: number[] = [];
  let text = '';
  for (const n of names) {
    if (n === '') {
      offsets.push(0);
      if (text === '') text = '\0';
      continue;
    }
    offsets.push(text.length);
    text += `${n}\0`;
  }
  return { bytes: new TextEncoder().encode(text), offsets };
}

const HEADER = /^(?:([0-9a-f]{16}) )?<(.*)>:$/;

/**
 * Run objdump on an object file and return its listing from the first `<symbol>:` header on (the
 * file name and section lines before it name a temporary file), without trailing blank lines.
 */
export function objdumpListing(path: string, flags: readonly string[] = []): string[] {
  const r = spawnSync(OBJDUMP, [...OBJDUMP_FLAGS, ...flags, path], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${OBJDUMP} failed on ${path}: ${r.error?.message ?? r.stderr}`);
  const lines = r.stdout.split('\n');
  const start = lines.findIndex((l) => HEADER.test(l));
  if (start < 0) throw new Error(`${OBJDUMP} printed no disassembly for ${path}:\n${r.stdout}`);
  const body = lines.slice(start);
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  return body;
}

/** A listing's instruction lines (and `...` lines), and its symbols from the `<name>:` headers. */
export function parseListing(listing: readonly string[]): { lines: string[]; symbols: DisasmSymbol[] } {
  const lines: string[] = [];
  const symbols: DisasmSymbol[] = [];
  for (const l of listing) {
    const m = HEADER.exec(l);
    if (m !== null) {
      if (m[1] !== undefined) symbols.push({ name: m[2]!, index: Number.parseInt(m[1], 16) / 8 });
    } else if (l !== '') {
      lines.push(l);
    }
  }
  return { lines, symbols };
}

/** The bytes shown in instruction lines (`%8d:\t<hex bytes>\t<text>`), in order. */
export function listingBytes(lines: readonly string[]): Uint8Array {
  const out: number[] = [];
  for (const l of lines) {
    const hex = /^ *\d+:\t([0-9a-f]{2}(?: [0-9a-f]{2})*)\t/.exec(l);
    if (hex === null) throw new Error(`no address and bytes in the line '${l}'`);
    for (const b of hex[1]!.split(' ')) out.push(Number.parseInt(b, 16));
  }
  return Uint8Array.from(out);
}

/** Run objdump on an object file and return its instruction lines (headers and blank lines dropped). */
export function objdumpFile(path: string, flags: readonly string[] = []): string[] {
  return parseListing(objdumpListing(path, flags)).lines;
}

/** objdump's listing for `text` wrapped in bpfObject(). */
export function objdumpListingOf(
  text: Uint8Array,
  flags: readonly string[] = [],
  symbols: readonly DisasmSymbol[] = [],
): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'disasm-'));
  try {
    const path = join(dir, 'prog.o');
    writeFileSync(path, bpfObject(text, symbols));
    return objdumpListing(path, flags);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compile a C file with clang-19 for BPF (cpu v4, -O2) and return objdump's listing of it. */
export function clangListing(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'disasm-'));
  try {
    const obj = join(dir, 'prog.o');
    const r = spawnSync(CLANG, ['--target=bpf', '-mcpu=v4', '-O2', '-c', source, '-o', obj], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`${CLANG} failed on ${source}: ${r.error?.message ?? r.stderr}`);
    return objdumpListing(obj);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first line of `cmd --version`. */
export function toolVersion(cmd: string): string {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return (
    (r.stdout ?? '')
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}

/** objdump's instruction lines for `text` wrapped in bpfObject(). */
export function objdumpBytes(
  text: Uint8Array,
  flags: readonly string[] = [],
  symbols: readonly DisasmSymbol[] = [],
): string[] {
  return parseListing(objdumpListingOf(text, flags, symbols)).lines;
}
