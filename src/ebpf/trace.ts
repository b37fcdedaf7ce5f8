/**
 * trace_printk output: the formatter of helper 6 (bpf_trace_printk) and the TraceLog its lines go to.
 *
 * formatTracePrintk follows the kernel's two steps (kernel/bpf/helpers.c bpf_bprintf_prepare, then
 * lib/vsprintf.c bstr_printf into a 1024-byte buffer), rules taken from the kernel source:
 * - At most 3 conversions (MAX_TRACE_PRINTK_VARARGS); a 4th is -EINVAL. `%%` is a literal '%'.
 * - Plain text: ASCII control bytes other than \t \n \v \f \r are -EINVAL; bytes >= 0x80 pass through
 *   (UTF-8 text; kernels before 2026 rejected them); a byte >= 0x80 right after '%' is -EINVAL.
 * - A conversion: flags from "0+- " (any number), a width ([1-9][0-9]*), then one of
 *     %d %i %u %x %X with optional l or ll (int is 32 bits; l and ll are 64),
 *     %c (one byte), %s %pks %pus (a NUL-terminated string; the next character must be a NUL, a
 *     space or punctuation), %p %pK %px (a pointer), %ps %pS %pB (a symbol), %pI4 %pi4 %pI6 %pi6 (an
 *     IPv4/IPv6 address read from memory). Anything else is -EINVAL: precision ('.'), '#', h, z, j,
 *     t, L, %o, %e, %lc, %ls, %n, %pT, ... Alphanumeric characters right after a %p conversion are
 *     swallowed, as bstr_printf does (`%pI4h` prints the address only).
 * - Arguments are copied into a 512-byte area (MAX_BPRINTF_BIN_ARGS): numbers and pointers take 4
 *   or 8 bytes aligned to 4, a %c one byte, a string its bytes and a NUL, an IP address its text and
 *   a NUL; what does not fit is -ENOSPC. So one string is at most 511 bytes (longer ones are cut).
 * - A string that cannot be read (any byte up to its NUL outside the program's readable memory)
 *   prints as empty, an unreadable IP address as zeros: the kernel's nofault copies.
 * - The output keeps 1023 bytes; the result is the length of the whole text, as snprintf's.
 *
 * Choices of this userspace implementation (documented, not the kernel's): %p and %pK print the raw
 * value like %px (16 hex digits), as a kernel booted with no_hash_pointers does: addresses here are
 * offsets in a sandbox, nothing to hide; symbols (%ps %pS %pB) are never known, so they print as
 * 0x<hex>, which is what the kernel prints for an address kallsyms cannot name.
 */
import { EINVAL, ENOSPC } from '../uapi/errno.js';

/* ------------------------------------------------------------------ the log */

/** One line of trace output. */
export interface TraceLine {
  /** When it was written, in ns on the helper set's clock (CLOCK_MONOTONIC by default). */
  readonly timeNs: bigint;
  /** The text as bpf_trace_printk formatted it (at most 1023 bytes, up to a NUL byte), as UTF-8. */
  readonly text: string;
}

export interface TraceLogOptions {
  /** Lines kept; when full, the oldest line is dropped (counted in `dropped`). Default 10000. */
  readonly capacity?: number;
  /** Called with every line as it is written (e.g. to echo it to stderr). Nothing is printed by default. */
  readonly echo?: (line: TraceLine) => void;
}

const DEFAULT_CAPACITY = 10_000;

/**
 * The lines trace_printk wrote, oldest first, like the kernel's trace buffer (a ring: when full, the
 * oldest line goes). Read them (`lines`), take them (`drain()`), or follow them (`echo`).
 */
export class TraceLog {
  readonly capacity: number;
  readonly #echo: ((line: TraceLine) => void) | undefined;
  #ring: TraceLine[] = [];
  #head = 0;
  #dropped = 0;

