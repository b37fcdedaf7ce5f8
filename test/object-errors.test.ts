/**
 * parseObject on defective objects: each defect is made in a copy of a fixture (a section header,
 * a symbol, a relocation, an instruction or a BTF record patched in place) and must throw the
 * domain error of its layer (ObjectError, or ElfError / BtfError passed through) with its code, the
 * file offset of the patched bytes and the section concerned.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BtfError } from '../src/ebpf/btf/errors.js';
import type { BtfComposite } from '../src/ebpf/btf/types.js';
import { ElfError } from '../src/ebpf/elf/errors.js';
import { ObjectError } from '../src/ebpf/object/errors.js';
import { parseObject } from '../src/ebpf/object/parse.js';
import type { ObjectFile } from '../src/ebpf/object/types.js';
import { R_BPF_64_ABS64, STB_LOCAL, STT_FUNC } from '../src/uapi/bpf.js';
import { repoRoot } from './helpers.js';

const FIXTURES = join(repoRoot(), 'test/fixtures/bpf');
const bytesOf = (name: string): Uint8Array => readFileSync(join(FIXTURES, `${name}.o`));
const RING = bytesOf('ring');
const LEGACY = bytesOf('legacy');
const ring = parseObject(RING);
const legacy = parseObject(LEGACY);

/** Facts about an object's layout, for patching. */
function at(o: ObjectFile) {
  const sec = (name: string) => o.elf.section(name)!;
  const sym = (name: string) => o.elf.symbols.find((s) => s.name === name)!;
  const rels = (name: string) => o.elf.relocations(sec(name));
  const btfType = (name: string, kind: string) => o.btf!.byName(name).find((t) => t.kind === kind)!;
  /** The BTF struct of a BTF-defined map (its VAR's type). */
  const mapStruct = (name: string) => {
    const v = btfType(name, 'var');
    return o.btf!.type(o.btf!.resolve((v as { type: number }).type));
  };
  return { sec, sym, rels, btfType, mapStruct };
}
const R = at(ring);
const L = at(legacy);

type Patch = (b: Uint8Array, dv: DataView) => void;
type ErrClass = typeof ObjectError | typeof ElfError | typeof BtfError;

function patched(src: Uint8Array, f: Patch): Uint8Array {
  const b = new Uint8Array(src);
  f(b, new DataView(b.buffer));
  return b;
}

