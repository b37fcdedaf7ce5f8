/**
 * Hostile objects: the fixture objects truncated, with bytes flipped in the ELF header, section
 * headers, symbol and relocation tables, code and BTF, with huge counts, sizes and offsets written
 * into their fields, and with BTF type chains made cyclic. parseObject must succeed or throw
 * ElfError, BtfError or ObjectError with a code and an offset inside the input, never another
 * exception or a hang, and its output stays within the documented instruction budget. Seeded; a
 * failure names its seed and mutations. OBJECT_FUZZ=n runs n times as many cases (default well under
 * 1 s), OBJECT_FUZZ_SEED=s starts from other seeds.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseBtf } from '../src/ebpf/btf/btf.js';
import { BtfError } from '../src/ebpf/btf/errors.js';
import { ElfError } from '../src/ebpf/elf/errors.js';
import { parseElf } from '../src/ebpf/elf/reader.js';
import { ObjectError } from '../src/ebpf/object/errors.js';
import { formatObject } from '../src/ebpf/object/format.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import { SHF_EXECINSTR, SHT_REL, SHT_SYMTAB } from '../src/uapi/bpf.js';
import { repoRoot, xorshift32 } from './helpers.js';

const FUZZ = Math.max(1, Number(process.env.OBJECT_FUZZ ?? 1));
/** Base of the per-fixture seeds (OBJECT_FUZZ_SEED explores other cases). */
const SEED = Number(process.env.OBJECT_FUZZ_SEED ?? 0x5eed0000) >>> 0 || 1;
const FIXTURES = join(repoRoot(), 'test/fixtures/bpf');
const NAMES = readdirSync(FIXTURES).filter((f) => f.endsWith('.o'));

/** Byte ranges of one fixture worth mutating, and the BTF records that refer to another type. */
interface Target {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly regions: Record<string, [number, number][]>;
  /** File offsets of BTF size/type fields of ptr, typedef and modifier records, with their ids. */
  readonly btfRefs: { at: number; id: number }[];
}

function targetOf(name: string): Target {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES, name)));
  const elf = parseElf(bytes);
  const span = (s: { offset: number; size: number }): [number, number] => [s.offset, s.offset + s.size];
  const regions: Record<string, [number, number][]> = {
    header: [[0, 64]],
    sectionHeaders: [[elf.header.shoff, elf.header.shoff + 64 * elf.header.shnum]],
    symbols: elf.sections.filter((s) => s.type === SHT_SYMTAB).map(span),
    relocations: elf.sections.filter((s) => s.type === SHT_REL).map(span),
    code: elf.sections.filter((s) => (s.flags & SHF_EXECINSTR) !== 0 && s.size > 0).map(span),
    btf: elf.sections.filter((s) => s.name === '.BTF' || s.name === '.BTF.ext').map(span),
    maps: elf.sections.filter((s) => s.name === 'maps' || s.name === '.maps').map(span),
  };
  const btfRefs: { at: number; id: number }[] = [];
  const bs = elf.section('.BTF');
  if (bs) {
    const btf = parseBtf(elf.sectionData(bs), { base: bs.offset });
    for (const t of btf.types) {
      if (['ptr', 'typedef', 'const', 'volatile', 'restrict', 'type_tag', 'array'].includes(t.kind)) {
        btfRefs.push({ at: t.offset + (t.kind === 'array' ? 12 : 8), id: t.id });
      }
    }
  }
  return { name, bytes, regions, btfRefs };
}

const TARGETS = NAMES.map(targetOf);

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 0xfff0, 0x1000_0000];

type Mutation = (
  b: Uint8Array,
  dv: DataView,
  t: Target,
  next: () => number,
) => { bytes: Uint8Array; what: string };

const pick = <T>(next: () => number, xs: readonly T[]): T => xs[next() % xs.length]!;
/** A random offset inside one of the target's regions of `kind` (or anywhere). */
function offsetIn(t: Target, kind: string, next: () => number): number {
  const spans = t.regions[kind]?.filter(([a, b]) => b > a) ?? [];
  if (spans.length === 0) return next() % t.bytes.length;
  const [a, b] = pick(next, spans);
  return Math.min(t.bytes.length - 1, a + (next() % (b - a)));
}

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, _dv, _t, next) => {
    const n = next() % b.length;
    return { bytes: b.subarray(0, n), what: `truncate at 0x${n.toString(16)}` };
  },
  flip: (b, _dv, t, next) => {
    const kind = pick(next, Object.keys(t.regions));
    const hits: string[] = [];
    for (let k = 1 + (next() % 4); k > 0; k--) {
      const at = offsetIn(t, kind, next);
      b[at]! ^= 1 << (next() % 8);
      hits.push(at.toString(16));
    }
    return { bytes: b, what: `flip bits in ${kind} at 0x${hits.join(',0x')}` };
  },
  randomBytes: (b, _dv, t, next) => {
    const kind = pick(next, Object.keys(t.regions));
    const at = offsetIn(t, kind, next);
    for (let k = 0; k < 8 && at + k < b.length; k++) b[at + k] = next() & 0xff;
    return { bytes: b, what: `8 random bytes in ${kind} at 0x${at.toString(16)}` };
  },
  huge: (b, dv, t, next) => {
    const kind = pick(next, ['header', 'sectionHeaders', 'symbols', 'relocations', 'btf', 'maps']);
    const at = offsetIn(t, kind, next) & ~3;
    const v = pick(next, HUGE);
    if (at + 8 <= b.length && next() % 2 === 0) dv.setBigUint64(at, BigInt(v) << BigInt(next() % 33), true);
    else if (at + 4 <= b.length) dv.setUint32(at, v, true);
    return { bytes: b, what: `huge 0x${v.toString(16)} in ${kind} at 0x${at.toString(16)}` };
  },
  cyclicBtf: (b, dv, t, next) => {
    if (t.btfRefs.length === 0) return { bytes: b, what: 'no BTF to make cyclic' };
    const r = pick(next, t.btfRefs);
    const to = next() % 2 === 0 ? r.id : pick(next, t.btfRefs).id;
    dv.setUint32(r.at, to, true);
    return { bytes: b, what: `BTF type ${r.id} -> ${to}` };
  },
};

