/**
 * A parsed object as text, for diagnostics, tools and golden tests: the license, the maps, the
 * global-data sections with their variables, then each program as an annotated listing (function
 * labels, source lines from line_info as `;` comments, the map each relocated lddw receives).
 */
import { disassemble } from '../disasm.js';
import type { ObjectFile, ProgramDef } from './types.js';

export interface FormatObjectOptions {
  /** List every program's instructions. Default true. */
  readonly listing?: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** The object as lines of text. */
export function formatObject(obj: ObjectFile, options: FormatObjectOptions = {}): string[] {
  const out: string[] = [];
  out.push(`license: ${obj.license === null ? '(none)' : JSON.stringify(obj.license)}`);
  out.push(
    `btf: ${obj.btf === null ? 'none' : `${obj.btf.types.length - 1} types`}, btf.ext: ${obj.btfExt === null ? 'none' : `${[...obj.btfExt.funcInfo.values()].reduce((n, l) => n + l.length, 0)} func_info, ${[...obj.btfExt.lineInfo.values()].reduce((n, l) => n + l.length, 0)} line_info`}`,
  );
  for (const m of obj.maps) {
    const types =
      (m.keyTypeId === undefined ? '' : ` key_type ${m.keyTypeId}`) +
      (m.valueTypeId === undefined ? '' : ` value_type ${m.valueTypeId}`);
    out.push(
      `map ${m.name}: type ${m.type} key ${m.keySize} value ${m.valueSize} max_entries ${m.maxEntries} flags ${hex(m.flags)}${types} (${m.origin}, section ${m.section})`,
    );
  }
  for (const g of obj.globals) {
    out.push(`global ${g.name}: size ${g.size}${g.readonly ? ' readonly' : ''}${g.bss ? ' bss' : ''}`);
    for (const v of g.variables) {
      out.push(
        `  var ${v.name} @${hex(v.offset)} size ${v.size} type ${v.typeId}${v.constVolatile ? ' const volatile' : ''}${v.linkage === 0 ? ' static' : ''}`,
      );
    }
    if (!g.bss) out.push(`  initial ${Buffer.from(g.initial).toString('hex') || '(empty)'}`);
  }
  for (const p of obj.programs) out.push(...formatProgram(p, options.listing ?? true));
  return out;
}

function formatProgram(p: ProgramDef, listing: boolean): string[] {
  const out = [
    `program ${p.name}: section ${p.section} @${hex(p.sectionOffset)} type ${p.type}${p.sleepable ? ' sleepable' : ''} kind ${p.sectionKind ?? '(unknown)'}${p.supported ? '' : ' unsupported'}, ${p.insns.length} insns, ${p.relocs.length} relocs, ${p.lineInfo.length} lines`,
  ];
  for (const f of p.funcs) {
    out.push(`  func ${f.name} @${f.insnIndex} size ${f.size} from ${f.section} btf ${f.btfTypeId}`);
  }
  if (!listing) return out;
  const text = disassemble(p.insns, {
    bytes: false,
    zeroes: true,
    section: p.section,
    symbols: p.funcs.map((f) => ({ name: f.name, index: f.insnIndex })),
  });
  const relocAt = new Map(p.relocs.map((r) => [r.insnIndex, r]));
  const funcAt = new Map(p.funcs.map((f) => [f.insnIndex, f]));
  const lineAt = new Map(p.lineInfo.map((l) => [l.insnIndex, l]));
  for (const line of text) {
    const idx = Number.parseInt(line, 10);
    const f = funcAt.get(idx);
    if (f !== undefined) out.push(`<${f.name}>:`);
    const l = lineAt.get(idx);
    if (l !== undefined) out.push(`  ; ${l.file}:${l.line}:${l.column} ${l.text.trim()}`);
    const r = relocAt.get(idx);
    const note =
      r === undefined ? '' : r.kind === 'map' ? `  ; map ${r.map}` : `  ; ${r.map}+${hex(r.offset)}`;
    out.push(`${line}${note}`);
  }
  return out;
}
