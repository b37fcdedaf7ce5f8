/**
 * src/mem: the first-fit RangeAllocator (incl. a seeded randomized property test against a model),
 * the AddressSpace (faults, typed little-endian access, allocation, strings, copies) and the
 * struct helpers of src/mem/struct.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AddressSpace,
  DEFAULT_ADDRESS_SPACE_SIZE,
  MAX_ADDRESS_SPACE_SIZE,
  NULL_PAGE_SIZE,
} from '../src/mem/address-space.js';
import { RangeAllocator } from '../src/mem/allocator.js';
import { MemoryExhausted, MemoryFault } from '../src/mem/errors.js';
import { readStruct, readStructField, writeStruct } from '../src/mem/struct.js';
import { IO_URING_CQE, IO_URING_SQE, KERNEL_TIMESPEC, type StructLayout } from '../src/uapi/layout.js';
import { seededRandom } from './helpers.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
const round8 = (n: number): number => Math.ceil(n / 8) * 8;

/** A 128 KiB address space (the smallest allowed): 0x1000..0x20000 allocatable. */
function smallSpace(): AddressSpace {
  return new AddressSpace({ size: 0x20000 });
}

/** Asserts `fn` throws a MemoryFault for `addr` (code EFAULT, address in hex in the message). */
function assertFault(fn: () => unknown, addr: number, what = ''): void {
  assert.throws(
    fn,
    (e: unknown) => {
      assert.ok(e instanceof MemoryFault, `${what}: expected MemoryFault, got ${String(e)}`);
      assert.equal(e.code, 'EFAULT');
      assert.equal(e.name, 'MemoryFault');
      assert.equal(e.addr, addr);
      assert.ok(e.message.includes(hex(addr)), `${what}: message '${e.message}' lacks ${hex(addr)}`);
      return true;
    },
    what,
  );
}

/* ================================================================== RangeAllocator */

test('RangeAllocator: constructor rejects empty, negative and non-integer ranges', () => {
  for (const [s, e] of [
    [0, 0],
    [10, 5],
    [-8, 64],
    [0.5, 64],
    [0, Number.NaN],
    [0, 2 ** 60],
  ] as const) {
    assert.throws(() => new RangeAllocator(s, e), RangeError, `[${s}, ${e})`);
  }
  const a = new RangeAllocator(0x1000, 0x2000);
  assert.equal(a.start, 0x1000);
  assert.equal(a.end, 0x2000);
  assert.equal(a.freeBytes, 0x1000);
  assert.equal(a.liveCount, 0);
  assert.deepEqual(a.freeBlocks(), [{ start: 0x1000, size: 0x1000 }]);
});

test('RangeAllocator: alloc rejects bad sizes and non-power-of-two alignments', () => {
  const a = new RangeAllocator(0, 0x10000);
  for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => a.alloc(size), RangeError, `size ${size}`);
  }
  for (const align of [0, -8, 3, 12, 1.5, 2 ** 31]) {
    assert.throws(() => a.alloc(8, align), RangeError, `align ${align}`);
  }
  assert.equal(a.liveCount, 0);
  assert.equal(a.freeBytes, 0x10000);
});

test('RangeAllocator: sizes round up to 8 and blocks are handed out in address order', () => {
  const a = new RangeAllocator(0x1000, 0x2000);
  const p = a.alloc(5);
  const q = a.alloc(8);
  const r = a.alloc(9);
  assert.deepEqual([p, q, r], [0x1000, 0x1008, 0x1010]);
  assert.deepEqual([a.sizeOf(p), a.sizeOf(q), a.sizeOf(r)], [8, 8, 16]);
  assert.equal(a.freeBytes, 0x1000 - 32);
  assert.equal(a.liveCount, 3);
  assert.equal(a.sizeOf(0x1004), undefined);
  assert.ok(a.contains(0x1010, 16));
  assert.ok(a.contains(0x1014, 4));
  assert.ok(!a.contains(0x1018, 16), 'runs past the end of r');
  assert.ok(!a.contains(0x1020, 1), 'free memory');
});

test('RangeAllocator: alignment leaves the padding free for later first-fit allocations', () => {
  const a = new RangeAllocator(0x1000, 0x10000);
  assert.equal(a.alloc(8), 0x1000);
  const page = a.alloc(1, 0x1000);
  assert.equal(page, 0x2000);
  assert.deepEqual(a.freeBlocks(), [
    { start: 0x1008, size: 0x2000 - 0x1008 },
    { start: 0x2008, size: 0x10000 - 0x2008 },
  ]);
  // First fit: the padding hole below the page is used before the space above it.
  assert.equal(a.alloc(16), 0x1008);
  assert.equal(a.alloc(64, 64), 0x1040);
  // Too big for the hole: goes above.
  assert.equal(a.alloc(0x1000), 0x2008);
  for (const align of [1, 2, 4, 8, 16, 32, 128, 4096, 65536]) {
    const b = new RangeAllocator(0x1000, 0x100000);
    b.alloc(24);
    const x = b.alloc(8, align);
    assert.equal(x % align, 0, `align ${align}`);
    assert.equal(x % 8, 0, `align ${align}: blocks stay 8-aligned`);
  }
});

