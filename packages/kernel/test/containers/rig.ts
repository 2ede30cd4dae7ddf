/**
 * What the container tests share: a kernel with worker threads and the
 * container programs installed, containers whose console text is kept,
 * binaries in a container's group, and "actors": tasks of a container whose
 * calls the test makes itself (their program never starts, as attachTask's
 * host tasks). The kernel checks a call the same whoever makes it (a worker
 * task's calls reach the same context), and an actor costs no thread, so
 * most attacks are made by actors and a few end to end by the agent program.
 */
import {
  CreateFlags,
  Kernel,
  ObjectType,
  programBinary,
  RunFlags,
  type Container,
  type ContainerEvent,
  type ContainerLimits,
  type KernelOptions,
  type SystemCalls,
} from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import type { TaskObject } from '../../src/core/objects/task.js';

/** The module of the container programs (test/fixtures/container-programs.ts). */
export const PROGRAMS = new URL('../fixtures/container-programs.ts', import.meta.url).href;
/** The programs of that module, registered by {@link rig} under their export names. */
export const PROGRAM_NAMES = ['hello', 'bomb', 'graceful', 'stubborn', 'agent'] as const;

const dec = new TextDecoder();

/** A task of a container driven by the test. */
export interface Actor {
  /** Its system calls. */
  readonly sys: SystemCalls;
  /** The kernel's task object. */
  readonly task: TaskObject;
  /** Init's handle on it. */
  readonly handle: number;
}

/** A kernel set up for container tests. */
export interface Rig {
  readonly kernel: Kernel;
  readonly pool: WorkerPool;
  /** Each container's console text, by id. */
  readonly out: Map<string, string>;
  /** Makes a container whose console text goes to `out`. */
  container(id: string, limits?: ContainerLimits): Container;
  /** Init's handle on a binary of `program`, named `bin-PROGRAM` in the container's group (so its tasks find it). */
  binary(c: Container, program: string): Promise<number>;
  /** Starts `program` in the container with argv [program, ...argv]; its binary is its input 0. */
  start(c: Container, program: string, argv?: string[]): Promise<Actor>;
  /** A task of the container whose calls the test makes (its program, stubborn, never starts). */
  actor(c: Container): Promise<Actor>;
  /** The next `n` exits of the container's tasks. */
  exits(c: Container, n?: number): Promise<ContainerEvent[]>;
  /** The JSON lines an agent called `who` printed on the container's console. */
  reports(id: string, who: string): { who: string; results: Record<string, unknown>[] }[];
  /** Ends the worker threads. */
  close(): Promise<void>;
}

/** Boots a kernel with worker threads and the container programs registered. */
export async function rig(options: KernelOptions = {}, workers = 2, pureSpares?: number): Promise<Rig> {
  const kernel = await Kernel.boot(options);
  const pool = useWorkers(kernel, { size: workers, ...(pureSpares !== undefined ? { pureSpares } : {}) });
  for (const p of PROGRAM_NAMES) kernel.registerProgram(p, { module: PROGRAMS, export: p });
  const out = new Map<string, string>();
  const binaries = new Map<string, number>();

  async function binary(c: Container, program: string): Promise<number> {
    const key = `${c.id}/${program}`;
    const known = binaries.get(key);
    if (known !== undefined) return known;
    const { ref } = await kernel.init.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { group: c.handles.group, nameSeed: `bin-${program}` },
      CreateFlags.NAME_DETERMINISTIC,
    );
    const bytes = programBinary(program);
    const buf = await kernel.init.beginWrite(ref, bytes.length);
    buf.set(bytes);
    await kernel.init.endWrite(ref, buf, { length: bytes.length });
    binaries.set(key, ref);
    return ref;
  }

  async function spawnIn(c: Container, program: string, argv: string[], flags: number): Promise<Actor> {
    const bin = await binary(c, program);
    const handle = await kernel.init.run(
      bin,
      { argv: [program, ...argv], groups: [c.handles.group], inputs: [bin] },
      flags,
    );
    const task = kernel.tasks.get(taskKey(kernel, handle))!;
    return { sys: kernel.contextOf(task), task, handle };
  }

  return {
    kernel,
    pool,
    out,
    container(id, limits = {}) {
      out.set(id, '');
      return kernel.createContainer({
        id,
        limits,
        consoleSink: (b) => out.set(id, (out.get(id) ?? '') + dec.decode(b)),
      });
    },
    binary,
    start: (c, program, argv = []) => spawnIn(c, program, argv, 0),
    async actor(c) {
      const a = await spawnIn(c, 'stubborn', [], RunFlags.START_PAUSED);
      // Running without its program: its calls are the test's (as a host task's are).
      a.task.state = 'running';
      return a;
    },
    exits(c, n = 1) {
      return new Promise((resolve) => {
        const seen: ContainerEvent[] = [];
        const stop = c.subscribe((e) => {
          seen.push(e);
          if (seen.length >= n) {
            stop();
            resolve(seen);
          }
        });
      });
    },
    reports(id, who) {
      return (out.get(id) ?? '')
        .split('\n')
        .filter((l) => l.startsWith('{"who"'))
        .map((l) => JSON.parse(l) as { who: string; results: Record<string, unknown>[] })
        .filter((r) => r.who === who);
    },
    close: () => pool.close(),
  };
}

/** Polls `check` every 10 ms until it holds (a guard of `ms`, not a timing assertion: the machine may be loaded). */
export async function until(what: string, check: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The name key of the task behind init's handle `handle`. */
export function taskKey(kernel: Kernel, handle: number): string {
  const ref = kernel.tasks.get(kernel.init.taskName.key)!.table.get(handle);
  if (ref === undefined) throw new Error(`init holds no reference ${handle}`);
  return ref.object.name.key;
}
