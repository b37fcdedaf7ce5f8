/** Re-export (the description lives with the verifier, src/ebpf/verifier/prog-types.ts). */
export { IOURING_PROG_TYPE } from '../../ebpf/verifier/prog-types.js';
