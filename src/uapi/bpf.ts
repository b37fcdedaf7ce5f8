/**
 * eBPF instruction set constants with their <linux/bpf.h> / <linux/bpf_common.h> names and values
 * (RFC 9669). Opcode byte = operation | source | class (ALU, JMP) or mode | size | class (loads,
 * stores).
 */

/* ---- instruction classes (code & 0x07) */
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

/* ---- load/store size (code & 0x18) */
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

/* ---- load/store mode (code & 0xe0) */
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;

/* ---- source (code & 0x08) */
export const BPF_K = 0x00;
export const BPF_X = 0x08;
/** BPF_END in class ALU: the source bit picks the byte order. */
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

/* ---- ALU operations (code & 0xf0) */
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

/* ---- jump operations (code & 0xf0) */
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;
/** Conditional pseudo jump; src_reg BPF_MAY_GOTO. */
export const BPF_JCOND = 0xe0;
export const BPF_MAY_GOTO = 0;

/* ---- atomic operations (imm of BPF_STX | BPF_ATOMIC) */
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;

/* ---- lddw (BPF_LD | BPF_IMM | BPF_DW) source pseudo values */
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_BTF_ID = 3;
export const BPF_PSEUDO_FUNC = 4;
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;

/* ---- call source pseudo values */
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;

/* ---- limits */
/** Stack bytes per frame. */
export const MAX_BPF_STACK = 512;
/** Frames of bpf2bpf calls, the program's own included. */
export const MAX_CALL_FRAMES = 8;
/** Registers r0..r10; r10 is the read-only frame pointer. */
export const MAX_BPF_REG = 11;
export const BPF_REG_FP = 10;

/**
 * may_goto iterations a frame may take before the jump is forced (include/linux/bpf.h; kernel-internal,
 * kept here with the other kernel constants).
 */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/** Size of one instruction slot in bytes. */
export const BPF_INSN_SIZE = 8;

/* ---- program types (RFC v2 numbering: IOURING is appended after SK_LOOKUP = 30) */
export const BPF_PROG_TYPE_UNSPEC = 0;
export const BPF_PROG_TYPE_SOCKET_FILTER = 1;
export const BPF_PROG_TYPE_IOURING = 31;

/* ---- map types (enum bpf_map_type) */
export const BPF_MAP_TYPE_UNSPEC = 0;
export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PROG_ARRAY = 3;
export const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_STACK_TRACE = 7;
export const BPF_MAP_TYPE_CGROUP_ARRAY = 8;
export const BPF_MAP_TYPE_LRU_HASH = 9;
export const BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
export const BPF_MAP_TYPE_LPM_TRIE = 11;
export const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
export const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
export const BPF_MAP_TYPE_QUEUE = 22;
export const BPF_MAP_TYPE_STACK = 23;
export const BPF_MAP_TYPE_RINGBUF = 27;

/* ---- map creation flags (map_flags) */
export const BPF_F_NO_PREALLOC = 1 << 0;
export const BPF_F_NO_COMMON_LRU = 1 << 1;
export const BPF_F_NUMA_NODE = 1 << 2;
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_WRONLY = 1 << 4;
export const BPF_F_ZERO_SEED = 1 << 6;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_WRONLY_PROG = 1 << 8;
export const BPF_F_MMAPABLE = 1 << 10;
export const BPF_F_INNER_MAP = 1 << 12;

/* ---- map update flags */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

/* ---- ring buffer */
export const BPF_RB_NO_WAKEUP = 1 << 0;
export const BPF_RB_FORCE_WAKEUP = 1 << 1;
export const BPF_RINGBUF_BUSY_BIT = 1 << 31;
export const BPF_RINGBUF_DISCARD_BIT = 1 << 30;
export const BPF_RINGBUF_HDR_SZ = 8;

/* ---- helper ids (enum bpf_func_id; 164-167 are the RFC v2 io_uring helpers, mainline differs) */
export const BPF_FUNC_map_lookup_elem = 1;
export const BPF_FUNC_map_update_elem = 2;
export const BPF_FUNC_map_delete_elem = 3;
export const BPF_FUNC_ktime_get_ns = 5;
export const BPF_FUNC_trace_printk = 6;
export const BPF_FUNC_get_prandom_u32 = 7;
export const BPF_FUNC_get_smp_processor_id = 8;
export const BPF_FUNC_tail_call = 12;
export const BPF_FUNC_ringbuf_output = 130;
export const BPF_FUNC_ringbuf_reserve = 131;
export const BPF_FUNC_ringbuf_submit = 132;
export const BPF_FUNC_ringbuf_discard = 133;
export const BPF_FUNC_copy_from_user = 148;
export const BPF_FUNC_iouring_queue_sqe = 164;
export const BPF_FUNC_iouring_emit_cqe = 165;
export const BPF_FUNC_iouring_reap_cqe = 166;
export const BPF_FUNC_copy_to_user = 167;

/** Tail calls one run may make (MAX_TAIL_CALL_CNT). */
export const MAX_TAIL_CALL_CNT = 33;
/** Object names (maps, programs) are at most 15 bytes and a NUL. */
export const BPF_OBJ_NAME_LEN = 16;

