/**
 * The interpreter's internal operation numbers: one dense number per behaviour, so that the run loop
 * dispatches on a single small integer and never re-examines opcode bits, `off` variants (sdiv, movsx)
 * or `imm` variants (byte swaps, atomics). Not kernel constants: the interpreter's own encoding.
 *
 * The run loop switches on these values written as numeric literals (`case 2: // OP_ADD64_K`): only
 * literal case labels give V8 a jump table. test/interp.test.ts checks every such label against this
 * table.
 */

/** Second slot of an lddw (never executed: jumps into it are rejected at load). */
export const OP_INVALID = 0;
/** Sentinel after the last instruction: running into it is a fault. */
export const OP_END = 1;

/* ALU64 */
export const OP_ADD64_K = 2;
export const OP_ADD64_X = 3;
export const OP_SUB64_K = 4;
export const OP_SUB64_X = 5;
export const OP_MUL64_K = 6;
export const OP_MUL64_X = 7;
export const OP_DIV64_K = 8;
export const OP_DIV64_X = 9;
export const OP_SDIV64_K = 10;
export const OP_SDIV64_X = 11;
export const OP_OR64_K = 12;
export const OP_OR64_X = 13;
export const OP_AND64_K = 14;
export const OP_AND64_X = 15;
export const OP_LSH64_K = 16;
export const OP_LSH64_X = 17;
export const OP_RSH64_K = 18;
export const OP_RSH64_X = 19;
export const OP_NEG64 = 20;
export const OP_MOD64_K = 21;
export const OP_MOD64_X = 22;
export const OP_SMOD64_K = 23;
export const OP_SMOD64_X = 24;
export const OP_XOR64_K = 25;
export const OP_XOR64_X = 26;
export const OP_MOV64_K = 27;
export const OP_MOV64_X = 28;
export const OP_MOVSX64_8 = 29;
export const OP_MOVSX64_16 = 30;
export const OP_MOVSX64_32 = 31;
export const OP_ARSH64_K = 32;
export const OP_ARSH64_X = 33;
export const OP_BSWAP16 = 34;
export const OP_BSWAP32 = 35;
export const OP_BSWAP64 = 36;

/* ALU32 */
export const OP_ADD32_K = 37;
export const OP_ADD32_X = 38;
export const OP_SUB32_K = 39;
export const OP_SUB32_X = 40;
export const OP_MUL32_K = 41;
export const OP_MUL32_X = 42;
export const OP_DIV32_K = 43;
export const OP_DIV32_X = 44;
export const OP_SDIV32_K = 45;
export const OP_SDIV32_X = 46;
export const OP_OR32_K = 47;
export const OP_OR32_X = 48;
export const OP_AND32_K = 49;
export const OP_AND32_X = 50;
export const OP_LSH32_K = 51;
export const OP_LSH32_X = 52;
export const OP_RSH32_K = 53;
export const OP_RSH32_X = 54;
export const OP_NEG32 = 55;
export const OP_MOD32_K = 56;
export const OP_MOD32_X = 57;
export const OP_SMOD32_K = 58;
export const OP_SMOD32_X = 59;
export const OP_XOR32_K = 60;
export const OP_XOR32_X = 61;
export const OP_MOV32_K = 62;
export const OP_MOV32_X = 63;
export const OP_MOVSX32_8 = 64;
export const OP_MOVSX32_16 = 65;
export const OP_ARSH32_K = 66;
export const OP_ARSH32_X = 67;
export const OP_LE16 = 68;
export const OP_LE32 = 69;
export const OP_LE64 = 70;
export const OP_BE16 = 71;
export const OP_BE32 = 72;
export const OP_BE64 = 73;

/* JMP (64-bit compares); JA also stands for gotol (JMP32 JA), whose target is in imm */
export const OP_JA = 74;
export const OP_JEQ64_K = 75;
export const OP_JEQ64_X = 76;
export const OP_JGT64_K = 77;
export const OP_JGT64_X = 78;
export const OP_JGE64_K = 79;
export const OP_JGE64_X = 80;
export const OP_JSET64_K = 81;
export const OP_JSET64_X = 82;
export const OP_JNE64_K = 83;
export const OP_JNE64_X = 84;
export const OP_JSGT64_K = 85;
export const OP_JSGT64_X = 86;
export const OP_JSGE64_K = 87;
export const OP_JSGE64_X = 88;
export const OP_JLT64_K = 89;
export const OP_JLT64_X = 90;
export const OP_JLE64_K = 91;
export const OP_JLE64_X = 92;
export const OP_JSLT64_K = 93;
export const OP_JSLT64_X = 94;
export const OP_JSLE64_K = 95;
export const OP_JSLE64_X = 96;
export const OP_CALL = 97;
export const OP_CALL_LOCAL = 98;
export const OP_CALLX = 99;
export const OP_EXIT = 100;
export const OP_MAY_GOTO = 101;

/* JMP32 (compares of the low halves) */
export const OP_JEQ32_K = 102;
export const OP_JEQ32_X = 103;
export const OP_JGT32_K = 104;
export const OP_JGT32_X = 105;
export const OP_JGE32_K = 106;
export const OP_JGE32_X = 107;
export const OP_JSET32_K = 108;
export const OP_JSET32_X = 109;
export const OP_JNE32_K = 110;
export const OP_JNE32_X = 111;
export const OP_JSGT32_K = 112;
export const OP_JSGT32_X = 113;
export const OP_JSGE32_K = 114;
export const OP_JSGE32_X = 115;
export const OP_JLT32_K = 116;
export const OP_JLT32_X = 117;
export const OP_JLE32_K = 118;
export const OP_JLE32_X = 119;
export const OP_JSLT32_K = 120;
export const OP_JSLT32_X = 121;
export const OP_JSLE32_K = 122;
export const OP_JSLE32_X = 123;

/* loads and stores */
export const OP_LDDW = 124;
export const OP_LDXB = 125;
export const OP_LDXH = 126;
export const OP_LDXW = 127;
export const OP_LDXDW = 128;
export const OP_LDXSB = 129;
export const OP_LDXSH = 130;
export const OP_LDXSW = 131;
export const OP_STB = 132;
export const OP_STH = 133;
export const OP_STW = 134;
export const OP_STDW = 135;
export const OP_STXB = 136;
export const OP_STXH = 137;
export const OP_STXW = 138;
export const OP_STXDW = 139;
export const OP_ATOMIC32 = 140;
export const OP_ATOMIC64 = 141;

/** Number of operations (all fit in the low byte of a code word). */
export const OP_COUNT = 142;
