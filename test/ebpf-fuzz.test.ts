/**
 * Hostile input to the instruction layer: random bytes through decode, check, load and run (on the
 * interpreter and the JIT, which must refuse the same programs and agree on every run the
 * interpreter completes), and mutated assembly through both assemblers. Only the domain errors may come out (InsnError,
 * ProgramLoadError, BpfFault, AsmError), never a TypeError, a RangeError from deep inside, a hang or
 * a crash. Seeded, so a failure names its seed and case.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsmError } from '../src/ebpf/asm/errors.js';
import { assembleLlvm } from '../src/ebpf/asm/llvm.js';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { disassemble } from '../src/ebpf/disasm.js';
import { loadProgram as loadAny } from '../src/ebpf/engine.js';
import { BpfFault, ProgramLoadError } from '../src/ebpf/faults.js';
import { HelperRegistry } from '../src/ebpf/helpers.js';
import { checkInsns, decodeInsns, encodeInsns, type Insn, InsnError } from '../src/ebpf/insn.js';
import { loadInterpProgram as loadProgram, releaseInterpreter } from '../src/ebpf/interp.js';
import { JitProgram } from '../src/ebpf/jit/program.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { xorshift32 } from './helpers.js';

const mem = new AddressSpace({ size: 4 * 1024 * 1024 });

/** Opcodes of every class (ALU, ALU32, JMP, JMP32, LDX incl. sign-extending, ST, STX, atomics, lddw). */
const CODES = [
  0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87, 0x97,
  0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x84, 0x94, 0x9c,
  0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc, 0xd7, 0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x55, 0x5d, 0x65,
  0x6d, 0xa5, 0xad, 0xc5, 0xcd, 0x16, 0x1e, 0x56, 0x5e, 0x06, 0xe5, 0x85, 0x95, 0x61, 0x69, 0x71, 0x79, 0x81,
  0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0x18,
];

/**
 * A random program of `n` slots. Most slots are plausible (fields shaped for their class: no
 * reserved bits, jumps within the program, memory near r10 or r1), the rest random bytes; the last
 * is exit.
 */
function randomProgram(next: () => number, n: number): Uint8Array {
  const insns: Insn[] = [];
  const small = (): number => (next() % 3 === 0 ? next() | 0 : (next() % 65) - 32);
  for (let i = 0; i < n - 1; i++) {
    const code = CODES[next() % CODES.length]!;
    const cls = code & 7;
    const x = (code & 8) !== 0;
    const dst = next() % 10;
    const src = next() % 11;
    let insn: Insn;
    if (next() % 8 === 0) {
      insn = {
        code: next() & 0xff,
        dst: next() & 15,
        src: next() & 15,
        off: (next() << 16) >> 16,
        imm: next() | 0,
      };
    } else if (cls === 4 || cls === 7) {
      const op = code & 0xf0;
      const imm = op === 0xd0 ? [16, 32, 64][next() % 3]! : op === 0x80 ? 0 : small();
      insn = { code, dst, src: x ? src : 0, off: 0, imm: x ? 0 : imm };
    } else if (cls === 5 || cls === 6) {
      const op = code & 0xf0;
      // Forward mostly; one jump in four goes back (loops, and cycles entered in the middle).
      const off = next() % 4 === 0 ? -1 - (next() % (i + 1)) : next() % Math.max(1, n - 1 - i);
      if (op === 0x80) insn = { code, dst: 0, src: 0, off: 0, imm: next() % 3 };
      else if (op === 0x90) insn = { code, dst: 0, src: 0, off: 0, imm: 0 };
      else if (code === 0x06) insn = { code, dst: 0, src: 0, off: 0, imm: off };
      else if (op === 0 || op === 0xe0) insn = { code, dst: 0, src: 0, off, imm: 0 };
      else insn = { code, dst, src: x ? src : 0, off, imm: x ? 0 : small() };
    } else if (code === 0x18) {
      insns.push(
        { code, dst, src: 0, off: 0, imm: next() | 0 },
        { code: 0, dst: 0, src: 0, off: 0, imm: next() | 0 },
      );
      i++;
      continue;
    } else {
      // Loads and stores: base r10 (stack) or r1 (the 64-byte scratch region), sometimes out of range.
      const stack = next() % 2 === 0;
      const base = stack ? 10 : 1;
      const off = stack ? -8 * (1 + (next() % 8)) : 8 * (next() % 9);
      const imm = (code & 0xe0) === 0xc0 ? [0, 1, 0x40, 0x41, 0x50, 0xa0, 0xe1, 0xf1][next() % 8]! : 0;
      if (cls === 1) insn = { code, dst, src: base, off, imm: 0 };
      else if (cls === 2) insn = { code, dst: base, src: 0, off, imm: small() };
      else insn = { code, dst: base, src, off, imm };
    }
    insns.push(insn);
  }
  insns.length = Math.min(insns.length, n - 1);
  insns.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  return encodeInsns(insns);
}

