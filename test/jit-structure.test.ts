/**
 * The CFG structuring of the JIT (src/ebpf/jit/structure.ts): hand-written graphs, irreducible ones,
 * and seeded random graphs. Each structured tree is run by a small evaluator with wasm semantics
 * (block/loop labels, br depths, a label variable and br_table for the dispatch form) under an oracle
 * choosing each conditional's direction; the blocks it visits must be those of the CFG walk with the
 * same oracle. Label depths are also checked statically.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeDominators, dominates } from '../src/ebpf/jit/dominators.js';
import { renderStructure, type StructNode, type Structured, structure } from '../src/ebpf/jit/structure.js';

type Graph = readonly (readonly number[])[];

/** A small seeded generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The blocks visited by walking the CFG, conditionals deciding by `taken()`, at most `limit` blocks. */
function walkCfg(g: Graph, taken: () => boolean, limit: number): number[] {
  const trace: number[] = [];
  let b = 0;
  while (trace.length < limit) {
    trace.push(b);
    const out = g[b] as readonly number[];
    if (out.length === 0) break;
    b = (out.length === 2 && taken() ? out[1] : out[0]) as number;
  }
  return trace;
}

class Stop extends Error {}
type Outcome = { kind: 'next' } | { kind: 'br'; depth: number } | { kind: 'ret' };
const NEXT: Outcome = { kind: 'next' };

