/**
 * io_uring_setup(2) with RFC v2's several CQs (spec §4.1): validates and sizes the rings, places the
 * SQ ring, the SQE array and every CQ ring in the address space, and writes the kernel's offsets back
 * into the params struct at `paramsAddr`.
 */
import type { AddressSpace } from '../mem/address-space.js';
import { MemoryExhausted } from '../mem/errors.js';
import { readStructField, writeStruct } from '../mem/struct.js';
import { EFAULT, EINVAL, ENOMEM } from '../uapi/errno.js';
import {
  IO_MAX_CQRINGS,
  IORING_FEAT_EXT_ARG,
  IORING_FEAT_NODROP,
  IORING_FEAT_SINGLE_MMAP,
  IORING_FEAT_SUBMIT_STABLE,
  IORING_MAX_CQ_ENTRIES,
  IORING_MAX_ENTRIES,
  IORING_SETUP_CLAMP,
  IORING_SETUP_CQSIZE,
  IORING_SETUP_R_DISABLED,
} from '../uapi/io_uring.js';
import {
  CACHE_LINE,
  IO_CQRING_OFFSETS,
  IO_RINGS,
  IO_RINGS_CQES,
  IO_SQRING_OFFSETS,
  IO_URING_PARAMS,
  IO_URING_PARAMS_CQ_OFF,
  IO_URING_PARAMS_SQ_OFF,
} from '../uapi/layout.js';
import { FsBackend } from './backends/fs.js';
import type { IoBackend } from './backends/types.js';
import { RingContext } from './context.js';
import { CompletionQueue, cqRegionBytes } from './cq.js';

/** Setup flags this implementation accepts. IOPOLL, SQPOLL, SQ_AFF and ATTACH_WQ are not supported. */
export const SUPPORTED_SETUP_FLAGS = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_R_DISABLED;

/** Features reported in params.features. */
export const FEATURES =
  IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_EXT_ARG;

export interface SetupOptions {
  /** Where file I/O goes; default Node's fs (libuv thread pool). */
  readonly backend?: IoBackend;
  /**
   * Literal RFC v2 overflow behaviour (DESIGN.md Q5): a CQE that does not fit an extra CQ is dropped
   * and counted in CQ 0's overflow counter, instead of waiting in that CQ's backlog.
   */
  readonly strictRfc?: boolean;
  /**
   * Writes to one regular file run one at a time in submission order, and queued writes that continue
   * each other go out as one pwritev (write-queue.ts). Default true; false hands every write to the
   * backend at once (several may run in parallel on the thread pool).
   */
  readonly mergeWrites?: boolean;
}

const defaultBackend = new FsBackend();

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

function roundupPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Read a params field (u32 or u64) at paramsAddr. */
function pf(mem: AddressSpace, paramsAddr: number, name: keyof typeof IO_URING_PARAMS.fields): bigint {
  return BigInt(readStructField(mem, IO_URING_PARAMS, paramsAddr, name));
}

/**
 * io_uring_setup(entries, params): a ring context, or -errno. `paramsAddr` points at a 120-byte
 * struct io_uring_params in `mem`; on success its sq_entries, cq_entries, features, sq_off and cq_off
 * are filled in as the kernel does.
 */
