/**
 * The program under construction, shared by both syntaxes: the slots emitted so far, the labels
 * (each marking a slot index, lddw counting as two) and the references to labels, resolved at the
 * end into target - (referring slot) - 1 in `off` (16 bits) or `imm` (32 bits).
 */
import { type Insn, LDDW } from '../insn.js';
import { AsmError, asmError, type Pos } from './errors.js';

/** A jump, call or gotol whose target is a label. */
export interface LabelRef {
  readonly label: string;
  readonly at: Pos;
  readonly field: 'off' | 'imm';
}

/** One instruction as a statement produces it. */
export interface Emitted {
  /** The (first) slot. */
  readonly insn: Insn;
  /** lddw: the second slot's imm (the upper 32 bits). */
  readonly hi?: number;
  /** A label to resolve into `insn`. */
  readonly ref?: LabelRef;
}

interface Fixup extends LabelRef {
  /** Index of the instruction in the output array. */
  readonly index: number;
  /** Slot index of that instruction. */
  readonly slot: number;
}

export const insn = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({
  code,
  dst,
  src,
  off,
  imm,
});

export class Program {
  readonly #insns: Insn[] = [];
  readonly #fixups: Fixup[] = [];
  readonly #labels = new Map<string, { slot: number; at: Pos }>();

  /** Slot index of the next instruction. */
  get slot(): number {
    return this.#insns.length;
  }

  /** Define `name` at the next slot; a second definition is an error. */
  define(name: string, at: Pos): void {
    const prev = this.#labels.get(name);
    if (prev !== undefined) {
      throw new AsmError(
        'E_ASM_LABEL',
        at.line,
        at.col,
        `expected a label not yet defined, found '${name}' (already defined at line ${prev.at.line})`,
      );
    }
    this.#labels.set(name, { slot: this.slot, at });
  }

  has(name: string): boolean {
    return this.#labels.has(name);
  }

  emit(e: Emitted): void {
    if (e.ref !== undefined) this.#fixups.push({ ...e.ref, index: this.#insns.length, slot: this.slot });
    this.#insns.push(e.insn);
    if (e.insn.code === LDDW) this.#insns.push(insn(0, 0, 0, 0, e.hi ?? 0));
  }

  /** Resolve every label reference and return the slots. `implicit` supplies labels the text lacks. */
  finish(implicit: ReadonlyMap<string, number> = new Map()): Insn[] {
    for (const f of this.#fixups) {
      const target = this.#labels.get(f.label)?.slot ?? implicit.get(f.label);
      if (target === undefined) throw asmError('E_ASM_LABEL', f.at, 'a defined label', `'${f.label}'`);
      const rel = target - f.slot - 1;
      const [min, max] = f.field === 'off' ? [-0x8000, 0x7fff] : [-0x8000_0000, 0x7fff_ffff];
      if (rel < min || rel > max) {
        throw asmError(
          'E_ASM_RANGE',
          f.at,
          `a target within ${f.field === 'off' ? '16' : '32'}-bit reach (${min}..${max} slots)`,
          `'${f.label}' at ${rel} slots`,
        );
      }
      const i = this.#insns[f.index]!;
      this.#insns[f.index] = { ...i, [f.field]: rel };
    }
    return this.#insns;
  }
}
