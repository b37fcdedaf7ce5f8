/**
 * The verifier's structural pass (src/ebpf/verifier/cfg.ts): a table of accepted and refused
 * programs (refusals with their code and slot index), every C-compiled object program of the repo,
 * and the bpf_conformance programs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { parseConformanceData } from '../src/ebpf/conformance-data.js';
import { checkInsns, type Insn } from '../src/ebpf/insn.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import { checkProgramStructure, type ProgramCfg } from '../src/ebpf/verifier/cfg.js';
import { VerifierError, type VerifierErrorCode } from '../src/ebpf/verifier/errors.js';
import { BPF_MAX_SUBPROGS, MAX_CALL_FRAMES } from '../src/uapi/bpf.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFORMANCE = join(ROOT, '..', 'shared', 'conformance', 'bpf', 'tests');

/* ------------------------------------------------------------------ raw slots */

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const EXIT = I(0x95);
const MOV0 = I(0xb7); // mov r0, 0
const CALL = (imm: number): Insn => I(0x85, 0, 1, 0, imm); // call local (BPF_PSEUDO_CALL)
const MAY_GOTO = (off: number): Insn => I(0xe5, 0, 0, off);
const GOTOL = (imm: number): Insn => I(0x06, 0, 0, 0, imm);
/** lddw r1 with src BPF_PSEUDO_FUNC: the address of the function at i + imm + 1. */
const FUNC = (imm: number): Insn[] => [I(0x18, 1, 4, 0, imm), I(0)];
const LDDW = (v = 0): Insn[] => [I(0x18, 1, 0, 0, v), I(0)];

/** Main calls f1, f1 calls f2, ... : `frames` frames in all (main included). */
function chain(frames: number): Insn[] {
  const out: Insn[] = [];
  for (let k = 1; k < frames; k++) out.push(CALL(1), EXIT);
  out.push(MOV0, EXIT);
  return out;
}

/** Main calls `callees` subprograms, each a lone exit. */
function fan(callees: number): Insn[] {
  const out: Insn[] = [];
  for (let k = 0; k < callees; k++) out.push(CALL(callees)); // slot k calls slot callees + 1 + k
  out.push(EXIT);
  for (let k = 0; k < callees; k++) out.push(EXIT);
  return out;
}

/* ------------------------------------------------------------------ the table */

interface Case {
  readonly name: string;
  readonly prog: string | Insn[];
  /** [code, slot index] of the refusal, or the checks of an accepted program. */
  readonly expect: readonly [VerifierErrorCode, number] | ((cfg: ProgramCfg) => void);
}

const ok = (): void => {};
const flagged = (arr: readonly boolean[]): number[] => arr.flatMap((b, i) => (b ? [i] : []));