function decodeOrNull(bytes: Uint8Array): Insn[] | null {
  try {
    return decodeInsns(bytes);
  } catch {
    return null;
  }
}

/** The JIT's load of `insns` (guards and a budget, as an unverified program), or what it threw. */
function loadOrError(insns: readonly Insn[], engine: 'jit'): JitProgram | Error {
  try {
    return loadAny(insns, { helpers, budget: 10_000, engine }) as JitProgram;
  } catch (e) {
    return e as Error;
  }
}

const helpers = new HelperRegistry();
helpers.register({
  id: 1,
  name: 'identity',
  args: ['ARG_ANYTHING'],
  ret: 'RET_INTEGER',
  sleepableOnly: false,
  gplOnly: false,
  impl: (_env, a) => a,
});

for (const seed of [1, 2, 3]) {
  test(`random programs (seed ${seed}): decode, check, load and run end in a result or a domain error`, () => {
    const next = xorshift32(seed);
    const outcomes = { ran: 0, insn: 0, load: 0, fault: 0 };
    let jitAgreed = 0;
    for (let c = 0; c < 3000; c++) {
      const bytes = randomProgram(next, 2 + (next() % 14));
      const live = mem.liveAllocations;
      try {
        const insns = decodeInsns(bytes);
        assert.deepEqual(encodeInsns(insns), bytes, `case ${c}: encode(decode(x)) = x`);
        disassemble(insns);
        checkInsns(insns);
        const jit = loadOrError(insns, 'jit');
        const p = loadProgram(insns, { helpers, budget: 10_000 });
        assert.ok(
          jit instanceof JitProgram,
          `seed ${seed} case ${c}: the interpreter loads it, the JIT: ${String(jit)}`,
        );
        const scratch = mem.alloc(64);
        try {
          const regions = [{ addr: scratch, size: 64 }];
          // Both engines start from a fresh (zeroed) stack: a program may write any frame of it.
          releaseInterpreter(mem);
          let want: bigint | string;
          try {
            want = p.run({ mem, r1: scratch, r2: 64, regions }).r0;
          } catch (e) {
            want = e instanceof BpfFault ? e.code : String(e);
          }
          // The JIT on the same input: a result or a BpfFault, never anything else; the same r0
          // when the interpreter ran to its exit (every access was then inside a region), the same
          // budget fault when it ran out.
          mem.zero(scratch, 64);
          releaseInterpreter(mem);
          let got: bigint | string;
          try {
            got = jit.run({ mem, r1: scratch, r2: 64, regions }).r0;
          } catch (e) {
            if (!(e instanceof BpfFault)) throw e;
            got = e.code;
          }
          if (typeof want === 'bigint' || want === 'E_BUDGET') {
            assert.equal(got, want, `seed ${seed} case ${c}: JIT vs interpreter`);
            jitAgreed++;
          }
          if (typeof want === 'bigint') outcomes.ran++;
          else throw new BpfFault(want as BpfFault['code'], 0, 'interpreter fault');
        } finally {
          mem.free(scratch);
        }
      } catch (e) {
        if (e instanceof InsnError || e instanceof ProgramLoadError) {
          // The JIT refuses the same program with the same error.
          const j = loadOrError(decodeOrNull(bytes) ?? [], 'jit');
          assert.ok(
            !(j instanceof JitProgram) && j.constructor === e.constructor && (j as InsnError).code === e.code,
            `seed ${seed} case ${c}: interpreter ${e.name} ${e.code}, JIT ${String(j)}`,
          );
        }
        if (e instanceof InsnError) outcomes.insn++;
        else if (e instanceof ProgramLoadError) outcomes.load++;
        else if (e instanceof BpfFault) outcomes.fault++;
        else throw new Error(`seed ${seed} case ${c}: ${String(e)}\n${Buffer.from(bytes).toString('hex')}`);
      }
      assert.ok(mem.liveAllocations <= live + 1, `case ${c}: no allocation leaked (the kept stack aside)`);
    }
    // The generator reaches every outcome, so the test exercises each path it claims to.
    for (const [k, v] of Object.entries(outcomes))
      assert.ok(v > 20, `${k}: ${v} of 3000 (${JSON.stringify(outcomes)})`);
    assert.ok(jitAgreed > 100, `the JIT was compared on ${jitAgreed} programs`);
  });
}