test('RangeAllocator: first fit takes the lowest hole that is large enough', () => {
  const a = new RangeAllocator(0, 0x1000);
  const blocks = [a.alloc(64), a.alloc(64), a.alloc(256), a.alloc(64), a.alloc(64)];
  assert.deepEqual(blocks, [0, 64, 128, 384, 448]);
  a.free(64); // hole of 64 at 64
  a.free(384); // hole of 64 at 384
  assert.equal(a.alloc(32), 64, 'lowest hole');
  assert.equal(a.alloc(32), 96, 'rest of the lowest hole');
  assert.equal(a.alloc(64), 384, 'next hole that fits');
  assert.equal(a.alloc(128), 512, 'nothing below fits');
});

test('RangeAllocator: free merges with the previous block, the next block, and both', () => {
  const a = new RangeAllocator(0, 256);
  const [p, q, r, s] = [a.alloc(64), a.alloc(64), a.alloc(64), a.alloc(64)];
  assert.deepEqual(a.freeBlocks(), []);
  a.free(p);
  assert.deepEqual(a.freeBlocks(), [{ start: 0, size: 64 }]);
  a.free(r);
  assert.deepEqual(a.freeBlocks(), [
    { start: 0, size: 64 },
    { start: 128, size: 64 },
  ]);
  a.free(q); // merges with p (before) and r (after)
  assert.deepEqual(a.freeBlocks(), [{ start: 0, size: 192 }]);
  a.free(s); // merges with the block before
  assert.deepEqual(a.freeBlocks(), [{ start: 0, size: 256 }]);
  assert.equal(a.freeBytes, 256);

  const b = new RangeAllocator(0, 256);
  const [x, y] = [b.alloc(64), b.alloc(64)];
  b.free(y); // merges with the free tail after it
  assert.deepEqual(b.freeBlocks(), [{ start: 64, size: 192 }]);
  b.free(x); // merges with the block after it only
  assert.deepEqual(b.freeBlocks(), [{ start: 0, size: 256 }]);
});

test('RangeAllocator: double free and frees of non-block addresses throw RangeError', () => {
  const a = new RangeAllocator(0x1000, 0x2000);
  const p = a.alloc(32);
  a.free(p);
  assert.throws(
    () => a.free(p),
    (e: unknown) => e instanceof RangeError && /0x1000/.test(e.message) && /double free/.test(e.message),
  );
  const q = a.alloc(32);
  assert.throws(() => a.free(q + 8), RangeError, 'interior address');
  assert.throws(() => a.free(0x1800), RangeError, 'never allocated');
  assert.equal(a.freeBytes, 0x1000 - 32, 'failed frees change nothing');
  assert.equal(a.liveCount, 1);
});

test('RangeAllocator: exhaustion throws MemoryExhausted (ENOMEM, hex numbers), fragmentation included', () => {
  const a = new RangeAllocator(0, 0x100);
  const blocks: number[] = [];
  for (let i = 0; i < 8; i++) blocks.push(a.alloc(0x20));
  const check = (size: number, align: number, free: number, largest: number): void => {
    assert.throws(
      () => a.alloc(size, align),
      (e: unknown) => {
        assert.ok(e instanceof MemoryExhausted, String(e));
        assert.ok(e instanceof Error);
        assert.equal(e.code, 'ENOMEM');
        assert.equal(e.name, 'MemoryExhausted');
        assert.equal(e.requested, size);
        for (const n of [size, align, free, largest, 0x100]) {
          assert.ok(e.message.includes(hex(n)), `'${e.message}' lacks ${hex(n)}`);
        }
        return true;
      },
    );
  };
  check(8, 8, 0, 0);
  // Free every other block: 0x80 bytes free in total but no block larger than 0x20.
  for (let i = 1; i < 8; i += 2) a.free(blocks[i]!);
  assert.deepEqual(
    a.freeBlocks().map((b) => b.start),
    [0x20, 0x60, 0xa0, 0xe0],
  );
  assert.equal(a.freeBytes, 0x80);
  assert.equal(a.largestFree(), 0x20);
  check(0x28, 8, 0x80, 0x20);
  // A fitting size with an alignment no free block can satisfy.
  check(0x20, 0x40, 0x80, 0x20);
  assert.equal(a.alloc(0x20), 0x20, 'a fitting request still succeeds afterwards');
});

