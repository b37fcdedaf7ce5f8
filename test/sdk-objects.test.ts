/**
 * The BPF fixtures of test/fixtures/sdk/: C samples in the RFC's style built with
 * include/uring_bpf.h for -mcpu=v3 and v4, their objects committed.
 *
 * When clang-19 is present each is rebuilt and its code, data and relocation sections must be byte
 * for byte the committed ones (`UPDATE_GOLDEN=1 node --test dist/test/sdk-objects.test.js` rewrites
 * the objects). Whatever the machine has, the committed objects are checked to call nothing but the
 * helpers the header declares and their own functions (no libc, no memset): by decoding their code
 * here, and with llvm-objdump-19 -dr when it is present.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeInsns } from '../src/ebpf/insn.js';
import { BPF_PSEUDO_CALL } from '../src/uapi/bpf.js';
import {
  CPUS,
  type Cpu,
  codeSections,
  compileBpf,
  type ElfObject,
  type ElfSection,
  FIXTURE_SOURCES,
  fixtureObject,
  fixtureSource,
  HAS_CLANG,
  HAS_OBJDUMP,
  HEADER,
  headerHelpers,
  OBJDUMP,
  readElf,
  run,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHT_NOBITS,
  SHT_REL,
  STT_FUNC,
  STT_SECTION,
  UPDATE_GOLDEN,
} from './sdk-common.js';

const HELPER_IDS = new Set(headerHelpers(readFileSync(HEADER, 'utf8')).map((h) => h.id));
const CALL = 0x85;
const CALLX = 0x8d;

const TMP = mkdtempSync(join(tmpdir(), 'sdk-objects-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

if (UPDATE_GOLDEN) {
  if (!HAS_CLANG) throw new Error('UPDATE_GOLDEN=1 needs clang-19 to rebuild test/fixtures/sdk/*.o');
  for (const name of FIXTURE_SOURCES)
    for (const cpu of CPUS) compileBpf(fixtureSource(name), cpu, fixtureObject(name, cpu));
}

const load = (path: string): ElfObject => readElf(new Uint8Array(readFileSync(path)), path);
const OBJECTS = FIXTURE_SOURCES.flatMap((name) =>
  CPUS.map((cpu) => ({ name, cpu, path: fixtureObject(name, cpu), obj: load(fixtureObject(name, cpu)) })),
);

/* ------------------------------------------------------------------ rebuilt == committed */

/**
 * What the loader consumes besides BTF: allocated sections (code, data, maps, license) and the
 * relocations that apply to them. Debug info and BTF, which record paths and the compiler version,
 * are left out.
 */
function loadedSections(o: ElfObject): Map<string, ElfSection> {
  const keep = (s: ElfSection): boolean => (s.flags & SHF_ALLOC) !== 0n;
  return new Map(
    o.sections
      .filter(
        (s) =>
          keep(s) || (s.type === SHT_REL && o.sections[s.info] !== undefined && keep(o.sections[s.info]!)),
      )
      .map((s) => [s.name, s]),
  );
}

function sectionDiffs(committed: ElfObject, rebuilt: ElfObject): string[] {
  const a = loadedSections(committed);
  const b = loadedSections(rebuilt);
  const out: string[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(name);
    const y = b.get(name);
    if (x === undefined || y === undefined) {
      out.push(`${name}: only in the ${x === undefined ? 'rebuilt' : 'committed'} object`);
    } else if (x.size !== y.size) {
      out.push(`${name}: 0x${x.size.toString(16)} bytes committed, 0x${y.size.toString(16)} rebuilt`);
    } else if (x.type !== SHT_NOBITS) {
      const at = x.data.findIndex((v, i) => v !== y.data[i]);
      if (at >= 0) out.push(`${name}: first difference at offset 0x${at.toString(16)}`);
    }
  }
  return out;
}

for (const { name, cpu, path, obj } of OBJECTS) {
  test(
    `${name}.${cpu}.o: rebuilding ${fixtureSource(name)} with -mcpu=${cpu} gives the committed code, data and relocations`,
    { skip: HAS_CLANG ? false : 'needs clang-19' },
    () => {
      const out = join(TMP, `${name}.${cpu}.o`);
      compileBpf(fixtureSource(name), cpu, out);
      assert.deepEqual(
        sectionDiffs(obj, load(out)),
        [],
        `${path} is stale: rebuild with UPDATE_GOLDEN=1 and review (clang-19 --version: ${run('clang-19', ['--version']).split('\n')[0]})`,
      );
    },
  );
}

