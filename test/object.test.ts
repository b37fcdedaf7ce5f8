/**
 * parseObject on the C fixtures of test/fixtures/bpf (built by clang-19, see build.sh): programs
 * with their types and linked subprograms, BTF and legacy maps, global data with variables, lddw
 * relocations, line and function info, field by field; the objects clang builds from unsupported C
 * (externs, kfuncs, CO-RE, pinning, prog array values, data pointers, callbacks) rejected with their
 * codes; two linked programs run in the interpreter with their maps and globals laid out by a
 * minimal loader; and a golden summary per fixture (`UPDATE_GOLDEN=1` rewrites test/golden/object/).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { declare } from '../src/ebpf/btf/print.js';
import { type HelperDef, HelperRegistry } from '../src/ebpf/helpers.js';
import { isLddw } from '../src/ebpf/insn.js';
import type { Region } from '../src/ebpf/interp.js';
import { ObjectError } from '../src/ebpf/object/errors.js';
import { formatObject } from '../src/ebpf/object/format.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import { progTypeOfSection } from '../src/ebpf/object/sections.js';
import { funcAt, sourceAt } from '../src/ebpf/object/source.js';
import type { ObjectFile, ProgramDef } from '../src/ebpf/object/types.js';
import type { EngineKind } from '../src/ebpf/run-env.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_F_MMAPABLE,
  BPF_F_NO_COMMON_LRU,
  BPF_F_NO_PREALLOC,
  BPF_F_RDONLY_PROG,
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  BPF_PROG_TYPE_IOURING,
  BPF_PROG_TYPE_UNSPEC,
} from '../src/uapi/bpf.js';
import { perEngine } from './engines.js';
import { repoRoot } from './helpers.js';

const FIXTURES = join(repoRoot(), 'test/fixtures/bpf');
const GOLDEN = join(repoRoot(), 'test/golden/object');
const load = (name: string): ObjectFile => parseObject(readFileSync(join(FIXTURES, `${name}.o`)));
const ring = load('ring');
const legacy = load('legacy');
const prog = (o: ObjectFile, name: string): ProgramDef => {
  const p = o.programs.find((x) => x.name === name);
  assert.ok(p, `program ${name}`);
  return p;
};

const loadProgram = perEngine(suite);

function suite(eng: EngineKind): void {
  void eng;
  test('programs: one per global function of each program section, typed by the section name', () => {
    const rows = (o: ObjectFile) =>
      o.programs.map((p) => [p.name, p.section, p.type, p.sleepable, p.sectionKind, p.supported]);
    assert.deepEqual(rows(ring), [
      ['count', 'iouring/count', BPF_PROG_TYPE_IOURING, false, 'iouring', true],
      ['record', 'iouring.s/record', BPF_PROG_TYPE_IOURING, true, 'iouring.s', true],
      ['plain', 'iouring', BPF_PROG_TYPE_IOURING, false, 'iouring', true],
      ['sleepy', 'iouring.s', BPF_PROG_TYPE_IOURING, true, 'iouring.s', true],
    ]);
    // Two programs in one section (the static function there is a subprogram), and a kprobe.
    assert.deepEqual(rows(legacy), [
      ['first', 'iouring/pair', BPF_PROG_TYPE_IOURING, false, 'iouring', true],
      ['second', 'iouring/pair', BPF_PROG_TYPE_IOURING, false, 'iouring', true],
      ['leafy', 'iouring.s/leafy', BPF_PROG_TYPE_IOURING, true, 'iouring.s', true],
      ['probe', 'kprobe/do_sys_open', BPF_PROG_TYPE_UNSPEC, false, 'kprobe', false],
    ]);
    assert.deepEqual(
      legacy.programs.map((p) => p.sectionOffset),
      [0x58, 0xe8, 0, 0],
    );
    assert.deepEqual(
      load('nobtf').programs.map((p) => [p.name, p.section, p.sleepable]),
      [['hitter', 'iouring.s/', true]],
    );
  });

  test('section names: libbpf conventions, the sleepable io_uring prefix before the plain one', () => {
    const cases: [string, number, boolean, string | null, boolean][] = [
      ['iouring', BPF_PROG_TYPE_IOURING, false, 'iouring', true],
      ['iouring/', BPF_PROG_TYPE_IOURING, false, 'iouring', true],
      ['iouring/tick', BPF_PROG_TYPE_IOURING, false, 'iouring', true],
      ['iouring.s', BPF_PROG_TYPE_IOURING, true, 'iouring.s', true],
      ['iouring.s/', BPF_PROG_TYPE_IOURING, true, 'iouring.s', true],
      ['iouring.s/write_file', BPF_PROG_TYPE_IOURING, true, 'iouring.s', true],
      ['iouringx', BPF_PROG_TYPE_UNSPEC, false, null, false],
      ['iouring.sleepy', BPF_PROG_TYPE_UNSPEC, false, null, false],
      ['kprobe/do_sys_open', BPF_PROG_TYPE_UNSPEC, false, 'kprobe', false],
      ['kprobe.multi/x', BPF_PROG_TYPE_UNSPEC, false, 'kprobe.multi', false],
      ['fentry.s/f', BPF_PROG_TYPE_UNSPEC, true, 'fentry.s', false],
      ['xdp', BPF_PROG_TYPE_UNSPEC, false, 'xdp', false],
      ['tp/syscalls/sys_enter_read', BPF_PROG_TYPE_UNSPEC, false, 'tp', false],
      ['my_section', BPF_PROG_TYPE_UNSPEC, false, null, false],
    ];
    for (const [name, type, sleepable, kind, supported] of cases) {
      assert.deepEqual(progTypeOfSection(name), { type, sleepable, kind, supported }, name);
    }
  });

  test('licenses: the license section up to its NUL', () => {
    assert.equal(ring.license, 'GPL');
    assert.equal(legacy.license, 'Dual MIT/GPL');
    assert.equal(load('nobtf').license, 'BSD');
  });

  test('subprograms are appended once per program, transitively, and calls point at them', () => {
    const funcs = (p: ProgramDef) => p.funcs.map((f) => [f.name, f.section, f.insnIndex, f.size]);
    // bump (.text) is shared by count and record (relocated calls against the .text section symbol).
    assert.deepEqual(funcs(prog(ring, 'count')), [
      ['count', 'iouring/count', 0, 48],
      ['bump', '.text', 48, 24],
    ]);
    assert.deepEqual(funcs(prog(ring, 'record')), [
      ['record', 'iouring.s/record', 0, 64],
      ['bump', '.text', 64, 24],
    ]);
    assert.deepEqual(funcs(prog(ring, 'plain')), [['plain', 'iouring', 0, 5]]);
    // first: local_helper in its own section (a call clang resolved without a relocation), mid in
    // .text (relocated) and leaf, called by mid inside .text without a relocation.
    assert.deepEqual(funcs(prog(legacy, 'first')), [
      ['first', 'iouring/pair', 0, 18],
      ['local_helper', 'iouring/pair', 18, 11],
      ['mid', '.text', 29, 19],
      ['leaf', '.text', 48, 7],
    ]);
    assert.deepEqual(funcs(prog(legacy, 'second')), [
      ['second', 'iouring/pair', 0, 14],
      ['local_helper', 'iouring/pair', 14, 11],
    ]);
    assert.deepEqual(funcs(prog(legacy, 'leafy')), [
      ['leafy', 'iouring.s/leafy', 0, 6],
      ['leaf', '.text', 6, 7],
    ]);
    // Every bpf-to-bpf call lands on the start of a placed function; the lengths add up.
    for (const o of [ring, legacy, load('nobtf')]) {
      for (const p of o.programs) {
        assert.equal(
          p.insns.length,
          p.funcs.reduce((n, f) => n + f.size, 0),
        );
        const starts = new Set(p.funcs.map((f) => f.insnIndex));
        p.insns.forEach((insn, i) => {
          if (insn.code === 0x85 && insn.src === 1)
            assert.ok(starts.has(i + 1 + insn.imm), `${p.name} call at ${i}`);
        });
      }
    }
    const calls = (p: ProgramDef) =>
      p.insns.flatMap((insn, i) =>
        insn.code === 0x85 && insn.src === 1 ? [`${i}->${funcAt(p, i + 1 + insn.imm)?.name}`] : [],
      );
    assert.deepEqual(calls(prog(legacy, 'first')), ['7->local_helper', '9->mid', '41->leaf', '45->leaf']);
    assert.deepEqual(calls(prog(load('nobtf'), 'hitter')), ['11->twice', '15->mix', '17->mix']);
  });

  test('BTF maps: parameters from the struct members, key and value types by id', () => {
    const btf = ring.btf!;
    const rows = ring.maps
      .filter((m) => m.origin === 'btf')
      .map((m) => [
        m.name,
        m.type,
        m.keySize,
        m.valueSize,
        m.maxEntries,
        m.flags,
        m.keyTypeId === undefined ? null : declare(btf, m.keyTypeId, '', 0),
        m.valueTypeId === undefined ? null : declare(btf, m.valueTypeId, '', 0),
        m.section,
      ]);
    assert.deepEqual(rows, [
      ['scratch', BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 1, 0, '__u32', 'struct event', '.maps'],
      ['events', BPF_MAP_TYPE_HASH, 4, 16, 64, 0, '__u32', 'struct event', '.maps'],
      ['rb', BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, null, null, '.maps'],
      ['recent', BPF_MAP_TYPE_LRU_HASH, 8, 4, 128, BPF_F_NO_COMMON_LRU, '__u64', '__u32', '.maps'],
      ['jumps', BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0, null, null, '.maps'],
      ['counters', BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, '__u32', '__u64', '.maps'],
    ]);
  });

  test('legacy maps: one struct bpf_map_def per symbol of SEC("maps")', () => {
    assert.deepEqual(
      legacy.maps.filter((m) => m.origin === 'legacy'),
      [
        {
          name: 'stats',
          type: BPF_MAP_TYPE_ARRAY,
          keySize: 4,
          valueSize: 8,
          maxEntries: 8,
          flags: 0,
          section: 'maps',
          origin: 'legacy',
        },
        {
          name: 'seen',
          type: BPF_MAP_TYPE_HASH,
          keySize: 8,
          valueSize: 4,
          maxEntries: 256,
          flags: BPF_F_NO_PREALLOC,
          section: 'maps',
          origin: 'legacy',
        },
      ],
    );
  });

  test('global data: one-entry array maps named after the sections, with initial bytes and BTF variables', () => {
    const globals = ring.maps.filter((m) => m.origin === 'global');
    assert.deepEqual(
      globals.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags]),
      [
        ['.rodata', BPF_MAP_TYPE_ARRAY, 4, 16, 1, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG],
        ['.data', BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_MMAPABLE],
        ['.data.hist', BPF_MAP_TYPE_ARRAY, 4, 32, 1, BPF_F_MMAPABLE],
        ['.rodata.table', BPF_MAP_TYPE_ARRAY, 4, 16, 1, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG],
        ['.bss', BPF_MAP_TYPE_ARRAY, 4, 24, 1, BPF_F_MMAPABLE],
        ['.rodata.str1.1', BPF_MAP_TYPE_ARRAY, 4, 10, 1, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG],
      ],
    );
    const g = (name: string) => ring.globals.find((x) => x.name === name)!;
    const vars = (name: string) => g(name).variables.map((v) => [v.name, v.offset, v.size, v.constVolatile]);
    assert.deepEqual(vars('.rodata'), [
      ['limit', 0, 4, true],
      ['scale', 8, 8, true],
    ]);
    assert.deepEqual(vars('.bss'), [
      ['runs', 0, 4, false],
      ['last', 8, 16, false],
    ]);
    assert.deepEqual(vars('.rodata.table'), [['table', 0, 16, false]]);
    assert.deepEqual(vars('.rodata.str1.1'), []);
    const hexOf = (name: string) => Buffer.from(g(name).initial).toString('hex');
    assert.equal(hexOf('.rodata'), '06000000000000000300000000000000');
    assert.equal(hexOf('.data'), '0700000000000000');
    assert.equal(hexOf('.rodata.table'), '0a000000140000001e00000028000000');
    assert.equal(Buffer.from(g('.rodata.str1.1').initial).toString('latin1'), 'sum %llu\n\0');
    assert.deepEqual(
      [g('.bss').bss, g('.bss').initial.length, g('.bss').initial.every((b) => b === 0)],
      [true, 24, true],
    );
    assert.deepEqual(
      ring.globals.map((x) => [x.name, x.readonly]),
      globals.map((m) => [m.name, m.name.startsWith('.rodata')]),
    );
    // The BTF DATASECs get the real sizes and offsets (clang leaves them 0).
    const ds = ring.btf!.byName('.rodata', 'datasec')[0]!;
    assert.ok(ds.kind === 'datasec');
    assert.deepEqual([ds.size, ds.vars.map((v) => v.offset)], [16, [0, 8]]);
    // Without BTF: the sections still, no variables.
    const nobtf = load('nobtf');
    assert.equal(nobtf.btf, null);
    assert.deepEqual(
      nobtf.globals.map((x) => [x.name, x.size, x.variables.length]),
      [
        ['.data', 8, 0],
        ['.bss', 4, 0],
      ],
    );
  });

  test('lddw relocations: maps by name, global data as section + symbol offset + imm', () => {
    const relocs = (p: ProgramDef) =>
      p.relocs.map((r) =>
        r.kind === 'map' ? `${r.insnIndex} ${r.map}` : `${r.insnIndex} ${r.map}+${r.offset}`,
      );
    assert.deepEqual(relocs(prog(ring, 'count')), [
      '2 .rodata+0', // limit
      '12 .rodata.table+0',
      '23 .bss+0', // runs
      '31 .data.hist+0',
      '39 .rodata.str1.1+0',
      '52 counters', // in bump, appended at 48
      '57 .rodata+8', // scale
      '64 .data+0', // total
    ]);
    assert.deepEqual(relocs(prog(legacy, 'second')), ['1 .bss+0', '6 .rodata+0', '20 seen']);
    for (const o of [ring, legacy, load('nobtf')]) {
      for (const p of o.programs)
        for (const r of p.relocs) assert.ok(isLddw(p.insns[r.insnIndex]!), `${p.name} ${r.insnIndex}`);
    }
  });

  test('line info: every instruction, appended ones included, maps to its source line', () => {
    const count = prog(ring, 'count');
    assert.equal(count.lineInfo.length, 28);
    const callBump = count.insns.findIndex((i) => i.code === 0x85 && i.src === 1);
    assert.deepEqual(sourceAt(count, callBump), {
      file: './ring.c',
      line: 78,
      column: 12,
      text: '    sum += bump(i & 3, table[i & 3]);',
    });
    // In the appended copy of bump, the lines are bump's.
    const lookup = count.insns.findIndex((i, k) => k >= 48 && i.code === 0x85 && i.imm === 1);
    assert.equal(sourceAt(count, lookup)?.text, '  __u64 *v = bpf_map_lookup_elem(&counters, &idx);');
    assert.equal(sourceAt(count, 48)?.text, 'static __noinline __u64 bump(__u32 idx, __u64 by)');
    assert.equal(sourceAt(count, 9999), null);
    assert.deepEqual(
      count.funcs.map((f) => [f.name, ring.btf!.type(f.btfTypeId).name]),
      [
        ['count', 'count'],
        ['bump', 'bump'],
      ],
    );
    // Sorted, inside the program, and for every function.
    for (const o of [ring, legacy]) {
      for (const p of o.programs) {
        const idx = p.lineInfo.map((l) => l.insnIndex);
        assert.deepEqual(
          idx,
          [...idx].sort((a, b) => a - b),
        );
        assert.ok(idx.every((i) => i >= 0 && i < p.insns.length));
        for (const f of p.funcs) assert.ok(idx.includes(f.insnIndex), `${p.name}: a line at ${f.name}`);
      }
    }
    assert.deepEqual(
      load('nobtf').programs.map((p) => [p.lineInfo.length, p.funcs.map((f) => f.btfTypeId)]),
      [[0, [0, 0, 0]]],
    );
  });

  test('objects clang builds from unsupported C are rejected with a code, a section and an offset', () => {
    const cases: [string, string, string | null, RegExp][] = [
      ['reject_extern', 'E_OBJ_EXTERN', 'iouring', /extern symbol 'LINUX_KERNEL_VERSION'/],
      ['reject_kfunc', 'E_OBJ_KFUNC', 'iouring', /'bpf_kfunc_example' \(a kfunc\)/],
      ['reject_core', 'E_OBJ_CORE', 'iouring', /CO-RE/],
      ['reject_pinning', 'E_OBJ_UNSUPPORTED', '.maps', /map 'pinned': 'pinning' is not supported/],
      ['reject_values', 'E_OBJ_UNSUPPORTED', '.maps', /map 'jt': 'values' is not supported/],
      ['reject_dataptr', 'E_OBJ_RELOC', '.data', /pointers in initialised data/],
      ['reject_callback', 'E_OBJ_RELOC', 'iouring', /function addresses are not supported/],
    ];
    for (const [name, code, section, msg] of cases) {
      assert.throws(
        () => load(name),
        (e: unknown) =>
          e instanceof ObjectError &&
          e.code === code &&
          e.section === section &&
          msg.test(e.message) &&
          e.offset > 0,
        name,
      );
    }
  });

  /* ------------------------------------------------------------------ running linked programs */

  /**
   * A minimal loader: globals and array maps get memory, lddw immediates get their addresses, helpers
   * 1/2/5/6 act on them. Returns the helper calls seen and reads of the globals.
   */
  function runLinked(o: ObjectFile, p: ProgramDef, ctxBytes: Uint8Array) {
    const mem = new AddressSpace({ size: 1 << 20 });
    const regions: Region[] = [];
    const addrOf = new Map<string, number>();
    for (const m of o.maps) {
      const size = m.origin === 'global' ? m.valueSize : m.valueSize * m.maxEntries || 8;
      const a = mem.alloc(size);
      const g = o.globals.find((x) => x.name === m.name);
      if (g) mem.writeBytes(a, g.initial);
      addrOf.set(m.name, a);
      regions.push({ addr: a, size, name: m.name });
    }
    const byAddr = new Map([...addrOf].map(([n, a]) => [BigInt(a), o.maps.find((m) => m.name === n)!]));
    const insns = p.insns.map((i) => ({ ...i }));
    for (const r of p.relocs)
      insns[r.insnIndex]!.imm = addrOf.get(r.map)! + (r.kind === 'map_value' ? r.offset : 0);
    const log: string[] = [];
    const h = (id: number, impl: HelperDef['impl']): HelperDef => ({
      id,
      name: `h${id}`,
      args: [],
      ret: 'RET_INTEGER',
      sleepableOnly: false,
      gplOnly: false,
      impl,
    });
    const helpers = new HelperRegistry()
      .register(
        h(1, (env, map, key) => {
          const m = byAddr.get(map)!;
          const k = env.mem.readU32(Number(key));
          log.push(`lookup ${m.name}[${k}]`);
          return m.type === BPF_MAP_TYPE_ARRAY && k < m.maxEntries ? map + BigInt(k * m.valueSize) : 0n;
        }),
      )
      .register(
        h(2, (env, map, key, value) => {
          const m = byAddr.get(map)!;
          log.push(
            `update ${m.name} ${Buffer.from(env.mem.readBytes(Number(key), m.keySize)).toString('hex')}=${Buffer.from(env.mem.readBytes(Number(value), m.valueSize)).toString('hex')}`,
          );
          return 0n;
        }),
      )
      .register(h(5, () => 7n))
      .register(
        h(6, (env, fmt, size) => {
          log.push(`printk ${Buffer.from(env.mem.readBytes(Number(fmt), Number(size))).toString('latin1')}`);
          return 0n;
        }),
      );
    const ctx = mem.alloc(ctxBytes.length);
    mem.writeBytes(ctx, ctxBytes);
    regions.push({ addr: ctx, size: ctxBytes.length, name: 'ctx' });
    const r = loadProgram(insns, { helpers }).run({ mem, r1: ctx, regions });
    const read = (name: string, off: number, n: 4 | 8): bigint =>
      n === 4 ? BigInt(mem.readU32(addrOf.get(name)! + off)) : mem.readU64(addrOf.get(name)! + off);
    return { r0: r.r0, log, read, ctx: mem.readBytes(ctx, ctxBytes.length) };
  }

  test('linked programs run: calls reach their subprograms, lddw relocations reach maps and globals', () => {
    const ctx = new Uint8Array(16);
    new DataView(ctx.buffer).setBigUint64(0, 0x1122n, true);
    const first = runLinked(legacy, prog(legacy, 'first'), ctx);
    assert.equal(first.r0, 0n);
    assert.deepEqual(first.log, ['update seen 2211000000000000=01000000', 'lookup stats[0]']);
    assert.equal(first.read('.bss', 0, 4), 1n); // calls++
    assert.equal(first.read('stats', 0, 8), 1n);

    // count: the loop runs `limit` times (a const volatile in .rodata, set before load).
    const count = prog(ring, 'count');
    const expectCount = (limit: number, counters: bigint[], total: bigint, hist: bigint[]) => {
      const o = load('ring');
      const ro = o.globals.find((g) => g.name === '.rodata')!;
      const v = ro.variables.find((x) => x.name === 'limit')!;
      new DataView(ro.initial.buffer, ro.initial.byteOffset).setUint32(v.offset, limit, true);
      const res = runLinked(o, count, new Uint8Array(16).fill(0xff));
      assert.equal(res.r0, 0n);
      assert.deepEqual(
        [0, 1, 2, 3].map((k) => res.read('counters', 8 * k, 8)),
        counters,
        `limit ${limit}`,
      );
      assert.equal(res.read('.data', 0, 8), total);
      assert.deepEqual(
        [0, 1, 2, 3].map((k) => res.read('.data.hist', 8 * k, 8)),
        hist,
      );
      assert.equal(res.read('.bss', 0, 4), 1n); // runs
      assert.equal(new DataView(res.ctx.buffer, res.ctx.byteOffset).getUint32(8, true), 0); // ctx->wait_nr
      assert.equal(res.log.filter((l) => l.startsWith('lookup counters')).length, limit);
    };
    // counters[i & 3] += table[i & 3] * scale (3); total (7) += table[i & 3]; hist[sum & 3]++.
    expectCount(6, [60n, 120n, 90n, 120n], 137n, [2n, 2n, 3n, 4n]);
    expectCount(2, [30n, 60n, 0n, 0n], 37n, [1n, 2n, 4n, 4n]);
  });

  /* ------------------------------------------------------------------ golden summaries */

  const GOLDEN_FIXTURES = ['ring', 'legacy', 'nobtf', 'kinds'];

  if (process.env.UPDATE_GOLDEN === '1') {
    for (const name of GOLDEN_FIXTURES) {
      writeFileSync(join(GOLDEN, `${name}.txt`), `${formatObject(load(name)).join('\n')}\n`);
    }
  }

  test('golden summaries: maps, globals and annotated listings of every fixture', () => {
    for (const name of GOLDEN_FIXTURES) {
      const file = join(GOLDEN, `${name}.txt`);
      assert.ok(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`);
      assert.equal(
        `${formatObject(load(name)).join('\n')}\n`,
        readFileSync(file, 'utf8'),
        `${name}: regenerate with UPDATE_GOLDEN=1 if the change is intended`,
      );
    }
  });
}
