/**
 * The flow policy in kernels: booted in-process over a loopback network with
 * `scheduler: flowPolicy()` and `slots`, run with kernel '*' puts a task by
 * its input data; a program seen as memory-bound is kept away from kernels
 * running memory tasks (and a CPU-bound one is not); the class travels in
 * load replies (`programClass`), and the caller goes by the peers' majority.
 */
import { describe, expect, it } from 'vitest';
import {
  ANY_KERNEL,
  DEFAULT_SLOTS,
  flowPolicy,
  Kernel,
  LoopbackNetwork,
  nodeLoad,
  ObjectType,
  programBinary,
  programKey,
  type PlacementRequest,
  type SystemCalls,
} from '@dios/kernel';
import { TaskStats } from '../../src/core/objects/task-stats.js';
import { blobWith, expectErrno, writeAll } from '../helpers.js';

interface World {
  k: Record<string, Kernel>;
  sys: SystemCalls;
  release: () => void;
  /** Binaries on a, by program. */
  bin: Record<string, number>;
  /** What a's policy was asked. */
  seen: PlacementRequest[];
}

let worlds = 0;
const PROGRAMS = ['mm', 'pi', 'fresh'];

/** Kernels with the flow policy and 4 slots; programs that write where they ran and, with argv[1] 'hold', wait. */
async function world(ids = ['a', 'b', 'c']): Promise<World> {
  const net = new LoopbackNetwork();
  const cluster = `flow-policy-${++worlds}-${Math.random().toString(36).slice(2)}`;
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  const k: Record<string, Kernel> = {};
  const seen: PlacementRequest[] = [];
  for (const id of ids) {
    k[id] = await Kernel.boot({ id, cluster, slots: 4, scheduler: flowPolicy() });
    for (const p of PROGRAMS)
      k[id].registerProgram(p, async (s) => {
        const [out] = s.outputs;
        if (out !== undefined) await writeAll(s, out, new TextEncoder().encode(s.kernelId));
        if (s.argv[1] === 'hold') await hold;
        return 0;
      });
    k[id].join(net.connect(id));
  }
  const inner = k.a!.scheduler;
  k.a!.scheduler = {
    place(request) {
      seen.push(request);
      return inner.place(request);
    },
  };
  const sys = await k.a!.attachTask(['host-a']);
  const bin: Record<string, number> = {};
  for (const p of PROGRAMS) bin[p] = (await blobWith(sys, programBinary(p))).ref;
  return { k, sys, release, bin, seen };
}

/** Figures of a finished in-thread task that moved `bytes` in 100 ms. */
function figures(bytes: number): TaskStats {
  const s = new TaskStats();
  s.bytesRead = bytes;
  s.endedMono = s.startedMono + 100;
  return s;
}
const MEMORY = 1_000_000;
const CPU = 8;

/** Tells kernel `id` that runs of `program` moved `bytes` per 100 ms (as its exits would). */
function teach(w: World, id: string, program: string, bytes: number): void {
  w.k[id]!.profiles.exited(programKey(programBinary(program)), figures(bytes), false);
}

