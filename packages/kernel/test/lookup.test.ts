import { describe, expect, it } from 'vitest';
import { LookupFlags, Name, ObjectType, Rights, type Kernel } from '@dios/kernel';
import type { Distribution } from '../src/core/distribution.js';
import type { GroupObject } from '../src/core/objects/group.js';
import { BlobObject } from '../src/core/objects/blob.js';
import type { KernelObject } from '../src/core/objects/kernel-object.js';
import { blobWith, boot, dec, enc, expectErrno, krefOf, readAll } from './helpers.js';

describe('lookup', () => {
  it('resolves a name to a new reference with all rights, by Name or by its text', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { name, ref } = await blobWith(sys, enc('found me'));
    const [a] = await sys.lookup(name);
    const [b] = await sys.lookup(name.toString());
    expect(new Set([ref, a, b]).size).toBe(3);
    for (const h of [a!, b!]) {
      expect(krefOf(kernel, sys, h).object).toBe(krefOf(kernel, sys, ref).object);
      expect(krefOf(kernel, sys, h).rights).toBe(Rights.ALL);
      expect(dec((await readAll(sys, h)).bytes)).toBe('found me');
    }
    kernel.checkInvariants();
  });

  it('an unknown name is ENOENT; a malformed one EINVAL; neither opens anything', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const handles = sys.handles;
    await expectErrno(sys.lookup(Name.random()), 'ENOENT', 'name');
    await expectErrno(sys.lookup('ABC'), 'EINVAL', 'name');
    await expectErrno(sys.lookup(Name.random().key.toUpperCase()), 'EINVAL', 'name');
    await expectErrno(sys.lookup(42 as unknown as string), 'EINVAL', 'name');
    await expectErrno(sys.lookup({ key: Name.random().key } as unknown as Name), 'EINVAL', 'name');
    expect(sys.handles).toEqual(handles);
    kernel.checkInvariants();
  });

  it('a destroyed object is no longer found', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { name, ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await sys.delete(ref);
    await expectErrno(sys.lookup(name), 'ENOENT', 'name');
    kernel.checkInvariants();
  });

  it('finds boot objects: the console and the root group', async () => {
    const kernel = await boot();
    const other = await kernel.attachTask(['other']);
    const [con] = await other.lookup(kernel.console.name);
    expect(other.ref(con!).type).toBe(ObjectType.CONSOLE);
    kernel.checkInvariants();
  });
});

