import { describe, expect, it } from 'vitest';
import {
  Name,
  ObjectType,
  PauseFlags,
  programBinary,
  Rights,
  RunFlags,
  type Program,
  type SystemCalls,
} from '@dios/kernel';
import {
  blobWith,
  boot,
  dec,
  enc,
  expectErrno,
  flush,
  installProgram,
  krefOf,
  readAll,
  taskOf,
  writeAll,
} from './helpers.js';

async function setup() {
  const kernel = await boot();
  return { kernel, sys: kernel.init };
}

/** Runs `program` as a child of init and waits for it to exit; returns the child's handle. */
async function runToExit(
  sys: SystemCalls,
  bin: number,
  spec: Parameters<SystemCalls['run']>[1],
  flags = 0,
): Promise<number> {
  const child = await sys.run(bin, spec, flags);
  await sys.select([child]);
  return child;
}

describe('run: binaries', () => {
  it('starts the program the binary names and returns a reference to the new task', async () => {
    const { kernel, sys } = await setup();
    let ran = 0;
    const bin = await installProgram(kernel, sys, () => {
      ran++;
    });
    const child = await sys.run(bin, { argv: ['p'] });
    expect(sys.ref(child).type).toBe(ObjectType.TASK);
    expect(krefOf(kernel, sys, child).rights).toBe(Rights.READ | Rights.WRITE | Rights.DELEGATE);
    await sys.select([child]);
    expect(ran).toBe(1);
    kernel.checkInvariants();
  });

  it('needs the EXEC right on the binary', async () => {
    const { kernel, sys } = await setup();
    let ran = false;
    const bin = await installProgram(kernel, sys, () => {
      ran = true;
    });
    const [noExec] = await sys.copy([bin], sys.self, { rights: Rights.ALL & ~Rights.EXEC });
    const tasks = kernel.tasks.size;
    await expectErrno(sys.run(noExec!, { argv: [] }), 'EACCES', 'binary');
    await flush();
    expect(ran).toBe(false);
    expect(kernel.tasks.size).toBe(tasks);
    // EXEC alone is enough.
    const [execOnly] = await sys.copy([bin], sys.self, { rights: Rights.EXEC });
    await runToExit(sys, execOnly!, { argv: [] });
    expect(ran).toBe(true);
    kernel.checkInvariants();
  });

  it('ENOEXEC for a binary that is not a blob or does not name a program; ENOENT for an unknown program', async () => {
    const { kernel, sys } = await setup();
    const tasks = kernel.tasks.size;
    const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    await expectErrno(sys.run(stream.ref, { argv: [] }), 'ENOEXEC', 'binary');
    const group = await sys.create(ObjectType.GROUP);
    await expectErrno(sys.run(group.ref, { argv: [] }), 'ENOEXEC', 'binary');
    const junk = await blobWith(sys, enc('#!/bin/sh\necho hi\n'));
    await expectErrno(sys.run(junk.ref, { argv: [] }), 'ENOEXEC', 'binary');
    const empty = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await expectErrno(sys.run(empty.ref, { argv: [] }), 'ENOEXEC', 'binary');
    const missing = await blobWith(sys, programBinary('not-installed'));
    const err = await expectErrno(sys.run(missing.ref, { argv: [] }), 'ENOENT', 'binary');
    expect(err.message).toContain('not-installed');
    expect(kernel.tasks.size).toBe(tasks);
    kernel.checkInvariants();
  });

  it('a private-memory binary of the caller runs', async () => {
    const { kernel, sys } = await setup();
    kernel.registerProgram('private-prog', () => 3);
    const { ref } = await sys.create(ObjectType.PRIVATE_MEMORY_BLOB);
    await writeAll(sys, ref, programBinary('private-prog'));
    const child = await runToExit(sys, ref, { argv: [] });
    expect(sys.ref(child).task?.exitStatus).toBe(3);
    kernel.checkInvariants();
  });
});

