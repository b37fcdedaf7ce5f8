/** Errors of the address space. Both carry a stable `code` and the address in hex in the message. */

const hex = (n: number): string => `0x${n.toString(16)}`;

/** An access to an address that is NULL, unmapped or outside the address space. */
export class MemoryFault extends Error {
  readonly code = 'EFAULT';
  readonly addr: number;
  readonly length: number;
  constructor(addr: number, length: number, size: number) {
    const what =
      addr < 4096 && addr >= 0
        ? `NULL page (addresses below 0x1000 are never mapped)`
        : `outside the address space [0x1000, ${hex(size)})`;
    super(`memory fault: access of ${length} byte(s) at ${hex(addr)} is in the ${what}`);
    this.name = 'MemoryFault';
    this.addr = addr;
    this.length = length;
  }
}

/** The allocator could not satisfy a request. */
export class MemoryExhausted extends Error {
  readonly code = 'ENOMEM';
  readonly requested: number;
  constructor(requested: number, align: number, free: number, largest: number, size: number) {
    super(
      `out of memory: cannot allocate ${hex(requested)} bytes aligned to ${hex(align)}; ` +
        `${hex(free)} of ${hex(size)} bytes free, largest free block ${hex(largest)}`,
    );
    this.name = 'MemoryExhausted';
    this.requested = requested;
  }
}

export { hex };
