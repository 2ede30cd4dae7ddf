/**
 * libd's stop notice in a container: a program waiting with waitForStop
 * wakes when the host asks the container to stop; a timeout says false; a
 * task in no container gets ENOENT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFlags, Kernel, ObjectType, programBinary, type Container } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { expectErrno } from '../../kernel/test/support/errno.js';
import { waitForStop } from '../src/index.js';

const MODULE = new URL('./fixtures/stop-programs.ts', import.meta.url).href;
const dec = new TextDecoder();

describe('waitForStop', () => {
  let kernel: Kernel;
  let pool: WorkerPool;
  beforeAll(async () => {
    kernel = await Kernel.boot();
    pool = useWorkers(kernel, { size: 1, pureSpares: 1 });
    for (const name of ['polite', 'impatient']) kernel.registerProgram(name, { module: MODULE, export: name });
  });
  afterAll(() => pool.close());

  async function runIn(c: Container, program: string): Promise<{ exited: Promise<number> }> {
    const { ref } = await kernel.init.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { group: c.handles.group, nameSeed: `bin:${program}` },
      CreateFlags.NAME_DETERMINISTIC,
    );
    const bytes = programBinary(program);
    const buf = await kernel.init.beginWrite(ref, bytes.length);
    buf.set(bytes);
    await kernel.init.endWrite(ref, buf);
    const exited = new Promise<number>((resolve) => c.subscribe((e) => resolve(e.status)));
    await kernel.init.run(ref, { argv: [program], groups: [c.handles.group] });
    // Wrapped: an async function returning a promise would wait for it.
    return { exited };
  }

  it('wakes when the host asks the container to stop', async () => {
    let out = '';
    const c = kernel.createContainer({ id: 'polite', consoleSink: (b) => (out += dec.decode(b)) });
    const { exited } = await runIn(c, 'polite');
    while (!out.includes('working')) {
      if (c.taskCount === 0) throw new Error(`the task ended early; output: ${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(c.taskCount).toBe(1);
    kernel.noticeContainer(c);
    expect(await exited).toBe(0);
    expect(out).toBe('working\nasked to stop: true\n');
  });

  it('says false when the time runs out first', async () => {
    let out = '';
    const c = kernel.createContainer({ id: 'impatient', consoleSink: (b) => (out += dec.decode(b)) });
    expect(await (await runIn(c, 'impatient')).exited).toBe(3);
    expect(out).toBe('asked: false\n');
  });

  it('is ENOENT for a task in no container', async () => {
    await expectErrno(waitForStop(kernel.init), 'ENOENT', 'sys');
  });
});
