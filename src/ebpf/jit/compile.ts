/**
 * The eBPF → WebAssembly compiler: one module per program.
 *
 * Input: a program decodeProgram() accepts (the interpreter's load checks: targets, helpers, lddw
 * pseudo sources resolved). Every instruction is supported.
 *
 * The module (env imports, in this order):
 *   func fault(code i32, pc i32, excess i32, addr i64)   throws the BpfFault (FAULT_CODES[code])
 *   func tail(pc i32, id i64, r1..r9 i64, fp i64, depth i32) -> (tailed i32, r0..r5 i64)
 *                                      callx and tail-call helpers (only when the program has one)
 *   func h<id>(pc i32, r1..r5 i64) -> r0 i64            one per helper called with `call imm`
 *   memory memory (shared)                              the address space
 *   global memEnd i64                                   with guards: the memory's size in bytes
 *   global n (mut i64), limit (mut i64)                 when counting: instructions run, budget
 * Functions: one per eBPF function (slot 0 and each bpf2bpf call target), all of type
 *   (r0..r9 i64, r10 i64, depth i32) -> (r0..r5 i64)
 * r6-r9 are the callee's own locals, so a call saves them for free; r1-r5 come back to the caller as
 * the callee left them (the interpreter's semantics; the kernel's verifier forbids reading them).
 * Exports: `enter` (the program's function 0, for tail calls) and
 *   run(r1lo, r1hi, .. r5lo, r5hi, fp: i32) -> r0 i64    a run from the entry with r0, r6-r9 = 0.
 *
 * Semantics (the interpreter's, see interp-run.ts), with these choices:
 * - Memory: with `guards` (unverified programs) every access checks that its bytes lie in
 *   [4 KiB, memEnd), and atomics that they are aligned, else a fault E_FAULT_MEM / E_FAULT_ALIGN
 *   with the address; each entered frame is zeroed. Without guards (verified programs) an access
 *   uses the low 32 bits of its address, and only the memory's own bounds check (a trap) stands.
 *   The permitted-region table (stack, ctx fields, map values) is not consulted by compiled code: the
 *   verifier holds verified programs to it, and guards hold unverified ones to the address space.
 * - `count`: each basic block adds its instruction count to n and faults E_BUDGET at its start when
 *   n would pass limit (the interpreter stops at the exact instruction; here the block's earlier
 *   instructions do not run). Around every call the block's remaining instructions are taken out of
 *   n and put back after it, so callees, helper faults and tail-call targets see the exact count.
 *   may_goto jumps when limit - n < mayGotoReserve, as the interpreter.
 * - Calls: a frame deeper than MAX_CALL_FRAMES faults E_STACK_OVERFLOW at the call. Helpers run in
 *   JS through their import; a tail call runs its target from the `tail` import and the caller
 *   returns what the target returned.
 * - Hot helpers inlined: bpf_map_lookup_elem on an ARRAY map whose handle r1 got from an lddw of the
 *   same block (HelperDef.inlineArrayLookup).
 * - Traps the guards do not prevent (an unguarded access past the memory, an unaligned unguarded
 *   atomic) are traced back to their instruction through `sites` (module offsets).
 */
import { BPF_CALL, BPF_FUNC_tail_call, BPF_JCOND, BPF_JMP, BPF_X, MAX_BPF_STACK } from '../../uapi/bpf.js';
import { type HelperDef, HelperRegistry, type InlineArrayLookup } from '../helpers.js';
import { type Insn, insnClass, isLddw, jmpOp, srcBit } from '../insn.js';
import { type DecodedProgram, decodeProgram, type LddwResolver, WORDS } from '../interp-decode.js';
import { buildProgramCfg } from './cfg.js';
import {
  type EmitContext,
  FUNC_LOCAL_NAMES,
  FUNC_LOCALS,
  FunctionEmitter,
  r1LddwSlot,
  type Site,
} from './emit.js';
import { structure } from './structure.js';
import { CodeBuilder } from './wasm/code.js';
import { ModuleBuilder } from './wasm/module.js';
import type { ValType } from './wasm/opcodes.js';

export interface CompileOptions {
  readonly helpers?: HelperRegistry;
  readonly resolveLddw?: LddwResolver;
  /** Check every memory access and zero entered frames (default true: for unverified programs). */
  readonly guards?: boolean;
  /** Count instructions into the `n` global and stop at `limit` (default false). */
  readonly count?: boolean;
  /** may_goto jumps once fewer instructions than this are left (with `count`; default 0). */
  readonly mayGotoReserve?: number;
  /**
   * Keep the text of every instruction for `wat` (default false: `wat` then compiles the program again
   * with text on first use; loads that never look at it emit faster).
   */
  readonly text?: boolean;
  /** Memory limits of the imported memory, in 64 KiB pages (default min 1, max 65536). */
  readonly minPages?: number;
  readonly maxPages?: number;
}

