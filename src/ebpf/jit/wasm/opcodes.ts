/** WebAssembly opcode tables (values from the WebAssembly core spec and the threads proposal). */

/** Value types. */
export const VALTYPE = Object.freeze({ i32: 0x7f, i64: 0x7e, f64: 0x7c } as const);
export type ValType = keyof typeof VALTYPE;

/** Block types: empty, or one result of a value type. */
export const BLOCKTYPE_EMPTY = 0x40;
export type BlockType = ValType | 'empty';

/**
 * What follows an opcode in the binary:
 * none; block (a block type); label (a depth); labels (br_table: depths + default);
 * index (a u32: function, local or global); call_indirect (type index, table index);
 * memarg (align log2 + offset; `natural` below is the natural align log2); mem0 (reserved byte 0);
 * i32 / i64 (signed LEB constants); atomic memarg (align fixed to natural).
 */
export type ImmKind =
  | 'none'
  | 'block'
  | 'label'
  | 'labels'
  | 'index'
  | 'call_indirect'
  | 'memarg'
  | 'mem0'
  | 'i32'
  | 'i64';

export interface OpInfo {
  readonly code: readonly number[];
  readonly imm: ImmKind;
  /** Natural alignment (log2 of the access size) of memory instructions. */
  readonly natural?: number;
}

const table: Record<string, OpInfo> = {};

function def(name: string, code: number[], imm: ImmKind = 'none', natural?: number): void {
  table[name] = natural === undefined ? { code, imm } : { code, imm, natural };
}

// Control.
def('unreachable', [0x00]);
def('nop', [0x01]);
def('block', [0x02], 'block');
def('loop', [0x03], 'block');
def('if', [0x04], 'block');
def('else', [0x05]);
def('end', [0x0b]);
def('br', [0x0c], 'label');
def('br_if', [0x0d], 'label');
def('br_table', [0x0e], 'labels');
def('return', [0x0f]);
def('call', [0x10], 'index');
def('call_indirect', [0x11], 'call_indirect');
// Parametric.
def('drop', [0x1a]);
def('select', [0x1b]);
// Variables.
def('local.get', [0x20], 'index');
def('local.set', [0x21], 'index');
def('local.tee', [0x22], 'index');
def('global.get', [0x23], 'index');
def('global.set', [0x24], 'index');

// Memory: [name, opcode, natural align log2].
const memOps: [string, number, number][] = [
  ['i32.load', 0x28, 2],
  ['i64.load', 0x29, 3],
  ['i32.load8_s', 0x2c, 0],
  ['i32.load8_u', 0x2d, 0],
  ['i32.load16_s', 0x2e, 1],
  ['i32.load16_u', 0x2f, 1],
  ['i64.load8_s', 0x30, 0],
  ['i64.load8_u', 0x31, 0],
  ['i64.load16_s', 0x32, 1],
  ['i64.load16_u', 0x33, 1],
  ['i64.load32_s', 0x34, 2],
  ['i64.load32_u', 0x35, 2],
  ['i32.store', 0x36, 2],
  ['i64.store', 0x37, 3],
  ['i32.store8', 0x3a, 0],
  ['i32.store16', 0x3b, 1],
  ['i64.store8', 0x3c, 0],
  ['i64.store16', 0x3d, 1],
  ['i64.store32', 0x3e, 2],
];
for (const [name, code, natural] of memOps) def(name, [code], 'memarg', natural);
def('memory.size', [0x3f], 'mem0');
def('memory.grow', [0x40], 'mem0');
def('memory.fill', [0xfc, 0x0b], 'mem0');

// Numeric.
def('i32.const', [0x41], 'i32');
def('i64.const', [0x42], 'i64');
const cmpOps = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
def('i32.eqz', [0x45]);
cmpOps.forEach((op, i) => {
  def(`i32.${op}`, [0x46 + i]);
});
def('i64.eqz', [0x50]);
cmpOps.forEach((op, i) => {
  def(`i64.${op}`, [0x51 + i]);
});
const arithOps = [
  'clz',
  'ctz',
  'popcnt',
  'add',
  'sub',
  'mul',
  'div_s',
  'div_u',
  'rem_s',
  'rem_u',
  'and',
  'or',
  'xor',
];
const shiftOps = ['shl', 'shr_s', 'shr_u', 'rotl', 'rotr'];
[...arithOps, ...shiftOps].forEach((op, i) => {
  def(`i32.${op}`, [0x67 + i]);
  def(`i64.${op}`, [0x79 + i]);
});
def('i32.wrap_i64', [0xa7]);
def('i64.extend_i32_s', [0xac]);
def('i64.extend_i32_u', [0xad]);
def('i32.extend8_s', [0xc0]);
def('i32.extend16_s', [0xc1]);
def('i64.extend8_s', [0xc2]);
def('i64.extend16_s', [0xc3]);
def('i64.extend32_s', [0xc4]);

// Threads proposal, prefix 0xFE: atomic loads/stores and read-modify-write (sub-opcodes < 0x80: one LEB byte).
const ATOMIC = 0xfe;
def('atomic.fence', [ATOMIC, 0x03], 'mem0');
const atomicLs: [string, number, number][] = [
  ['i32.atomic.load', 0x10, 2],
  ['i64.atomic.load', 0x11, 3],
  ['i32.atomic.load8_u', 0x12, 0],
  ['i32.atomic.load16_u', 0x13, 1],
  ['i64.atomic.load8_u', 0x14, 0],
  ['i64.atomic.load16_u', 0x15, 1],
  ['i64.atomic.load32_u', 0x16, 2],
  ['i32.atomic.store', 0x17, 2],
  ['i64.atomic.store', 0x18, 3],
  ['i32.atomic.store8', 0x19, 0],
  ['i32.atomic.store16', 0x1a, 1],
  ['i64.atomic.store8', 0x1b, 0],
  ['i64.atomic.store16', 0x1c, 1],
  ['i64.atomic.store32', 0x1d, 2],
];
for (const [name, code, natural] of atomicLs) def(name, [ATOMIC, code], 'memarg', natural);
// Each rmw family has 7 members in this order, starting at its base sub-opcode.
const rmwShapes: [string, string, number][] = [
  ['i32', '', 2],
  ['i64', '', 3],
  ['i32', '8', 0],
  ['i32', '16', 1],
  ['i64', '8', 0],
  ['i64', '16', 1],
  ['i64', '32', 2],
];
const rmwOps: [string, number][] = [
  ['add', 0x1e],
  ['sub', 0x25],
  ['and', 0x2c],
  ['or', 0x33],
  ['xor', 0x3a],
  ['xchg', 0x41],
  ['cmpxchg', 0x48],
];
for (const [op, base] of rmwOps) {
  rmwShapes.forEach(([ty, bits, natural], i) => {
    const name = bits === '' ? `${ty}.atomic.rmw.${op}` : `${ty}.atomic.rmw${bits}.${op}_u`;
    def(name, [ATOMIC, base + i], 'memarg', natural);
  });
}

for (const info of Object.values(table)) Object.freeze(info.code);

/** Every instruction we emit: name -> opcode bytes, immediate kind and natural alignment. */
export const OPS: Readonly<Record<string, OpInfo>> = Object.freeze(table);

/** Name -> opcode byte(s) (prefix first). */
export const OPCODES: Readonly<Record<string, readonly number[]>> = Object.freeze(
  Object.fromEntries(Object.entries(table).map(([name, info]) => [name, info.code])),
);

/** Section ids of the binary format. */
export const SECTION = Object.freeze({
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
} as const);
