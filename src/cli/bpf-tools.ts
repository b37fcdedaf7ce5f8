/**
 * `uring-bpf asm` and `uring-bpf disasm`: raw eBPF instruction files (8-byte little-endian slots,
 * no header) to and from text (ELF objects come with the loader); `uring-bpf conformance`: the
 * bpf_conformance suite on one of our engines.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { AsmError } from '../ebpf/asm/errors.js';
import { assembleLlvm } from '../ebpf/asm/llvm.js';
import { assembleUbpf } from '../ebpf/asm/ubpf.js';
import { BtfError } from '../ebpf/btf/errors.js';
import { formatConformance, runConformance } from '../ebpf/conformance.js';
import { disassemble } from '../ebpf/disasm.js';
import { ElfError } from '../ebpf/elf/errors.js';
import { decodeInsns, encodeInsns, InsnError } from '../ebpf/insn.js';
import { ObjectError } from '../ebpf/object/errors.js';
import type { ObjectFile } from '../ebpf/object/types.js';
import { inspectText, objectDisasmText, parseObjectFile } from './bpf-object.js';
import { ENGINE_HELP, takeEngine } from './options.js';

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

export const ASM_HELP = `usage: uring-bpf asm <file> [-o <out>] [--syntax llvm|ubpf]
Assemble eBPF text into a raw instruction file (8-byte little-endian slots).
  --syntax   llvm: the syntax llvm-objdump prints (r0 = *(u32 *)(r1 + 0x8), if r1 > 5 goto +3);
             ubpf: the bpf_conformance dialect (ldxw %r0, [%r1+8]). Default: ubpf when the text
             uses %rN registers, else llvm.
  -o <out>   output file; default: <file> with its extension replaced by .bin
`;

export const DISASM_HELP = `usage: uring-bpf disasm <file> [--no-addresses]
Disassemble a raw instruction file, or every code section of a BPF ELF object with its source lines
(from BTF line info), in the syntax and layout of llvm-objdump -d (-S).
  --no-addresses   print only the instructions (no address and byte columns)
`;

/** The value of `-o` style options; undefined when absent; throws on a missing value. */
function optionValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('-')) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

class UsageError extends Error {}

function readInput(cmd: string, path: string, io: Io): Buffer | null {
  try {
    return readFileSync(path);
  } catch (e) {
    io.err(`uring-bpf ${cmd}: cannot read ${path}: ${(e as Error).message}\n`);
    return null;
  }
}

export function runAsm(argv: string[], io: Io): number {
  const args = [...argv];
  if (args.includes('-h') || args.includes('--help')) {
    io.out(ASM_HELP);
    return 0;
  }
  let out: string | undefined;
  let syntax: string | undefined;
  try {
    out = optionValue(args, '-o');
    syntax = optionValue(args, '--syntax');
  } catch (e) {
    io.err(`uring-bpf asm: ${(e as Error).message}\n${ASM_HELP}`);
    return 2;
  }
  if (syntax !== undefined && syntax !== 'llvm' && syntax !== 'ubpf') {
    io.err(`uring-bpf asm: --syntax must be llvm or ubpf, found '${syntax}'\n`);
    return 2;
  }
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0 || file.startsWith('-')) {
    io.err(
      `uring-bpf asm: expected one input file${extra.length > 0 ? `, found also ${extra.join(' ')}` : ''}\n${ASM_HELP}`,
    );
    return 2;
  }
  const data = readInput('asm', file, io);
  if (data === null) return 1;
  const text = data.toString('utf8');
  const dialect = syntax ?? (/%r\d/.test(text) ? 'ubpf' : 'llvm');
  let bytes: Uint8Array;
  try {
    bytes = encodeInsns(dialect === 'ubpf' ? assembleUbpf(text) : assembleLlvm(text));
  } catch (e) {
    if (e instanceof AsmError) {
      io.err(`${file}: ${e.message} [${e.code}]\n`);
      return 1;
    }
    throw e;
  }
  const dest = out ?? `${file.slice(0, file.length - extname(file).length)}.bin`;
  writeFileSync(dest, bytes);
  io.out(`${basename(file)}: ${bytes.length / 8} slots (${dialect} syntax) -> ${dest}\n`);
  return 0;
}

