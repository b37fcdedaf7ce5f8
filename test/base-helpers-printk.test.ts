/**
 * Helper 6, bpf_trace_printk: every accepted conversion, every rejection (-EINVAL, -ENOSPC), strings
 * through granted and non-granted memory, the return value (the whole length), the 1023-byte cut, and
 * the TraceLog (timestamps, echo, drain, capacity). Each case runs a real program calling helper 6
 * with the format in a read-only region.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleUbpf } from '../src/ebpf/asm/ubpf.js';
import { registerBaseHelpers } from '../src/ebpf/base-helpers.js';
import { BpfFault } from '../src/ebpf/faults.js';
import { HelperRegistry } from '../src/ebpf/helpers.js';
import type { Region } from '../src/ebpf/interp.js';
import type { EngineKind } from '../src/ebpf/run-env.js';
import { TraceLog } from '../src/ebpf/trace.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { EINVAL, ENOSPC } from '../src/uapi/errno.js';
import { perEngine } from './engines.js';

const mem = new AddressSpace({ size: 1024 * 1024 });
const enc = new TextEncoder();

/** Memory the cases use: the format, granted strings and data, and bytes the program may not read. */
const FMT = mem.alloc(4096);
const DATA = mem.alloc(4096); // granted (read-only)
const SECRET = mem.alloc(256); // never granted
const put = (addr: number, bytes: Uint8Array | string): number => {
  mem.writeBytes(addr, typeof bytes === 'string' ? enc.encode(bytes) : bytes);
  return addr;
};
const HELLO = put(DATA, 'hello\0');
const IP = put(DATA + 16, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16));
const LONG = put(DATA + 64, `${'x'.repeat(600)}\0`);
const S507 = put(DATA + 1024, `${'y'.repeat(507)}\0`);
const S509 = put(DATA + 1536, `${'z'.repeat(509)}\0`);
/** A string whose NUL lies past the end of the granted bytes. */
const EDGE = put(DATA + 4096 - 3, 'abc');
put(SECRET, 'secret\0');
const REGIONS: Region[] = [
  { addr: FMT, size: 4096, writable: false, name: 'fmt' },
  { addr: DATA, size: 4096, writable: false, name: 'data' },
];

let now = 1000n;
const clock = (): bigint => now++;

interface Printed {
  /** r0 as a signed value. */
  readonly ret: bigint;
  /** Text of the line written, or null when none was. */
  readonly text: string | null;
}

/** Run `trace_printk(fmt, size, a1, a2, a3)`; the format gets a NUL unless `raw`. */
function printk(fmt: string | Uint8Array, args: readonly bigint[] = [], o: { size?: number } = {}): Printed {
  const bytes = typeof fmt === 'string' ? enc.encode(`${fmt}\0`) : fmt;
  put(FMT, bytes);
  const trace = new TraceLog();
  const helpers = new HelperRegistry();
  registerBaseHelpers(helpers, { trace, clock, seed: 1 });
  const [a1 = 0n, a2 = 0n, a3 = 0n] = args;
  const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
  const prog = loadProgram(
    assembleUbpf(
      `lddw %r1, ${FMT}\nlddw %r2, ${o.size ?? bytes.length}\nlddw %r3, ${hex(a1)}\n` +
        `lddw %r4, ${hex(a2)}\nlddw %r5, ${hex(a3)}\ncall 6\nexit`,
    ),
    { helpers },
  );
  const { r0 } = prog.run({ mem, regions: REGIONS });
  const lines = trace.drain();
  assert.ok(lines.length <= 1, 'one line per call at most');
  return { ret: BigInt.asIntN(64, r0), text: lines[0]?.text ?? null };
}

