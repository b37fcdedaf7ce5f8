/** ELF64 reader for BPF objects. */
export { ElfError, type ElfErrorCode } from './errors.js';
export {
  ELF_MAX_NAME,
  ElfFile,
  type ElfHeader,
  type ElfReloc,
  type ElfSection,
  type ElfSymbol,
  parseElf,
} from './reader.js';
