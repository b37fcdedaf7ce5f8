/**
 * The ELF side of the eBPF commands: `uring-bpf inspect <obj.o>` (programs, maps, globals, license)
 * and `uring-bpf disasm <obj.o>` (every code section, with source lines from BTF line info
 * interleaved, in the layout of `llvm-objdump -d -S`).
 */
import { printBtfType } from '../ebpf/btf/print.js';
import { disassemble } from '../ebpf/disasm.js';
import { decodeInsns } from '../ebpf/insn.js';
import { isGplCompatible } from '../ebpf/loader.js';
import { typeName } from '../ebpf/maps/spec.js';
import { parseObject } from '../ebpf/object/parse.js';
import type { ObjectFile } from '../ebpf/object/types.js';
import { SHF_EXECINSTR, STT_FUNC } from '../uapi/bpf.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Map flag names (BPF_F_*) as `inspect` prints them. */
const MAP_FLAGS: readonly [number, string][] = [
  [1 << 0, 'NO_PREALLOC'],
  [1 << 1, 'NO_COMMON_LRU'],
  [1 << 2, 'NUMA_NODE'],
  [1 << 3, 'RDONLY'],
  [1 << 4, 'WRONLY'],
  [1 << 6, 'ZERO_SEED'],
  [1 << 7, 'RDONLY_PROG'],
  [1 << 8, 'WRONLY_PROG'],
  [1 << 10, 'MMAPABLE'],
  [1 << 12, 'INNER_MAP'],
];

function flagNames(flags: number): string {
  if (flags === 0) return '0';
  const names = MAP_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);
  const rest = MAP_FLAGS.reduce((f, [bit]) => f & ~bit, flags);
  if (rest !== 0) names.push(hex(rest));
  return names.join('|');
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** What `inspect` prints for an object. */
export function inspectText(name: string, obj: ObjectFile): string[] {
  const out: string[] = [];
  const lic = obj.license;
  out.push(
    `${name}: license ${lic === null ? '(none)' : JSON.stringify(lic)}${isGplCompatible(lic) ? ' (GPL-compatible)' : ''}`,
  );
  const btf = obj.btf;
  out.push(
    `BTF: ${btf === null ? 'none' : `${btf.types.length - 1} types`}; line info: ${obj.programs.some((p) => p.lineInfo.length > 0) ? 'yes' : 'no'}`,
  );
  out.push('', `programs (${obj.programs.length}):`);
  out.push(
    ...table([
      ['  name', 'section', 'type', 'sleepable', 'insns', 'relocs', 'subprograms'],
      ...obj.programs.map((p) => [
        `  ${p.name}`,
        p.section,
        p.supported ? 'iouring' : `unsupported (${p.sectionKind ?? 'unknown section'})`,
        p.sleepable ? 'yes' : 'no',
        String(p.insns.length),
        String(p.relocs.length),
        p.funcs
          .slice(1)
          .map((f) => f.name)
          .join(', ') || '-',
      ]),
    ]),
  );
  out.push('', `maps (${obj.maps.length}):`);
  out.push(
    ...table([
      ['  name', 'type', 'key', 'value', 'max_entries', 'flags', 'from'],
      ...obj.maps.map((m) => [
        `  ${m.name}`,
        typeName(m.type),
        String(m.keySize),
        String(m.valueSize),
        String(m.maxEntries),
        flagNames(m.flags),
        m.origin === 'global' ? 'global data' : m.origin === 'btf' ? 'SEC(".maps")' : 'SEC("maps")',
      ]),
    ]),
  );
  out.push('', `globals (${obj.globals.length} sections):`);
  for (const g of obj.globals) {
    out.push(
      `  ${g.name}: ${g.size} bytes${g.readonly ? ', read-only (frozen at load)' : ''}${g.bss ? ', zeroed' : ''}`,
    );
    for (const v of g.variables) {
      const type = btf === null ? `type ${v.typeId}` : printBtfType(btf, v.typeId);
      out.push(
        `    ${hex(v.offset).padStart(6)}  ${v.name}: ${type} (${v.size} bytes)${v.constVolatile ? ', settable before load' : ''}`,
      );
    }
  }
  return out;
}

/**
 * Every code section disassembled as `llvm-objdump -d -S` lays it out: a section header, `<func>:`
 * lines at function symbols, and `; source` lines where BTF line info starts a new line (clang
 * records fewer line entries in BTF than in DWARF, so some of objdump's `; {` lines are absent).
 */
export function objectDisasmText(path: string, obj: ObjectFile, withAddresses: boolean): string[] {
  const elf = obj.elf;
  const out: string[] = ['', `${path}:\tfile format elf64-bpf`];
  for (const s of elf.sections) {
    if ((s.flags & SHF_EXECINSTR) === 0 || s.size === 0) continue;
    const insns = decodeInsns(elf.sectionData(s));
    const symbols = elf.symbols
      .filter((y) => y.shndx === s.index && y.type === STT_FUNC)
      .map((y) => ({ name: y.name, index: y.value / 8 }))
      .sort((a, b) => a.index - b.index);
    const lines = disassemble(insns, {
      section: s.name,
      symbols,
      addresses: withAddresses,
      bytes: withAddresses,
      zeroes: true,
    });
    // objdump prints a source line where the line changes; BTF has one entry per statement (column).
    const source = new Map<number, string>();
    let last = '';
    for (const l of obj.btfExt?.lineInfo.get(s.name) ?? []) {
      const key = `${l.file}:${l.line}`;
      if (key !== last) source.set(l.insnOff / 8, l.text);
      last = key;
    }
    out.push('', `Disassembly of section ${s.name}:`);
    // disassemble() returns one line per instruction (lddw: one for both slots), in order.
    let slot = 0;
    let k = 0;
    for (const line of lines) {
      const sym = symbols.find((y) => y.index === slot);
      if (sym !== undefined) out.push('', `${(slot * 8).toString(16).padStart(16, '0')} <${sym.name}>:`);
      const src = source.get(slot);
      if (src !== undefined) out.push(`; ${src}`);
      out.push(line);
      slot += insns[slot]?.code === 0x18 ? 2 : 1;
      k++;
    }
    if (k === 0) out.push('(empty)');
  }
  return out;
}

export function parseObjectFile(bytes: Uint8Array): ObjectFile {
  return parseObject(bytes);
}
