/**
 * Object load time: parsing a realistic object (test/fixtures/bpf/ring.o: 4 programs, a .text
 * subprogram linked into two of them, 12 maps of 6 types plus global data, BTF with 79 types and
 * line info) and loading it (maps created in a MapTable, globals filled, relocations applied,
 * programs decoded). Each iteration checks what it made, and a load closes its maps again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HelperRegistry } from '../src/ebpf/helpers.js';
import { BpfObject } from '../src/ebpf/loader.js';
import { registerMapHelpers } from '../src/ebpf/map-helpers.js';
import { MapTable } from '../src/ebpf/maps/index.js';
import { AddressSpace } from '../src/mem/address-space.js';
import { type BenchCase, type Runner, repoRoot } from './harness.js';

function fixtureBytes(): Uint8Array {
  return readFileSync(join(repoRoot(), 'test', 'fixtures', 'bpf', 'ring.o'));
}

function fail(what: string): never {
  throw new Error(`object bench: ${what}`);
}

/** Stand-ins for the io_uring helpers ring.o calls (148, 164-167 come with the BPF requests). */
function helpersFor(table: MapTable): HelperRegistry {
  const r = registerMapHelpers(new HelperRegistry(), table);
  for (const id of [5, 6, 7, 12, 148, 165, 167]) {
    r.register({
      id,
      name: `stub${id}`,
      args: [],
      ret: 'RET_INTEGER',
      sleepableOnly: false,
      gplOnly: false,
      impl: () => 0n,
    });
  }
  return r;
}

export const OBJECT_CASES: readonly BenchCase[] = [
  {
    group: 'maps',
    name: 'object: parse ring.o (ELF, BTF, line info)',
    batch: 1,
    open(): Runner {
      const bytes = fixtureBytes();
      return {
        chunk(iters: number): number {
          for (let i = 0; i < iters; i++) {
            const o = BpfObject.open(bytes);
            if (o.programs.length !== 4 || o.maps.length !== 12) fail('ring.o parsed to a different object');
          }
          return iters;
        },
        async close() {},
      };
    },
  },
  {
    group: 'maps',
    name: 'object: open + load ring.o (12 maps, 4 programs)',
    batch: 1,
    open(): Runner {
      const bytes = fixtureBytes();
      const mem = new AddressSpace({ size: 16 * 1024 * 1024 });
      const table = new MapTable(mem);
      const helpers = helpersFor(table);
      return {
        chunk(iters: number): number {
          for (let i = 0; i < iters; i++) {
            const loaded = BpfObject.open(bytes).load({ mem, maps: table, helpers });
            if (loaded.programNames.length !== 4 || table.size !== 12) fail('ring.o loaded differently');
            loaded.close();
          }
          return iters;
        },
        async close() {
          if (table.size !== 0) fail(`${table.size} maps left open`);
        },
      };
    },
  },
];
