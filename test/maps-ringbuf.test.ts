/**
 * RINGBUF from TypeScript: the kernel's record layout and positions, ordering with records still
 * reserved, discards, room checks (consumer and pending positions), wraparound many times over,
 * wakeups and poll, orphaned reservations.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HelperEnv } from '../src/ebpf/helpers.js';
import { MapError, MapTable, type RingBufMap } from '../src/ebpf/maps/index.js';
import { AddressSpace } from '../src/mem/address-space.js';
import {
  BPF_MAP_TYPE_RINGBUF,
  BPF_RB_FORCE_WAKEUP,
  BPF_RB_NO_WAKEUP,
  BPF_RINGBUF_BUSY_BIT,
  BPF_RINGBUF_DISCARD_BIT,
} from '../src/uapi/bpf.js';
import { EAGAIN, EINVAL } from '../src/uapi/errno.js';
import { xorshift32 } from './helpers.js';

const mem = new AddressSpace({ size: 8 * 1024 * 1024 });
const table = new MapTable(mem);
const ring = (size = 4096): RingBufMap =>
  table.create({ type: BPF_MAP_TYPE_RINGBUF, keySize: 0, valueSize: 0, maxEntries: size, name: 'rb' });
const bytes = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff);
const text = (r: Uint8Array): string => Buffer.from(r).toString('latin1');

/** A stand-in for a program run's environment: open until end() (as the interpreter's RunEnv). */
function fakeRun(): HelperEnv & { end(): void } {
  let open = true;
  return {
    mem,
    ctx: undefined,
    grant: () => {},
    readable: () => open,
    writable: () => open,
    end: () => {
      open = false;
    },
  };
}

describe('record layout and positions', () => {
  test('header {len, pg_off}, records rounded up to 8, positions as u64 in their own pages', () => {
    const rb = ring();
    assert.equal(rb.producerPosAddr - rb.consumerPosAddr, 4096);
    assert.equal(rb.dataAddr - rb.producerPosAddr, 4096);
    assert.equal(rb.consumerPosAddr % 4096, 0);
    assert.ok(rb.output(new TextEncoder().encode('hello')));
    assert.ok(rb.output(new Uint8Array(0)));
    assert.deepEqual(
      [mem.readU32(rb.dataAddr), mem.readU32(rb.dataAddr + 4), mem.readU32(rb.dataAddr + 16)],
      [5, 3, 0],
    );
    assert.equal(rb.producerPos, 16 + 8);
    assert.equal(mem.readU64(rb.producerPosAddr), 24n);
    assert.equal(rb.availableBytes, 24);
    assert.deepEqual(rb.drain().map(text), ['hello', '']);
    assert.equal(rb.consumerPos, 24);
    assert.equal(rb.availableBytes, 0);
  });

  test('a reserved record is BUSY and stops the consumer; records come out in reservation order', () => {
    const rb = ring();
    const a = rb.reserveAddr(3, null);
    const b = rb.reserveAddr(3, null);
    mem.writeBytes(a, bytes(3, 1));
    mem.writeBytes(b, bytes(3, 2));
    assert.equal(mem.readU32(a - 8), (3 | BPF_RINGBUF_BUSY_BIT) >>> 0);
    assert.equal(rb.reservedCount, 2);
    rb.commitAddr(b, 0, false);
    assert.deepEqual(rb.drain(), []);
    rb.commitAddr(a, 0, false);
    assert.deepEqual(rb.drain(), [bytes(3, 1), bytes(3, 2)]);
  });

  test('discarded records keep the DISCARD bit and are skipped', () => {
    const rb = ring();
    const a = rb.reserveAddr(8, null);
    rb.output(bytes(4, 9));
    rb.commitAddr(a, 0, true);
    assert.equal(mem.readU32(a - 8), (8 | BPF_RINGBUF_DISCARD_BIT) >>> 0);
    assert.deepEqual(rb.drain(), [bytes(4, 9)]);
    assert.equal(rb.consumerPos, rb.producerPos);
  });

  test('committing what is not a reserved record is a TypeError', () => {
    const rb = ring();
    const a = rb.reserveAddr(8, null);
    rb.commitAddr(a, 0, false);
    assert.throws(() => rb.commitAddr(a, 0, false), /not a reserved record/);
    assert.throws(() => rb.commitAddr(a + 8, 0, true), TypeError);
  });

  test('consume: the callback can stop, max bounds the count', () => {
    const rb = ring();
    for (let i = 0; i < 5; i++) rb.output(Uint8Array.of(i));
    const seen: number[] = [];
    assert.equal(
      rb.consume((r) => {
        seen.push(r[0]!);
        return r[0] !== 1;
      }),
      2,
    );
    assert.deepEqual(
      rb.drain(2).map((r) => r[0]),
      [2, 3],
    );
    assert.equal(rb.consume(), 1);
    assert.deepEqual(seen, [0, 1]);
  });
});

