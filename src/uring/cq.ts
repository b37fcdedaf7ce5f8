/**
 * One completion queue: a CQ ring in the address space (head, tail, mask, entries, overflow, flags,
 * CQEs at the io_rings offsets) plus the kernel's cached tail and an ordered overflow backlog.
 *
 * DESIGN.md Q5: no CQE is ever lost. A CQE that does not fit goes to the backlog of its CQ (every CQ,
 * not only CQ 0), and the backlog is flushed in order as the consumer frees space. With `strict`
 * (the literal RFC v2 behaviour) extra CQs drop instead, and the caller bumps CQ 0's overflow counter.
 */
import type { AddressSpace } from '../mem/address-space.js';
import { IO_RINGS, IO_RINGS_CQES } from '../uapi/layout.js';

const F = IO_RINGS.fields;

export class CompletionQueue {
  readonly index: number;
  /** Base address of the io_rings region that holds this CQ (shared with the SQ for CQ 0). */
  readonly base: number;
  /** Bytes of that region (what mmap may map). */
  readonly regionSize: number;
  readonly entries: number;
  readonly mask: number;
  readonly headAddr: number;
  readonly tailAddr: number;
  readonly overflowAddr: number;
  readonly flagsAddr: number;
  readonly cqesAddr: number;
  /** The kernel's tail: CQEs written so far (u32, wraps). Published to tailAddr on every post. */
  cachedTail = 0;
  /** Overflow backlog, in order: packed [udLo, udHi, res, flags] quadruples. */
  #backlog: number[] = [];
  #backlogHead = 0;
  /** CQEs dropped on this CQ (strict mode only; diagnostics, not in the shared layout). */
  dropped = 0;
  /** The consumer's head as last read by tryWrite. */
  #headSeen = 0;
  readonly #mem: AddressSpace;

  constructor(mem: AddressSpace, index: number, base: number, regionSize: number, entries: number) {
    this.#mem = mem;
    this.index = index;
    this.base = base;
    this.regionSize = regionSize;
    this.entries = entries;
    this.mask = entries - 1;
    this.headAddr = base + F.cq_head.offset;
    this.tailAddr = base + F.cq_tail.offset;
    this.overflowAddr = base + F.cq_overflow.offset;
    this.flagsAddr = base + F.cq_flags.offset;
    this.cqesAddr = base + IO_RINGS_CQES;
    mem.setU32(base + F.cq_ring_mask.offset, this.mask);
    mem.setU32(base + F.cq_ring_entries.offset, entries);
  }

  /** CQEs the consumer has not yet seen: cached tail minus the (user-written) head. */
  ready(): number {
    return (this.cachedTail - this.#mem.loadU32(this.headAddr)) >>> 0;
  }

  get backlogLength(): number {
    return (this.#backlog.length - this.#backlogHead) >> 2;
  }

  /**
   * Write one CQE if there is room and no backlog; returns false when it did not fit. The consumer's
   * head is re-read only when the ring looks full (it only moves forward, so a stale value is safe).
   */
  tryWrite(udLo: number, udHi: number, res: number, flags: number): boolean {
    const mem = this.#mem;
    const tail = this.cachedTail;
    if (this.#backlog.length !== this.#backlogHead) return false;
    if ((tail - this.#headSeen) >>> 0 >= this.entries) {
      this.#headSeen = mem.loadU32(this.headAddr);
      if ((tail - this.#headSeen) >>> 0 >= this.entries) return false;
    }
    const a = this.cqesAddr + ((tail & this.mask) << 4);
    mem.setU32(a, udLo);
    mem.setU32(a + 4, udHi);
    mem.setI32(a + 8, res);
    mem.setU32(a + 12, flags);
    this.cachedTail = (tail + 1) >>> 0;
    mem.storeU32(this.tailAddr, this.cachedTail);
    return true;
  }

  /** Append to the overflow backlog (order is kept). */
  pushBacklog(udLo: number, udHi: number, res: number, flags: number): void {
    this.#backlog.push(udLo, udHi, res, flags);
  }

  /** Move as many backlog entries into the ring as fit; returns how many moved. */
  flushBacklog(): number {
    const bl = this.#backlog;
    if (bl.length === this.#backlogHead) return 0;
    const mem = this.#mem;
    let tail = this.cachedTail;
    const space = this.entries - ((tail - mem.loadU32(this.headAddr)) >>> 0);
    let moved = 0;
    let h = this.#backlogHead;
    while (moved < space && h < bl.length) {
      const a = this.cqesAddr + ((tail & this.mask) << 4);
      mem.setU32(a, bl[h]!);
      mem.setU32(a + 4, bl[h + 1]!);
      mem.setI32(a + 8, bl[h + 2]!);
      mem.setU32(a + 12, bl[h + 3]!);
      tail = (tail + 1) >>> 0;
      h += 4;
      moved++;
    }
    if (h === bl.length) {
      this.#backlog = [];
      this.#backlogHead = 0;
    } else if (h > 4096) {
      this.#backlog = bl.slice(h);
      this.#backlogHead = 0;
    } else {
      this.#backlogHead = h;
    }
    if (moved > 0) {
      this.cachedTail = tail;
      mem.storeU32(this.tailAddr, tail);
    }
    return moved;
  }

  /** Bump the shared overflow counter (strict mode: a CQE was dropped). */
  bumpOverflow(): void {
    const m = this.#mem;
    m.storeU32(this.overflowAddr, (m.loadU32(this.overflowAddr) + 1) >>> 0);
  }

  /**
   * Every CQE not yet consumed, ring first then backlog, as [udLo, udHi, res, flags] quadruples;
   * used at teardown so that nothing posted is lost silently.
   */
  drainAll(): number[] {
    const mem = this.#mem;
    const out: number[] = [];
    let head = mem.loadU32(this.headAddr);
    while (head !== this.cachedTail) {
      const a = this.cqesAddr + ((head & this.mask) << 4);
      out.push(mem.u32(a), mem.u32(a + 4), mem.i32(a + 8), mem.u32(a + 12));
      head = (head + 1) >>> 0;
    }
    for (let h = this.#backlogHead; h < this.#backlog.length; h++) out.push(this.#backlog[h]!);
    this.#backlog = [];
    this.#backlogHead = 0;
    return out;
  }
}

/** Bytes of an io_rings region holding `cqEntries` CQEs (and, for the main ring, the SQ array after them). */
export function cqRegionBytes(cqEntries: number): number {
  return IO_RINGS_CQES + cqEntries * 16;
}
