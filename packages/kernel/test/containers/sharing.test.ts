/**
 * Objects shared into a container on purpose (kernel.shareIntoContainer,
 * Docker's bind mounts): resolvable in that container only, under their own
 * name or a path alias; a read-only share confers no WRITE; a share never
 * confers more than init's reference had; what cannot be shared is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectType, pathNameSync, Rights, type Container } from '@dios/kernel';
import { dec, enc, expectErrno, readAll, writeAll } from '../helpers.js';
import type { SystemCalls } from '@dios/kernel';
import { rig, type Actor, type Rig } from './rig.js';

let r: Rig;
let A: Container;
let B: Container;
let a: Actor;
let b: Actor;
let data: number;

beforeAll(async () => {
  r = await rig();
  A = r.container('share-a');
  B = r.container('share-b');
  a = await r.actor(A);
  b = await r.actor(B);
  data = r.kernel.hostGroup('share-test-data');
});
afterAll(() => r.close());

// A blob init makes in the host's data group, holding `text`; returns init's handle and the blob's name.
async function hostBlob(text: string) {
  const created = await r.kernel.init.create(ObjectType.SHARED_MEMORY_BLOB, { group: data });
  await writeAll(r.kernel.init, created.ref, enc(text));
  return created;
}

// The text a blob holds, read through `sys`'s reference `handle`.
const text = async (sys: SystemCalls, handle: number) => dec((await readAll(sys, handle)).bytes);

// The rights of the reference `handle` of an actor.
const rightsOf = (actor: Actor, handle: number) => actor.task.table.get(handle)!.rights;

describe('a share into container A', () => {
  it('resolves in A, by its name and under a path alias, and nowhere else', async () => {
    const blob = await hostBlob('shared data');
    const alias = pathNameSync(A.group.name, '/data/x');
    r.kernel.shareIntoContainer(A, blob.ref);
    r.kernel.shareIntoContainer(A, blob.ref, { as: alias });
    const [byName] = await a.sys.lookup(blob.name);
    const [byPath] = await a.sys.lookup(alias);
    expect(await text(a.sys, byName!)).toBe('shared data');
    expect(await text(a.sys, byPath!)).toBe('shared data');
    // Not in B, not at the same path in B's group, not to a host task outside the data group.
    await expectErrno(b.sys.lookup(blob.name), 'ENOENT', 'name', 'lookup');
    await expectErrno(b.sys.lookup(pathNameSync(B.group.name, '/data/x')), 'ENOENT', 'name', 'lookup');
    const host = await r.kernel.attachTask(['host']);
    await expectErrno(host.lookup(blob.name), 'ENOENT', 'name', 'lookup');
    // The alias is a name in A's group only: the blob keeps its own name and group.
    expect(r.kernel.objects.get(alias.key)).toBeUndefined();
    for (const h of [byName!, byPath!]) await a.sys.delete(h);
    r.kernel.checkInvariants();
  });

  it('read-only: the reference found has no WRITE, a write is EACCES; A cannot widen it by copy', async () => {
    const blob = await hostBlob('read me');
    r.kernel.shareIntoContainer(A, blob.ref, { readOnly: true });
    const [h] = await a.sys.lookup(blob.name);
    expect(rightsOf(a, h!) & Rights.WRITE).toBe(0);
    expect(await text(a.sys, h!)).toBe('read me');
    await expectErrno(a.sys.beginWrite(h!, 1), 'EACCES', 'ref', 'beginWrite');
    await expectErrno(
      a.sys.copy([h!], a.sys.self, { rights: Rights.READ | Rights.WRITE | Rights.DELEGATE }),
      'EPERM',
      'refs[0]',
      'copy',
    );
    // A rights mask: READ only (no DELEGATE either), whatever init holds.
    const other = await hostBlob('masked');
    r.kernel.shareIntoContainer(A, other.ref, { rights: Rights.READ });
    const [m] = await a.sys.lookup(other.name);
    expect(rightsOf(a, m!)).toBe(Rights.READ);
    await expectErrno(a.sys.copy([m!], a.sys.self), 'EACCES', 'refs[0]', 'copy');
    for (const x of [h!, m!]) await a.sys.delete(x);
    r.kernel.checkInvariants();
  });

  it("never confers more than init's reference has", async () => {
    const blob = await hostBlob('narrow');
    // Init's own narrower reference (read and delegate): shared asking for every right.
    const [narrow] = await r.kernel.init.copy([blob.ref], r.kernel.init.self, {
      rights: Rights.READ | Rights.DELEGATE,
    });
    r.kernel.shareIntoContainer(A, narrow!, { rights: Rights.ALL });
    const [h] = await a.sys.lookup(blob.name);
    expect(rightsOf(a, h!)).toBe(Rights.READ | Rights.DELEGATE);
    await expectErrno(a.sys.beginWrite(h!, 1), 'EACCES', 'ref', 'beginWrite');
    await expectErrno(a.sys.run(h!, { argv: ['x'] }), 'EACCES', 'binary', 'run');
    // A reference without READ cannot be shared at all.
    const [writeOnly] = await r.kernel.init.copy([blob.ref], r.kernel.init.self, { rights: Rights.WRITE });
    expect(() => r.kernel.shareIntoContainer(B, writeOnly!)).toThrow(
      expect.objectContaining({ code: 'EACCES', argument: 'handle' }),
    );
    await expectErrno(b.sys.lookup(blob.name), 'ENOENT', 'name', 'lookup');
    await a.sys.delete(h!);
    r.kernel.checkInvariants();
  });

  it('refuses private memory, groups and tags (EINVAL naming the handle), and a container of another kernel', async () => {
    const priv = await r.kernel.init.create(ObjectType.PRIVATE_MEMORY_BLOB, { group: data });
    const tag = await r.kernel.init.create(ObjectType.TAG);
    for (const h of [priv.ref, data, tag.ref, A.handles.group]) {
      expect(() => r.kernel.shareIntoContainer(A, h)).toThrow(
        expect.objectContaining({ code: 'EINVAL', syscall: 'shareIntoContainer', argument: 'handle' }),
      );
      await expectErrno(
        a.sys.lookup(r.kernel.tasks.get(r.kernel.init.taskName.key)!.table.get(h)!.object.name),
        'ENOENT',
        'name',
      );
    }
    expect(() => r.kernel.shareIntoContainer(A, 9999)).toThrow(
      expect.objectContaining({ code: 'EBADF', argument: 'handle' }),
    );
    const blob = await hostBlob('x');
    const foreign = { ...A, id: 'not-here' } as unknown as Container;
    expect(() => r.kernel.shareIntoContainer(foreign, blob.ref)).toThrow(
      expect.objectContaining({ code: 'ENOENT', argument: 'container' }),
    );
    r.kernel.checkInvariants();
  });

  it("outlives the container: removing it leaves the host's shared object, and takes all the container made", async () => {
    const C = r.container('share-c');
    const blob = await hostBlob('keep me');
    r.kernel.shareIntoContainer(C, blob.ref);
    const c = await r.actor(C);
    const [h] = await c.sys.lookup(blob.name);
    expect(await text(c.sys, h!)).toBe('keep me');
    // What the container made, immortal: in its group, and in a group of a group it made there.
    const made = [];
    let group: number | undefined;
    for (let depth = 0; depth < 3; depth++) {
      const options = { lifecycle: 'immortal' as const, ...(group !== undefined ? { group } : {}) };
      made.push(await c.sys.create(ObjectType.SHARED_MEMORY_BLOB, options));
      const g = await c.sys.create(ObjectType.GROUP, options);
      made.push(g);
      group = g.ref;
    }
    r.kernel.removeContainer(C);
    expect(c.task.state).toBe('exited');
    expect(made.filter((m) => r.kernel.objects.has(m.name.key))).toEqual([]);
    expect(r.kernel.objects.has(C.tag.key)).toBe(false);
    expect(await text(r.kernel.init, blob.ref)).toBe('keep me');
    r.kernel.checkInvariants();
  });
});
