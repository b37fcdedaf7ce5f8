/**
 * Programs of an object: each global function of an executable section other than .text, with every
 * subprogram it calls appended after its own instructions (transitively, once each) and the call
 * immediates fixed to the relative targets, as libbpf links them. Calls come with an R_BPF_64_32
 * relocation (target = symbol value / 8 + imm + 1 in the symbol's section) or, inside one section,
 * without one (target = slot + imm + 1 in the same section). lddw relocations become symbolic map and
 * map-value references; line and function info are placed at the final instruction indexes.
 */
import {
  BPF_CALL,
  BPF_INSN_SIZE,
  BPF_JMP,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL,
  R_BPF_64_32,
  R_BPF_64_64,
  SHF_EXECINSTR,
  SHN_LORESERVE,
  SHN_UNDEF,
  STB_LOCAL,
  STT_FUNC,
  STT_SECTION,
} from '../../uapi/bpf.js';
import type { BtfExt } from '../btf/ext.js';
import type { ElfFile, ElfReloc, ElfSection, ElfSymbol } from '../elf/reader.js';
import { decodeInsns, type Insn, isLddw } from '../insn.js';
import { ObjectError } from './errors.js';
import type { PlacedMap } from './maps.js';
import { progTypeOfSection } from './sections.js';
import type { FuncEntry, LineInfoEntry, ProgramDef, ProgramReloc } from './types.js';

const CALL = BPF_JMP | BPF_CALL;
const hex = (n: number): string => `0x${n.toString(16)}`;

/** A function of an executable section: [start, start + size) in slots. */
interface Func {
  readonly sym: ElfSymbol;
  readonly start: number;
  readonly size: number;
}

/** An executable section, its functions and its relocations by byte offset. */
interface CodeSection {
  readonly s: ElfSection;
  readonly funcs: readonly Func[];
  readonly byStart: ReadonlyMap<number, Func>;
  readonly relocs: ReadonlyMap<number, ElfReloc>;
}

/** What the linker needs besides the ELF file. */
export interface LinkContext {
  readonly elf: ElfFile;
  /** Maps by `${shndx}:${offset}` of their definition. */
  readonly maps: ReadonlyMap<string, PlacedMap>;
  /** Section indexes of global-data sections. */
  readonly globals: ReadonlySet<number>;
  readonly ext: BtfExt | null;
  /** Slots all programs may still take (E_OBJ_TOO_LARGE beyond). */
  budget: number;
}

/** The executable sections of `elf`, by section index. */
export function codeSections(elf: ElfFile, isCode: (s: ElfSection) => boolean): Map<number, CodeSection> {
  const out = new Map<number, CodeSection>();
  for (const s of elf.sections) {
    if (!isCode(s)) continue;
    if (s.size % BPF_INSN_SIZE !== 0) {
      throw new ObjectError(
        'E_OBJ_SECTION',
        s.headerOffset + 32,
        s.name,
        `expected a code size multiple of 8, found ${hex(s.size)}`,
      );
    }
    const syms = elf.symbols
      .filter((y) => y.index > 0 && y.shndx === s.index && y.type === STT_FUNC)
      .sort((a, b) => a.value - b.value || a.index - b.index);
    const funcs: Func[] = syms.map((sym, k) => {
      if (
        sym.value % BPF_INSN_SIZE !== 0 ||
        sym.size % BPF_INSN_SIZE !== 0 ||
        sym.value > s.size ||
        sym.size > s.size - sym.value
      ) {
        throw new ObjectError(
          'E_OBJ_SYMBOL',
          sym.fileOffset + 8,
          s.name,
          `function '${sym.name}' at ${hex(sym.value)} of ${hex(sym.size)} bytes: expected 8-aligned and inside the section of ${hex(s.size)}`,
        );
      }
      // A function without a size (hand-written assembly) runs to the next one or the section end.
      const end =
        sym.size > 0
          ? sym.value + sym.size
          : (syms.slice(k + 1).find((n) => n.value > sym.value)?.value ?? s.size);
      return { sym, start: sym.value / BPF_INSN_SIZE, size: (end - sym.value) / BPF_INSN_SIZE };
    });
    const relocs = new Map<number, ElfReloc>();
    for (const rs of elf.relocSectionsFor(s.index)) {
      for (const r of elf.relocations(rs)) {
        if (r.offset % BPF_INSN_SIZE !== 0 || relocs.has(r.offset)) {
          throw new ObjectError(
            'E_OBJ_RELOC',
            r.fileOffset,
            s.name,
            `relocation at ${hex(r.offset)}: expected one per instruction, on an 8-aligned offset`,
          );
        }
        relocs.set(r.offset, r);
      }
    }
    out.set(s.index, { s, funcs, byStart: new Map(funcs.map((f) => [f.start, f])), relocs });
  }
  return out;
}