describe('run: what the child gets', () => {
  it('argv and env', async () => {
    const { kernel, sys } = await setup();
    let seen: { argv: readonly string[]; env: Readonly<Record<string, string>> } | undefined;
    const bin = await installProgram(kernel, sys, (child) => {
      seen = { argv: [...child.argv], env: { ...child.env } };
    });
    const env = { HOME: '/', LANG: 'C' };
    await runToExit(sys, bin, { argv: ['prog', '--flag', ''], env });
    expect(seen).toEqual({ argv: ['prog', '--flag', ''], env });
    kernel.checkInvariants();
  });

  it("the child's environment is its own copy", async () => {
    const { kernel, sys } = await setup();
    const env: Record<string, string> = { A: '1' };
    let later: string | undefined;
    const bin = await installProgram(kernel, sys, async (child) => {
      await flush(1);
      later = child.env.A;
    });
    const child = await sys.run(bin, { argv: [], env });
    env.A = 'changed';
    await sys.select([child]);
    expect(later).toBe('1');
    kernel.checkInvariants();
  });

  it('inputs lose the write (and exec) right; outputs keep write; both record their parent', async () => {
    const { kernel, sys } = await setup();
    const input = await blobWith(sys, enc('question'));
    const output = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    let facts:
      | {
          inputs: readonly number[];
          outputs: readonly number[];
          inRights: number;
          outRights: number;
          inParent: unknown;
        }
      | undefined;
    const bin = await installProgram(kernel, sys, async (child) => {
      const [i] = child.inputs;
      const [o] = child.outputs;
      const inRef = krefOf(kernel, child, i!);
      facts = {
        inputs: child.inputs,
        outputs: child.outputs,
        inRights: inRef.rights,
        outRights: krefOf(kernel, child, o!).rights,
        inParent: inRef.parent,
      };
      const q = dec((await readAll(child, i!)).bytes);
      await expectErrno(child.beginWrite(i!, 1), 'EACCES', 'ref');
      await writeAll(child, o!, enc(`answer to ${q}`));
    });
    await runToExit(sys, bin, { argv: [], inputs: [input.ref], outputs: [output.ref] });
    expect(facts!.inputs).toHaveLength(1);
    expect(facts!.outputs).toHaveLength(1);
    expect(facts!.inRights).toBe(Rights.READ | Rights.DELEGATE);
    expect(facts!.outRights).toBe(Rights.READ | Rights.WRITE | Rights.DELEGATE);
    expect(facts!.inParent).toEqual({ task: sys.taskName.key, id: input.ref });
    expect(dec((await readAll(sys, output.ref)).bytes)).toBe('answer to question');
    kernel.checkInvariants();
  });

  it('inputs need READ and DELEGATE, outputs WRITE and DELEGATE (passing delegates), and private memory cannot be passed', async () => {
    const { kernel, sys } = await setup();
    const bin = await installProgram(kernel, sys, () => {});
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const [writeOnly, readOnly, readNoDelegate, writeNoDelegate, inputOk, outputOk] = await sys.copy(
      [ref, ref, ref, ref, ref, ref],
      sys.self,
      {
        rights: [
          Rights.WRITE | Rights.DELEGATE,
          Rights.READ | Rights.DELEGATE,
          Rights.READ | Rights.WRITE,
          Rights.READ | Rights.WRITE,
          Rights.READ | Rights.DELEGATE,
          Rights.WRITE | Rights.DELEGATE,
        ],
      },
    );
    const priv = await sys.create(ObjectType.PRIVATE_MEMORY_BLOB);
    const tasks = kernel.tasks.size;
    const handles = sys.handles;
    await expectErrno(sys.run(bin, { argv: [], inputs: [ref, writeOnly!] }), 'EACCES', 'spec.inputs[1]');
    await expectErrno(sys.run(bin, { argv: [], outputs: [readOnly!] }), 'EACCES', 'spec.outputs[0]');
    await expectErrno(sys.run(bin, { argv: [], inputs: [readNoDelegate!] }), 'EACCES', 'spec.inputs[0]');
    await expectErrno(
      sys.run(bin, { argv: [], inputs: [ref], outputs: [ref, writeNoDelegate!] }),
      'EACCES',
      'spec.outputs[1]',
    );
    expect(kernel.tasks.size).toBe(tasks);
    expect(sys.handles).toEqual(handles);
    // Just READ | DELEGATE and WRITE | DELEGATE are enough.
    await runToExit(sys, bin, { argv: [], inputs: [inputOk!], outputs: [outputOk!] });
    await expectErrno(sys.run(bin, { argv: [], inputs: [priv.ref] }), 'EPERM', 'spec.inputs[0]');
    await expectErrno(sys.run(bin, { argv: [], outputs: [priv.ref] }), 'EPERM', 'spec.outputs[0]');
    await expectErrno(sys.run(bin, { argv: [], inputs: [999] }), 'EBADF', 'spec.inputs[0]');
    expect(kernel.tasks.size).toBe(tasks + 1);
    kernel.checkInvariants();
  });

  it("groups: the child resolves names in the spec's groups only, for its whole life", async () => {
    const { kernel, sys } = await setup();
    const group = await sys.create(ObjectType.GROUP);
    const inGroup = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    const inRoot = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const results: string[] = [];
    const bin = await installProgram(kernel, sys, async (child) => {
      for (const name of [inGroup.name, inRoot.name]) {
        try {
          await child.lookup(name);
          results.push('found');
        } catch (e) {
          results.push((e as { code: string }).code);
        }
      }
    });
    await runToExit(sys, bin, { argv: [], groups: [group.ref] });
    expect(results).toEqual(['found', 'ENOENT']);
    results.length = 0;
    // By default the child is in its parent's groups.
    await runToExit(sys, bin, { argv: [] });
    expect(results).toEqual(['ENOENT', 'found']);
    kernel.checkInvariants();
  });

  it('groups: a child with an empty group list resolves nothing and creates only in groups it is given', async () => {
    const { kernel, sys } = await setup();
    const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    let outcome: string[] = [];
    const bin = await installProgram(kernel, sys, async (child) => {
      const codes: string[] = [];
      for (const attempt of [() => child.lookup(blob.name), () => child.create(ObjectType.SHARED_MEMORY_BLOB)]) {
        try {
          await attempt();
          codes.push('ok');
        } catch (e) {
          codes.push((e as { code: string }).code);
        }
      }
      outcome = codes;
    });
    const child = await runToExit(sys, bin, { argv: [], groups: [] });
    expect(outcome).toEqual(['ENOENT', 'EINVAL']);
    expect(taskOf(kernel, sys).table.get(child)).toBeDefined();
    kernel.checkInvariants();
  });

  it('groups need READ and DELEGATE rights and must be groups', async () => {
    const { kernel, sys } = await setup();
    const bin = await installProgram(kernel, sys, () => {});
    const group = await sys.create(ObjectType.GROUP);
    const [noRead, noDelegate] = await sys.copy([group.ref, group.ref], sys.self, {
      rights: [Rights.WRITE | Rights.DELEGATE, Rights.READ | Rights.WRITE],
    });
    const tasks = kernel.tasks.size;
    await expectErrno(sys.run(bin, { argv: [], groups: [noRead!] }), 'EACCES', 'spec.groups[0]');
    await expectErrno(sys.run(bin, { argv: [], groups: [group.ref, noDelegate!] }), 'EACCES', 'spec.groups[1]');
    await expectErrno(sys.run(bin, { argv: [], groups: [group.ref, bin] }), 'EINVAL', 'spec.groups[1]');
    expect(kernel.tasks.size).toBe(tasks);
    kernel.checkInvariants();
  });

  it("groups: a membership made from a group reference has that reference's rights", async () => {
    const { kernel, sys } = await setup();
    const group = await sys.create(ObjectType.GROUP);
    const inGroup = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    const [readOnly] = await sys.copy([group.ref], sys.self, { rights: Rights.READ | Rights.DELEGATE });
    const seen: { rights?: number; create?: string; memberships?: { key: string; rights: number }[] } = {};
    const bin = await installProgram(kernel, sys, async (child) => {
      const [h] = await child.lookup(inGroup.name);
      seen.rights = krefOf(kernel, child, h!).rights;
      seen.memberships = taskOf(kernel, child).setup.groups.map((m) => ({ key: m.group.name.key, rights: m.rights }));
      await child.create(ObjectType.SHARED_MEMORY_BLOB).then(
        () => (seen.create = 'ok'),
        (e: { code: string; argument: string }) => (seen.create = `${e.code} ${e.argument}`),
      );
    });
    await runToExit(sys, bin, { argv: [], groups: [readOnly!] });
    expect(seen).toEqual({
      rights: Rights.READ | Rights.DELEGATE,
      create: 'EACCES options.group',
      memberships: [{ key: group.name.key, rights: Rights.READ | Rights.DELEGATE }],
    });
    // With all rights on the group reference, the child gets all rights through it and creates there.
    await runToExit(sys, bin, { argv: [], groups: [group.ref] });
    expect(seen).toEqual({
      rights: Rights.ALL,
      create: 'ok',
      memberships: [{ key: group.name.key, rights: Rights.ALL }],
    });
    kernel.checkInvariants();
  });

  it("groups: an omitted list inherits the parent's memberships with their rights", async () => {
    const { kernel, sys } = await setup();
    const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const seen: { rights?: number; create?: string; memberships?: { key: string; rights: number }[] } = {};
    const childBin = await installProgram(kernel, sys, async (child) => {
      const [h] = await child.lookup(blob.name);
      seen.rights = krefOf(kernel, child, h!).rights;
      seen.memberships = taskOf(kernel, child).setup.groups.map((m) => ({ key: m.group.name.key, rights: m.rights }));
      await child.create(ObjectType.SHARED_MEMORY_BLOB).then(
        () => (seen.create = 'ok'),
        (e: { code: string; argument: string }) => (seen.create = `${e.code} ${e.argument}`),
      );
    });
    // A host task that joined the root group with READ and DELEGATE only.
    const parent = await kernel.attachTask(
      ['parent'],
      [{ group: kernel.rootGroup, rights: Rights.READ | Rights.DELEGATE }],
    );
    // Its membership lacks WRITE, so it is named in no group and no task can find it to hand it the binary: the host does.
    await expectErrno(sys.lookup(parent.taskName), 'ENOENT', 'name');
    const bin = kernel.openRef(
      taskOf(kernel, parent),
      krefOf(kernel, sys, childBin).object,
      Rights.READ | Rights.EXEC,
      undefined,
    ).id;
    const child = await parent.run(bin, { argv: [] });
    await parent.select([child]);
    const root = kernel.rootGroup.name.key;
    expect(seen).toEqual({
      rights: Rights.READ | Rights.DELEGATE,
      create: 'EACCES options.group',
      memberships: [{ key: root, rights: Rights.READ | Rights.DELEGATE }],
    });
    kernel.checkInvariants();
  });

  it('the child is named in its first group: a task there can look it up', async () => {
    const { kernel, sys } = await setup();
    let childName: Name | undefined;
    const bin = await installProgram(kernel, sys, (child) => {
      childName = child.taskName;
    });
    const child = await runToExit(sys, bin, { argv: [] });
    expect(krefOf(kernel, sys, child).object.name.equals(childName!)).toBe(true);
    const [again] = await sys.lookup(childName!);
    expect(sys.ref(again!).type).toBe(ObjectType.TASK);
    kernel.checkInvariants();
  });
});

