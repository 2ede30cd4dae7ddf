import { describe, expect, it } from 'vitest';
import { block, WaitQueue } from '../src/core/objects/wait.js';
import { errors } from '@dios/kernel';
import { expectErrno, flush, track } from './helpers.js';

describe('WaitQueue', () => {
  it('notify wakes every registered waiter once', () => {
    const q = new WaitQueue();
    const calls: string[] = [];
    q.register(() => calls.push('a'));
    q.register(() => calls.push('b'));
    expect(q.size).toBe(2);
    q.notify();
    expect(calls.sort()).toEqual(['a', 'b']);
    expect(q.size).toBe(0);
    q.notify();
    expect(calls).toHaveLength(2);
  });

  it('the returned function cancels a registration', () => {
    const q = new WaitQueue();
    let woken = 0;
    const cancel = q.register(() => woken++);
    q.register(() => woken++);
    cancel();
    expect(q.size).toBe(1);
    q.notify();
    expect(woken).toBe(1);
  });

  it('a waiter registered while notify runs waits for the next notify', () => {
    const q = new WaitQueue();
    const calls: string[] = [];
    q.register(() => {
      calls.push('first');
      q.register(() => calls.push('second'));
    });
    q.notify();
    expect(calls).toEqual(['first']);
    expect(q.size).toBe(1);
    q.notify();
    expect(calls).toEqual(['first', 'second']);
  });
});

describe('block', () => {
  it('returns at once when the check is already satisfied, without registering', async () => {
    const q = new WaitQueue();
    const p = block(() => 'now', [q], { syscall: 't' });
    expect(q.size).toBe(0);
    await expect(p).resolves.toBe('now');
  });

  it('treats only undefined as "not ready": 0, false, null and "" are results', async () => {
    for (const v of [0, false, null, '']) {
      await expect(block(() => v, [], { syscall: 't', nonblock: true })).resolves.toBe(v);
    }
  });

  it('with nonblock fails with EAGAIN instead of waiting', async () => {
    const q = new WaitQueue();
    const err = await expectErrno(
      block(() => undefined, [q], { syscall: 'mycall', nonblock: true }),
      'EAGAIN',
    );
    expect(err.syscall).toBe('mycall');
    expect(q.size).toBe(0);
  });

  it('waits, re-checks after each notify and returns the first defined result', async () => {
    const q = new WaitQueue();
    let state: number | undefined = undefined;
    let checks = 0;
    const t = track(
      block(
        () => {
          checks++;
          return state;
        },
        [q],
        { syscall: 't' },
      ),
    );
    await flush(1);
    expect(t.settled).toBe(false);
    q.notify(); // still undefined: keeps waiting
    await flush(1);
    expect(t.settled).toBe(false);
    expect(checks).toBe(2);
    state = 42;
    await flush(1);
    expect(t.settled).toBe(false); // no notify, no re-check
    q.notify();
    await expect(t.promise).resolves.toBe(42);
    expect(checks).toBe(3);
    expect(q.size).toBe(0);
  });

  it('wakes on any of several queues and unregisters from all of them', async () => {
    const q1 = new WaitQueue();
    const q2 = new WaitQueue();
    let ready = false;
    const p = block(() => (ready ? 'yes' : undefined), [q1, q2], { syscall: 't' });
    await flush(1);
    expect(q1.size).toBe(1);
    expect(q2.size).toBe(1);
    ready = true;
    q2.notify();
    await expect(p).resolves.toBe('yes');
    expect(q1.size).toBe(0);
    expect(q2.size).toBe(0);
  });

  it('ends with the error the check throws', async () => {
    const q = new WaitQueue();
    let fail = false;
    const t = track(
      block(
        () => {
          if (fail) throw errors.EBADF('t', 'ref', 'deleted');
          return undefined;
        },
        [q],
        { syscall: 't' },
      ),
    );
    await flush(1);
    fail = true;
    q.notify();
    await expectErrno(t.promise, 'EBADF', 'ref');
    expect(q.size).toBe(0);
  });

  it('gives up with ETIMEDOUT after timeoutMs, and no earlier', async () => {
    const q = new WaitQueue();
    const start = Date.now();
    const t = track(block(() => undefined, [q], { syscall: 'select', timeoutMs: 20 }));
    await flush(5);
    expect(t.settled).toBe(false);
    const err = await expectErrno(t.promise, 'ETIMEDOUT', 'timeoutMs');
    expect(err.syscall).toBe('select');
    expect(Date.now() - start).toBeGreaterThanOrEqual(19);
    expect(q.size).toBe(0);
  });

  it('keeps its deadline across notifications that do not satisfy the check', async () => {
    const q = new WaitQueue();
    const start = Date.now();
    const t = track(block(() => undefined, [q], { syscall: 't', timeoutMs: 30 }));
    for (let i = 0; i < 4; i++) {
      await flush(5);
      q.notify();
    }
    await expectErrno(t.promise, 'ETIMEDOUT');
    // The deadline is not restarted by each notification.
    expect(Date.now() - start).toBeLessThan(30 + 25);
  });

  it('a result that arrives before the deadline wins over the timeout', async () => {
    const q = new WaitQueue();
    let v: string | undefined = undefined;
    const p = block(() => v, [q], { syscall: 't', timeoutMs: 40 });
    await flush(5);
    v = 'done';
    q.notify();
    await expect(p).resolves.toBe('done');
  });
});
