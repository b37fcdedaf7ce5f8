/**
 * The verifier log's format, fixed by golden files (test/golden/verifier/; UPDATE_GOLDEN=1
 * rewrites them): levels 0, 1 and 2 on an accepted and a refused program, every message from the
 * numbered table with a hint, and `uring-bpf verify` on the project's objects.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { assembleLlvm } from '../src/ebpf/asm/llvm.js';
import type { Insn } from '../src/ebpf/insn.js';
import { MapTable } from '../src/ebpf/maps/table.js';
import type { LogLevel } from '../src/ebpf/verifier/api.js';
import { VerifierError, type VerifierErrorCode } from '../src/ebpf/verifier/errors.js';
import { mapInfo } from '../src/ebpf/verifier/map-info.js';
import { formatMessage, MESSAGES, messageNumber } from '../src/ebpf/verifier/messages.js';
import { IOURING_PROG_TYPE } from '../src/ebpf/verifier/prog-types.js';
import { verify } from '../src/ebpf/verifier/verify.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { BPF_MAP_TYPE_ARRAY, BPF_PSEUDO_MAP_FD } from '../src/uapi/bpf.js';
import { iouringRegistry } from '../src/uring/bpf/load.js';
import { goldenChecker } from './golden.js';
import { repoRoot } from './helpers.js';

const golden = goldenChecker('verifier');

const mem = new AddressSpace();
const table = new MapTable(mem);
const counts = table.create({
  type: BPF_MAP_TYPE_ARRAY,
  keySize: 4,
  valueSize: 8,
  maxEntries: 4,
  name: 'counts',
});
const { helpers } = iouringRegistry(table);

/** LLVM-syntax assembly; `r1 = MAP ll` loads the `counts` map. */
function asm(text: string): Insn[] {
  const insns = assembleLlvm(text.replaceAll('MAP ll', '0x7eadbeef ll'));
  return insns.map((i) =>
    i.code === 0x18 && i.imm === 0x7eadbeef ? { ...i, src: BPF_PSEUDO_MAP_FD, imm: counts.id } : i,
  );
}

const run = (insns: Insn[], logLevel: LogLevel) =>
  verify(insns, {
    helpers,
    progType: IOURING_PROG_TYPE,
    map: (id) => (id === counts.id ? mapInfo(counts) : undefined),
    logLevel,
    lineInfo: [
      { insnIndex: 0, file: 'count.bpf.c', line: 10, column: 2, text: '\t__u32 key = 0;' },
      {
        insnIndex: 3,
        file: 'count.bpf.c',
        line: 11,
        column: 15,
        text: '\t__u64 *v = bpf_map_lookup_elem(&counts, &key);',
      },
      { insnIndex: 8, file: 'count.bpf.c', line: 12, column: 5, text: '\t*v += 1;' },
    ],
  });

const COUNT = `r6 = r1
r1 = 0
*(u32 *)(r10 - 4) = r1
r1 = MAP ll
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 0)
r1 += 1
*(u64 *)(r0 + 0) = r1
out:
r0 = 0
exit`;

/** The same program without its NULL check: the load at insn 8 is refused. */
const COUNT_NO_CHECK = COUNT.replace('if r0 == 0 goto out\n', '').replace('out:\n', '');

test('an accepted program: level 2 logs every instruction with the state after it, and the branch resumed', () => {
  const r = run(asm(COUNT), 2);
  golden('count.accept.level2.txt', r.log);
  assert.match(r.log, /^processed 14 insns \(limit 1000000\)/m);
  assert.equal(run(asm(COUNT), 0).log, '', 'level 0 logs nothing for an accepted program');
  assert.match(
    run(asm(COUNT), 1).log,
    /^processed \d+ insns/,
    'level 1: only the summary when all paths pass',
  );
});

for (const level of [0, 1, 2] as const) {
  test(`a refused program at log level ${level}: the instruction, message, registers, source line and fix`, () => {
    let err: unknown;
    try {
      run(asm(COUNT_NO_CHECK), level);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof VerifierError);
    assert.equal(err.code, 'V031_NULL_DEREF');
    assert.equal(err.index, 8);
    golden(`count.nullderef.level${level}.txt`, err.log);
    assert.match(err.log, /^R0 invalid mem access 'map_value_or_null'/m);
    assert.match(err.log, /^ {2}R0=map_value_or_null\(id=\d+,map=counts,ks=4,vs=8\)$/m);
    assert.match(err.log, /^ {2}source: count\.bpf\.c:12:5: \*v \+= 1;$/m);
    assert.match(err.log, /^ {2}fix \(V031_NULL_DEREF\): Compare the pointer with NULL/m);
    assert.match(err.log, /^8: \(79\) r1 = \*\(u64 \*\)\(r0 \+ 0x0\)$/m, 'the refused instruction');
    if (level >= 1) assert.match(err.log, /^7: \(85\) call 0x1/m, 'the failing path lists its instructions');
    else assert.doesNotMatch(err.log, /^7: /m);
  });
}

test('every message of the numbered table has a unique number, a template and a one-sentence hint', () => {
  const codes = Object.keys(MESSAGES) as VerifierErrorCode[];
  const numbers = codes.map(messageNumber);
  assert.equal(new Set(numbers).size, codes.length);
  for (const c of codes) {
    assert.match(c, /^V\d{3}_[A-Z0-9_]+$/);
    const { text, hint } = MESSAGES[c];
    assert.ok(text.length > 0, c);
    assert.match(hint, /^[A-Z].*[.;)]$/, `${c}: a sentence`);
  }
  assert.equal(formatMessage('V020_UNINIT_REG', { reg: 3 }), 'R3 !read_ok');
  assert.equal(
    formatMessage('V050_UNKNOWN_HELPER', {}),
    'invalid func unknown#{id}',
    'a missing parameter stays visible',
  );
});

/** `uring-bpf verify` as the shell runs it: exit code and output. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['verify', ...args], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

test('uring-bpf verify passes every program of the RFC object and prints its statistics', async () => {
  const r = await cli([join(repoRoot(), 'examples/rfc/uring.bpf.o')]);
  assert.equal(r.code, 0, r.err);
  for (const p of ['test', 'counting', 'pingpong', 'write_file']) {
    assert.match(
      r.out,
      new RegExp(
        `^${p}: OK \\(\\d+ insns, processed \\d+, states \\d+, peak \\d+, stack \\d+ bytes, [\\d.]+ ms\\)$`,
        'm',
      ),
    );
  }
});

test('uring-bpf verify --prog picks one program; --log-level 2 prints its log; bad usage exits 2', async () => {
  const obj = join(repoRoot(), 'examples/rfc/uring.bpf.o');
  const one = await cli([obj, '--prog', 'counting', '--log-level', '2']);
  assert.equal(one.code, 0);
  assert.match(one.out, /^func#counting @0$/m);
  assert.match(one.out, /^counting: OK/m);
  assert.doesNotMatch(one.out, /^pingpong: /m);
  const missing = await cli([obj, '--prog', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no io_uring program 'nope' \(programs: test, counting, pingpong, write_file\)/);
  assert.equal((await cli([obj, '--log-level', '3'])).code, 2);
  assert.equal((await cli([])).code, 2);
  assert.equal((await cli([obj, '--bogus'])).code, 2);
  const notElf = await cli([join(repoRoot(), 'package.json')]);
  assert.equal(notElf.code, 1);
  assert.match(notElf.err, /E_ELF|ELF/);
});
