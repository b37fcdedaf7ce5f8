/**
 * What parseObject returns: a pure description of an ELF object's programs (instructions linked
 * with their subprograms, map references still symbolic), maps, global data and debug info. Nothing
 * is created or loaded; a loader turns it into maps and programs.
 */
import type { Btf } from '../btf/btf.js';
import type { BtfExt } from '../btf/ext.js';
import type { ElfFile } from '../elf/reader.js';
import type { Insn } from '../insn.js';

/** An lddw that must receive a map (kind 'map') or the address of a map value ('map_value'). */
export type ProgramReloc =
  | {
      /** Index of the lddw's first slot in ProgramDef.insns. */
      readonly insnIndex: number;
      readonly kind: 'map';
      /** MapDef.name. */
      readonly map: string;
    }
  | {
      readonly insnIndex: number;
      readonly kind: 'map_value';
      /** MapDef.name of a global-data map (the section name, e.g. '.rodata'). */
      readonly map: string;
      /** Byte offset in the map value: the symbol's offset plus the lddw's own imm. */
      readonly offset: number;
    };

/** Source position of one instruction (from .BTF.ext line_info). */
export interface SourceLine {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The source line's text. */
  readonly text: string;
}

/** A line_info record placed in a program: instructions from `insnIndex` on come from this line. */
export interface LineInfoEntry extends SourceLine {
  readonly insnIndex: number;
}

/** A function placed in a program: the program itself at 0, then each appended subprogram. */
export interface FuncEntry {
  readonly insnIndex: number;
  /** Number of slots. */
  readonly size: number;
  readonly name: string;
  /** ELF section the function comes from. */
  readonly section: string;
  /** Its BTF FUNC type id (from func_info), or 0 without .BTF.ext. */
  readonly btfTypeId: number;
}

/** One program: a global function of an executable section other than .text. */
export interface ProgramDef {
  readonly name: string;
  readonly section: string;
  /** BPF_PROG_TYPE_IOURING, or BPF_PROG_TYPE_UNSPEC for sections this runtime does not run. */
  readonly type: number;
  readonly sleepable: boolean;
  /**
   * The section-name convention recognised ('iouring', 'iouring.s', or a libbpf one such as
   * 'kprobe' that this runtime does not support), or null for an unknown section name.
   */
  readonly sectionKind: string | null;
  /** True for the io_uring program types. */
  readonly supported: boolean;
  /** Byte offset of the function in its section. */
  readonly sectionOffset: number;
  /** The program's instructions followed by every subprogram it calls, calls fixed up. */
  readonly insns: Insn[];
  readonly relocs: readonly ProgramReloc[];
  /** line_info records placed in `insns`, sorted by insnIndex (empty without .BTF.ext). */
  readonly lineInfo: readonly LineInfoEntry[];
  /** The functions in `insns`: the program at 0, then the appended subprograms. */
  readonly funcs: readonly FuncEntry[];
}

/** Where a map definition came from. */
export type MapOrigin = 'btf' | 'legacy' | 'global';

export interface MapDef {
  readonly name: string;
  /** BPF_MAP_TYPE_*. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** map_flags (BPF_F_*). */
  readonly flags: number;
  /** BTF type of the key / value, when the definition names them (`__type(key, ...)`). */
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
  /** ELF section of the definition ('.maps', 'maps', or the global-data section). */
  readonly section: string;
  readonly origin: MapOrigin;
}

/** A variable of a global-data section, from its BTF DATASEC. */
export interface GlobalVar {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** The VAR's type (e.g. the CONST of `const volatile __u32`). */
  readonly typeId: number;
  /** `const volatile`: the variable is meant to be set before load and is read-only afterwards. */
  readonly constVolatile: boolean;
  /** BTF_VAR_STATIC / GLOBAL_ALLOCATED. */
  readonly linkage: number;
}

/** A global-data section (.data, .bss, .rodata, .data.*, .rodata.*), also listed as a MapDef. */
export interface GlobalDef {
  /** The MapDef's name: the section name. */
  readonly name: string;
  readonly section: string;
  readonly size: number;
  /**
   * The initial value (a copy; zeroes for .bss, allocated on first access). Writing into it before
   * load sets variables, `const volatile` ones included.
   */
  readonly initial: Uint8Array;
  /** .rodata*: frozen after load (BPF_F_RDONLY_PROG, map freeze). */
  readonly readonly: boolean;
  /** SHT_NOBITS (.bss): no bytes in the file. */
  readonly bss: boolean;
  /** Variables from BTF (empty without BTF, or for .rodata.str1.1 and the like). */
  readonly variables: readonly GlobalVar[];
}

export interface ObjectFile {
  readonly programs: readonly ProgramDef[];
  /** BTF maps, then legacy maps, then global-data maps, each in section order. */
  readonly maps: readonly MapDef[];
  readonly globals: readonly GlobalDef[];
  /** The `license` section up to its first NUL, or null without one. */
  readonly license: string | null;
  readonly btf: Btf | null;
  readonly btfExt: BtfExt | null;
  /** The underlying ELF file. */
  readonly elf: ElfFile;
}