/** Checks every allocator invariant against the model of live blocks (addr -> [size asked, align]). */
function checkInvariants(
  a: RangeAllocator,
  live: Map<number, { size: number; align: number }>,
  ctx: string,
): void {
  const range = a.end - a.start;
  const intervals: Array<{ from: number; to: number; kind: string }> = [];
  let liveBytes = 0;
  for (const [addr, { size, align }] of live) {
    const got = a.sizeOf(addr);
    assert.equal(got, round8(size), `${ctx}: sizeOf(${hex(addr)})`);
    assert.equal(addr % align, 0, `${ctx}: ${hex(addr)} not aligned to ${align}`);
    assert.equal(addr % 8, 0, `${ctx}: ${hex(addr)} not 8-aligned`);
    assert.ok(addr >= a.start && addr + round8(size) <= a.end, `${ctx}: ${hex(addr)} outside the range`);
    liveBytes += round8(size);
    intervals.push({ from: addr, to: addr + round8(size), kind: `live ${hex(addr)}` });
  }
  const free = a.freeBlocks();
  let freeSum = 0;
  for (let i = 0; i < free.length; i++) {
    const b = free[i]!;
    assert.ok(b.size > 0, `${ctx}: empty free block at ${hex(b.start)}`);
    const prev = free[i - 1];
    if (prev !== undefined) {
      assert.ok(
        prev.start + prev.size < b.start,
        `${ctx}: free blocks ${hex(prev.start)} and ${hex(b.start)} not merged/sorted`,
      );
    }
    freeSum += b.size;
    intervals.push({ from: b.start, to: b.start + b.size, kind: `free ${hex(b.start)}` });
  }
  assert.equal(a.liveCount, live.size, `${ctx}: liveCount`);
  assert.equal(a.freeBytes, freeSum, `${ctx}: freeBytes vs free list`);
  assert.equal(a.freeBytes, range - liveBytes, `${ctx}: freeBytes vs live blocks`);
  assert.equal(a.largestFree(), Math.max(0, ...free.map((b) => b.size)), `${ctx}: largestFree`);
  // Live and free blocks tile the range exactly: nothing overlaps, nothing is lost.
  intervals.sort((x, y) => x.from - y.from);
  let at = a.start;
  for (const iv of intervals) {
    assert.equal(
      iv.from,
      at,
      `${ctx}: ${iv.kind} starts at ${hex(iv.from)}, expected ${hex(at)} (overlap or hole)`,
    );
    at = iv.to;
  }
  assert.equal(at, a.end, `${ctx}: blocks end at ${hex(at)}`);
}

/** Where a first-fit allocator must place (size, align), from the free list; undefined if nowhere. */
function firstFit(a: RangeAllocator, size: number, align: number): number | undefined {
  for (const b of a.freeBlocks()) {
    const addr = Math.ceil(b.start / align) * align;
    if (addr + round8(size) <= b.start + b.size) return addr;
  }
  return undefined;
}

for (const seed of [1, 7, 42, 2024, 0xc0ffee]) {
  test(`RangeAllocator property test (seed ${seed}): 4000 random allocs/frees keep every invariant`, () => {
    const rand = seededRandom(seed);
    const start = 0x1000;
    const a = new RangeAllocator(start, start + 0x10000);
    const live = new Map<number, { size: number; align: number }>();
    const aligns = [1, 2, 4, 8, 8, 8, 16, 64, 256, 4096];
    let allocs = 0;
    let exhausted = 0;
    for (let step = 0; step < 4000; step++) {
      const ctx = `seed ${seed} step ${step}`;
      if (live.size === 0 || rand() < 0.55) {
        // Mostly small blocks, sometimes large ones, so the range fills up and fragments.
        const size = rand() < 0.9 ? 1 + Math.floor(rand() * 256) : 1 + Math.floor(rand() * 0x3000);
        const align = aligns[Math.floor(rand() * aligns.length)]!;
        const want = firstFit(a, size, align);
        if (want === undefined) {
          assert.throws(
            () => a.alloc(size, align),
            MemoryExhausted,
            `${ctx}: alloc(${size}, ${align}) fits nowhere`,
          );
          exhausted++;
        } else {
          const got = a.alloc(size, align);
          assert.equal(got, want, `${ctx}: alloc(${size}, ${align}) is not first fit`);
          assert.ok(!live.has(got), `${ctx}: ${hex(got)} handed out twice`);
          live.set(got, { size, align });
          allocs++;
        }
      } else {
        const keys = [...live.keys()];
        const addr = keys[Math.floor(rand() * keys.length)]!;
        a.free(addr);
        live.delete(addr);
      }
      checkInvariants(a, live, ctx);
    }
    assert.ok(allocs > 1000, `only ${allocs} successful allocations`);
    assert.ok(exhausted > 0, 'the run never exhausted the range; make it smaller');
    // Free everything in random order: the free list collapses back to one block.
    const rest = [...live.keys()];
    while (rest.length > 0) {
      const addr = rest.splice(Math.floor(rand() * rest.length), 1)[0]!;
      a.free(addr);
      live.delete(addr);
      checkInvariants(a, live, `seed ${seed} teardown`);
    }
    assert.deepEqual(a.freeBlocks(), [{ start, size: 0x10000 }]);
    assert.equal(a.freeBytes, 0x10000);
    assert.equal(a.liveCount, 0);
  });
}