const CASES: readonly Case[] = [
  // ---------------------------------------------------------------- accepted
  { name: 'a lone exit', prog: 'exit', expect: (c) => assert.deepEqual(c.postOrder, [0]) },
  {
    name: 'straight-line code: post-order is reverse program order',
    prog: 'mov %r0, 1\nadd %r0, 2\nexit',
    expect: (c) => assert.deepEqual(c.postOrder, [2, 1, 0]),
  },
  {
    name: 'a conditional jump: both edges reached, target flagged',
    prog: 'mov %r0, 0\njeq %r1, 0, +1\nmov %r0, 1\nexit',
    expect: (c) => {
      assert.deepEqual(flagged(c.jumpTarget), [3]);
      assert.deepEqual(c.backEdges, []);
    },
  },
  {
    name: 'a bounded loop: the back-edge is recorded and its target is a loop header',
    prog: 'mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 10, loop\nexit',
    expect: (c) => {
      assert.deepEqual(c.backEdges, [{ from: 2, to: 1 }]);
      assert.deepEqual(flagged(c.loopHeader), [1]);
    },
  },
  {
    name: 'nested loops: two loop headers',
    prog: 'mov %r1, 0\nouter:\nmov %r2, 0\ninner:\nadd %r2, 1\njlt %r2, 3, inner\nadd %r1, 1\njlt %r1, 3, outer\nmov %r0, 0\nexit',
    expect: (c) => assert.deepEqual(flagged(c.loopHeader), [1, 2]),
  },
  {
    name: 'an unconditional self-loop is structurally fine (termination is checked later)',
    prog: [I(0x05, 0, 0, -1)],
    expect: (c) => assert.deepEqual(c.backEdges, [{ from: 0, to: 0 }]),
  },
  {
    name: 'a program may end with ja back into a loop',
    prog: 'mov %r0, 0\nloop:\nadd %r0, 1\njle %r0, 5, +1\nexit\nja loop',
    expect: (c) => assert.deepEqual(flagged(c.loopHeader), [1]),
  },
  {
    name: 'lddw: its second slot shares the first slot reachability',
    prog: 'lddw %r0, 0x123456789\nexit',
    expect: (c) => {
      assert.deepEqual(c.reachable, [true, true, true]);
      assert.deepEqual(c.postOrder, [2, 0]);
    },
  },
  {
    name: 'a jump over an lddw lands on the slot after it',
    prog: 'mov %r0, 0\njeq %r1, 0, +2\nlddw %r0, 5\nexit',
    expect: (c) => assert.deepEqual(flagged(c.jumpTarget), [4]),
  },
  {
    name: 'gotol (ja32) takes its target from imm',
    prog: [I(0x15, 1, 0, 1), GOTOL(1), MOV0, EXIT],
    expect: (c) => assert.deepEqual(flagged(c.jumpTarget), [2, 3]),
  },
  {
    name: 'may_goto: both edges are followed',
    prog: [MOV0, MAY_GOTO(1), I(0x07, 0, 0, 0, 1), EXIT],
    expect: (c) => assert.deepEqual(flagged(c.jumpTarget), [3]),
  },
  {
    name: 'helper calls and callx fall through',
    prog: 'mov %r1, 0\ncall 1\ncall %r1\nexit',
    expect: (c) => assert.equal(c.subprogs.length, 1),
  },
  {
    name: 'a bpf2bpf call makes a subprogram with its range and the call graph',
    prog: 'call local f\nexit\nf:\nmov %r0, 1\nexit',
    expect: (c) => {
      assert.deepEqual(
        c.subprogs.map((s) => [s.start, s.end, [...s.callees]]),
        [
          [0, 2, [1]],
          [2, 4, []],
        ],
      );
      assert.deepEqual(c.subprogOf, [0, 0, 1, 1]);
      assert.equal(c.maxCallFrames, 2);
    },
  },
  {
    name: 'two calls of one subprogram give one subprogram',
    prog: 'call local f\ncall local f\nexit\nf:\nexit',
    expect: (c) => assert.equal(c.subprogs.length, 2),
  },
  {
    name: 'nested calls count frames',
    prog: 'call local f\nexit\nf:\ncall local g\nexit\ng:\nexit',
    expect: (c) => assert.equal(c.maxCallFrames, 3),
  },
  {
    name: `a chain of ${MAX_CALL_FRAMES} frames is the most allowed`,
    prog: chain(MAX_CALL_FRAMES),
    expect: (c) => assert.equal(c.maxCallFrames, MAX_CALL_FRAMES),
  },
  {
    name: 'a loop inside a subprogram is recorded there',
    prog: 'call local f\nexit\nf:\nmov %r0, 0\nl:\nadd %r0, 1\njlt %r0, 4, l\nexit',
    expect: (c) => assert.deepEqual(c.backEdges, [{ from: 4, to: 3 }]),
  },
  {
    name: 'a subprogram may end with an unconditional jump',
    prog: 'call local f\nexit\nf:\nmov %r0, 0\njeq %r1, 0, +1\nexit\nja -4',
    expect: (c) => assert.deepEqual(flagged(c.loopHeader), [2]),
  },
  {
    name: 'a BPF_PSEUDO_FUNC lddw makes a callback subprogram',
    prog: [...FUNC(3), MOV0, EXIT, MOV0, EXIT],
    expect: (c) => {
      assert.deepEqual(
        c.subprogs.map((s) => [s.start, s.isCallback]),
        [
          [0, false],
          [4, true],
        ],
      );
      assert.deepEqual(c.subprogs[0]?.callees, []);
    },
  },
  {
    name: `${BPF_MAX_SUBPROGS} subprograms are the most allowed`,
    prog: fan(BPF_MAX_SUBPROGS - 1),
    expect: (c) => assert.equal(c.subprogs.length, BPF_MAX_SUBPROGS),
  },
  { name: 'a diamond of jumps', prog: 'jeq %r1, 0, +2\nmov %r0, 1\nja +1\nmov %r0, 2\nexit', expect: ok },

  // ---------------------------------------------------------------- refused
  { name: 'no instruction', prog: [], expect: ['V011_EMPTY_PROGRAM', 0] },
  { name: 'no exit at the end', prog: 'mov %r0, 0', expect: ['V002_LAST_INSN_NOT_EXIT', 0] },
  {
    name: 'a conditional jump as last slot',
    prog: 'mov %r0, 0\njeq %r1, 0, -2',
    expect: ['V002_LAST_INSN_NOT_EXIT', 1],
  },
  { name: 'a call as last slot', prog: 'mov %r0, 0\ncall 1', expect: ['V002_LAST_INSN_NOT_EXIT', 1] },
  { name: 'an lddw as the last pair', prog: [MOV0, ...LDDW()], expect: ['V002_LAST_INSN_NOT_EXIT', 2] },
  { name: 'an lddw without its second half', prog: [MOV0, I(0x18)], expect: ['V005_LDDW_TRUNCATED', 1] },
  { name: 'a jump past the end', prog: 'jeq %r1, 0, +5\nexit', expect: ['V001_JUMP_OUT_OF_RANGE', 0] },
  { name: 'a jump before the start', prog: 'mov %r0, 0\nja -3\nexit', expect: ['V001_JUMP_OUT_OF_RANGE', 1] },
  { name: 'gotol past the end', prog: [GOTOL(7), EXIT], expect: ['V001_JUMP_OUT_OF_RANGE', 0] },
  { name: 'may_goto past the end', prog: [MAY_GOTO(3), EXIT], expect: ['V001_JUMP_OUT_OF_RANGE', 0] },
  {
    name: 'a jump from the main program into a subprogram',
    prog: 'call local f\njeq %r1, 0, f\nexit\nf:\nexit',
    expect: ['V001_JUMP_OUT_OF_RANGE', 1],
  },
  {
    name: 'a jump from a subprogram back into the main program',
    prog: 'call local f\nexit\nf:\nja -3\nexit',
    expect: ['V001_JUMP_OUT_OF_RANGE', 2],
  },
  {
    name: 'the main program falling through into a subprogram',
    prog: 'call local f\nmov %r0, 0\nf:\nexit',
    expect: ['V002_LAST_INSN_NOT_EXIT', 1],
  },
  {
    name: 'a subprogram ending in a conditional jump',
    prog: 'call local f\nexit\nf:\nmov %r0, 0\njeq %r1, 0, -2',
    expect: ['V002_LAST_INSN_NOT_EXIT', 3],
  },
  { name: 'a call past the end', prog: [CALL(5), EXIT], expect: ['V003_CALL_OUT_OF_RANGE', 0] },
  { name: 'a call before the start', prog: [MOV0, CALL(-3), EXIT], expect: ['V003_CALL_OUT_OF_RANGE', 1] },
  {
    name: 'a call into the second slot of an lddw',
    prog: [CALL(2), EXIT, ...LDDW(), EXIT],
    expect: ['V004_CALL_INTO_LDDW', 0],
  },
  {
    name: 'a function pointer past the end',
    prog: [...FUNC(9), EXIT],
    expect: ['V003_CALL_OUT_OF_RANGE', 0],
  },
  {
    name: 'a function pointer into the second slot of an lddw',
    prog: [...FUNC(3), EXIT, ...LDDW(), EXIT],
    expect: ['V004_CALL_INTO_LDDW', 0],
  },
  {
    name: `${BPF_MAX_SUBPROGS + 1} subprograms`,
    prog: fan(BPF_MAX_SUBPROGS),
    expect: ['V006_TOO_MANY_SUBPROGS', BPF_MAX_SUBPROGS - 1],
  },
  {
    name: `a chain of ${MAX_CALL_FRAMES + 1} frames: refused at the call making the extra frame`,
    prog: chain(MAX_CALL_FRAMES + 1),
    expect: ['V007_CALL_STACK_TOO_DEEP', 2 * (MAX_CALL_FRAMES - 1)],
  },
  {
    name: 'a subprogram calling itself',
    prog: 'call local f\nexit\nf:\ncall local f\nexit',
    expect: ['V008_RECURSIVE_CALL', 2],
  },
  {
    name: 'the main program calling itself',
    prog: 'mov %r0, 0\ncall local -2\nexit',
    expect: ['V008_RECURSIVE_CALL', 1],
  },
  {
    name: 'mutual recursion',
    prog: 'call local f\nexit\nf:\ncall local g\nexit\ng:\ncall local f\nexit',
    expect: ['V008_RECURSIVE_CALL', 4],
  },
  { name: 'code after exit', prog: 'exit\nmov %r0, 0\nexit', expect: ['V009_UNREACHABLE_INSN', 1] },
  {
    name: 'code jumped over',
    prog: 'mov %r0, 0\nja +1\nmov %r0, 1\nexit',
    expect: ['V009_UNREACHABLE_INSN', 2],
  },
  {
    name: 'a subprogram called only from dead code',
    prog: 'exit\ncall local f\nexit\nf:\nexit',
    expect: ['V009_UNREACHABLE_INSN', 1],
  },
  {
    name: 'dead code inside a subprogram',
    prog: 'call local f\nexit\nf:\nexit\nmov %r0, 1\nexit',
    expect: ['V009_UNREACHABLE_INSN', 3],
  },
  {
    name: 'a conditional jump into the middle of an lddw',
    prog: [I(0x15, 1, 0, 1), ...LDDW(), EXIT],
    expect: ['V010_JUMP_INTO_LDDW', 0],
  },
  {
    name: 'ja into the middle of an lddw',
    prog: [...LDDW(), I(0x05, 0, 0, -2), EXIT],
    expect: ['V010_JUMP_INTO_LDDW', 2],
  },
  {
    name: 'may_goto into the middle of an lddw',
    prog: [MAY_GOTO(1), ...LDDW(), EXIT],
    expect: ['V010_JUMP_INTO_LDDW', 0],
  },
];

