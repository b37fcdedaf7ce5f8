/**
 * The bpf_conformance suite through the interpreter (src/ebpf/conformance.ts): every test vector
 * passes, every negative is rejected at the stage its kind calls for; the .data parser and the
 * verdict rules on small texts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type ConformanceStage,
  conformanceHelpers,
  formatConformance,
  runConformance,
  runConformanceText,
} from '../src/ebpf/conformance.js';
import { ConformanceParseError, parseConformanceData } from '../src/ebpf/conformance-data.js';
import { releaseInterpreter } from '../src/ebpf/interp.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { repoRoot } from './helpers.js';

const CONFORMANCE = join(repoRoot(), '..', 'shared', 'conformance', 'bpf');

/* ------------------------------------------------------------------ the whole suite */

const report = runConformance(CONFORMANCE, { engine: 'interp' });
const text = formatConformance(report);

test('every conformance test passes with the interpreter (313/313)', () => {
  const failed = report.outcomes.filter((o) => o.kind === 'test' && !o.passed);
  assert.equal(
    failed.length,
    0,
    `failed:\n${failed.map((o) => `${o.file}: expected ${o.expected}, got ${o.got}`).join('\n')}`,
  );
  assert.deepEqual(report.tests, { passed: 313, failed: 0 });
});

test('every negative is rejected (60/60)', () => {
  const accepted = report.outcomes.filter((o) => o.kind === 'negative' && !o.passed);
  assert.equal(accepted.length, 0, `accepted:\n${accepted.map((o) => `${o.file}: ${o.got}`).join('\n')}`);
  assert.deepEqual(report.negatives, { passed: 60, failed: 0 });
  assert.deepEqual(report.total, { passed: 373, failed: 0 });
});

/** Where each negative must be stopped, by file name; the rest are assembler self-tests. */
const NEGATIVE_STAGE: [RegExp, ConformanceStage][] = [
  [/^unused-/, 'load'], // non-zero unused field: checkInsns
  [/^empty(_instructions)?\.data$/, 'parse'], // no program
  [/^invalid_unknown_directive\.data$/, 'parse'],
  [/^error\.data$/, 'ok'], // runs, but an error was expected
  [/^incorrect_return_value_high_bits\.data$/, 'ok'], // runs, r0 differs from the (wrong) expectation
  [/^invalid_/, 'assemble'],
];

