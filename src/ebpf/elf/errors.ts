/**
 * Errors of reading an ELF object: a stable code, the file offset of the problem and a message that
 * says what was expected and what was found (offsets and sizes in hex).
 */

/** Stable codes of ELF errors. */
export type ElfErrorCode =
  | 'E_ELF_MAGIC' // not an ELF file (e_ident magic)
  | 'E_ELF_CLASS' // not ELFCLASS64
  | 'E_ELF_DATA' // not little-endian (ELFDATA2LSB)
  | 'E_ELF_VERSION' // e_ident version or e_version is not EV_CURRENT
  | 'E_ELF_MACHINE' // e_machine is not EM_BPF
  | 'E_ELF_TYPE' // e_type is not ET_REL
  | 'E_ELF_HEADER' // another header field is wrong (ehsize, shentsize, shstrndx...)
  | 'E_ELF_TRUNCATED' // a structure or a section's bytes run past the end of the file
  | 'E_ELF_SECTION' // a section header is inconsistent (entsize, link, info, alignment of a table)
  | 'E_ELF_STRTAB' // a string table is missing, of the wrong type, or a name offset/terminator is bad
  | 'E_ELF_SYMBOL' // a symbol is bad (section index, unsupported extended index)
  | 'E_ELF_RELOC'; // a relocation is bad (symbol index, offset)

/** A malformed or unsupported ELF file; `offset` is the file offset of the faulty bytes. */
export class ElfError extends Error {
  readonly code: ElfErrorCode;
  /** File offset of the problem. */
  readonly offset: number;

  constructor(code: ElfErrorCode, offset: number, message: string) {
    super(`ELF at ${hex(offset)}: ${message}`);
    this.name = 'ElfError';
    this.code = code;
    this.offset = offset;
  }
}

/** `0x1f` style hex of a non-negative number or bigint. */
export const hex = (n: number | bigint): string => `0x${n.toString(16)}`;