/** One program per global function of the program sections. */
export function programsOf(
  ctx: LinkContext,
  code: ReadonlyMap<number, CodeSection>,
  textIndex: number,
): ProgramDef[] {
  const out: ProgramDef[] = [];
  for (const cs of code.values()) {
    if (cs.s.index === textIndex) continue;
    const globals = cs.funcs.filter((f) => f.sym.bind !== STB_LOCAL);
    if (globals.length === 0 && cs.s.size > 0) {
      throw new ObjectError(
        'E_OBJ_SYMBOL',
        cs.s.headerOffset,
        cs.s.name,
        'expected a global function symbol in a program section, found none',
      );
    }
    for (const f of globals) out.push(link(ctx, code, cs, f));
  }
  return out;
}

/** A placed function: where its slots came from and where they are in the program. */
interface Unit {
  readonly cs: CodeSection;
  readonly fn: Func;
  readonly at: number;
}

function link(
  ctx: LinkContext,
  code: ReadonlyMap<number, CodeSection>,
  cs: CodeSection,
  fn: Func,
): ProgramDef {
  const insns: Insn[] = [];
  const units: Unit[] = [];
  const placed = new Map<string, number>();
  const relocs: ProgramReloc[] = [];
  const place = (c: CodeSection, f: Func): number => {
    const budget = ctx.budget;
    ctx.budget -= f.size;
    if (ctx.budget < 0) {
      throw new ObjectError(
        'E_OBJ_TOO_LARGE',
        f.sym.fileOffset,
        c.s.name,
        `program '${fn.sym.name}': expected functions of at most ${budget} more slots within the object's budget (programs with their subprogram copies), found '${f.sym.name}' of ${f.size}`,
      );
    }
    const at = insns.length;
    const bytes = ctx.elf
      .sectionData(c.s)
      .subarray(f.start * BPF_INSN_SIZE, (f.start + f.size) * BPF_INSN_SIZE);
    insns.push(...decodeInsns(bytes));
    units.push({ cs: c, fn: f, at });
    placed.set(`${c.s.index}:${f.start}`, at);
    return at;
  };
  place(cs, fn);
  for (let u = 0; u < units.length; u++) {
    const { cs: c, fn: f, at } = units[u]!;
    for (let i = 0; i < f.size; i++) {
      const insn = insns[at + i]!;
      const slot = f.start + i;
      const rel = c.relocs.get(slot * BPF_INSN_SIZE);
      if (isLddw(insn)) {
        if (c.relocs.has((slot + 1) * BPF_INSN_SIZE))
          throw relocError(c, c.relocs.get((slot + 1) * BPF_INSN_SIZE)!, 'on the second slot of an lddw');
        if (rel !== undefined) relocs.push({ insnIndex: at + i, ...lddwTarget(ctx, c, rel, insn) });
        i++;
        continue;
      }
      if (insn.code !== CALL || insn.src === 0) {
        if (rel !== undefined)
          throw relocError(
            c,
            rel,
            `on an instruction that is neither lddw nor a bpf-to-bpf call (opcode ${hex(insn.code)})`,
          );
        continue;
      }
      if (insn.src === BPF_PSEUDO_KFUNC_CALL) {
        throw new ObjectError(
          'E_OBJ_KFUNC',
          c.s.offset + slot * BPF_INSN_SIZE,
          c.s.name,
          `kfunc call at slot ${slot}: kernel functions are not supported`,
        );
      }
      if (insn.src !== BPF_PSEUDO_CALL) continue; // an invalid src: left for the instruction check
      const [tc, tslot] = callTarget(ctx, code, c, slot, insn, rel);
      const target = tc.byStart.get(tslot);
      if (target === undefined) {
        throw new ObjectError(
          'E_OBJ_CALL',
          rel?.fileOffset ?? c.s.offset + slot * BPF_INSN_SIZE,
          c.s.name,
          `call at slot ${slot}: expected the start of a function in '${tc.s.name}', found slot ${tslot}`,
        );
      }
      const dest = placed.get(`${tc.s.index}:${tslot}`) ?? place(tc, target);
      insn.imm = dest - (at + i + 1);
    }
  }
  const pt = progTypeOfSection(cs.s.name);
  return {
    name: fn.sym.name,
    section: cs.s.name,
    type: pt.type,
    sleepable: pt.sleepable,
    sectionKind: pt.kind,
    supported: pt.supported,
    sectionOffset: fn.start * BPF_INSN_SIZE,
    insns,
    relocs,
    lineInfo: lineInfoOf(ctx.ext, units),
    funcs: funcsOf(ctx.ext, units),
  };
}

