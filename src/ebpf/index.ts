/** The eBPF layer's public API: instructions, assemblers, disassembler, interpreter, helper registry. */
export { AsmError, type AsmErrorCode, assembleLlvm, assembleUbpf } from './asm/index.js';
export {
  type BaseHelperOptions,
  type BaseHelpers,
  registerBaseHelpers,
  type TailCallResolver,
} from './base-helpers.js';
export { BtfError } from './btf/index.js';
export {
  type ConformanceOptions,
  type ConformanceOutcome,
  type ConformanceReport,
  formatConformance,
  runConformance,
} from './conformance.js';
export { type DisasmOptions, disassemble, type FormattedInsn, formatInsn } from './disasm.js';
export { ElfError } from './elf/index.js';
export { DEFAULT_ENGINE, ENGINES, type LoadOptions, loadProgram } from './engine.js';
export { BpfFault, type BpfFaultCode, ProgramLoadError, type ProgramLoadErrorCode } from './faults.js';
export {
  type ArgType,
  type HelperDef,
  type HelperEnv,
  type HelperImpl,
  HelperRegistry,
  type RetType,
} from './helpers.js';
export {
  checkInsns,
  decodeInsns,
  encodeInsns,
  type Insn,
  InsnError,
  type InsnErrorCode,
  insnsFromWords,
} from './insn.js';
export type { Region } from './interp.js';
export {
  BpfObject,
  isGplCompatible,
  LoadedObject,
  type LoadedProgram,
  type ObjectLoadOptions,
  type OpenOptions,
  registerProgram,
  tailCallResolver,
} from './loader.js';
export { mapHelpers, registerMapHelpers } from './map-helpers.js';
export * from './maps/index.js';
export { ObjectError, parseObject } from './object/index.js';
export {
  type BpfProgram,
  type EngineKind,
  type RunOptions,
  type RunResult,
  releaseInterpreter,
} from './run-env.js';
export { TraceLog } from './trace.js';
