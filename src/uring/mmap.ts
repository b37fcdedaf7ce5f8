/**
 * mmap(2) of a ring fd: which region an offset names (spec §3.4). The fixed offsets are matched first,
 * then RFC v2's IORING_OFF_CQ_RING_EXTRA + k * IORING_STRIDE_CQ_RING for CQ k (so k = 110 and k = 238
 * alias the main CQ ring and the SQE array, as in the RFC's kernel).
 */
import { EINVAL } from '../uapi/errno.js';
import {
  IORING_OFF_CQ_RING,
  IORING_OFF_CQ_RING_EXTRA,
  IORING_OFF_SQ_RING,
  IORING_OFF_SQES,
  IORING_STRIDE_CQ_RING,
} from '../uapi/io_uring.js';
import type { CompletionQueue } from './cq.js';

/** The regions of one ring. */
export interface RingRegions {
  /** io_rings (SQ ring + CQ 0), its size; the SQE array, its size. */
  readonly ringsAddr: number;
  readonly ringsSize: number;
  readonly sqesAddr: number;
  readonly sqesSize: number;
  readonly cqs: readonly CompletionQueue[];
}

/** The address of the region at `offset` when `length` fits in it, else -EINVAL. */
export function mmapRegion(r: RingRegions, offset: number, length: number): number {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || length <= 0) return -EINVAL;
  let addr: number;
  let size: number;
  if (offset === IORING_OFF_SQ_RING || offset === IORING_OFF_CQ_RING) {
    addr = r.ringsAddr;
    size = r.ringsSize;
  } else if (offset === IORING_OFF_SQES) {
    addr = r.sqesAddr;
    size = r.sqesSize;
  } else {
    if (offset < IORING_OFF_CQ_RING_EXTRA) return -EINVAL;
    const rel = offset - IORING_OFF_CQ_RING_EXTRA;
    if (rel % IORING_STRIDE_CQ_RING !== 0) return -EINVAL;
    const cq = r.cqs[rel / IORING_STRIDE_CQ_RING];
    if (cq === undefined) return -EINVAL;
    addr = cq.base;
    size = cq.regionSize;
  }
  return length > size ? -EINVAL : addr;
}
