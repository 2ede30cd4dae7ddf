import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFlags, Kernel, ObjectType, programBinary, type Container } from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';

const MODULE = new URL('../fixtures/container-programs.ts', import.meta.url).href;
const dec = new TextDecoder();

describe('containers smoke', () => {
  let kernel: Kernel;
  let pool: WorkerPool;
  const out = new Map<string, string>();
  beforeAll(async () => {
    kernel = await Kernel.boot();
    pool = useWorkers(kernel, { size: 2 });
    kernel.onTaskFailure = (_t, e) => console.log('FAIL', String(e));
    for (const e of ['hello', 'probe', 'bomb', 'graceful', 'stubborn', 'forker'])
      kernel.registerProgram(e, { module: MODULE, export: e });
  });
  afterAll(() => pool.close());

  async function start(c: Container, program: string, argv: string[], inputs: number[] = []) {
    const { ref: bin } = await kernel.init.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { group: c.handles.group, nameSeed: `bin-${program}` },
      CreateFlags.NAME_DETERMINISTIC,
    );
    const bytes = programBinary(program);
    const buf = await kernel.init.beginWrite(bin, bytes.length);
    buf.set(bytes);
    await kernel.init.endWrite(bin, buf, { length: bytes.length });
    const t = await kernel.init.run(
      bin,
      { argv: [program, ...argv], groups: [c.handles.group], inputs: inputs.length ? inputs : [bin] },
      0,
    );
    return { task: t, bin };
  }
  function container(id: string, limits = {}) {
    out.set(id, '');
    return kernel.createContainer({ id, limits, consoleSink: (b) => out.set(id, out.get(id)! + dec.decode(b)) });
  }
  async function exited(c: Container, n = 1) {
    return new Promise<void>((resolve) => {
      let seen = 0;
      c.subscribe(() => {
        if (++seen >= n) resolve();
      });
    });
  }

  it('runs a task in a container, with its console and label', async () => {
    const c = container('a');
    const done = exited(c);
    await start(c, 'hello', ['a']);
    await done;
    expect(out.get('a')).toBe('hello from a\n');
  });

  it('isolates names', async () => {
    const c = container('b');
    const done = exited(c);
    await start(c, 'probe', [kernel.console.name.key, kernel.rootGroup.name.key]);
    await done;
    expect(out.get('b')).toContain('ENOENT');
  });

  it('stops a memory bomb alone', async () => {
    const c = container('bomb', { memoryMb: 32 });
    const events: string[] = [];
    const done = new Promise<void>((r) =>
      c.subscribe((e) => {
        events.push(e.reason);
        r();
      }),
    );
    await start(c, 'bomb', []);
    await done;
    expect(events).toEqual(['oom']);
    expect(c.oomKilled).toBe(true);
  }, 30000);

  it('notice then kill', async () => {
    const c = container('g');
    const done = exited(c);
    await start(c, 'graceful', []);
    await new Promise((r) => setTimeout(r, 300));
    kernel.noticeContainer(c);
    await done;
    expect(out.get('g')).toBe('waiting\nstopping\n');
  });

  it('limits tasks', async () => {
    const c = container('f', { maxTasks: 3 });
    await start(c, 'forker', ['5']);
    await new Promise((r) => setTimeout(r, 1500));
    expect(out.get('f')).toContain('"started":2');
    expect(out.get('f')).toContain('EAGAIN');
    kernel.killContainer(c);
    expect(c.taskCount).toBe(0);
  });
});