/** Parse one mutated input; returns the outcome or throws an assertion naming the case. */
function check(bytes: Uint8Array, label: string): string {
  let obj: ReturnType<typeof parseObject>;
  try {
    obj = parseObject(bytes);
  } catch (e) {
    if (!(e instanceof ElfError || e instanceof BtfError || e instanceof ObjectError)) {
      assert.fail(`${label}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    assert.match(e.code, /^E_(ELF|BTF|OBJ)_[A-Z_]+$/, label);
    assert.ok(
      Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= bytes.length,
      `${label}: offset ${e.offset} (${e.message})`,
    );
    return e.code;
  }
  const insns = obj.programs.reduce((n, p) => n + p.insns.length, 0);
  assert.ok(
    insns <= Math.max(bytes.length, 65536),
    `${label}: ${insns} instructions from ${bytes.length} bytes`,
  );
  // The output is usable: formatting walks programs, relocations, line info and non-bss globals.
  formatObject(obj);
  return 'ok';
}

test(
  'mutated fixture objects parse or throw a domain error with a code and an offset',
  { timeout: 120_000 },
  (t) => {
    const outcomes = new Map<string, number>();
    const perTarget = 150 * FUZZ;
    const started = Date.now();
    let n = 0;
    for (const [ti, target] of TARGETS.entries()) {
      const seed = (SEED + ti) >>> 0;
      const next = xorshift32(seed);
      for (let i = 0; i < perTarget; i++) {
        const names = Object.keys(MUTATIONS);
        const b = new Uint8Array(target.bytes);
        const dv = new DataView(b.buffer);
        const steps: string[] = [];
        let bytes: Uint8Array = b;
        // One to three mutations; truncation, if any, comes last.
        for (let k = 1 + (next() % 3); k > 0; k--) {
          const m = pick(next, names);
          if (m === 'truncate' && k > 1) continue;
          const r = MUTATIONS[m]!(b, dv, target, next);
          bytes = r.bytes;
          steps.push(r.what);
        }
        const t0 = Date.now();
        const out = check(
          bytes,
          `${target.name} case ${i} (seed 0x${seed.toString(16)}): ${steps.join('; ')}`,
        );
        assert.ok(Date.now() - t0 < 2000, `${target.name} case ${i}: took ${Date.now() - t0} ms`);
        outcomes.set(out, (outcomes.get(out) ?? 0) + 1);
        n++;
      }
    }
    t.diagnostic(
      `${n} cases in ${Date.now() - started} ms: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
    // The mutations reach every layer: successes and errors of all three kinds.
    const seen = [...outcomes.keys()];
    for (const prefix of ['ok', 'E_ELF_', 'E_BTF_', 'E_OBJ_']) {
      assert.ok(
        seen.some((k) => k.startsWith(prefix)),
        `no outcome ${prefix}: ${seen.join(' ')}`,
      );
    }
  },
);

test('every truncation of a fixture is handled', () => {
  for (const target of TARGETS.filter((x) => ['ring.o', 'legacy.o'].includes(x.name))) {
    const step = Math.max(1, Math.floor(target.bytes.length / (200 * FUZZ)));
    for (let n = 0; n < target.bytes.length; n += step)
      check(target.bytes.subarray(0, n), `${target.name} cut at 0x${n.toString(16)}`);
  }
});

test('every BTF reference made cyclic is handled', () => {
  for (const target of TARGETS.filter(
    (x) => x.btfRefs.length > 0 && ['ring.o', 'kinds.o'].includes(x.name),
  )) {
    for (const r of target.btfRefs) {
      const b = new Uint8Array(target.bytes);
      new DataView(b.buffer).setUint32(r.at, r.id, true);
      check(b, `${target.name}: type ${r.id} refers to itself`);
    }
  }
});
