/**
 * ELF64 little-endian reader for BPF relocatable objects (ET_REL, EM_BPF) as clang emits them: the
 * file header, section headers and their names, the symbol table and REL/RELA sections. Every
 * offset, size and count is checked against the file before it is used or allocated for, so a
 * hostile file costs memory in proportion to its size; problems throw ElfError with the file offset.
 */
import {
  ELF64_EHDR_SIZE,
  ELF64_REL_SIZE,
  ELF64_RELA_SIZE,
  ELF64_SHDR_SIZE,
  ELF64_SYM_SIZE,
  ELFCLASS64,
  ELFDATA2LSB,
  EM_BPF,
  ET_REL,
  EV_CURRENT,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
} from '../../uapi/bpf.js';
import { ElfError, type ElfErrorCode, hex } from './errors.js';
import { StringTable } from './strtab.js';

/** e_ident bytes checked after the magic: index, expected value, error code, field. */
const IDENT_CHECKS: readonly (readonly [number, number, ElfErrorCode, string])[] = [
  [4, ELFCLASS64, 'E_ELF_CLASS', 'EI_CLASS ELFCLASS64'],
  [5, ELFDATA2LSB, 'E_ELF_DATA', 'EI_DATA ELFDATA2LSB'],
  [6, EV_CURRENT, 'E_ELF_VERSION', 'EI_VERSION EV_CURRENT'],
];

/** Longest section or symbol name accepted (bytes, NUL excluded). */
export const ELF_MAX_NAME = 4096;

/** The file header fields a BPF object uses. */
export interface ElfHeader {
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly flags: number;
  /** File offset of the section header table. */
  readonly shoff: number;
  /** Number of section headers (extended numbering resolved). */
  readonly shnum: number;
  /** Index of the section-name string table (extended numbering resolved). */
  readonly shstrndx: number;
}

/** One section header with its resolved name. */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  /** sh_flags, low 32 bits (SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR...). */
  readonly flags: number;
  /** File offset of the section's bytes (meaningless for SHT_NOBITS). */
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** File offset of this section's header. */
  readonly headerOffset: number;
}

/** One symbol of the symbol table. */
export interface ElfSymbol {
  /** Index in the symbol table (relocations name symbols by it). */
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* (st_info & 0xf). */
  readonly type: number;
  /** STB_* (st_info >> 4). */
  readonly bind: number;
  /** STV_* (st_other & 3). */
  readonly visibility: number;
  /** Section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
  readonly shndx: number;
  /** File offset of the symbol's entry. */
  readonly fileOffset: number;
}

/** One relocation entry. */
export interface ElfReloc {
  /** Offset in the target section of the patched bytes. */
  readonly offset: number;
  /** Symbol table index (r_info >> 32). */
  readonly symbol: number;
  /** Relocation type (r_info & 0xffffffff), R_BPF_*. */
  readonly type: number;
  /** Explicit addend of a RELA entry; 0 for REL. */
  readonly addend: bigint;
  /** File offset of the entry. */
  readonly fileOffset: number;
}

