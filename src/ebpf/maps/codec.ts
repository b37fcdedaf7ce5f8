/**
 * Codecs: how a typed view of a map (map.typed(keyCodec, valueCodec), map.u32, map.u64) turns
 * TypeScript values into key and value bytes and back. A codec reads and writes `size` bytes at an
 * 8-aligned address of the address space (a map's scratch area or one of its values), little-endian.
 *
 *   const counts = table.create({ type: BPF_MAP_TYPE_HASH, keySize: 8, valueSize: 8, maxEntries: 64 });
 *   const byPid = counts.typed(codecs.u64, codecs.u64);
 *   byPid.set(1234n, 1n);
 *
 * Custom layouts: codecs.struct(size, encode, decode) from functions over a DataView of the bytes.
 */
import type { AddressSpace } from '../../mem/address-space.js';

export interface Codec<T> {
  /** Bytes of the encoding: must equal the map's key_size (key codec) or value_size (value codec). */
  readonly size: number;
  /** Decode the `size` bytes at addr (8-aligned). */
  read(mem: AddressSpace, addr: number): T;
  /** Encode v at addr (8-aligned). TypeError when v is not a value of the codec. */
  write(mem: AddressSpace, addr: number, v: T): void;
}

const intCodec = (size: 1 | 2 | 4, signed: boolean): Codec<number> => {
  const bits = size * 8;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const name = `${signed ? 'i' : 'u'}${bits}`;
  const check = (v: number): void => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new TypeError(`${name} codec: expected an integer from ${min} to ${max}, got ${v}`);
  };
  if (size === 1) {
    return {
      size,
      read: (mem, addr) => (signed ? (mem.u8(addr) << 24) >> 24 : mem.u8(addr)),
      write: (mem, addr, v) => {
        check(v);
        mem.setU8(addr, v & 0xff);
      },
    };
  }
  if (size === 2) {
    return {
      size,
      read: (mem, addr) => (signed ? (mem.u16(addr) << 16) >> 16 : mem.u16(addr)),
      write: (mem, addr, v) => {
        check(v);
        mem.setU16(addr, v & 0xffff);
      },
    };
  }
  return {
    size,
    read: signed ? (mem, addr) => mem.i32(addr) : (mem, addr) => mem.u32(addr),
    write: (mem, addr, v) => {
      check(v);
      mem.setI32(addr, v | 0);
    },
  };
};

const bigCodec = (signed: boolean): Codec<bigint> => {
  const name = signed ? 'i64' : 'u64';
  return {
    size: 8,
    read: signed ? (mem, addr) => mem.readI64(addr) : (mem, addr) => mem.readU64(addr),
    write: (mem, addr, v) => {
      if (typeof v !== 'bigint') throw new TypeError(`${name} codec: expected a bigint, got ${typeof v}`);
      if (signed ? v !== BigInt.asIntN(64, v) : v !== BigInt.asUintN(64, v))
        throw new TypeError(`${name} codec: ${v} is out of range`);
      mem.writeU64(addr, v);
    },
  };
};

/** Raw bytes of a fixed size: reads return copies, writes take exactly `size` bytes. */
export function bytesCodec(size: number): Codec<Uint8Array> {
  return {
    size,
    read: (mem, addr) => mem.readBytes(addr, size),
    write: (mem, addr, v) => {
      if (!(v instanceof Uint8Array) || v.length !== size) {
        throw new TypeError(
          `expected a Uint8Array of ${size} bytes, got ${v instanceof Uint8Array ? `${v.length} bytes` : typeof v}`,
        );
      }
      mem.writeBytes(addr, v);
    },
  };
}

/** A codec from functions over a DataView of the `size` bytes (little-endian is up to them). */
function struct<T>(
  size: number,
  encode: (v: T, out: DataView) => void,
  decode: (b: DataView) => T,
): Codec<T> {
  if (!Number.isSafeInteger(size) || size <= 0)
    throw new RangeError(`struct codec: size must be a positive integer, got ${size}`);
  return {
    size,
    read: (mem, addr) => {
      const b = mem.readBytes(addr, size);
      return decode(new DataView(b.buffer, b.byteOffset, size));
    },
    write: (mem, addr, v) => {
      const b = new Uint8Array(size);
      encode(v, new DataView(b.buffer));
      mem.writeBytes(addr, b);
    },
  };
}

/** The common codecs. */
export const codecs = {
  u8: intCodec(1, false),
  i8: intCodec(1, true),
  u16: intCodec(2, false),
  i16: intCodec(2, true),
  u32: intCodec(4, false),
  i32: intCodec(4, true),
  u64: bigCodec(false),
  i64: bigCodec(true),
  bytes: bytesCodec,
  struct,
} as const;
