/**
 * The interpreter's internal operation numbers: one dense number per behaviour, so that the run loop
 * dispatches on a single small integer and never re-examines opcode bits, `off` variants (sdiv, movsx)
 * or `imm` variants (byte swaps, atomics). Not kernel constants: the interpreter's own encoding.
 *
 * The run loop switches on these values written as numeric literals, each label preceded by an
 * inline comment naming the operation: only literal case labels give V8 a jump table.
 * test/interp.test.ts checks every such label against this table.
 */

/** Second slot of an lddw (never executed: jumps into it are rejected at load). */
export const OP_INVALID = 0;
/** Sentinel after the last instruction: running into it is a fault. */
export const OP_END = 1;

/* ALU64 (the immediate forms run as these on a constant register, see interp-decode.ts) */
export const OP_ADD64 = 2;
export const OP_SUB64 = 3;
export const OP_MUL64 = 4;
export const OP_DIV64 = 5;
export const OP_SDIV64 = 6;
export const OP_OR64 = 7;
export const OP_AND64 = 8;
export const OP_LSH64 = 9;
export const OP_RSH64 = 10;
export const OP_NEG64 = 11;
export const OP_MOD64 = 12;
export const OP_SMOD64 = 13;
export const OP_XOR64 = 14;
export const OP_MOV64 = 15;
export const OP_MOVSX64_8 = 16;
export const OP_MOVSX64_16 = 17;
export const OP_MOVSX64_32 = 18;
export const OP_ARSH64 = 19;
export const OP_BSWAP16 = 20;
export const OP_BSWAP32 = 21;
export const OP_BSWAP64 = 22;

/* ALU32 */
export const OP_ADD32 = 23;
export const OP_SUB32 = 24;
export const OP_MUL32 = 25;
export const OP_DIV32 = 26;
export const OP_SDIV32 = 27;
export const OP_OR32 = 28;
export const OP_AND32 = 29;
export const OP_LSH32 = 30;
export const OP_RSH32 = 31;
export const OP_NEG32 = 32;
export const OP_MOD32 = 33;
export const OP_SMOD32 = 34;
export const OP_XOR32 = 35;
export const OP_MOV32 = 36;
export const OP_MOVSX32_8 = 37;
export const OP_MOVSX32_16 = 38;
export const OP_ARSH32 = 39;
export const OP_LE16 = 40;
export const OP_LE32 = 41;
export const OP_LE64 = 42;
export const OP_BE16 = 43;
export const OP_BE32 = 44;
export const OP_BE64 = 45;

/* JMP (64-bit compares; immediates as constant registers); JA also stands for gotol (JMP32 JA) */
export const OP_JA = 46;
export const OP_JEQ64 = 47;
export const OP_JGT64 = 48;
export const OP_JGE64 = 49;
export const OP_JSET64 = 50;
export const OP_JNE64 = 51;
export const OP_JSGT64 = 52;
export const OP_JSGE64 = 53;
export const OP_JLT64 = 54;
export const OP_JLE64 = 55;
export const OP_JSLT64 = 56;
export const OP_JSLE64 = 57;
export const OP_CALL = 58;
export const OP_CALL_LOCAL = 59;
export const OP_CALLX = 60;
export const OP_EXIT = 61;
export const OP_MAY_GOTO = 62;

/* JMP32 (compares of the low halves) */
export const OP_JEQ32 = 63;
export const OP_JGT32 = 64;
export const OP_JGE32 = 65;
export const OP_JSET32 = 66;
export const OP_JNE32 = 67;
export const OP_JSGT32 = 68;
export const OP_JSGE32 = 69;
export const OP_JLT32 = 70;
export const OP_JLE32 = 71;
export const OP_JSLT32 = 72;
export const OP_JSLE32 = 73;

/* loads and stores */
export const OP_LDDW = 74;
export const OP_LDXB = 75;
export const OP_LDXH = 76;
export const OP_LDXW = 77;
export const OP_LDXDW = 78;
export const OP_LDXSB = 79;
export const OP_LDXSH = 80;
export const OP_LDXSW = 81;
export const OP_STB = 82;
export const OP_STH = 83;
export const OP_STW = 84;
export const OP_STDW = 85;
export const OP_STXB = 86;
export const OP_STXH = 87;
export const OP_STXW = 88;
export const OP_STXDW = 89;
export const OP_ATOMIC32 = 90;
export const OP_ATOMIC64 = 91;

/** Number of operations (all fit in the low byte of a code word). */
export const OP_COUNT = 92;