  constructor(options: TraceLogOptions = {}) {
    const { capacity = DEFAULT_CAPACITY, echo } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`TraceLog: capacity must be a positive integer, got ${capacity}`);
    if (echo !== undefined && typeof echo !== 'function')
      throw new TypeError('TraceLog: echo must be a function');
    this.capacity = capacity;
    this.#echo = echo;
  }

  /** Add a line (what the trace_printk helper does); echoes it when an echo is set. */
  write(text: string, timeNs: bigint): TraceLine {
    const line: TraceLine = Object.freeze({ timeNs, text });
    if (this.length === this.capacity) {
      this.#head++;
      this.#dropped++;
      // Compact now and then so that the array does not grow without bound.
      if (this.#head >= this.capacity) {
        this.#ring = this.#ring.slice(this.#head);
        this.#head = 0;
      }
    }
    this.#ring.push(line);
    this.#echo?.(line);
    return line;
  }

  /** Lines held now. */
  get length(): number {
    return this.#ring.length - this.#head;
  }

  /** Lines dropped because the log was full, since it was created. */
  get dropped(): number {
    return this.#dropped;
  }

  /** A copy of the lines held, oldest first. */
  get lines(): TraceLine[] {
    return this.#ring.slice(this.#head);
  }

  /** The lines held, oldest first; the log is empty afterwards. */
  drain(): TraceLine[] {
    const out = this.lines;
    this.clear();
    return out;
  }

  clear(): void {
    this.#ring = [];
    this.#head = 0;
  }
}

/* ------------------------------------------------------------------ the formatter */

/** trace_printk takes three arguments after the format (MAX_TRACE_PRINTK_VARARGS). */
export const TRACE_PRINTK_MAX_ARGS = 3;
/** The area the kernel copies arguments into (MAX_BPRINTF_BIN_ARGS). */
export const PRINTK_ARG_BYTES = 512;
/** The output buffer (MAX_BPRINTF_BUF): 1023 bytes of text and a NUL. */
export const PRINTK_OUT_BYTES = 1024;

/** The memory reads the formatter needs; both fail (null) when a byte is not readable. */
export interface PrintkMemory {
  /** The bytes of the NUL-terminated string at addr, at most max - 1 (without the NUL). */
  cstring(addr: bigint, max: number): Uint8Array | null;
  /** n bytes at addr. */
  bytes(addr: bigint, n: number): Uint8Array | null;
}

/** The formatted text: its first 1023 bytes and the length of the whole. */
export interface PrintkOutput {
  readonly bytes: Uint8Array;
  readonly length: number;
}

/* The kernel's ctype (lib/ctype.c, Latin-1 above 0x7f). */
const isSpace = (c: number): boolean => (c >= 9 && c <= 13) || c === 32 || c === 0xa0;
const isPunct = (c: number): boolean =>
  (c >= 33 && c <= 47) ||
  (c >= 58 && c <= 64) ||
  (c >= 91 && c <= 96) ||
  (c >= 123 && c <= 126) ||
  (c >= 0xa1 && c <= 0xbf) ||
  c === 0xd7 ||
  c === 0xf7;
const isAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && !isPunct(c));
/** Space, punctuation or the end: what may follow %s and %p. */
const isDelim = (c: number): boolean => c === 0 || isSpace(c) || isPunct(c);

const ch = (s: string): number => s.charCodeAt(0);
const PERCENT = ch('%');

/* Flags of vsnprintf's number(). */
const LEFT = 1;
const PLUS = 2;
const SPACE = 4;
const ZEROPAD = 8;

