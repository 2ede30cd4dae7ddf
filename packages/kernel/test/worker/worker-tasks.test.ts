import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, Name, ObjectType, PauseFlags, RunFlags, type SystemCalls } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { dec, enc, expectErrno, krefOf, readAll, writeAll } from '../helpers.js';

const FIXTURE = new URL('../fixtures/worker-programs.ts', import.meta.url).href;
const pools: WorkerPool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

async function setup(options: { size?: number; stopGraceMs?: number } = {}) {
  const kernel = await Kernel.boot();
  const pool = useWorkers(kernel, { size: options.size ?? 2, stopGraceMs: options.stopGraceMs });
  pools.push(pool);
  const sys = kernel.init;
  const binaries = new Map<string, number>();
  const binary = async (program: string): Promise<number> => {
    const known = binaries.get(program);
    if (known !== undefined) return known;
    const bytes = kernel.registerProgram(`test-${program}`, { module: FIXTURE, export: program });
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, ref, bytes);
    binaries.set(program, ref);
    return ref;
  };
  return { kernel, pool, sys, binary };
}

async function exitStatus(sys: SystemCalls, task: number): Promise<number | undefined> {
  await sys.select([task]);
  return sys.ref(task).task?.exitStatus;
}

describe('worker tasks: running', () => {
  it('runs a module program in a worker thread: its calls reach the kernel and its status comes back', async () => {
    const { kernel, sys, binary } = await setup();
    const task = await sys.run(await binary('writer'), { argv: ['writer', 'from a worker', 'seed-1'] });
    expect(kernel.tasks.get([...kernel.tasks.keys()].at(-1)!)?.setup.placement).toBe('worker');
    expect(await exitStatus(sys, task)).toBe(3);
    const name = await Name.seeded(sys.groupNames[0]!, 'seed-1');
    const [blob] = await sys.lookup(name);
    expect(dec((await readAll(sys, blob!)).bytes)).toBe('from a worker');
    kernel.checkInvariants();
  });

  // Through a reference that may write the blob, the view is the blob's shared memory; through a READ-only one it
  // is a copy (lent memory is writable: a view would let the worker write the blob without WRITE), made in a shared
  // window of the task's own (so shared memory too, 1000, but the later commit does not show).
  it.each([
    ['may write the blob: shared memory, a later commit shows in the view (no copy)', true, 1042],
    ['is READ only: a copy in a window of its own, the later commit does not show', false, 1001],
  ])('a worker holding a read view through a reference that %s', async (_what, writable, expected) => {
    const { kernel, sys, binary } = await setup();
    const { ref: blob } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, blob, new Uint8Array(4096).fill(1));
    const { ref: go } = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const spec = writable ? { inputs: [go], outputs: [blob] } : { inputs: [blob, go] };
    const task = await sys.run(await binary('holdView'), { argv: ['holdView'], ...spec });
    // Wait until the worker holds its view (the blob then has a reader lease), then overwrite in place.
    const obj = krefOf(kernel, sys, blob).object;
    for (let i = 0; i < 1000 && ![...obj.refs].some((r) => r.leaseCount > 0); i++) await sleep(5);
    await writeAll(sys, blob, new Uint8Array(4096).fill(42));
    await writeAll(sys, go, enc('!'));
    expect(await exitStatus(sys, task)).toBe(expected);
    kernel.checkInvariants();
  });

  it('lends shared memory for writes too: the worker fills the buffer the commit copies from', async () => {
    const { sys, binary } = await setup();
    const { ref: out } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const task = await sys.run(await binary('sharedWrite'), { argv: ['sharedWrite'], outputs: [out] });
    expect(await exitStatus(sys, task)).toBe(1);
    expect(dec((await readAll(sys, out)).bytes)).toBe('worker!!');
  });

  it("a program that runs as thread or worker gives the same result (placement is the caller's choice)", async () => {
    const { sys, binary } = await setup();
    const bin = await binary('writer');
    const a = await sys.run(bin, { argv: ['writer', 'x', 'seed-thread'], placement: 'thread' });
    const b = await sys.run(bin, { argv: ['writer', 'x', 'seed-worker'], placement: 'worker' });
    expect(await exitStatus(sys, a)).toBe(3);
    expect(await exitStatus(sys, b)).toBe(3);
  });

  it('reuses pooled threads: ten tasks in a row start at most one thread', async () => {
    const { sys, pool, binary } = await setup({ size: 2 });
    for (let i = 0; i < 10; i++) {
      const task = await sys.run(await binary('writer'), { argv: ['writer', `${i}`, `seed-pool-${i}`] });
      expect(await exitStatus(sys, task)).toBe(3);
    }
    expect(pool.threadsStarted).toBe(1);
  });

  it('runs many tasks at once (more than the pool keeps): none waits for a thread', async () => {
    const { sys, binary } = await setup({ size: 1 });
    const tasks = await Promise.all(
      Array.from({ length: 6 }, async (_, i) =>
        sys.run(await binary('writer'), { argv: ['writer', 'y', `seed-many-${i}`] }),
      ),
    );
    for (const t of tasks) expect(await exitStatus(sys, t)).toBe(3);
    // Six thread starts took 4-5 s on a loaded 2-core machine, near vitest's 5 s default.
  }, 30_000);
});