test('sectionDiffs reports sections that differ in presence, size or bytes (self-test)', () => {
  const tour = OBJECTS.find((o) => o.name === 'tour' && o.cpu === 'v3')!.obj;
  const tick = OBJECTS.find((o) => o.name === 'tick' && o.cpu === 'v3')!.obj;
  assert.deepEqual(sectionDiffs(tour, tour), []);
  const d = sectionDiffs(tour, tick);
  assert.ok(d.some((l) => l.startsWith('iouring.s/tour: only in the committed')));
  assert.ok(d.some((l) => l.startsWith('iouring.s/tick: only in the rebuilt')));
  const bytes = new Uint8Array(readFileSync(fixtureObject('tour', 'v3')));
  const text = tour.sections.find((s) => s.name === 'iouring.s/tour')!;
  const at = text.data.byteOffset + 0x18;
  bytes[at] = bytes[at]! ^ 0xff;
  assert.deepEqual(sectionDiffs(tour, readElf(bytes)), ['iouring.s/tour: first difference at offset 0x18']);
});

/* ------------------------------------------------------------------ call targets */

/** Problems with the calls of an object: anything but a declared helper id or a function of its own. */
function callProblems(o: ElfObject): string[] {
  const out: string[] = [];
  for (const sec of codeSections(o)) {
    const relocs = new Map((o.relocs.get(sec.index) ?? []).map((r) => [r.offset, r]));
    decodeInsns(sec.data).forEach((insn, i) => {
      const at = `${sec.name}+0x${(i * 8).toString(16)}`;
      if (insn.code === CALLX) out.push(`${at}: callx r${insn.dst}`);
      if (insn.code !== CALL) return;
      const reloc = relocs.get(i * 8);
      if (insn.src === 0) {
        if (!HELPER_IDS.has(insn.imm)) out.push(`${at}: call ${insn.imm}, not a helper uring_bpf.h declares`);
      } else if (insn.src !== BPF_PSEUDO_CALL) {
        out.push(`${at}: call with src ${insn.src} (kfunc)`);
      } else if (reloc !== undefined) {
        const { symbol } = reloc;
        const target = o.sections[symbol.shndx];
        const local = symbol.type === STT_FUNC || symbol.type === STT_SECTION;
        if (symbol.shndx === 0 || !local || target === undefined || (target.flags & SHF_EXECINSTR) === 0n)
          out.push(`${at}: call ${symbol.name || '?'}, not a function of this object`);
      } else {
        const to = i + 1 + insn.imm;
        if (to < 0 || to * 8 >= sec.size) out.push(`${at}: call +${insn.imm} leaves ${sec.name}`);
      }
    });
  }
  return out;
}

/** The same check on `llvm-objdump-19 -dr` text; also how many calls it saw. */
function objdumpCallProblems(listing: string): { calls: number; problems: string[] } {
  const lines = listing.split('\n');
  const functions = new Set<string>();
  for (const l of lines) {
    const s = /^Disassembly of section (.+):$/.exec(l);
    if (s !== null) functions.add(s[1]!);
    const f = /^[0-9a-f]+ <(.+)>:$/.exec(l);
    if (f !== null) functions.add(f[1]!);
  }
  const out: string[] = [];
  let calls = 0;
  lines.forEach((l, i) => {
    const m = /^\s*(\d+):\t[0-9a-f ]+\tcall (\S+)$/.exec(l);
    if (m === null) {
      if (/\tcallx\b/.test(l)) out.push(`line ${i + 1}: ${l.trim()}`);
      return;
    }
    calls++;
    const reloc = /^\s+[0-9a-f]+:\s+R_BPF_64_32\s+(\S+)$/.exec(lines[i + 1] ?? '');
    if (reloc !== null) {
      if (!functions.has(reloc[1]!))
        out.push(`insn ${m[1]}: call ${reloc[1]}, not a function of this object`);
    } else if (!HELPER_IDS.has(Number(m[2]))) {
      out.push(`insn ${m[1]}: call ${Number(m[2])}, not a helper uring_bpf.h declares`);
    }
  });
  return { calls, problems: out };
}

/** Call instructions in the code of an object. */
const countCalls = (o: ElfObject): number =>
  codeSections(o).reduce((n, s) => n + decodeInsns(s.data).filter((i) => i.code === CALL).length, 0);

