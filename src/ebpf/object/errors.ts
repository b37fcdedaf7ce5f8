/**
 * Errors of turning a valid ELF file into BPF programs and maps: a stable code, the file offset of
 * the faulty bytes (a section header, a symbol, a relocation, an instruction) and the section name
 * when there is one. ELF-level problems are ElfError, BTF-level ones BtfError.
 */

/** Stable codes of object errors. */
export type ObjectErrorCode =
  | 'E_OBJ_SECTION' // a program section's size is not a multiple of 8, a section is misplaced
  | 'E_OBJ_SYMBOL' // a function symbol is misaligned or outside its section
  | 'E_OBJ_DUPLICATE' // two programs or maps with the same name
  | 'E_OBJ_RELOC' // a relocation that is not lddw/call, of an unsupported type, or with a bad target
  | 'E_OBJ_CALL' // a bpf-to-bpf call whose target is not the start of a function
  | 'E_OBJ_EXTERN' // an extern (undefined) symbol: extern variables, kconfig, ksyms
  | 'E_OBJ_KFUNC' // a kfunc call (call with src 2)
  | 'E_OBJ_CORE' // CO-RE relocations (.BTF.ext core_relo) on program code
  | 'E_OBJ_MAP' // a map definition is malformed (legacy struct, BTF struct members)
  | 'E_OBJ_BTF' // BTF is missing or disagrees with the ELF file where it is needed
  | 'E_OBJ_UNSUPPORTED' // a feature this runtime does not have (pinning, map-in-map, prog array values)
  | 'E_OBJ_TOO_LARGE'; // the output would be out of proportion to the input (subprogram copies, .bss)

/** An ELF object that cannot be turned into programs and maps. */
export class ObjectError extends Error {
  readonly code: ObjectErrorCode;
  /** File offset of the problem. */
  readonly offset: number;
  /** The ELF section concerned, or null. */
  readonly section: string | null;

  constructor(code: ObjectErrorCode, offset: number, section: string | null, message: string) {
    super(
      `object at 0x${offset.toString(16)}${section === null ? '' : ` (section '${section}')`}: ${message}`,
    );
    this.name = 'ObjectError';
    this.code = code;
    this.offset = offset;
    this.section = section;
  }
}
