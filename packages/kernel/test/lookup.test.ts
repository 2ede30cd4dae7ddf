import { describe, expect, it } from 'vitest';
import { LookupFlags, Name, ObjectType, Rights, type Kernel, type TaskContext } from '@dios/kernel';
import type { Distribution } from '../src/core/kernel/distribution.js';
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
    // Attached so that init, finding it by name, may hand it references.
    const outsider = await kernel.attachTask(['outsider'], undefined, { lookupRights: Rights.ALL });
    const [target] = await sys.lookup(outsider.taskName);
    const [theirGroup] = await sys.copy([group.ref], target!, { rights: Rights.READ });
    const [found] = await outsider.lookup(name);
    expect(outsider.ref(found!).type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    // The name resolved through a read-only group reference: so is the reference it gave.
    expect(krefOf(kernel, outsider, found!).rights).toBe(Rights.READ);
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

describe('rights conferred by groups', () => {
  async function setup() {
    const kernel = await boot();
    const sys = kernel.init;
    const group = await sys.create(ObjectType.GROUP);
    const { name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    const gobj = krefOf(kernel, sys, group.ref).object as GroupObject;
    return { kernel, sys, group, gobj, name };
  }
  /** Hands `task` (attached with lookup mask rwxd, and named in a group `sys` resolves in) a reference to the group with `rights`. */
  async function giveGroup(sys: TaskContext, group: number, task: TaskContext, rights: number): Promise<number> {
    const [target] = await sys.lookup(task.taskName);
    const [h] = await sys.copy([group], target!, { rights });
    return h!;
  }

  it('a member gets the rights of its membership, not all rights', async () => {
    const { kernel, gobj, name } = await setup();
    const reader = await kernel.attachTask(['reader'], [{ group: gobj, rights: Rights.READ }]);
    const [h] = await reader.lookup(name);
    expect(krefOf(kernel, reader, h!).rights).toBe(Rights.READ);
    await expectErrno(reader.beginWrite(h!, 1), 'EACCES', 'ref');
    await expectErrno(reader.copy([h!], reader.self), 'EACCES', 'refs[0]');
    // A membership without WRITE does not name the task in the group: it cannot even find itself there.
    await expectErrno(reader.lookup(reader.taskName), 'ENOENT', 'name');
    expect(gobj.resolve(reader.taskName.key)).toBeUndefined();
    // A plain group passed to attachTask is joined with all rights.
    const full = await kernel.attachTask(['full'], [gobj]);
    const [f] = await full.lookup(name);
    expect(krefOf(kernel, full, f!).rights).toBe(Rights.ALL);
    kernel.checkInvariants();
  });

  it('a membership without READ resolves nothing, not even the task itself', async () => {
    const { kernel, gobj, name } = await setup();
    const blind = await kernel.attachTask(['blind'], [{ group: gobj, rights: Rights.WRITE | Rights.DELEGATE }]);
    await expectErrno(blind.lookup(name), 'ENOENT', 'name');
    await expectErrno(blind.lookup(blind.taskName), 'ENOENT', 'name');
    // It can still create in the group (WRITE), and others see what it made.
    const made = await blind.create(ObjectType.SHARED_MEMORY_BLOB);
    expect(krefOf(kernel, blind, made.ref).object.group).toBe(gobj);
    await expectErrno(blind.lookup(made.name), 'ENOENT', 'name');
    expect(await kernel.init.lookup(made.name)).toHaveLength(1);
    kernel.checkInvariants();
  });

  it('a held group reference without READ resolves nothing', async () => {
    const { kernel, sys, group, name } = await setup();
    const outsider = await kernel.attachTask(['outsider'], undefined, { lookupRights: Rights.ALL });
    const held = await giveGroup(sys, group.ref, outsider, Rights.WRITE | Rights.DELEGATE);
    await expectErrno(outsider.lookup(name), 'ENOENT', 'name');
    // With READ added (a second reference), it does: with just that reference's rights.
    await giveGroup(sys, group.ref, outsider, Rights.READ | Rights.DELEGATE);
    const [h] = await outsider.lookup(name);
    expect(krefOf(kernel, outsider, h!).rights).toBe(Rights.READ | Rights.DELEGATE);
    expect(outsider.ref(held).open).toBe(true);
    kernel.checkInvariants();
  });

  it('a name reached through several scopes gets the union of their rights', async () => {
    const { kernel, sys, group, gobj, name } = await setup();
    const task = await kernel.attachTask(['task'], [kernel.rootGroup, { group: gobj, rights: Rights.READ }], {
      lookupRights: Rights.ALL,
    });
    const [first] = await task.lookup(name);
    expect(krefOf(kernel, task, first!).rights).toBe(Rights.READ);
    const held = await giveGroup(sys, group.ref, task, Rights.READ | Rights.WRITE);
    const [second] = await task.lookup(name);
    expect(krefOf(kernel, task, second!).rights).toBe(Rights.READ | Rights.WRITE);
    // Dropping the reference takes its rights away again; references already made keep theirs.
    await task.delete(held);
    const [third] = await task.lookup(name);
    expect(krefOf(kernel, task, third!).rights).toBe(Rights.READ);
    expect(krefOf(kernel, task, second!).rights).toBe(Rights.READ | Rights.WRITE);
    kernel.checkInvariants();
  });

  it('a scope without READ adds none of its rights to a name found through another', async () => {
    const { kernel, sys, group, gobj, name } = await setup();
    const task = await kernel.attachTask(['task'], [{ group: gobj, rights: Rights.WRITE | Rights.DELEGATE }], {
      lookupRights: Rights.ALL,
    });
    await giveGroup(sys, group.ref, task, Rights.WRITE);
    await expectErrno(task.lookup(name), 'ENOENT', 'name');
    await giveGroup(sys, group.ref, task, Rights.READ);
    const [h] = await task.lookup(name);
    expect(krefOf(kernel, task, h!).rights).toBe(Rights.READ);
    kernel.checkInvariants();
  });

  it('a task found through a read-only scope cannot be handed references (copy needs WRITE on the target)', async () => {
    const kernel = await boot();
    // `other` lets anyone who finds it write to it; the read-only scope still bounds what the watcher gets.
    const other = await kernel.attachTask(['other'], undefined, { lookupRights: Rights.ALL });
    const watcher = await kernel.attachTask(
      ['watcher'],
      [{ group: kernel.rootGroup, rights: Rights.READ | Rights.DELEGATE }],
    );
    const [target] = await watcher.lookup(other.taskName);
    expect(krefOf(kernel, watcher, target!).rights).toBe(Rights.READ | Rights.DELEGATE);
    const [given] = await watcher.lookup(kernel.console.name);
    expect(krefOf(kernel, watcher, given!).rights).toBe(Rights.READ | Rights.DELEGATE);
    await expectErrno(watcher.copy([given!], target!), 'EACCES', 'target');
    await expectErrno(watcher.pause(target!), 'EACCES', 'task');
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
  constructor(
    name: Name,
    readonly peer: string,
  ) {
    super(name, 'refcounted', undefined, ObjectType.SHARED_MEMORY_BLOB, 0);
  }
  override get home(): string {
    return this.peer;
  }
  override get proximity() {
    return 'remote-memory-1hop' as const;
  }
}

/** Installs a stand-in distribution: peers hold `copies(key)`, each reached with the rights `rightsOf` gives (default: the union of the groups' rights). */
function stubPeers(kernel: Kernel, copies: (key: string) => KernelObject[], rightsOf?: (obj: KernelObject) => number) {
  const calls: { key: string; groups: { key: string; rights: number }[]; foundLocally: boolean }[] = [];
  const unused = () => Promise.reject(new Error('not used by these tests'));
  const distribution: Distribution = {
    lookup: async (key, groups, foundLocally) => {
      calls.push({ key, groups, foundLocally });
      const union = groups.reduce((r, g) => r | g.rights, 0);
      return copies(key).map((object) => ({ object, rights: rightsOf?.(object) ?? union }));
    },
    delegate: unused,
    run: unused,
    pause: unused,
    peers: () => [],
    load: unused,
    published: () => undefined,
  };
  kernel.distribution = distribution;
  return calls;
}

describe('several copies', () => {
  it('returns one reference per copy: the local one first, then copies on peers', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { name, ref } = await blobWith(sys, enc('local'));
    const calls = stubPeers(kernel, (key) =>
      key === name.key ? [new RemoteCopy(name, 'peer-1'), new RemoteCopy(name, 'peer-2')] : [],
    );
    const refs = await sys.lookup(name);
    expect(refs).toHaveLength(3);
    expect(krefOf(kernel, sys, refs[0]!).object).toBe(krefOf(kernel, sys, ref).object);
    expect(sys.ref(refs[0]!).proximity).toBe('local-memory');
    expect(sys.ref(refs[1]!).proximity).toBe('remote-memory-1hop');
    expect(refs.slice(1).map((h) => (krefOf(kernel, sys, h).object as RemoteCopy).peer)).toEqual(['peer-1', 'peer-2']);
    // Peers are asked for the name in the groups this task can resolve in, with the rights each confers.
    expect(calls).toEqual([
      { key: name.key, groups: [{ key: kernel.rootGroup.name.key, rights: Rights.ALL }], foundLocally: true },
    ]);
    for (const h of refs) expect(krefOf(kernel, sys, h).rights).toBe(Rights.ALL);
    kernel.checkInvariants();
  });

  it('a remote copy gets the rights the peer confers; peers hear only of groups the task can read', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const group = await sys.create(ObjectType.GROUP);
    const gobj = krefOf(kernel, sys, group.ref).object as GroupObject;
    const task = await kernel.attachTask(
      ['task'],
      [
        { group: kernel.rootGroup, rights: Rights.READ | Rights.DELEGATE },
        { group: gobj, rights: Rights.WRITE },
      ],
    );
    const name = Name.random();
    const calls = stubPeers(
      kernel,
      () => [new RemoteCopy(name, 'peer-1')],
      () => Rights.READ,
    );
    const [h] = await task.lookup(name);
    expect(krefOf(kernel, task, h!).rights).toBe(Rights.READ);
    expect(calls).toEqual([
      {
        key: name.key,
        groups: [{ key: kernel.rootGroup.name.key, rights: Rights.READ | Rights.DELEGATE }],
        foundLocally: false,
      },
    ]);
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
    const calls = stubPeers(kernel, () => [new RemoteCopy(name, 'peer-1')]);
    const [h] = await sys.lookup(name);
    expect(sys.ref(h!).proximity).toBe('remote-memory-1hop');
    // Nothing was found here, so an unreachable peer would be an error.
    expect(calls.map((c) => c.foundLocally)).toEqual([false]);
    await expectErrno(sys.lookup(name, LookupFlags.LOCAL_ONLY), 'ENOENT', 'name');
    kernel.checkInvariants();
  });
});
