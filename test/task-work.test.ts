/** Task work drains under a budget (DESIGN.md Q1): work that keeps queueing work cannot starve timers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskWork } from '../src/uring/task-work.js';

test('run() stops after its budget and the rest runs on a later event-loop turn', async () => {
  let turns = 0;
  const tw: TaskWork = new TaskWork(() => {
    turns++;
    tw.run();
  }, 10);
  const ran: number[] = [];
  for (let i = 0; i < 25; i++) tw.add(() => ran.push(i));
  tw.run();
  assert.equal(ran.length, 10);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    ran,
    Array.from({ length: 25 }, (_, i) => i),
  );
  assert.ok(turns >= 2);
});

test('work that queues more work forever still lets a timer fire', async () => {
  const tw: TaskWork = new TaskWork(() => tw.run(), 100);
  let runs = 0;
  let stop = false;
  const spin = (): void => {
    runs++;
    if (!stop) tw.add(spin);
  };
  tw.add(spin);
  await new Promise<void>((resolve) => {
    setTimeout(() => {
      stop = true;
      resolve();
    }, 20);
  });
  assert.ok(runs > 100, `the work kept running (${runs} runs)`);
});

test('run() is not re-entrant: work that calls run() does not recurse', () => {
  const tw: TaskWork = new TaskWork(() => undefined);
  const order: string[] = [];
  tw.add(() => {
    order.push('a');
    tw.add(() => order.push('c'));
    tw.run();
    order.push('b');
  });
  tw.run();
  assert.deepEqual(order, ['a', 'b', 'c']);
});
