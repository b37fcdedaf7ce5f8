/**
 * Program section names to program types, with libbpf's conventions: a definition `name` matches
 * the section `name` itself and any `name/...` (so `iouring` does not match `iouring.s/x`, and the
 * more specific `iouring.s` is listed first all the same). The io_uring ones (RFC v2) are the only
 * supported types; the others are recognised so that an error can say what the section is.
 */
import { BPF_PROG_TYPE_IOURING, BPF_PROG_TYPE_UNSPEC } from '../../uapi/bpf.js';

export interface SectionProgType {
  readonly type: number;
  readonly sleepable: boolean;
  /** The convention matched ('iouring', 'iouring.s', 'kprobe', ...), or null when none does. */
  readonly kind: string | null;
  readonly supported: boolean;
}

interface SecDef {
  readonly name: string;
  readonly type: number;
  readonly sleepable: boolean;
}

const IOURING: readonly SecDef[] = [
  { name: 'iouring.s', type: BPF_PROG_TYPE_IOURING, sleepable: true },
  { name: 'iouring', type: BPF_PROG_TYPE_IOURING, sleepable: false },
];

/** libbpf section conventions of other program types (recognised, not supported here). */
const LIBBPF = [
  'socket',
  'sk_reuseport',
  'kprobe',
  'uprobe',
  'kretprobe',
  'uretprobe',
  'kprobe.multi',
  'kretprobe.multi',
  'uprobe.multi',
  'usdt',
  'tc',
  'tcx',
  'netkit',
  'classifier',
  'action',
  'tracepoint',
  'tp',
  'raw_tracepoint',
  'raw_tp',
  'raw_tracepoint.w',
  'raw_tp.w',
  'tp_btf',
  'fentry',
  'fmod_ret',
  'fexit',
  'fentry.s',
  'fmod_ret.s',
  'fexit.s',
  'freplace',
  'lsm',
  'lsm.s',
  'lsm_cgroup',
  'iter',
  'iter.s',
  'syscall',
  'xdp',
  'xdp.frags',
  'perf_event',
  'lwt_in',
  'lwt_out',
  'lwt_xmit',
  'lwt_seg6local',
  'sockops',
  'sk_skb',
  'sk_msg',
  'lirc_mode2',
  'flow_dissector',
  'cgroup_skb',
  'cgroup',
  'struct_ops',
  'struct_ops.s',
  'sk_lookup',
  'netfilter',
];

const DEFS: readonly SecDef[] = [
  ...IOURING,
  ...LIBBPF.map((name) => ({ name, type: BPF_PROG_TYPE_UNSPEC, sleepable: name.endsWith('.s') })),
];

/** The program type of a program in section `section`. */
export function progTypeOfSection(section: string): SectionProgType {
  for (const d of DEFS) {
    if (section === d.name || section.startsWith(`${d.name}/`)) {
      const supported = d.type === BPF_PROG_TYPE_IOURING;
      return { type: d.type, sleepable: d.sleepable, kind: d.name, supported };
    }
  }
  return { type: BPF_PROG_TYPE_UNSPEC, sleepable: false, kind: null, supported: false };
}
