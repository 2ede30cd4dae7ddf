/**
 * ProgramProfiles: a task's exit feeds its program's class; a worker task's
 * CPU figure arriving after its exit is waited for; the exits waiting are
 * bounded (the oldest dropped). And through a kernel: a program's runs give
 * its class in nodeLoad, by its key.
 */
import { describe, expect, it } from 'vitest';
import { ANY_KERNEL, Kernel, nodeLoad, programBinary, programKey } from '@dios/kernel';
import { ProgramProfiles } from '../../src/core/kernel/program-profiles.js';
import { useWorkers } from '@dios/kernel/node';
import { TaskStats } from '../../src/core/objects/task-stats.js';
import { blobWith } from '../helpers.js';
import { until } from '../distribution/cluster.js';

const FIXTURE = new URL('../fixtures/worker-programs.ts', import.meta.url).href;

/** Figures of a finished task: `bytes` moved over `ms` (CPU ms for a worker, else wall ms). */
function stats(bytes: number, ms: number, worker: boolean, cpuKnown = true): TaskStats {
  const s = new TaskStats();
  s.bytesRead = bytes;
  s.endedMono = s.startedMono + ms;
  if (worker && cpuKnown) s.cpuMs = ms;
  return s;
}

describe('ProgramProfiles', () => {
  it('exits feed classes: many bytes per ms is memory, few is cpu, too short is unknown', () => {
    const p = new ProgramProfiles();
    expect(p.classOf('never')).toBe('unknown');
    p.exited('mm', stats(1_000_000, 100, false), false);
    p.exited('pi', stats(8, 100, false), false);
    p.exited('blip', stats(1_000_000, 1, false), false);
    expect(p.classOf('mm')).toBe('memory');
    expect(p.classOf('pi')).toBe('cpu');
    expect(p.classOf('blip')).toBe('unknown');
    // Worker figures: CPU time, not wall time, divides the bytes.
    p.exited('w', stats(50_000, 10, true), true);
    expect(p.classOf('w')).toBe('memory');
  });

  it("waits for a worker's CPU figure that arrives after its exit", () => {
    const p = new ProgramProfiles();
    const s = stats(1_000_000, 100, true, false);
    p.exited('late', s, true);
    expect(p.classOf('late')).toBe('unknown');
    expect(p.classOf('late')).toBe('unknown');
    s.cpuMs = 100;
    expect(p.classOf('late')).toBe('memory');
    // An in-thread task never gets a CPU figure: it counts at once (by wall time).
    p.exited('thread', stats(8, 100, false), false);
    expect(p.classOf('thread')).toBe('cpu');
  });

  it('bounds the exits waiting: past 256, the oldest is dropped', () => {
    const kept = new ProgramProfiles();
    const dropped = new ProgramProfiles();
    const first = [stats(1_000_000, 100, true, false), stats(1_000_000, 100, true, false)];
    kept.exited('k', first[0]!, true);
    dropped.exited('k', first[1]!, true);
    for (let i = 0; i < 255; i++) kept.exited('other', stats(8, 100, true, false), true);
    for (let i = 0; i < 256; i++) dropped.exited('other', stats(8, 100, true, false), true);
    for (const s of first) s.cpuMs = 100;
    expect(kept.classOf('k')).toBe('memory');
    expect(dropped.classOf('k')).toBe('unknown');
  });

  it('a kernel records its tasks by program key at exit; nodeLoad answers for the key and counts running tasks by class', async () => {
    const k = await Kernel.boot({ id: 'pp', slots: 3 });
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    k.registerProgram('busy', async () => {
      await hold;
      return 0;
    });
    const sys = k.init;
    const bin = (await blobWith(sys, programBinary('busy'))).ref;
    const key = programKey(programBinary('busy'));
    expect(key).toBe('program:busy');
    expect(nodeLoad(k, key)).toMatchObject({ kernel: 'pp', slots: 3, programClass: 'unknown' });
    // Feed the class as an exit would (in-thread tasks that wait have too little to go on by themselves).
    k.profiles.exited(key, stats(8, 100, false), false);
    const t = await sys.run(bin, { argv: ['busy'], kernel: ANY_KERNEL });
    const load = nodeLoad(k, key);
    expect(load.programClass).toBe('cpu');
    expect(load.classes).toEqual({ cpu: 1, memory: 0, unknown: 0 });
    expect(load.runningTasks).toBe(1);
    release();
    await sys.select([t]);
    expect(nodeLoad(k).runningTasks).toBe(0);
  });

  it('classOf knows nothing of a key past 1024 characters (unknown, no throw); nodeLoad still answers a short key', async () => {
    const k = await Kernel.boot({ id: 'pp2' });
    const p = new ProgramProfiles();
    expect(p.classOf('x'.repeat(2000))).toBe('unknown');
    expect(nodeLoad(k, 'program:ok').programClass).toBe('unknown');
  });

  it("a worker task's exit counts once its CPU figure is in: a spinning worker program is cpu", async () => {
    const k = await Kernel.boot({ id: 'pp-worker' });
    const pool = useWorkers(k, { size: 1 });
    k.registerProgram('spin', { module: FIXTURE, export: 'busy' });
    try {
      const t = await k.init.run((await blobWith(k.init, programBinary('spin'))).ref, {
        argv: ['spin', '40'],
        placement: 'worker',
      });
      await k.init.select([t]);
      await until('the worker figures count', () => nodeLoad(k, 'program:spin').programClass !== 'unknown', 2000);
      expect(nodeLoad(k, 'program:spin').programClass).toBe('cpu');
    } finally {
      await pool.close();
    }
  });

  // BUG: a program id has no length limit (registerProgram only refuses empty ids and spaces), so its key may pass
  // TaskProfiles' 1024 characters. Its exit is queued; the next drain's record() throws EINVAL before the queue
  // is reassigned, so the entry stays and every later classOf throws: nodeLoad(kernel, key) and so every load
  // reply with a program key and every run '*' on that kernel fail from then on. Minimal case below. Fix: skip
  // (or hash) keys past the limit in ProgramProfiles.exited/classOf, or key programs by a bounded hash.
  it('one exit with a 2000-character key does not poison the profiles of every other program', () => {
    const p = new ProgramProfiles();
    p.exited('program:' + 'x'.repeat(2000), stats(8, 100, false), false);
    p.exited('pi', stats(8, 100, false), false);
    expect(p.classOf('pi')).toBe('cpu');
  });

  it('a kernel that ran a program with a 2000-character id still answers loads and runs on any kernel', async () => {
    const k = await Kernel.boot({ id: 'pp3' });
    const long = 'x'.repeat(2000);
    k.registerProgram(long, () => 0);
    k.registerProgram('short', () => 0);
    const t = await k.init.run((await blobWith(k.init, programBinary(long))).ref, { argv: [long] });
    await k.init.select([t]);
    expect(nodeLoad(k, 'program:short').programClass).toBe('unknown');
    const u = await k.init.run((await blobWith(k.init, programBinary('short'))).ref, {
      argv: ['short'],
      kernel: ANY_KERNEL,
    });
    await k.init.select([u]);
  });
});
