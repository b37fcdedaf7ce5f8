/**
 * Structuring a control-flow graph into WebAssembly-style structured control flow.
 *
 * Input: `succs[b]` for blocks b = 0..n-1 (entry 0) lists b's successors in order:
 *   []              exit block (the code generator emits a return),
 *   [t]             unconditional jump (or plain fall-through) to t,
 *   [f, t]          conditional branch: f when not taken (fall-through), t when taken (f may equal t).
 * Blocks unreachable from 0 are left out of the output.
 *
 * Output (`Structured.body`, a list of nodes executed in sequence, wasm semantics):
 *   { kind: 'block', body }   wasm `block ... end`: one label; `br` to it continues after the block.
 *   { kind: 'loop', body }    wasm `loop ... end`: one label; `br` to it goes back to the start of the body;
 *                             falling off the end of the body leaves the loop.
 *   { kind: 'code', block: k, exits }
 *                             the code of basic block k, then its terminator. `exits[i]` says what the
 *                             edge to `succs[k][i]` does (exits.length === succs[k].length):
 *       { kind: 'fall' }                control goes on with the node after this one (in the enclosing
 *                                       body; at the end of a body, what follows that construct),
 *       { kind: 'br', depth }           `br depth`: depth 0 is the innermost enclosing block/loop,
 *       { kind: 'goto', label, depth }  (irreducible regions only) `local.set $label label` then `br depth`:
 *                                       enters a dispatch loop (from outside, br to the block it follows)
 *                                       or moves between its cases (br to the dispatch loop itself).
 *     Lowering of the terminator (c = the branch condition, true when taken):
 *       no successor: `return`;  one: nothing for 'fall', `br d` for br, `local.set $label l; br d` for goto;
 *       two [f, t], by (exit of f, exit of t):
 *         (fall, fall)   `drop` c (both edges go to the next node);
 *         (fall, br d)   `br_if d` on c;          (br d, fall)   `br_if d` on `i32.eqz c`;
 *         (br e, br d)   `br_if d` on c, then `br e`;
 *         with a goto on the conditional side: `if` on c (or `i32.eqz c`) containing `local.set $label l;
 *         br d+1` (the `if` adds a label); a goto on f after a br/goto on t: `local.set; br` after it.
 *     A code node that is last in its body has 'fall' rather than `br d` when falling off the ends of
 *     the enclosing blocks reaches the same place.
 *   { kind: 'setLabel', label }   `local.set $label label` (i32).
 *   { kind: 'switch', depths, blocks }
 *                                 `br_table depths[0] .. depths[m-2] depths[m-1] (local.get $label)`:
 *                                 label value i branches to depths[i] (the last entry is also the default);
 *                                 blocks[i] is the basic block of case i (information only).
 *
 * Reducible graphs (`dispatch: false`) are structured after the "stackifier" idea: walk the dominator
 * tree; a loop header's subtree is wrapped in a `loop`; the dominator-tree children of a block x that
 * are not simply inlined after x (x's fall/jump target when x is its only forward predecessor) are
 * placed after nested `block`s around x, the child with the highest reverse-postorder number
 * outermost; forward edges to such children are `br`s out of their block, back edges are `br`s to the
 * `loop` of their header. No block is duplicated, no label variable is used ('goto'/'setLabel'/
 * 'switch' appear only for irreducible regions).
 *
 * Irreducible graphs (`dispatch: true`): an irreducible region is a strongly connected component
 * holding a retreating edge of the depth-first search whose target does not dominate its source (a
 * cycle entered at more than one block). Each region is collapsed into one node of a condensed graph
 * (its successors: the region's outside targets), which is reducible and structured as above; at that
 * node's place stands the region's dispatch loop, with R0..R(k-1) the region's blocks in reverse
 * postorder:
 *   loop
 *     block (k-1) ... block (1) block (0) switch [0, 1, ..., k-1] end  code R0  end  code R1 ... end code R(k-1)
 *   end
 * Edges into the region (to Rj) are `goto label j` with the depth of the block the region follows; an
 * edge from Ri to Rj is `goto label j` to the loop (depth k-1-i), or 'fall' when j = i+1; an edge from
 * Ri leaving the region is a `br` whose depth counts the k-i labels of the dispatch construct. When the
 * entry block 0 is in a region, the body starts with `setLabel` (its case). Only the regions' blocks
 * go through the label variable; there is no code duplication. The evaluator in
 * test/jit-structure.test.ts checks all these semantics against walks of the graph.
 */
