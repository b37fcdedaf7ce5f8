/** The two eBPF assemblers: the uBPF dialect of the conformance suite and the LLVM / kernel syntax. */
export { AsmError, type AsmErrorCode } from './errors.js';
export { assembleLlvm } from './llvm.js';
export { assembleUbpf } from './ubpf.js';
