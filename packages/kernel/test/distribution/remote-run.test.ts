/**
 * run on another kernel over loopback (spec.kernel): the program is installed
 * on the target kernel, inputs and outputs stay on the caller's; the task
 * reference on the caller's kernel shows state and exit status, can be
 * selected on, paused and resumed.
 */
import { describe, expect, it } from 'vitest';
import {
  EndWriteFlags,
  Name,
  ObjectType,
  PauseFlags,
  programBinary,
  Rights,
  RunFlags,
  SelectFlags,
  type Program,
} from '@dios/kernel';
import { blobWith, dec, enc, expectErrno, flush, krefOf, readAll, taskOf, track, writeAll } from '../helpers.js';
import { cluster, expectBytes, proxyTaskOn, until, type Cluster } from './cluster.js';

let programs = 0;

/** Registers `program` on kernel `on` and stores its binary in a blob on kernel `from`; returns the binary's handle there. */
async function installRemote(c: Cluster, on: string, from: string, program: Program): Promise<number> {
  const id = `remote-test-${++programs}`;
  c.k[on]!.registerProgram(id, program);
  return (await blobWith(c.sys[from]!, programBinary(id))).ref;
}

/** The local task object behind a task name on `kernel`. */
function taskOn(c: Cluster, kernel: string, key: string) {
  return c.k[kernel]!.tasks.get(key);
}