import { computeDominators, type DomInfo, dominates } from './dominators.js';

export type Exit =
  | { readonly kind: 'fall' }
  | { readonly kind: 'br'; readonly depth: number }
  | { readonly kind: 'goto'; readonly label: number; readonly depth: number };

export type StructNode =
  | { readonly kind: 'block'; readonly body: readonly StructNode[] }
  | { readonly kind: 'loop'; readonly body: readonly StructNode[] }
  | { readonly kind: 'code'; readonly block: number; readonly exits: readonly Exit[] }
  | { readonly kind: 'setLabel'; readonly label: number }
  | { readonly kind: 'switch'; readonly depths: readonly number[]; readonly blocks: readonly number[] };

export interface Structured {
  readonly body: readonly StructNode[];
  /** True when the graph is irreducible and some region uses a dispatch loop. */
  readonly dispatch: boolean;
}

/** One enclosing construct, innermost first (a linked list, shared between siblings). */
interface Ctx {
  readonly kind: 'loop' | 'block';
  /** The loop's header, or the block that follows the block. */
  readonly target: number;
  readonly outer: Ctx | null;
}

const FALL: Exit = { kind: 'fall' };

function checkGraph(succs: readonly (readonly number[])[]): void {
  if (succs.length === 0)
    throw new RangeError('structure: expected at least one block (the entry), found none');
  succs.forEach((out, b) => {
    if (out.length > 2)
      throw new RangeError(`structure: block ${b} has ${out.length} successors, expected 0, 1 or 2`);
    for (const s of out) {
      if (!Number.isInteger(s) || s < 0 || s >= succs.length) {
        throw new RangeError(
          `structure: block ${b} has successor ${s}, expected a block in 0..${succs.length - 1}`,
        );
      }
    }
  });
}

/**
 * The irreducible regions: the strongly connected components (Kosaraju over the reverse graph in
 * reverse postorder) holding a retreating edge whose target does not dominate its source. Each is
 * returned as its blocks in reverse postorder.
 */
function irreducibleRegions(info: DomInfo): number[][] {
  const { rpo, rpoIndex, preds } = info;
  const comp = new Int32Array(rpoIndex.length).fill(-1);
  let count = 0;
  for (const b of rpo) {
    if (comp[b] !== -1) continue;
    comp[b] = count;
    const stack = [b];
    for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
      for (const p of preds[v] as readonly number[]) {
        if (comp[p] === -1) {
          comp[p] = count;
          stack.push(p);
        }
      }
    }
    count++;
  }
  const bad = new Uint8Array(count);
  for (const x of rpo) {
    for (const y of preds[x] as readonly number[]) {
      if ((rpoIndex[y] as number) >= (rpoIndex[x] as number) && !dominates(info, x, y))
        bad[comp[x] as number] = 1;
    }
  }
  const regions = new Map<number, number[]>();
  for (const b of rpo) {
    const c = comp[b] as number;
    if (bad[c] === 0) continue;
    const r = regions.get(c);
    if (r === undefined) regions.set(c, [b]);
    else r.push(b);
  }
  return [...regions.values()];
}