/** Runs `program` on any kernel (with `inputs`); resolves to the kernel it ran on. */
async function runAny(w: World, program: string, inputs: number[] = []): Promise<string> {
  const out = (await w.sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
  const task = await w.sys.run(w.bin[program]!, { argv: [program], inputs, outputs: [out], kernel: ANY_KERNEL });
  await w.sys.select([task]);
  const view = await w.sys.beginRead(out);
  const text = new TextDecoder().decode(view.slice());
  await w.sys.endRead(out, view);
  return text;
}

/** Starts `n` held runs of `program` on kernel `on`. */
async function holdOn(w: World, program: string, on: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await w.sys.run(w.bin[program]!, { argv: [program, 'hold'], kernel: on });
}

describe('flowPolicy in kernels', () => {
  it('puts a task where its input bytes live', async () => {
    const w = await world();
    const { name } = await w.k.c!.init.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const [onC] = await w.k.c!.init.lookup(name);
    await writeAll(w.k.c!.init, onC!, new Uint8Array(300_000));
    const [input] = await w.sys.lookup(name);
    const small = (await blobWith(w.sys, new Uint8Array(1000))).ref;
    expect(await runAny(w, 'fresh', [small, input!])).toBe('c');
    expect(w.seen.at(-1)!.inputBytes).toEqual({ a: 1000, c: 300_000 });
    // Loads carry slots and classes.
    for (const c of w.seen.at(-1)!.candidates) expect(c).toMatchObject({ slots: 4 });
    // Nothing to tell kernels apart: the caller.
    expect(await runAny(w, 'fresh')).toBe('a');
  });

  it('keeps a memory-bound program away from kernels running memory tasks; a cpu-bound one is not kept away', async () => {
    const w = await world();
    for (const id of ['a', 'b', 'c']) {
      teach(w, id, 'mm', MEMORY);
      teach(w, id, 'pi', CPU);
    }
    await holdOn(w, 'mm', 'a', 2);
    await holdOn(w, 'mm', 'b', 2);
    await holdOn(w, 'pi', 'c', 2);
    expect(nodeLoad(w.k.b!).classes).toEqual({ cpu: 0, memory: 2, unknown: 0 });
    expect(nodeLoad(w.k.c!).classes).toEqual({ cpu: 2, memory: 0, unknown: 0 });
    expect(await runAny(w, 'mm')).toBe('c');
    expect(w.seen.at(-1)!.taskClass).toBe('memory');
    // Pi pays 2 points per cpu task and 1 per memory task: a (the caller) or b, not c.
    expect(await runAny(w, 'pi')).toBe('a');
    expect(w.seen.at(-1)!.taskClass).toBe('cpu');
    // A program never seen: unknown, charged between.
    expect(await runAny(w, 'fresh')).toBe('c');
    expect(w.seen.at(-1)!.taskClass).toBe('unknown');
    w.release();
  });

  it('over slots only when every kernel is full: the one with free slots takes the task', async () => {
    const w = await world();
    await holdOn(w, 'fresh', 'a', 4);
    await holdOn(w, 'fresh', 'b', 4);
    await holdOn(w, 'fresh', 'c', 3);
    expect(await runAny(w, 'fresh')).toBe('c');
    await holdOn(w, 'fresh', 'c', 1);
    // All full: placed anyway (a run cannot wait), on the caller as nothing else differs.
    expect(await runAny(w, 'fresh')).toBe('a');
    w.release();
  });

  it("the class travels in load replies; the caller goes by the peers' majority (a tie is memory)", async () => {
    const w = await world(['a', 'b', 'c', 'd']);
    // a never ran mm2... only its peers did.
    teach(w, 'b', 'mm', MEMORY);
    teach(w, 'c', 'mm', CPU);
    teach(w, 'd', 'mm', CPU);
    expect(await runAny(w, 'mm')).toBeTruthy();
    const last = w.seen.at(-1)!;
    const classes = Object.fromEntries(last.candidates.map((c) => [c.kernel, c.programClass]));
    expect(classes).toEqual({ a: 'unknown', b: 'memory', c: 'cpu', d: 'cpu' });
    expect(last.taskClass).toBe('cpu');
    teach(w, 'a', 'mm', MEMORY);
    await runAny(w, 'mm');
    expect(w.seen.at(-1)!.taskClass).toBe('memory');
    // Nobody knows it: unknown.
    await runAny(w, 'fresh');
    expect(w.seen.at(-1)!.taskClass).toBe('unknown');
  });

  it('exits feed the class for real: a program that writes megabytes is memory on the kernel that ran it, and the caller learns it', async () => {
    const w = await world(['a', 'b']);
    const pause = () => new Promise((r) => setTimeout(r, 10));
    for (const k of Object.values(w.k)) {
      k.registerProgram('hog', async (s) => {
        const [out] = s.outputs;
        await writeAll(s, out!, new Uint8Array(2_000_000));
        await pause();
        return 0;
      });
      k.registerProgram('idle', async (s) => {
        const [out] = s.outputs;
        await writeAll(s, out!, new Uint8Array(8));
        await pause();
        return 0;
      });
    }
    for (const p of ['hog', 'idle']) {
      const bin = (await blobWith(w.sys, programBinary(p))).ref;
      const out = (await w.sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
      await w.sys.select([await w.sys.run(bin, { argv: [p], outputs: [out], kernel: 'b' })]);
    }
    expect(nodeLoad(w.k.b!, 'program:hog').programClass).toBe('memory');
    expect(nodeLoad(w.k.b!, 'program:idle').programClass).toBe('cpu');
    expect(nodeLoad(w.k.a!, 'program:hog').programClass).toBe('unknown');
    const bin = (await blobWith(w.sys, programBinary('hog'))).ref;
    const out = (await w.sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
    await w.sys.select([await w.sys.run(bin, { argv: ['hog'], outputs: [out], kernel: ANY_KERNEL })]);
    expect(w.seen.at(-1)!.taskClass).toBe('memory');
  });

  it('a kernel without slots reports none; the policy assumes DEFAULT_SLOTS; bad slots and weights are EINVAL', async () => {
    const k = await Kernel.boot({ id: 'plain' });
    expect(nodeLoad(k).slots).toBeUndefined();
    expect(DEFAULT_SLOTS).toBeGreaterThan(0);
    await expectErrno(Kernel.boot({ slots: -1 }), 'EINVAL', 'options.slots');
    await expectErrno(Kernel.boot({ slots: 4097 }), 'EINVAL', 'options.slots');
    await expectErrno(Kernel.boot({ slots: 1.5 }), 'EINVAL', 'options.slots');
    await expectErrno(() => flowPolicy({ bytesPerUnit: 0 }), 'EINVAL', 'options.bytesPerUnit');
    await expectErrno(() => flowPolicy({ nope: 1 } as never), 'EINVAL', 'options.nope');
    // With DEFAULT_SLOTS for a kernel that reports none: a full one (by that figure) loses to a free one.
    const load = (kernel: string, runningTasks: number) => ({ kernel, runningTasks, workerCpuMs: undefined });
    const place = flowPolicy().place({
      caller: 'x',
      argv: [],
      inputBytes: {},
      candidates: [load('x', DEFAULT_SLOTS), load('y', DEFAULT_SLOTS - 1)],
    });
    expect(place).toBe('y');
  });

  // BUG: choose() (core/syscalls/run.ts) sums input bytes in a plain object keyed by kernel id:
  // `inputBytes[home] ?? 0` reads Object.prototype's members for ids like 'constructor' or 'toString' (valid
  // kernel ids), so the sum becomes a string ("function Object() { [native code] }300000"); the flow policy's
  // checkTask then refuses it (EINVAL task.inputBytes.constructor) and every run '*' with an input held there
  // fails with EIO. ('__proto__' silently loses the bytes instead.) Fix: Object.create(null) or a Map, and
  // Object.hasOwn in the greedy policy's score.
  it("a run whose input lives on a kernel named 'constructor' runs there", async () => {
    const w = await world(['a', 'constructor']);
    const home = new Map(Object.entries(w.k)).get('constructor')!;
    const { name } = await home.init.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const [held] = await home.init.lookup(name);
    await writeAll(home.init, held!, new Uint8Array(300_000));
    const [input] = await w.sys.lookup(name);
    expect(await runAny(w, 'fresh', [input!])).toBe('constructor');
  });

  it('runs made one at a time fill the caller, then the peer', async () => {
    const w = await world(['a', 'b']);
    for (let i = 0; i < 8; i++) await w.sys.run(w.bin.fresh!, { argv: ['fresh', 'hold'], kernel: ANY_KERNEL });
    expect([nodeLoad(w.k.a!).runningTasks, nodeLoad(w.k.b!).runningTasks]).toEqual([4, 4]);
    w.release();
  });

  // BUG (limitation): each run '*' asks the loads and places on its own, and a placement counts in no load until
  // its task starts, so runs made at once all see the same loads and herd: 8 concurrent runs from a all land on a
  // (4 slots) while b's 4 slots stay free, though one at a time they fill a and then b. Fix: the caller counts
  // its placements in flight (a reservation per chosen kernel until the run returns) in what the policy is told.
  it('runs made at once do not overfill one kernel while another has free slots', async () => {
    const w = await world(['a', 'b']);
    const runs = Array.from({ length: 8 }, () =>
      w.sys.run(w.bin.fresh!, { argv: ['fresh', 'hold'], kernel: ANY_KERNEL }),
    );
    await Promise.all(runs);
    try {
      expect([nodeLoad(w.k.a!).runningTasks, nodeLoad(w.k.b!).runningTasks]).toEqual([4, 4]);
    } finally {
      w.release();
    }
  });
});