/** [format, arguments, expected text] for formats the kernel accepts. */
const ACCEPTED: [fmt: string, args: bigint[], text: string][] = [
  ['plain text', [], 'plain text'],
  ['tab\tand newline\n', [], 'tab\tand newline\n'],
  ['h\u00e9llo \u2713 %d', [1n], 'h\u00e9llo \u2713 1'],
  ['100%% %d', [7n], '100% 7'],
  ['%%%%', [], '%%'],
  // int conversions take the low 32 bits
  ['%d', [-5n], '-5'],
  ['%d', [0x1_0000_0005n], '5'],
  ['%d', [0xffff_fffbn], '-5'],
  ['%i', [42n], '42'],
  ['%u', [-1n], '4294967295'],
  ['%x', [0xabcd_ef01_2345n], 'ef012345'],
  ['%X', [255n], 'FF'],
  // l and ll are 64 bits
  ['%ld', [-1n], '-1'],
  ['%li', [1n << 40n], '1099511627776'],
  ['%lu', [-1n], '18446744073709551615'],
  ['%lx', [0xdead_beef_cafen], 'deadbeefcafe'],
  ['%lX', [0xdead_beef_cafen], 'DEADBEEFCAFE'],
  ['%lld', [-(1n << 63n)], '-9223372036854775808'],
  ['%lli', [123n], '123'],
  ['%llu', [1n << 63n], '9223372036854775808'],
  ['%llx', [-1n], 'ffffffffffffffff'],
  // flags and width
  ['%5d|', [42n], '   42|'],
  ['%-5d|', [42n], '42   |'],
  ['%05d', [-42n], '-0042'],
  ['%-05d|', [7n], '7    |'],
  ['%+d %+d', [5n, -5n], '+5 -5'],
  ['% d', [5n], ' 5'],
  ['%+u', [5n], '5'],
  ['%08x', [0xbeefn], '0000beef'],
  ['%2d', [100n], '100'],
  ['%+-6d|', [3n], '+3    |'],
  ['%3d|%-3d|%03d', [1n, 2n, 3n], '  1|2  |003'],
  // characters
  ['%c%c', [0x41n, 0x142n], 'AB'],
  ['%3c|%-3c|', [0x61n, 0x62n], '  a|b  |'],
  // pointers: the raw value (no hashing), 16 hex digits unless a width is given
  ['%p', [0x1234n], '0000000000001234'],
  ['%pK', [0x1234n], '0000000000001234'],
  ['%px', [-1n], 'ffffffffffffffff'],
  ['%p.', [0xabn], '00000000000000ab.'],
  ['%8p|', [0xabn], '      ab|'],
  ['%-8p|', [0xabn], 'ab      |'],
  ['[%px%d]', [1n, 2n], '[00000000000000012]'],
  ['%pxtra', [1n], '0000000000000001'], // alphanumerics after %px are swallowed
  // symbols: never known here, printed as the kernel prints an address kallsyms cannot name
  ['%ps %pS %pB', [0x1000n, 0x2000n, 0x3000n], '0x1000 0x2000 0x3000'],
  ['%8ps|', [0x10n], '    0x10|'],
  // IP addresses read from memory
  ['%pI4', [BigInt(IP)], '1.2.3.4'],
  ['%pi4', [BigInt(IP)], '001.002.003.004'],
  ['%pI6', [BigInt(IP)], '0102:0304:0506:0708:090a:0b0c:0d0e:0f10'],
  ['%pi6', [BigInt(IP)], '0102030405060708090a0b0c0d0e0f10'],
  ['%pI4h!', [BigInt(IP)], '1.2.3.4!'],
  ['%pI4', [BigInt(SECRET)], '0.0.0.0'],
  ['%pI4', [0n], '0.0.0.0'],
  ['%10pI4|', [BigInt(IP)], '   1.2.3.4|'],
  // strings
  ['%s!', [BigInt(HELLO)], 'hello!'],
  ['%8s|%-8s|', [BigInt(HELLO), BigInt(HELLO)], '   hello|hello   |'],
  ['%pks %pus', [BigInt(HELLO), BigInt(HELLO + 1)], 'hello ello'],
  ['[%s]', [BigInt(SECRET)], '[]'], // not granted: printed empty, as a faulting copy
  ['[%s]', [BigInt(EDGE)], '[]'], // its NUL is outside the granted bytes
  ['[%s]', [0n], '[]'],
  ['[%s]', [1n << 40n], '[]'],
  ['%s', [BigInt(LONG)], 'x'.repeat(511)], // one string is at most 511 bytes
  ['%s %d', [BigInt(S507), 9n], `${'y'.repeat(507)} 9`], // 508 bytes, then 4 aligned: 512 fits
  ['%s %c', [BigInt(S509), 0x21n], `${'z'.repeat(509)} !`], // 510 bytes, then one byte
];