// [what, bytes, class, code, file offset, section (ObjectError only), message]
const CASES: [string, Uint8Array, ErrClass, string, number, string | null, RegExp][] = [
  [
    'a program section of a size that is not a multiple of 8',
    patched(RING, (_b, dv) => dv.setBigUint64(R.sec('iouring').headerOffset + 32, 0x27n, true)),
    ObjectError,
    'E_OBJ_SECTION',
    R.sec('iouring').headerOffset + 32,
    'iouring',
    /expected a code size multiple of 8, found 0x27/,
  ],
  [
    'a misaligned program symbol',
    patched(RING, (_b, dv) => dv.setBigUint64(R.sym('count').fileOffset + 8, 4n, true)),
    ObjectError,
    'E_OBJ_SYMBOL',
    R.sym('count').fileOffset + 8,
    'iouring/count',
    /function 'count' at 0x4 of 0x180 bytes: expected 8-aligned/,
  ],
  [
    'a function running past its section',
    patched(RING, (_b, dv) => dv.setBigUint64(R.sym('plain').fileOffset + 16, 0x30n, true)),
    ObjectError,
    'E_OBJ_SYMBOL',
    R.sym('plain').fileOffset + 8,
    'iouring',
    /inside the section of 0x28/,
  ],
  [
    'a program section without a global function',
    patched(RING, (b) => {
      b[R.sym('plain').fileOffset + 4] = (STB_LOCAL << 4) | STT_FUNC;
    }),
    ObjectError,
    'E_OBJ_SYMBOL',
    R.sec('iouring').headerOffset,
    'iouring',
    /expected a global function symbol/,
  ],
  [
    'two programs of one name',
    patched(RING, (_b, dv) =>
      dv.setUint32(R.sym('sleepy').fileOffset, dv.getUint32(R.sym('plain').fileOffset, true), true),
    ),
    ObjectError,
    'E_OBJ_DUPLICATE',
    R.sec('iouring.s').offset,
    'iouring.s',
    /expected unique program names, found 'plain' twice/,
  ],
  [
    'two maps of one name',
    patched(LEGACY, (_b, dv) =>
      dv.setUint32(L.sym('seen').fileOffset, dv.getUint32(L.sym('stats').fileOffset, true), true),
    ),
    ObjectError,
    'E_OBJ_DUPLICATE',
    L.sec('maps').offset + 0x14,
    'maps',
    /expected unique map names, found 'stats' twice/,
  ],
  [
    'an lddw relocation of type R_BPF_64_ABS64',
    patched(RING, (_b, dv) =>
      dv.setUint32(R.rels('.reliouring/count')[0]!.fileOffset + 8, R_BPF_64_ABS64, true),
    ),
    ObjectError,
    'E_OBJ_RELOC',
    R.rels('.reliouring/count')[0]!.fileOffset,
    'iouring/count',
    /on an lddw: expected R_BPF_64_64 \(1\)/,
  ],
  [
    'a relocation on an instruction that is neither lddw nor call',
    patched(RING, (_b, dv) => dv.setBigUint64(R.rels('.reliouring/count')[0]!.fileOffset, 0n, true)),
    ObjectError,
    'E_OBJ_RELOC',
    R.rels('.reliouring/count')[0]!.fileOffset,
    'iouring/count',
    /neither lddw nor a bpf-to-bpf call \(opcode 0xbf\)/,
  ],
  [
    'a relocation on the second slot of an lddw',
    patched(RING, (_b, dv) => dv.setBigUint64(R.rels('.reliouring/count')[0]!.fileOffset, 0x18n, true)),
    ObjectError,
    'E_OBJ_RELOC',
    R.rels('.reliouring/count')[0]!.fileOffset,
    'iouring/count',
    /on the second slot of an lddw/,
  ],
  [
    'two relocations on one slot',
    patched(RING, (_b, dv) => dv.setBigUint64(R.rels('.reliouring/count')[1]!.fileOffset, 0x10n, true)),
    ObjectError,
    'E_OBJ_RELOC',
    R.rels('.reliouring/count')[1]!.fileOffset,
    'iouring/count',
    /expected one per instruction/,
  ],
  [
    'a misaligned relocation',
    patched(RING, (_b, dv) => dv.setBigUint64(R.rels('.reliouring/count')[0]!.fileOffset, 0x11n, true)),
    ObjectError,
    'E_OBJ_RELOC',
    R.rels('.reliouring/count')[0]!.fileOffset,
    'iouring/count',
    /8-aligned offset/,
  ],
  [
    'an lddw of the license',
    patched(RING, (_b, dv) =>
      dv.setUint32(R.rels('.reliouring/count')[0]!.fileOffset + 12, R.sym('LICENSE').index, true),
    ),
    ObjectError,
    'E_OBJ_RELOC',
    R.rels('.reliouring/count')[0]!.fileOffset,
    'iouring/count',
    /against 'LICENSE' in 'license': expected a map or a global variable/,
  ],
  [
    'a global-data offset past its section',
    patched(RING, (_b, dv) => dv.setInt32(R.sec('iouring/count').offset + 0x10 + 4, 0x1000, true)),
    ObjectError,
    'E_OBJ_RELOC',
    R.rels('.reliouring/count')[0]!.fileOffset,
    'iouring/count',
    /expected an offset inside '.rodata' \(size 0x10\), found 4096/,
  ],
  [
    'an lddw of an extern variable',
    patched(RING, (_b, dv) => dv.setUint16(R.sym('limit').fileOffset + 6, 0, true)),
    ObjectError,
    'E_OBJ_EXTERN',
    R.rels('.reliouring/count')[0]!.fileOffset,
    'iouring/count',
    /lddw of the extern symbol 'limit'/,
  ],
  [
    'a same-section call into the middle of a function',
    patched(LEGACY, (_b, dv) => dv.setInt32(L.sec('iouring/pair').offset + (11 + 7) * 8 + 4, -0x12, true)),
    ObjectError,
    'E_OBJ_CALL',
    L.sec('iouring/pair').offset + (11 + 7) * 8,
    'iouring/pair',
    /call at slot 18: expected the start of a function in 'iouring\/pair', found slot 1/,
  ],
  [
    'a call relocated against a variable',
    patched(RING, (_b, dv) =>
      dv.setUint32(R.rels('.reliouring/count')[2]!.fileOffset + 12, R.sym('runs').index, true),
    ),
    ObjectError,
    'E_OBJ_RELOC',
    R.rels('.reliouring/count')[2]!.fileOffset,
    'iouring/count',
    /expected an 8-aligned symbol in an executable section, found 'runs'/,
  ],
  [
    'a kfunc call (src 2)',
    patched(RING, (b) => {
      b[R.sec('iouring/count').offset + 0x80 + 1] = 0x20;
    }),
    ObjectError,
    'E_OBJ_KFUNC',
    R.sec('iouring/count').offset + 0x80,
    'iouring/count',
    /kfunc call at slot 16/,
  ],
  [
    'a legacy maps section that does not divide into its maps',
    patched(LEGACY, (_b, dv) => dv.setBigUint64(L.sec('maps').headerOffset + 32, 0x27n, true)),
    ObjectError,
    'E_OBJ_MAP',
    L.sec('maps').headerOffset + 32,
    'maps',
    /multiple of the 2 map symbols, found 0x27/,
  ],
  [
    'a legacy map past its section',
    patched(LEGACY, (_b, dv) => dv.setBigUint64(L.sym('seen').fileOffset + 8, 0x20n, true)),
    ObjectError,
    'E_OBJ_MAP',
    L.sym('seen').fileOffset + 8,
    'maps',
    /map 'seen' at 0x20: expected a definition of 0x14 bytes/,
  ],
  [
    'a BTF map with an unknown member',
    patched(RING, (_b, dv) =>
      dv.setUint32(
        R.mapStruct('rb').offset + 12,
        dv.getUint32(R.btfType('count', 'func').offset, true),
        true,
      ),
    ),
    ObjectError,
    'E_OBJ_MAP',
    R.mapStruct('rb').offset,
    '.maps',
    /map 'rb': expected members type, .*found 'count'/,
  ],
  [
    'a BTF map whose key_size is not sizeof(key)',
    patched(RING, (_b, dv) => {
      const keySize = (R.mapStruct('jumps') as BtfComposite).members.findIndex((m) => m.name === 'key_size');
      const nameOff = dv.getUint32(R.mapStruct('jumps').offset + 12 + 12 * keySize, true);
      dv.setUint32(R.mapStruct('events').offset + 12 + 12, nameOff, true); // events' max_entries -> key_size
    }),
    ObjectError,
    'E_OBJ_MAP',
    R.mapStruct('events').offset,
    '.maps',
    /map 'events': expected key_size 64 to equal sizeof\(key\), found sizeof\(key\) 4/,
  ],
  [
    'a BTF map that is not a struct',
    patched(RING, (_b, dv) =>
      dv.setUint32(R.btfType('rb', 'var').offset + 8, R.btfType('int', 'int').id, true),
    ),
    ObjectError,
    'E_OBJ_MAP',
    R.btfType('int', 'int').offset,
    '.maps',
    /map 'rb': expected a struct, found int/,
  ],
  [
    'a BTF map without its symbol',
    patched(RING, (_b, dv) =>
      dv.setUint32(R.sym('rb').fileOffset, dv.getUint32(R.sym('plain').fileOffset, true), true),
    ),
    ObjectError,
    'E_OBJ_BTF',
    R.btfType('rb', 'var').offset,
    '.maps',
    /'rb': expected a VAR with an ELF symbol in .maps/,
  ],
  [
    '.maps and .BTF.ext without .BTF',
    patched(RING, (_b, dv) =>
      dv.setUint32(R.sec('.BTF').headerOffset, dv.getUint32(R.sec('.llvm_addrsig').headerOffset, true), true),
    ),
    ObjectError,
    'E_OBJ_BTF',
    R.sec('.BTF.ext').headerOffset,
    '.BTF.ext',
    /expected a .BTF section for .BTF.ext/,
  ],
  [
    'a .bss of 512 MiB',
    patched(RING, (_b, dv) => dv.setBigUint64(R.sec('.bss').headerOffset + 32, 1n << 29n, true)),
    ObjectError,
    'E_OBJ_TOO_LARGE',
    R.sec('.bss').headerOffset + 32,
    '.bss',
    /expected at most 0x10000000 bytes of zero-initialised data, found 0x20000000/,
  ],
  [
    'a bad e_machine (ElfError passes through)',
    patched(RING, (_b, dv) => dv.setUint16(18, 3, true)),
    ElfError,
    'E_ELF_MACHINE',
    18,
    null,
    /expected e_machine EM_BPF/,
  ],
  [
    'a bad .BTF magic (BtfError at its file offset)',
    patched(RING, (_b, dv) => dv.setUint16(R.sec('.BTF').offset, 0, true)),
    BtfError,
    'E_BTF_MAGIC',
    R.sec('.BTF').offset,
    null,
    /expected magic 0xeb9f, found 0x0/,
  ],
  [
    'a bad .BTF.ext record size (BtfError at its file offset)',
    patched(RING, (_b, dv) => dv.setUint32(R.sec('.BTF.ext').offset + 32, 4, true)),
    BtfError,
    'E_BTF_EXT',
    R.sec('.BTF.ext').offset + 32,
    null,
    /func_info: expected a record size >= 8/,
  ],
];

test('defects throw the error of their layer with code, file offset and section', () => {
  for (const [what, bytes, cls, code, offset, section, msg] of CASES) {
    assert.throws(
      () => parseObject(bytes),
      (e: unknown) => {
        assert.ok(e instanceof cls, `${what}: ${e}`);
        const err = e as ObjectError;
        assert.deepEqual([err.code, err.offset], [code, offset], `${what}: ${err.message}`);
        if (cls === ObjectError) assert.equal(err.section, section, what);
        assert.match(err.message, msg, what);
        return true;
      },
    );
  }
});

test('the instruction budget bounds subprogram copies', () => {
  const total = ring.programs.reduce((n, p) => n + p.insns.length, 0);
  assert.equal(parseObject(RING, { maxInsns: total }).programs.length, 4);
  assert.throws(
    () => parseObject(RING, { maxInsns: total - 1 }),
    (e: unknown) =>
      e instanceof ObjectError && e.code === 'E_OBJ_TOO_LARGE' && /found 'sleepy' of 15/.test(e.message),
  );
});
