/**
 * Containers isolate by name resolution (docs/containers.md): a task of
 * container A reaches nothing of container B's, nor of the host's, by any
 * name it can know or compute, by run, through references handed to it
 * without rights, or by starting children elsewhere; every child of A's
 * stays in A (its label, its console, A's task limit). Most attacks are made
 * by actors (see rig.ts), a few end to end by the agent program in a worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerGroupName,
  CreateFlags,
  kernelStatusName,
  Label,
  Name,
  ObjectType,
  pathNameSync,
  pathSeed,
  Rights,
  RunFlags,
  type Container,
  type SystemCalls,
} from '@dios/kernel';
import { enc, expectErrno, writeAll } from '../helpers.js';
import { rig, type Actor, type Rig } from './rig.js';
import type { TaskObject } from '../../src/core/objects/task.js';

let r: Rig;
let A: Container;
let B: Container;
let a: Actor;
let b: Actor;
let host: SystemCalls;
// B's objects: a seeded blob, a file at a path, its binary.
let secret: Name;
let file: Name;

beforeAll(async () => {
  r = await rig();
  A = r.container('iso-a', { maxTasks: 4 });
  B = r.container('iso-b');
  a = await r.actor(A);
  b = await r.actor(B);
  // Its lookup mask lets init hand out writable references to it (to check that labels still stop a copy).
  host = await r.kernel.attachTask(['host'], undefined, { lookupRights: Rights.ALL });
  const s = await b.sys.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'secret' }, CreateFlags.NAME_DETERMINISTIC);
  await writeAll(b.sys, s.ref, enc('B secret'));
  secret = s.name;
  const f = await b.sys.create(
    ObjectType.SHARED_MEMORY_BLOB,
    { nameSeed: pathSeed('/data/x') },
    CreateFlags.NAME_DETERMINISTIC,
  );
  file = f.name;
});
afterAll(() => r.close());

const enoent = (sys: SystemCalls, name: Name | string) => expectErrno(sys.lookup(name), 'ENOENT', 'name', 'lookup');

describe('a task of container A', () => {
  it("does not find B's objects by their names, by path, or by computing them in B's group", async () => {
    // The objects exist, and B's task finds them.
    expect(await b.sys.lookup(secret)).toHaveLength(1);
    expect(file.key).toBe(pathNameSync(B.group.name, '/data/x').key);
    expect(await b.sys.lookup(file)).toHaveLength(1);
    await enoent(a.sys, secret);
    await enoent(a.sys, file);
    // The same path in its own group, and names seeded in B's group, which it can compute but does not hold.
    await enoent(a.sys, pathNameSync(A.group.name, '/data/x'));
    await enoent(a.sys, await Name.seeded(B.group.name, 'secret'));
    await enoent(a.sys, await Name.seeded(B.group.name, 'bin-stubborn'));
    await enoent(a.sys, await Name.seeded(B.group.name, 'dios:stop-notice'));
    await enoent(a.sys, await Name.seeded(B.group.name, 'dios:console'));
    // Seeds guessed in the root group.
    await enoent(a.sys, await Name.seeded(r.kernel.rootGroup.name, 'secret'));
    r.kernel.checkInvariants();
  });

  it("finds neither the host's objects nor B's group, tag or tasks", async () => {
    for (const n of [
      r.kernel.rootGroup.name,
      r.kernel.console.name,
      await kernelStatusName(r.kernel.id),
      r.kernel.init.taskName,
      host.taskName,
      containerGroupName(r.kernel.rootGroup.name, r.kernel.id, 'iso-b'),
      B.group.name,
      B.tag,
      A.tag,
      b.sys.taskName,
    ])
      await enoent(a.sys, n);
    // Its own group is its scope, not an object it can name and hand on.
    await enoent(a.sys, A.group.name);
    r.kernel.checkInvariants();
  });

  it('cannot run what it holds no reference to, nor start a child in a group it does not hold', async () => {
    await expectErrno(a.sys.run(9999, { argv: ['x'] }), 'EBADF', 'binary', 'run');
    const [bin] = await a.sys.lookup(await Name.seeded(A.group.name, 'bin-stubborn'));
    await expectErrno(a.sys.run(bin!, { argv: ['x'], groups: [9999] }), 'EBADF', 'spec.groups[0]', 'run');
    // The console it holds is no group.
    const [con] = await a.sys.lookup(a.sys.consoleName);
    await expectErrno(a.sys.run(bin!, { argv: ['x'], groups: [con!] }), 'EINVAL', 'spec.groups[0]', 'run');
    await expectErrno(a.sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: 9999 }), 'EBADF', 'options.group', 'create');
    await a.sys.delete(con!);
    await a.sys.delete(bin!);
    r.kernel.checkInvariants();
  });

  it('cannot write through a read-only reference handed to it, nor end its stop notice', async () => {
    const stream = await host.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
    // Init hands A's task a read-only reference.
    const [mine] = await r.kernel.init.lookup(stream.name);
    const given = await giveTo(a, mine!, Rights.READ | Rights.DELEGATE);
    await expectErrno(a.sys.beginWrite(given, 1), 'EACCES', 'ref', 'beginWrite');
    // Handing it on cannot widen it.
    await expectErrno(
      a.sys.copy([given], a.sys.self, { rights: Rights.READ | Rights.WRITE | Rights.DELEGATE }),
      'EPERM',
      'refs[0]',
      'copy',
    );
    const [notice] = await a.sys.lookup(await Name.seeded(A.group.name, 'dios:stop-notice'));
    await expectErrno(a.sys.beginWrite(notice!, 1), 'EACCES', 'ref', 'beginWrite');
    await a.sys.delete(notice!);
    // Dropping its reference did not end the notice: init's is still open.
    expect(A.notice.destroyed).toBe(false);
    await a.sys.delete(given);
    await r.kernel.init.delete(mine!);
    await host.delete(stream.ref);
    r.kernel.checkInvariants();
  });

  it("cannot copy its references to a host task (label), nor shed or dodge its container's tag", async () => {
    const mine = await a.sys.create(ObjectType.SHARED_MEMORY_BLOB, {});
    await writeAll(a.sys, mine.ref, enc('A secret'));
    // The host hands it a writable reference to a host task: its label still stops the copy.
    const [hostTask] = await r.kernel.init.lookup(host.taskName);
    const kernelTask = r.kernel.tasks.get(host.taskName.key)!;
    const before = kernelTask.table.size;
    const given = await giveTo(a, hostTask!);
    await expectErrno(a.sys.copy([mine.ref], given), 'EPERM', 'target', 'copy');
    expect(kernelTask.table.size).toBe(before);
    // Its own label: A's tag. Even holding the tag (read-only, from init) it cannot remove it.
    const view = await a.sys.beginRead(a.sys.self);
    const label = JSON.parse(new TextDecoder().decode(view)) as { secrecy: string[] };
    await a.sys.endRead(a.sys.self, view);
    expect(label.secrecy).toEqual([A.tag.key]);
    const tag = await giveTo(a, A.handles.tag, Rights.READ | Rights.DELEGATE);
    const change = enc(JSON.stringify({ removeSecrecy: [tag] }));
    const buf = await a.sys.beginWrite(a.sys.self, change.length);
    buf.set(change);
    await expectErrno(a.sys.endWrite(a.sys.self, buf), 'EPERM', 'buffer.removeSecrecy[0]', 'endWrite');
    await a.sys.endWrite(a.sys.self, buf, {}, 1 /* DISCARD */);
    // Nor make a less secret object: an unlabelled one, or one labelled only with a tag of its own.
    const own = await a.sys.create(ObjectType.TAG);
    await expectErrno(
      a.sys.create(ObjectType.SHARED_MEMORY_BLOB, { label: { secrecy: [own.ref] } }),
      'EPERM',
      'options.label',
      'create',
    );
    expect(a.task.label.toString()).toBe(Label.of([A.tag.key], []).toString());
    for (const h of [mine.ref, given, tag, own.ref]) await a.sys.delete(h);
    await r.kernel.init.delete(hostTask!);
    r.kernel.checkInvariants();
  });

  it('starts children that stay in A: in no group or a group of its own, they carry the tag, use its console, count', async () => {
    const [bin] = await a.sys.lookup(await Name.seeded(A.group.name, 'bin-stubborn'));
    const group = await a.sys.create(ObjectType.GROUP);
    expect(A.taskCount).toBe(1);
    const kids: number[] = [];
    for (const groups of [[], [group.ref]]) {
      const h = await a.sys.run(bin!, { argv: ['escape'], groups }, RunFlags.START_PAUSED);
      kids.push(h);
      const child = childOf(a, h);
      expect(child.container).toBe(A);
      expect(child.label.secrecy.has(A.tag.key)).toBe(true);
      expect(r.kernel.contextOf(child).consoleName.key).toBe(A.console.name.key);
      expect(child.setup.pure).toBe(true);
    }
    // A's limit is 4 tasks: a, two children, one more; then EAGAIN.
    kids.push(await a.sys.run(bin!, { argv: ['fill'] }, RunFlags.START_PAUSED));
    expect(A.taskCount).toBe(4);
    await expectErrno(a.sys.run(bin!, { argv: ['over'] }, RunFlags.START_PAUSED), 'EAGAIN', undefined, 'run');
    // A child (in no group) starting a grandchild is limited the same.
    const child = childOf(a, kids[0]!);
    child.state = 'running';
    const [binInChild] = await a.sys.copy([bin!], kids[0]!);
    await expectErrno(r.kernel.contextOf(child).run(binInChild!, { argv: ['g'] }), 'EAGAIN', undefined, 'run');
    // Ending one frees a slot.
    r.kernel.exitTask(childOf(a, kids[2]!), 0);
    expect(A.taskCount).toBe(3);
    kids.push(await a.sys.run(bin!, { argv: ['again'] }, RunFlags.START_PAUSED));
    for (const h of kids) r.kernel.exitTask(childOf(a, h), 0);
    expect(A.taskCount).toBe(1);
    // A child in the kernel's thread, or on a kernel there is no link to, is refused.
    await expectErrno(a.sys.run(bin!, { argv: ['t'], placement: 'thread' }), 'ENOTSUP', 'spec.placement', 'run');
    await expectErrno(a.sys.run(bin!, { argv: ['k'], kernel: 'elsewhere' }), 'EHOSTUNREACH', 'spec.kernel', 'run');
    expect(A.taskCount).toBe(1);
    for (const h of [...kids, bin!, group.ref]) await a.sys.delete(h);
    r.kernel.checkInvariants();
  });

  it('end to end in workers: a pure task with the tag, no node:fs, no host names; its child in A', async () => {
    const C = r.container('iso-e2e');
    await r.binary(C, 'agent');
    const done = r.exits(C, 2);
    const steps = [
      { op: 'label' },
      { op: 'lookup', name: r.kernel.console.name.key },
      { op: 'lookup', name: (await kernelStatusName(r.kernel.id)).key },
      { op: 'lookup', name: secret.key },
      { op: 'import', module: 'node:fs' },
      { op: 'run', who: 'thread', steps: [], placement: 'thread' },
      { op: 'run', who: 'child', steps: [{ op: 'label' }, { op: 'print', text: 'child was here\n' }] },
    ];
    await r.start(C, 'agent', [JSON.stringify(steps), 'parent']);
    const events = await done;
    expect(events.map((e) => [e.argv[2], e.status, e.reason])).toEqual([
      ['child', 0, 'exited'],
      ['parent', 0, 'exited'],
    ]);
    const [parent] = r.reports('iso-e2e', 'parent');
    const [child] = r.reports('iso-e2e', 'child');
    expect(parent!.results[0]).toMatchObject({ ok: true, secrecy: [C.tag.key], console: C.console.name.key });
    expect(parent!.results.slice(1, 4)).toEqual([
      { code: 'ENOENT', argument: 'name' },
      { code: 'ENOENT', argument: 'name' },
      { code: 'ENOENT', argument: 'name' },
    ]);
    expect(parent!.results[4]).toMatchObject({ code: 'EACCES' });
    expect(parent!.results[5]).toEqual({ code: 'ENOTSUP', argument: 'spec.placement' });
    expect(parent!.results[6]).toEqual({ ok: true, status: 0 });
    expect(child!.results[0]).toMatchObject({ ok: true, secrecy: [C.tag.key], console: C.console.name.key });
    expect(r.out.get('iso-e2e')).toContain('child was here\n');
    expect(C.taskCount).toBe(0);
    r.kernel.checkInvariants();
  }, 15000);
});

// The kernel's task behind an actor's handle on a child.
function childOf(actor: Actor, handle: number): TaskObject {
  const ref = actor.task.table.get(handle);
  if (ref === undefined) throw new Error(`no reference ${handle}`);
  return ref.object as TaskObject;
}

// Init copies its reference `handle` into the actor's table; returns the actor's handle (init, less secret, is told 0).
async function giveTo(actor: Actor, handle: number, rights?: number): Promise<number> {
  const [told] = await r.kernel.init.copy([handle], actor.handle, rights === undefined ? {} : { rights });
  expect(told).toBe(0);
  return actor.task.nextHandle - 1;
}
