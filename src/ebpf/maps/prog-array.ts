/**
 * PROG_ARRAY: the targets of tail calls. Each of max_entries slots holds a program id (a positive
 * integer given by whoever loads programs) or nothing; the storage is max_entries u32 words of the
 * address space, 0 for an empty slot.
 *
 * Programs cannot look up, update or delete a program array (the verifier rejects it: the raw
 * operations throw, which stops the run); they reach it through bpf_tail_call, whose implementation
 * calls programId(index). From TypeScript (bpf_fd_array_map_*): set(index, id) with BPF_ANY only
 * (-EINVAL otherwise), -E2BIG for an index out of range, get(index) of an empty slot or out of range
 * is undefined (-ENOENT), delete(index) of an empty slot is false (-ENOENT), out of range -E2BIG.
 */
import { BPF_ANY } from '../../uapi/bpf.js';
import { E2BIG, EINVAL } from '../../uapi/errno.js';
import { MapError } from './errors.js';
import { BpfMap, type MapInit } from './map.js';

export class ProgArrayMap extends BpfMap {
  readonly #base: number;
  #count = 0;

  constructor(init: MapInit) {
    super(init);
    this.#base = this.own(this.maxEntries * 4);
  }

  /** Slots holding a program. */
  get count(): number {
    return this.#count;
  }

  /** The program id in slot `index` (a u32), or 0 when the slot is empty or out of range. For tail calls. */
  programId(index: number): number {
    return index >>> 0 === index && index < this.maxEntries ? this.ctx.mem.u32(this.#base + index * 4) : 0;
  }

  /** Put program `progId` (a positive integer) in slot `index`. */
  set(index: number, progId: number, flags: number = BPF_ANY): void {
    this.checkSysWrite('update');
    this.#checkIndex(index);
    if (!Number.isInteger(progId) || progId < 1 || progId > 0x7fff_ffff)
      throw new TypeError(`program id must be an integer from 1 to 0x7fffffff, got ${progId}`);
    if (flags !== BPF_ANY)
      throw new MapError(
        EINVAL,
        this.describe(),
        `update: flags ${flags}, expected BPF_ANY on a program array`,
      );
    if (index >= this.maxEntries) throw this.#range('update', index);
    const at = this.#base + index * 4;
    if (this.ctx.mem.u32(at) === 0) this.#count++;
    this.ctx.mem.setU32(at, progId);
  }

  /** The program id in slot `index`, or undefined. */
  get(index: number): number | undefined {
    this.checkSysRead('lookup');
    this.#checkIndex(index);
    const id = this.programId(index);
    return id === 0 ? undefined : id;
  }

  /** Empty slot `index`: false when it was empty. */
  delete(index: number): boolean {
    this.checkSysWrite('delete');
    this.#checkIndex(index);
    if (index >= this.maxEntries) throw this.#range('delete', index);
    const at = this.#base + index * 4;
    if (this.ctx.mem.u32(at) === 0) return false;
    this.ctx.mem.setU32(at, 0);
    this.#count--;
    return true;
  }

  /** Empty every slot that holds `progId` (the program is going away); returns how many. */
  removeProgram(progId: number): number {
    this.checkOpen();
    let n = 0;
    for (let i = 0; i < this.maxEntries; i++) {
      const at = this.#base + i * 4;
      if (this.ctx.mem.u32(at) === progId) {
        this.ctx.mem.setU32(at, 0);
        n++;
      }
    }
    this.#count -= n;
    return n;
  }

  /** [index, program id] of the slots that hold a program, by index. */
  *entries(): IterableIterator<[number, number]> {
    this.checkSysRead('iteration');
    for (let i = 0; i < this.maxEntries && !this.closed; i++) {
      const id = this.programId(i);
      if (id !== 0) yield [i, id];
    }
  }

  *keys(): IterableIterator<number> {
    for (const [i] of this.entries()) yield i;
  }

  lookupAddr(_keyAddr: number): number {
    return this.#fromProgram('map_lookup_elem');
  }
  updateAddr(_keyAddr: number, _valueAddr: number, _flags: number): number {
    return this.#fromProgram('map_update_elem');
  }
  deleteAddr(_keyAddr: number): number {
    return this.#fromProgram('map_delete_elem');
  }

  #fromProgram(op: string): never {
    throw new TypeError(
      `${op} on program array ${this.describe()}: programs reach a program array through bpf_tail_call only (the verifier rejects this call)`,
    );
  }

  #checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff)
      throw new TypeError(`index must be a u32, got ${index}`);
  }

  #range(op: string, index: number): MapError {
    return new MapError(
      E2BIG,
      this.describe(),
      `${op}: index ${index} out of range (max_entries ${this.maxEntries})`,
    );
  }
}