/** Structure the control-flow graph `succs` (see the module comment for the format). */
export function structure(succs: readonly (readonly number[])[]): Structured {
  checkGraph(succs);
  const n = succs.length;
  const out = (b: number): readonly number[] => succs[b] as readonly number[];

  // Collapse each irreducible region into its first block (in reverse postorder), the representative,
  // whose successors in the condensed graph are the region's outside targets.
  const regions = irreducibleRegions(computeDominators(succs));
  const rep = Int32Array.from({ length: n }, (_, b) => b);
  const caseOf = new Int32Array(n).fill(-1);
  const regionAt = new Map<number, readonly number[]>();
  for (const r of regions) {
    const head = r[0] as number;
    regionAt.set(head, r);
    r.forEach((b, i) => {
      rep[b] = head;
      caseOf[b] = i;
    });
  }
  const csuccs: number[][] = succs.map((o, b) => (caseOf[b] === -1 ? o.map((s) => rep[s] as number) : []));
  for (const [head, r] of regionAt) {
    const targets = new Set<number>();
    for (const b of r) for (const s of out(b)) if (rep[s] !== head) targets.add(rep[s] as number);
    csuccs[head] = [...targets];
  }

  const info = computeDominators(csuccs);
  const { rpo, rpoIndex, idom } = info;
  const ri = (b: number): number => rpoIndex[b] as number;
  const loopHeader = new Uint8Array(n);
  const fwdPreds = new Int32Array(n);
  for (const x of rpo) {
    for (const y of info.preds[x] as readonly number[]) {
      if (ri(y) < ri(x)) fwdPreds[x] = (fwdPreds[x] as number) + 1;
      else if (dominates(info, x, y) && !regionAt.has(x)) loopHeader[x] = 1;
      else throw new Error(`structure: internal error: the condensed graph is irreducible at ${y} -> ${x}`);
    }
  }

  const children: number[][] = Array.from({ length: n }, () => []);
  for (let k = rpo.length - 1; k > 0; k--) {
    const b = rpo[k] as number;
    (children[idom[b] as number] as number[]).push(b); // highest reverse-postorder number first
  }
  /** The block emitted right after x's code (x's only forward predecessor), or -1. */
  const inlined = (x: number): number => {
    const f = (csuccs[x] as number[])[0];
    if (regionAt.has(x) || f === undefined || regionAt.has(f)) return -1;
    if (ri(f) <= ri(x) || fwdPreds[f] !== 1 || idom[f] !== x) return -1;
    return f;
  };
  const depthOf = (x: number, y: number, ctx: Ctx | null): number => {
    const kind = ri(y) <= ri(x) ? 'loop' : 'block';
    let d = 0;
    for (let c = ctx; c !== null; c = c.outer, d++) {
      if (c.kind === kind && c.target === y) return d;
    }
    throw new Error(`structure: internal error: no enclosing ${kind} for the edge ${x} -> ${y}`);
  };
  /** The exit for the edge from condensed node x to block s, `extra` labels inside x's position. */
  const edge = (x: number, s: number, f: number, ctx: Ctx | null, extra: number): Exit => {
    const c = rep[s] as number;
    if (c === f) return FALL;
    const depth = depthOf(x, c, ctx) + extra;
    return caseOf[s] === -1 ? { kind: 'br', depth } : { kind: 'goto', label: caseOf[s] as number, depth };
  };

  // doTree(x) of the recursive formulation, made iterative: each work item emits the dominator subtree
  // of x at the end of `into` (only one item at a time appends to a given array), so that long chains
  // of blocks or of if/else joins use no native stack.
  const top: StructNode[] = [];
  if (caseOf[0] !== -1) top.push({ kind: 'setLabel', label: caseOf[0] as number });
  const work: { x: number; ctx: Ctx | null; into: StructNode[] }[] = [{ x: 0, ctx: null, into: top }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    let { x, ctx, into } = item;
    for (;;) {
      const f = inlined(x);
      if (loopHeader[x] === 1) {
        const body: StructNode[] = [];
        into.push({ kind: 'loop', body });
        into = body;
        ctx = { kind: 'loop', target: x, outer: ctx };
      }
      // Children other than f, highest reverse-postorder number outermost, each after its block.
      for (const y of children[x] as number[]) {
        if (y === f) continue;
        const body: StructNode[] = [];
        into.push({ kind: 'block', body });
        work.push({ x: y, ctx, into });
        into = body;
        ctx = { kind: 'block', target: y, outer: ctx };
      }
      const here = ctx;
      const region = regionAt.get(x);
      if (region === undefined) {
        into.push({ kind: 'code', block: x, exits: out(x).map((s) => edge(x, s, f, here, 0)) });
      } else {
        into.push(dispatchLoop(succs, region, (s, i) => edge(x, s, -1, here, region.length - i)));
      }
      if (f === -1) break;
      x = f;
    }
  }
  fallThrough(top);
  return { body: top, dispatch: regions.length > 0 };
}

