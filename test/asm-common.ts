/** Shared checks of the assembler tests (test/asm-*.test.ts). */
import assert from 'node:assert/strict';
import { AsmError } from '../src/ebpf/asm/errors.js';
import type { Insn } from '../src/ebpf/insn.js';

/** [source, code, line, column] of an expected AsmError. */
export type AsmErrorCase = readonly [src: string, code: string, line: number, column: number];

/** Each source fails with its code at its line and column, and says what was expected and found. */
export function assertAsmErrors(assemble: (text: string) => Insn[], cases: readonly AsmErrorCase[]): void {
  for (const [src, code, line, column] of cases) {
    assert.throws(
      () => assemble(src),
      (e: unknown) => {
        assert.ok(e instanceof AsmError, `${JSON.stringify(src)}: ${String(e)}`);
        assert.deepEqual(
          { code: e.code, line: e.line, column: e.column },
          { code, line, column },
          `${JSON.stringify(src)}: ${e.message}`,
        );
        assert.ok(e.message.startsWith(`line ${line}, column ${column}: expected `), e.message);
        assert.match(e.message, /, found .+$/);
        return true;
      },
      `${JSON.stringify(src)} assembled`,
    );
  }
}
