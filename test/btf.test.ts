/**
 * The BTF reader: every kind with its binary layout (from kinds.o, which clang builds with one of
 * each, and from hand-assembled blobs), queries (resolve, qualifiers, sizeof, byName), the C-like
 * printer (golden files, `UPDATE_GOLDEN=1` rewrites test/golden/btf/), cycles and deep chains that
 * must throw rather than hang, and every header/record defect with its code and offset.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Btf, parseBtf } from '../src/ebpf/btf/btf.js';
import { BtfError } from '../src/ebpf/btf/errors.js';
import { declare, printBtfType } from '../src/ebpf/btf/print.js';
import type { BtfType } from '../src/ebpf/btf/types.js';
import { parseElf } from '../src/ebpf/elf/reader.js';
import {
  BTF_FUNC_GLOBAL,
  BTF_INT_SIGNED,
  BTF_KIND_ARRAY,
  BTF_KIND_CONST,
  BTF_KIND_DATASEC,
  BTF_KIND_FUNC,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_VAR,
  BTF_KIND_VOLATILE,
  BTF_VAR_GLOBAL_ALLOCATED,
} from '../src/uapi/bpf.js';
import { repoRoot } from './helpers.js';

const FIXTURES = join(repoRoot(), 'test/fixtures/bpf');
const GOLDEN = join(repoRoot(), 'test/golden/btf');

function btfOf(name: string): Btf {
  const elf = parseElf(readFileSync(join(FIXTURES, `${name}.o`)));
  const s = elf.section('.BTF')!;
  return parseBtf(elf.sectionData(s), { base: s.offset });
}
const kinds = btfOf('kinds');
const ring = btfOf('ring');
const named = (b: Btf, name: string, kind?: BtfType['kind']): BtfType => {
  const t = b.byName(name, kind)[0];
  assert.ok(t, `${kind ?? 'type'} ${name}`);
  return t;
};

/* ------------------------------------------------------------------ a BTF assembler */

/** Hand-assembled BTF: types as 32-bit words, names interned in the string section. */
class BtfBlob {
  readonly strings: string[] = [''];
  readonly words: number[] = [];
  private strLen = 1;
  private readonly offs = new Map<string, number>([['', 0]]);
  count = 0;

  str(s: string): number {
    let o = this.offs.get(s);
    if (o === undefined) {
      o = this.strLen;
      this.offs.set(s, o);
      this.strings.push(s);
      this.strLen += Buffer.byteLength(s) + 1;
    }
    return o;
  }

  /** One type: name, kind, vlen, kind_flag, size/type, then its trailing words. Returns its id. */
  type(
    name: string,
    kind: number,
    vlen: number,
    sizeOrType: number,
    extra: number[] = [],
    kindFlag = false,
  ): number {
    this.words.push(this.str(name), ((kindFlag ? 1 : 0) << 31) | (kind << 24) | vlen, sizeOrType, ...extra);
    return ++this.count;
  }

  bytes(patch?: (dv: DataView) => void): Uint8Array {
    const strs = Buffer.concat(this.strings.map((s) => Buffer.from(`${s}\0`)));
    const b = new Uint8Array(24 + this.words.length * 4 + strs.length);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, 0xeb9f, true);
    b[2] = 1;
    dv.setUint32(4, 24, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, this.words.length * 4, true);
    dv.setUint32(16, this.words.length * 4, true);
    dv.setUint32(20, strs.length, true);
    this.words.forEach((w, k) => {
      dv.setUint32(24 + 4 * k, w >>> 0, true);
    });
    b.set(strs, 24 + this.words.length * 4);
    patch?.(dv);
    return b;
  }
}

/** int (id 1) then whatever `more` adds. */
function blob(more: (b: BtfBlob) => void = () => {}): BtfBlob {
  const b = new BtfBlob();
  b.type('int', BTF_KIND_INT, 0, 4, [(BTF_INT_SIGNED << 24) | 32]);
  more(b);
  return b;
}

/* ------------------------------------------------------------------ kinds */

