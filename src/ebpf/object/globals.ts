/**
 * Global data: .data, .bss, .rodata and their `.data.*`, `.bss.*`, `.rodata.*` variants become
 * one-entry ARRAY maps (key 4, value = section size) named after the section, with their initial
 * bytes and the variables BTF describes. clang leaves DATASEC sizes and variable offsets at zero;
 * they are taken from the ELF section and symbols (libbpf's btf_fixup_datasec) and patched in the BTF.
 */
import {
  BPF_F_MMAPABLE,
  BPF_F_RDONLY_PROG,
  BPF_MAP_TYPE_ARRAY,
  SHF_EXECINSTR,
  SHT_NOBITS,
  SHT_PROGBITS,
} from '../../uapi/bpf.js';
import type { Btf } from '../btf/btf.js';
import type { ElfFile, ElfSection } from '../elf/reader.js';
import { ObjectError } from './errors.js';
import { sectionSymbols } from './maps.js';
import type { GlobalDef, GlobalVar, MapDef } from './types.js';

/** Largest .bss accepted (its zeroes are allocated on first access to `initial`). */
export const MAX_BSS_SIZE = 1 << 28;

/** Whether section `s` holds global data. */
export function isGlobalDataSection(s: ElfSection): boolean {
  if ((s.flags & SHF_EXECINSTR) !== 0) return false;
  const n = s.name;
  if (s.type === SHT_NOBITS) return n === '.bss' || n.startsWith('.bss.');
  if (s.type !== SHT_PROGBITS) return false;
  return n === '.data' || n === '.rodata' || n.startsWith('.data.') || n.startsWith('.rodata.');
}

/** The global-data map and its description of section `s`. */
export function globalData(elf: ElfFile, s: ElfSection, btf: Btf | null): { map: MapDef; global: GlobalDef } {
  const readonly = s.name === '.rodata' || s.name.startsWith('.rodata.');
  const bss = s.type === SHT_NOBITS;
  if (bss && s.size > MAX_BSS_SIZE) {
    throw new ObjectError(
      'E_OBJ_TOO_LARGE',
      s.headerOffset + 32,
      s.name,
      `expected at most 0x${MAX_BSS_SIZE.toString(16)} bytes of zero-initialised data, found 0x${s.size.toString(16)}`,
    );
  }
  const map: MapDef = {
    name: s.name,
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: s.size,
    maxEntries: 1,
    flags: BPF_F_MMAPABLE | (readonly ? BPF_F_RDONLY_PROG : 0),
    section: s.name,
    origin: 'global',
  };
  const variables = btf === null ? [] : datasecVars(elf, s, btf);
  let initial: Uint8Array | null = bss ? null : elf.sectionData(s).slice();
  const size = s.size;
  const global: GlobalDef = {
    name: s.name,
    section: s.name,
    size,
    get initial(): Uint8Array {
      initial ??= new Uint8Array(size);
      return initial;
    },
    readonly,
    bss,
    variables,
  };
  return { map, global };
}

/** Variables of section `s` from its DATASEC, offsets from the ELF symbols; patches the DATASEC. */
function datasecVars(elf: ElfFile, s: ElfSection, btf: Btf): GlobalVar[] {
  const sec = btf.byName(s.name, 'datasec')[0];
  if (sec === undefined || sec.kind !== 'datasec') return [];
  const syms = new Map(sectionSymbols(elf, s).map((y) => [y.name, y]));
  const out: GlobalVar[] = [];
  const offsets: number[] = [];
  for (const v of sec.vars) {
    const vt = btf.type(v.type);
    if (vt.kind !== 'var') {
      throw new ObjectError(
        'E_OBJ_BTF',
        vt.offset,
        s.name,
        `DATASEC ${s.name}: expected VAR entries, found ${vt.kind} ${vt.id}`,
      );
    }
    const offset = syms.get(vt.name)?.value ?? v.offset;
    if (offset > s.size || v.size > s.size - offset) {
      throw new ObjectError(
        'E_OBJ_BTF',
        vt.offset,
        s.name,
        `variable '${vt.name}': expected ${v.size} bytes at 0x${offset.toString(16)} inside the section of 0x${s.size.toString(16)}`,
      );
    }
    const q = btf.qualifiers(vt.type);
    offsets.push(offset);
    out.push({
      name: vt.name,
      offset,
      size: v.size,
      typeId: vt.type,
      constVolatile: q.const && q.volatile,
      linkage: vt.linkage,
    });
  }
  btf.fixDatasec(sec.id, s.size, offsets);
  return out.sort((a, b) => a.offset - b.offset);
}
