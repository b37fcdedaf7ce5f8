/**
 * A NUL-terminated string table (ELF .strtab/.shstrtab, the BTF string section) read with bounds
 * checks: every name lies inside the table and ends with a NUL within `maxLen` bytes. Decoded names
 * are cached, and the bytes decoded in all are capped (a multiple of the table's size), so hostile
 * tables with overlapping names cost time and memory in proportion to their size.
 */

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Why a lookup failed: the offset (within the table) and the message. */
export type StrtabFault = (offsetInTable: number, message: string) => Error;

export class StringTable {
  readonly bytes: Uint8Array;
  private readonly maxLen: number;
  private readonly fault: StrtabFault;
  private readonly cache = new Map<number, string>();
  private budget: number;

  constructor(bytes: Uint8Array, maxLen: number, fault: StrtabFault) {
    this.bytes = bytes;
    this.maxLen = maxLen;
    this.fault = fault;
    this.budget = 16 * bytes.length + 65536;
  }

  /** The name at `offset`; throws the table's fault if out of range or not terminated. */
  get(offset: number): string {
    const hit = this.cache.get(offset);
    if (hit !== undefined) return hit;
    const b = this.bytes;
    if (!Number.isInteger(offset) || offset < 0 || offset >= b.length) {
      throw this.fault(
        Math.max(0, Math.min(offset, b.length)),
        `expected a name offset inside the string table of 0x${b.length.toString(16)} bytes, found 0x${offset.toString(16)}`,
      );
    }
    const end = b.subarray(offset, Math.min(b.length, offset + this.maxLen + 1)).indexOf(0);
    if (end < 0) {
      throw this.fault(
        offset,
        `expected a NUL-terminated name of at most ${this.maxLen} bytes at 0x${offset.toString(16)}, found none`,
      );
    }
    this.budget -= end;
    if (this.budget < 0) {
      throw this.fault(offset, 'string table names overlap too much: decoded more than 16 times its size');
    }
    const s = decoder.decode(b.subarray(offset, offset + end));
    this.cache.set(offset, s);
    return s;
  }
}