const UBPF_LINES = [
  'mov %r0, 1',
  'add32 %r1, -7',
  'lddw %r2, 0x123456789abcdef',
  'ldxw %r0, [%r1+4]',
  'stxdw [%r10-8], %r1',
  'jeq %r1, 3, +1',
  'lock fetch add [%r1+0], %r2',
  'call local f',
  'f:',
  'exit',
];
const LLVM_LINES = [
  'r0 = 0x1',
  'w1 += -0x7',
  'r2 = 0x123456789abcdef ll',
  'r0 = *(u32 *)(r1 + 0x4)',
  '*(u64 *)(r10 - 0x8) = r1',
  'if r1 == 0x3 goto +0x1',
  'lock *(u64 *)(r1 + 0x0) += r2',
  'r1 = bswap64 r1',
  'exit',
];

/** Mutate one line: drop, duplicate or replace a character, or splice in a fragment. */
function mutate(next: () => number, line: string): string {
  const frags = [
    '%r',
    'r11',
    '[',
    ']',
    '(',
    ')',
    '+',
    '-',
    '0x',
    '99999999999',
    ',',
    ' ',
    '*',
    'll',
    ':',
    '#',
  ];
  const i = next() % (line.length + 1);
  switch (next() % 4) {
    case 0:
      return line.slice(0, i) + line.slice(i + 1);
    case 1:
      return line.slice(0, i) + line.charAt(i) + line.slice(i);
    case 2:
      return line.slice(0, i) + String.fromCharCode(32 + (next() % 95)) + line.slice(i + 1);
    default:
      return line.slice(0, i) + frags[next() % frags.length]! + line.slice(i);
  }
}

for (const [name, lines, assemble] of [
  ['uBPF', UBPF_LINES, assembleUbpf],
  ['LLVM', LLVM_LINES, assembleLlvm],
] as const) {
  test(`mutated ${name} assembly: a program that passes the check, or an AsmError with a line in range`, () => {
    const next = xorshift32(name.length * 7919);
    let ok = 0;
    let bad = 0;
    for (let c = 0; c < 4000; c++) {
      const src = lines.map((l) => (next() % 3 === 0 ? mutate(next, l) : l));
      const text = src.join('\n');
      try {
        const insns = assemble(text);
        ok++;
        try {
          checkInsns(insns);
        } catch (e) {
          // A mutation may give a syntactically valid but unloadable program (e.g. r10 as dst).
          if (!(e instanceof InsnError)) throw e;
        }
      } catch (e) {
        if (!(e instanceof AsmError)) throw new Error(`case ${c}: ${String(e)}\n${text}`);
        assert.ok(e.line >= 1 && e.line <= src.length, `case ${c}: line ${e.line} of ${src.length}`);
        assert.ok(e.column >= 1, `case ${c}: column ${e.column}`);
        bad++;
      }
    }
    assert.ok(ok > 100 && bad > 100, `both outcomes reached: ${ok} assembled, ${bad} rejected`);
  });
}
