/**
 * The verifier against the assembly case table (verifier-asm-cases-*.ts): each case is accepted,
 * or refused with its code at its slot (and, for some, a message naming what was expected and
 * found). Also: the table covers every rejection code, and VerifyResult's statistics are plausible.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disassemble } from '../src/ebpf/disasm.js';
import type { Insn } from '../src/ebpf/insn.js';
import { VerifierError, type VerifierErrorCode } from '../src/ebpf/verifier/errors.js';
import { MESSAGES, messageNumber } from '../src/ebpf/verifier/messages.js';
import type { AsmCase } from './verifier-asm-cases.js';
import { CALL_CASES, RINGBUF_CASES, TAIL_CALL_CASES } from './verifier-asm-cases-calls.js';
import { EXIT_CASES, LOOP_CASES } from './verifier-asm-cases-flow.js';
import { HELPER_CASES } from './verifier-asm-cases-helpers.js';
import { ALIGN_CASES, DEREF_CASES, STACK_CASES } from './verifier-asm-cases-mem.js';
import {
  ALU_PROBE_CASES,
  FRAME_PROBE_CASES,
  HELPER_PROBE_CASES,
  MAP_PROBE_CASES,
  MISC_PROBE_CASES,
  NULL_PROBE_CASES,
  RELEASE_PROBE_CASES,
  SPILL_PROBE_CASES,
} from './verifier-asm-cases-probes.js';
import { LIVENESS_CASES, PRUNING_CASES } from './verifier-asm-cases-pruning.js';
import {
  INSN_CASES,
  PTR_ARITH_CASES,
  REG_CASES,
  SCALAR_CASES,
  STRUCTURE_CASES,
} from './verifier-asm-cases-regs.js';
import {
  ATOMIC_CASES,
  CTX_CASES,
  HELPER_MEM_CASES,
  LEAK_CASES,
  MAP_VALUE_CASES,
} from './verifier-asm-cases-values.js';
import { assembleCase, type VerifyCaseOptions, verifyAsm, verifyInsns } from './verifier-harness.js';

const TABLES: Readonly<Record<string, readonly AsmCase[]>> = {
  structure: STRUCTURE_CASES,
  insns: INSN_CASES,
  registers: REG_CASES,
  'pointer arithmetic': PTR_ARITH_CASES,
  scalars: SCALAR_CASES,
  deref: DEREF_CASES,
  stack: STACK_CASES,
  alignment: ALIGN_CASES,
  'map values': MAP_VALUE_CASES,
  'helper memory': HELPER_MEM_CASES,
  ctx: CTX_CASES,
  leaks: LEAK_CASES,
  atomics: ATOMIC_CASES,
  helpers: HELPER_CASES,
  ringbuf: RINGBUF_CASES,
  'tail calls': TAIL_CALL_CASES,
  calls: CALL_CASES,
  exit: EXIT_CASES,
  loops: LOOP_CASES,
  'probes: pruning': PRUNING_CASES,
  'probes: spills': SPILL_PROBE_CASES,
  'probes: scalars': ALU_PROBE_CASES,
  'probes: NULL checks': NULL_PROBE_CASES,
  'probes: release': RELEASE_PROBE_CASES,
  'probes: helpers': HELPER_PROBE_CASES,
  'probes: frames': FRAME_PROBE_CASES,
  'probes: misc': MISC_PROBE_CASES,
  'probes: liveness': LIVENESS_CASES,
  'probes: maps': MAP_PROBE_CASES,
};

const ALL: readonly AsmCase[] = Object.values(TABLES).flat();

/** Default of VerifyOptions.maxProcessed (BPF_COMPLEXITY_LIMIT_INSNS). */
const DEFAULT_MAX_PROCESSED = 1_000_000;

/* ------------------------------------------------------------------ local helpers */

const slotsOf = (c: AsmCase): readonly Insn[] => (typeof c.asm === 'string' ? assembleCase(c.asm) : c.asm);

function optionsOf(c: AsmCase): VerifyCaseOptions {
  return {
    ...(c.sleepable === undefined ? {} : { sleepable: c.sleepable }),
    ...(c.gpl === undefined ? {} : { gpl: c.gpl }),
    ...(c.maxProcessed === undefined ? {} : { maxProcessed: c.maxProcessed }),
    ...(c.progType === undefined ? {} : { progType: c.progType }),
  };
}

/** The program with slot numbers, for failure messages. */
function listing(insns: readonly Insn[]): string {
  try {
    return disassemble(insns, { bytes: false, annotations: false, zeroes: true }).join('\n');
  } catch {
    return '(no listing)';
  }
}

function describeError(e: VerifierError): string {
  return `${e.code} at ${e.index}: ${e.message}`;
}