export function runDisasm(argv: string[], io: Io): number {
  const args = [...argv];
  if (args.includes('-h') || args.includes('--help')) {
    io.out(DISASM_HELP);
    return 0;
  }
  const noAddr = args.includes('--no-addresses');
  const rest = args.filter((a) => a !== '--no-addresses');
  const unknown = rest.find((a) => a.startsWith('-'));
  if (unknown !== undefined) {
    io.err(`uring-bpf disasm: unknown option '${unknown}'\n${DISASM_HELP}`);
    return 2;
  }
  if (rest.length !== 1) {
    io.err(`uring-bpf disasm: expected one input file, found ${rest.length}\n${DISASM_HELP}`);
    return 2;
  }
  const file = rest[0]!;
  const data = readInput('disasm', file, io);
  if (data === null) return 1;
  if (isElf(data)) {
    const obj = openObject('disasm', file, data, io);
    if (obj === null) return 1;
    for (const l of objectDisasmText(file, obj, !noAddr)) io.out(`${l}\n`);
    return 0;
  }
  try {
    const insns = decodeInsns(data);
    const lines = disassemble(insns, { addresses: !noAddr, bytes: !noAddr });
    for (const l of lines) io.out(`${l}\n`);
  } catch (e) {
    if (e instanceof InsnError) {
      io.err(`uring-bpf disasm: ${file}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return 0;
}

export const CONFORMANCE_HELP = `usage: uring-bpf conformance <dir> [--engine jit|interp] [--json]
Run bpf_conformance .data files: <dir> holds them, or holds tests/ and negative/ (as
../shared/conformance/bpf does). Every cpu version and group is enabled; negatives must be rejected.
Prints each failure, then "engine E: tests N/N passed, negatives N/N rejected" and "N passed, N
failed"; exit status 1 when anything failed.
${ENGINE_HELP}
  --json            the whole report as JSON
`;

export function runConformanceCmd(argv: string[], io: Io): number {
  const args = [...argv];
  if (args.includes('-h') || args.includes('--help')) {
    io.out(CONFORMANCE_HELP);
    return 0;
  }
  const json = args.includes('--json');
  const engine = takeEngine(args);
  if (typeof engine !== 'string') {
    io.err(`uring-bpf conformance: ${engine.error}\n${CONFORMANCE_HELP}`);
    return 2;
  }
  const rest = args.filter((a) => a !== '--json');
  const unknown = rest.find((a) => a.startsWith('-'));
  if (unknown !== undefined) {
    io.err(`uring-bpf conformance: unknown option '${unknown}'\n${CONFORMANCE_HELP}`);
    return 2;
  }
  if (rest.length !== 1) {
    io.err(`uring-bpf conformance: expected one directory, found ${rest.length}\n${CONFORMANCE_HELP}`);
    return 2;
  }
  const dir = rest[0]!;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    io.err(`uring-bpf conformance: ${dir} is not a directory\n`);
    return 2;
  }
  let report: ReturnType<typeof runConformance>;
  try {
    report = runConformance(dir, { engine });
  } catch (e) {
    if (e instanceof RangeError) {
      io.err(`uring-bpf conformance: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(`${formatConformance(report)}\n`);
  return report.total.failed > 0 ? 1 : 0;
}

const isElf = (d: Uint8Array): boolean =>
  d.length >= 4 && d[0] === 0x7f && d[1] === 0x45 && d[2] === 0x4c && d[3] === 0x46;

/** Parse an object, reporting a malformed one on stderr (null). */
function openObject(cmd: string, file: string, data: Uint8Array, io: Io): ObjectFile | null {
  try {
    return parseObjectFile(data);
  } catch (e) {
    if (e instanceof ElfError || e instanceof BtfError || e instanceof ObjectError) {
      io.err(`uring-bpf ${cmd}: ${file}: ${e.code}: ${e.message}\n`);
      return null;
    }
    throw e;
  }
}

export const INSPECT_HELP = `usage: uring-bpf inspect <obj.o>
Describe a BPF ELF object: its programs (section, sleepable, instructions, subprograms), maps (type,
sizes, flags), global variables (with their BTF types; const volatile ones can be set before load)
and license.
`;

export function runInspect(argv: string[], io: Io): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.out(INSPECT_HELP);
    return 0;
  }
  const unknown = argv.find((a) => a.startsWith('-'));
  if (unknown !== undefined) {
    io.err(`uring-bpf inspect: unknown option '${unknown}'\n${INSPECT_HELP}`);
    return 2;
  }
  if (argv.length !== 1) {
    io.err(`uring-bpf inspect: expected one object file, found ${argv.length}\n${INSPECT_HELP}`);
    return 2;
  }
  const file = argv[0]!;
  const data = readInput('inspect', file, io);
  if (data === null) return 1;
  if (!isElf(data)) {
    io.err(`uring-bpf inspect: ${file} is not an ELF object (expected the bytes 7f 45 4c 46 first)\n`);
    return 1;
  }
  const obj = openObject('inspect', file, data, io);
  if (obj === null) return 1;
  for (const l of inspectText(basename(file), obj)) io.out(`${l}\n`);
  return 0;
}