describe('groups', () => {
  async function setup() {
    const kernel = await boot();
    const sys = kernel.init;
    const group = await sys.create(ObjectType.GROUP);
    const { name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    const gobj = krefOf(kernel, sys, group.ref).object as GroupObject;
    return { kernel, sys, group, gobj, name };
  }

  it('a task resolves in a group it holds a reference to', async () => {
    const { kernel, sys, name } = await setup();
    expect(await sys.lookup(name)).toHaveLength(1);
    kernel.checkInvariants();
  });

  it('a task outside the group, holding no reference to it, cannot resolve the name', async () => {
    const { kernel, name } = await setup();
    const outsider = await kernel.attachTask(['outsider']);
    await expectErrno(outsider.lookup(name), 'ENOENT', 'name');
    kernel.checkInvariants();
  });

  it('a member of the group resolves it, even without a reference to the group', async () => {
    const { kernel, gobj, name } = await setup();
    const member = await kernel.attachTask(['member'], [gobj]);
    expect(await member.lookup(name)).toHaveLength(1);
    // ... but it no longer resolves in the root group it is not a member of.
    await expectErrno(member.lookup(kernel.console.name), 'ENOENT', 'name');
    kernel.checkInvariants();
  });

  it('receiving a group reference lets a task resolve in it; deleting it takes that away', async () => {
    const { kernel, sys, group, name } = await setup();
    const outsider = await kernel.attachTask(['outsider']);
    const [target] = await sys.lookup(outsider.taskName);
    const [theirGroup] = await sys.copy([group.ref], target!, { rights: Rights.READ });
    const [found] = await outsider.lookup(name);
    expect(outsider.ref(found!).type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    await outsider.delete(theirGroup!);
    await expectErrno(outsider.lookup(name), 'ENOENT', 'name');
    // References already obtained stay valid.
    expect(outsider.ref(found!).open).toBe(true);
    kernel.checkInvariants();
  });

  it('two references to one group: resolution lasts until the last one goes', async () => {
    const { kernel, sys, group, name } = await setup();
    const [second] = await sys.copy([group.ref], sys.self);
    await sys.delete(group.ref);
    expect(await sys.lookup(name)).toHaveLength(1);
    await sys.delete(second!);
    await expectErrno(sys.lookup(name), 'ENOENT', 'name');
    kernel.checkInvariants();
  });

  it('a group reached both by membership and by reference yields the object once', async () => {
    const { kernel, gobj, name } = await setup();
    const member = await kernel.attachTask(['member'], [gobj, kernel.rootGroup]);
    const [g] = await member.lookup(gobj.name);
    expect(member.ref(g!).type).toBe(ObjectType.GROUP);
    expect(await member.lookup(name)).toHaveLength(1);
    kernel.checkInvariants();
  });
});

describe('private memory', () => {
  it('is invisible to every task but its creator', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { name } = await sys.create(ObjectType.PRIVATE_MEMORY_BLOB);
    expect(await sys.lookup(name)).toHaveLength(1);
    const other = await kernel.attachTask(['other']);
    await expectErrno(other.lookup(name), 'ENOENT', 'name');
    kernel.checkInvariants();
  });
});

/** A stand-in for a copy of an object held by a peer kernel. */
class RemoteCopy extends BlobObject {
  constructor(name: Name, readonly peer: string) {
    super(name, 'refcounted', undefined, true, 0);
  }
  override get home(): string {
    return this.peer;
  }
  override get proximity() {
    return 'remote-memory-1hop' as const;
  }
}

function stubPeers(kernel: Kernel, copies: (key: string) => KernelObject[]) {
  const calls: { key: string; groups: string[] }[] = [];
  const unused = () => Promise.reject(new Error('not used by these tests'));
  const distribution: Distribution = {
    lookup: async (key, groups) => {
      calls.push({ key, groups });
      return copies(key);
    },
    delegate: unused,
    run: unused,
    pause: unused,
  };
  kernel.distribution = distribution;
  return calls;
}

describe('several copies', () => {
  it('returns one reference per copy: the local one first, then copies on peers', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { name, ref } = await blobWith(sys, enc('local'));
    const calls = stubPeers(kernel, (key) => (key === name.key ? [new RemoteCopy(name, 'peer-1'), new RemoteCopy(name, 'peer-2')] : []));
    const refs = await sys.lookup(name);
    expect(refs).toHaveLength(3);
    expect(krefOf(kernel, sys, refs[0]!).object).toBe(krefOf(kernel, sys, ref).object);
    expect(sys.ref(refs[0]!).proximity).toBe('local-memory');
    expect(sys.ref(refs[1]!).proximity).toBe('remote-memory-1hop');
    expect(refs.slice(1).map((h) => (krefOf(kernel, sys, h).object as RemoteCopy).peer)).toEqual(['peer-1', 'peer-2']);
    // Peers are asked for the name in the groups this task can resolve in.
    expect(calls).toEqual([{ key: name.key, groups: [kernel.rootGroup.name.key] }]);
    kernel.checkInvariants();
  });

  it('LOCAL_ONLY does not ask peers', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const calls = stubPeers(kernel, () => [new RemoteCopy(name, 'peer-1')]);
    expect(await sys.lookup(name, LookupFlags.LOCAL_ONLY)).toHaveLength(1);
    expect(calls).toHaveLength(0);
    kernel.checkInvariants();
  });

  it('a name known only to a peer resolves to the remote copy; LOCAL_ONLY then finds nothing', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const name = Name.random();
    stubPeers(kernel, () => [new RemoteCopy(name, 'peer-1')]);
    const [h] = await sys.lookup(name);
    expect(sys.ref(h!).proximity).toBe('remote-memory-1hop');
    await expectErrno(sys.lookup(name, LookupFlags.LOCAL_ONLY), 'ENOENT', 'name');
    kernel.checkInvariants();
  });
});