/** Output into the 1024-byte buffer: keeps 1023 bytes, counts them all. */
class Out {
  readonly buf = new Uint8Array(PRINTK_OUT_BYTES - 1);
  length = 0;
  byte(c: number): void {
    if (this.length < this.buf.length) this.buf[this.length] = c;
    this.length++;
  }
  repeat(c: number, n: number): void {
    for (let k = 0; k < n && this.length < this.buf.length; k++) this.buf[this.length + k] = c;
    if (n > 0) this.length += n;
  }
  ascii(s: string): void {
    for (let k = 0; k < s.length; k++) this.byte(s.charCodeAt(k));
  }
  /** A string with vsnprintf's widen_string: spaces to `width`, before unless LEFT. */
  field(bytes: Uint8Array, flags: number, width: number): void {
    const pad = Math.max(0, width - bytes.length);
    if ((flags & LEFT) === 0) this.repeat(32, pad);
    for (const c of bytes) this.byte(c);
    if ((flags & LEFT) !== 0) this.repeat(32, pad);
  }
}

const asciiBytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** vsnprintf's number(): sign, padding, digits. `value` is already sized (and signed or not). */
function number(
  out: Out,
  value: bigint,
  signed: boolean,
  base: 10 | 16,
  upper: boolean,
  flags: number,
  width: number,
): void {
  let f = flags;
  let w = width;
  if ((f & LEFT) !== 0) f &= ~ZEROPAD;
  let sign = '';
  let v = value;
  if (signed) {
    if (v < 0n) {
      sign = '-';
      v = -v;
    } else if ((f & PLUS) !== 0) sign = '+';
    else if ((f & SPACE) !== 0) sign = ' ';
  }
  let digits = v.toString(base);
  if (upper) digits = digits.toUpperCase();
  w -= sign.length + digits.length;
  if ((f & (ZEROPAD | LEFT)) === 0) out.repeat(32, w);
  out.ascii(sign);
  if ((f & LEFT) === 0 && (f & ZEROPAD) !== 0) out.repeat(48, w);
  out.ascii(digits);
  if ((f & LEFT) !== 0) out.repeat(32, w);
}

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** The text of %pI4 %pi4 %pI6 %pi6 (lib/vsprintf.c ip4_string / ip6_string, no compression). */
function ipText(kind: number, v: number, b: Uint8Array): string {
  if (v === ch('4')) {
    const parts = [...b].map((x) => (kind === ch('i') ? String(x).padStart(3, '0') : String(x)));
    return parts.join('.');
  }
  const groups: string[] = [];
  for (let k = 0; k < 16; k += 2) groups.push(hex2(b[k]!) + hex2(b[k + 1]!));
  return groups.join(kind === ch('I') ? ':' : '');
}

/**
 * Format `fmt` (the bytes before its NUL) with `args` as bpf_trace_printk does. Returns the output,
 * or a negative errno: -EINVAL for a format the kernel rejects, -ENOSPC when the arguments do not fit.
 */
