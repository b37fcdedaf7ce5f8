/**
 * `uring-bpf examples copy`: examples/copy/copy.bpf.o concatenates input files into one output file
 * as ONE IORING_OP_BPF request (OPENAT → READ… → WRITE… → CLOSE per file, driven from BPF; the
 * program's design, structs and traces: examples/copy/README.md). `runCopy` is the driver; the
 * example copies three files (one larger than the buffer, one empty) and a list with a missing file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineKind } from '../../ebpf/run-env.js';
import { prepBpf } from '../../liburing/prep.js';
import { IoUring } from '../../liburing/ring.js';
import { errnoName } from '../../uapi/errno.js';
import { Runtime } from '../../uring/runtime.js';
import { type Example, type ExampleResult, exampleObject } from './common.js';

/** Stages of copy.h (COPY_*), 1..4 = the CQ offset from cq_base + 1. */
export const COPY_STAGES = ['OPEN', 'READ', 'WRITE', 'CLOSE'] as const;
export const COPY_DONE = 5;
const JOB_SIZE = 32;

/** struct copy_state (copy.h), as read back from the map `state`. */
export interface CopyState {
  readonly stage: number;
  readonly file: number;
  readonly fd: number;
  readonly error: number;
  readonly errStage: number;
  readonly errFile: number;
  readonly chunk: number;
  readonly chunkDone: number;
  readonly inOff: bigint;
  readonly outOff: bigint;
  readonly runs: bigint;
  readonly sqes: bigint;
  readonly lastUd: bigint;
  readonly lastRes: bigint;
}

export interface CopyOptions {
  /** Input paths, in order. */
  readonly inputs: readonly string[];
  /** The output fd (opened by the caller; written at explicit offsets). */
  readonly outFd: number;
  /** Bytes per READ (default 4096). */
  readonly bufSize?: number;
  /** CQ of the OPEN stage (default 1); the ring gets CQs 1..cqBase + 3. */
  readonly cqBase?: number;
  /** The engine the program is loaded for (default 'jit'). */
  readonly engine?: EngineKind;
}

export interface CopyRun {
  /** The BPF request's CQE on CQ 0. */
  readonly res: number;
  readonly userData: bigint;
  readonly state: CopyState;
  /** CQEs posted on each stage's CQ (its tail), in COPY_STAGES order. */
  readonly stageCqes: readonly number[];
  /** CQEs left unreaped on the stage CQs. */
  readonly stageLeft: number;
  /** Submit to the request's CQE, in ns. */
  readonly ns: bigint;
}

function readState(mem: IoUring['mem'], a: number): CopyState {
  return {
    stage: mem.readU32(a),
    file: mem.readU32(a + 4),
    fd: mem.readI32(a + 8),
    error: mem.readI32(a + 12),
    errStage: mem.readU32(a + 16),
    errFile: mem.readU32(a + 20),
    chunk: mem.readU32(a + 24),
    chunkDone: mem.readU32(a + 28),
    inOff: mem.readU64(a + 32),
    outOff: mem.readU64(a + 40),
    runs: mem.readU64(a + 48),
    sqes: mem.readU64(a + 56),
    lastUd: mem.readU64(a + 64),
    lastRes: BigInt.asIntN(64, mem.readU64(a + 72)),
  };
}

/** Run copy.bpf.o once on a fresh ring and runtime (README "How the TypeScript driver will run it"). */
export async function runCopy(opts: CopyOptions): Promise<CopyRun> {
  const bufSize = opts.bufSize ?? 4096;
  const cqBase = opts.cqBase ?? 1;
  if (!Number.isInteger(bufSize) || bufSize <= 0) throw new RangeError(`bufSize must be > 0, got ${bufSize}`);
  if (!Number.isInteger(cqBase) || cqBase < 1) throw new RangeError(`cqBase must be >= 1, got ${cqBase}`);
  const rt = new Runtime({ size: 8 * 1024 * 1024 + bufSize });
  const ring = IoUring.queueInit(8, { cqSizes: new Array<number>(cqBase + 3).fill(8), runtime: rt });
  const obj = rt.bpfLoad(
    exampleObject('copy', 'copy.bpf.o'),
    opts.engine === undefined ? {} : { engine: opts.engine },
  );
  try {
    const reg = await ring.registerBpf([obj.progFd('copy')]);
    if (reg !== 0) throw new Error(`IORING_REGISTER_BPF: expected 0, got ${reg}`);
    const m = ring.mem;
    const enc = new TextEncoder();
    const paths = m.alloc(8 * Math.max(1, opts.inputs.length));
    opts.inputs.forEach((p, i) => {
      const bytes = enc.encode(`${p}\0`);
      const a = m.alloc(bytes.length);
      m.writeBytes(a, bytes);
      m.writeU64(paths + 8 * i, BigInt(a));
    });
    const buf = m.alloc(bufSize);
    const job = m.alloc(JOB_SIZE);
    m.writeU64(job, BigInt(paths));
    m.writeU64(job + 8, BigInt(buf));
    m.writeU32(job + 16, bufSize);
    m.writeI32(job + 20, opts.outFd);
    m.writeU32(job + 24, opts.inputs.length);
    m.writeU32(job + 28, cqBase);
    const sqe = ring.getSqe();
    if (sqe === null) throw new Error('SQ full on a fresh ring');
    prepBpf(sqe, 0).setUserData(job);
    const t0 = process.hrtime.bigint();
    const submitted = ring.submit();
    if (submitted !== 1) throw new Error(`submit: expected 1, got ${submitted}`);
    const cqe = await ring.waitCqe(0);
    const ns = process.hrtime.bigint() - t0;
    const res = cqe.res;
    const userData = cqe.userData;
    ring.cqeSeen(cqe);
    const off = ring.params.cqOff;
    const stageCqes: number[] = [];
    let stageLeft = 0;
    for (let k = 0; k < 4; k++) {
      const base = ring.mmapCq(cqBase + k);
      stageCqes.push(m.readU32(base + Number(off.tail)));
      stageLeft += ring.cqReady(cqBase + k);
    }
    const state = readState(m, obj.arrayMap('state').valueAddr(0));
    return { res, userData, state, stageCqes, stageLeft, ns };
  } finally {
    obj.close();
    await ring.close();
  }
}