describe('run on another kernel', () => {
  it('runs a program installed on b with inputs and outputs from a; a sees the exit status', async () => {
    const c = await cluster('a', 'b');
    const seen: {
      kernel?: string;
      argv?: readonly string[];
      env?: Readonly<Record<string, string>>;
      inputWrite?: string;
    } = {};
    const bin = await installRemote(c, 'b', 'a', async (sys) => {
      seen.kernel = sys.kernelId;
      seen.argv = sys.argv;
      seen.env = sys.env;
      const [input] = sys.inputs;
      const [output] = sys.outputs;
      const buf = await sys.beginRead(input!);
      const text = dec(buf);
      await sys.endRead(input!, buf);
      // Inputs come without write rights, across kernels too.
      await sys.beginWrite(input!, 1).catch((e: { code?: string }) => (seen.inputWrite = e.code));
      const out = enc(text.toUpperCase());
      const w = await sys.beginWrite(output!, out.length);
      w.set(out);
      await sys.endWrite(output!, w);
      return 7;
    });
    const input = await blobWith(c.sys.a!, enc('shout this'));
    const output = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB);
    const t = await c.sys.a!.run(bin, {
      argv: ['upper', 'x'],
      env: { MODE: 'loud' },
      inputs: [input.ref],
      outputs: [output.ref],
      kernel: 'b',
    });
    const view = c.sys.a!.ref(t);
    expect(view.type).toBe(ObjectType.TASK);
    expect(view.proximity).toBe('remote-memory-1hop');
    expect(view.task).toEqual({ state: 'running', exitStatus: undefined });
    // While the task runs, b holds references for it to a's input and output.
    const inputObj = c.k.a!.objects.get(input.name.key)!;
    const outputObj = c.k.a!.objects.get(output.name.key)!;
    expect(inputObj.refCount).toBe(2);
    expect(outputObj.refCount).toBe(2);
    expect(await c.sys.a!.select([t], { timeoutMs: 1500 })).toBe(t);
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'exited', exitStatus: 7 });
    expect(seen).toEqual({ kernel: 'b', argv: ['upper', 'x'], env: { MODE: 'loud' }, inputWrite: 'EACCES' });
    expectBytes((await readAll(c.sys.a!, output.ref)).bytes, enc('SHOUT THIS'));
    // Its exit released them.
    await until('b released the input and output', () => inputObj.refCount === 1 && outputObj.refCount === 1);
    // The task lives on b, not on a.
    expect([...c.k.a!.tasks.values()].some((task) => task.setup.argv[0] === 'upper')).toBe(false);
    expect([...c.k.b!.tasks.values()].some((task) => task.setup.argv[0] === 'upper')).toBe(true);
    c.check();
  });

  it('a failing remote program exits with status 1, visible on a', async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', async () => {
      throw new Error('boom');
    });
    const t = await c.sys.a!.run(bin, { argv: ['fail'], kernel: 'b' });
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'exited', exitStatus: 1 });
    c.check();
  });

  it('select on the remote task reference blocks until the task exits', async () => {
    const c = await cluster('a', 'b');
    const gate = await c.sys.a!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const bin = await installRemote(c, 'b', 'a', async (sys) => {
      // Waits for one byte from a, then exits with it as status.
      const buf = await sys.beginRead(sys.inputs[0]!);
      const status = buf[0]!;
      await sys.endRead(sys.inputs[0]!, buf);
      return status;
    });
    const t = await c.sys.a!.run(bin, { argv: ['wait'], inputs: [gate.ref], kernel: 'b' });
    const waiting = track(c.sys.a!.select([t], { timeoutMs: 1500 }));
    await flush(30);
    expect(waiting.settled).toBe(false);
    expect(c.sys.a!.ref(t).task?.state).not.toBe('exited');
    const w = await c.sys.a!.beginWrite(gate.ref, 1);
    w[0] = 42;
    await c.sys.a!.endWrite(gate.ref, w);
    expect(await waiting.promise).toBe(t);
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'exited', exitStatus: 42 });
    c.check();
  });

  it('the task on b reads an input stream on a to end-of-stream and writes an output stream on a', async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', async (sys) => {
      const [input] = sys.inputs;
      const [output] = sys.outputs;
      let total = 0;
      for (;;) {
        const buf = await sys.beginRead(input!, { length: 4 });
        const n = buf.length;
        const copy = enc(dec(buf).toUpperCase());
        await sys.endRead(input!, buf);
        if (n === 0) break;
        total += n;
        const w = await sys.beginWrite(output!, n);
        w.set(copy);
        await sys.endWrite(output!, w);
      }
      const w = await sys.beginWrite(output!, 0);
      await sys.endWrite(output!, w, {}, EndWriteFlags.END_OF_STREAM);
      return total;
    });
    const input = await c.sys.a!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const output = await c.sys.a!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const t = await c.sys.a!.run(bin, {
      argv: ['upper-stream'],
      inputs: [input.ref],
      outputs: [output.ref],
      kernel: 'b',
    });
    const text = 'abcdefghijklmnopqrstuvwxyz';
    const feeder = (async () => {
      for (let i = 0; i < text.length; i += 4) {
        const part = enc(text.slice(i, i + 4));
        const w = await c.sys.a!.beginWrite(input.ref, part.length);
        w.set(part);
        await c.sys.a!.endWrite(input.ref, w, {}, i + 4 >= text.length ? EndWriteFlags.END_OF_STREAM : 0);
      }
    })();
    let out = '';
    for (;;) {
      const buf = await c.sys.a!.beginRead(output.ref);
      const part = dec(buf);
      await c.sys.a!.endRead(output.ref, buf);
      if (part.length === 0) break;
      out += part;
    }
    await feeder;
    expect(out).toBe(text.toUpperCase());
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'exited', exitStatus: text.length });
    c.check();
  });

  it('the remote task resolves names in the shared root group, on either kernel', async () => {
    const c = await cluster('a', 'b');
    const onA = await blobWith(c.sys.a!, enc('lives on a'));
    const results: string[] = [];
    const bin = await installRemote(c, 'b', 'a', async (sys) => {
      const [h] = await sys.lookup(sys.env.NAME!);
      results.push(sys.ref(h!).proximity);
      const buf = await sys.beginRead(h!);
      results.push(dec(buf));
      await sys.endRead(h!, buf);
    });
    const t = await c.sys.a!.run(bin, { argv: ['find'], env: { NAME: onA.name.key }, kernel: 'b' });
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    expect(c.sys.a!.ref(t).task?.exitStatus).toBe(0);
    expect(results).toEqual(['remote-memory-1hop', 'lives on a']);
    c.check();
  });

  it('refuses an unknown kernel (EHOSTUNREACH) and a program not installed on the target (ENOENT), leaving nothing exported', async () => {
    const c = await cluster('a', 'b');
    c.k.a!.registerProgram('only-on-a', () => 0);
    const bin = (await blobWith(c.sys.a!, programBinary('only-on-a'))).ref;
    const input = await blobWith(c.sys.a!, enc('in'));
    await expectErrno(
      c.sys.a!.run(bin, { argv: ['x'], inputs: [input.ref], kernel: 'nowhere' }),
      'EHOSTUNREACH',
      'spec.kernel',
    );
    await expectErrno(c.sys.a!.run(bin, { argv: ['x'], inputs: [input.ref], kernel: 'b' }), 'ENOENT', 'binary');
    expect(c.k.a!.objects.get(input.name.key)!.refCount).toBe(1);
    expect(proxyTaskOn(c.k.a!, 'b')?.table.size ?? 1).toBe(1);
    // A binary that names no program is refused by the target kernel.
    const junk = (await blobWith(c.sys.a!, enc('not a program'))).ref;
    await expectErrno(c.sys.a!.run(junk, { argv: ['x'], kernel: 'b' }), 'ENOEXEC', 'binary');
    c.check();
  });

  it('fails on a partitioned target without leaving references exported for it', async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', () => 0);
    const input = await blobWith(c.sys.a!, enc('in'));
    c.net.partition('b');
    const err = await c.sys
      .a!.run(bin, { argv: ['x'], inputs: [input.ref], kernel: 'b' })
      .catch((e: { code?: string }) => e);
    expect(['EHOSTDOWN', 'EHOSTUNREACH']).toContain((err as { code?: string }).code);
    expect(c.k.a!.objects.get(input.name.key)!.refCount).toBe(1);
    c.net.restore('b');
    c.check();
  });

  it('a deterministic name seed names the remote task, and a clash on the target is EEXIST', async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', () => 0);
    const t = await c.sys.a!.run(
      bin,
      { argv: ['x'], name: 'the-task', kernel: 'b' },
      RunFlags.NAME_DETERMINISTIC | RunFlags.START_PAUSED,
    );
    const key = krefOf(c.k.a!, c.sys.a!, t).object.name.key;
    expect(taskOn(c, 'b', key)).toBeDefined();
    await expectErrno(
      c.sys.a!.run(bin, { argv: ['x'], name: 'the-task', kernel: 'b' }, RunFlags.NAME_DETERMINISTIC),
      'EEXIST',
      'spec.name',
    );
    await c.sys.a!.pause(t, PauseFlags.RESUME);
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    c.check();
  });

  it("the remote task's groups: [] is none, omitted inherits the parent's memberships, spec.groups confer their references' rights", async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', () => 0);
    const root = c.k.a!.rootGroup.name.key;
    const membershipsOn = (t: number) =>
      taskOn(c, 'b', krefOf(c.k.a!, c.sys.a!, t).object.name.key)!.setup.groups.map((m) => ({
        key: m.group.name.key,
        rights: m.rights,
      }));
    const none = await c.sys.a!.run(bin, { argv: ['x'], groups: [], kernel: 'b' }, RunFlags.START_PAUSED);
    expect(membershipsOn(none)).toEqual([]);
    const inherited = await c.sys.a!.run(bin, { argv: ['x'], kernel: 'b' }, RunFlags.START_PAUSED);
    expect(membershipsOn(inherited)).toEqual([{ key: root, rights: Rights.ALL }]);
    const group = await c.sys.a!.create(ObjectType.GROUP);
    const [limited] = await c.sys.a!.copy([group.ref], c.sys.a!.self, { rights: Rights.READ | Rights.DELEGATE });
    const given = await c.sys.a!.run(bin, { argv: ['x'], groups: [limited!], kernel: 'b' }, RunFlags.START_PAUSED);
    expect(membershipsOn(given)).toEqual([{ key: group.name.key, rights: Rights.READ | Rights.DELEGATE }]);
    // Passing a group to a remote task delegates it too.
    const [noDelegate] = await c.sys.a!.copy([group.ref], c.sys.a!.self, { rights: Rights.READ | Rights.WRITE });
    await expectErrno(
      c.sys.a!.run(bin, { argv: ['x'], groups: [noDelegate!], kernel: 'b' }),
      'EACCES',
      'spec.groups[0]',
    );
    for (const t of [none, inherited, given]) {
      await c.sys.a!.pause(t, PauseFlags.RESUME);
      await c.sys.a!.select([t], { timeoutMs: 1500 });
    }
    c.check();
  });

  it("a remote task inherits its parent's membership rights: what it looks up, it gets with those rights", async () => {
    const c = await cluster('a', 'b');
    const onA = await blobWith(c.sys.a!, enc('lives on a'));
    const seen: { rights?: number; create?: string } = {};
    const bin = await installRemote(c, 'b', 'a', async (sys) => {
      const [h] = await sys.lookup(onA.name);
      seen.rights = krefOf(c.k.b!, sys, h!).rights;
      await sys.create(ObjectType.SHARED_MEMORY_BLOB).then(
        () => (seen.create = 'ok'),
        (e: { code: string; argument: string }) => (seen.create = `${e.code} ${e.argument}`),
      );
    });
    const parent = await c.k.a!.attachTask(
      ['parent'],
      [{ group: c.k.a!.rootGroup, rights: Rights.READ | Rights.DELEGATE }],
    );
    // Named in no group (its membership lacks WRITE), it cannot be found to be handed the binary: the host does.
    const parentBin = c.k.a!.openRef(
      taskOf(c.k.a!, parent),
      krefOf(c.k.a!, c.sys.a!, bin).object,
      Rights.READ | Rights.EXEC,
      undefined,
    ).id;
    const t = await parent.run(parentBin, { argv: ['x'], kernel: 'b' });
    await parent.select([t], { timeoutMs: 1500 });
    expect(parent.ref(t).task).toEqual({ state: 'exited', exitStatus: 0 });
    expect(seen).toEqual({ rights: Rights.READ | Rights.DELEGATE, create: 'EACCES options.group' });
    c.check();
  });

  it("a derived deterministic name is derived on the caller's side from the parent and its counter", async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', () => 0);
    const first = await c.sys.a!.run(bin, { argv: ['x'], kernel: 'b' }, RunFlags.NAME_DETERMINISTIC);
    const second = await c.sys.a!.run(bin, { argv: ['x'], kernel: 'b' }, RunFlags.NAME_DETERMINISTIC);
    expect(krefOf(c.k.a!, c.sys.a!, first).object.name.key).toBe((await Name.derived(c.sys.a!.taskName, 1)).key);
    expect(krefOf(c.k.a!, c.sys.a!, second).object.name.key).toBe((await Name.derived(c.sys.a!.taskName, 2)).key);
    await c.sys.a!.select([first], { timeoutMs: 1500 });
    await c.sys.a!.select([second], { timeoutMs: 1500 });
    c.check();
  });

  it('deleting the task reference on a releases it on b once the task has exited', async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', () => 3);
    const t = await c.sys.a!.run(bin, { argv: ['x'], kernel: 'b' });
    const key = krefOf(c.k.a!, c.sys.a!, t).object.name.key;
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    expect(taskOn(c, 'b', key)).toBeDefined();
    await c.sys.a!.delete(t);
    await until('b forgot the exited task', () => taskOn(c, 'b', key) === undefined);
    expect(c.link.a!.remoteCount).toBe(0);
    c.check();
  });
});

