/**
 * RINGBUF: the kernel's BPF ring buffer (kernel/bpf/ringbuf.c), byte for byte.
 *
 * Layout in the address space (one page-aligned block): the consumer position (u64) at the start of
 * the first page, the producer position (u64) at the start of the second, then the data area of
 * max_entries bytes (a power of 2, a multiple of the page size). Positions only grow; a position p
 * is at data offset p & (size - 1). A record is an 8-byte header { u32 len; u32 pg_off } followed by
 * len bytes, the whole rounded up to 8: len carries BPF_RINGBUF_BUSY_BIT while the record is
 * reserved and BPF_RINGBUF_DISCARD_BIT once discarded; pg_off is the header's page offset from the
 * kernel's struct bpf_ringbuf. The kernel maps the data pages twice so that a record running past
 * the end is contiguous; here the data block is followed by a second data-sized block that takes
 * the part of such a record past the end, and both producer and consumer address a record
 * contiguously from its header, exactly as they do over the kernel's double mapping.
 *
 * Producer (reserveAddr/commitAddr/outputAddr, the helpers): room is checked against the consumer
 * position and against the oldest record still reserved (pending_pos), as the kernel does: a
 * reservation fails (0) when the producer would get more than size - 1 bytes ahead of either.
 * Wakeups follow bpf_ringbuf_commit(): BPF_RB_FORCE_WAKEUP always, BPF_RB_NO_WAKEUP never, else when
 * the consumer has caught up with the committed record.
 *
 * Consumer (TypeScript): consume() hands the committed records in order to a callback (a view valid
 * during the call), skips discarded ones, stops at the first record still reserved, and advances the
 * consumer position as libbpf's ring_buffer__consume does; drain() returns copies; poll() waits for a
 * wakeup.
 *
 * A record reserved by a run that ended without submitting or discarding it (a program stopped by a
 * fault or its budget: the verifier would not let a complete program do that) would block the
 * consumer for ever; such orphans are discarded when the consumer or a producer runs into them.
 */
import { hex } from '../../mem/errors.js';
import {
  BPF_RB_FORCE_WAKEUP,
  BPF_RB_NO_WAKEUP,
  BPF_RINGBUF_BUSY_BIT,
  BPF_RINGBUF_DISCARD_BIT,
  BPF_RINGBUF_HDR_SZ,
  PAGE_SIZE,
  RINGBUF_MAX_RECORD_SZ,
  RINGBUF_PGOFF,
  RINGBUF_POS_PAGES,
} from '../../uapi/bpf.js';
import { EAGAIN, EINVAL } from '../../uapi/errno.js';
import type { HelperEnv } from '../helpers.js';
import { MapError } from './errors.js';
import { BpfMap, type MapInit } from './map.js';
import { copyBytes } from './store.js';

const LEN_MASK = ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
const TWO32 = 0x1_0000_0000;
const recordBytes = (len: number): number => Math.ceil((len + BPF_RINGBUF_HDR_SZ) / 8) * 8;

export class RingBufMap extends BpfMap {
  /** Bytes of the data area (max_entries). */
  readonly size: number;
  /** Address of the consumer position (u64), of the producer position (u64) and of the data area. */
  readonly consumerPosAddr: number;
  readonly producerPosAddr: number;
  readonly dataAddr: number;
  readonly #mask: number;
  /** Oldest position that may still be reserved (the kernel's pending_pos). */
  #pending = 0;
  /** Reserved records, by header address: the run that reserved each (null: TypeScript). */
  readonly #reserved = new Map<number, HelperEnv | null>();
  #waiters: ((woken: boolean) => void)[] = [];
  #wakeups = 0;

  constructor(init: MapInit) {
    super(init);
    this.size = this.maxEntries;
    this.#mask = this.size - 1;
    const base = this.own(RINGBUF_POS_PAGES * PAGE_SIZE + 2 * this.size, PAGE_SIZE);
    this.consumerPosAddr = base;
    this.producerPosAddr = base + PAGE_SIZE;
    this.dataAddr = base + RINGBUF_POS_PAGES * PAGE_SIZE;
  }

  /* ------------------------------------------------------------------ positions */

