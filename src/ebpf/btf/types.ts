/**
 * BTF type records as plain objects, one interface per kind (the binary layouts of <linux/btf.h>):
 * the common 12-byte btf_type header (name_off, info = kind | kind_flag | vlen, size or type), then
 * the kind's trailing data (INT encoding, btf_array, btf_member[vlen], btf_enum[vlen],
 * btf_param[vlen], btf_var, btf_var_secinfo[vlen], btf_decl_tag, btf_enum64[vlen]).
 */

/** Kind names in kind-number order (index = BTF_KIND_*). */
export const BTF_KIND_NAMES = [
  'void',
  'int',
  'ptr',
  'array',
  'struct',
  'union',
  'enum',
  'fwd',
  'typedef',
  'volatile',
  'const',
  'restrict',
  'func',
  'func_proto',
  'var',
  'datasec',
  'float',
  'decl_tag',
  'type_tag',
  'enum64',
] as const;

export type BtfKindName = (typeof BTF_KIND_NAMES)[number];

interface Base {
  /** Type id (0 is void). */
  readonly id: number;
  /** Name ('' when anonymous). */
  readonly name: string;
  /** Byte offset of the record (in the file when a base was given). */
  readonly offset: number;
}

/** The implicit type 0. */
export interface BtfVoid extends Base {
  readonly kind: 'void';
}

export interface BtfInt extends Base {
  readonly kind: 'int';
  readonly size: number;
  /** BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL. */
  readonly encoding: number;
  /** Bit offset of the value in its storage (BTF_INT_OFFSET). */
  readonly bitOffset: number;
  /** Value bits (BTF_INT_BITS). */
  readonly bits: number;
}

export interface BtfFloat extends Base {
  readonly kind: 'float';
  readonly size: number;
}

/** PTR, TYPEDEF and the modifiers: a name (typedef) and the type they refer to. */
export interface BtfRef extends Base {
  readonly kind: 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag';
  readonly type: number;
}

export interface BtfArray extends Base {
  readonly kind: 'array';
  readonly elemType: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset of the member in bits from the start of the struct. */
  readonly bitOffset: number;
  /** Bitfield width (kind_flag set and non-zero), else 0. */
  readonly bitfieldSize: number;
}

export interface BtfComposite extends Base {
  readonly kind: 'struct' | 'union';
  readonly size: number;
  /** kind_flag: member offsets carry a bitfield size in their top 8 bits. */
  readonly kindFlag: boolean;
  readonly members: readonly BtfMember[];
}

export interface BtfEnumValue {
  readonly name: string;
  readonly value: bigint;
}

export interface BtfEnum extends Base {
  readonly kind: 'enum' | 'enum64';
  readonly size: number;
  /** kind_flag: the values are signed. */
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}

export interface BtfFwd extends Base {
  readonly kind: 'fwd';
  /** kind_flag: a forward union rather than a struct. */
  readonly union: boolean;
}

export interface BtfFunc extends Base {
  readonly kind: 'func';
  /** The FUNC_PROTO. */
  readonly type: number;
  /** BTF_FUNC_STATIC / GLOBAL / EXTERN (vlen). */
  readonly linkage: number;
}

export interface BtfParam {
  readonly name: string;
  /** 0 with an empty name in the last position: variadic. */
  readonly type: number;
}

export interface BtfFuncProto extends Base {
  readonly kind: 'func_proto';
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}

export interface BtfVar extends Base {
  readonly kind: 'var';
  readonly type: number;
  /** BTF_VAR_STATIC / GLOBAL_ALLOCATED / GLOBAL_EXTERN. */
  readonly linkage: number;
}

export interface BtfVarSecinfo {
  /** The VAR (or FUNC for extern functions). */
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

export interface BtfDatasec extends Base {
  readonly kind: 'datasec';
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfDeclTag extends Base {
  readonly kind: 'decl_tag';
  readonly type: number;
  /** -1: the tag applies to the type itself; else a member or parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfFloat
  | BtfRef
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfFwd
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfDeclTag;
