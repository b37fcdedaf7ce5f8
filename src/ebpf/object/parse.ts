/**
 * parseObject: an ELF object compiled by clang (-target bpf) to a pure description of its programs,
 * maps, global data and debug info (see types.ts). Nothing is created, loaded or written to memory.
 * Errors: ElfError (the file), BtfError (.BTF, .BTF.ext), ObjectError (the rest), each with a code
 * and a file offset.
 */
import { SHF_EXECINSTR, SHT_PROGBITS, SHT_REL, SHT_RELA } from '../../uapi/bpf.js';
import { type Btf, parseBtf } from '../btf/btf.js';
import { type BtfExt, parseBtfExt } from '../btf/ext.js';
import { type ElfFile, type ElfSection, parseElf } from '../elf/reader.js';
import { ObjectError } from './errors.js';
import { globalData, isGlobalDataSection } from './globals.js';
import { BTF_MAPS_SECTION, btfMaps, LEGACY_MAPS_SECTION, legacyMaps, type PlacedMap } from './maps.js';
import { codeSections, programsOf } from './programs.js';
import type { GlobalDef, MapDef, ObjectFile } from './types.js';

export const LICENSE_SECTION = 'license';

export interface ParseObjectOptions {
  /**
   * Instruction slots all programs may hold together, subprogram copies included (E_OBJ_TOO_LARGE
   * beyond). Default: the larger of the file size in bytes and 65536, which keeps the output in
   * proportion to the input whatever the call graph.
   */
  readonly maxInsns?: number;
}

/** Parse a BPF ELF object. Throws ElfError, BtfError or ObjectError. */
export function parseObject(bytes: Uint8Array, options: ParseObjectOptions = {}): ObjectFile {
  const elf = parseElf(bytes);
  const btf = readBtf(elf);
  const btfExt = readBtfExt(elf, btf);

  const placed: PlacedMap[] = [];
  const btfMapSec = elf.section(BTF_MAPS_SECTION);
  if (btfMapSec !== undefined) placed.push(...btfMaps(elf, btfMapSec, btf));
  const legacySec = elf.section(LEGACY_MAPS_SECTION);
  if (legacySec !== undefined) placed.push(...legacyMaps(elf, legacySec));

  const maps: MapDef[] = placed.map((p) => p.def);
  const globals: GlobalDef[] = [];
  const globalIdx = new Set<number>();
  for (const s of elf.sections) {
    if (!isGlobalDataSection(s) || s.size === 0) continue;
    const g = globalData(elf, s, btf);
    maps.push(g.map);
    globals.push(g.global);
    globalIdx.add(s.index);
  }
  rejectDataRelocs(elf, globalIdx, [btfMapSec, legacySec]);
  unique(
    [
      ...placed.map((p) => ({ ...p.def, at: elf.sections[p.shndx]!.offset + p.offset })),
      ...globals.map((g) => ({ ...g, at: elf.section(g.section)!.headerOffset })),
    ],
    'map',
  );

  const isCode = (s: ElfSection): boolean => s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0;
  const code = codeSections(elf, isCode);
  if (btfExt !== null) rejectCoreRelos(elf, btfExt, code);
  const programs = programsOf(
    {
      elf,
      maps: new Map(placed.map((p) => [`${p.shndx}:${p.offset}`, p])),
      globals: globalIdx,
      ext: btfExt,
      budget: options.maxInsns ?? Math.max(bytes.length, 65536),
    },
    code,
    elf.section('.text')?.index ?? -1,
  );
  unique(
    programs.map((p) => ({ ...p, at: elf.section(p.section)!.offset + p.sectionOffset })),
    'program',
  );
  return { programs, maps, globals, license: readLicense(elf), btf, btfExt, elf };
}

function readBtf(elf: ElfFile): Btf | null {
  const s = elf.section('.BTF');
  return s === undefined ? null : parseBtf(elf.sectionData(s), { base: s.offset });
}

function readBtfExt(elf: ElfFile, btf: Btf | null): BtfExt | null {
  const s = elf.section('.BTF.ext');
  if (s === undefined) return null;
  if (btf === null)
    throw new ObjectError(
      'E_OBJ_BTF',
      s.headerOffset,
      s.name,
      'expected a .BTF section for .BTF.ext, found none',
    );
  return parseBtfExt(elf.sectionData(s), btf, { base: s.offset });
}

function readLicense(elf: ElfFile): string | null {
  const s = elf.section(LICENSE_SECTION);
  if (s === undefined) return null;
  const data = elf.sectionData(s);
  const end = data.indexOf(0);
  return new TextDecoder().decode(end < 0 ? data : data.subarray(0, end));
}

/** Relocations on global data (pointers in initialised data) or on map definitions (prog array `values`). */
function rejectDataRelocs(
  elf: ElfFile,
  globals: ReadonlySet<number>,
  mapSecs: (ElfSection | undefined)[],
): void {
  const mapIdx = new Set(mapSecs.filter((s) => s !== undefined).map((s) => s.index));
  for (const rs of elf.sections) {
    if ((rs.type !== SHT_REL && rs.type !== SHT_RELA) || (!globals.has(rs.info) && !mapIdx.has(rs.info)))
      continue;
    if (rs.size === 0) continue;
    const target = elf.sections[rs.info]!;
    throw new ObjectError(
      mapIdx.has(rs.info) ? 'E_OBJ_UNSUPPORTED' : 'E_OBJ_RELOC',
      rs.headerOffset,
      target.name,
      mapIdx.has(rs.info)
        ? `relocations on map definitions ('${rs.name}'): map-in-map and prog array \`values\` are not supported`
        : `relocations on global data ('${rs.name}'): pointers in initialised data are not supported`,
    );
  }
}

function rejectCoreRelos(elf: ElfFile, ext: BtfExt, code: ReadonlyMap<number, { s: ElfSection }>): void {
  const names = new Set([...code.values()].map((c) => c.s.name));
  for (const [sec, n] of ext.coreRelos) {
    if (!names.has(sec)) continue;
    const s = elf.section('.BTF.ext')!;
    throw new ObjectError(
      'E_OBJ_CORE',
      s.offset,
      sec,
      `${n} CO-RE relocation(s) on program code: not supported`,
    );
  }
}

/** Names must be unique; `at` is the file offset of each item's definition. */
function unique(items: readonly { name: string; section: string; at: number }[], what: string): void {
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.name)) {
      throw new ObjectError(
        'E_OBJ_DUPLICATE',
        it.at,
        it.section,
        `expected unique ${what} names, found '${it.name}' twice`,
      );
    }
    seen.add(it.name);
  }
}