test('each negative is rejected at the stage its kind calls for, for the right reason', () => {
  for (const o of report.outcomes.filter((x) => x.kind === 'negative')) {
    const name = o.file.replace(/^negative\//, '');
    const stage = NEGATIVE_STAGE.find(([re]) => re.test(name))?.[1];
    assert.ok(stage !== undefined, `${name}: no expected stage`);
    assert.equal(o.stage, stage, `${name}: ${o.got}`);
  }
  const byName = (n: string) => report.outcomes.find((o) => o.file === `negative/${n}`)!;
  assert.equal(byName('incorrect_return_value_high_bits.data').got, 'r0 = 0x8877665544332211');
  assert.match(byName('unused-call-dst.data').got, /call: expected dst 0, found 0x01/);
  assert.match(byName('invalid_register.data').got, /line 4, column 9: .*%r50/);
});

test('the report text lists each negative and ends with "N passed, N failed"', () => {
  const lines = text.split('\n');
  assert.equal(lines.at(-1), '373 passed, 0 failed');
  assert.equal(lines.filter((l) => l.startsWith('rejected negative/')).length, 60);
  assert.ok(!lines.some((l) => l.startsWith('FAIL ')), text);
});

/* ------------------------------------------------------------------ parser */

test('.data parsing: sections, comments, raw words and byte lines, raw beside asm, mem, result', () => {
  const d = parseConformanceData(
    [
      '# header comment',
      '-- asm',
      'mov %r0, 1 # comment kept for the assembler',
      'exit',
      '-- raw',
      '0xb7 # a word',
      '149',
      'b7 00 00 00 02 00 00 00',
      '-- mem',
      '00 ff',
      '1a',
      '-- c',
      'int main() { return i--; }',
      '-- result',
      '0x1',
      '',
      '0x10 # last non-empty line wins',
    ].join('\n'),
  );
  assert.equal(d.asm, 'mov %r0, 1 # comment kept for the assembler\nexit');
  assert.equal(d.asmLine, 3);
  assert.deepEqual(
    d.raw?.map((i) => i.code),
    [0xb7, 0x95, 0xb7],
  );
  assert.equal(d.raw?.[2]?.imm, 2);
  assert.deepEqual([...d.mem], [0x00, 0xff, 0x1a]);
  assert.equal(d.result, 0x10n);
  assert.equal(d.error, null);
});

test('.data parsing: decimal and negative results, empty and texted error sections', () => {
  const cases: [string, bigint | null, string | null][] = [
    ['-- result\n42', 42n, null],
    ['-- result\n-1', 0xffff_ffff_ffff_ffffn, null],
    ['-- result\n0xFFFFFFFFFFFFFFFF', 0xffff_ffff_ffff_ffffn, null],
    ['-- error\n', null, ''],
    ['-- error\nInvalid thing\n', null, 'Invalid thing'],
  ];
  for (const [t, result, error] of cases) {
    const d = parseConformanceData(t);
    assert.equal(d.result, result, t);
    assert.equal(d.error, error, t);
    assert.equal(d.asm, null);
    assert.equal(d.raw, null);
  }
});

test('.data parsing errors name the line: unknown section, bad tokens, text before a section', () => {
  const cases: [string, number, RegExp][] = [
    ['-- asm\nexit\n-- Unknown directive', 3, /unknown section '-- Unknown directive'/],
    ['-- raw\n0xzz', 2, /raw: expected a 0x hex or decimal word, found '0xzz'/],
    ['-- raw\n0x10000000000000000', 2, /does not fit in 64 bits/],
    ['-- mem\n100', 2, /mem: expected a hex byte, found '100'/],
    ['-- result\nabc', 2, /result: expected a hex \(0x\) or decimal number, found 'abc'/],
    ['exit', 1, /text 'exit' before any section/],
  ];
  for (const [t, line, re] of cases) {
    assert.throws(
      () => parseConformanceData(t),
      (e: unknown) => e instanceof ConformanceParseError && e.line === line && re.test(e.message),
      t,
    );
  }
});

/* ------------------------------------------------------------------ verdicts */

test('verdicts: result compared on 64 bits, errors expected only with text and only from load or run', () => {
  const mem = new AddressSpace({ size: 1 << 20 });
  const helpers = conformanceHelpers();
  const cases: [name: string, text: string, passed: boolean, stage: ConformanceStage][] = [
    ['result matches', '-- asm\nmov %r0, 3\nexit\n-- result\n3', true, 'ok'],
    ['full 64 bits compared', '-- asm\nmov %r0, -1\nexit\n-- result\n0xffffffff', false, 'ok'],
    ['no result means 0', '-- asm\nmov %r0, 0\nexit', true, 'ok'],
    [
      'mem copy in r1, length in r2',
      '-- asm\nldxb %r0, [%r1+2]\nadd %r0, %r2\nexit\n-- mem\n01 02 03\n-- result\n6',
      true,
      'ok',
    ],
    ['helper 5 returns r1', '-- asm\nmov %r1, 9\ncall 5\nexit\n-- result\n9', true, 'ok'],
    ['expected error from load', '-- raw\n0x0000000100000005\n0x95\n-- error\nbad', true, 'load'],
    ['expected error from run', '-- asm\nldxb %r0, [%r1]\nexit\n-- error\nfault', true, 'run'],
    ['empty error section is no expectation', '-- raw\n0x0000000100000005\n0x95\n-- error\n', false, 'load'],
    ['assembler failure never passes', '-- asm\nbogus\n-- error\nInvalid', false, 'assemble'],
    ['unexpected run fault fails', '-- asm\nldxb %r0, [%r1]\nexit\n-- result\n0', false, 'run'],
    ['no program fails', '-- result\n0', false, 'parse'],
  ];
  for (const [name, t, passed, stage] of cases) {
    const o = runConformanceText(t, mem, helpers);
    assert.equal(o.passed, passed, `${name}: ${o.got}`);
    assert.equal(o.stage, stage, `${name}: ${o.got}`);
  }
  releaseInterpreter(mem);
  assert.equal(mem.liveAllocations, 0, 'mem copies are freed');
});

test('runConformance on a directory without .data files is a RangeError', () => {
  assert.throws(() => runConformance(join(CONFORMANCE, 'no-such-dir')), RangeError);
});
