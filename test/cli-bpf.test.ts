/** The eBPF commands of uring-bpf: asm, disasm, conformance (their output, errors and exit codes). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../src/cli/main.js';
import { decodeInsns } from '../src/ebpf/insn.js';
import { repoRoot } from './helpers.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'uring-bpf-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LOOP_LLVM = [
  'r0 = 0x0',
  'r1 = 0x5',
  'LBB0_1:',
  'r0 += r1',
  'r1 += -0x1',
  'if r1 != 0x0 goto LBB0_1',
  'exit',
];
const LOOP_UBPF = [
  'mov %r0, 0',
  'mov %r1, 5',
  'loop:',
  'add %r0, %r1',
  'add %r1, -1',
  'jne %r1, 0, loop',
  'exit',
];

test('asm writes raw slots (syntax detected from the text) and disasm prints them like llvm-objdump -d', async () => {
  for (const [name, lines] of [
    ['loop.s', LOOP_LLVM],
    ['loop.asm', LOOP_UBPF],
  ] as const) {
    const src = join(dir, name);
    writeFileSync(src, `${lines.join('\n')}\n`);
    const a = await run(['asm', src]);
    assert.equal(a.code, 0, a.err);
    const bin = src.replace(/\.[^.]+$/, '.bin');
    assert.match(a.out, /6 slots/);
    const bytes = readFileSync(bin);
    assert.equal(bytes.length, 48);
    assert.equal(decodeInsns(bytes)[4]!.off, -3, 'the loop jumps back 3 slots');
    const d = await run(['disasm', bin]);
    assert.equal(d.code, 0, d.err);
    assert.deepEqual(d.out.split('\n').slice(2, 5), [
      '       2:\t0f 10 00 00 00 00 00 00\tr0 += r1',
      '       3:\t07 01 00 00 ff ff ff ff\tr1 += -0x1',
      '       4:\t55 01 fd ff 00 00 00 00\tif r1 != 0x0 goto -0x3 <.text+0x10>',
    ]);
    const bare = await run(['disasm', '--no-addresses', bin]);
    assert.equal(bare.out.split('\n')[0], 'r0 = 0x0');
  }
});

test('asm -o names the output; disasm output assembles back to the same bytes', async () => {
  const src = join(dir, 'in.s');
  writeFileSync(src, `${LOOP_LLVM.join('\n')}\n`);
  const out1 = join(dir, 'one.o');
  assert.equal((await run(['asm', src, '-o', out1])).code, 0);
  const listing = join(dir, 'listing.s');
  writeFileSync(listing, (await run(['disasm', out1])).out);
  const out2 = join(dir, 'two.o');
  const again = await run(['asm', listing, '-o', out2, '--syntax', 'llvm']);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(readFileSync(out2), readFileSync(out1));
});

// argv -> exit code and what stderr must say.
for (const [argv, code, err] of [
  [['asm'], 2, /expected one input file/],
  [['asm', 'x.s', '--syntax', 'intel'], 2, /--syntax must be llvm or ubpf, found 'intel'/],
  [['asm', 'x.s', '-o'], 2, /-o needs a value/],
  [['asm', '/nonexistent/x.s'], 1, /cannot read \/nonexistent\/x.s/],
  [['disasm'], 2, /expected one input file, found 0/],
  [['disasm', '--bogus', 'x'], 2, /unknown option '--bogus'/],
  [['conformance'], 2, /expected one directory, found 0/],
  [['conformance', '/nonexistent'], 2, /is not a directory/],
  [['conformance', '.', '--engine', 'ebpf'], 2, /unknown engine 'ebpf' \(available: jit, interp\)/],
] as const) {
  test(`${argv.join(' ')} exits ${code}: ${err.source}`, async () => {
    const r = await run([...argv]);
    assert.equal(r.code, code);
    assert.match(r.err, err);
  });
}

test('asm reports a syntax error with file, line and column and exits 1, writing nothing', async () => {
  const src = join(dir, 'bad.asm');
  writeFileSync(src, 'mov %r0, 1\nbogus %r1\n');
  const r = await run(['asm', src]);
  assert.equal(r.code, 1);
  assert.match(r.err, /bad\.asm: line 2, column 1: .*'bogus'.*\[E_ASM_MNEMONIC\]/);
  assert.throws(() => readFileSync(join(dir, 'bad.bin')), /ENOENT/);
});

test('disasm refuses a file that is not whole slots, and a truncated ELF object, with exit 1', async () => {
  const odd = join(dir, 'odd.bin');
  writeFileSync(odd, Buffer.alloc(12));
  const r = await run(['disasm', odd]);
  assert.equal(r.code, 1);
  assert.match(r.err, /multiple of 8 bytes, found 0xc bytes/);
  const elf = join(dir, 'obj.o');
  writeFileSync(elf, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
  const e = await run(['disasm', elf]);
  assert.equal(e.code, 1);
  assert.match(e.err, /obj\.o: E_ELF_TRUNCATED: .*expected a file header of 0x40 bytes, found 0x8/);
});

test('conformance runs the whole shared suite: 313/313 tests, 60/60 negatives, last line "373 passed, 0 failed"', async () => {
  const suite = join(repoRoot(), '..', 'shared', 'conformance', 'bpf');
  const r = await run(['conformance', suite]);
  assert.equal(r.code, 0, r.out.slice(-2000));
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.at(-1), '373 passed, 0 failed');
  assert.equal(lines.at(-2), 'engine jit: tests 313/313 passed, negatives 60/60 rejected');
  const j = JSON.parse((await run(['conformance', suite, '--json'])).out) as { total: { passed: number } };
  assert.equal(j.total.passed, 373);
});

test('conformance exits 1 and names the failure when a test expects the wrong result', async () => {
  const d = join(dir, 'suite');
  mkdirSync(d);
  writeFileSync(join(d, 'good.data'), '-- asm\nmov %r0, 7\nexit\n-- result\n0x7\n');
  writeFileSync(join(d, 'wrong.data'), '-- asm\nmov %r0, 7\nexit\n-- result\n0x8\n');
  const r = await run(['conformance', d]);
  assert.equal(r.code, 1);
  assert.match(r.out, /FAIL wrong\.data: expected r0 = 0x8, got r0 = 0x7/);
  assert.match(r.out, /\n1 passed, 1 failed\n$/);
});

const OBJ = join(repoRoot(), 'test', 'fixtures', 'bpf', 'ring.o');

test('inspect lists programs (section, sleepable, insns, subprograms), maps, globals with types, license', async () => {
  const r = await run(['inspect', OBJ]);
  assert.equal(r.code, 0, r.err);
  for (const re of [
    /^ring\.o: license "GPL" \(GPL-compatible\)$/m,
    /^ {2}count +iouring\/count +iouring +no +72 +8 +bump$/m,
    /^ {2}record +iouring\.s\/record +iouring +yes +88 +11 +bump$/m,
    /^ {2}recent +LRU_HASH +8 +4 +128 +NO_COMMON_LRU +SEC\("\.maps"\)$/m,
    /^ {2}\.rodata +ARRAY +4 +16 +1 +RDONLY_PROG\|MMAPABLE +global data$/m,
    /^ +0x0 {2}limit: const volatile __u32 \(4 bytes\), settable before load$/m,
    /^ +0x8 {2}last: struct event \{ __u64 user_data; __u32 count; __u32 flags; \} \(16 bytes\)$/m,
  ]) {
    assert.match(r.out, re);
  }
  const bad = await run(['inspect', join(dir, 'odd.bin')]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /not an ELF object/);
});

test('inspect and disasm report a malformed object with its error code, exit 1', async () => {
  const broken = join(dir, 'broken.o');
  writeFileSync(broken, readFileSync(OBJ).subarray(0, 200));
  for (const cmd of ['inspect', 'disasm']) {
    const r = await run([cmd, broken]);
    assert.equal(r.code, 1);
    assert.match(r.err, /broken\.o: E_ELF_\w+: /);
  }
});

test('disasm of an object: every code section as llvm-objdump -d prints it, with source lines from BTF', async () => {
  const r = await run(['disasm', OBJ]);
  assert.equal(r.code, 0, r.err);
  const ours = r.out.split('\n');
  const src = readFileSync(join(repoRoot(), 'test', 'fixtures', 'bpf', 'ring.c'), 'utf8').split('\n');
  const comments = ours.filter((l) => l.startsWith('; '));
  assert.ok(comments.length > 20);
  for (const c of comments)
    assert.ok(src.includes(c.slice(2)), `source line ${JSON.stringify(c)} is in ring.c`);
  assert.ok(ours.includes('Disassembly of section iouring.s/record:'));
  assert.ok(ours.includes('0000000000000000 <count>:'));
  const objdump = spawnSync('llvm-objdump-19', ['-d', '--mcpu=v4', OBJ], { encoding: 'utf8' });
  if (objdump.status !== 0) return; // without llvm-19 the checks above still ran
  // Without the source comments, ours is objdump's listing line for line.
  assert.deepEqual(
    ours.filter((l) => !l.startsWith('; ')),
    objdump.stdout.split('\n'),
  );
});
