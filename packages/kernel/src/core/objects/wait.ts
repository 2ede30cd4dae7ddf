/**
 * Blocking without threads: a wait queue objects notify on every state change,
 * and {@link block}, which re-checks a condition after each notification.
 * @module
 */
import { errors } from '../abi/errors.js';
import { systemClock, type Clock } from './clock.js';

/** Callbacks waiting for the next change of some object; {@link WaitQueue.notify} wakes them all. */
export class WaitQueue {
  #waiters = new Set<() => void>();

  /** Wakes every current waiter. */
  notify(): void {
    if (this.#waiters.size === 0) return;
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Calls `wake` at the next notify; returns a function that cancels the registration. */
  register(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }

  /** Number of registered waiters (for tests and invariants). */
  get size(): number {
    return this.#waiters.size;
  }
}

/** How {@link block} may end other than with a value. */
export interface BlockOptions {
  /** System call name for errors. */
  syscall: string;
  /** Fail with EAGAIN rather than wait. */
  nonblock?: boolean;
  /** Give up with ETIMEDOUT after this many milliseconds. */
  timeoutMs?: number | undefined;
  /** What the timeout is measured on (default: the wall clock). */
  clock?: Clock;
}

/**
 * Returns the first non-undefined result of `check`, re-running it whenever
 * one of `queues` is notified. `check` may throw to end the wait with an
 * error (a reference deleted, the task exited).
 */
export async function block<T>(
  check: () => T | undefined,
  queues: readonly WaitQueue[],
  options: BlockOptions,
): Promise<T> {
  let value = check();
  if (value !== undefined) return value;
  if (options.nonblock) throw errors.EAGAIN(options.syscall, undefined, 'the call would block and NONBLOCK was given');
  const clock = options.clock ?? systemClock;
  const deadline = options.timeoutMs === undefined ? undefined : clock.now() + options.timeoutMs;
  for (;;) {
    const timedOut = await new Promise<boolean>((resolve) => {
      const cancels: (() => void)[] = [];
      const finish = (timeout: boolean) => {
        for (const cancel of cancels) cancel();
        resolve(timeout);
      };
      for (const q of queues) cancels.push(q.register(() => finish(false)));
      if (deadline !== undefined) cancels.push(clock.setTimer(Math.max(0, deadline - clock.now()), () => finish(true)));
    });
    value = check();
    if (value !== undefined) return value;
    if (timedOut)
      throw errors.ETIMEDOUT(options.syscall, 'timeoutMs', `nothing was ready within ${options.timeoutMs} ms`);
  }
}