test('kinds.o holds one of every kind, decoded with its layout', () => {
  const present = new Set(kinds.types.map((t) => t.kind));
  for (const k of [
    'int',
    'ptr',
    'array',
    'struct',
    'union',
    'enum',
    'fwd',
    'typedef',
    'volatile',
    'const',
    'restrict',
    'func',
    'func_proto',
    'var',
    'datasec',
    'float',
    'decl_tag',
    'type_tag',
    'enum64',
  ] as const) {
    assert.ok(present.has(k), k);
  }
  const small = named(kinds, 'small', 'enum');
  assert.ok(small.kind === 'enum');
  assert.deepEqual(
    [small.size, small.signed, small.values],
    [
      4,
      true,
      [
        { name: 'SMALL_NEG', value: -1n },
        { name: 'SMALL_SEVEN', value: 7n },
      ],
    ],
  );
  const big = named(kinds, 'big', 'enum64');
  assert.ok(big.kind === 'enum64');
  assert.deepEqual([big.size, big.signed, big.values.map((v) => v.value)], [8, false, [0x1_0000_0000n, 1n]]);
  const bits = named(kinds, 'bits', 'struct');
  assert.ok(bits.kind === 'struct');
  assert.deepEqual(
    [bits.kindFlag, bits.size, bits.members.map((m) => [m.name, m.bitOffset, m.bitfieldSize])],
    [
      true,
      16,
      [
        ['lo', 0, 3],
        ['mid', 3, 13],
        ['hi', 16, 16],
        ['wide', 64, 0],
      ],
    ],
  );
  const all = named(kinds, 'all', 'struct');
  assert.ok(all.kind === 'struct');
  assert.deepEqual(
    all.members.map((m) => [m.name, m.bitOffset / 8, declare(kinds, m.type, '', 0)]),
    [
      ['s', 0, 'enum small'],
      ['b', 8, 'enum big'],
      ['opaque', 16, 'struct fwd_only *'],
      ['n', 24, 'union num'],
      ['bits', 32, 'struct bits'],
      ['d', 48, 'double'],
      ['name', 56, 'const char *restrict'],
      ['uptr', 64, '__attribute__((btf_type_tag("user"))) volatile __u32 *'],
      ['cb', 72, 'cb_t'],
      ['grid', 80, 'char [3][2]'],
      ['anon', 88, 'struct { int x; }'],
    ],
  );
  assert.equal(kinds.sizeof(all.id), 96);
  const fwd = named(kinds, 'fwd_only', 'fwd');
  assert.ok(fwd.kind === 'fwd' && !fwd.union);
  assert.deepEqual([kinds.sizeof(named(kinds, 'float').id), kinds.sizeof(named(kinds, 'double').id)], [4, 8]);
  const tags = kinds.types
    .filter((t) => t.kind === 'decl_tag')
    .map((t) => (t.kind === 'decl_tag' ? [t.name, kinds.type(t.type).name, t.componentIdx] : []));
  assert.deepEqual(tags, [
    ['the_ctx', 'kinds', 0],
    ['tagged', 'all', -1],
  ]);
  const cb = named(kinds, 'cb_t', 'typedef');
  const proto = kinds.type(
    kinds.resolve(
      kinds.type(kinds.resolve(cb.id)).kind === 'ptr'
        ? (kinds.type(kinds.resolve(cb.id)) as { type: number }).type
        : 0,
    ),
  );
  assert.ok(proto.kind === 'func_proto');
  assert.deepEqual(proto.params.at(-1), { name: '', type: 0 }); // variadic
  const func = named(kinds, 'kinds', 'func');
  assert.ok(func.kind === 'func' && func.linkage === BTF_FUNC_GLOBAL);
});