describe('run: names', () => {
  it('NAME_DETERMINISTIC derives the name from spec.name, or from the parent and its counter', async () => {
    const { kernel, sys } = await setup();
    const names: Name[] = [];
    const bin = await installProgram(kernel, sys, (child) => {
      names.push(child.taskName);
    });
    await runToExit(sys, bin, { argv: [], name: 'worker-0' }, RunFlags.NAME_DETERMINISTIC);
    await runToExit(sys, bin, { argv: [] }, RunFlags.NAME_DETERMINISTIC);
    await runToExit(sys, bin, { argv: [] });
    // Seeded within the child's first group (inherited from init: the root group).
    expect(names[0]!.key).toBe((await Name.seeded(kernel.rootGroup.name, 'worker-0')).key);
    expect(names[1]!.key).toBe((await Name.derived(sys.taskName, 1)).key);
    expect(names[2]!.equals(names[1]!)).toBe(false);
    kernel.checkInvariants();
  });

  it('spec.name without NAME_DETERMINISTIC is EINVAL; a live name is EEXIST', async () => {
    const { kernel, sys } = await setup();
    const bin = await installProgram(kernel, sys, () => {});
    await expectErrno(sys.run(bin, { argv: [], name: 'x' }), 'EINVAL', 'spec.name');
    await runToExit(sys, bin, { argv: [], name: 'dup' }, RunFlags.NAME_DETERMINISTIC);
    // The exited child is kept while init holds its reference, so its name is still taken.
    await expectErrno(sys.run(bin, { argv: [], name: 'dup' }, RunFlags.NAME_DETERMINISTIC), 'EEXIST', 'spec.name');
    kernel.checkInvariants();
  });
});

