/** libd's sleep: a wait on the kernel's clock (a select on the task's own reference with a timeout). */
import { describe, expect, it } from 'vitest';
import { Kernel, type Clock } from '@dios/kernel';
import { sleep } from '@dios/libd';

function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  const timers: { at: number; fire: () => void }[] = [];
  return {
    now: () => now,
    setTimer(ms, fire) {
      const t = { at: now + ms, fire };
      timers.push(t);
      return () => void timers.splice(timers.indexOf(t) >>> 0, 1);
    },
    advance(ms) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fire();
      }
    },
  };
}

describe('sleep', () => {
  it("ends when the kernel's clock has moved on by the time asked, not before", async () => {
    const clock = manualClock();
    const kernel = await Kernel.boot({ clock });
    let woke = false;
    const sleeping = sleep(kernel.init, 100).then(() => (woke = true));
    clock.advance(99);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(woke).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
  });

  it('leaves the task with the references it had', async () => {
    const kernel = await Kernel.boot();
    const before = kernel.init.handles;
    await sleep(kernel.init, 0);
    expect(kernel.init.handles).toEqual(before);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 31])('%s ms is EINVAL naming ms', async (ms) => {
    const kernel = await Kernel.boot();
    await expect(sleep(kernel.init, ms)).rejects.toMatchObject({ code: 'EINVAL', argument: 'ms' });
  });
});