const program = (p: string | Insn[]): Insn[] => (typeof p === 'string' ? assembleUbpf(p) : p);

test('the case table holds at least 40 programs, accepted and refused', () => {
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
  assert.ok(CASES.filter((c) => typeof c.expect === 'function').length >= 15);
  assert.ok(CASES.filter((c) => typeof c.expect !== 'function').length >= 25);
});

for (const c of CASES) {
  const { expect } = c;
  if (typeof expect === 'function') {
    test(`accepts ${c.name}`, () => {
      const insns = program(c.prog);
      checkInsns(insns); // the table's programs are well-formed slot by slot
      expect(checkProgramStructure(insns));
    });
  } else {
    test(`refuses ${c.name} (${expect[0]} at insn ${expect[1]})`, () => {
      const insns = program(c.prog);
      assert.throws(
        () => checkProgramStructure(insns),
        (e: unknown) => {
          assert.ok(e instanceof VerifierError, String(e));
          assert.deepEqual([e.code, e.index], [...expect], e.message);
          assert.match(e.message, /^insn \d+: .*expected/);
          return true;
        },
      );
    });
  }
}

test('messages use the kernel wording', () => {
  const msg = (p: string | Insn[]): string => {
    try {
      checkProgramStructure(program(p));
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  assert.match(msg('jeq %r1, 0, +5\nexit'), /jump out of range from insn 0 to 6/);
  assert.match(msg('exit\nmov %r0, 0\nexit'), /unreachable insn 1/);
  assert.match(msg('mov %r0, 0'), /last insn is not an exit or jmp/);
  assert.match(msg([I(0x15, 1, 0, 1), ...LDDW(), EXIT]), /jump into the middle of ldimm64 insn 1/);
  assert.match(msg(chain(MAX_CALL_FRAMES + 1)), /the call stack of 9 frames is too deep/);
});

/* ------------------------------------------------------------------ compiled objects */

function objectFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return objectFiles(p);
    return f.endsWith('.o') ? [p] : [];
  });
}