export interface CompiledProgram {
  /** The module binary (see the module comment for its imports and exports). */
  readonly bytes: Uint8Array;
  /** The module as WAT text. */
  readonly wat: string;
  /** Basic blocks compiled (a block reached from two functions counts twice). */
  readonly blocks: number;
  /** eBPF functions (wasm functions besides `run`). */
  readonly functions: number;
  /** Helpers imported as h<id>, in import order. */
  readonly helperImports: readonly HelperDef[];
  /** Whether the module imports `tail`. */
  readonly hasTail: boolean;
  /** Memory access sites by ascending module offset. */
  readonly sites: readonly Site[];
  /** Inlined ARRAY lookups, one per map (their values are granted to every run). */
  readonly inlined: readonly InlineArrayLookup[];
  readonly guards: boolean;
  readonly count: boolean;
  /** The decoded program (the interpreter's form: resolved lddw values, helpers by slot). */
  readonly decoded: DecodedProgram;
}

const FUNC_PARAMS: ValType[] = [...Array<ValType>(11).fill('i64'), 'i32'];
const FUNC_RESULTS: ValType[] = Array<ValType>(6).fill('i64');

/** Compile a program; throws what decodeProgram throws (InsnError, ProgramLoadError). */
export function compileProgram(insns: readonly Insn[], options: CompileOptions = {}): CompiledProgram {
  const registry = options.helpers ?? new HelperRegistry();
  const guards = options.guards ?? true;
  const count = options.count ?? false;
  const reserve = options.mayGotoReserve ?? 0;
  const decoded = decodeProgram(insns, registry, options.resolveLddw, reserve);
  const cfg = buildProgramCfg(insns);

  const lddwValue = (pc: number): bigint => {
    const lo = decoded.code[pc * WORDS + 2] as number;
    const hi = decoded.code[pc * WORDS + 3] as number;
    return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  };

  const helperAt = (pc: number): HelperDef =>
    decoded.helpers[decoded.code[pc * WORDS + 1] as number] as HelperDef;

  // One pass over the blocks: may_goto; inlined ARRAY lookups (r1 from an lddw of the same block),
  // plain imports for the other `call imm` of helpers that cannot tail call, the `tail` import for
  // the rest and callx.
  const tailCapable = (def: HelperDef): boolean => def.id === BPF_FUNC_tail_call;
  const plain: HelperDef[] = [];
  const inlineAt = new Map<number, InlineArrayLookup>();
  const inlined = new Map<number, InlineArrayLookup>();
  let hasTail = false;
  let hasMayGoto = false;
  cfg.starts.forEach((first, b) => {
    const end = cfg.ends[b] as number;
    for (let pc = first; pc < end; pc++) {
      const insn = insns[pc] as Insn;
      if (isLddw(insn)) {
        pc++;
        continue;
      }
      if (insnClass(insn.code) !== BPF_JMP) continue;
      if (jmpOp(insn.code) === BPF_JCOND) hasMayGoto = true;
      if (jmpOp(insn.code) !== BPF_CALL) continue;
      if (srcBit(insn.code) === BPF_X) hasTail = true;
      else if (insn.src === 0) {
        const def = helperAt(pc);
        if (tailCapable(def)) {
          hasTail = true;
          continue;
        }
        const slot = def.inlineArrayLookup === undefined ? null : r1LddwSlot(insns, pc, first);
        const layout = slot === null ? null : (def.inlineArrayLookup?.(lddwValue(slot)) ?? null);
        if (layout !== null) {
          inlineAt.set(pc, layout);
          if (!inlined.has(layout.valueBase)) inlined.set(layout.valueBase, layout);
        } else if (!plain.includes(def)) plain.push(def);
      }
    }
  });

  const m = new ModuleBuilder();
  const fault = m.importFunction('env', 'fault', ['i32', 'i32', 'i32', 'i64'], []);
  const tail = hasTail
    ? m.importFunction(
        'env',
        'tail',
        ['i32', 'i64', ...Array<ValType>(10).fill('i64'), 'i32'],
        ['i32', ...FUNC_RESULTS],
      )
    : -1;
  const helperIdx = new Map<HelperDef, number>();
  for (const def of plain) {
    helperIdx.set(
      def,
      m.importFunction('env', `h${def.id}`, ['i32', 'i64', 'i64', 'i64', 'i64', 'i64'], ['i64']),
    );
  }
  m.importMemory('env', 'memory', {
    min: options.minPages ?? 1,
    max: options.maxPages ?? 65536,
    shared: true,
  });
  const memEnd = guards ? m.importGlobal('env', 'memEnd', 'i64', false) : -1;
  const nG = count ? m.importGlobal('env', 'n', 'i64', true) : -1;
  const limitG = count ? m.importGlobal('env', 'limit', 'i64', true) : -1;

  const base = (hasTail ? 2 : 1) + plain.length;
  const x: EmitContext = {
    insns,
    lddwValue,
    helperAt,
    helperImport: (def) => {
      const i = helperIdx.get(def);
      if (i === undefined) throw new Error(`jit: helper ${def.id} has no import`);
      return i;
    },
    inlineAt: (pc) => inlineAt.get(pc),
    functionIndex: (slot) => {
      const f = cfg.functionAt.get(slot);
      if (f === undefined) throw new Error(`jit: no function at slot ${slot}`);
      return base + f;
    },
    imports: { fault, tailHelper: tail },
    globals: { memEnd, n: nG, limit: limitG },
    guards,
    count,
    mayGotoReserve: reserve,
    tailCapable,
    text: options.text === true,
  };

  const emitters: FunctionEmitter[] = [];
  let blocks = 0;
  cfg.functions.forEach((f, i) => {
    const e = new FunctionEmitter(x, cfg.starts, cfg.ends, f.blocks);
    e.prologue(hasMayGoto);
    const tree = structure(f.succs);
    e.nodes(tree.body);
    // Every path returns or faults; the end of the body is unreachable (the results need values).
    e.c.op('unreachable');
    blocks += f.blocks.length;
    emitters.push(e);
    m.addFunction({
      params: FUNC_PARAMS,
      results: FUNC_RESULTS,
      locals: [...FUNC_LOCALS],
      body: e.c,
      name: i === 0 ? 'main' : `fn_${f.entry}`,
      localNames: FUNC_LOCAL_NAMES,
      ...(i === 0 ? { export: 'enter' } : {}),
    });
  });
  m.addFunction({
    params: Array<ValType>(11).fill('i32'),
    results: ['i64'],
    body: runWrapper(base, guards, options.text === true),
    name: 'run',
    localNames: ['r1lo', 'r1hi', 'r2lo', 'r2hi', 'r3lo', 'r3hi', 'r4lo', 'r4hi', 'r5lo', 'r5hi', 'r10'],
    export: 'run',
  });
  const bytes = m.build({ names: true });
  const offsets = m.codeOffsets;
  const sites: Site[] = [];
  emitters.forEach((e, i) => {
    const o = offsets[i] as number;
    for (const s of e.sites) sites.push({ ...s, offset: s.offset + o });
  });
  sites.sort((a, b) => a.offset - b.offset);
  let wat: string | null = null;
  return {
    bytes,
    // Rendered on first use: most loads never look at it.
    get wat(): string {
      wat ??= options.text === true ? m.toWat() : compileProgram(insns, { ...options, text: true }).wat;
      return wat;
    },
    blocks,
    functions: cfg.functions.length,
    helperImports: plain,
    hasTail,
    sites,
    inlined: [...inlined.values()],
    guards,
    count,
    decoded,
  };
}

/**
 * run(r1..r5 as (lo, hi) i32 pairs, fp i32): zero frame 0 (guards), call main with r0 = r6..r9 = 0 and
 * depth 0, keep r0. Numbers, not BigInts, cross the JS boundary on the way in.
 */
function runWrapper(main: number, guards: boolean, text: boolean): CodeBuilder {
  const c = new CodeBuilder({ text });
  const FP_PARAM = 10;
  if (guards) {
    c.op('local.get', FP_PARAM).op('i32.const', MAX_BPF_STACK).op('i32.sub');
    c.op('i32.const', 0).op('i32.const', MAX_BPF_STACK).op('memory.fill');
  }
  c.op('i64.const', 0n);
  for (let r = 0; r < 5; r++) {
    c.op('local.get', 2 * r).op('i64.extend_i32_u');
    c.op('local.get', 2 * r + 1)
      .op('i64.extend_i32_u')
      .op('i64.const', 32n)
      .op('i64.shl')
      .op('i64.or');
  }
  for (let r = 0; r < 4; r++) c.op('i64.const', 0n);
  c.op('local.get', FP_PARAM).op('i64.extend_i32_u').op('i32.const', 0).op('call', main);
  for (let r = 0; r < 5; r++) c.op('drop');
  return c;
}
