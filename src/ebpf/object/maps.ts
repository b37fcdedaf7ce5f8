/**
 * Map definitions: legacy `SEC("maps")` entries (struct bpf_map_def, one per symbol, the entry size
 * being the section size over the number of symbols, as libbpf reads them) and BTF-defined
 * `SEC(".maps")` ones, whose parameters live only in BTF: each VAR of the .maps DATASEC is a struct
 * whose members encode integers as `int (*name)[N]` and key/value types as pointers to them.
 */
import { SHT_PROGBITS, STT_SECTION } from '../../uapi/bpf.js';
import type { Btf } from '../btf/btf.js';
import type { BtfComposite } from '../btf/types.js';
import type { ElfFile, ElfSection, ElfSymbol } from '../elf/reader.js';
import { ObjectError } from './errors.js';
import type { MapDef } from './types.js';

export const LEGACY_MAPS_SECTION = 'maps';
export const BTF_MAPS_SECTION = '.maps';
/** Fields of struct bpf_map_def as clang lays them out (5 u32). */
const LEGACY_FIELDS = ['type', 'keySize', 'valueSize', 'maxEntries', 'flags'] as const;

/** A map with where its definition lies (relocations find maps by section and offset). */
export interface PlacedMap {
  readonly def: MapDef;
  readonly shndx: number;
  readonly offset: number;
}

/** BTF map members libbpf knows and this runtime does not support. */
const UNSUPPORTED_MEMBERS = new Set(['pinning', 'values', 'numa_node', 'map_extra', 'inner_map_idx']);

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Symbols defining objects in section `s` (section symbols excluded), by offset. */
export function sectionSymbols(elf: ElfFile, s: ElfSection): ElfSymbol[] {
  return elf.symbols
    .filter((y) => y.index > 0 && y.shndx === s.index && y.type !== STT_SECTION && y.name !== '')
    .sort((a, b) => a.value - b.value || a.index - b.index);
}

/** Legacy maps of SEC("maps"). */
export function legacyMaps(elf: ElfFile, s: ElfSection): PlacedMap[] {
  const syms = sectionSymbols(elf, s);
  if (syms.length === 0) return [];
  if (s.type !== SHT_PROGBITS) {
    throw new ObjectError(
      'E_OBJ_MAP',
      s.headerOffset + 4,
      s.name,
      `expected map definitions in SHT_PROGBITS, found type ${s.type}`,
    );
  }
  const data = elf.sectionData(s);
  if (s.size === 0 || s.size % syms.length !== 0) {
    throw new ObjectError(
      'E_OBJ_MAP',
      s.headerOffset + 32,
      s.name,
      `expected a size that is a multiple of the ${syms.length} map symbols, found ${hex(s.size)}`,
    );
  }
  const entry = s.size / syms.length;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return syms.map((sym) => {
    if (sym.value > s.size - entry) {
      throw new ObjectError(
        'E_OBJ_MAP',
        sym.fileOffset + 8,
        s.name,
        `map '${sym.name}' at ${hex(sym.value)}: expected a definition of ${hex(entry)} bytes inside the section of ${hex(s.size)}`,
      );
    }
    const f = [0, 0, 0, 0, 0];
    for (let k = 0; k < LEGACY_FIELDS.length && 4 * k + 4 <= entry; k++)
      f[k] = dv.getUint32(sym.value + 4 * k, true);
    for (let b = 4 * LEGACY_FIELDS.length; b < entry; b++) {
      if (data[sym.value + b] !== 0) {
        throw new ObjectError(
          'E_OBJ_UNSUPPORTED',
          s.offset + sym.value + b,
          s.name,
          `map '${sym.name}': expected zeroes after the 5 fields of struct bpf_map_def, found byte ${hex(data[sym.value + b]!)} at +${b}`,
        );
      }
    }
    const def: MapDef = {
      name: sym.name,
      type: f[0]!,
      keySize: f[1]!,
      valueSize: f[2]!,
      maxEntries: f[3]!,
      flags: f[4]!,
      section: s.name,
      origin: 'legacy',
    };
    return { def, shndx: s.index, offset: sym.value };
  });
}