describe('worker tasks: failure', () => {
  it('a program that throws exits with status 1, its error recorded; its objects are released and the kernel goes on', async () => {
    const { kernel, sys, binary } = await setup();
    const failures: unknown[] = [];
    kernel.onTaskFailure = (_t, e) => failures.push(e);
    const bin = await binary('thrower');
    const before = kernel.objects.size;
    const task = await sys.run(bin, { argv: ['thrower'] });
    expect(await exitStatus(sys, task)).toBe(1);
    expect(String((failures[0] as Error).message)).toContain('thrown on purpose by thrower');
    await sys.delete(task);
    expect(kernel.objects.size).toBe(before);
    kernel.checkInvariants();
    const again = await sys.run(await binary('writer'), { argv: ['writer', 'z', 'after-throw'] });
    expect(await exitStatus(sys, again)).toBe(3);
  });

  it('a task whose thread dies exits with status 1 and the pool replaces the thread', async () => {
    const { kernel, sys, pool, binary } = await setup();
    const failures: unknown[] = [];
    kernel.onTaskFailure = (_t, e) => failures.push(e);
    const task = await sys.run(await binary('threadKiller'), { argv: ['threadKiller'] });
    expect(await exitStatus(sys, task)).toBe(1);
    expect(String((failures[0] as Error).message)).toMatch(/exited with code 3/);
    await sys.delete(task);
    kernel.checkInvariants();
    const again = await sys.run(await binary('writer'), { argv: ['writer', 'z', 'after-death'] });
    expect(await exitStatus(sys, again)).toBe(3);
    expect(pool.threadsStarted).toBe(2);
    // Two thread starts from the sources (each loads tsx): over vitest's 5 s on a loaded machine.
  }, 20_000);

  it('a task the kernel ends while it computes is stopped: its thread is terminated, the kernel goes on', async () => {
    const { kernel, sys, pool, binary } = await setup({ stopGraceMs: 50 });
    const task = await sys.run(await binary('forever'), { argv: ['forever'] });
    await sleep(100);
    const obj = [...kernel.tasks.values()].find((t) => t.setup.argv[0] === 'forever')!;
    kernel.exitTask(obj, 9);
    expect(await exitStatus(sys, task)).toBe(9);
    for (let i = 0; i < 100 && pool.threads > 0; i++) await sleep(10);
    expect(pool.threads).toBe(0);
  });

  it('a task that exits by deleting itself keeps the status of that exit', async () => {
    const { sys, binary } = await setup();
    const task = await sys.run(await binary('selfExit'), { argv: ['selfExit'] });
    expect(await exitStatus(sys, task)).toBe(0);
  });
});

describe('worker tasks: pause and resume', () => {
  it('a paused worker task makes no progress until resumed', async () => {
    const { kernel, sys, binary } = await setup();
    const { ref: out } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const task = await sys.run(await binary('counter'), { argv: ['counter', '8000'], outputs: [out] });
    for (let i = 0; i < 1000 && sys.ref(out).size < 4; i++) await sleep(5);
    await sys.pause(task);
    await sleep(20);
    const a = new DataView((await readAll(sys, out)).bytes.buffer).getUint32(0);
    await sleep(80);
    const b = new DataView((await readAll(sys, out)).bytes.buffer).getUint32(0);
    expect(b).toBe(a);
    expect(sys.ref(task).task?.state).toBe('paused');
    await sys.pause(task, PauseFlags.RESUME);
    const progress = async () => new DataView((await readAll(sys, out)).bytes.buffer).getUint32(0);
    let c = await progress();
    for (let i = 0; i < 500 && c === b; i++) {
      await sleep(10);
      c = await progress();
    }
    expect(c).toBeGreaterThan(b);
    expect(await exitStatus(sys, task)).toBe(0);
    expect(new DataView((await readAll(sys, out)).bytes.buffer).getUint32(0)).toBe(8000);
    kernel.checkInvariants();
  }, 30_000);
});