/** Fixtures made to be refused by parseObject itself (see test/object-errors.test.ts). */
const UNPARSABLE = new Set([
  'reject_callback.o',
  'reject_core.o',
  'reject_dataptr.o',
  'reject_extern.o',
  'reject_kfunc.o',
  'reject_pinning.o',
  'reject_values.o',
]);

test("every program of every C-compiled object in the repo passes (the verifier's reject fixtures aside)", () => {
  const files = [...objectFiles(join(ROOT, 'test', 'fixtures')), ...objectFiles(join(ROOT, 'examples'))];
  let programs = 0;
  let calls = 0;
  let loops = 0;
  for (const f of files) {
    const base = f.slice(f.lastIndexOf('/') + 1);
    if (UNPARSABLE.has(base)) {
      assert.throws(() => parseObject(readFileSync(f)), /./, f);
      continue;
    }
    // The verifier's reject fixtures include call graphs refused here on purpose (V007, V008).
    if (f.includes('/fixtures/verifier/rej_')) continue;
    for (const p of parseObject(readFileSync(f)).programs) {
      const cfg = checkProgramStructure(p.insns);
      // The object's own function table agrees with the subprograms found from the calls.
      assert.deepEqual(
        cfg.subprogs.map((s) => s.start),
        p.funcs.map((fn) => fn.insnIndex),
        `${f} ${p.name}`,
      );
      programs++;
      if (cfg.subprogs.length > 1) calls++;
      if (cfg.backEdges.length > 0) loops++;
    }
  }
  assert.ok(programs >= 25, `${programs} programs`);
  assert.ok(calls >= 3 && loops >= 2, `${calls} with subprograms, ${loops} with loops`);
});