const loadProgram = perEngine(suite);

function suite(eng: EngineKind): void {
  void eng;
  test('trace_printk formats as the kernel: integers, flags, widths, chars, pointers, IPs, strings', () => {
    for (const [fmt, args, text] of ACCEPTED) {
      const r = printk(fmt, args);
      assert.equal(r.text, text, JSON.stringify(fmt));
      assert.equal(r.ret, BigInt(enc.encode(text).length), `${JSON.stringify(fmt)}: the length of the text`);
    }
  });

  /** [format, arguments, errno] for formats the kernel rejects. */
  const REJECTED: [fmt: string, args: bigint[], errno: number][] = [
    ['%d %d %d %d', [1n, 2n, 3n, 4n], EINVAL], // a 4th conversion
    ['%d %s %p %c', [], EINVAL],
    ['%5.2d', [1n], EINVAL], // precision
    ['%.3s', [1n], EINVAL],
    ['%#x', [1n], EINVAL],
    ['%hd', [1n], EINVAL],
    ['%hhx', [1n], EINVAL],
    ['%zu', [1n], EINVAL],
    ['%jd', [1n], EINVAL],
    ['%td', [1n], EINVAL],
    ['%Ld', [1n], EINVAL],
    ['%lllx', [1n], EINVAL],
    ['%o', [1n], EINVAL],
    ['%e', [1n], EINVAL],
    ['%f', [1n], EINVAL],
    ['%n', [1n], EINVAL],
    ['%lc', [1n], EINVAL],
    ['%llc', [1n], EINVAL],
    ['%ls', [1n], EINVAL],
    ['%lp', [1n], EINVAL],
    ['%q', [1n], EINVAL],
    ['%*d', [1n, 2n], EINVAL],
    ['%5%', [], EINVAL],
    ['%--------', [], EINVAL],
    ['trailing %', [], EINVAL],
    ['%sx', [BigInt(HELLO)], EINVAL], // a string conversion must end at a space, punctuation or NUL
    ['%pksx', [BigInt(HELLO)], EINVAL],
    ['%pT', [1n], EINVAL],
    ['%pq', [1n], EINVAL],
    ['%pI', [BigInt(IP)], EINVAL],
    ['%pI5', [BigInt(IP)], EINVAL],
    ['%pM', [BigInt(IP)], EINVAL],
    ['%pU', [BigInt(IP)], EINVAL],
    ['%\u00e9', [1n], EINVAL], // non-ASCII after '%'
    ['bell \x07', [], EINVAL], // ASCII control characters
    ['del \x7f', [], EINVAL],
    ['esc \x1b[0m', [], EINVAL],
    ['%s%s', [BigInt(LONG), BigInt(HELLO)], ENOSPC], // the first string took the 512 bytes
    ['%s %d', [BigInt(S509), 1n], ENOSPC], // 510 bytes, aligned to 512: no room for 4
    ['%s %s', [BigInt(LONG), BigInt(HELLO)], ENOSPC],
  ];

  test('trace_printk rejects what the kernel rejects: -EINVAL for formats, -ENOSPC for arguments', () => {
    for (const [fmt, args, errno] of REJECTED) {
      assert.deepEqual(printk(fmt, args), { ret: BigInt(-errno), text: null }, JSON.stringify(fmt));
    }
  });

  test('trace_printk needs a NUL within fmt_size; bytes after it are ignored', () => {
    assert.deepEqual(printk(enc.encode('no nul')), { ret: BigInt(-EINVAL), text: null });
    assert.deepEqual(printk(enc.encode('abc\0def'), [], { size: 3 }), { ret: BigInt(-EINVAL), text: null });
    assert.deepEqual(printk(enc.encode('abc\0def'), [], { size: 0 }), { ret: BigInt(-EINVAL), text: null });
    assert.deepEqual(printk(enc.encode('abc\0%q\x01'), []), { ret: 3n, text: 'abc' });
  });

  test('trace_printk keeps 1023 bytes of text and returns the whole length; a NUL from %c ends the line', () => {
    const wide = printk('%1100d', [1n]);
    assert.equal(wide.ret, 1100n);
    assert.equal(wide.text, ' '.repeat(1023));
    const huge = printk('%99999999d', [1n]);
    assert.equal(huge.ret, BigInt(0x7fffff), 'widths are capped as vsnprintf caps them');
    assert.equal(huge.text?.length, 1023);
    assert.deepEqual(printk('a%cb', [0n]), { ret: 3n, text: 'a' });
  });

  test('trace_printk faults when the format is not memory the program may read', () => {
    const helpers = new HelperRegistry();
    registerBaseHelpers(helpers);
    for (const [what, addr] of [
      ['never granted', SECRET],
      ['NULL', 0],
    ] as const) {
      const prog = loadProgram(assembleUbpf(`lddw %r1, ${addr}\nmov %r2, 8\ncall 6\nexit`), { helpers });
      assert.throws(
        () => prog.run({ mem, regions: REGIONS }),
        (e: unknown) =>
          e instanceof BpfFault &&
          e.code === 'E_FAULT_MEM' &&
          e.index === 3 &&
          /helper 6 \(trace_printk\): fmt \[0x[0-9a-f]+, \+0x8\) is not memory the program may read/.test(
            e.message,
          ),
        what,
      );
    }
    // fmt_size beyond the granted bytes, even with a NUL inside them
    put(FMT + 4096 - 2, 'a\0');
    const prog = loadProgram(assembleUbpf(`lddw %r1, ${FMT + 4096 - 2}\nmov %r2, 4\ncall 6\nexit`), {
      helpers,
    });
    assert.throws(() => prog.run({ mem, regions: REGIONS }), /not memory the program may read/);
  });

  test('TraceLog: lines with timestamps, echo, drain, a bounded ring; nothing on stdout by default', () => {
    const echoed: string[] = [];
    const trace = new TraceLog({ capacity: 3, echo: (l) => echoed.push(l.text) });
    const helpers = new HelperRegistry();
    let t = 5_000n;
    registerBaseHelpers(helpers, { trace, clock: () => (t += 10n) });
    put(FMT, 'n=%d\0');
    const prog = loadProgram(
      assembleUbpf(
        `mov %r6, 0\nl:\nlddw %r1, ${FMT}\nmov %r2, 5\nmov %r3, %r6\ncall 6\nadd %r6, 1\njlt %r6, 5, l\nexit`,
      ),
      { helpers },
    );
    const writes: unknown[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: unknown) => writes.push(chunk) > 0) as typeof process.stdout.write;
    try {
      prog.run({ mem, regions: REGIONS });
    } finally {
      process.stdout.write = write;
    }
    assert.deepEqual(writes, []);
    assert.deepEqual(echoed, ['n=0', 'n=1', 'n=2', 'n=3', 'n=4']);
    assert.equal(trace.length, 3);
    assert.equal(trace.dropped, 2);
    assert.deepEqual(trace.lines, [
      { timeNs: 5_030n, text: 'n=2' },
      { timeNs: 5_040n, text: 'n=3' },
      { timeNs: 5_050n, text: 'n=4' },
    ]);
    assert.deepEqual(
      trace.drain().map((l) => l.text),
      ['n=2', 'n=3', 'n=4'],
    );
    assert.equal(trace.length, 0);
    assert.deepEqual(trace.drain(), []);
    for (const bad of [0, -1, 1.5]) assert.throws(() => new TraceLog({ capacity: bad }), RangeError);
    assert.throws(() => new TraceLog({ echo: 1 as unknown as () => void }), TypeError);
  });

  test('TraceLog keeps its order across many writes past its capacity', () => {
    const trace = new TraceLog({ capacity: 4 });
    for (let i = 0; i < 50; i++) trace.write(`l${i}`, BigInt(i));
    assert.deepEqual(
      trace.lines.map((l) => l.text),
      ['l46', 'l47', 'l48', 'l49'],
    );
    assert.equal(trace.dropped, 46);
  });
}