export function ioUringSetup(
  mem: AddressSpace,
  entries: number,
  paramsAddr: number,
  options: SetupOptions = {},
): RingContext | number {
  if (!mem.isUser(paramsAddr, IO_URING_PARAMS.size)) return -EFAULT;
  const flags = Number(pf(mem, paramsAddr, 'flags'));
  if ((flags & ~SUPPORTED_SETUP_FLAGS) !== 0) return -EINVAL;

  // Main SQ and CQ sizing (io_uring_create).
  let sq = entries >>> 0;
  if (sq === 0) return -EINVAL;
  if (sq > IORING_MAX_ENTRIES) {
    if ((flags & IORING_SETUP_CLAMP) === 0) return -EINVAL;
    sq = IORING_MAX_ENTRIES;
  }
  const sqEntries = roundupPow2(sq);
  let cqEntries: number;
  if ((flags & IORING_SETUP_CQSIZE) !== 0) {
    let c = Number(pf(mem, paramsAddr, 'cq_entries'));
    if (c === 0) return -EINVAL;
    if (c > IORING_MAX_CQ_ENTRIES) {
      if ((flags & IORING_SETUP_CLAMP) === 0) return -EINVAL;
      c = IORING_MAX_CQ_ENTRIES;
    }
    cqEntries = roundupPow2(c);
    if (cqEntries < sqEntries) return -EINVAL;
  } else {
    cqEntries = 2 * sqEntries;
  }

  // RFC v2 extra CQs (patch 10): nr_cq at 28, cq_sizes (a user pointer to u32[nr_cq]) at 32.
  const nrCq = Number(pf(mem, paramsAddr, 'nr_cq'));
  const cqSizes = pf(mem, paramsAddr, 'cq_sizes');
  if (nrCq > IO_MAX_CQRINGS) return -EINVAL;
  if ((nrCq === 0) !== (cqSizes === 0n)) return -EINVAL;
  const extraSizes: number[] = [];
  if (nrCq > 0) {
    const arr = cqSizes < BigInt(mem.size) ? Number(cqSizes) : -1;
    if (arr < 0 || !mem.isUser(arr, 4 * nrCq)) return -EFAULT;
    for (let i = 0; i < nrCq; i++) {
      let s = mem.readU32(arr + 4 * i);
      if (s === 0) return -EINVAL;
      if (s > IORING_MAX_CQ_ENTRIES) {
        if ((flags & IORING_SETUP_CLAMP) === 0) return -EINVAL;
        s = IORING_MAX_CQ_ENTRIES;
      }
      extraSizes.push(roundupPow2(s));
    }
  }

  // Allocate: main io_rings (+ SQ array after the CQEs), the SQE array, one io_rings per extra CQ.
  const arrayOff = alignUp(cqRegionBytes(cqEntries), CACHE_LINE);
  const ringsSize = arrayOff + 4 * sqEntries;
  const sqesSize = 64 * sqEntries;
  const allocated: number[] = [];
  const alloc = (size: number): number => {
    const a = mem.alloc(size, 4096);
    allocated.push(a);
    return a;
  };
  let ringsAddr: number;
  let sqesAddr: number;
  const cqs: CompletionQueue[] = [];
  try {
    ringsAddr = alloc(ringsSize);
    sqesAddr = alloc(sqesSize);
    cqs.push(new CompletionQueue(mem, 0, ringsAddr, ringsSize, cqEntries));
    for (let i = 0; i < extraSizes.length; i++) {
      const n = extraSizes[i]!;
      const size = alignUp(cqRegionBytes(n), CACHE_LINE);
      cqs.push(new CompletionQueue(mem, i + 1, alloc(size), size, n));
    }
  } catch (e) {
    for (const a of allocated) mem.free(a);
    if (e instanceof MemoryExhausted) return -ENOMEM;
    throw e;
  }

  const R = IO_RINGS.fields;
  writeStruct(mem, IO_URING_PARAMS, paramsAddr, {
    sq_entries: sqEntries,
    cq_entries: cqEntries,
    features: FEATURES,
  });
  writeStruct(mem, IO_SQRING_OFFSETS, paramsAddr + IO_URING_PARAMS_SQ_OFF, {
    head: R.sq_head.offset,
    tail: R.sq_tail.offset,
    ring_mask: R.sq_ring_mask.offset,
    ring_entries: R.sq_ring_entries.offset,
    flags: R.sq_flags.offset,
    dropped: R.sq_dropped.offset,
    array: arrayOff,
    resv1: 0,
    resv2: 0n,
  });
  writeStruct(mem, IO_CQRING_OFFSETS, paramsAddr + IO_URING_PARAMS_CQ_OFF, {
    head: R.cq_head.offset,
    tail: R.cq_tail.offset,
    ring_mask: R.cq_ring_mask.offset,
    ring_entries: R.cq_ring_entries.offset,
    overflow: R.cq_overflow.offset,
    cqes: IO_RINGS_CQES,
    flags: R.cq_flags.offset,
    resv1: 0,
    resv2: 0n,
  });
  return new RingContext({
    mem,
    setupFlags: flags,
    strict: options.strictRfc === true,
    sqEntries,
    ringsAddr,
    ringsSize,
    sqArrayAddr: ringsAddr + arrayOff,
    sqesAddr,
    sqesSize,
    cqs,
    backend: options.backend ?? defaultBackend,
    mergeWrites: options.mergeWrites !== false,
  });
}