describe('run: spec errors', () => {
  it.each([
    ['no spec', undefined, 'spec'],
    ['spec not an object', 'argv', 'spec'],
    ['unknown key', { argv: [], cwd: '/' }, 'spec.cwd'],
    ['argv missing', {}, 'spec.argv'],
    ['argv not an array', { argv: 'a b' }, 'spec.argv'],
    ['argv with a number', { argv: ['a', 2] }, 'spec.argv[1]'],
    ['env not an object', { argv: [], env: 'A=1' }, 'spec.env'],
    ['env with a number', { argv: [], env: { A: 1 } }, 'spec.env.A'],
    ['inputs not an array', { argv: [], inputs: 3 }, 'spec.inputs'],
  ])('%s is EINVAL and starts nothing', async (_what, spec, argument) => {
    const { kernel, sys } = await setup();
    const bin = await installProgram(kernel, sys, () => {});
    const tasks = kernel.tasks.size;
    const handles = sys.handles;
    await expectErrno(sys.run(bin, spec as never), 'EINVAL', argument);
    expect(kernel.tasks.size).toBe(tasks);
    expect(sys.handles).toEqual(handles);
    kernel.checkInvariants();
  });

  it('another kernel without a transport is EHOSTUNREACH; naming this kernel runs locally', async () => {
    const { kernel, sys } = await setup();
    const bin = await installProgram(kernel, sys, () => 5);
    await expectErrno(sys.run(bin, { argv: [], kernel: 'elsewhere' }), 'EHOSTUNREACH', 'spec.kernel');
    const child = await runToExit(sys, bin, { argv: [], kernel: kernel.id });
    expect(sys.ref(child).task?.exitStatus).toBe(5);
    kernel.checkInvariants();
  });
});