export function formatTracePrintk(
  fmt: Uint8Array,
  args: readonly bigint[],
  mem: PrintkMemory,
): PrintkOutput | number {
  const at = (k: number): number => (k < fmt.length ? fmt[k]! : 0);
  const out = new Out();
  let used = 0; // bytes of the argument area
  let spec = 0;
  for (let i = 0; i < fmt.length; i++) {
    let c = fmt[i]!;
    if (c < 0x80 && (c < 32 || c > 126) && !isSpace(c)) return -EINVAL;
    if (c !== PERCENT) {
      out.byte(c);
      continue;
    }
    if (at(i + 1) === PERCENT) {
      out.byte(PERCENT);
      i++;
      continue;
    }
    if (spec >= Math.min(args.length, TRACE_PRINTK_MAX_ARGS)) return -EINVAL;
    const arg = args[spec]!;
    spec++;
    i++;
    if (at(i) >= 0x80) return -EINVAL;
    let flags = 0;
    for (;;) {
      c = at(i);
      if (c === ch('0')) flags |= ZEROPAD;
      else if (c === ch('+')) flags |= PLUS;
      else if (c === ch('-')) flags |= LEFT;
      else if (c === ch(' ')) flags |= SPACE;
      else break;
      i++;
    }
    let width = 0;
    if (at(i) >= ch('1') && at(i) <= ch('9')) {
      while (at(i) >= ch('0') && at(i) <= ch('9')) width = Math.min(width * 10 + at(i++) - 48, 0x7fffff);
    }
    c = at(i);
    /** %s %pks %pus ending at fmt[j]: check what follows, copy the string, print it. */
    const str = (j: number): number => {
      if (!isDelim(at(j + 1))) return -EINVAL;
      const room = PRINTK_ARG_BYTES - used;
      if (room === 0) return -ENOSPC;
      const s = mem.cstring(arg, room);
      used += s === null ? 1 : s.length + 1;
      out.field(s ?? new Uint8Array(0), flags, width);
      return 0;
    };
    /** Reserve `size` bytes aligned to 4 for a number or a pointer. */
    const word = (size: number): boolean => {
      used = (used + 3) & ~3;
      if (PRINTK_ARG_BYTES - used < size) return false;
      used += size;
      return true;
    };
    if (c === ch('p')) {
      const n1 = at(i + 1);
      const n2 = at(i + 2);
      if ((n1 === ch('k') || n1 === ch('u')) && n2 === ch('s')) {
        i += 2;
        const r = str(i);
        if (r !== 0) return r;
      } else if (isDelim(n1) || n1 === ch('K') || n1 === ch('x')) {
        if (!word(8)) return -ENOSPC;
        // No hashing: the raw value in 16 hex digits unless a width is given (pointer_string).
        const u = BigInt.asUintN(64, arg);
        if (width === 0) number(out, u, false, 16, false, flags | ZEROPAD, 16);
        else number(out, u, false, 16, false, flags, width);
      } else if (n1 === ch('s') || n1 === ch('S') || n1 === ch('B')) {
        const text = asciiBytes(`0x${BigInt.asUintN(64, arg).toString(16)}`);
        // %pB is formatted into the argument area without a check of its room, as the kernel does.
        if (n1 === ch('B')) used = Math.min(PRINTK_ARG_BYTES, used + text.length + 1);
        else if (!word(8)) return -ENOSPC;
        out.field(text, flags, width);
      } else if ((n1 === ch('i') || n1 === ch('I')) && (n2 === ch('4') || n2 === ch('6'))) {
        const size = n2 === ch('4') ? 4 : 16;
        if (PRINTK_ARG_BYTES - used < size) return -ENOSPC;
        const b = mem.bytes(arg, size) ?? new Uint8Array(size);
        const text = asciiBytes(ipText(n1, n2, b));
        used = Math.min(PRINTK_ARG_BYTES, used + text.length + 1);
        out.field(text, flags, width);
      } else {
        return -EINVAL;
      }
      // bstr_printf swallows the alphanumerics after %p (the extension and anything glued to it).
      while (isAlnum(at(i + 1))) i++;
      continue;
    }
    if (c === ch('s')) {
      const r = str(i);
      if (r !== 0) return r;
      continue;
    }
    if (c === ch('c')) {
      if (PRINTK_ARG_BYTES - used < 1) return -ENOSPC;
      used++;
      out.field(Uint8Array.of(Number(arg & 0xffn)), flags, width);
      continue;
    }
    let size = 4;
    if (at(i) === ch('l')) {
      size = 8;
      i++;
    }
    if (at(i) === ch('l')) i++;
    c = at(i);
    const signed = c === ch('d') || c === ch('i');
    if (!signed && c !== ch('u') && c !== ch('x') && c !== ch('X')) return -EINVAL;
    if (!word(size)) return -ENOSPC;
    const v = signed ? BigInt.asIntN(size * 8, arg) : BigInt.asUintN(size * 8, arg);
    number(out, v, signed, c === ch('x') || c === ch('X') ? 16 : 10, c === ch('X'), flags, width);
  }
  return { bytes: out.buf.slice(0, Math.min(out.length, out.buf.length)), length: out.length };
}