/** A parsed ELF object. The bytes are not copied: section data are views of the input. */
export class ElfFile {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  /** Symbols of the SHT_SYMTAB section (index 0, the null symbol, included); empty without one. */
  readonly symbols: readonly ElfSymbol[];
  /** Section index of SHT_SYMTAB, or -1. */
  readonly symtabIndex: number;
  private readonly dv: DataView;
  private readonly strtabs = new Map<number, StringTable>();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.header = this.readHeader();
    this.sections = this.readSections();
    const symtabs = this.sections.filter((s) => s.type === SHT_SYMTAB);
    if (symtabs.length > 1) {
      const s = symtabs[1]!;
      throw new ElfError(
        'E_ELF_SECTION',
        s.headerOffset,
        `expected one SHT_SYMTAB, found another: section ${s.index}`,
      );
    }
    this.symtabIndex = symtabs[0]?.index ?? -1;
    this.symbols = symtabs[0] === undefined ? [] : this.readSymbols(symtabs[0]);
  }

  /** The first section named `name`. */
  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (a view of the input); empty for SHT_NOBITS and SHT_NULL. */
  sectionData(s: ElfSection): Uint8Array {
    if (s.type === SHT_NOBITS || s.type === SHT_NULL) return new Uint8Array(0);
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** REL/RELA sections that apply to section `target`, in section order. */
  relocSectionsFor(target: number): ElfSection[] {
    return this.sections.filter((s) => (s.type === SHT_REL || s.type === SHT_RELA) && s.info === target);
  }

  /** The entries of a REL or RELA section, checked (symbol index, offset within the target). */
  relocations(s: ElfSection): ElfReloc[] {
    const rela = s.type === SHT_RELA;
    if (!rela && s.type !== SHT_REL) {
      throw new ElfError(
        'E_ELF_SECTION',
        s.headerOffset,
        `section ${s.index} '${s.name}' is not SHT_REL or SHT_RELA`,
      );
    }
    const entsize = rela ? ELF64_RELA_SIZE : ELF64_REL_SIZE;
    this.checkTable(s, entsize);
    if (s.link !== this.symtabIndex) {
      throw new ElfError(
        'E_ELF_SECTION',
        s.headerOffset + 40,
        `relocation section '${s.name}': expected sh_link ${this.symtabIndex} (the symbol table), found ${s.link}`,
      );
    }
    const target = this.sections[s.info];
    if (target === undefined || s.info === 0) {
      throw new ElfError(
        'E_ELF_SECTION',
        s.headerOffset + 44,
        `relocation section '${s.name}': expected sh_info to name a section 1-${this.sections.length - 1}, found ${s.info}`,
      );
    }
    const out: ElfReloc[] = [];
    for (let p = s.offset; p < s.offset + s.size; p += entsize) {
      const offset = this.u64(p, 'E_ELF_RELOC', 'r_offset');
      const sym = this.dv.getUint32(p + 12, true);
      const type = this.dv.getUint32(p + 8, true);
      if (sym >= this.symbols.length) {
        throw new ElfError(
          'E_ELF_RELOC',
          p + 8,
          `relocation in '${s.name}': expected a symbol index below ${this.symbols.length}, found ${sym}`,
        );
      }
      if (target.type !== SHT_NOBITS && offset >= target.size) {
        throw new ElfError(
          'E_ELF_RELOC',
          p,
          `relocation in '${s.name}': expected an offset inside '${target.name}' (size ${hex(target.size)}), found ${hex(offset)}`,
        );
      }
      const addend = rela ? this.dv.getBigInt64(p + 16, true) : 0n;
      out.push({ offset, symbol: sym, type, addend, fileOffset: p });
    }
    return out;
  }

  /** The string at `offset` of string-table section `index` (checked). */
  stringAt(index: number, offset: number): string {
    return this.strtab(index, 0).get(offset);
  }

  /* ---------------------------------------------------------------- internals */

  private strtab(index: number, refOffset: number): StringTable {
    const cached = this.strtabs.get(index);
    if (cached !== undefined) return cached;
    const s = this.sections[index];
    if (s === undefined || s.type !== SHT_STRTAB) {
      throw new ElfError(
        'E_ELF_STRTAB',
        refOffset,
        `expected section ${index} to be a string table (SHT_STRTAB), found ${s === undefined ? 'no such section' : `type ${s.type}`}`,
      );
    }
    const t = new StringTable(
      this.sectionData(s),
      ELF_MAX_NAME,
      (off, msg) => new ElfError('E_ELF_STRTAB', s.offset + off, `'${s.name}': ${msg}`),
    );
    this.strtabs.set(index, t);
    return t;
  }

  private u64(at: number, code: ElfErrorCode, what: string): number {
    const v = this.dv.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfError(code, at, `${what}: expected a value below 2^53, found ${hex(v)}`);
    }
    return Number(v);
  }

  private readHeader(): ElfHeader {
    const b = this.bytes;
    if (b.length < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
      const found = Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
      throw new ElfError(
        'E_ELF_MAGIC',
        0,
        `expected the ELF magic 7f 45 4c 46, found ${found || 'an empty file'}`,
      );
    }
    if (b.length < ELF64_EHDR_SIZE) {
      throw new ElfError(
        'E_ELF_TRUNCATED',
        0,
        `expected a file header of ${hex(ELF64_EHDR_SIZE)} bytes, found ${hex(b.length)} bytes in all`,
      );
    }
    for (const [at, want, code, what] of IDENT_CHECKS) {
      if (b[at] !== want) {
        throw new ElfError(code, at, `expected ${what} (${want}), found ${b[at]}`);
      }
    }
    const dv = this.dv;
    const checks: [number, number, number, ElfErrorCode, string][] = [
      [16, dv.getUint16(16, true), ET_REL, 'E_ELF_TYPE', 'e_type ET_REL'],
      [18, dv.getUint16(18, true), EM_BPF, 'E_ELF_MACHINE', 'e_machine EM_BPF'],
      [20, dv.getUint32(20, true), EV_CURRENT, 'E_ELF_VERSION', 'e_version EV_CURRENT'],
      [52, dv.getUint16(52, true), ELF64_EHDR_SIZE, 'E_ELF_HEADER', 'e_ehsize'],
    ];
    for (const [at, found, want, code, what] of checks) {
      if (found !== want) throw new ElfError(code, at, `expected ${what} (${want}), found ${found}`);
    }
    const shoff = this.u64(40, 'E_ELF_HEADER', 'e_shoff');
    const shentsize = dv.getUint16(58, true);
    let shnum = dv.getUint16(60, true);
    let shstrndx = dv.getUint16(62, true);
    if (shoff === 0) {
      if (shnum !== 0)
        throw new ElfError('E_ELF_HEADER', 60, `expected e_shnum 0 without a section table, found ${shnum}`);
      return {
        type: ET_REL,
        machine: EM_BPF,
        version: EV_CURRENT,
        flags: dv.getUint32(48, true),
        shoff,
        shnum,
        shstrndx: 0,
      };
    }
    if (shentsize !== ELF64_SHDR_SIZE) {
      throw new ElfError('E_ELF_HEADER', 58, `expected e_shentsize ${ELF64_SHDR_SIZE}, found ${shentsize}`);
    }
    if (shoff > b.length - ELF64_SHDR_SIZE) {
      throw new ElfError(
        'E_ELF_TRUNCATED',
        40,
        `section header table at ${hex(shoff)}: expected it inside the file of ${hex(b.length)} bytes`,
      );
    }
    // Extended numbering: section 0 holds the real count (sh_size) and shstrndx (sh_link).
    if (shnum === 0) shnum = this.u64(shoff + 32, 'E_ELF_HEADER', 'section count in sh_size of section 0');
    if (shstrndx === SHN_XINDEX) shstrndx = dv.getUint32(shoff + 40, true);
    if (shnum > (b.length - shoff) / ELF64_SHDR_SIZE) {
      throw new ElfError(
        'E_ELF_TRUNCATED',
        60,
        `expected ${shnum} section headers of ${hex(ELF64_SHDR_SIZE)} bytes at ${hex(shoff)} inside the file of ${hex(b.length)} bytes`,
      );
    }
    if (shstrndx === SHN_UNDEF || shstrndx >= shnum) {
      throw new ElfError(
        'E_ELF_HEADER',
        62,
        `expected e_shstrndx to name a section 1-${shnum - 1}, found ${shstrndx}`,
      );
    }
    return {
      type: ET_REL,
      machine: EM_BPF,
      version: EV_CURRENT,
      flags: dv.getUint32(48, true),
      shoff,
      shnum,
      shstrndx,
    };
  }

  private readSections(): ElfSection[] {
    const { shoff, shnum, shstrndx } = this.header;
    if (shnum === 0) return [];
    const dv = this.dv;
    const raw: Omit<ElfSection, 'name'>[] = [];
    const nameOffs: number[] = [];
    for (let i = 0; i < shnum; i++) {
      const h = shoff + i * ELF64_SHDR_SIZE;
      const type = dv.getUint32(h + 4, true);
      const offset = this.u64(h + 24, 'E_ELF_SECTION', `section ${i} sh_offset`);
      const size = this.u64(h + 32, 'E_ELF_SECTION', `section ${i} sh_size`);
      const s = {
        index: i,
        type,
        flags: dv.getUint32(h + 8, true),
        offset,
        size,
        link: dv.getUint32(h + 40, true),
        info: dv.getUint32(h + 44, true),
        addralign: this.u64(h + 48, 'E_ELF_SECTION', `section ${i} sh_addralign`),
        entsize: this.u64(h + 56, 'E_ELF_SECTION', `section ${i} sh_entsize`),
        headerOffset: h,
      };
      if (
        i > 0 &&
        type !== SHT_NOBITS &&
        type !== SHT_NULL &&
        (offset > this.bytes.length || size > this.bytes.length - offset)
      ) {
        throw new ElfError(
          'E_ELF_TRUNCATED',
          h + 24,
          `section ${i}: expected its ${hex(size)} bytes at ${hex(offset)} inside the file of ${hex(this.bytes.length)} bytes`,
        );
      }
      raw.push(s);
      nameOffs.push(dv.getUint32(h, true));
    }
    const shstr = raw[shstrndx]!;
    if (shstr.type !== SHT_STRTAB) {
      throw new ElfError(
        'E_ELF_STRTAB',
        shstr.headerOffset + 4,
        `section-name table (section ${shstrndx}): expected type SHT_STRTAB (${SHT_STRTAB}), found ${shstr.type}`,
      );
    }
    const names = new StringTable(
      this.bytes.subarray(shstr.offset, shstr.offset + shstr.size),
      ELF_MAX_NAME,
      (off, msg) => new ElfError('E_ELF_STRTAB', shstr.offset + off, `section names: ${msg}`),
    );
    return raw.map((s, i) => ({ ...s, name: i === 0 ? '' : names.get(nameOffs[i]!) }));
  }

  /** A table section's entry size and length, checked. */
  private checkTable(s: ElfSection, entsize: number): void {
    if (s.entsize !== entsize) {
      throw new ElfError(
        'E_ELF_SECTION',
        s.headerOffset + 56,
        `section ${s.index} '${s.name}': expected sh_entsize ${hex(entsize)}, found ${hex(s.entsize)}`,
      );
    }
    if (s.size % entsize !== 0) {
      throw new ElfError(
        'E_ELF_SECTION',
        s.headerOffset + 32,
        `section ${s.index} '${s.name}': expected a size that is a multiple of ${hex(entsize)}, found ${hex(s.size)}`,
      );
    }
  }

  private readSymbols(s: ElfSection): ElfSymbol[] {
    this.checkTable(s, ELF64_SYM_SIZE);
    const strtab = this.strtab(s.link, s.headerOffset + 40);
    const dv = this.dv;
    const out: ElfSymbol[] = [];
    for (let i = 0, p = s.offset; p < s.offset + s.size; i++, p += ELF64_SYM_SIZE) {
      const info = this.bytes[p + 4]!;
      const shndx = dv.getUint16(p + 6, true);
      if (shndx === SHN_XINDEX) {
        throw new ElfError(
          'E_ELF_SYMBOL',
          p + 6,
          `symbol ${i}: expected a section index, found SHN_XINDEX (extended section indexes are not supported)`,
        );
      }
      if (shndx < SHN_LORESERVE && shndx >= this.sections.length) {
        throw new ElfError(
          'E_ELF_SYMBOL',
          p + 6,
          `symbol ${i}: expected a section index below ${this.sections.length}, found ${shndx}`,
        );
      }
      out.push({
        index: i,
        name: i === 0 ? '' : strtab.get(dv.getUint32(p, true)),
        value: this.u64(p + 8, 'E_ELF_SYMBOL', `symbol ${i} st_value`),
        size: this.u64(p + 16, 'E_ELF_SYMBOL', `symbol ${i} st_size`),
        type: info & 0xf,
        bind: info >> 4,
        visibility: this.bytes[p + 5]! & 3,
        shndx,
        fileOffset: p,
      });
    }
    return out;
  }
}

/** Parse an ELF64 little-endian EM_BPF relocatable object. Throws ElfError. */
export function parseElf(bytes: Uint8Array): ElfFile {
  return new ElfFile(bytes);
}