test('queries: resolve, qualifiers, sizeof, byName, type', () => {
  const limit = named(ring, 'limit', 'var');
  assert.ok(limit.kind === 'var');
  assert.equal(ring.type(ring.resolve(limit.type)).name, 'unsigned int');
  assert.deepEqual(ring.qualifiers(limit.type), { const: true, volatile: true, restrict: false });
  assert.deepEqual(ring.qualifiers(named(ring, 'total', 'var').id), {
    const: false,
    volatile: false,
    restrict: false,
  });
  assert.equal(ring.sizeof(limit.id), 4);
  assert.equal(ring.sizeof(named(ring, 'table', 'var').id), 16);
  assert.equal(ring.sizeof(named(ring, 'event', 'struct').id), 16);
  assert.equal(ring.sizeof(named(ring, 'LICENSE', 'var').id), 4);
  assert.equal(ring.resolve(0), 0);
  for (const id of [0, named(ring, 'count', 'func').id]) {
    assert.throws(
      () => ring.sizeof(id),
      (e: unknown) =>
        e instanceof BtfError && e.code === 'E_BTF_SIZE' && /expected a type with a size/.test(e.message),
    );
  }
  assert.deepEqual(
    ring.byName('__u32').map((t) => t.kind),
    ['typedef'],
  );
  assert.deepEqual(ring.byName('nothing'), []);
  assert.throws(() => ring.type(ring.types.length), RangeError);
  assert.throws(() => ring.type(1.5), RangeError);
  assert.equal(ring.header.hdrLen, 24);
});

/* ------------------------------------------------------------------ printer */

const dump = (b: Btf): string =>
  `${b.types.map((t) => `[${t.id}] ${t.kind} '${t.name}': ${printBtfType(b, t.id)}`).join('\n')}\n`;

if (process.env.UPDATE_GOLDEN === '1') {
  writeFileSync(join(GOLDEN, 'kinds.txt'), dump(kinds));
  writeFileSync(join(GOLDEN, 'ring.txt'), dump(ring));
}

