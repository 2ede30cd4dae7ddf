/**
 * Regressions for holes found in review: forged group names across
 * clusters, cleanup when a task exits during a cross-kernel lookup, and
 * references left at a home when a multi-reference export fails part-way.
 */
import { describe, expect, it } from 'vitest';
import { CreateFlags, Kernel, LoopbackNetwork, ObjectType, Rights, RunFlags } from '@dios/kernel';
import { expectErrno, enc } from '../helpers.js';
import { cluster, settle } from './cluster.js';

describe('group names cannot be forged with seeds', () => {
  it('a task in another cluster cannot seed its way into a cluster root group', async () => {
    const net = new LoopbackNetwork();
    const victim = await Kernel.boot({ id: 'victim', cluster: 'secret' });
    const intruder = await Kernel.boot({ id: 'intruder', cluster: 'other' });
    victim.join(net.connect('victim'));
    intruder.join(net.connect('intruder'));
    const secret = await victim.init.create(ObjectType.SHARED_MEMORY_BLOB);
    // The seed a cluster root group's name is made from, tried by a task as a group seed.
    const forged = await intruder.init.create(
      ObjectType.GROUP,
      { nameSeed: 'dios-cluster-root\u0000secret' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    expect(forged.name.equals(victim.rootGroup.name)).toBe(false);
    await expectErrno(intruder.init.lookup(secret.name), 'ENOENT', 'name');
    victim.checkInvariants();
    intruder.checkInvariants();
  });
});

describe('a task exiting during a cross-kernel lookup', () => {
  it('gives back unheld proxies but leaves local groups alone', async () => {
    const c = await cluster('a', 'b');
    const a = c.k.a!;
    const group = await c.sys.a!.create(ObjectType.GROUP, { lifecycle: 'immortal' });
    const blob = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB);
    const leaver = await a.attachTask(['leaver']);
    // Both lookups are in flight when the task exits.
    const pendingGroup = leaver.lookup(group.name);
    const pendingBlob = leaver.lookup(blob.name);
    await leaver.delete(leaver.self);
    await expect(pendingGroup).rejects.toMatchObject({ code: 'ECANCELED' });
    await expect(pendingBlob).rejects.toMatchObject({ code: 'ECANCELED' });
    await settle();
    expect(c.sys.a!.ref(group.ref).open).toBe(true);
    expect(a.objects.get(group.name.key)?.destroyed).toBe(false);
    expect(c.link.a!.remoteCount).toBe(0);
    c.check();
  });
});

describe('a delegation that fails part-way', () => {
  it('gives back what it exported here and at third kernels', async () => {
    const c = await cluster('a', 'b', 'c', 'd');
    const local = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB);
    const onC = await c.sys.c!.create(ObjectType.SHARED_MEMORY_BLOB);
    const onD = await c.sys.d!.create(ObjectType.SHARED_MEMORY_BLOB);
    const [fromC] = await c.sys.a!.lookup(onC.name);
    const [fromD] = await c.sys.a!.lookup(onD.name);
    c.k.b!.registerProgram('idle', () => new Promise<never>(() => {}));
    const bin = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB);
    const bytes = enc('#!dios-program idle');
    const w = await c.sys.a!.beginWrite(bin.ref, bytes.length);
    w.set(bytes);
    await c.sys.a!.endWrite(bin.ref, w);
    const task = await c.sys.a!.run(bin.ref, { argv: ['idle'], kernel: 'b' });
    const refs = (k: 'a' | 'c', key: string) => c.k[k]!.objects.get(key)!.refCount;
    const before = { a: refs('a', local.name.key), c: refs('c', onC.name.key) };
    // d goes down: sharing d's object with b fails after a's own export and c's share for b succeeded.
    c.net.partition('d');
    await expectErrno(c.sys.a!.copy([local.ref, fromC!, fromD!], task, { rights: Rights.READ }), 'EHOSTDOWN');
    c.net.restore('d');
    await settle();
    expect(refs('a', local.name.key)).toBe(before.a);
    expect(refs('c', onC.name.key)).toBe(before.c);
    c.check();
  });
});

describe('deterministic names of calls in flight together', () => {
  it('concurrent counter-derived creates get distinct names, in call order', async () => {
    const kernel = await Kernel.boot();
    const sys = kernel.init;
    const [x, y] = await Promise.all([
      sys.create(ObjectType.SHARED_MEMORY_BLOB, {}, CreateFlags.NAME_DETERMINISTIC),
      sys.create(ObjectType.SHARED_MEMORY_BLOB, {}, CreateFlags.NAME_DETERMINISTIC),
    ]);
    const { Name } = await import('@dios/kernel');
    expect(x.name.key).toBe((await Name.derived(sys.taskName, 1)).key);
    expect(y.name.key).toBe((await Name.derived(sys.taskName, 2)).key);
    kernel.checkInvariants();
  });

  it('a failed counter-derived run gives its counter value back', async () => {
    const kernel = await Kernel.boot();
    const sys = kernel.init;
    const bin = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await expectErrno(sys.run(bin.ref, { argv: [] }, RunFlags.NAME_DETERMINISTIC), 'ENOEXEC', 'binary');
    const { name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, {}, CreateFlags.NAME_DETERMINISTIC);
    const { Name } = await import('@dios/kernel');
    expect(name.key).toBe((await Name.derived(sys.taskName, 1)).key);
    kernel.checkInvariants();
  });
});
