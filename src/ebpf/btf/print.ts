/**
 * BTF types as C-like text, for diagnostics and tests: `struct event { __u64 user_data; __u32
 * count; }`, `int (*type)[2]`, `const volatile __u32 limit`, `int count(struct io_uring_bpf_ctx
 * *ctx)`. Declarators are built inside-out as C writes them; nested anonymous structs are expanded,
 * named ones are not; depth and chain limits turn cycles into `/* ... *\/` instead of recursion.
 */
import type { Btf } from './btf.js';
import type { BtfEnum, BtfType } from './types.js';

/** Nested anonymous types expanded inline before `{ ... }` is printed. */
const MAX_DEPTH = 8;
/** Steps of one declarator chain before it is cut. */
const MAX_CHAIN = 64;

/**
 * The type `id` as C: named structs, unions and enums with their bodies, typedefs as `typedef ...`,
 * functions as prototypes, variables as declarations, datasecs as their variable list.
 */
export function printBtfType(btf: Btf, id: number): string {
  const t = btf.type(id);
  switch (t.kind) {
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64':
      return body(btf, t, 0);
    case 'typedef':
      return `typedef ${declare(btf, t.type, t.name, 0)}`;
    case 'func':
      return declare(btf, t.type, t.name, 0, t.linkage === 0 ? 'static ' : '');
    case 'var':
      return `${t.linkage === 0 ? 'static ' : t.linkage === 2 ? 'extern ' : ''}${declare(btf, t.type, t.name, 0)}`;
    case 'datasec': {
      const vars = t.vars.map(
        (v) => `${printBtfType(btf, v.type)}; /* @0x${v.offset.toString(16)} size ${v.size} */`,
      );
      return `datasec ${t.name} size ${t.size} { ${vars.join(' ')}${vars.length ? ' ' : ''}}`;
    }
    case 'decl_tag':
      return `__attribute__((btf_decl_tag("${t.name}"))) on ${t.componentIdx >= 0 ? `component ${t.componentIdx} of ` : ''}type ${t.type}`;
    default:
      return declare(btf, id, '', 0);
  }
}

/** A declaration of `name` with type `id`: `char *b`, `int (*type)[2]`, `__u32 count`. */
export function declare(btf: Btf, id: number, name: string, depth: number, prefix = ''): string {
  let decl = name;
  let quals: string[] = [];
  // Whether the declarator so far starts with `*` (an array or function after it needs parens).
  let ptr = false;
  let cur = id;
  for (let steps = 0; ; steps++) {
    if (steps >= MAX_CHAIN) return `${prefix}/* chain too long at type ${cur} */ ${decl}`.trimEnd();
    const t = btf.type(cur);
    switch (t.kind) {
      case 'const':
      case 'volatile':
      case 'restrict':
        quals.push(t.kind);
        cur = t.type;
        continue;
      case 'type_tag':
        quals.push(`__attribute__((btf_type_tag("${t.name}")))`);
        cur = t.type;
        continue;
      case 'ptr':
        decl = `*${quals.join(' ')}${quals.length && decl !== '' ? ' ' : ''}${decl}`;
        quals = [];
        ptr = true;
        cur = t.type;
        continue;
      case 'array':
        if (ptr) decl = `(${decl})`;
        decl = `${decl}[${t.nelems}]`;
        ptr = false;
        cur = t.elemType;
        continue;
      case 'func_proto': {
        if (ptr) decl = `(${decl})`;
        const params = t.params.map((p) =>
          p.type === 0 && p.name === '' ? '...' : declare(btf, p.type, p.name, depth + 1),
        );
        decl = `${decl}(${params.length ? params.join(', ') : 'void'})`;
        ptr = false;
        cur = t.returnType;
        continue;
      }
      case 'func':
      case 'var':
        cur = t.type;
        continue;
      default: {
        const q = quals.length ? `${quals.join(' ')} ` : '';
        return `${prefix}${q}${baseName(btf, t, depth)}${decl === '' ? '' : ' '}${decl}`;
      }
    }
  }
}

/** The name of a base type, or the body of an anonymous struct/union/enum. */
function baseName(btf: Btf, t: BtfType, depth: number): string {
  switch (t.kind) {
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64':
      return t.name === '' ? body(btf, t, depth + 1) : `${t.kind === 'enum64' ? 'enum' : t.kind} ${t.name}`;
    case 'fwd':
      return `${t.union ? 'union' : 'struct'} ${t.name}`;
    case 'datasec':
    case 'decl_tag':
      return `/* ${t.kind} ${t.name} */`;
    default:
      return t.name === '' ? `/* anonymous ${t.kind} ${t.id} */` : t.name;
  }
}

/** `struct name { members }` or `enum name { A = 1, ... }`. */
function body(btf: Btf, t: BtfType, depth: number): string {
  if (t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'enum' && t.kind !== 'enum64')
    return baseName(btf, t, depth);
  const head = `${t.kind === 'enum64' ? 'enum' : t.kind}${t.name === '' ? '' : ` ${t.name}`}`;
  if (depth > MAX_DEPTH) return `${head} { /* ... */ }`;
  if ('members' in t) {
    const members = t.members.map(
      (m) => `${declare(btf, m.type, m.name, depth)}${m.bitfieldSize ? ` : ${m.bitfieldSize}` : ''};`,
    );
    return `${head} { ${members.join(' ')}${members.length ? ' ' : ''}}`;
  }
  const vals = (t as BtfEnum).values.map((v) => `${v.name} = ${v.value}`);
  return `${head} { ${vals.join(', ')}${vals.length ? ' ' : ''}}`;
}