/* ================================================================== AddressSpace */

test('AddressSpace: constructor validates the size and rounds it up to 64 KiB pages', () => {
  for (const size of [0, -1, 0x1ffff, 0x20000 + 0.5, Number.NaN, MAX_ADDRESS_SPACE_SIZE + 1, 2 ** 40]) {
    assert.throws(() => new AddressSpace({ size }), RangeError, `size ${size}`);
  }
  assert.equal(new AddressSpace({ size: 0x20000 }).size, 0x20000);
  assert.equal(new AddressSpace({ size: 0x20001 }).size, 0x30000);
  const def = new AddressSpace();
  assert.equal(def.size, DEFAULT_ADDRESS_SPACE_SIZE);
  assert.equal(def.memory.buffer.byteLength, DEFAULT_ADDRESS_SPACE_SIZE);
  assert.equal(def.freeBytes, DEFAULT_ADDRESS_SPACE_SIZE - NULL_PAGE_SIZE, 'everything but the NULL page');
});

test('AddressSpace: every checked access to the NULL page faults with EFAULT and the address in hex', () => {
  const m = smallSpace();
  const cases: Array<[string, number, (a: number) => unknown]> = [
    ['readU8', 0, (a) => m.readU8(a)],
    ['readU16', 0x10, (a) => m.readU16(a)],
    ['readU32', 0xffc, (a) => m.readU32(a)],
    ['readI32', 0x20, (a) => m.readI32(a)],
    ['readU64', 0x30, (a) => m.readU64(a)],
    ['readI64', 0x40, (a) => m.readI64(a)],
    ['writeU8', 0xfff, (a) => m.writeU8(a, 1)],
    ['writeU16', 0x2, (a) => m.writeU16(a, 1)],
    ['writeU32', 0x4, (a) => m.writeU32(a, 1)],
    ['writeI32', 0x8, (a) => m.writeI32(a, 1)],
    ['writeU64', 0x800, (a) => m.writeU64(a, 1n)],
    ['writeI64', 0xff8, (a) => m.writeI64(a, 1n)],
    ['readBytes', 0x100, (a) => m.readBytes(a, 4)],
    ['writeBytes', 0x100, (a) => m.writeBytes(a, new Uint8Array(4))],
    ['fill', 0x100, (a) => m.fill(a, 0, 4)],
    ['view', 0x100, (a) => m.view(a, 4)],
    ['readCString', 0, (a) => m.readCString(a)],
    ['copy dst', 0x100, (a) => m.copy(a, 0x2000, 4)],
    ['copy src', 0x200, (a) => m.copy(0x2000, a, 4)],
    ['check', 0, (a) => m.check(a, 1)],
    // Starts in the NULL page, ends above it.
    ['readU32 straddling 0x1000', 0xffe, (a) => m.readU32(a)],
  ];
  for (const [what, addr, fn] of cases) assertFault(() => fn(addr), addr, what);
  assert.throws(
    () => m.readU32(0),
    (e: unknown) => e instanceof MemoryFault && /NULL page/.test(e.message) && e.length === 4,
  );
  assert.equal(m.readU32(NULL_PAGE_SIZE), 0, 'the first byte above the NULL page is addressable');
});

test('AddressSpace: out-of-range and end-spanning accesses fault; the last bytes are addressable', () => {
  const m = smallSpace();
  const end = m.size;
  assertFault(() => m.readU8(end), end, 'readU8 at end');
  assertFault(() => m.readU32(end - 2), end - 2, 'readU32 spanning the end');
  assertFault(() => m.readU64(end - 4), end - 4, 'readU64 spanning the end');
  assertFault(() => m.writeU64(end - 7, 0n), end - 7, 'writeU64 spanning the end');
  assertFault(() => m.writeBytes(end - 3, new Uint8Array(4)), end - 3, 'writeBytes spanning the end');
  assertFault(() => m.readBytes(end - 16, 17), end - 16, 'readBytes spanning the end');
  assertFault(() => m.fill(end - 1, 0, 2), end - 1, 'fill spanning the end');
  assertFault(() => m.view(end, 1), end, 'view at end');
  assertFault(() => m.readU32(0xffff_ffff), 0xffff_ffff, 'far above');
  assert.throws(() => m.readU8(-1), MemoryFault, 'negative');
  assert.throws(() => m.readU8(4096.5), MemoryFault, 'fractional');
  assert.throws(() => m.readU8(Number.NaN), MemoryFault, 'NaN');
  assert.throws(
    () => m.readU8(end),
    (e: unknown) => e instanceof MemoryFault && /outside the address space/.test(e.message),
  );
  m.writeU64(end - 8, 0x0102030405060708n);
  assert.equal(m.readU64(end - 8), 0x0102030405060708n);
  assert.equal(m.readU8(end - 1), 0x01);
  assert.ok(m.isValid(end, 0));
  assert.ok(!m.isValid(end, 1));
  assert.ok(!m.isValid(0x2000, -1));
});

