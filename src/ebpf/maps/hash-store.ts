/**
 * Hash storage (HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH), preallocated as the kernel does by
 * default: max_entries element slots whose values live in one block of the address space (what
 * programs get pointers to), keys and bookkeeping in JavaScript typed arrays (programs never see
 * them).
 *
 * Index: open addressing with linear probing over a power-of-two table at most half full, entries
 * are slot + 1 (0 = empty), the key's hash is kept per slot so that a probe compares keys only on a
 * hash match; deletion shifts the following entries back (no tombstones). Keys are compared as
 * bytes: a key is loaded once per operation into 32-bit words (the last one zero-padded), whatever
 * its alignment in memory.
 *
 * LRU: one exact recency list (a doubly linked list over the slots). Program lookups and every
 * update make an element the most recent; lookups from TypeScript do not (the kernel's syscall
 * lookup does not mark either). A new key in a full LRU map evicts the least recent element. The
 * kernel's LRU is approximate (per-cpu free lists, reference bits, and an update may evict even when
 * the key exists); this one is exact, so that a model can predict it.
 *
 * Semantics (kernel/bpf/hashtab.c): flags beyond BPF_EXIST are -EINVAL (BPF_F_LOCK too: no value
 * holds a bpf_spin_lock), BPF_NOEXIST on a present key -EEXIST, BPF_EXIST on a missing one -ENOENT,
 * a new key in a full map -E2BIG (LRU: eviction), delete of a missing key -ENOENT. An update of a
 * present key writes its value in place (the kernel swaps in a fresh element for HASH; a program
 * that still holds the old value pointer sees the new value here).
 */
import { BPF_EXIST, BPF_NOEXIST } from '../../uapi/bpf.js';
import { E2BIG, EEXIST, EINVAL, ENOENT } from '../../uapi/errno.js';
import { copyBytes, type MapContext, type Store } from './store.js';