describe('pause and resume of a remote task', () => {
  it('START_PAUSED creates the task on b without running it; RESUME from a starts it', async () => {
    const c = await cluster('a', 'b');
    let ran = false;
    const bin = await installRemote(c, 'b', 'a', () => {
      ran = true;
      return 5;
    });
    const t = await c.sys.a!.run(bin, { argv: ['later'], kernel: 'b' }, RunFlags.START_PAUSED);
    const key = krefOf(c.k.a!, c.sys.a!, t).object.name.key;
    expect(c.sys.a!.ref(t).task?.state).toBe('created');
    expect(taskOn(c, 'b', key)!.state).toBe('created');
    await flush(20);
    expect(ran).toBe(false);
    await c.sys.a!.pause(t, PauseFlags.RESUME);
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    expect(ran).toBe(true);
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'exited', exitStatus: 5 });
    c.check();
  });

  it('pause from a stops the task’s progress on b; resume lets it finish', async () => {
    const c = await cluster('a', 'b');
    let steps = 0;
    let stop = false;
    const bin = await installRemote(c, 'b', 'a', async (sys) => {
      while (!stop) {
        // A cheap system call: a paused task's calls do not return.
        await sys.select([sys.self], { timeoutMs: 0 }, SelectFlags.WRITE);
        steps++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return steps;
    });
    const t = await c.sys.a!.run(bin, { argv: ['spin'], kernel: 'b' });
    const key = krefOf(c.k.a!, c.sys.a!, t).object.name.key;
    await until('the task made progress', () => steps > 3);
    await c.sys.a!.pause(t);
    expect(c.sys.a!.ref(t).task?.state).toBe('paused');
    expect(taskOn(c, 'b', key)!.state).toBe('paused');
    await flush(5);
    const frozen = steps;
    await flush(40);
    expect(steps).toBe(frozen);
    // Pausing twice is harmless.
    await c.sys.a!.pause(t);
    await c.sys.a!.pause(t, PauseFlags.RESUME);
    expect(c.sys.a!.ref(t).task?.state).toBe('running');
    expect(taskOn(c, 'b', key)!.state).toBe('running');
    await until('the task progressed again', () => steps > frozen + 3);
    stop = true;
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    const status = c.sys.a!.ref(t).task;
    expect(status?.state).toBe('exited');
    expect(status?.exitStatus).toBe(steps);
    c.check();
  });

  it('pause needs write rights on the task reference, and an exited remote task is ESRCH', async () => {
    const c = await cluster('a', 'b');
    const gate = await c.sys.a!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const bin = await installRemote(c, 'b', 'a', async (sys) => {
      const buf = await sys.beginRead(sys.inputs[0]!);
      await sys.endRead(sys.inputs[0]!, buf);
    });
    const t = await c.sys.a!.run(bin, { argv: ['x'], inputs: [gate.ref], kernel: 'b' });
    const [me] = await c.sys.a!.lookup(c.sys.a!.taskName);
    const [readOnly] = await c.sys.a!.copy([t], me!, { rights: Rights.READ });
    await expectErrno(c.sys.a!.pause(readOnly!), 'EACCES', 'task');
    await writeAll(c.sys.a!, gate.ref, enc('go'));
    await c.sys.a!.select([readOnly!], { timeoutMs: 1500 });
    await expectErrno(c.sys.a!.pause(t), 'ESRCH');
    await expectErrno(c.sys.a!.pause(t, PauseFlags.RESUME), 'ESRCH');
    c.check();
  });

  it('a task reference delegated to another kernel pauses and resumes the task from there', async () => {
    const c = await cluster('a', 'b');
    let steps = 0;
    let stop = false;
    c.k.a!.registerProgram('local-spin', async (sys) => {
      while (!stop) {
        await sys.select([sys.self], { timeoutMs: 0 }, SelectFlags.WRITE);
        steps++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    const localBin = (await blobWith(c.sys.a!, programBinary('local-spin'))).ref;
    const spinner = await c.sys.a!.run(localBin, { argv: ['spin'] });
    const spinnerTask = c.k.a!.tasks.get(krefOf(c.k.a!, c.sys.a!, spinner).object.name.key)!;
    const [onB] = await c.sys.a!.copy([spinner], (await c.sys.a!.lookup(c.sys.b!.taskName))[0]!);
    await until('the local task made progress', () => steps > 2);
    await c.sys.b!.pause(onB!);
    expect(spinnerTask.state).toBe('paused');
    expect(c.sys.b!.ref(onB!).task?.state).toBe('paused');
    await flush(5);
    const frozen = steps;
    await flush(30);
    expect(steps).toBe(frozen);
    await c.sys.b!.pause(onB!, PauseFlags.RESUME);
    await until('the local task progressed again', () => steps > frozen + 2);
    stop = true;
    expect(await c.sys.b!.select([onB!], { timeoutMs: 1500 })).toBe(onB);
    expect(c.sys.b!.ref(onB!).task?.state).toBe('exited');
    c.check();
  });
});