test('AddressSpace: typed reads and writes of every width are little-endian, at any alignment', () => {
  const m = smallSpace();
  const p = m.alloc(64);
  m.writeU16(p + 1, 0xbeef);
  assert.deepEqual([...m.readBytes(p + 1, 2)], [0xef, 0xbe]);
  assert.equal(m.readU16(p + 1), 0xbeef);
  m.writeU32(p + 3, 0x12345678);
  assert.deepEqual([...m.readBytes(p + 3, 4)], [0x78, 0x56, 0x34, 0x12]);
  assert.equal(m.readU32(p + 3), 0x12345678);
  m.writeU64(p + 9, 0x0102030405060708n);
  assert.deepEqual([...m.readBytes(p + 9, 8)], [8, 7, 6, 5, 4, 3, 2, 1]);
  assert.equal(m.readU64(p + 9), 0x0102030405060708n);
  m.writeU8(p, 0xab);
  assert.equal(m.readU8(p), 0xab);

  // Unsigned and signed views of the same bits.
  m.writeI32(p + 16, -2);
  assert.equal(m.readI32(p + 16), -2);
  assert.equal(m.readU32(p + 16), 0xffff_fffe);
  m.writeU32(p + 16, 0xffff_ffff);
  assert.equal(m.readI32(p + 16), -1);
  m.writeU32(p + 16, -1); // negative numbers are stored as their u32 bits
  assert.equal(m.readU32(p + 16), 0xffff_ffff);
  m.writeI32(p + 16, 0x8000_0000); // and u32 numbers as their i32 bits
  assert.equal(m.readI32(p + 16), -0x8000_0000);

  m.writeI64(p + 24, -1n);
  assert.equal(m.readU64(p + 24), 0xffff_ffff_ffff_ffffn);
  assert.equal(m.readI64(p + 24), -1n);
  m.writeU64(p + 24, -2n); // wraps to 2^64 - 2
  assert.equal(m.readU64(p + 24), 0xffff_ffff_ffff_fffen);
  m.writeU64(p + 24, 1n << 64n); // truncated to 64 bits
  assert.equal(m.readU64(p + 24), 0n);
  m.writeI64(p + 24, 1n << 63n);
  assert.equal(m.readI64(p + 24), -(1n << 63n));
  m.writeI64(p + 24, (1n << 63n) - 1n);
  assert.equal(m.readI64(p + 24), (1n << 63n) - 1n);
  assert.equal(m.readU64(p + 24), (1n << 63n) - 1n);
  assert.equal(typeof m.readU64(p + 24), 'bigint');

  // Narrow writes keep the low bits.
  m.writeU8(p + 40, 0x1ff);
  assert.equal(m.readU8(p + 40), 0xff);
  m.writeU16(p + 40, 0x12345);
  assert.equal(m.readU16(p + 40), 0x2345);
  assert.equal(m.readU8(p + 42), 0, 'a u16 write touches two bytes only');
});

test('AddressSpace: fast accessors and atomics see the same little-endian words', () => {
  const m = smallSpace();
  const p = m.alloc(16, 8);
  m.setU32(p, 0x11223344);
  assert.equal(m.readU32(p), 0x11223344);
  assert.equal(m.u32(p), 0x11223344);
  assert.equal(m.u16(p), 0x3344);
  assert.equal(m.u8(p + 3), 0x11);
  m.setI32(p + 4, -5);
  assert.equal(m.i32(p + 4), -5);
  assert.equal(m.u32(p + 4), 0xffff_fffb);
  m.setU16(p + 8, 0xabcd);
  m.setU8(p + 10, 0x7f);
  assert.equal(m.readU32(p + 8), 0x7fabcd);
  m.storeU32(p + 12, 0b1010);
  m.orU32(p + 12, 0b0101);
  assert.equal(m.loadU32(p + 12), 0b1111);
  m.andNotU32(p + 12, 0b0110);
  assert.equal(m.loadU32(p + 12), 0b1001);
  m.zero(p, 16);
  assert.deepEqual([...m.readBytes(p, 16)], new Array(16).fill(0));
});

