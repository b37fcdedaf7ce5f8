/**
 * Source lookups in a parsed program: the function holding an instruction, and the source line an
 * instruction comes from (the last line_info record at or before it within the same function).
 */
import type { FuncEntry, ProgramDef, SourceLine } from './types.js';

/** The function (the program or an appended subprogram) that holds slot `insnIndex`, or null. */
export function funcAt(p: ProgramDef, insnIndex: number): FuncEntry | null {
  for (const f of p.funcs) {
    if (insnIndex >= f.insnIndex && insnIndex < f.insnIndex + f.size) return f;
  }
  return null;
}

/** The source line of slot `insnIndex`, or null without line info for it. */
export function sourceAt(p: ProgramDef, insnIndex: number): SourceLine | null {
  const f = funcAt(p, insnIndex);
  if (f === null) return null;
  let lo = 0;
  let hi = p.lineInfo.length;
  // Last entry with entry.insnIndex <= insnIndex.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (p.lineInfo[mid]!.insnIndex <= insnIndex) lo = mid + 1;
    else hi = mid;
  }
  const e = p.lineInfo[lo - 1];
  if (e === undefined || e.insnIndex < f.insnIndex) return null;
  return { file: e.file, line: e.line, column: e.column, text: e.text };
}