function relocError(c: CodeSection, rel: ElfReloc, what: string): ObjectError {
  return new ObjectError(
    'E_OBJ_RELOC',
    rel.fileOffset,
    c.s.name,
    `relocation at ${hex(rel.offset)} (type ${rel.type}) ${what}`,
  );
}

/** The section and slot a bpf-to-bpf call at `slot` of `c` targets. */
function callTarget(
  ctx: LinkContext,
  code: ReadonlyMap<number, CodeSection>,
  c: CodeSection,
  slot: number,
  insn: Insn,
  rel: ElfReloc | undefined,
): [CodeSection, number] {
  if (rel === undefined) return [c, slot + insn.imm + 1];
  if (rel.type !== R_BPF_64_32) throw relocError(c, rel, `on a call: expected R_BPF_64_32 (${R_BPF_64_32})`);
  const sym = ctx.elf.symbols[rel.symbol]!;
  if (sym.shndx === SHN_UNDEF) {
    throw new ObjectError(
      'E_OBJ_KFUNC',
      rel.fileOffset,
      c.s.name,
      `call of the extern function '${sym.name}' (a kfunc): kernel functions are not supported`,
    );
  }
  const tc = code.get(sym.shndx);
  if (tc === undefined || sym.value % BPF_INSN_SIZE !== 0) {
    throw relocError(
      c,
      rel,
      `on a call: expected an 8-aligned symbol in an executable section, found '${sym.name}' in section ${sym.shndx} at ${hex(sym.value)}`,
    );
  }
  return [tc, sym.value / BPF_INSN_SIZE + insn.imm + 1];
}

/** The map or map value an lddw relocation refers to. */
function lddwTarget(
  ctx: LinkContext,
  c: CodeSection,
  rel: ElfReloc,
  insn: Insn,
): { kind: 'map'; map: string } | { kind: 'map_value'; map: string; offset: number } {
  if (rel.type !== R_BPF_64_64) throw relocError(c, rel, `on an lddw: expected R_BPF_64_64 (${R_BPF_64_64})`);
  const sym = ctx.elf.symbols[rel.symbol]!;
  if (sym.shndx === SHN_UNDEF) {
    throw new ObjectError(
      'E_OBJ_EXTERN',
      rel.fileOffset,
      c.s.name,
      `lddw of the extern symbol '${sym.name}': extern variables, kconfig and ksyms are not supported`,
    );
  }
  if (sym.shndx >= SHN_LORESERVE)
    throw relocError(c, rel, `against '${sym.name}' of special section ${hex(sym.shndx)}`);
  const off = sym.value + (sym.type === STT_SECTION ? insn.imm : 0);
  const m = ctx.maps.get(`${sym.shndx}:${off}`);
  if (m !== undefined) return { kind: 'map', map: m.def.name };
  const sec = ctx.elf.sections[sym.shndx]!;
  if (ctx.globals.has(sym.shndx)) {
    const offset = sym.value + insn.imm;
    if (offset < 0 || offset > sec.size) {
      throw relocError(
        c,
        rel,
        `against '${sym.name || sec.name}': expected an offset inside '${sec.name}' (size ${hex(sec.size)}), found ${offset}`,
      );
    }
    return { kind: 'map_value', map: sec.name, offset };
  }
  throw relocError(
    c,
    rel,
    `against '${sym.name || sec.name}' in '${sec.name}': expected a map or a global variable${(sec.flags & SHF_EXECINSTR) !== 0 ? ' (function addresses are not supported)' : ''}`,
  );
}

function lineInfoOf(ext: BtfExt | null, units: readonly Unit[]): LineInfoEntry[] {
  if (ext === null) return [];
  const out: LineInfoEntry[] = [];
  for (const { cs, fn, at } of units) {
    const lo = fn.start * BPF_INSN_SIZE;
    const hi = lo + fn.size * BPF_INSN_SIZE;
    for (const l of ext.lineInfo.get(cs.s.name) ?? []) {
      if (l.insnOff < lo || l.insnOff >= hi) continue;
      out.push({
        insnIndex: at + (l.insnOff - lo) / BPF_INSN_SIZE,
        file: l.file,
        line: l.line,
        column: l.column,
        text: l.text,
      });
    }
  }
  return out.sort((a, b) => a.insnIndex - b.insnIndex);
}

function funcsOf(ext: BtfExt | null, units: readonly Unit[]): FuncEntry[] {
  return units.map(({ cs, fn, at }) => {
    const fi = ext?.funcInfo.get(cs.s.name)?.find((x) => x.insnOff === fn.start * BPF_INSN_SIZE);
    return {
      insnIndex: at,
      size: fn.size,
      name: fn.sym.name,
      section: cs.s.name,
      btfTypeId: fi?.typeId ?? 0,
    };
  });
}
