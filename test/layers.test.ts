/**
 * Architecture check: the layering of src/ and the absence of import cycles.
 *
 * Layers, lowest first: src/uapi, src/mem, src/ebpf, src/uring, src/liburing, src/cli. A file may
 * import from its own layer and lower ones only. Outside the layering: src/types (ambient .d.ts
 * declarations, usable from anywhere, importing nothing of ours) and src/index.ts (the package entry:
 * it may import anything, nothing may import it). No file-level import cycle is allowed, type-only
 * imports included.
 *
 * Every import form is collected with the TypeScript parser: import / import type / export ... from /
 * side-effect imports / import x = require() / dynamic import() / import('...') types.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './helpers.js';

/** Layer directories under src/, lowest first. */
const LAYERS = ['uapi', 'mem', 'ebpf', 'uring', 'liburing', 'cli'] as const;
const ENTRY = 'src/index.ts';
const TYPES_DIR = 'src/types/';

/* ------------------------------------------------------------------ extracting imports */

interface ImportRef {
  readonly specifier: string;
  /** 1-based line of the import in its file. */
  readonly line: number;
}

/** Every module specifier a TypeScript source imports or re-exports, in source order. */
function parseImports(text: string, fileName = 'x.ts'): ImportRef[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: ImportRef[] = [];
  const add = (lit: ts.Node): void => {
    if (ts.isStringLiteralLike(lit)) {
      out.push({ specifier: lit.text, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier !== undefined) add(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const arg = node.arguments[0];
      if ((isImport || isRequire) && arg !== undefined) add(arg);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/* ------------------------------------------------------------------ the checker */

/** One import of a file, resolved: `target` is a repo-relative path, 'external', or null (unresolved). */
interface Edge extends ImportRef {
  readonly target: string | 'external' | null;
}

type Where = { kind: 'layer'; rank: number; name: string } | { kind: 'entry' } | { kind: 'types' } | null;

function whereIs(file: string): Where {
  if (file === ENTRY) return { kind: 'entry' };
  if (file.startsWith(TYPES_DIR)) return { kind: 'types' };
  const m = /^src\/([^/]+)\//.exec(file);
  const rank = m ? (LAYERS as readonly string[]).indexOf(m[1]!) : -1;
  return rank >= 0 ? { kind: 'layer', rank, name: LAYERS[rank]! } : null;
}

const ORDER = LAYERS.join(' < ');

/**
 * Layer violations and import cycles in a graph of repo-relative file paths. Returns one message per
 * problem, each naming the file (with line) and the offending import.
 */
function checkGraph(graph: ReadonlyMap<string, readonly Edge[]>): string[] {
  const problems: string[] = [];
  for (const [file, edges] of graph) {
    const from = whereIs(file);
    if (from === null) {
      problems.push(
        `${file}: not in any layer (${ORDER}, or ${TYPES_DIR} / ${ENTRY}); add its folder to LAYERS in test/layers.test.ts`,
      );
      continue;
    }
    for (const e of edges) {
      const at = `${file}:${e.line} imports '${e.specifier}'`;
      if (e.target === 'external') continue; // node: built-ins and packages are outside the layering
      if (e.target === null) {
        problems.push(`${at}, which does not resolve to a file`);
        continue;
      }
      if (!e.target.startsWith('src/')) {
        problems.push(`${at} (${e.target}): src/ may not import files outside src/`);
        continue;
      }
      const to = whereIs(e.target);
      if (e.target === ENTRY) {
        problems.push(
          `${at}: nothing may import ${ENTRY} (the package entry point); import the module itself`,
        );
        continue;
      }
      if (from.kind === 'entry') continue;
      if (to?.kind === 'types') continue;
      if (from.kind === 'types') {
        problems.push(
          `${at} (${e.target}): ${TYPES_DIR} holds ambient declarations and may not import our code`,
        );
        continue;
      }
      if (to === null) {
        problems.push(`${at} (${e.target}): the target is not in any layer`);
        continue;
      }
      if (to.kind === 'layer' && to.rank > from.rank) {
        problems.push(
          `${at} (${e.target}): layer '${from.name}' may not import from higher layer '${to.name}' (order: ${ORDER})`,
        );
      }
    }
  }
  for (const cycle of findCycles(graph)) problems.push(`import cycle: ${cycle.join(' -> ')}`);
  return problems;
}

/**
 * One concrete cycle per strongly connected component that has one (Tarjan), each written as a path
 * that starts and ends at the component's smallest file name.
 */
function findCycles(graph: ReadonlyMap<string, readonly Edge[]>): string[][] {
  const succ = (f: string): string[] => {
    const out = new Set<string>();
    for (const e of graph.get(f) ?? [])
      if (e.target !== null && e.target !== 'external' && graph.has(e.target)) out.add(e.target);
    return [...out].sort();
  };
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  let next = 0;
  const strong = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of succ(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      sccs.push(comp);
    }
  };
  for (const f of [...graph.keys()].sort()) if (!index.has(f)) strong(f);

  const cycles: string[][] = [];
  for (const comp of sccs) {
    const members = new Set(comp);
    const start = [...comp].sort()[0]!;
    if (comp.length === 1 && !succ(start).includes(start)) continue;
    // Shortest path start -> ... -> start inside the component (BFS).
    const prev = new Map<string, string>();
    const queue = [start];
    let found = false;
    while (queue.length > 0 && !found) {
      const v = queue.shift()!;
      for (const w of succ(v)) {
        if (!members.has(w)) continue;
        if (w === start) {
          prev.set(start, v);
          found = true;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = prev.get(start)!; v !== start; v = prev.get(v)!) path.push(v);
    path.push(start);
    // path is start, (predecessors walking back)..., start: reverse into import order.
    cycles.push(path.reverse());
  }
  return cycles;
}

/* ------------------------------------------------------------------ the real src/ graph */

const ROOT = repoRoot();
const toRel = (abs: string): string => relative(ROOT, abs).split(sep).join(posix.sep);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.[mc]?ts$/.test(ent.name)) out.push(p);
  }
  return out.sort();
}

/** Resolve a relative specifier the way NodeNext does for our sources ('./x.js' is './x.ts'). */
function resolveSpecifier(fromAbs: string, spec: string): string | 'external' | null {
  if (!spec.startsWith('.') && !spec.startsWith('/')) return 'external';
  const base = resolve(dirname(fromAbs), spec);
  const candidates = [base];
  const js = /\.([mc]?)js$/.exec(base);
  if (js) {
    const stem = base.slice(0, -js[0].length);
    candidates.unshift(`${stem}.${js[1]}ts`, `${stem}.d.${js[1]}ts`);
  } else {
    candidates.push(`${base}.ts`, `${base}.d.ts`, join(base, 'index.ts'));
  }
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return toRel(c);
  return null;
}

function srcGraph(): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>();
  for (const abs of sourceFiles(join(ROOT, 'src'))) {
    const refs = parseImports(readFileSync(abs, 'utf8'), abs);
    graph.set(
      toRel(abs),
      refs.map((r) => ({ ...r, target: resolveSpecifier(abs, r.specifier) })),
    );
  }
  return graph;
}

/* ------------------------------------------------------------------ tests */

test('parseImports finds every import form and ignores comments and strings', () => {
  const src = [
    "import assert from 'node:assert';", // 1
    'import {', // 2
    '  a,', // 3
    '  b,', // 4
    "} from './multi.js';", // 5
    "import type { T } from '../types-only.js';", // 6
    "import { type U, v } from './mixed.js';", // 7
    "export * from './star.js';", // 8
    "export * as ns from './ns.js';", // 9
    "export { c } from './named.js';", // 10
    "export type { D } from './type-export.js';", // 11
    "import './side-effect.js';", // 12
    "import eq = require('./eq.js');", // 13
    "const dyn = await import('./dynamic.js');", // 14
    "let t: import('./type-query.js').T;", // 15
    "// import { no } from './comment.js';", // 16
    "/* export * from './block-comment.js'; */", // 17
    'const s = "import x from \'./string.js\'";', // 18
    "const u = `export * from './template.js'`;", // 19
    'export { local };', // 20
  ].join('\n');
  assert.deepEqual(parseImports(src), [
    { specifier: 'node:assert', line: 1 },
    { specifier: './multi.js', line: 5 },
    { specifier: '../types-only.js', line: 6 },
    { specifier: './mixed.js', line: 7 },
    { specifier: './star.js', line: 8 },
    { specifier: './ns.js', line: 9 },
    { specifier: './named.js', line: 10 },
    { specifier: './type-export.js', line: 11 },
    { specifier: './side-effect.js', line: 12 },
    { specifier: './eq.js', line: 13 },
    { specifier: './dynamic.js', line: 14 },
    { specifier: './type-query.js', line: 15 },
  ]);
});

test('checkGraph self-test: an upward import, a cycle and an import of index.ts are all reported', () => {
  const e = (target: string | 'external' | null, specifier = String(target), line = 1): Edge => ({
    specifier,
    line,
    target,
  });
  const graph = new Map<string, Edge[]>([
    ['src/uapi/a.ts', [e('src/mem/b.ts', '../mem/b.js', 3)]], // upward: uapi -> mem
    ['src/mem/b.ts', [e('src/mem/c.ts', './c.js'), e('src/uapi/a.ts', '../uapi/a.js')]],
    ['src/mem/c.ts', [e('src/mem/b.ts', './b.js', 7)]], // cycle b -> c -> b
    ['src/uring/d.ts', [e('src/mem/b.ts'), e('external', 'node:fs'), e('src/types/w.d.ts')]], // fine
    ['src/cli/e.ts', [e('src/index.ts', '../index.js', 2)]], // nothing may import index.ts
    ['src/index.ts', [e('src/cli/e.ts'), e('src/uapi/a.ts')]],
    ['src/types/w.d.ts', []],
    ['src/liburing/f.ts', [e(null, './missing.js', 4), e('test/helpers.ts', '../../test/helpers.js', 5)]],
    ['src/weird/g.ts', []],
  ]);
  const problems = checkGraph(graph);
  const has = (re: RegExp): void =>
    assert.ok(
      problems.some((p) => re.test(p)),
      `no problem matches ${re}:\n${problems.join('\n')}`,
    );
  has(
    /^src\/uapi\/a\.ts:3 imports '\.\.\/mem\/b\.js' \(src\/mem\/b\.ts\): layer 'uapi' may not import from higher layer 'mem'/,
  );
  has(/^import cycle: src\/mem\/b\.ts -> src\/mem\/c\.ts -> src\/mem\/b\.ts$/);
  has(/^src\/cli\/e\.ts:2 imports '\.\.\/index\.js': nothing may import src\/index\.ts/);
  has(/^src\/liburing\/f\.ts:4 imports '\.\/missing\.js', which does not resolve/);
  has(/^src\/liburing\/f\.ts:5 imports .*outside src/);
  has(/^src\/weird\/g\.ts: not in any layer/);
  assert.ok(
    !problems.some((p) => p.startsWith('src/uring/d.ts')),
    'downward, external and types imports are fine',
  );
  assert.ok(!problems.some((p) => p.startsWith('src/index.ts')), 'index.ts may import anything');
  has(/^import cycle: src\/cli\/e\.ts -> src\/index\.ts -> src\/cli\/e\.ts$/);
  // a, b and c form one strongly connected component: reported once, shortest cycle from its first file.
  assert.equal(problems.filter((p) => p.startsWith('import cycle')).length, 2, problems.join('\n'));
});

test('findCycles self-test: self-imports, disjoint cycles, and an acyclic graph', () => {
  const g = (edges: Record<string, string[]>): Map<string, Edge[]> =>
    new Map(
      Object.entries(edges).map(([f, to]) => [f, to.map((t) => ({ specifier: t, line: 1, target: t }))]),
    );
  assert.deepEqual(findCycles(g({ a: ['b'], b: ['c'], c: [] })), []);
  assert.deepEqual(findCycles(g({ a: ['a'] })), [['a', 'a']]);
  const two = findCycles(g({ a: ['b'], b: ['a'], c: ['d'], d: ['e'], e: ['c'], f: ['a'] }));
  assert.deepEqual(two.map((c) => c.join(' -> ')).sort(), ['a -> b -> a', 'c -> d -> e -> c']);
});

test('src/ imports respect the layers (uapi < mem < ebpf < uring < liburing < cli) and have no cycles', () => {
  const graph = srcGraph();
  // The check must see the real code: a few known files and edges.
  assert.ok(graph.size >= 20, `only ${graph.size} files found under ${join(ROOT, 'src')}`);
  assert.ok(graph.has('src/uapi/layout.ts') && graph.has(ENTRY), [...graph.keys()].join(', '));
  assert.ok(
    graph.get('src/mem/struct.ts')?.some((e) => e.target === 'src/uapi/layout.ts'),
    'src/mem/struct.ts should be seen importing src/uapi/layout.ts',
  );
  const problems = checkGraph(graph);
  assert.ok(problems.length === 0, `${problems.length} layering problem(s):\n  ${problems.join('\n  ')}`);
});
