/**
 * Issue 11, part 2: rights are not amplified by lookup. A reference found by
 * name carries the rights of the scopes it was found through, within the
 * object's lookup mask (create's options.lookupRights, or the type's
 * default): a task found by name can be watched, not paused or copied into;
 * a group found by name can be resolved in, not created in. The home kernel
 * applies the mask to lookups from other kernels.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOOKUP_RIGHTS,
  Kernel,
  kernelStatusName,
  ObjectType,
  PauseFlags,
  Rights,
  type BlobStore,
  type SystemCalls,
} from '@dios/kernel';
import { boot, expectErrno, installProgram, krefOf } from './helpers.js';
import { cluster } from './distribution/cluster.js';

const { READ, WRITE, DELEGATE, ALL } = Rights;

/** Runs `body` as a child of init (a member of the root group with all rights, like init) and waits for it. */
async function asChild(kernel: Kernel, body: (sys: SystemCalls) => Promise<void>): Promise<void> {
  let failure: Error | undefined;
  const bin = await installProgram(kernel, kernel.init, async (sys) => {
    await body(sys).catch((e: unknown) => (failure = e instanceof Error ? e : new Error(String(e))));
  });
  const child = await kernel.init.run(bin, { argv: ['child'] });
  await kernel.init.select([child]);
  if (failure !== undefined) throw failure;
}

describe('lookup of a task', () => {
  it('a child that looks up its own name gets r--d, not rwxd: it cannot hand itself to others or pause itself by it', async () => {
    const kernel = await boot();
    await asChild(kernel, async (sys) => {
      expect(krefOf(kernel, sys, sys.self).rights).toBe(READ | WRITE);
      const [me] = await sys.lookup(sys.taskName);
      expect(krefOf(kernel, sys, me!).rights).toBe(READ | DELEGATE);
      await expectErrno(sys.pause(me!), 'EACCES', 'task');
      const [cons] = await sys.lookup(sys.consoleName);
      await expectErrno(sys.copy([cons!], me!), 'EACCES', 'target');
      // Nor can a copy widen it again.
      await expectErrno(sys.copy([me!], sys.self, { rights: ALL }), 'EPERM', 'refs[0]');
    });
    kernel.checkInvariants();
  });

  it('a task with a WRITE membership that looks up its parent or init can watch them, not pause them or copy into them', async () => {
    const kernel = await boot();
    const parent = await kernel.attachTask(['parent']);
    const bin = await installProgram(kernel, parent, async (sys) => {
      for (const name of [parent.taskName, kernel.init.taskName]) {
        const [t] = await sys.lookup(name);
        expect(krefOf(kernel, sys, t!).rights).toBe(READ | DELEGATE);
        expect(sys.ref(t!).task?.state).toBe('running');
        await expectErrno(sys.pause(t!), 'EACCES', 'task');
        await expectErrno(sys.pause(t!, PauseFlags.RESUME), 'EACCES', 'task');
        const [cons] = await sys.lookup(sys.consoleName);
        await expectErrno(sys.copy([cons!], t!), 'EACCES', 'target');
      }
      return 7;
    });
    const child = await parent.run(bin, { argv: ['child'] });
    await parent.select([child]);
    expect(parent.ref(child).task).toEqual({ state: 'exited', exitStatus: 7 });
    // The parent's reference from run is where WRITE on the child comes from.
    expect(krefOf(kernel, parent, child).rights).toBe(READ | WRITE | DELEGATE);
    kernel.checkInvariants();
  });

  it('the host may attach a task that lets whoever finds it write to it; the scope still bounds what they get', async () => {
    const kernel = await boot();
    const open = await kernel.attachTask(['open'], undefined, { lookupRights: ALL });
    const [t] = await kernel.init.lookup(open.taskName);
    expect(krefOf(kernel, kernel.init, t!).rights).toBe(ALL);
    const watcher = await kernel.attachTask(['watcher'], [{ group: kernel.rootGroup, rights: READ | DELEGATE }]);
    const [w] = await watcher.lookup(open.taskName);
    expect(krefOf(kernel, watcher, w!).rights).toBe(READ | DELEGATE);
    await expectErrno(kernel.attachTask(['bad'], undefined, { lookupRights: 64 }), 'EINVAL', 'options.lookupRights');
    kernel.checkInvariants();
  });
});

