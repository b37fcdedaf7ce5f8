/**
 * `uring-bpf verify <obj.o> [--prog NAME] [--log-level N]`: run the verifier on the io_uring
 * programs of a BPF object, as loading would, and print for each its verdict and statistics (and
 * the verifier log at level 1 or 2, or the rejection with its source line, state and fix hint).
 * Exit 0 when every program passes, 1 when one is refused, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { BtfError } from '../ebpf/btf/errors.js';
import { ElfError } from '../ebpf/elf/errors.js';
import { BpfObject, isGplCompatible, verifyProgram } from '../ebpf/loader.js';
import { ObjectError } from '../ebpf/object/errors.js';
import type { LogLevel } from '../ebpf/verifier/api.js';
import { VerifierError } from '../ebpf/verifier/errors.js';
import { iouringRegistry } from '../uring/bpf/load.js';
import { Runtime } from '../uring/runtime.js';
import type { Io } from './bpf-tools.js';
import { ENGINE_HELP, takeEngine } from './options.js';

export const VERIFY_HELP = `usage: uring-bpf verify <obj.o> [--prog NAME] [--log-level N] [--engine jit|interp]
Run the verifier on the io_uring programs of a BPF object, as loading does, and print each one's
verdict: instructions, processed instructions, states and time; a refused program's log names the
instruction, its source line (BTF line info), the register state that broke the rule and a fix.
  --prog NAME       verify only this program (a function name; default: every io_uring program)
  --log-level N     0: the verdict and any rejection (default); 1: also the instructions of the
                    path that failed; 2: every processed instruction with the register state
${ENGINE_HELP}
Exit status: 0 when every program passes, 1 when one is refused or the object does not load, 2 on
bad usage.
`;

function usage(io: Io, msg: string): number {
  io.err(`uring-bpf verify: ${msg}\n${VERIFY_HELP}`);
  return 2;
}

export function runVerify(argv: string[], io: Io): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.out(VERIFY_HELP);
    return 0;
  }
  const args = [...argv];
  const engine = takeEngine(args);
  if (typeof engine !== 'string') return usage(io, engine.error);
  let prog: string | null = null;
  let level: LogLevel = 0;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--prog' || a === '--log-level') {
      const v = args[++i];
      if (v === undefined) return usage(io, `${a} needs a value`);
      if (a === '--prog') prog = v;
      else if (v === '0' || v === '1' || v === '2') level = Number(v) as LogLevel;
      else return usage(io, `--log-level expects 0, 1 or 2, found '${v}'`);
    } else if (a.startsWith('-')) return usage(io, `unknown option '${a}'`);
    else files.push(a);
  }
  if (files.length !== 1) return usage(io, `expected one object file, found ${files.length}`);
  const file = files[0]!;
  let data: Uint8Array;
  try {
    data = readFileSync(file);
  } catch (e) {
    io.err(`uring-bpf verify: cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  let obj: BpfObject;
  try {
    obj = BpfObject.open(data);
  } catch (e) {
    if (e instanceof ElfError || e instanceof BtfError || e instanceof ObjectError) {
      io.err(`uring-bpf verify: ${file}: ${e.code}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const defs = obj.file.programs.filter((p) => p.supported);
  const chosen = prog === null ? defs : defs.filter((p) => p.name === prog);
  if (chosen.length === 0) {
    const names = defs.map((p) => p.name).join(', ') || 'none';
    io.err(`uring-bpf verify: ${file}: no io_uring program '${prog}' (programs: ${names})\n`);
    return 1;
  }
  for (const p of obj.file.programs) {
    if (!p.supported && prog === null)
      io.out(`${p.name}: skipped (section '${p.section}' is not an io_uring program)\n`);
  }
  const rt = new Runtime();
  const { helpers } = iouringRegistry(rt.bpfMaps);
  const loaded = obj.load({ mem: rt.mem, maps: rt.bpfMaps, helpers, verify: false, engine });
  const gpl = isGplCompatible(obj.file.license);
  let failed = 0;
  for (const def of chosen) {
    const insns = loaded.loaded(def.name).insns;
    const t0 = performance.now();
    try {
      const r = verifyProgram(def, insns, helpers, loaded.table, gpl, level);
      const ms = (performance.now() - t0).toFixed(2);
      if (level > 0) io.out(r.log);
      io.out(
        `${def.name}: OK (${insns.length} insns, processed ${r.processed}, states ${r.totalStates}, peak ${r.peakStates}, stack ${r.stackDepth.join('+')} bytes, ${ms} ms)\n`,
      );
    } catch (e) {
      if (!(e instanceof VerifierError)) throw e;
      failed++;
      io.out(`${def.name}: REJECTED at insn ${e.index} (${e.code})\n${e.log}`);
    }
  }
  loaded.close();
  return failed === 0 ? 0 : 1;
}