test('AddressSpace: alloc returns zeroed, aligned memory even when reusing freed dirty blocks', () => {
  const m = smallSpace();
  const p = m.alloc(256, 64);
  assert.equal(p % 64, 0);
  assert.ok(p >= NULL_PAGE_SIZE);
  m.fill(p, 0xa5, 256);
  m.free(p);
  const q = m.alloc(256, 64);
  assert.equal(q, p, 'first fit reuses the block');
  assert.deepEqual([...m.readBytes(q, 256)], new Array(256).fill(0));
  m.fill(q, 0xff, 256);
  m.free(q);
  // Smaller blocks carved out of the dirty region are zeroed too.
  const r = m.alloc(13);
  const s = m.alloc(100);
  assert.deepEqual([...m.readBytes(r, 13)], new Array(13).fill(0));
  assert.deepEqual([...m.readBytes(s, 100)], new Array(100).fill(0));
  assert.equal(m.liveAllocations, 2);
  assert.equal(m.allocationSize(r), 16);
  assert.equal(m.allocationSize(r + 8), undefined);
  m.free(r);
  m.free(s);
  assert.equal(m.liveAllocations, 0);
  assert.equal(m.freeBytes, m.size - NULL_PAGE_SIZE);
  assert.equal(m.largestFree, m.size - NULL_PAGE_SIZE);
  assert.throws(() => m.free(r), RangeError, 'double free');
  assert.throws(
    () => m.alloc(m.size),
    (e: unknown) => e instanceof MemoryExhausted && e.code === 'ENOMEM',
  );
});

test('AddressSpace: blocks from random alloc/free never clobber each other (seeded)', () => {
  const m = smallSpace();
  const rand = seededRandom(99);
  const live = new Map<number, { len: number; tag: number }>();
  for (let step = 0; step < 3000; step++) {
    if (live.size === 0 || rand() < 0.6) {
      const len = 1 + Math.floor(rand() * 600);
      let addr: number;
      try {
        addr = m.alloc(len, 1 << Math.floor(rand() * 7));
      } catch (e) {
        assert.ok(e instanceof MemoryExhausted);
        continue;
      }
      assert.deepEqual([...m.readBytes(addr, len)], new Array(len).fill(0), `step ${step}: not zeroed`);
      const tag = 1 + (step % 255);
      m.fill(addr, tag, len);
      live.set(addr, { len, tag });
    } else {
      const keys = [...live.keys()];
      const addr = keys[Math.floor(rand() * keys.length)]!;
      const { len, tag } = live.get(addr)!;
      const bytes = m.readBytes(addr, len);
      assert.ok(
        bytes.every((b) => b === tag),
        `step ${step}: block ${hex(addr)}+${len} was overwritten`,
      );
      m.free(addr);
      live.delete(addr);
    }
  }
  for (const addr of live.keys()) m.free(addr);
  assert.equal(m.liveAllocations, 0);
  assert.equal(m.freeBytes, m.size - NULL_PAGE_SIZE);
});

test('AddressSpace: view() is live in both directions and bounds-checked', () => {
  const m = smallSpace();
  const p = m.alloc(32);
  const v = m.view(p, 32);
  assert.equal(v.length, 32);
  v[0] = 0x42;
  v.set([1, 2, 3, 4], 4);
  assert.equal(m.readU8(p), 0x42);
  assert.equal(m.readU32(p + 4), 0x04030201);
  m.writeU32(p + 8, 0xdeadbeef);
  assert.deepEqual([...v.subarray(8, 12)], [0xef, 0xbe, 0xad, 0xde]);
  // readBytes is a copy, not a view.
  const copy = m.readBytes(p, 4);
  copy[0] = 0;
  assert.equal(m.readU8(p), 0x42);
  assertFault(() => m.view(m.size - 8, 16), m.size - 8, 'view spanning the end');
});

test('AddressSpace: readCString stops at NUL, decodes UTF-8 and bounds the length', () => {
  const m = smallSpace();
  const p = m.alloc(64);
  m.writeBytes(p, new TextEncoder().encode('hello\0world'));
  assert.equal(m.readCString(p), 'hello');
  assert.equal(m.readCString(p + 6), 'world');
  assert.equal(m.readCString(p + 5), '');
  const q = m.alloc(32);
  m.writeBytes(q, new TextEncoder().encode('héllo wörld\0'));
  assert.equal(m.readCString(q), 'héllo wörld');
  // max: a string of max-1 bytes plus its NUL is fine; max bytes without a NUL is too long.
  const r = m.alloc(16);
  m.writeBytes(r, new TextEncoder().encode('abcdefg\0'));
  assert.equal(m.readCString(r, 8), 'abcdefg');
  assert.throws(() => m.readCString(r, 7), RangeError);
  assert.throws(
    () => m.readCString(r, 4),
    (e: unknown) => e instanceof RangeError && e.message.includes(hex(r)),
  );
  // A string that runs into the end of the address space faults.
  m.fill(m.size - 4, 0x41, 4);
  assertFault(() => m.readCString(m.size - 4), m.size, 'unterminated at the end');
  assertFault(() => m.readCString(0x10), 0x10, 'NULL page');
  assertFault(() => m.readCString(m.size), m.size, 'past the end');
});