/* ---- maps: flags and kernel limits the map code checks at creation (added by the maps work) */
/** Map creation flag of perf event arrays (checked by array maps: -EINVAL elsewhere). */
export const BPF_F_PRESERVE_ELEMS = 1 << 11;
/** BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG (include/linux/bpf.h). */
export const BPF_F_ACCESS_MASK = BPF_F_RDONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY | BPF_F_WRONLY_PROG;
/** The kernel's page size (x86-64): ring buffer sizes and mmapable arrays are counted in pages. */
export const PAGE_SIZE = 4096;
/** Largest round_up(value_size, 8) of a per-cpu map (mm/percpu.c PCPU_MIN_UNIT_SIZE). */
export const PCPU_MIN_UNIT_SIZE = 32 * 1024;
/** KMALLOC_MAX_SIZE on x86-64 (1 << (MAX_PAGE_ORDER + PAGE_SHIFT)): bounds key_size + value_size of a hash. */
export const KMALLOC_MAX_SIZE = 1 << 22;
/** sizeof(struct htab_elem) on 64-bit (kernel/bpf/hashtab.c), counted in the hash size bound. */
export const HTAB_ELEM_SIZE = 48;
/** Largest ring buffer record (kernel/bpf/ringbuf.c RINGBUF_MAX_RECORD_SZ = UINT_MAX / 4). */
export const RINGBUF_MAX_RECORD_SZ = 0x3fff_ffff;
/** Pages of struct bpf_ringbuf before consumer_pos (RINGBUF_PGOFF), and the consumer + producer pages. */
export const RINGBUF_PGOFF = 1;
export const RINGBUF_POS_PAGES = 2;
/**
 * ENOTSUPP (include/linux/errno.h, kernel-internal, 524): what bpf() returns e.g. for an LRU hash with
 * BPF_F_NO_PREALLOC or a map-value lddw into an array of more than one entry. Not in errno.ts (not UAPI).
 */
export const ENOTSUPP = 524;

/* ---- ELF objects of BPF programs (<elf.h> / <linux/elf.h> names and values), the BPF relocation
 * types (llvm BPF ELF ABI), BTF (<linux/btf.h>) and .BTF.ext (libbpf's btf_ext_header). */
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;
export const ET_REL = 1;
export const EM_BPF = 247;
/** Size of the ELF64 file header, a section header, a symbol and a REL / RELA entry. */
export const ELF64_EHDR_SIZE = 64;
export const ELF64_SHDR_SIZE = 64;
export const ELF64_SYM_SIZE = 24;
export const ELF64_REL_SIZE = 16;
export const ELF64_RELA_SIZE = 24;
/* section header types */
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_SYMTAB_SHNDX = 18;
/* section header flags */
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
/* special section indexes */
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
/* symbol types (st_info & 0xf) */
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
/* symbol bindings (st_info >> 4) */
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
/* symbol visibility (st_other & 3) */
export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
export const STV_PROTECTED = 3;
/* BPF relocation types */
export const R_BPF_NONE = 0;
export const R_BPF_64_64 = 1;
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_ABS32 = 3;
export const R_BPF_64_NODYLD32 = 4;
export const R_BPF_64_32 = 10;
/* BTF */
export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
export const BTF_KIND_UNKN = 0;
export const BTF_KIND_INT = 1;
export const BTF_KIND_PTR = 2;
export const BTF_KIND_ARRAY = 3;
export const BTF_KIND_STRUCT = 4;
export const BTF_KIND_UNION = 5;
export const BTF_KIND_ENUM = 6;
export const BTF_KIND_FWD = 7;
export const BTF_KIND_TYPEDEF = 8;
export const BTF_KIND_VOLATILE = 9;
export const BTF_KIND_CONST = 10;
export const BTF_KIND_RESTRICT = 11;
export const BTF_KIND_FUNC = 12;
export const BTF_KIND_FUNC_PROTO = 13;
export const BTF_KIND_VAR = 14;
export const BTF_KIND_DATASEC = 15;
export const BTF_KIND_FLOAT = 16;
export const BTF_KIND_DECL_TAG = 17;
export const BTF_KIND_TYPE_TAG = 18;
export const BTF_KIND_ENUM64 = 19;
export const BTF_KIND_MAX = 19;
/** Largest type id and vlen (BTF_MAX_TYPE, BTF_MAX_VLEN). */
export const BTF_MAX_TYPE = 0x000fffff;
export const BTF_MAX_VLEN = 0xffff;
/* BTF_KIND_INT encoding bits */
export const BTF_INT_SIGNED = 1 << 0;
export const BTF_INT_CHAR = 1 << 1;
export const BTF_INT_BOOL = 1 << 2;
/* BTF_KIND_VAR linkage (enum btf_var_linkage) */
export const BTF_VAR_STATIC = 0;
export const BTF_VAR_GLOBAL_ALLOCATED = 1;
export const BTF_VAR_GLOBAL_EXTERN = 2;
/* BTF_KIND_FUNC linkage (enum btf_func_linkage) */
export const BTF_FUNC_STATIC = 0;
export const BTF_FUNC_GLOBAL = 1;
export const BTF_FUNC_EXTERN = 2;
/** Kernel limit on modifier / typedef chains (MAX_RESOLVE_DEPTH in kernel/bpf/btf.c). */
export const MAX_RESOLVE_DEPTH = 32;
/* Verifier limits (include/linux/bpf_verifier.h) */
/** Most subprograms (the program itself included) one program may hold (BPF_MAX_SUBPROGS). */
export const BPF_MAX_SUBPROGS = 256;
/** Most instructions the verifier processes for one program (BPF_COMPLEXITY_LIMIT_INSNS). */
export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
/** Bound on pointer offsets and variable offsets the verifier tracks (BPF_MAX_VAR_OFF). */
export const BPF_MAX_VAR_OFF = 1 << 29;
/** Bound on variable sizes passed to helpers (BPF_MAX_VAR_SIZ). */
export const BPF_MAX_VAR_SIZ = 1 << 29;
