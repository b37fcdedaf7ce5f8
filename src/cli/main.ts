/** The uring-bpf command line. Calls only the public API. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Io, runAsm, runConformanceCmd, runDisasm, runInspect } from './bpf-tools.js';
import { EXAMPLES, type Example } from './examples.js';
import { runJit } from './jit.js';
import { takeEngine } from './options.js';
import { runVerify } from './verify.js';

const HELP = `usage: uring-bpf <command> [options]

io_uring BPF requests (RFC v2) in userspace: an io_uring with several completion
queues whose requests can be BPF programs.

commands:
  examples [name...]   run the built-in examples (all by default), check their
                       results and exit non-zero on any mismatch (--engine)
  examples --list      list the examples
  asm <file> [-o out]  assemble eBPF text (LLVM or uBPF syntax) into a raw
                       instruction file
  disasm <file>        disassemble a raw instruction file or a BPF object like
                       llvm-objdump -d (-S: source lines from BTF line info)
  inspect <obj.o>      programs, maps, globals and license of a BPF object
  verify <obj.o>       run the verifier on its io_uring programs (--prog NAME,
                       --log-level 0-2); exit 0 when all pass
  conformance <dir>    run bpf_conformance .data files (--engine, --json)
  jit --wat <obj.o>    print the WebAssembly (WAT) the JIT compiles each program
                       of the object to (--prog NAME, --guards, --count)

Each command takes --help for its own options.

options:
  -h, --help           show this help
  -V, --version        print the version
  --json               (examples) print results as JSON
  --engine jit|interp  (examples, conformance, verify) the engine BPF programs
                       are loaded for: jit (default) or interp, the interpreter

Exit status: 0 on success, 1 when a check failed, 2 on bad usage.
`;

function version(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const stdio: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

async function runExamples(argv: string[], io: Io): Promise<number> {
  const args = [...argv];
  const engine = takeEngine(args);
  if (typeof engine !== 'string') {
    io.err(`uring-bpf examples: ${engine.error}\n`);
    return 2;
  }
  const json = args.includes('--json');
  const names = args.filter((a) => !a.startsWith('-'));
  if (args.includes('--list')) {
    for (const e of EXAMPLES) io.out(`${e.name.padEnd(12)} ${e.summary}\n`);
    return 0;
  }
  const unknownFlag = args.find((a) => a.startsWith('-') && a !== '--json');
  if (unknownFlag !== undefined) {
    io.err(`uring-bpf examples: unknown option '${unknownFlag}'\n`);
    return 2;
  }
  let chosen: Example[] = [...EXAMPLES];
  if (names.length > 0) {
    const missing = names.filter((n) => !EXAMPLES.some((e) => e.name === n));
    if (missing.length > 0) {
      io.err(
        `uring-bpf examples: no example named ${missing.join(', ')}; known: ${EXAMPLES.map((e) => e.name).join(', ')}\n`,
      );
      return 2;
    }
    chosen = EXAMPLES.filter((e) => names.includes(e.name));
  }
  let failed = 0;
  const report: unknown[] = [];
  for (const ex of chosen) {
    const t0 = process.hrtime.bigint();
    let result: Awaited<ReturnType<Example['run']>>;
    try {
      result = await ex.run({ engine });
    } catch (e) {
      failed++;
      const msg = e instanceof Error ? e.message : String(e);
      if (json) report.push({ name: ex.name, pass: false, error: msg });
      else io.out(`== ${ex.name}: ${ex.summary}\n  ERROR ${msg}\nFAIL ${ex.name}\n\n`);
      continue;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const bad = result.checks.filter((c) => c.expected !== c.actual);
    if (bad.length > 0) failed++;
    if (json) {
      report.push({ name: ex.name, pass: bad.length === 0, ms, lines: result.lines, checks: result.checks });
      continue;
    }
    io.out(`== ${ex.name}: ${ex.summary}\n`);
    for (const l of result.lines) io.out(`  ${l}\n`);
    for (const c of result.checks) {
      const ok = c.expected === c.actual;
      io.out(
        `  ${ok ? 'ok  ' : 'FAIL'} ${c.what}: ${ok ? c.actual : `expected ${c.expected}, got ${c.actual}`}\n`,
      );
    }
    io.out(`${bad.length === 0 ? 'PASS' : 'FAIL'} ${ex.name} (${ms.toFixed(1)} ms)\n\n`);
  }
  if (json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(`${chosen.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** Run the command with `argv` (without node and script); resolves with the exit status. */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    io.out(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '-V' || cmd === '--version') {
    io.out(`uring-bpf ${version()}\n`);
    return 0;
  }
  if (cmd === 'examples') return runExamples(rest, io);
  if (cmd === 'asm') return runAsm(rest, io);
  if (cmd === 'disasm') return runDisasm(rest, io);
  if (cmd === 'inspect') return runInspect(rest, io);
  if (cmd === 'verify') return runVerify(rest, io);
  if (cmd === 'conformance') return runConformanceCmd(rest, io);
  if (cmd === 'jit') return runJit(rest, io);
  io.err(`uring-bpf: unknown command '${cmd}'\n${HELP}`);
  return 2;
}
