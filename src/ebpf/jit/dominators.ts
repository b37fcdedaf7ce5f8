/**
 * Depth-first order and dominators of a control-flow graph given as successor lists.
 *
 * Blocks are numbered 0..n-1, block 0 is the entry. Only blocks reachable from the entry take part:
 * unreachable ones have rpoIndex -1 and idom -1. The dominator tree is computed with the iterative
 * algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast Dominance Algorithm"): repeat, over the
 * blocks in reverse postorder, idom(b) = the common ancestor of b's processed predecessors, until
 * nothing changes.
 */

export interface DomInfo {
  /** Reachable blocks in reverse postorder (rpo[0] = 0, the entry). */
  readonly rpo: readonly number[];
  /** Position of each block in `rpo`, -1 for an unreachable block. */
  readonly rpoIndex: Int32Array;
  /** Immediate dominator of each block; the entry's is itself, an unreachable block's is -1. */
  readonly idom: Int32Array;
  /** Reachable predecessors of each block, without duplicates. */
  readonly preds: readonly (readonly number[])[];
}

/** Reverse postorder by an iterative depth-first search that visits successors in list order. */
function reversePostorder(succs: readonly (readonly number[])[]): number[] {
  const n = succs.length;
  const seen = new Uint8Array(n);
  const post: number[] = [];
  const stack: number[] = [0];
  const next: number[] = [0];
  seen[0] = 1;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const b = stack[top] as number;
    const i = next[top] as number;
    const out = succs[b] as readonly number[];
    if (i < out.length) {
      next[top] = i + 1;
      const s = out[i] as number;
      if (seen[s] === 0) {
        seen[s] = 1;
        stack.push(s);
        next.push(0);
      }
    } else {
      post.push(b);
      stack.pop();
      next.pop();
    }
  }
  return post.reverse();
}

export function computeDominators(succs: readonly (readonly number[])[]): DomInfo {
  const n = succs.length;
  const rpo = reversePostorder(succs);
  const rpoIndex = new Int32Array(n).fill(-1);
  rpo.forEach((b, i) => {
    rpoIndex[b] = i;
  });
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const b of rpo) {
    for (const s of succs[b] as readonly number[]) {
      const p = preds[s] as number[];
      if (p[p.length - 1] !== b) p.push(b);
    }
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a0: number, b0: number): number => {
    let a = a0;
    let b = b0;
    while (a !== b) {
      while ((rpoIndex[a] as number) > (rpoIndex[b] as number)) a = idom[a] as number;
      while ((rpoIndex[b] as number) > (rpoIndex[a] as number)) b = idom[b] as number;
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = 1; k < rpo.length; k++) {
      const b = rpo[k] as number;
      let d = -1;
      for (const p of preds[b] as number[]) {
        if (idom[p] === -1) continue;
        d = d === -1 ? p : intersect(p, d);
      }
      if (idom[b] !== d) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  return { rpo, rpoIndex, idom, preds };
}

/** Whether block `a` dominates block `b` (both reachable; every block dominates itself). */
export function dominates(info: DomInfo, a: number, b: number): boolean {
  let x = b;
  for (;;) {
    if (x === a) return true;
    if (x === 0) return false;
    x = info.idom[x] as number;
  }
}
