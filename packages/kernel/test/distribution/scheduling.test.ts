/**
 * run with spec.kernel '*': the kernel's scheduling policy places the task,
 * by default where most of its input bytes live, else on the least-loaded
 * kernel, else on the caller; a custom policy is used as given; a policy
 * that fails or picks no candidate is EIO, and nothing is started.
 */
import { describe, expect, it } from 'vitest';
import {
  ANY_KERNEL,
  Kernel,
  localityPolicy,
  LoopbackNetwork,
  nodeLoad,
  ObjectType,
  programBinary,
  type PlacementRequest,
} from '@dios/kernel';
import { blobWith, expectErrno, writeAll } from '../helpers.js';
import { cluster, type Cluster } from './cluster.js';

let programs = 0;

/** Registers a program that reports the kernel it ran on (into its first output) on every kernel; returns its binary on `from`. */
async function installEverywhere(c: Cluster, from: string, hold?: Promise<void>): Promise<number> {
  const id = `where-${++programs}`;
  for (const kernel of Object.values(c.k)) {
    kernel.registerProgram(id, async (sys) => {
      await hold;
      const [out] = sys.outputs;
      if (out !== undefined) await writeAll(sys, out, new TextEncoder().encode(sys.kernelId));
      return 0;
    });
  }
  return (await blobWith(c.sys[from]!, programBinary(id))).ref;
}

async function ranOn(c: Cluster, from: string, out: number, task: number): Promise<string> {
  const sys = c.sys[from]!;
  await sys.select([task]);
  const view = await sys.beginRead(out);
  const text = new TextDecoder().decode(view.slice());
  await sys.endRead(out, view);
  return text;
}

