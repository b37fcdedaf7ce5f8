#!/usr/bin/env node
/**
 * Long differential run of the JIT against the interpreter over seeded random programs
 * (test/jit-gen.ts, compiled to dist/). Usage:
 *   node scripts/jit-diff.mjs [--seed N] [--count N] [--minutes M] [--items N]
 * Seeds run from --seed (default 1) up, until --count programs ran or --minutes passed (default: 1
 * minute when neither is given). Progress every ~5 s, a summary at the end; exit 1 at the first
 * mismatch, printing its seed, the program and the outcomes. --items: items per main function
 * (default 60; bigger programs, more blocks).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { disassemble } = await import(join(root, 'dist/src/ebpf/disasm.js'));
const { AddressSpace } = await import(join(root, 'dist/src/mem/address-space.js'));
const gen = await import(join(root, 'dist/test/jit-gen.js'));

function parseArgs(argv) {
  const o = { seed: 1, count: Number.POSITIVE_INFINITY, minutes: Number.POSITIVE_INFINITY, items: 60 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = Number(argv[++i]);
    if (!['--seed', '--count', '--minutes', '--items'].includes(k) || !Number.isFinite(v) || v < 0) {
      console.error(
        `usage: jit-diff.mjs [--seed N] [--count N] [--minutes M] [--items N] (bad argument ${k} ${argv[i]})`,
      );
      process.exit(2);
    }
    o[k.slice(2)] = v;
  }
  if (o.count === Number.POSITIVE_INFINITY && o.minutes === Number.POSITIVE_INFINITY) o.minutes = 1;
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const mem = new AddressSpace({ size: 1 << 20 });
const slots = [];
const helpers = gen.genHelpers(() => slots);
const addr = mem.alloc(gen.REGION, 8);

const start = Date.now();
const end = start + opts.minutes * 60_000;
let lastReport = start;
let ran = 0;
let faulted = 0;
let tails = 0;
let insns = 0;
let executed = 0;
for (let seed = opts.seed; ran < opts.count && Date.now() < end; seed++) {
  const gp = gen.genProgram(seed, mem.memory.buffer.byteLength, opts.items);
  const { want, outcomes, diffs } = gen.runVariants(gp, mem, addr, helpers, slots);
  ran++;
  insns += gp.insns.length;
  if (gp.tails) tails++;
  if (want.fault !== null) faulted++;
  else executed += want.executed;
  if (diffs.length > 0) {
    console.log(`MISMATCH at seed ${seed}:\n  ${diffs.join('\n  ')}`);
    console.log(`program (seed ${seed}, ${gp.insns.length} slots, faulty ${gp.faulty}):`);
    console.log(disassemble(gp.insns).join('\n'));
    gp.targets.forEach((t, k) => {
      console.log(`tail-call target ${k}:\n${disassemble(t).join('\n')}`);
    });
    console.log(`region before: ${Buffer.from(gp.region).toString('hex')}`);
    console.log(outcomes.join('\n'));
    process.exit(1);
  }
  const now = Date.now();
  if (now - lastReport >= 5000) {
    lastReport = now;
    console.log(
      `${((now - start) / 1000).toFixed(0)} s: ${ran} programs (seeds ${opts.seed}..${seed}), ${faulted} faulted`,
    );
  }
}
const secs = (Date.now() - start) / 1000;
console.log(
  `jit-diff: ${ran} programs agreed on ${gen.VARIANTS.length} engine variants in ${secs.toFixed(1)} s ` +
    `(seeds ${opts.seed}..${opts.seed + ran - 1}; ${faulted} faulted; ${tails} with tail calls; ${insns} slots; ${executed} instructions run by the interpreter)`,
);