export interface HashLayout {
  readonly keySize: number;
  readonly valueSize: number;
  /** round_up(value_size, 8): one cpu's value. */
  readonly elemSize: number;
  /** Bytes of one element: elemSize, times the cpus for a per-cpu map. */
  readonly stride: number;
  readonly maxEntries: number;
  readonly percpu: boolean;
  readonly lru: boolean;
  /** Hash seed (0 with BPF_F_ZERO_SEED). */
  readonly seed: number;
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** One step of murmur3's mixing: word w into hash h. */
function mixWord(h: number, w: number): number {
  let x = Math.imul(w, C1);
  x = (x << 15) | (x >>> 17);
  h ^= Math.imul(x, C2);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finalizer. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class HashStore implements Store {
  readonly kind = 'hash' as const;
  readonly #ctx: MapContext;
  readonly valueBase: number;
  readonly valueBytes: number;
  readonly #keySize: number;
  readonly #keyWords: number;
  readonly #valueSize: number;
  readonly #elemSize: number;
  readonly #stride: number;
  readonly #max: number;
  readonly #percpu: boolean;
  readonly #lru: boolean;
  readonly #seed: number;
  /** The key of the current operation, as words. */
  readonly #k: Int32Array;
  /** Keys by slot, keyWords words each. */
  readonly #keys: Int32Array;
  readonly #keyBytes: Uint8Array;
  /** Hash by slot. */
  readonly #hashOf: Int32Array;
  readonly #live: Uint8Array;
  /** Free slots, a stack. */
  readonly #free: Int32Array;
  #freeTop: number;
  /** Open-addressing index: slot + 1, or 0. */
  readonly #idx: Int32Array;
  readonly #mask: number;
  /** Index position of the last find() hit. */
  #pos = 0;
  #count = 0;
  /** LRU list by slot (-1 = none): head is the most recent. */
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  #head = -1;
  #tail = -1;

  /** `base`: maxEntries * stride bytes of storage for the values. */
  constructor(ctx: MapContext, base: number, l: HashLayout) {
    this.#ctx = ctx;
    this.valueBase = base;
    this.valueBytes = l.maxEntries * l.stride;
    this.#keySize = l.keySize;
    this.#keyWords = Math.ceil(l.keySize / 4);
    this.#valueSize = l.valueSize;
    this.#elemSize = l.elemSize;
    this.#stride = l.stride;
    this.#max = l.maxEntries;
    this.#percpu = l.percpu;
    this.#lru = l.lru;
    this.#seed = (l.seed ^ Math.imul(l.keySize, 0x9e3779b1)) | 0;
    this.#k = new Int32Array(this.#keyWords);
    this.#keys = new Int32Array(l.maxEntries * this.#keyWords);
    this.#keyBytes = new Uint8Array(this.#keys.buffer);
    this.#hashOf = new Int32Array(l.maxEntries);
    this.#live = new Uint8Array(l.maxEntries);
    this.#free = new Int32Array(l.maxEntries);
    // Slots are handed out from 0 up.
    for (let i = 0; i < l.maxEntries; i++) this.#free[i] = l.maxEntries - 1 - i;
    this.#freeTop = l.maxEntries;
    let cap = 8;
    while (cap < 2 * l.maxEntries) cap *= 2;
    this.#idx = new Int32Array(cap);
    this.#mask = cap - 1;
    const lists = l.lru ? l.maxEntries : 0;
    this.#prev = new Int32Array(lists);
    this.#next = new Int32Array(lists);
  }

  get count(): number {
    return this.#count;
  }

  /* ------------------------------------------------------------------ keys and the index */

  /** Load the key at addr into #k and return its hash. */
  #loadKey(addr: number): number {
    const mem = this.#ctx.mem;
    const k = this.#k;
    const n = this.#keySize;
    if (n === 4 && (addr & 3) === 0) {
      // The common u32 key: one word, no loops.
      const w0 = mem.i32(addr);
      k[0] = w0;
      return fmix(mixWord(this.#seed, w0));
    }
    const full = n >>> 2;
    if ((addr & 3) === 0) {
      for (let j = 0; j < full; j++) k[j] = mem.i32(addr + 4 * j);
    } else {
      for (let j = 0; j < full; j++) {
        const a = addr + 4 * j;
        k[j] = mem.u8(a) | (mem.u8(a + 1) << 8) | (mem.u8(a + 2) << 16) | (mem.u8(a + 3) << 24);
      }
    }
    if ((n & 3) !== 0) {
      let w = 0;
      for (let b = full * 4, s = 0; b < n; b++, s += 8) w |= mem.u8(addr + b) << s;
      k[full] = w;
    }
    let h = this.#seed;
    for (let j = 0; j < this.#keyWords; j++) h = mixWord(h, k[j]!);
    return fmix(h);
  }

  /** The slot holding #k (hash h), or -1; sets #pos to its index position, or to the empty one ending the probe. */
  #find(h: number): number {
    const idx = this.#idx;
    const mask = this.#mask;
    const kw = this.#keyWords;
    const keys = this.#keys;
    const hashOf = this.#hashOf;
    const k = this.#k;
    if (kw === 1) {
      const k0 = k[0]!;
      for (let i = h & mask; ; i = (i + 1) & mask) {
        const e = idx[i]!;
        if (e === 0 || (hashOf[e - 1] === h && keys[e - 1] === k0)) {
          this.#pos = i;
          return e - 1;
        }
      }
    }
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = idx[i]!;
      if (e === 0) {
        this.#pos = i;
        return -1;
      }
      const s = e - 1;
      if (hashOf[s] === h) {
        let j = 0;
        const base = s * kw;
        while (j < kw && keys[base + j] === k[j]) j++;
        if (j === kw) {
          this.#pos = i;
          return s;
        }
      }
    }
  }

  /** Remove the index entry at position i, shifting the probe sequence after it back. */
  #unindex(i: number): void {
    const idx = this.#idx;
    const mask = this.#mask;
    idx[i] = 0;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const e = idx[j]!;
      if (e === 0) return;
      const home = this.#hashOf[e - 1]! & mask;
      // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        idx[i] = e;
        idx[j] = 0;
        i = j;
      }
    }
  }

  /** Index position of slot s (present). */
  #posOf(s: number): number {
    const idx = this.#idx;
    const mask = this.#mask;
    for (let i = this.#hashOf[s]! & mask; ; i = (i + 1) & mask) if (idx[i] === s + 1) return i;
  }

  /* ------------------------------------------------------------------ LRU list */

  #unlink(s: number): void {
    const p = this.#prev[s]!;
    const n = this.#next[s]!;
    if (p === -1) this.#head = n;
    else this.#next[p] = n;
    if (n === -1) this.#tail = p;
    else this.#prev[n] = p;
  }

  #pushFront(s: number): void {
    this.#prev[s] = -1;
    this.#next[s] = this.#head;
    if (this.#head === -1) this.#tail = s;
    else this.#prev[this.#head] = s;
    this.#head = s;
  }

  #touch(s: number): void {
    if (this.#head === s) return;
    this.#unlink(s);
    this.#pushFront(s);
  }

  /** Remove slot s (present, at index position pos) and free it. */
  #remove(s: number, pos: number): void {
    this.#unindex(pos);
    if (this.#lru) this.#unlink(s);
    this.#live[s] = 0;
    this.#free[this.#freeTop++] = s;
    this.#count--;
  }

  /* ------------------------------------------------------------------ Store */

  elem(keyAddr: number, touch: boolean): number {
    if (this.#keySize === 4 && (keyAddr & 3) === 0) return this.#elem4(keyAddr, touch);
    const s = this.#find(this.#loadKey(keyAddr));
    if (s < 0) return 0;
    if (touch && this.#lru) this.#touch(s);
    return this.valueBase + s * this.#stride;
  }

  /**
   * elem() for an aligned u32 key, the most common lookup: the same hash and probe with the key in a
   * local (half the time of the general path, measured).
   */
  #elem4(keyAddr: number, touch: boolean): number {
    const k0 = this.#ctx.mem.i32(keyAddr);
    const h = fmix(mixWord(this.#seed, k0));
    const idx = this.#idx;
    const mask = this.#mask;
    const keys = this.#keys;
    const hashOf = this.#hashOf;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = idx[i]!;
      if (e === 0) return 0;
      const s = e - 1;
      if (hashOf[s] === h && keys[s] === k0) {
        if (touch && this.#lru) this.#touch(s);
        return this.valueBase + s * this.#stride;
      }
    }
  }

  update(keyAddr: number, src: number, flags: number, sys: boolean): number {
    if (flags > BPF_EXIST) return -EINVAL;
    const h = this.#loadKey(keyAddr);
    let s = this.#find(h);
    if (s >= 0 && flags === BPF_NOEXIST) return -EEXIST;
    if (s < 0 && flags === BPF_EXIST) return -ENOENT;
    const mem = this.#ctx.mem;
    const fresh = s < 0;
    if (fresh) {
      if (this.#freeTop === 0) {
        if (!this.#lru) return -E2BIG;
        const victim = this.#tail;
        this.#remove(victim, this.#posOf(victim));
        // The probe position of the new key may have moved with the shift.
        this.#find(h);
      }
      s = this.#free[--this.#freeTop]!;
      const kw = this.#keyWords;
      this.#keys.set(this.#k, s * kw);
      this.#hashOf[s] = h;
      this.#live[s] = 1;
      this.#idx[this.#pos] = s + 1;
      this.#count++;
      if (this.#lru) this.#pushFront(s);
    } else if (this.#lru) {
      this.#touch(s);
    }
    const dst = this.valueBase + s * this.#stride;
    if (!this.#percpu) {
      copyBytes(mem, dst, src, this.#valueSize);
    } else if (sys) {
      copyBytes(mem, dst, src, this.#stride);
    } else {
      // A program writes its cpu's value; a new element starts zeroed on the other cpus.
      if (fresh) mem.zero(dst, this.#stride);
      copyBytes(mem, dst + this.#ctx.cpu * this.#elemSize, src, this.#valueSize);
    }
    return 0;
  }

  delete(keyAddr: number): number {
    const s = this.#find(this.#loadKey(keyAddr));
    if (s < 0) return -ENOENT;
    this.#remove(s, this.#pos);
    return 0;
  }

  next(cursor: number): number {
    const live = this.#live;
    for (let s = cursor; s < this.#max; s++) if (live[s] === 1) return s;
    return -1;
  }

  writeKey(cursor: number, addr: number): void {
    const at = cursor * this.#keyWords * 4;
    this.#ctx.mem.writeBytes(addr, this.#keyBytes.subarray(at, at + this.#keySize));
  }

  elemAt(cursor: number): number {
    return this.valueBase + cursor * this.#stride;
  }

  /** Slots from the most to the least recently used (LRU maps; empty otherwise). For tests. */
  recency(): number[] {
    const out: number[] = [];
    if (!this.#lru) return out;
    for (let s = this.#head; s !== -1; s = this.#next[s]!) out.push(s);
    return out;
  }
}