/** "-2 (ENOENT)". */
export function errText(e: number): string {
  return e < 0 ? `${e} (${errnoName(e)})` : String(e);
}

const ms = (ns: bigint): string => `${(Number(ns) / 1e6).toFixed(2)} ms`;

export const copyExample: Example = {
  name: 'copy',
  summary:
    'cat as one BPF request: examples/copy/copy.bpf.o chains OPENAT, READs, WRITEs and CLOSE per input file from BPF',
  async run(opts = {}) {
    const lines: string[] = [];
    const checks: ExampleResult['checks'] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uring-bpf-copy-'));
    try {
      const sizes = [10000, 0, 5000];
      const inputs = sizes.map((n, i) => {
        const p = path.join(dir, `in${i}`);
        fs.writeFileSync(p, Buffer.from(Array.from({ length: n }, (_, k) => (k * 7 + i * 31) & 0xff)));
        return p;
      });
      const out = path.join(dir, 'out');
      const fd = fs.openSync(out, 'w');
      let r: CopyRun;
      try {
        r = await runCopy({ inputs, outFd: fd, bufSize: 4096, ...opts });
      } finally {
        fs.closeSync(fd);
      }
      lines.push(
        `copied ${sizes.join(' + ')} bytes (buffer 4096) into ${r.state.outOff} bytes as one BPF request in ${ms(r.ns)}`,
        `BPF request CQE: user_data = job address, res ${errText(r.res)}; ${r.state.runs} runs, ${r.state.sqes} SQEs queued from BPF`,
        `CQEs per stage: ${COPY_STAGES.map((s, k) => `${s} (CQ ${k + 1}) ${r.stageCqes[k]}`).join(', ')}`,
      );
      const want = Buffer.concat(inputs.map((p) => fs.readFileSync(p)));
      const got = fs.readFileSync(out);
      checks.push(
        { what: 'BPF request res', expected: '0', actual: String(r.res) },
        {
          what: 'output = concatenation of the inputs',
          expected: `${want.length} bytes, equal`,
          actual: `${got.length} bytes, ${got.equals(want) ? 'equal' : 'different'}`,
        },
        {
          what: 'state: stage, file, error, out_off',
          expected: `${COPY_DONE} 3 0 15000`,
          actual: `${r.state.stage} ${r.state.file} ${r.state.error} ${r.state.outOff}`,
        },
        { what: 'runs, sqes', expected: '20 19', actual: `${r.state.runs} ${r.state.sqes}` },
        {
          what: 'CQEs per stage (OPEN READ WRITE CLOSE)',
          expected: '3 8 5 3',
          actual: r.stageCqes.join(' '),
        },
        { what: 'stage CQEs left unreaped', expected: '0', actual: String(r.stageLeft) },
      );

      // A missing input: the OPEN's -ENOENT is recorded, the files after it are not touched.
      const out2 = path.join(dir, 'out2');
      const fd2 = fs.openSync(out2, 'w');
      let f: CopyRun;
      try {
        f = await runCopy({
          inputs: [inputs[0]!, path.join(dir, 'missing'), inputs[2]!],
          outFd: fd2,
          ...opts,
        });
      } finally {
        fs.closeSync(fd2);
      }
      lines.push(
        `with a missing second input: res ${errText(f.res)}, state.error ${errText(f.state.error)} at stage ${COPY_STAGES[f.state.errStage - 1] ?? f.state.errStage} of file ${f.state.errFile}; ${f.state.outOff} bytes written, ${f.state.runs} runs`,
      );
      checks.push({
        what: 'missing input: res, error, err_stage, err_file, stage, out_off, runs',
        expected: `0 -2 1 1 ${COPY_DONE} 10000 11`, // 1 + 9 CQEs of the first file + the failed OPEN
        actual: `${f.res} ${f.state.error} ${f.state.errStage} ${f.state.errFile} ${f.state.stage} ${f.state.outOff} ${f.state.runs}`,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return { lines, checks };
  },
};