describe('scheduling: run on any kernel', () => {
  it('places the task where most of its input bytes live', async () => {
    const c = await cluster('a', 'b', 'c');
    const bin = await installEverywhere(c, 'a');
    // The big input lives on b, a small one on a.
    const { name } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const [bigOnB] = await c.sys.b!.lookup(name);
    await writeAll(c.sys.b!, bigOnB!, new Uint8Array(100_000));
    const [remoteBig] = await c.sys.a!.lookup(name);
    const small = (await blobWith(c.sys.a!, new Uint8Array(10))).ref;
    const out = (await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
    const task = await c.sys.a!.run(bin, {
      argv: ['where'],
      inputs: [small, remoteBig!],
      outputs: [out],
      kernel: ANY_KERNEL,
    });
    expect(await ranOn(c, 'a', out, task)).toBe('b');
    c.check();
  });

  it('without inputs, places the task on the least-loaded kernel (running tasks)', async () => {
    const c = await cluster('a', 'b', 'c');
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const busyBin = await installEverywhere(c, 'a', hold);
    // Two held tasks on a, one on b: c is the least loaded.
    const held = [
      await c.sys.a!.run(busyBin, { argv: ['busy'] }),
      await c.sys.a!.run(busyBin, { argv: ['busy'] }),
      await c.sys.a!.run(busyBin, { argv: ['busy'], kernel: 'b' }),
    ];
    expect(nodeLoad(c.k.a!).runningTasks).toBe(2);
    const bin = await installEverywhere(c, 'a');
    const out = (await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
    const task = await c.sys.a!.run(bin, { argv: ['where'], outputs: [out], kernel: ANY_KERNEL });
    expect(await ranOn(c, 'a', out, task)).toBe('c');
    release();
    await c.sys.a!.select([held[0]!]);
  });

  it('with nothing to tell kernels apart, stays on the caller; a lone kernel runs locally', async () => {
    const c = await cluster('a', 'b');
    const bin = await installEverywhere(c, 'a');
    const out = (await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
    expect(
      await ranOn(c, 'a', out, await c.sys.a!.run(bin, { argv: ['where'], outputs: [out], kernel: ANY_KERNEL })),
    ).toBe('a');
    const lone = await Kernel.boot({ id: 'lone' });
    lone.registerProgram('p', () => 7);
    const b = (await blobWith(lone.init, programBinary('p'))).ref;
    const t = await lone.init.run(b, { argv: ['p'], kernel: ANY_KERNEL });
    await lone.init.select([t]);
    expect(lone.init.ref(t).task?.exitStatus).toBe(7);
  });

  it("uses the kernel's own policy; a policy that throws or names no candidate is EIO and starts nothing", async () => {
    const seen: PlacementRequest[] = [];
    const c = await cluster('a', 'b');
    const bin = await installEverywhere(c, 'a');
    c.k.a!.scheduler = {
      place(request) {
        seen.push(request);
        return 'b';
      },
    };
    const out = (await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
    expect(
      await ranOn(c, 'a', out, await c.sys.a!.run(bin, { argv: ['where'], outputs: [out], kernel: ANY_KERNEL })),
    ).toBe('b');
    expect(seen[0]!.caller).toBe('a');
    expect(seen[0]!.candidates.map((x) => x.kernel).sort()).toEqual(['a', 'b']);
    const tasks = c.k.a!.tasks.size + c.k.b!.tasks.size;
    c.k.a!.scheduler = { place: () => 'nowhere' };
    await expectErrno(c.sys.a!.run(bin, { argv: ['where'], kernel: ANY_KERNEL }), 'EIO', 'spec.kernel');
    c.k.a!.scheduler = {
      place: () => {
        throw new Error('broken policy');
      },
    };
    await expectErrno(c.sys.a!.run(bin, { argv: ['where'], kernel: ANY_KERNEL }), 'EIO', 'spec.kernel');
    expect(c.k.a!.tasks.size + c.k.b!.tasks.size).toBe(tasks);
    c.k.a!.scheduler = localityPolicy;
  });

  it('never places a task on a kernel booted schedulable: false (a client), even where its input lives; EAGAIN when no kernel takes it', async () => {
    await expectErrno(Kernel.boot({ schedulable: 'no' as unknown as boolean }), 'EINVAL', 'options.schedulable');
    const net = new LoopbackNetwork();
    const cluster = `client-test-${Math.random().toString(36).slice(2)}`;
    const client = await Kernel.boot({ id: 'client', cluster, schedulable: false });
    client.join(net.connect('client'));
    const sys = await client.attachTask(['host-client']);
    client.registerProgram('where', async (s) => {
      const [out] = s.outputs;
      await writeAll(s, out!, new TextEncoder().encode(s.kernelId));
      return 0;
    });
    const bin = (await blobWith(sys, programBinary('where'))).ref;
    const input = (await blobWith(sys, new Uint8Array(50_000))).ref;
    const out = (await sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
    // Alone: nobody takes it, nothing starts; naming the kernel explicitly still runs here.
    const tasks = client.tasks.size;
    await expectErrno(
      sys.run(bin, { argv: ['where'], inputs: [input], outputs: [out], kernel: ANY_KERNEL }),
      'EAGAIN',
      'spec.kernel',
    );
    expect(client.tasks.size).toBe(tasks);
    expect(nodeLoad(client).schedulable).toBe(false);
    const explicit = await sys.run(bin, { argv: ['where'], outputs: [out], kernel: 'client' });
    await sys.select([explicit]);
    // With a schedulable peer, the task goes there although all its input bytes are on the client.
    const worker = await Kernel.boot({ id: 'worker', cluster });
    worker.join(net.connect('worker'));
    worker.registerProgram('where', async (s) => {
      const [o] = s.outputs;
      await writeAll(s, o!, new TextEncoder().encode(s.kernelId));
      return 0;
    });
    const task = await sys.run(bin, { argv: ['where'], inputs: [input], outputs: [out], kernel: ANY_KERNEL });
    await sys.select([task]);
    const view = await sys.beginRead(out);
    expect(new TextDecoder().decode(view.slice())).toBe('worker');
    await sys.endRead(out, view);
  });

  it('the default policy: ties broken by load, then the caller', () => {
    const load = (kernel: string, runningTasks: number) => ({ kernel, runningTasks, workerCpuMs: undefined });
    const place = (inputBytes: Record<string, number>, candidates: ReturnType<typeof load>[]) =>
      localityPolicy.place({ caller: 'a', argv: [], inputBytes, candidates });
    expect(place({ b: 5, c: 5 }, [load('a', 0), load('b', 3), load('c', 1)])).toBe('c');
    expect(place({}, [load('a', 2), load('b', 2)])).toBe('a');
    expect(place({}, [load('b', 2), load('a', 2)])).toBe('a');
    expect(place({ a: 1 }, [load('a', 9), load('b', 0)])).toBe('a');
  });
});
