/** BPF ELF objects to programs, maps and global data (a description; nothing is loaded). */
export { ObjectError, type ObjectErrorCode } from './errors.js';
export { type FormatObjectOptions, formatObject } from './format.js';
export { MAX_BSS_SIZE } from './globals.js';
export { type ParseObjectOptions, parseObject } from './parse.js';
export { progTypeOfSection, type SectionProgType } from './sections.js';
export { funcAt, sourceAt } from './source.js';
export type {
  FuncEntry,
  GlobalDef,
  GlobalVar,
  LineInfoEntry,
  MapDef,
  MapOrigin,
  ObjectFile,
  ProgramDef,
  ProgramReloc,
  SourceLine,
} from './types.js';