test('printer: every type of kinds.o and ring.o as C (golden)', () => {
  for (const [name, b] of [
    ['kinds', kinds],
    ['ring', ring],
  ] as const) {
    const file = join(GOLDEN, `${name}.txt`);
    assert.ok(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`);
    assert.equal(dump(b), readFileSync(file, 'utf8'), `${name}: regenerate with UPDATE_GOLDEN=1 if intended`);
  }
  assert.equal(
    printBtfType(ring, named(ring, 'event', 'struct').id),
    'struct event { __u64 user_data; __u32 count; __u32 flags; }',
  );
  assert.equal(printBtfType(ring, named(ring, 'limit', 'var').id), 'const volatile __u32 limit');
  assert.equal(printBtfType(ring, named(ring, 'bump', 'func').id), 'static __u64 bump(__u32 idx, __u64 by)');
  assert.equal(
    declare(ring, named(ring, 'jumps', 'var').id, 'jumps', 0),
    'struct { int (*type)[3]; int (*max_entries)[2]; int (*key_size)[4]; int (*value_size)[4]; } jumps',
  );
});

/* ------------------------------------------------------------------ cycles and chains */

test('cyclic and deep chains throw E_BTF_CYCLE from queries and print without recursing', () => {
  // [what, blob, id, how the printer shows it]
  const cases: [string, BtfBlob, number, RegExp][] = [
    ['a typedef of itself', blob((b) => b.type('loop', BTF_KIND_TYPEDEF, 0, 2)), 2, /^typedef loop loop$/],
    [
      'const -> volatile -> const',
      blob((b) => {
        b.type('', BTF_KIND_CONST, 0, 3);
        b.type('', BTF_KIND_VOLATILE, 0, 2);
      }),
      2,
      /chain too long/,
    ],
    [
      'an array of one of itself',
      blob((b) => b.type('', BTF_KIND_ARRAY, 0, 0, [2, 1, 1])),
      2,
      /chain too long/,
    ],
    [
      '100 typedefs in a row',
      blob((b) => {
        for (let k = 0; k < 100; k++) b.type(`t${k}`, BTF_KIND_TYPEDEF, 0, k + 1);
      }),
      101,
      /^typedef t98 t99$/,
    ],
  ];
  for (const [what, b, id, printed] of cases) {
    const btf = parseBtf(b.bytes());
    const cyc = (e: unknown) =>
      e instanceof BtfError && e.code === 'E_BTF_CYCLE' && e.offset === btf.type(id).offset;
    if (btf.type(id).kind !== 'array') {
      assert.throws(() => btf.resolve(id), cyc, `${what}: resolve`);
      assert.throws(() => btf.qualifiers(id), cyc, `${what}: qualifiers`);
    }
    assert.throws(() => btf.sizeof(id), cyc, `${what}: sizeof`);
    assert.match(printBtfType(btf, id), printed, `${what}: print`);
  }
  // 20 typedefs are fine.
  const ok = parseBtf(
    blob((b) => {
      for (let k = 0; k < 20; k++) b.type(`t${k}`, BTF_KIND_TYPEDEF, 0, k + 1);
    }).bytes(),
  );
  assert.deepEqual([ok.resolve(21), ok.sizeof(21)], [1, 4]);
  // A struct holding a pointer to itself prints its name; an anonymous struct holding itself is cut.
  const self = parseBtf(
    blob((b) => {
      b.type('node', BTF_KIND_STRUCT, 1, 8, [b.str('next'), 3, 0]);
      b.type('', BTF_KIND_PTR, 0, 2);
      b.type('', BTF_KIND_STRUCT, 1, 8, [b.str('me'), 4, 0]);
    }).bytes(),
  );
  assert.equal(printBtfType(self, 2), 'struct node { struct node *next; }');
  assert.match(printBtfType(self, 4), /^struct \{ struct \{ struct \{ .*\/\* \.\.\. \*\//);
  // Sizes that overflow 32 bits.
  const huge = parseBtf(
    blob((b) => {
      b.type('', BTF_KIND_ARRAY, 0, 0, [1, 1, 0x10000]);
      b.type('', BTF_KIND_ARRAY, 0, 0, [2, 1, 0x10000]);
    }).bytes(),
  );
  assert.throws(() => huge.sizeof(3), { name: 'BtfError', code: 'E_BTF_SIZE' });
  assert.equal(huge.sizeof(2), 0x40000);
});

/* ------------------------------------------------------------------ defects */

test('header, string and type defects throw BtfError with code and offset', () => {
  const good = blob((b) => {
    b.type('s', BTF_KIND_STRUCT, 1, 4, [b.str('a'), 1, 0]);
    b.type('f', BTF_KIND_FUNC, BTF_FUNC_GLOBAL, 99);
  });
  const T = 24; // first type record
  const cases: [string, Uint8Array, string, number][] = [
    ['a short header', new Uint8Array(10), 'E_BTF_TRUNCATED', 0],
    ['a bad magic', blob().bytes((dv) => dv.setUint16(0, 0x9feb, true)), 'E_BTF_MAGIC', 0],
    ['version 2', blob().bytes((dv) => dv.setUint8(2, 2)), 'E_BTF_VERSION', 2],
    ['hdr_len 8', blob().bytes((dv) => dv.setUint32(4, 8, true)), 'E_BTF_HEADER', 4],
    ['hdr_len past the end', blob().bytes((dv) => dv.setUint32(4, 0x1000, true)), 'E_BTF_HEADER', 4],
    ['a misaligned type_off', blob().bytes((dv) => dv.setUint32(8, 2, true)), 'E_BTF_HEADER', 8],
    ['type_len past the end', blob().bytes((dv) => dv.setUint32(12, 0x10000, true)), 'E_BTF_TRUNCATED', 8],
    ['str_off past the end', blob().bytes((dv) => dv.setUint32(16, 0xffffffff, true)), 'E_BTF_TRUNCATED', 16],
    [
      'strings not starting with NUL',
      blob().bytes((dv) => dv.setUint8(T + 16, 0x41)),
      'E_BTF_STRING',
      T + 16,
    ],
    [
      'strings not ending with NUL',
      blob().bytes((dv) => dv.setUint8(dv.byteLength - 1, 0x41)),
      'E_BTF_STRING',
      T + 16,
    ],
    ['kind 0', blob().bytes((dv) => dv.setUint32(T + 4, 0, true)), 'E_BTF_KIND', T + 4],
    ['kind 25', blob().bytes((dv) => dv.setUint32(T + 4, 25 << 24, true)), 'E_BTF_KIND', T + 4],
    [
      'unused info bits',
      blob().bytes((dv) => dv.setUint32(T + 4, (BTF_KIND_INT << 24) | (1 << 16), true)),
      'E_BTF_TYPE',
      T + 4,
    ],
    ['an int of size 3', blob().bytes((dv) => dv.setUint32(T + 8, 3, true)), 'E_BTF_TYPE', T],
    ['an int of 64 bits in 4 bytes', blob().bytes((dv) => dv.setUint32(T + 12, 64, true)), 'E_BTF_TYPE', T],
    [
      'an int with encoding 8',
      blob().bytes((dv) => dv.setUint32(T + 12, (8 << 24) | 32, true)),
      'E_BTF_TYPE',
      T + 12,
    ],
    ['a record cut short', blob().bytes((dv) => dv.setUint32(12, 8, true)), 'E_BTF_TRUNCATED', T],
    [
      'a name past the strings',
      blob().bytes((dv) => dv.setUint32(T, 0x1000, true)),
      'E_BTF_STRING',
      T + 16 + 5,
    ],
    [
      'a struct with 1000 members',
      good.bytes((dv) => dv.setUint32(T + 20, (BTF_KIND_STRUCT << 24) | 1000, true)),
      'E_BTF_TRUNCATED',
      T + 16,
    ],
    ['a member of type 99', good.bytes((dv) => dv.setUint32(T + 32, 99, true)), 'E_BTF_TYPE', T + 16],
    ['a func whose type does not exist', good.bytes(), 'E_BTF_TYPE', T + 40],
    ['a func whose type is an int', good.bytes((dv) => dv.setUint32(T + 48, 1, true)), 'E_BTF_TYPE', T + 40],
    [
      'a datasec listing an int',
      blob((b) => b.type('.data', BTF_KIND_DATASEC, 1, 4, [1, 0, 4])).bytes(),
      'E_BTF_TYPE',
      T + 16,
    ],
  ];
  for (const [what, bytes, code, offset] of cases) {
    for (const base of [0, 0x1000]) {
      assert.throws(
        () => parseBtf(bytes, { base }),
        (e: unknown) => {
          assert.ok(e instanceof BtfError, `${what}: ${e}`);
          assert.deepEqual([e.code, e.offset], [code, base + offset], `${what}: ${e.message}`);
          assert.match(e.message, /^BTF at 0x[0-9a-f]+: .*expected/, what);
          return true;
        },
      );
    }
  }
  // And a well-formed blob of each remaining kind parses.
  const b = parseBtf(
    blob((x) => {
      x.type('v', BTF_KIND_VAR, 0, 1, [BTF_VAR_GLOBAL_ALLOCATED]);
      x.type('.data', BTF_KIND_DATASEC, 1, 4, [2, 0, 4]);
    }).bytes(),
  );
  assert.equal(printBtfType(b, 3), 'datasec .data size 4 { int v; /* @0x0 size 4 */ }');
});

/* ------------------------------------------------------------------ .BTF.ext */

interface ExtSpec {
  func?: [string, [number, number][]][];
  line?: [string, [number, string, string, number, number][]][];
  core?: [string, number][];
  hdrLen?: number;
  rec?: { func?: number; line?: number; core?: number };
}

/** A .BTF.ext blob whose names are interned in `b` (so build it before b.bytes()). */
function extBlob(b: BtfBlob, spec: ExtSpec): Uint8Array {
  const area = (rec: number, blocks: [string, number[][]][]): number[] => {
    if (blocks.length === 0) return [];
    const w = [rec];
    for (const [sec, recs] of blocks) {
      w.push(b.str(sec), recs.length);
      for (const r of recs) w.push(...r, ...new Array(Math.max(0, Math.floor(rec / 4) - r.length)).fill(0));
    }
    return w;
  };
  const f = area(spec.rec?.func ?? 8, spec.func ?? []);
  const l = area(
    spec.rec?.line ?? 16,
    (spec.line ?? []).map(([sec, recs]) => [
      sec,
      recs.map(([off, file, text, line, col]) => [off, b.str(file), b.str(text), (line << 10) | col]),
    ]),
  );
  const c = area(
    spec.rec?.core ?? 16,
    (spec.core ?? []).map(([sec, n]) => [sec, Array.from({ length: n }, () => [0, 1, 0, 0])]),
  );
  const hdr = spec.hdrLen ?? 32;
  const words = [...f, ...l, ...c];
  const out = new Uint8Array(hdr + words.length * 4);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xeb9f, true);
  out[2] = 1;
  dv.setUint32(4, hdr, true);
  const put = (at: number, off: number, len: number) => {
    if (at + 8 <= hdr) {
      dv.setUint32(at, off, true);
      dv.setUint32(at + 4, len, true);
    }
  };
  put(8, 0, f.length * 4);
  put(16, f.length * 4, l.length * 4);
  put(24, (f.length + l.length) * 4, c.length * 4);
  words.forEach((w, k) => {
    dv.setUint32(hdr + 4 * k, w >>> 0, true);
  });
  return out;
}

/** BTF with int (1), a func_proto (2) and a func `main` (3). */
function funcBlob(): BtfBlob {
  return blob((b) => {
    b.type('', 13, 0, 1); // FUNC_PROTO int (void)
    b.type('main', BTF_KIND_FUNC, BTF_FUNC_GLOBAL, 2);
  });
}

test('.BTF.ext of the fixtures: func_info and line_info per section, CO-RE relocations counted', async () => {
  const { parseBtfExt } = await import('../src/ebpf/btf/ext.js');
  const extOf = (name: string) => {
    const elf = parseElf(readFileSync(join(FIXTURES, `${name}.o`)));
    const s = elf.section('.BTF')!;
    const e = elf.section('.BTF.ext')!;
    const btf = parseBtf(elf.sectionData(s), { base: s.offset });
    return parseBtfExt(elf.sectionData(e), btf, { base: e.offset });
  };
  const ext = extOf('ring');
  assert.deepEqual(
    [...ext.funcInfo].map(([sec, l]) => [sec, l.map((f) => [f.insnOff, f.name])]),
    [
      ['iouring/count', [[0, 'count']]],
      ['.text', [[0, 'bump']]],
      ['iouring.s/record', [[0, 'record']]],
      ['iouring', [[0, 'plain']]],
      ['iouring.s', [[0, 'sleepy']]],
    ],
  );
  assert.deepEqual(
    [...ext.lineInfo].map(([sec, l]) => [sec, l.length]),
    [
      ['iouring/count', 19],
      ['.text', 9],
      ['iouring.s/record', 21],
      ['iouring', 3],
      ['iouring.s', 7],
    ],
  );
  assert.deepEqual(ext.lineInfo.get('.text')![0], {
    insnOff: 0,
    file: './ring.c',
    text: 'static __noinline __u64 bump(__u32 idx, __u64 by)',
    line: 61,
    column: 0,
  });
  assert.equal(ext.coreRelos.size, 0);
  assert.equal(ext.header.hdrLen, 32);
  // Any instruction (section, byte offset) maps to its function and source line.
  const { extFuncAt, extLineAt } = await import('../src/ebpf/btf/ext.js');
  assert.equal(extFuncAt(ext, '.text', 0x60)?.name, 'bump');
  assert.equal(extLineAt(ext, '.text', 0x60)?.text, '  *v += by * scale;');
  assert.equal(extLineAt(ext, 'iouring/count', 0)?.line, 73);
  assert.deepEqual([extFuncAt(ext, 'nowhere', 0), extLineAt(ext, 'nowhere', 0)], [null, null]);
  assert.deepEqual([...extOf('reject_core').coreRelos], [['iouring', 1]]);

  // Hand-built: records of any size >= the minimum, all three areas, a 24-byte header.
  const b = funcBlob();
  const blobExt = extBlob(b, {
    func: [['sec', [[8, 3]]]],
    line: [['sec', [[8, 'f.c', 'int main(void)', 3, 5]]]],
    core: [['sec', 2]],
    rec: { func: 12, line: 20 },
  });
  const parsed = parseBtfExt(blobExt, parseBtf(b.bytes()));
  assert.deepEqual(parsed.funcInfo.get('sec'), [{ insnOff: 8, typeId: 3, name: 'main' }]);
  assert.deepEqual(parsed.lineInfo.get('sec'), [
    { insnOff: 8, file: 'f.c', text: 'int main(void)', line: 3, column: 5 },
  ]);
  assert.equal(parsed.coreRelos.get('sec'), 2);
  const b24 = funcBlob();
  const short = extBlob(b24, { func: [['sec', [[0, 3]]]], hdrLen: 24 });
  assert.equal(parseBtfExt(short, parseBtf(b24.bytes())).coreRelos.size, 0);
});

test('.BTF.ext defects throw BtfError with code and offset', async () => {
  const { parseBtfExt } = await import('../src/ebpf/btf/ext.js');
  const H = 32;
  const cases: [string, ExtSpec, ((dv: DataView) => void) | null, string, number][] = [
    ['a bad magic', {}, (dv) => dv.setUint16(0, 0, true), 'E_BTF_MAGIC', 0],
    ['version 3', {}, (dv) => dv.setUint8(2, 3), 'E_BTF_VERSION', 2],
    ['hdr_len 16', {}, (dv) => dv.setUint32(4, 16, true), 'E_BTF_HEADER', 4],
    [
      'func_info past the end',
      { func: [['s', [[0, 3]]]] },
      (dv) => dv.setUint32(12, 0x1000, true),
      'E_BTF_TRUNCATED',
      8,
    ],
    ['line_info past the end', {}, (dv) => dv.setUint32(16, 0x1000, true), 'E_BTF_TRUNCATED', 16],
    ['core_relo past the end', {}, (dv) => dv.setUint32(28, 0x1000, true), 'E_BTF_TRUNCATED', 24],
    ['a func_info record of 4 bytes', { func: [['s', [[0, 3]]]], rec: { func: 4 } }, null, 'E_BTF_EXT', H],
    [
      'a line_info record of 18 bytes',
      { line: [['s', [[0, 'f', 't', 1, 1]]]], rec: { line: 18 } },
      null,
      'E_BTF_EXT',
      H,
    ],
    [
      'a section with no records',
      { func: [['s', [[0, 3]]]] },
      (dv) => dv.setUint32(H + 8, 0, true),
      'E_BTF_EXT',
      H + 8,
    ],
    [
      'more records than bytes',
      { func: [['s', [[0, 3]]]] },
      (dv) => dv.setUint32(H + 8, 0x10000000, true),
      'E_BTF_TRUNCATED',
      H + 8,
    ],
    [
      'a block header cut short',
      { func: [['s', [[0, 3]]]] },
      (dv) => dv.setUint32(12, 8, true),
      'E_BTF_TRUNCATED',
      H + 4,
    ],
    ['an insn_off of 4', { func: [['s', [[4, 3]]]] }, null, 'E_BTF_EXT', H + 12],
    ['a func_info of an int', { func: [['s', [[0, 1]]]] }, null, 'E_BTF_EXT', H + 16],
    ['a func_info of type 99', { func: [['s', [[0, 99]]]] }, null, 'E_BTF_EXT', H + 16],
  ];
  for (const [what, spec, patch, code, offset] of cases) {
    const b = funcBlob();
    const ext = extBlob(b, spec);
    const btf = parseBtf(b.bytes());
    if (patch) patch(new DataView(ext.buffer));
    assert.throws(
      () => parseBtfExt(ext, btf, { base: 0x200 }),
      (e: unknown) => {
        assert.ok(e instanceof BtfError, `${what}: ${e}`);
        assert.deepEqual([e.code, e.offset], [code, 0x200 + offset], `${what}: ${e.message}`);
        assert.match(e.message, /expected/, what);
        return true;
      },
    );
  }
  // A line_info name outside the string section: E_BTF_STRING in the BTF's own offsets.
  const b = funcBlob();
  const ext = extBlob(b, { line: [['s', [[0, 'f', 't', 1, 1]]]] });
  new DataView(ext.buffer).setUint32(H + 4 + 8 + 4, 0x7fff, true);
  assert.throws(() => parseBtfExt(ext, parseBtf(b.bytes())), { name: 'BtfError', code: 'E_BTF_STRING' });
});