describe('lookup of a group', () => {
  it('a group found by name is a scope, but confers no WRITE: no names can be entered into it', async () => {
    const kernel = await boot();
    const { name } = await kernel.init.create(ObjectType.GROUP);
    const task = await kernel.attachTask(['task']);
    const [g] = await task.lookup(name);
    expect(krefOf(kernel, task, g!).rights).toBe(READ | DELEGATE);
    await expectErrno(task.create(ObjectType.SHARED_MEMORY_BLOB, { group: g! }), 'EACCES', 'options.group');
    // Nor can it make a child a member that is named there under a seed.
    const bin = await installProgram(kernel, task, () => 0);
    await expectErrno(task.run(bin, { argv: [], groups: [g!], name: 'cfg' }, 0x2), 'EACCES', 'spec.name');
    kernel.checkInvariants();
  });

  it('its creator may let whoever finds it create in it (options.lookupRights)', async () => {
    const kernel = await boot();
    const { name } = await kernel.init.create(ObjectType.GROUP, { lookupRights: ALL });
    const task = await kernel.attachTask(['task']);
    const [g] = await task.lookup(name);
    expect(krefOf(kernel, task, g!).rights).toBe(ALL);
    const made = await task.create(ObjectType.SHARED_MEMORY_BLOB, { group: g! });
    expect(await kernel.init.lookup(made.name)).toHaveLength(1);
    kernel.checkInvariants();
  });
});

describe('create: options.lookupRights', () => {
  it('bounds what any lookup confers, whatever the scope', async () => {
    const kernel = await boot();
    const { name, ref } = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB, { lookupRights: READ });
    // The creator's own reference is not bounded by it.
    expect(krefOf(kernel, kernel.init, ref).rights).toBe(ALL);
    const [found] = await kernel.init.lookup(name);
    expect(krefOf(kernel, kernel.init, found!).rights).toBe(READ);
    await expectErrno(kernel.init.beginWrite(found!, 1), 'EACCES', 'ref');
    const none = await kernel.init.create(ObjectType.SHARED_MEMORY_STREAM, { lookupRights: 0 });
    const [blind] = await kernel.init.lookup(none.name);
    expect(krefOf(kernel, kernel.init, blind!).rights).toBe(0);
    kernel.checkInvariants();
  });

  it('is EINVAL when not a rights mask, and for a durable blob unless the default (the store does not keep it)', async () => {
    const kernel = await boot();
    for (const bad of [64, -1, 1.5, 'r', null]) {
      await expectErrno(
        kernel.init.create(ObjectType.SHARED_MEMORY_BLOB, { lookupRights: bad as never }),
        'EINVAL',
        'options.lookupRights',
      );
    }
    const store: BlobStore = { load: async () => [], commit: async () => {}, remove: async () => {} };
    const durable = await Kernel.boot({ store });
    await expectErrno(
      durable.init.create(ObjectType.DURABLE_BLOB, { lookupRights: READ }),
      'EINVAL',
      'options.lookupRights',
    );
    const ok = await durable.init.create(ObjectType.DURABLE_BLOB, { lookupRights: ALL });
    const [found] = await durable.init.lookup(ok.name);
    expect(krefOf(durable, durable.init, found!).rights).toBe(ALL);
    kernel.checkInvariants();
  });
});

describe('defaults per type', () => {
  it('data objects rwxd, the console rw-d, tasks, groups and the kernel status r--d', async () => {
    expect(DEFAULT_LOOKUP_RIGHTS).toEqual({
      'private-memory-blob': ALL,
      'shared-memory-blob': ALL,
      'durable-blob': ALL,
      'shared-memory-stream': ALL,
      'tcp-listener': ALL,
      'tcp-connection': ALL,
      console: READ | WRITE | DELEGATE,
      task: READ | DELEGATE,
      group: READ | DELEGATE,
      'kernel-status': READ | DELEGATE,
      tag: READ | DELEGATE,
    });
    const kernel = await boot();
    const sys = kernel.init;
    const rightsOf = async (name: Parameters<SystemCalls['lookup']>[0]) =>
      krefOf(kernel, sys, (await sys.lookup(name))[0]!).rights;
    expect(await rightsOf((await sys.create(ObjectType.SHARED_MEMORY_STREAM)).name)).toBe(ALL);
    expect(await rightsOf(sys.consoleName)).toBe(READ | WRITE | DELEGATE);
    expect(await rightsOf(await kernelStatusName(sys.kernelId))).toBe(READ | DELEGATE);
    expect(await rightsOf(sys.taskName)).toBe(READ | DELEGATE);
    kernel.checkInvariants();
  });
});

describe('the home kernel applies the mask', () => {
  it('an object on another kernel is found with no more than its mask allows', async () => {
    const c = await cluster('a', 'b');
    const blob = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lookupRights: READ | DELEGATE });
    const group = await c.sys.b!.create(ObjectType.GROUP);
    const [h] = await c.sys.a!.lookup(blob.name);
    expect(c.sys.a!.ref(h!).proximity).toBe('remote-memory-1hop');
    expect(krefOf(c.k.a!, c.sys.a!, h!).rights).toBe(READ | DELEGATE);
    await expectErrno(c.sys.a!.beginWrite(h!, 1), 'EACCES', 'ref');
    // The group found on b is this kernel's group of that name, with the rights b conferred.
    const [g] = await c.sys.a!.lookup(group.name);
    expect(krefOf(c.k.a!, c.sys.a!, g!).rights).toBe(READ | DELEGATE);
    await expectErrno(c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB, { group: g! }), 'EACCES', 'options.group');
    c.check();
  });
});