/** Runs a structured tree with wasm semantics; the same oracle protocol as walkCfg. */
function evalStructure(g: Graph, s: Structured, taken: () => boolean, limit: number): number[] {
  const trace: number[] = [];
  let label = 0;
  const run = (body: readonly StructNode[]): Outcome => {
    for (const node of body) {
      let r: Outcome = NEXT;
      switch (node.kind) {
        case 'block':
          r = run(node.body);
          if (r.kind === 'br') r = r.depth === 0 ? NEXT : { kind: 'br', depth: r.depth - 1 };
          break;
        case 'loop':
          for (;;) {
            r = run(node.body);
            if (r.kind === 'br' && r.depth === 0) continue;
            if (r.kind === 'br') r = { kind: 'br', depth: r.depth - 1 };
            break;
          }
          break;
        case 'setLabel':
          label = node.label;
          break;
        case 'switch':
          r = { kind: 'br', depth: (node.depths[label] ?? node.depths[node.depths.length - 1]) as number };
          break;
        case 'code': {
          if (trace.length >= limit) throw new Stop();
          trace.push(node.block);
          const out = g[node.block] as readonly number[];
          if (out.length === 0) return { kind: 'ret' };
          const i = out.length === 2 && taken() ? 1 : 0;
          const e = node.exits[i];
          assert.ok(e !== undefined, `block ${node.block} has no exit ${i}`);
          if (e.kind === 'br') r = { kind: 'br', depth: e.depth };
          else if (e.kind === 'goto') {
            label = e.label;
            r = { kind: 'br', depth: e.depth };
          }
          break;
        }
      }
      if (r.kind !== 'next') return r;
    }
    return NEXT;
  };
  try {
    const r = run(s.body);
    assert.equal(r.kind, 'ret', 'control left the function without a return');
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  return trace;
}

/** Static checks: every depth names an enclosing construct, each reachable block's code appears once. */
function checkTree(g: Graph, s: Structured): void {
  const seen = new Map<number, number>();
  const visit = (body: readonly StructNode[], labels: readonly ('block' | 'loop')[]): void => {
    for (const node of body) {
      if (node.kind === 'block' || node.kind === 'loop') visit(node.body, [node.kind, ...labels]);
      else if (node.kind === 'switch') {
        for (const d of node.depths)
          assert.ok(d < labels.length, `switch depth ${d} with ${labels.length} labels`);
      } else if (node.kind === 'code') {
        seen.set(node.block, (seen.get(node.block) ?? 0) + 1);
        assert.equal(
          node.exits.length,
          (g[node.block] as readonly number[]).length,
          `exits of block ${node.block}`,
        );
        for (const e of node.exits) {
          if (e.kind === 'fall') continue;
          assert.ok(
            e.depth < labels.length,
            `block ${node.block}: br ${e.depth} with ${labels.length} labels`,
          );
          if (e.kind === 'goto') assert.ok(s.dispatch, 'a goto only in the dispatch form');
        }
      }
    }
  };
  visit(s.body, []);
  const reach = computeDominators(g).rpo;
  assert.deepEqual(
    [...seen.keys()].sort((a, b) => a - b),
    [...reach].sort((a, b) => a - b),
  );
  for (const [b, count] of seen) assert.equal(count, 1, `block ${b} emitted ${count} times`);
}

/** Structures g and compares evaluator and CFG walk over `runs` oracles; returns the structure. */
function check(g: Graph, seed: number, runs = 8): Structured {
  const s = structure(g);
  checkTree(g, s);
  for (let k = 0; k < runs; k++) {
    const r1 = rng(seed * 31 + k);
    const r2 = rng(seed * 31 + k);
    const bias = (k % 4) / 4 + 0.1;
    const want = walkCfg(g, () => r1() < bias, 200);
    const got = evalStructure(g, s, () => r2() < bias, 200);
    assert.deepEqual(got, want, `graph ${JSON.stringify(g)} oracle ${k}\n${renderStructure(s.body)}`);
  }
  return s;
}

function countLoops(body: readonly StructNode[]): number {
  let c = 0;
  for (const n of body) {
    if (n.kind === 'loop') c++;
    if (n.kind === 'block' || n.kind === 'loop') c += countLoops(n.body);
  }
  return c;
}

const reducible: readonly { name: string; g: Graph; loops: number }[] = [
  { name: 'single exit block', g: [[]], loops: 0 },
  { name: 'straight line', g: [[1], [2], [3], []], loops: 0 },
  { name: 'if/else diamond', g: [[1, 2], [3], [3], []], loops: 0 },
  { name: 'if without else', g: [[1, 2], [2], []], loops: 0 },
  { name: 'nested ifs', g: [[1, 5], [2, 3], [4], [4], [5], []], loops: 0 },
  { name: 'while loop', g: [[1], [2, 3], [1], []], loops: 1 },
  { name: 'do-while loop', g: [[1], [2], [3, 1], []], loops: 1 },
  { name: 'self loop', g: [[0, 1], []], loops: 1 },
  { name: 'nested loops', g: [[1], [2, 5], [3], [3, 4], [1], []], loops: 2 },
  { name: 'loop with break and continue', g: [[1], [2, 6], [3, 1], [4, 6], [5], [1], []], loops: 1 },
  { name: 'loop with two exits', g: [[1], [2, 4], [1, 5], [], [], []], loops: 1 },
  { name: 'multiple returns', g: [[1, 2], [], [3, 4], [], []], loops: 0 },
  { name: 'switch-like fan-out', g: [[1, 2], [3, 4], [5, 6], [7], [7], [7], [7], []], loops: 0 },
  { name: 'both edges to one block', g: [[1, 1], [2, 2], []], loops: 0 },
  { name: 'unreachable blocks are left out', g: [[2], [2], [], [0]], loops: 0 },
];

for (const { name, g, loops } of reducible) {
  test(`structure: ${name} is structured without dispatch and runs like the CFG`, () => {
    const s = check(g, name.length);
    assert.equal(s.dispatch, false);
    assert.equal(countLoops(s.body), loops);
  });
}

test('structure: an if/else diamond nests the join after a block, the else arm after an inner block', () => {
  assert.equal(
    renderStructure(structure([[1, 2], [3], [3], []]).body),
    [
      'block',
      '  block',
      '    code 0 [fall, br 0]',
      '    code 1 [br 1]',
      '  end',
      '  code 2 [fall]',
      'end',
      'code 3 return',
      '',
    ].join('\n'),
  );
});

test('structure: a while loop wraps its header in a loop and exits with a block', () => {
  assert.equal(
    renderStructure(structure([[1], [2, 3], [1], []]).body),
    [
      'code 0 [fall]',
      'loop',
      '  block',
      '    code 1 [fall, br 0]',
      '    code 2 [br 1]',
      '  end',
      '  code 3 return',
      'end',
      '',
    ].join('\n'),
  );
});

test('structure: a taken edge into the next node falls while the not-taken edge branches (the generator inverts the test)', () => {
  const g = [[2, 1], [2], []];
  check(g, 3, 16);
  assert.equal(
    renderStructure(structure(g).body),
    [
      'block',
      '  block',
      '    code 0 [br 1, fall]',
      '  end',
      '  code 1 [fall]',
      'end',
      'code 2 return',
      '',
    ].join('\n'),
  );
});

const irreducible: readonly { name: string; g: Graph; regions: readonly (readonly number[])[] }[] = [
  { name: 'two-entry loop', g: [[1, 2], [2], [1, 3], []], regions: [[1, 2]] },
  {
    name: 'two-entry loop with a shared tail',
    g: [[1, 2], [3], [3], [1, 4], [2, 5], []],
    regions: [[1, 3, 4, 2]],
  },
  { name: 'three-entry cycle', g: [[1, 4], [2], [3], [1, 5], [2, 3], []], regions: [[1, 2, 3]] },
  { name: 'cycle through the entry', g: [[1, 2], [2, 0], [1, 3], []], regions: [[0, 1, 2]] },
  {
    name: 'two separate two-entry loops around a reducible loop',
    g: [[1, 2], [2], [1, 3], [4], [3, 5], [6, 7], [7], [6, 8], []],
    regions: [
      [1, 2],
      [6, 7],
    ],
  },
];

/** The blocks of each switch (dispatch loop) in a tree, in tree order. */
function switches(body: readonly StructNode[]): number[][] {
  const found: number[][] = [];
  for (const n of body) {
    if (n.kind === 'switch') found.push([...n.blocks]);
    if (n.kind === 'block' || n.kind === 'loop') found.push(...switches(n.body));
  }
  return found;
}

for (const { name, g, regions } of irreducible) {
  test(`structure: ${name} is irreducible; only its region uses a dispatch loop, which runs like the CFG`, () => {
    const s = check(g, name.length, 32);
    assert.equal(s.dispatch, true);
    assert.deepEqual(switches(s.body), regions);
    assert.equal(
      renderStructure(s.body).startsWith('setLabel 0\n'),
      regions.some((r) => r.includes(0)),
    );
  });
}

test('structure: rejects malformed graphs with RangeError', () => {
  assert.throws(() => structure([]), RangeError);
  assert.throws(() => structure([[1, 2, 3], [], [], []]), /block 0 has 3 successors/);
  assert.throws(() => structure([[4]]), /successor 4, expected a block in 0\.\.0/);
});

/** A random graph: arbitrary edges, or (reducible) forward edges plus back edges to dominators. */
function randomGraph(r: () => number, reducibleOnly: boolean): number[][] {
  const n = 1 + Math.floor(r() * 14);
  const pick = (lo: number): number => lo + Math.floor(r() * (n - lo));
  const g: number[][] = [];
  for (let b = 0; b < n; b++) {
    const x = r();
    const k = b === n - 1 ? 0 : reducibleOnly ? Math.floor(x * 3.3) % 3 : x < 0.1 ? 0 : x < 0.45 ? 1 : 2;
    const out: number[] = [];
    for (let i = 0; i < k; i++) out.push(reducibleOnly ? pick(b + 1) : pick(0));
    g.push(out);
  }
  if (reducibleOnly) {
    const info = computeDominators(g);
    for (const b of info.rpo) {
      const out = g[b] as number[];
      if (out.length < 2 && r() < 0.35) {
        const doms: number[] = [];
        for (let x = b; ; x = info.idom[x] as number) {
          doms.push(x);
          if (x === 0) break;
        }
        out.push(doms[Math.floor(r() * doms.length)] as number);
      }
    }
  }
  return g;
}

function isReducible(g: Graph): boolean {
  const info = computeDominators(g);
  for (const x of info.rpo) {
    for (const y of g[x] as readonly number[]) {
      if ((info.rpoIndex[y] as number) <= (info.rpoIndex[x] as number) && !dominates(info, y, x))
        return false;
    }
  }
  return true;
}

test('structure: 5000 random reducible graphs are structured without dispatch and run like the CFG', () => {
  const r = rng(12345);
  for (let i = 0; i < 5000; i++) {
    const g = randomGraph(r, true);
    assert.equal(isReducible(g), true);
    assert.equal(check(g, i, 4).dispatch, false, JSON.stringify(g));
  }
});

test('structure: 5000 arbitrary random graphs run like the CFG, dispatch exactly when irreducible', () => {
  const r = rng(777);
  let irreducibleSeen = 0;
  for (let i = 0; i < 5000; i++) {
    const g = randomGraph(r, false);
    const red = isReducible(g);
    if (!red) irreducibleSeen++;
    assert.equal(check(g, i, 4).dispatch, !red, JSON.stringify(g));
  }
  assert.ok(irreducibleSeen > 100, `only ${irreducibleSeen} irreducible graphs generated`);
});

/** Code nodes and the deepest nesting of a tree, without recursion. */
function shape(body: readonly StructNode[]): { codes: number; depth: number } {
  let codes = 0;
  let depth = 0;
  const stack: { body: readonly StructNode[]; d: number }[] = [{ body, d: 0 }];
  for (let it = stack.pop(); it !== undefined; it = stack.pop()) {
    depth = Math.max(depth, it.d);
    for (const n of it.body) {
      if (n.kind === 'code') codes++;
      else if (n.kind === 'block' || n.kind === 'loop') stack.push({ body: n.body, d: it.d + 1 });
    }
  }
  return { codes, depth };
}

test('structure: large graphs (a 100k-block chain, 20k if/else in sequence, 2k nested loops) need no deep native stack', () => {
  const chain = Array.from({ length: 100_000 }, (_, i) => (i === 99_999 ? [] : [i + 1]));
  assert.deepEqual(shape(structure(chain).body), { codes: 100_000, depth: 0 });

  const diamonds: number[][] = [];
  for (let i = 0; i < 20_000; i++) diamonds.push([3 * i + 1, 3 * i + 2], [3 * i + 3], [3 * i + 3]);
  diamonds.push([]);
  const d = structure(diamonds);
  assert.deepEqual(shape(d.body), { codes: 60_001, depth: 2 });
  check(diamonds.slice(0, 3 * 50).concat([[]]), 1);

  // Headers 0..K-1 nested, body K, latches K+1..2K (latch of header K-1-j is K+1+j), exit 2K+1.
  const K = 2000;
  const loops: number[][] = [];
  for (let i = 0; i < K; i++) loops.push([i + 1]);
  loops.push([K + 1]);
  for (let j = 0; j < K; j++) loops.push([K + 2 + j, K - 1 - j]);
  loops.push([]);
  const l = structure(loops);
  assert.equal(l.dispatch, false);
  assert.equal(countLoops(l.body), K);
  assert.equal(shape(l.body).codes, 2 * K + 2);
});