/**
 * The dispatch loop of one irreducible region (see the module comment); `outside(s, i)` gives the exit
 * from the code of case i to a block s outside the region.
 */
function dispatchLoop(
  succs: readonly (readonly number[])[],
  region: readonly number[],
  outside: (s: number, i: number) => Exit,
): StructNode {
  const k = region.length;
  const index = new Map<number, number>(region.map((b, i) => [b, i]));
  let nest: StructNode[] = [{ kind: 'switch', depths: region.map((_, j) => j), blocks: [...region] }];
  region.forEach((b, i) => {
    const exits = (succs[b] as readonly number[]).map((s): Exit => {
      const label = index.get(s);
      if (label === undefined) return outside(s, i);
      return label === i + 1 ? FALL : { kind: 'goto', label, depth: k - 1 - i };
    });
    nest = [
      { kind: 'block', body: nest },
      { kind: 'code', block: b, exits },
    ];
  });
  return { kind: 'loop', body: nest };
}

/**
 * Turns `br d` into 'fall' in a code node that is last in its body when falling off the end reaches
 * the same place: `ends` is the number of enclosing blocks (not loops) that end right after that body.
 * Rewrites the arrays (all built by `structure`) in place, with an explicit stack.
 */
function fallThrough(top: StructNode[]): void {
  const stack: { body: StructNode[]; ends: number }[] = [{ body: top, ends: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { body, ends } = item;
    body.forEach((node, i) => {
      const last = i === body.length - 1;
      if (node.kind === 'block') stack.push({ body: node.body as StructNode[], ends: last ? ends + 1 : 1 });
      else if (node.kind === 'loop') stack.push({ body: node.body as StructNode[], ends: 0 });
      else if (node.kind === 'code' && last && ends > 0) {
        body[i] = { ...node, exits: node.exits.map((e) => (e.kind === 'br' && e.depth < ends ? FALL : e)) };
      }
    });
  }
}

function exitText(e: Exit): string {
  if (e.kind === 'fall') return 'fall';
  if (e.kind === 'br') return `br ${e.depth}`;
  return `goto ${e.label} br ${e.depth}`;
}

/** A readable indented rendering of structured nodes (for tests and debugging). */
export function renderStructure(body: readonly StructNode[], indent = ''): string {
  let s = '';
  for (const node of body) {
    switch (node.kind) {
      case 'block':
      case 'loop':
        s += `${indent}${node.kind}\n${renderStructure(node.body, `${indent}  `)}${indent}end\n`;
        break;
      case 'code':
        s += `${indent}code ${node.block}${node.exits.length > 0 ? ` [${node.exits.map(exitText).join(', ')}]` : ' return'}\n`;
        break;
      case 'setLabel':
        s += `${indent}setLabel ${node.label}\n`;
        break;
      case 'switch':
        s += `${indent}switch [${node.depths.join(', ')}]\n`;
        break;
    }
  }
  return s;
}
