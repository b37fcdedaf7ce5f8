/** Shared helpers of the interpreter tests (test/interp-*.test.ts). */
import assert from 'node:assert/strict';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import type { BpfFault, ProgramLoadError } from '../src/ebpf/faults.js';
import type { HelperDef } from '../src/ebpf/helpers.js';
import { type Insn, type InsnError, LDDW } from '../src/ebpf/insn.js';
import {
  type LoadOptions,
  loadInterpProgram as loadProgram,
  type Region,
  type RunResult,
} from '../src/ebpf/interp.js';
import { AddressSpace } from '../src/mem/address-space.js';

/* ------------------------------------------------------------------ local helpers */

export const mem = new AddressSpace({ size: 4 * 1024 * 1024 });
export const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
export const EXIT = I(0x95);
export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
/** lddw rD, v. */
export const lddw = (d: number, v: bigint): Insn[] => [
  I(LDDW, d, 0, 0, Number(BigInt.asIntN(32, v))),
  I(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
];

export interface RunOpts extends LoadOptions {
  readonly bytes?: Uint8Array;
  readonly regions?: readonly Region[];
  readonly r1?: bigint | number;
  readonly r2?: bigint | number;
  readonly r5?: bigint | number;
  readonly ctx?: unknown;
  readonly runBudget?: number;
}

/** Assemble (text) or take slots, load, run; `bytes` become a region whose address is r1. */
export function run(prog: string | Insn[], o: RunOpts = {}): RunResult {
  const insns = typeof prog === 'string' ? assembleUbpf(prog) : prog;
  const p = loadProgram(insns, o);
  const regions = [...(o.regions ?? [])];
  let addr = 0;
  if (o.bytes !== undefined) {
    addr = mem.alloc(o.bytes.length);
    mem.writeBytes(addr, o.bytes);
    regions.push({ addr, size: o.bytes.length, name: 'mem' });
  }
  try {
    return p.run({
      mem,
      r1: o.r1 ?? addr,
      r2: o.r2 ?? o.bytes?.length ?? 0,
      ...(o.r5 === undefined ? {} : { r5: o.r5 }),
      regions,
      ctx: o.ctx,
      ...(o.runBudget === undefined ? {} : { budget: o.runBudget }),
    });
  } finally {
    if (addr !== 0) mem.free(addr);
  }
}
export const r0 = (prog: string | Insn[], o?: RunOpts): bigint => run(prog, o).r0;

/** Assert that `f` throws `cls` with `code` (and `index`, message pattern when given). */
export function throwsCode(
  f: () => unknown,
  cls: typeof BpfFault | typeof ProgramLoadError | typeof InsnError,
  code: string,
  index?: number,
  re?: RegExp,
): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (index !== undefined) assert.equal(e.index, index, e.message);
    if (re !== undefined) assert.match(e.message, re);
    return true;
  });
}

export function helper(id: number, impl: HelperDef['impl'], name = `h${id}`): HelperDef {
  return { id, name, args: ['ARG_ANYTHING'], ret: 'RET_INTEGER', sleepableOnly: false, gplOnly: false, impl };
}