describe('worker tasks: pure mode', () => {
  it('a pure task cannot import host modules nor reach fetch or process.binding; computation modules stay', async () => {
    const { sys, binary } = await setup();
    const task = await sys.run(await binary('probeHost'), { argv: ['probe'] }, RunFlags.PURE);
    expect(await exitStatus(sys, task)).toBe(64);
  });

  it('the same probe outside pure mode reaches the host (the test can tell)', async () => {
    const { sys, binary } = await setup();
    const task = await sys.run(await binary('probeHost'), { argv: ['probe'] });
    expect(await exitStatus(sys, task)).toBe(1 | 2 | 4 | 8 | 16 | 32 | 64);
  });

  it('PURE needs a worker: a function program or an in-thread placement is ENOTSUP; a bad placement is EINVAL', async () => {
    const { kernel, sys, binary } = await setup();
    const fnBin = kernel.registerProgram('fn-program', () => 0);
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, ref, fnBin);
    await expectErrno(sys.run(ref, { argv: ['f'] }, RunFlags.PURE), 'ENOTSUP', 'flags');
    await expectErrno(sys.run(ref, { argv: ['f'], placement: 'worker' }), 'ENOTSUP', 'spec.placement');
    await expectErrno(
      sys.run(await binary('writer'), { argv: ['w'], placement: 'thread' }, RunFlags.PURE),
      'ENOTSUP',
      'flags',
    );
    await expectErrno(
      sys.run(await binary('writer'), { argv: ['w'], placement: 'gpu' as never }),
      'EINVAL',
      'spec.placement',
    );
    const tasks = kernel.tasks.size;
    expect(kernel.tasks.size).toBe(tasks);
  });

  it('without a worker executor, placement worker is ENOTSUP and module programs run in the kernel thread', async () => {
    const kernel = await Kernel.boot();
    const sys = kernel.init;
    const bytes = kernel.registerProgram('w', { module: FIXTURE, export: 'writer' });
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, ref, bytes);
    await expectErrno(sys.run(ref, { argv: ['w'], placement: 'worker' }), 'ENOTSUP', 'spec.placement');
    const task = await sys.run(ref, { argv: ['w', 'in thread', 'seed-t'] });
    expect(await exitStatus(sys, task)).toBe(3);
  });
});

describe('worker tasks: monitoring', () => {
  it('a worker task reports its CPU time and heap', async () => {
    const { kernel, sys, binary } = await setup();
    const task = await sys.run(await binary('busy'), { argv: ['busy', '150'] });
    const obj = [...kernel.tasks.values()].find((t) => t.setup.argv[0] === 'busy')!;
    expect(await exitStatus(sys, task)).toBe(0);
    expect(obj.stats.cpuMs).toBeGreaterThan(50);
    expect(obj.stats.memoryBytes).toBeGreaterThan(0);
  });
});

describe('worker tasks: registerProgram', () => {
  it('rejects malformed module programs with EINVAL naming the field', async () => {
    const kernel = await Kernel.boot();
    await expectErrno(() => kernel.registerProgram('a', { module: './relative.js' }), 'EINVAL', 'program.module');
    await expectErrno(() => kernel.registerProgram('a', { module: FIXTURE, export: '' }), 'EINVAL', 'program.export');
    await expectErrno(
      () => kernel.registerProgram('a', { module: FIXTURE, extra: 1 } as never),
      'EINVAL',
      'program.extra',
    );
    await expectErrno(() => kernel.registerProgram('a', 42 as never), 'EINVAL', 'program');
  });

  it('a module without the named export: the task fails with ENOEXEC', async () => {
    const { kernel, sys } = await setup();
    const failures: unknown[] = [];
    kernel.onTaskFailure = (_t, e) => failures.push(e);
    const bytes = kernel.registerProgram('missing', { module: FIXTURE, export: 'noSuchProgram' });
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, ref, bytes);
    const task = await sys.run(ref, { argv: ['m'] });
    expect(await exitStatus(sys, task)).toBe(1);
    expect((failures[0] as { code?: string }).code).toBe('ENOEXEC');
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
