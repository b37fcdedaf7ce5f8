/**
 * `uring-bpf jit --wat <obj.o> [--prog NAME] [--guards] [--count]`: the WebAssembly the JIT compiles
 * the io_uring programs of a BPF object to, as WAT text, each after a header line
 * `;; program NAME: N insns, M wasm bytes, F functions, B blocks`. The object is loaded as the
 * runtime loads it (the io_uring helpers, verified, so without guards); `--guards` loads it
 * unverified (every memory access checked), `--count` shows the variant that counts instructions
 * (what runs with an instruction budget use). Exit 0 when printed, 1 when the object does not load,
 * 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { JitProgram } from '../ebpf/jit/program.js';
import { BpfObject, type LoadedObject } from '../ebpf/loader.js';
import { iouringRegistry } from '../uring/bpf/load.js';
import { Runtime } from '../uring/runtime.js';
import type { Io } from './bpf-tools.js';

export const JIT_HELP = `usage: uring-bpf jit --wat <obj.o> [--prog NAME] [--guards] [--count]
Print the WebAssembly module (as WAT) the JIT compiles each io_uring program of a BPF object to, when
the object is loaded as Runtime.bpfLoad loads it: verified, so without run-time memory checks. Each
module follows a header ";; program NAME: N insns, M wasm bytes, F functions, B blocks".
  --wat             print the WAT text (required)
  --prog NAME       only this program (a function name; default: every io_uring program)
  --guards          the variant of unverified programs (loaded with verify: false): every memory
                    access checked against the address space, entered frames zeroed
  --count           the variant that counts executed instructions (runs with a budget use it)
Exit status: 0 when printed, 1 when the object cannot be read or loaded (malformed, refused by the
verifier: see uring-bpf verify) or has no such program, 2 on bad usage.
`;

function usage(io: Io, msg: string): number {
  io.err(`uring-bpf jit: ${msg}\n${JIT_HELP}`);
  return 2;
}

interface JitArgs {
  readonly file: string;
  readonly prog: string | null;
  readonly guards: boolean;
  readonly count: boolean;
}

function parseArgs(argv: readonly string[]): JitArgs | string {
  let prog: string | null = null;
  let wat = false;
  let guards = false;
  let count = false;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--prog') {
      const v = argv[++i];
      if (v === undefined) return '--prog needs a value';
      prog = v;
    } else if (a === '--wat') wat = true;
    else if (a === '--guards') guards = true;
    else if (a === '--count') count = true;
    else if (a.startsWith('-')) return `unknown option '${a}'`;
    else files.push(a);
  }
  if (!wat) return 'expected --wat (the only output jit has)';
  if (files.length !== 1) return `expected one object file, found ${files.length}`;
  return { file: files[0]!, prog, guards, count };
}

/** A load or parse failure: an Error with a string `code` (ElfError, VerifierError, ...). */
function isDomainError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string';
}

/** The header line and WAT of each chosen program. */
function watText(loaded: LoadedObject, names: readonly string[], a: JitArgs): string {
  const out: string[] = [];
  for (const name of names) {
    const lp = loaded.loaded(name);
    const prog = lp.prog;
    if (!(prog instanceof JitProgram)) throw new TypeError(`jit: program ${name} did not load on the JIT`);
    // The loaded program (guards as loaded) has both variants; --count shows the counting one.
    const c = prog.compiledFor(a.count);
    out.push(
      `;; program ${name}: ${lp.insns.length} insns, ${c.bytes.length} wasm bytes, ${c.functions} functions, ${c.blocks} blocks\n`,
      c.wat.endsWith('\n') ? c.wat : `${c.wat}\n`,
    );
  }
  return out.join('');
}

export function runJit(argv: string[], io: Io): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.out(JIT_HELP);
    return 0;
  }
  const a = parseArgs(argv);
  if (typeof a === 'string') return usage(io, a);
  let data: Uint8Array;
  try {
    data = readFileSync(a.file);
  } catch (e) {
    io.err(`uring-bpf jit: cannot read ${a.file}: ${(e as Error).message}\n`);
    return 1;
  }
  let obj: BpfObject;
  try {
    obj = BpfObject.open(data);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    io.err(`uring-bpf jit: ${a.file}: ${e.code}: ${e.message}\n`);
    return 1;
  }
  const defs = obj.file.programs.filter((p) => p.supported);
  const chosen = a.prog === null ? defs : defs.filter((p) => p.name === a.prog);
  if (chosen.length === 0) {
    const names = defs.map((p) => p.name).join(', ') || 'none';
    const what = a.prog === null ? 'no io_uring program' : `no io_uring program '${a.prog}'`;
    io.err(`uring-bpf jit: ${a.file}: ${what} (programs: ${names})\n`);
    return 1;
  }
  const rt = new Runtime();
  const { helpers } = iouringRegistry(rt.bpfMaps);
  let loaded: LoadedObject;
  try {
    loaded = obj.load({ mem: rt.mem, maps: rt.bpfMaps, helpers, verify: !a.guards, engine: 'jit' });
  } catch (e) {
    if (!isDomainError(e)) throw e;
    const hint = a.guards ? '' : ' (uring-bpf verify shows why; --guards compiles it unverified)';
    io.err(`uring-bpf jit: ${a.file}: ${e.code}: ${e.message}${hint}\n`);
    return 1;
  }
  try {
    io.out(
      watText(
        loaded,
        chosen.map((d) => d.name),
        a,
      ),
    );
  } finally {
    loaded.close();
  }
  return 0;
}
