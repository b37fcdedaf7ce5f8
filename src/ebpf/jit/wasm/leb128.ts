/** LEB128 encoders for the WebAssembly binary format (unsigned and signed, 32 and 64 bits). */

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

/** Unsigned LEB128 of a u32 (0 ..= 2^32-1). */
export function u32(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`u32 LEB128: expected an integer in 0..0xffffffff, found ${value}`);
  }
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an s32 (-2^31 ..= 2^31-1). */
export function s32(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new RangeError(`s32 LEB128: expected an integer in -0x80000000..0x7fffffff, found ${value}`);
  }
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const signBit = (byte & 0x40) !== 0;
    if ((v === 0 && !signBit) || (v === -1 && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Unsigned LEB128 of a u64 (0n ..= 2^64-1). */
export function u64(value: bigint): number[] {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new RangeError(`u64 LEB128: expected a bigint in 0..0xffffffffffffffff, found ${String(value)}`);
  }
  const out: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

/** Signed LEB128 of an s64 (-2^63 ..= 2^63-1). */
export function s64(value: bigint): number[] {
  if (typeof value !== 'bigint' || value < S64_MIN || value > S64_MAX) {
    throw new RangeError(`s64 LEB128: expected a bigint in -2^63..2^63-1, found ${String(value)}`);
  }
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n; // arithmetic shift on bigints
    const signBit = (byte & 0x40) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/* Appending forms (no intermediate arrays), for emitters that write many instructions. */

/** Append the unsigned LEB128 of `value` (a u32 the caller checked) to `out`. */
export function pushU32(out: number[], value: number): void {
  let v = value >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** Append the signed LEB128 of `value` (an s32 the caller checked) to `out`. */
export function pushS32(out: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** Append the signed LEB128 of an s64 to `out` (an s32-range value takes the number path). */
export function pushS64(out: number[], value: bigint): void {
  const n = Number(value);
  if (n >= -0x8000_0000 && n <= 0x7fff_ffff) {
    // Exact: a double holds every s32, and a larger bigint never rounds into that range.
    pushS32(out, n);
    return;
  }
  for (const b of s64(value)) out.push(b);
}
