/**
 * Errors of reading BTF (.BTF) and its extension (.BTF.ext): a stable code, the byte offset of the
 * problem and a message saying what was expected and what was found. When the object parser reads
 * them from an ELF file it passes the section's file offset as the base, so `offset` is a file offset.
 */

/** Stable codes of BTF errors. */
export type BtfErrorCode =
  | 'E_BTF_MAGIC' // header magic is not 0xeb9f
  | 'E_BTF_VERSION' // header version is not 1
  | 'E_BTF_HEADER' // header length or section offsets/lengths are inconsistent
  | 'E_BTF_TRUNCATED' // a header, a type record or a .BTF.ext record runs past its section
  | 'E_BTF_STRING' // the string section is malformed or a name offset is outside it
  | 'E_BTF_KIND' // unknown type kind
  | 'E_BTF_TYPE' // a type record is invalid or refers to a type id that does not exist
  | 'E_BTF_CYCLE' // a chain of typedefs/modifiers/arrays is cyclic or deeper than MAX_RESOLVE_DEPTH
  | 'E_BTF_SIZE' // sizeof of a type that has no size, or a size that overflows 32 bits
  | 'E_BTF_EXT'; // a .BTF.ext record is invalid (record size, empty section, insn offset, func type)

/** Malformed BTF; `offset` is the byte offset of the problem (in the file when a base was given). */
export class BtfError extends Error {
  readonly code: BtfErrorCode;
  readonly offset: number;

  constructor(code: BtfErrorCode, offset: number, message: string) {
    super(`BTF at 0x${offset.toString(16)}: ${message}`);
    this.name = 'BtfError';
    this.code = code;
    this.offset = offset;
  }
}