/* ------------------------------------------------------------------ conformance */

/**
 * Conformance programs the kernel would refuse structurally, with the expected code. None: every
 * tests/*.data program is reachable end to end, keeps its jumps inside its functions and ends each
 * function with exit or ja (checked below; callx, `call runtime` and the runtime-error programs
 * are refused later by the kernel, not by this pass).
 */
const STRUCTURALLY_REFUSED: ReadonlyMap<string, VerifierErrorCode> = new Map();

test('the bpf_conformance programs pass the structural checks', () => {
  const files = readdirSync(CONFORMANCE).filter((f) => f.endsWith('.data'));
  assert.ok(files.length >= 300, `${files.length} files`);
  let withCalls = 0;
  for (const f of files) {
    const data = parseConformanceData(readFileSync(join(CONFORMANCE, f), 'utf8'));
    const insns = data.raw ?? assembleUbpf(data.asm ?? '');
    const refused = STRUCTURALLY_REFUSED.get(f);
    if (refused !== undefined) {
      assert.throws(() => checkProgramStructure(insns), { code: refused }, f);
      continue;
    }
    const cfg = checkProgramStructure(insns);
    assert.ok(
      cfg.reachable.every((r) => r),
      f,
    );
    // The post-order lists every instruction start once; a jump's target comes before the jump
    // unless the edge is a back-edge.
    const starts = insns.flatMap((_x, i) => (i > 0 && insns[i - 1]?.code === 0x18 ? [] : [i]));
    assert.deepEqual(
      [...cfg.postOrder].sort((x, y) => x - y),
      starts,
      f,
    );
    const pos = new Map(cfg.postOrder.map((i, k) => [i, k]));
    const back = new Set(cfg.backEdges.map((e) => `${e.from}>${e.to}`));
    insns.forEach((x, i) => {
      const cls = x.code & 7;
      if (!pos.has(i) || (cls !== 5 && cls !== 6) || x.code === 0x95 || (x.code & 0xf0) === 0x80) return;
      const t = i + (x.code === 0x06 ? x.imm : x.off) + 1;
      if (!back.has(`${i}>${t}`)) assert.ok(pos.get(t)! < pos.get(i)!, `${f}: ${i} -> ${t}`);
    });
    if (cfg.subprogs.length > 1) withCalls++;
  }
  assert.ok(withCalls >= 1, 'some conformance program calls a local function');
});
