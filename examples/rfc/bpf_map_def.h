/* SPDX-License-Identifier: MIT */
/*
 * bpf_map_def.h: the legacy map definition of SEC("maps"), which include/uring_bpf.h does not
 * declare (the SDK uses BTF-defined maps in ".maps"). The RFC v2 examples define their map `arr`
 * this way; src/ebpf/object/maps.ts reads the five u32 fields below.
 */
#ifndef RFC_BPF_MAP_DEF_H
#define RFC_BPF_MAP_DEF_H

struct bpf_map_def {
	unsigned int type;	/* BPF_MAP_TYPE_* */
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;	/* BPF_F_* */
};

#endif /* RFC_BPF_MAP_DEF_H */
