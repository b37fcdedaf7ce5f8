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
 *       { kind: 'goto', label, depth }  dispatch form: `local.set $label label` then `br depth`.
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
 *   { kind: 'switch', depths }    `br_table depths[0] .. depths[m-2] depths[m-1] (local.get $label)`:
 *                                 label value i branches to depths[i] (the last entry is also the default).
 *
 * Reducible graphs (`dispatch: false`) are structured after the "stackifier" idea: walk the dominator
 * tree; a loop header's subtree is wrapped in a `loop`; the dominator-tree children of a block x that
 * are not simply inlined after x (x's fall/jump target when x is its only forward predecessor) are
 * placed after nested `block`s around x, the child with the highest reverse-postorder number
 * outermost; forward edges to such children are `br`s out of their block, back edges are `br`s to the
 * `loop` of their header. No block is duplicated, no label variable is used ('goto'/'setLabel'/
 * 'switch' never appear).
 *
 * Irreducible graphs (a cycle entered at more than one block, detected as a retreating edge of the
 * depth-first search whose target does not dominate its source) use a dispatch loop over the whole
 * function (`dispatch: true`): with m reachable blocks B0..B(m-1) in reverse postorder (B0 = 0):
 *   setLabel 0
 *   loop
 *     block (m-1) ... block (1) block (0) switch [0, 1, ..., m-1] end  code B0  end  code B1 ... end code B(m-1)
 *   end
 * Each edge to Bj is `goto label j` to the loop (depth m-1-i from code Bi), or 'fall' when j = i+1.
 * `caseBlocks[j]` = Bj. The evaluator in test/jit-structure.test.ts checks these semantics.
 */
import { computeDominators, dominates } from './dominators.js';

export type Exit =
  | { readonly kind: 'fall' }
  | { readonly kind: 'br'; readonly depth: number }
  | { readonly kind: 'goto'; readonly label: number; readonly depth: number };

export type StructNode =
  | { readonly kind: 'block'; readonly body: readonly StructNode[] }
  | { readonly kind: 'loop'; readonly body: readonly StructNode[] }
  | { readonly kind: 'code'; readonly block: number; readonly exits: readonly Exit[] }
  | { readonly kind: 'setLabel'; readonly label: number }
  | { readonly kind: 'switch'; readonly depths: readonly number[] };

export interface Structured {
  readonly body: readonly StructNode[];
  /** True when the graph is irreducible and the dispatch form was used. */
  readonly dispatch: boolean;
  /** Dispatch form: the block of each label value (empty otherwise). */
  readonly caseBlocks: readonly number[];
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

/** Structure the control-flow graph `succs` (see the module comment for both formats). */
export function structure(succs: readonly (readonly number[])[]): Structured {
  checkGraph(succs);
  const n = succs.length;
  const info = computeDominators(succs);
  const { rpo, rpoIndex, idom } = info;
  const ri = (b: number): number => rpoIndex[b] as number;
  const out = (b: number): readonly number[] => succs[b] as readonly number[];

  const loopHeader = new Uint8Array(n);
  const fwdPreds = new Int32Array(n);
  for (const x of rpo) {
    for (const y of info.preds[x] as readonly number[]) {
      if (ri(y) < ri(x)) fwdPreds[x] = (fwdPreds[x] as number) + 1;
      else if (dominates(info, x, y)) loopHeader[x] = 1;
      else return dispatchAll(succs, rpo, rpoIndex);
    }
  }

  const children: number[][] = Array.from({ length: n }, () => []);
  for (let k = rpo.length - 1; k > 0; k--) {
    const b = rpo[k] as number;
    (children[idom[b] as number] as number[]).push(b); // highest reverse-postorder number first
  }
  /** The block emitted right after x's code (x's only forward predecessor), or -1. */
  const inlined = (x: number): number => {
    const f = out(x)[0];
    if (f === undefined || ri(f) <= ri(x) || fwdPreds[f] !== 1 || idom[f] !== x) return -1;
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

  // doTree(x) of the recursive formulation, made iterative: each work item emits the dominator subtree
  // of x at the end of `into` (only one item at a time appends to a given array), so that long chains
  // of blocks or of if/else joins use no native stack.
  const top: StructNode[] = [];
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
      const exits = out(x).map((s): Exit => (s === f ? FALL : { kind: 'br', depth: depthOf(x, s, here) }));
      into.push({ kind: 'code', block: x, exits });
      if (f === -1) break;
      x = f;
    }
  }
  fallThrough(top);
  return { body: top, dispatch: false, caseBlocks: [] };
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

/** The dispatch form for the whole function (irreducible graphs). */
function dispatchAll(
  succs: readonly (readonly number[])[],
  rpo: readonly number[],
  rpoIndex: Int32Array,
): Structured {
  const m = rpo.length;
  let nest: StructNode[] = [{ kind: 'switch', depths: rpo.map((_, j) => j) }];
  rpo.forEach((b, i) => {
    const exits = (succs[b] as readonly number[]).map((s): Exit => {
      const label = rpoIndex[s] as number;
      return label === i + 1 ? FALL : { kind: 'goto', label, depth: m - 1 - i };
    });
    nest = [
      { kind: 'block', body: nest },
      { kind: 'code', block: b, exits },
    ];
  });
  return {
    body: [
      { kind: 'setLabel', label: 0 },
      { kind: 'loop', body: nest },
    ],
    dispatch: true,
    caseBlocks: [...rpo],
  };
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