describe('room', () => {
  test('a record may take at most size - 8 bytes with its header; the producer stays < size ahead', () => {
    const rb = ring(4096);
    assert.equal(rb.output(new Uint8Array(4081)), false);
    assert.equal(rb.output(new Uint8Array(4080)), true);
    assert.equal(rb.output(new Uint8Array(0)), false);
    assert.equal(rb.outputAddr(rb.dataAddr, 0, 0), -EAGAIN);
    rb.consume();
    assert.equal(rb.output(new Uint8Array(0)), true);
  });

  test('the oldest reserved record bounds the producer even when the consumer position is moved past it', () => {
    const rb = ring(4096);
    const a = rb.reserveAddr(2000, null);
    // A user writing the consumer position (its page is writable in the kernel) skips the busy record.
    mem.writeU64(rb.consumerPosAddr, BigInt(rb.producerPos));
    assert.notEqual(rb.reserveAddr(2000, null), 0);
    assert.equal(rb.reserveAddr(2000, null), 0, 'would overwrite the reserved record');
    assert.equal(mem.readU32(a - 8), (2000 | BPF_RINGBUF_BUSY_BIT) >>> 0);
  });

  test('bad output flags are EINVAL', () => {
    const rb = ring();
    assert.equal(rb.outputAddr(rb.dataAddr, 0, 4), -EINVAL);
    assert.throws(
      () => rb.output(Uint8Array.of(1), 4),
      (e: unknown) => e instanceof MapError && e.code === 'EINVAL',
    );
  });
});

describe('wraparound', () => {
  test('records of random sizes come out intact over many turns of the ring, across its end', () => {
    const rb = ring(8192);
    const rnd = xorshift32(42);
    const queue: Uint8Array[] = [];
    let produced = 0;
    let wrapped = 0;
    for (let i = 0; produced < 40 * 8192; i++) {
      const rec = bytes(rnd() % 1500, i);
      const at = rb.producerPos % 8192;
      if (rb.output(rec)) {
        queue.push(rec);
        produced += rec.length;
        if (at + 8 + rec.length > 8192) wrapped++;
      } else {
        // Full: consume some, in order.
        const n = 1 + (rnd() % 4);
        const got = rb.drain(n);
        assert.deepEqual(got, queue.splice(0, got.length));
      }
    }
    assert.deepEqual(rb.drain(), queue);
    assert.ok(wrapped > 10, `${wrapped} records crossed the end`);
    assert.ok(rb.consumerPos > 30 * 8192);
  });
});

describe('wakeups and poll', () => {
  test('commit wakes when the consumer waits at the record, never with NO_WAKEUP, always with FORCE', () => {
    const rb = ring();
    rb.output(Uint8Array.of(1));
    assert.equal(rb.wakeups, 1);
    rb.output(Uint8Array.of(2));
    assert.equal(rb.wakeups, 1, 'the consumer is not at this record');
    rb.consume();
    rb.output(Uint8Array.of(3), BPF_RB_NO_WAKEUP);
    assert.equal(rb.wakeups, 1);
    rb.output(Uint8Array.of(4), BPF_RB_FORCE_WAKEUP);
    assert.equal(rb.wakeups, 2);
  });

  test('poll resolves at once with data, at the next wakeup, false on timeout and at close', async () => {
    const rb = ring();
    assert.equal(await rb.poll(1), false);
    const p = rb.poll();
    rb.output(Uint8Array.of(1));
    assert.equal(await p, true);
    assert.equal(await rb.poll(), true);
    rb.consume();
    const q = rb.poll();
    table.close(rb.id);
    assert.equal(await q, false);
  });
});

describe('orphaned reservations', () => {
  test('a record reserved by a run that ended unsubmitted is discarded when the consumer reaches it', () => {
    const rb = ring();
    const run = fakeRun();
    rb.reserveAddr(16, run);
    rb.output(Uint8Array.of(7));
    assert.deepEqual(rb.drain(), [], 'the run is still going: its record blocks');
    run.end();
    assert.deepEqual(rb.drain(), [Uint8Array.of(7)]);
    assert.equal(rb.reservedCount, 0);
  });

  test('and when a producer runs out of room because of it', () => {
    const rb = ring(4096);
    const run = fakeRun();
    rb.reserveAddr(3000, run);
    mem.writeU64(rb.consumerPosAddr, BigInt(rb.producerPos));
    assert.equal(rb.reserveAddr(3000, null), 0);
    run.end();
    assert.notEqual(rb.reserveAddr(3000, null), 0);
  });
});