  #load(addr: number): number {
    const mem = this.ctx.mem;
    return mem.u32(addr) + mem.u32(addr + 4) * TWO32;
  }

  #store(addr: number, pos: number): void {
    const mem = this.ctx.mem;
    mem.setU32(addr, pos >>> 0);
    mem.setU32(addr + 4, Math.floor(pos / TWO32));
  }

  get consumerPos(): number {
    return this.#load(this.consumerPosAddr);
  }

  get producerPos(): number {
    return this.#load(this.producerPosAddr);
  }

  /** Bytes between the consumer and the producer (records reserved included), as BPF_RB_AVAIL_DATA. */
  get availableBytes(): number {
    return this.producerPos - this.consumerPos;
  }

  /** Wakeups so far (commits that would wake a poller). */
  get wakeups(): number {
    return this.#wakeups;
  }

  /** Records reserved and not yet submitted or discarded. */
  get reservedCount(): number {
    return this.#reserved.size;
  }

  /** Whether `sampleAddr` may be a record of this ring buffer (its header lies in the data area). */
  holds(sampleAddr: number): boolean {
    const hdr = sampleAddr - BPF_RINGBUF_HDR_SZ;
    return hdr >= this.dataAddr && hdr < this.dataAddr + this.size;
  }

  /* ------------------------------------------------------------------ producer */

  /**
   * __bpf_ringbuf_reserve(): the address of `size` bytes for a record, or 0 when it does not fit.
   * `env` is the run reserving (null from TypeScript): the helper grants it the record.
   */
  reserveAddr(size: number, env: HelperEnv | null): number {
    const r = this.#reserve(size, env);
    if (r !== 0 || !this.#discardOrphans()) return r;
    return this.#reserve(size, env);
  }

  #reserve(size: number, env: HelperEnv | null): number {
    if (!(size >= 0 && size <= RINGBUF_MAX_RECORD_SZ)) return 0;
    const len = recordBytes(size);
    if (len > this.size) return 0;
    const mem = this.ctx.mem;
    const mask = this.#mask;
    const cons = this.consumerPos;
    const prod = this.producerPos;
    let pend = this.#pending;
    while (pend < prod) {
      const hl = mem.u32(this.dataAddr + (pend & mask));
      if ((hl & BPF_RINGBUF_BUSY_BIT) !== 0) break;
      pend += recordBytes(hl & LEN_MASK);
    }
    this.#pending = pend;
    const next = prod + len;
    if (next - cons > mask || next - pend > mask) return 0;
    const hdr = this.dataAddr + (prod & mask);
    mem.setU32(hdr, (size | BPF_RINGBUF_BUSY_BIT) >>> 0);
    mem.setU32(hdr + 4, Math.floor((hdr - this.consumerPosAddr) / PAGE_SIZE) + RINGBUF_PGOFF);
    this.#store(this.producerPosAddr, next);
    this.#reserved.set(hdr, env);
    return hdr + BPF_RINGBUF_HDR_SZ;
  }

  /**
   * bpf_ringbuf_commit(): submit (or discard) the record at `sampleAddr`, reserved earlier. TypeError
   * when it is not a record reserved and not yet committed (the verifier would reject the program).
   */
  commitAddr(sampleAddr: number, flags: number, discard: boolean): void {
    const hdr = sampleAddr - BPF_RINGBUF_HDR_SZ;
    if (!this.#reserved.has(hdr)) {
      throw new TypeError(
        `ring buffer ${this.describe()}: ${hex(sampleAddr)} is not a reserved record (already submitted or discarded, or never reserved)`,
      );
    }
    this.#reserved.delete(hdr);
    this.#commit(hdr, flags, discard);
  }

  #commit(hdr: number, flags: number, discard: boolean): void {
    const mem = this.ctx.mem;
    let len = mem.u32(hdr) ^ BPF_RINGBUF_BUSY_BIT;
    if (discard) len |= BPF_RINGBUF_DISCARD_BIT;
    mem.setU32(hdr, len >>> 0);
    const recPos = hdr - this.dataAddr;
    const consPos = this.consumerPos % this.size;
    if ((flags & BPF_RB_FORCE_WAKEUP) !== 0) this.#wake();
    else if (consPos === recPos && (flags & BPF_RB_NO_WAKEUP) === 0) this.#wake();
  }

  /** bpf_ringbuf_output(): copy `size` bytes at `src` as one record. 0, -EINVAL (flags) or -EAGAIN (no room). */
  outputAddr(src: number, size: number, flags: number): number {
    if ((flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) !== 0 || flags < 0) return -EINVAL;
    const rec = this.reserveAddr(size, null);
    if (rec === 0) return -EAGAIN;
    if (size > 0) copyBytes(this.ctx.mem, rec, src, size);
    this.commitAddr(rec, flags, false);
    return 0;
  }

  /** Produce a record from TypeScript: false when there is no room. MapError EINVAL on bad flags. */
  output(data: Uint8Array, flags = 0): boolean {
    this.checkOpen();
    if (!(data instanceof Uint8Array)) throw new TypeError('output: data must be a Uint8Array');
    if (!Number.isInteger(flags) || (flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) !== 0 || flags < 0)
      throw new MapError(
        EINVAL,
        this.describe(),
        `output: flags ${flags}, expected BPF_RB_NO_WAKEUP or BPF_RB_FORCE_WAKEUP`,
      );
    const rec = this.reserveAddr(data.length, null);
    if (rec === 0) return false;
    this.ctx.mem.writeBytes(rec, data);
    this.commitAddr(rec, flags, false);
    return true;
  }

  /** Discard the records whose run has ended; true when there was one. */
  #discardOrphans(): boolean {
    let found = false;
    for (const [hdr, env] of this.#reserved) {
      if (env !== null && !env.readable(hdr + BPF_RINGBUF_HDR_SZ, 0)) {
        this.#reserved.delete(hdr);
        this.#commit(hdr, BPF_RB_NO_WAKEUP, true);
        found = true;
      }
    }
    return found;
  }

  /* ------------------------------------------------------------------ consumer */

  /**
   * Hand the committed records, oldest first, to `onRecord` (a live view of the record's bytes, valid
   * until the callback returns; return false to stop after this record), at most `max` of them.
   * Discarded records are skipped; a record still reserved stops the walk. Returns the records
   * handed over. Without a callback, the records are consumed unread.
   */
  consume(onRecord?: (record: Uint8Array) => boolean | undefined, max = Number.POSITIVE_INFINITY): number {
    this.checkOpen();
    const mem = this.ctx.mem;
    const mask = this.#mask;
    let cons = this.consumerPos;
    let n = 0;
    for (;;) {
      let progressed = false;
      const prod = this.producerPos;
      while (cons < prod && n < max) {
        const hdr = this.dataAddr + (cons & mask);
        const hl = mem.u32(hdr);
        if ((hl & BPF_RINGBUF_BUSY_BIT) !== 0) {
          if (this.#discardOrphans()) continue;
          this.#store(this.consumerPosAddr, cons);
          return n;
        }
        progressed = true;
        const len = hl & LEN_MASK;
        cons += recordBytes(len);
        if ((hl & BPF_RINGBUF_DISCARD_BIT) !== 0) {
          this.#store(this.consumerPosAddr, cons);
          continue;
        }
        n++;
        const stop = onRecord?.(mem.view(hdr + BPF_RINGBUF_HDR_SZ, len)) === false;
        this.#store(this.consumerPosAddr, cons);
        if (stop) return n;
      }
      if (!progressed || n >= max) return n;
    }
  }

  /** Consume the committed records and return copies of them, oldest first. */
  drain(max = Number.POSITIVE_INFINITY): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.consume((r) => {
      out.push(r.slice());
      return undefined;
    }, max);
    return out;
  }

  /**
   * Resolves true at once when data is available (availableBytes > 0), else at the next wakeup;
   * false after `timeoutMs` or when the map is closed.
   */
  poll(timeoutMs?: number): Promise<boolean> {
    this.checkOpen();
    if (this.availableBytes > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = (woken: boolean): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(woken);
      };
      this.#waiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  #wake(): void {
    this.#wakeups++;
    const ws = this.#waiters;
    if (ws.length === 0) return;
    this.#waiters = [];
    for (const w of ws) w(true);
  }

  override release(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w(false);
    this.#reserved.clear();
    super.release();
  }

  /* ------------------------------------------------------------------ map operations: not for ring buffers */

  lookupAddr(_keyAddr: number): number {
    return this.#notSupported('map_lookup_elem');
  }
  updateAddr(_keyAddr: number, _valueAddr: number, _flags: number): number {
    return this.#notSupported('map_update_elem');
  }
  deleteAddr(_keyAddr: number): number {
    return this.#notSupported('map_delete_elem');
  }

  #notSupported(op: string): never {
    throw new TypeError(
      `${op} on ring buffer ${this.describe()}: ring buffers have no elements (the verifier rejects this call)`,
    );
  }
}