/** BTF-defined maps of SEC(".maps"). */
export function btfMaps(elf: ElfFile, s: ElfSection, btf: Btf | null): PlacedMap[] {
  if (btf === null) {
    throw new ObjectError(
      'E_OBJ_BTF',
      s.headerOffset,
      s.name,
      'BTF-defined maps need a .BTF section, found none',
    );
  }
  const sec = btf.byName(BTF_MAPS_SECTION, 'datasec')[0];
  if (sec === undefined || sec.kind !== 'datasec') {
    throw new ObjectError(
      'E_OBJ_BTF',
      s.headerOffset,
      s.name,
      'expected a BTF DATASEC .maps describing the maps, found none',
    );
  }
  const syms = new Map(sectionSymbols(elf, s).map((y) => [y.name, y]));
  return sec.vars.map((v) => {
    const vt = btf.type(v.type);
    const sym = syms.get(vt.name);
    if (vt.kind !== 'var' || sym === undefined) {
      throw new ObjectError(
        'E_OBJ_BTF',
        vt.offset,
        s.name,
        `.maps variable ${v.type} '${vt.name}': expected a VAR with an ELF symbol in .maps, found ${vt.kind}${sym === undefined ? ' without a symbol' : ''}`,
      );
    }
    return { def: btfMapDef(btf, vt.name, vt.type, s.name), shndx: s.index, offset: sym.value };
  });
}

/** One BTF map definition from its struct type. */
function btfMapDef(btf: Btf, name: string, typeId: number, section: string): MapDef {
  const st = btf.type(btf.resolve(typeId));
  const bad = (code: 'E_OBJ_MAP' | 'E_OBJ_UNSUPPORTED', at: number, what: string): ObjectError =>
    new ObjectError(code, at, section, `map '${name}': ${what}`);
  if (st.kind !== 'struct') throw bad('E_OBJ_MAP', st.offset, `expected a struct, found ${st.kind} ${st.id}`);
  const ints: Record<string, number> = {};
  let keyTypeId: number | undefined;
  let valueTypeId: number | undefined;
  for (const m of (st as BtfComposite).members) {
    if (UNSUPPORTED_MEMBERS.has(m.name))
      throw bad('E_OBJ_UNSUPPORTED', st.offset, `'${m.name}' is not supported`);
    const ptr = btf.type(btf.resolve(m.type));
    if (ptr.kind !== 'ptr') {
      throw bad(
        'E_OBJ_MAP',
        st.offset,
        `member '${m.name}': expected a pointer (__uint or __type), found ${ptr.kind}`,
      );
    }
    switch (m.name) {
      case 'type':
      case 'max_entries':
      case 'map_flags':
      case 'key_size':
      case 'value_size': {
        const arr = btf.type(btf.resolve(ptr.type));
        if (arr.kind !== 'array') {
          throw bad(
            'E_OBJ_MAP',
            st.offset,
            `member '${m.name}': expected int (*${m.name})[N], found a pointer to ${arr.kind}`,
          );
        }
        ints[m.name] = arr.nelems;
        break;
      }
      case 'key':
        keyTypeId = ptr.type;
        break;
      case 'value':
        valueTypeId = ptr.type;
        break;
      default:
        throw bad(
          'E_OBJ_MAP',
          st.offset,
          `expected members type, max_entries, map_flags, key_size, value_size, key, value; found '${m.name}'`,
        );
    }
  }
  if (ints.type === undefined) throw bad('E_OBJ_MAP', st.offset, 'expected a `type` member, found none');
  const sized = (what: 'key' | 'value', typeId: number | undefined, explicit: number | undefined): number => {
    if (typeId === undefined) return explicit ?? 0;
    const size = btf.sizeof(typeId);
    if (explicit !== undefined && explicit !== size) {
      throw bad(
        'E_OBJ_MAP',
        st.offset,
        `expected ${what}_size ${explicit} to equal sizeof(${what}), found sizeof(${what}) ${size}`,
      );
    }
    return size;
  };
  return {
    name,
    type: ints.type,
    keySize: sized('key', keyTypeId, ints.key_size),
    valueSize: sized('value', valueTypeId, ints.value_size),
    maxEntries: ints.max_entries ?? 0,
    flags: ints.map_flags ?? 0,
    ...(keyTypeId === undefined ? {} : { keyTypeId }),
    ...(valueTypeId === undefined ? {} : { valueTypeId }),
    section,
    origin: 'btf',
  };
}