test('AddressSpace: copy is memmove (overlap either way) and checks both ranges', () => {
  const m = smallSpace();
  const p = m.alloc(32);
  const init = (): void =>
    m.writeBytes(
      p,
      Uint8Array.from({ length: 16 }, (_, i) => i + 1),
    );
  init();
  m.copy(p + 4, p, 8); // forward overlap
  assert.deepEqual([...m.readBytes(p, 16)], [1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 13, 14, 15, 16]);
  init();
  m.copy(p, p + 4, 8); // backward overlap
  assert.deepEqual([...m.readBytes(p, 16)], [5, 6, 7, 8, 9, 10, 11, 12, 9, 10, 11, 12, 13, 14, 15, 16]);
  const q = m.alloc(16);
  init();
  m.copy(q, p, 16);
  assert.deepEqual([...m.readBytes(q, 16)], [...m.readBytes(p, 16)]);
  m.copy(q, p, 0);
  assertFault(() => m.copy(m.size - 4, p, 8), m.size - 4, 'dst spans the end');
  assertFault(() => m.copy(p, m.size - 4, 8), m.size - 4, 'src spans the end');
  m.fill(p, 7, 4);
  assert.deepEqual([...m.readBytes(p, 5)], [7, 7, 7, 7, 5]);
});

test('AddressSpace.pointer / pointerFromBigInt: 64-bit user pointers to addresses', () => {
  assert.equal(AddressSpace.pointer(0x2000, 0), 0x2000);
  assert.equal(AddressSpace.pointer(-1, 0), 0xffff_ffff, 'low half read as i32');
  assert.equal(AddressSpace.pointer(0x8000_0000 | 0, 0), 0x8000_0000);
  assert.equal(AddressSpace.pointer(0x2000, 1), -1, 'above 4 GiB');
  assert.equal(AddressSpace.pointer(0, 0xffff_ffff), -1);
  assert.equal(AddressSpace.pointerFromBigInt(0x2000n), 0x2000);
  assert.equal(AddressSpace.pointerFromBigInt(0xffff_ffffn), 0xffff_ffff);
  assert.equal(AddressSpace.pointerFromBigInt(0x1_0000_0000n), -1);
  assert.equal(AddressSpace.pointerFromBigInt(-1n), -1);
  // -1 is never a valid address, so it faults like any bad pointer.
  assert.throws(() => smallSpace().readU8(AddressSpace.pointer(0, 1)), MemoryFault);
});

/* ================================================================== struct.ts */

test('writeStruct / readStruct round-trip every field type of io_uring_sqe', () => {
  const m = smallSpace();
  const sqe = m.alloc(IO_URING_SQE.size, 64);
  writeStruct(m, IO_URING_SQE, sqe, {
    opcode: 22,
    flags: 0x05,
    ioprio: 0xfffe,
    fd: -1,
    off: 0xffff_ffff_ffff_fff0n,
    addr: 0x1234_5678_9abc_def0n,
    len: 0x8000_0001,
    op_flags: 0xffff_ffff,
    user_data: 0xdead_beef_cafe_f00dn,
    buf_index: 7,
    personality: 3,
    splice_fd_in: -100,
    cq_idx: 0xffff,
  });
  const s = readStruct(m, IO_URING_SQE, sqe);
  assert.equal(s.opcode, 22);
  assert.equal(s.flags, 5);
  assert.equal(s.ioprio, 0xfffe);
  assert.equal(s.fd, -1, 's32 reads back signed');
  assert.equal(s.off, 0xffff_ffff_ffff_fff0n, 'u64 reads back as bigint');
  assert.equal(s.addr2, s.off, 'union alias');
  assert.equal(s.addr, 0x1234_5678_9abc_def0n);
  assert.equal(s.splice_off_in, s.addr);
  assert.equal(s.len, 0x8000_0001);
  assert.equal(s.rw_flags, 0xffff_ffff);
  assert.equal(s.timeout_flags, 0xffff_ffff);
  assert.equal(s.user_data, 0xdead_beef_cafe_f00dn);
  assert.equal(s.buf_index, 7);
  assert.equal(s.buf_group, 7);
  assert.equal(s.personality, 3);
  assert.equal(s.splice_fd_in, -100);
  assert.equal(s.cq_idx, 0xffff);
  // Raw bytes: little-endian at the table's offsets, and cq_idx is two bytes only.
  assert.equal(m.readU8(sqe), 22);
  assert.equal(m.readI32(sqe + 4), -1);
  assert.equal(m.readU16(sqe + 48), 0xffff);
  assert.deepEqual([...m.readBytes(sqe + 50, 14)], new Array(14).fill(0));
  assert.equal(readStructField(m, IO_URING_SQE, sqe, 'user_data'), 0xdead_beef_cafe_f00dn);
  assert.equal(readStructField(m, IO_URING_SQE, sqe, 'fd'), -1);
});