for (const { name, cpu, obj } of OBJECTS) {
  test(`${name}.${cpu}.o calls only helpers uring_bpf.h declares and its own functions (decoded here)`, () => {
    assert.ok(codeSections(obj).length > 0);
    assert.deepEqual(callProblems(obj), []);
  });
  test(
    `${name}.${cpu}.o calls only helpers uring_bpf.h declares and its own functions (llvm-objdump-19 -dr)`,
    { skip: HAS_OBJDUMP ? false : 'needs llvm-objdump-19' },
    () => {
      const listing = run(OBJDUMP, ['-dr', `--mcpu=${cpu}`, fixtureObject(name, cpu)]);
      const { calls, problems } = objdumpCallProblems(listing);
      assert.deepEqual(problems, []);
      assert.equal(calls, countCalls(obj), 'calls in the listing vs calls decoded here');
    },
  );
}

test(
  'both call checks catch a libc call, an undeclared helper id and pass a local function (self-test)',
  { skip: HAS_CLANG && HAS_OBJDUMP ? false : 'needs clang-19 and llvm-objdump-19' },
  () => {
    const src = join(TMP, 'bad.bpf.c');
    writeFileSync(
      src,
      [
        '#include "uring_bpf.h"',
        'extern int puts(const char *);',
        'static long (* const bogus)(void) = (void *) 999;',
        'static __noinline int mine(int x) { return x * 3; }',
        'SEC("iouring/bad") int bad(struct io_uring_bpf_ctx *ctx)',
        '{ puts("x"); bogus(); return mine(ctx->wait_nr) - 3; }',
        '',
      ].join('\n'),
    );
    const out = join(TMP, 'bad.o');
    run('clang-19', ['--target=bpf', '-O2', '-mcpu=v3', '-I', 'include', '-c', src, '-o', out]);
    const want = [/call puts, not a function/, /call 999, not a helper/];
    const listing = objdumpCallProblems(run(OBJDUMP, ['-dr', out]));
    assert.equal(listing.calls, 3);
    for (const problems of [callProblems(load(out)), listing.problems]) {
      assert.equal(problems.length, 2, problems.join('\n'));
      for (const [k, re] of want.entries()) assert.match(problems[k]!, re);
    }
  },
);

/* ------------------------------------------------------------------ what the fixtures hold */

function section(o: ElfObject, name: string): ElfSection {
  const s = o.sections.find((x) => x.name === name);
  assert.ok(s !== undefined, `no section ${name}; have ${o.sections.map((x) => x.name).join(', ')}`);
  return s;
}

const EXPECT: Record<string, { programs: string[]; data: string[]; helpers: number[] }> = {
  // A sleepable and a non-sleepable program, a map, globals in .data and .bss, a printk format.
  tour: {
    programs: ['iouring.s/tour', 'iouring/pingpong'],
    data: ['.maps', '.data', '.bss', '.rodata', 'license'],
    helpers: [1, 2, 6, 148, 164, 165, 166, 167],
  },
  tick: { programs: ['iouring.s/tick'], data: ['.maps', '.data', 'license'], helpers: [1, 2, 164, 166] },
  preps: { programs: ['iouring.s/preps'], data: ['license'], helpers: [164] },
};

for (const { name, cpu, obj } of OBJECTS) {
  test(`${name}.${cpu}.o has its program sections, maps, globals, license and helper calls`, () => {
    const e = EXPECT[name]!;
    for (const p of e.programs) assert.ok(section(obj, p).size > 0);
    for (const d of e.data) section(obj, d);
    assert.equal(Buffer.from(section(obj, 'license').data).toString('latin1'), 'GPL\0');
    const called = new Set<number>();
    for (const s of codeSections(obj))
      for (const i of decodeInsns(s.data)) if (i.code === CALL && i.src === 0) called.add(i.imm);
    assert.deepEqual(
      [...called].sort((a, b) => a - b),
      e.helpers,
    );
  });
}

/** Instructions only cpu v4 has: sign-extending loads (BPF_MEMSX) and movsx (off != 0 on mov). */
function v4Only(o: ElfObject): number {
  let n = 0;
  for (const s of codeSections(o))
    for (const i of decodeInsns(s.data)) {
      if (i.code === 0x81 || i.code === 0x89 || i.code === 0x91) n++;
      if ((i.code === 0xbf || i.code === 0xbc) && i.off !== 0) n++;
    }
  return n;
}

test('the v3 objects use no cpu v4 instruction and the v4 build of tour does (-mcpu is honoured)', () => {
  for (const o of OBJECTS.filter((x) => x.cpu === ('v3' satisfies Cpu)))
    assert.equal(v4Only(o.obj), 0, o.path);
  assert.ok(v4Only(OBJECTS.find((x) => x.name === 'tour' && x.cpu === 'v4')!.obj) > 0);
});