function runCase(c: AsmCase): void {
  const insns = slotsOf(c);
  const where = `\nprogram:\n${listing(insns)}`;
  if (c.expect === 'accept') {
    let processed: number;
    try {
      processed = verifyInsns(insns, optionsOf(c)).processed;
    } catch (e) {
      if (e instanceof VerifierError)
        assert.fail(`expected accept, got ${describeError(e)}${where}\nlog:\n${e.log}`);
      throw e;
    }
    assert.ok(
      processed > 0 && processed <= (c.maxProcessed ?? DEFAULT_MAX_PROCESSED),
      `processed ${processed} is not plausible${where}`,
    );
    return;
  }
  assert.throws(
    () => verifyInsns(insns, optionsOf(c)),
    (e: unknown) => {
      assert.ok(e instanceof VerifierError, `expected a VerifierError ${c.expect}, got ${String(e)}${where}`);
      const got = describeError(e);
      assert.equal(
        e.code,
        c.expect,
        `expected ${c.expect}${c.at === undefined ? '' : ` at ${c.at}`}, got ${got}${where}`,
      );
      if (c.at !== undefined)
        assert.equal(e.index, c.at, `expected ${c.expect} at ${c.at}, got ${got}${where}`);
      if (c.message !== undefined) assert.match(e.message, c.message, `message of ${got}`);
      return true;
    },
    `expected ${c.expect}, the program was accepted${where}`,
  );
}

/* ------------------------------------------------------------------ the table */

for (const [topic, cases] of Object.entries(TABLES)) {
  for (const c of cases) {
    test(`${topic}: ${c.name}`, c.todo === undefined ? {} : { todo: c.todo }, () => runCase(c));
  }
}

/* ------------------------------------------------------------------ the table itself */

test('the table has at least 170 cases with distinct names', () => {
  assert.ok(ALL.length >= 170, `${ALL.length} cases`);
  const seen = new Set<string>();
  for (const c of ALL) {
    assert.ok(!seen.has(c.name), `duplicate case name '${c.name}'`);
    seen.add(c.name);
  }
});

test('every rejection code has cases: V001-V011 at least one, V012-V073 at least two', () => {
  const count = new Map<VerifierErrorCode, number>();
  for (const c of ALL) if (c.expect !== 'accept') count.set(c.expect, (count.get(c.expect) ?? 0) + 1);
  const missing = (Object.keys(MESSAGES) as VerifierErrorCode[]).filter(
    (code) => (count.get(code) ?? 0) < (messageNumber(code) <= 11 ? 1 : 2),
  );
  assert.deepEqual(missing, []);
});

test('every rejection names its slot, except the processed limit (whose slot depends on the walk)', () => {
  const unplaced = ALL.filter(
    (c) => c.expect !== 'accept' && c.expect !== 'V073_TOO_COMPLEX' && c.at === undefined,
  );
  assert.deepEqual(
    unplaced.map((c) => c.name),
    [],
  );
});

test('case names say what is expected: accepts ..., or rejects ... (Vnnn)', () => {
  for (const c of ALL) {
    if (c.expect === 'accept') assert.match(c.name, /^accepts /, c.name);
    else assert.match(c.name, new RegExp(`^rejects .*\\(${c.expect.slice(0, 4)}\\)$`), c.name);
  }
});

test('the harness turns map placeholders into pseudo lddws with the map id and value offset', () => {
  const insns = assembleCase('r1 = map[arr] ll\nr2 = map_value[data]+8 ll\nr3 = map[#99] ll\nexit');
  assert.deepEqual(
    insns.map((i) => [i.code, i.dst, i.src, i.imm]),
    [
      [0x18, 1, 1, insns[0]!.imm],
      [0, 0, 0, 0],
      [0x18, 2, 2, insns[2]!.imm],
      [0, 0, 0, 8],
      [0x18, 3, 1, 99],
      [0, 0, 0, 0],
      [0x95, 0, 0, 0],
    ],
  );
  assert.notEqual(insns[0]!.imm, insns[2]!.imm);
});

/* ------------------------------------------------------------------ statistics */

test('processed counts each instruction of straight-line code once', () => {
  assert.equal(verifyAsm('r0 = 0\nr1 = 1\nr1 += 2\nexit').processed, 4);
});

test('processed grows with the iterations of a bounded loop', () => {
  const loop = (n: number): number =>
    verifyAsm(`r0 = 0\nr2 = 0\nl:\nr2 += 1\nif r2 < ${n} goto l\nexit`).processed;
  const ten = loop(10);
  const hundred = loop(100);
  assert.ok(ten >= 20 && ten < 100, `10 iterations: processed ${ten}`);
  assert.ok(hundred >= 200 && hundred < 1000, `100 iterations: processed ${hundred}`);
  assert.ok(hundred > ten, `${hundred} > ${ten}`);
});

test('both edges of a branch are processed', () => {
  const r = verifyAsm('r0 = 0\nr2 = *(u32 *)(r1 + 8)\nif r2 == 0 goto +1\nr3 = 1\nexit');
  assert.ok(r.processed >= 5, `processed ${r.processed}`);
});

test('stackDepth gives each function its stack use', () => {
  const r = verifyAsm(
    '*(u64 *)(r10 - 16) = 0\ncall f\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 64) = 0\nr0 = 0\nexit',
  );
  assert.equal(r.stackDepth.length, 2);
  assert.ok(r.stackDepth[0]! >= 16 && r.stackDepth[0]! <= 32, `main: ${r.stackDepth[0]}`);
  assert.ok(r.stackDepth[1]! >= 64 && r.stackDepth[1]! <= 64 + 32, `f: ${r.stackDepth[1]}`);
});