describe('run: lifecycle of the child', () => {
  it('START_PAUSED leaves the task in state created until pause(RESUME)', async () => {
    const { kernel, sys } = await setup();
    let started = false;
    const bin = await installProgram(kernel, sys, () => {
      started = true;
      return 4;
    });
    const child = await sys.run(bin, { argv: [] }, RunFlags.START_PAUSED);
    await flush();
    expect(started).toBe(false);
    expect(sys.ref(child).task).toEqual({ state: 'created', exitStatus: undefined });
    // Pausing a task that has not started changes nothing.
    await sys.pause(child);
    expect(sys.ref(child).task?.state).toBe('created');
    await sys.pause(child, PauseFlags.RESUME);
    await sys.select([child]);
    expect(started).toBe(true);
    expect(sys.ref(child).task).toEqual({ state: 'exited', exitStatus: 4 });
    kernel.checkInvariants();
  });

  it('exit is visible through select on the task reference and through RefView.task', async () => {
    const { kernel, sys } = await setup();
    const { ref: gate, name } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 });
    const bin = await installProgram(kernel, sys, async (child) => {
      const [s] = await child.lookup(name);
      const buf = await child.beginRead(s!);
      await child.endRead(s!, buf);
      return 9;
    });
    const child = await sys.run(bin, { argv: [] });
    await flush();
    expect(sys.ref(child).task).toEqual({ state: 'running', exitStatus: undefined });
    await expectErrno(sys.select([child], { timeoutMs: 0 }), 'ETIMEDOUT');
    await writeAll(sys, gate, enc('go'));
    expect(await sys.select([child])).toBe(child);
    expect(sys.ref(child).task).toEqual({ state: 'exited', exitStatus: 9 });
    kernel.checkInvariants();
  });

  it('a program that returns something other than an integer exits with status 0', async () => {
    const { kernel, sys } = await setup();
    for (const value of [undefined, 1.5, 'x', null]) {
      const bin = await installProgram(kernel, sys, (() => value) as unknown as Program);
      const child = await runToExit(sys, bin, { argv: [] });
      expect(sys.ref(child).task?.exitStatus).toBe(0);
    }
    kernel.checkInvariants();
  });

  it('a throwing program exits with status 1 and its references are released', async () => {
    const { kernel, sys } = await setup();
    const failures: unknown[] = [];
    kernel.onTaskFailure = (_task, error) => failures.push(error);
    const { ref: pipe } = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 16 });
    // The write end is passed on as an output: that takes WRITE and DELEGATE.
    const [readEnd, writeEnd] = await sys.copy([pipe, pipe], sys.self, {
      rights: [Rights.READ, Rights.WRITE | Rights.DELEGATE],
    });
    await sys.delete(pipe);
    const boom = new Error('boom');
    let childCreated: number | undefined;
    const bin = await installProgram(kernel, sys, async (child) => {
      await writeAll(child, child.outputs[0]!, enc('partial'));
      childCreated = (await child.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
      throw boom;
    });
    const child = await sys.run(bin, { argv: [], outputs: [writeEnd!] });
    await sys.delete(writeEnd!); // the child now holds the only writing reference
    await sys.select([child]);
    expect(sys.ref(child).task).toEqual({ state: 'exited', exitStatus: 1 });
    expect(failures).toEqual([boom]);
    expect(childCreated).toBeDefined();
    const childTask = krefOf(kernel, sys, child).object as unknown as { table: Map<number, unknown> };
    expect(childTask.table.size).toBe(0);
    // The child's writing reference went with it: the reader sees the data, then end-of-stream.
    const data = await sys.beginRead(readEnd!);
    expect(dec(data)).toBe('partial');
    await sys.endRead(readEnd!, data);
    const eof = await sys.beginRead(readEnd!);
    expect(eof.length).toBe(0);
    await sys.endRead(readEnd!, eof);
    kernel.checkInvariants();
  });

  it('a program that exits by deleting its own reference keeps that status even if it then throws', async () => {
    const { kernel, sys } = await setup();
    const bin = await installProgram(kernel, sys, async (child) => {
      await child.delete(child.self, 1 /* EXIT_SUCCESS */);
      throw new Error('after exit');
    });
    let reported = 0;
    kernel.onTaskFailure = () => reported++;
    const child = await runToExit(sys, bin, { argv: [] });
    expect(sys.ref(child).task).toEqual({ state: 'exited', exitStatus: 0 });
    expect(reported).toBe(0);
    kernel.checkInvariants();
  });
});