test('writeStruct leaves unnamed fields alone, coerces number/bigint, rejects unknown fields', () => {
  const m = smallSpace();
  const cqe = m.alloc(IO_URING_CQE.size);
  writeStruct(m, IO_URING_CQE, cqe, { user_data: 5, res: -22n, flags: 0x10002 });
  assert.deepEqual(readStruct(m, IO_URING_CQE, cqe), { user_data: 5n, res: -22, flags: 0x10002 });
  writeStruct(m, IO_URING_CQE, cqe, { res: 0 });
  assert.deepEqual(readStruct(m, IO_URING_CQE, cqe), { user_data: 5n, res: 0, flags: 0x10002 });
  const ts = m.alloc(KERNEL_TIMESPEC.size);
  writeStruct(m, KERNEL_TIMESPEC, ts, { tv_sec: -1n, tv_nsec: 999_999_999 });
  assert.deepEqual(readStruct(m, KERNEL_TIMESPEC, ts), { tv_sec: -1n, tv_nsec: 999_999_999n });
  assert.equal(m.readU64(ts), 0xffff_ffff_ffff_ffffn);
  const loose: StructLayout = IO_URING_CQE;
  assert.throws(() => writeStruct(m, loose, cqe, { bogus: 1 }), TypeError);
});

test('readStruct / writeStruct check the whole struct: NULL and end-spanning addresses fault', () => {
  const m = smallSpace();
  assertFault(() => readStruct(m, IO_URING_SQE, 0), 0, 'readStruct NULL');
  assertFault(() => writeStruct(m, IO_URING_CQE, 0x8, { res: 1 }), 0x8, 'writeStruct NULL');
  // Only the first field would fit, but the struct as a whole does not: nothing is written.
  const at = m.size - 8;
  assertFault(() => writeStruct(m, IO_URING_CQE, at, { user_data: 1n }), at, 'writeStruct spanning the end');
  assert.equal(m.readU64(at), 0n, 'the partial write did not happen');
  assertFault(() => readStruct(m, IO_URING_CQE, at), at, 'readStruct spanning the end');
});

test('ring-word accessors behave the same with plain and with atomic (threaded) access', () => {
  const results: number[][] = [];
  for (const threaded of [false, true]) {
    const m = new AddressSpace({ size: 1 << 20 });
    if (threaded) m.enableThreads();
    assert.equal(m.threaded, threaded);
    const a = m.alloc(16, 8);
    m.storeU32(a, 0xfffffffe);
    m.orU32(a + 4, 0b1010);
    m.orU32(a + 4, 0b0101);
    m.andNotU32(a + 4, 0b0011);
    m.storeU32(a + 8, m.loadU32(a) + 3);
    results.push([m.loadU32(a), m.loadU32(a + 4), m.readU32(a + 8)]);
  }
  assert.deepEqual(results[0], [0xfffffffe, 0b1100, 1]);
  assert.deepEqual(results[1], results[0]);
});

test('AddressSpace: alloc and zero clear every byte, for sizes below, at and across the zero block (64 KiB)', () => {
  const m = new AddressSpace({ size: 1 << 20 });
  for (const size of [1, 127, 128, 129, 4096, 0x10000 - 8, 0x10000, 0x10000 + 8, 0x28000 + 24]) {
    const a = m.alloc(size);
    m.fill(a, 0xee, size);
    m.free(a);
    const b = m.alloc(size);
    assert.equal(b, a, 'the same block comes back');
    const bytes = m.readBytes(b, size);
    assert.equal(bytes.indexOf(0xee), -1, `size ${size}: a dirty byte survived`);
    if (size >= 3) {
      m.fill(b, 0xee, size);
      m.zero(b + 1, size - 2);
      assert.equal(m.readU8(b), 0xee, 'zero() leaves the byte before its range');
      assert.equal(m.readU8(b + size - 1), 0xee, 'zero() leaves the byte after its range');
      assert.equal(m.readBytes(b + 1, size - 2).indexOf(0xee), -1);
    }
    m.free(b);
  }
});

test('AddressSpace: kernel-private blocks (allocKernel) are what touchesKernel finds; isUser excludes them', () => {
  const m = new AddressSpace({ size: 1 << 20 });
  const u1 = m.alloc(64);
  const k1 = m.allocKernel(32);
  const u2 = m.alloc(64);
  const k2 = m.allocKernel(100);
  // [addr, len, touches kernel]
  for (const [addr, len, want] of [
    [u1, 64, false],
    [u1 + 60, 4, false],
    [u1 + 60, 8, true], // runs into k1 (blocks are adjacent, 8-aligned)
    [k1, 1, true],
    [k1 + 31, 1, true],
    [k1 + 32, 1, false],
    [u2, 64, false],
    [u1, u2 + 64 - u1, true], // spans k1
    [k2 + 99, 1, true],
    [k2 + 104, 8, false],
  ] as const) {
    assert.equal(m.touchesKernel(addr, len), want, `[0x${addr.toString(16)}, +${len})`);
    assert.equal(m.isUser(addr, len), !want && m.isValid(addr, len));
  }
  m.free(k1);
  assert.equal(m.touchesKernel(k1, 32), false, 'freed: no longer kernel-private');
  assert.equal(m.touchesKernel(k2, 1), true);
  assert.equal(m.isUser(0, 8), false, 'the NULL page is not user memory either');
});
