/** uring-bpf: io_uring with several completion queues and BPF requests (RFC v2), in userspace. */
export * from './ebpf/index.js';
export * from './liburing/index.js';
export { AddressSpace, type AddressSpaceOptions, MemoryExhausted, MemoryFault } from './mem/index.js';
export * as uapi from './uapi/index.js';
export type { EnterArg, LeftoverCqe } from './uring/index.js';
export { RingContext, Runtime, type RuntimeOptions, type SetupOptions } from './uring/index.js';
