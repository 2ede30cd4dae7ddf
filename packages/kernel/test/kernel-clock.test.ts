/**
 * The kernel's host hooks for time, entropy and program calls (KernelOptions.clock,
 * randomBytes, programCalls): select's timeouts wait on the kernel's clock, not the wall
 * clock, and fresh names come from the given source, so a simulation that
 * passes both decides when timeouts fire and replays names from a seed.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, ObjectType, programBinary, type KernelOptions } from '@dios/kernel';

/** A clock whose time moves only when told to. */
function manualClock(): NonNullable<KernelOptions['clock']> & { advance(ms: number): void; timers: number } {
  let now = 1_000;
  const timers = new Map<number, { at: number; fire: () => void }>();
  let next = 0;
  return {
    now: () => now,
    setTimer(ms, fire) {
      const id = next++;
      timers.set(id, { at: now + ms, fire });
      return () => timers.delete(id);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers]) {
        if (t.at > now) continue;
        timers.delete(id);
        t.fire();
      }
    },
    get timers() {
      return timers.size;
    },
  };
}

function counterBytes(seed: number): (bytes: Uint8Array) => void {
  let n = seed;
  return (bytes) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = n++ & 0xff;
  };
}

describe('KernelOptions.clock', () => {
  it("select's timeout fires when the kernel's clock reaches it, and not before", async () => {
    const clock = manualClock();
    const kernel = await Kernel.boot({ clock });
    const { ref } = await kernel.init.create(ObjectType.SHARED_MEMORY_STREAM);
    let outcome: unknown;
    const waiting = kernel.init.select([ref], { timeoutMs: 50 }).then(
      () => (outcome = 'ready'),
      (e: unknown) => (outcome = e),
    );
    await new Promise((resolve) => setTimeout(resolve, 80)); // real time passes: nothing happens
    expect(outcome).toBeUndefined();
    expect(clock.timers).toBe(1);
    clock.advance(49);
    await Promise.resolve();
    expect(outcome).toBeUndefined();
    clock.advance(1);
    await waiting;
    expect(outcome).toMatchObject({ code: 'ETIMEDOUT', argument: 'timeoutMs' });
    expect(clock.timers).toBe(0);
  });

  it('a select that ends early cancels its timer', async () => {
    const clock = manualClock();
    const kernel = await Kernel.boot({ clock });
    const { ref } = await kernel.init.create(ObjectType.SHARED_MEMORY_STREAM);
    const waiting = kernel.init.select([ref], { timeoutMs: 1_000 });
    expect(clock.timers).toBe(1);
    const buf = await kernel.init.beginWrite(ref, 1);
    await kernel.init.endWrite(ref, buf);
    await expect(waiting).resolves.toBe(ref);
    expect(clock.timers).toBe(0);
  });

  it("stamps provenance records with the kernel's clock", async () => {
    const clock = manualClock();
    const kernel = await Kernel.boot({ clock });
    clock.advance(5);
    const { ref } = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB);
    const buf = await kernel.init.beginWrite(ref, 1);
    await kernel.init.endWrite(ref, buf);
    const records = kernel.provenance!.records();
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.at === 1_005)).toBe(true);
  });
});

describe('KernelOptions.randomBytes', () => {
  it('two kernels with the same source give the same fresh names, in the same order', async () => {
    const names = async () => {
      const kernel = await Kernel.boot({ id: 'k', randomBytes: counterBytes(7) });
      const a = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB);
      const b = await kernel.init.create(ObjectType.GROUP);
      const task = await kernel.attachTask(['t']);
      return [a.name.key, b.name.key, task.taskName.key];
    };
    const first = await names();
    expect(await names()).toEqual(first);
    expect(first[0]).toBe(Array.from({ length: 32 }, (_, i) => (7 + i).toString(16).padStart(2, '0')).join(''));
    expect(new Set(first).size).toBe(3);
  });

  it('without a source, names are random (two kernels differ)', async () => {
    const one = await (await Kernel.boot({ id: 'k' })).init.create(ObjectType.SHARED_MEMORY_BLOB);
    const two = await (await Kernel.boot({ id: 'k' })).init.create(ObjectType.SHARED_MEMORY_BLOB);
    expect(one.name.key).not.toBe(two.name.key);
  });

  it('a source that is not a function is EINVAL naming the option', async () => {
    await expect(Kernel.boot({ randomBytes: 42 as never })).rejects.toMatchObject({
      code: 'EINVAL',
      argument: 'options.randomBytes',
    });
  });
});

describe('KernelOptions.programCalls', () => {
  it("wraps the calls of every in-thread program, and the wrapped calls still act as the task's own", async () => {
    const seen: string[] = [];
    const kernel = await Kernel.boot({
      programCalls: (sys) =>
        new Proxy(sys, {
          get(target, key) {
            const value = Reflect.get(target, key) as unknown;
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              seen.push(`${target.argv[0]}:${String(key)}`);
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        }),
    });
    kernel.registerProgram('maker', async (sys) => {
      await sys.create(ObjectType.SHARED_MEMORY_BLOB);
      return 7;
    });
    const binary = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB);
    const bytes = programBinary('maker');
    const buf = await kernel.init.beginWrite(binary.ref, bytes.length);
    buf.set(bytes);
    await kernel.init.endWrite(binary.ref, buf);
    const task = await kernel.init.run(binary.ref, { argv: ['maker'] });
    await kernel.init.select([task]);
    expect(kernel.init.ref(task).task?.exitStatus).toBe(7);
    expect(seen).toEqual(['maker:create']);
    // The host's own init is not a program: its calls are not wrapped.
    expect(seen.some((s) => s.startsWith('init'))).toBe(false);
  });

  it('a wrapper that is not a function is EINVAL naming the option', async () => {
    await expect(Kernel.boot({ programCalls: 'x' as never })).rejects.toMatchObject({
      code: 'EINVAL',
      argument: 'options.programCalls',
    });
  });
});

describe('KernelOptions.randomBytes that repeats itself', () => {
  it('gets EIO naming the option, never a second object of the same name', async () => {
    const kernel = await Kernel.boot({ randomBytes: (bytes) => bytes.fill(7) });
    const first = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB);
    await expect(kernel.init.create(ObjectType.SHARED_MEMORY_BLOB)).rejects.toMatchObject({
      code: 'EIO',
      argument: 'options.randomBytes',
    });
    await expect(kernel.attachTask(['t'])).rejects.toMatchObject({ code: 'EIO' });
    expect(kernel.objects.get(first.name.key)?.type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    kernel.checkInvariants();
  });
});
