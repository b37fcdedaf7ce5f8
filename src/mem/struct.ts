/** Reading and writing whole structs described by the layout tables of src/uapi (slow paths only). */
import type { FieldType, StructLayout } from '../uapi/layout.js';
import type { AddressSpace } from './address-space.js';

export type FieldValue = number | bigint;

function readField(mem: AddressSpace, addr: number, type: FieldType): FieldValue {
  switch (type) {
    case 'u8':
      return mem.readU8(addr);
    case 'u16':
      return mem.readU16(addr);
    case 'u32':
      return mem.readU32(addr);
    case 's32':
      return mem.readI32(addr);
    case 'u64':
      return mem.readU64(addr);
    case 's64':
      return mem.readI64(addr);
  }
}

function writeField(mem: AddressSpace, addr: number, type: FieldType, v: FieldValue): void {
  switch (type) {
    case 'u8':
      mem.writeU8(addr, Number(v));
      break;
    case 'u16':
      mem.writeU16(addr, Number(v));
      break;
    case 'u32':
      mem.writeU32(addr, Number(v));
      break;
    case 's32':
      mem.writeI32(addr, Number(v));
      break;
    case 'u64':
      mem.writeU64(addr, BigInt(v));
      break;
    case 's64':
      mem.writeI64(addr, BigInt(v));
      break;
  }
}

/** Read every field of `layout` at `addr`: u64/s64 fields as bigint, the rest as number. */
export function readStruct<F extends string>(
  mem: AddressSpace,
  layout: StructLayout<F>,
  addr: number,
): Record<F, FieldValue> {
  mem.check(addr, layout.size);
  const out = {} as Record<F, FieldValue>;
  for (const name of Object.keys(layout.fields) as F[]) {
    const fd = layout.fields[name];
    out[name] = readField(mem, addr + fd.offset, fd.type);
  }
  return out;
}

/** Read one field of `layout` at `addr`. */
export function readStructField<F extends string>(
  mem: AddressSpace,
  layout: StructLayout<F>,
  addr: number,
  name: F,
): FieldValue {
  const fd = layout.fields[name];
  return readField(mem, addr + fd.offset, fd.type);
}

/** Write the given fields of `layout` at `addr`; fields not named are left as they are. */
export function writeStruct<F extends string>(
  mem: AddressSpace,
  layout: StructLayout<F>,
  addr: number,
  values: Partial<Record<F, FieldValue>>,
): void {
  mem.check(addr, layout.size);
  for (const name of Object.keys(values) as F[]) {
    const v = values[name];
    if (v === undefined) continue;
    const fd = layout.fields[name];
    if (fd === undefined) throw new TypeError(`${layout.name} has no field '${name}'`);
    writeField(mem, addr + fd.offset, fd.type, v);
  }
}
