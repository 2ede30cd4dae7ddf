import { describe, expect, it } from 'vitest';
import {
  CREATABLE_TYPES,
  CreateFlags,
  DEVICE_TYPES,
  Name,
  ObjectType,
  Rights,
  TAG_RIGHTS,
  type Lifecycle,
} from '@dios/kernel';
import { DEFAULT_BUFFER_SIZE } from '@dios/kernel/testing';
import type { GroupObject } from '../src/core/objects/group.js';
import { boot, expectErrno, krefOf, taskOf } from './helpers.js';

describe('create', () => {
  // Durable blobs need a store; test/durable.test.ts covers them.
  const inMemory = CREATABLE_TYPES.filter((t) => t !== ObjectType.DURABLE_BLOB && !DEVICE_TYPES.includes(t));
  it.each(inMemory.map((t) => [t]))('makes a %s with a fresh name and a reference with all rights', async (type) => {
    const kernel = await boot();
    const sys = kernel.init;
    const before = sys.handles;
    const { name, ref } = await sys.create(type);
    expect(name).toBeInstanceOf(Name);
    expect(before).not.toContain(ref);
    expect(sys.handles).toContain(ref);
    const view = sys.ref(ref);
    expect(view.type).toBe(type);
    expect(view.size).toBe(0);
    expect(view.version).toBe(0);
    expect(view.open).toBe(true);
    expect(view.persistent).toBe(false);
    expect(view.proximity).toBe('local-memory');
    expect(view.consistency).toBe('optimistic');
    expect(view.readBufferSize).toBe(DEFAULT_BUFFER_SIZE);
    expect(view.writeBufferSize).toBe(DEFAULT_BUFFER_SIZE);
    const kref = krefOf(kernel, sys, ref);
    // A tag's creator also holds both of its capabilities.
    expect(kref.rights).toBe(type === ObjectType.TAG ? TAG_RIGHTS : Rights.ALL);
    expect(kref.parent).toBeUndefined();
    expect(kref.object.name.equals(name)).toBe(true);
    expect(kref.object.lifecycle).toBe('refcounted');
    // Created in the task's first group, where lookup finds it.
    expect(kref.object.group).toBe(kernel.rootGroup);
    expect(await sys.lookup(name)).toHaveLength(1);
    kernel.checkInvariants();
  });

  it('random names differ between objects', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) names.add((await sys.create(ObjectType.SHARED_MEMORY_BLOB)).name.key);
    expect(names.size).toBe(20);
    kernel.checkInvariants();
  });

  it('applies lifecycle, consistency and buffer-size options', async () => {
    const kernel = await boot({ bufferSize: 1024 });
    const sys = kernel.init;
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, {
      lifecycle: 'single-delete',
      consistency: 'exclusive',
      readBufferSize: 100,
      writeBufferSize: 200,
    });
    expect(sys.ref(ref).consistency).toBe('exclusive');
    expect(sys.ref(ref).readBufferSize).toBe(100);
    expect(sys.ref(ref).writeBufferSize).toBe(200);
    expect(krefOf(kernel, sys, ref).object.lifecycle).toBe('single-delete');
    const plain = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    expect(sys.ref(plain.ref).readBufferSize).toBe(1024);
    kernel.checkInvariants();
  });

  describe('deterministic names', () => {
    it('are derived from the creating task and its counter: a re-run reproduces them', async () => {
      const create3 = async () => {
        const kernel = await boot({ id: 'replay' });
        const sys = kernel.init;
        const names: string[] = [];
        for (let i = 0; i < 3; i++)
          names.push((await sys.create(ObjectType.SHARED_MEMORY_BLOB, {}, CreateFlags.NAME_DETERMINISTIC)).name.key);
        kernel.checkInvariants();
        return names;
      };
      const first = await create3();
      expect(new Set(first).size).toBe(3);
      expect(await create3()).toEqual(first);
      // The first derived name is the creator's name with counter 1.
      const kernel = await boot({ id: 'replay' });
      expect(first[0]).toBe((await Name.derived(kernel.init.taskName, 1)).key);
    });

    it('random and seeded creations do not advance the counter; a failed one does not either', async () => {
      const kernel = await boot({ id: 'counter' });
      const sys = kernel.init;
      await sys.create(ObjectType.SHARED_MEMORY_BLOB);
      await sys.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'x' }, CreateFlags.NAME_DETERMINISTIC);
      await expectErrno(
        sys.create(
          ObjectType.SHARED_MEMORY_BLOB,
          { lifecycle: 'forever' as Lifecycle },
          CreateFlags.NAME_DETERMINISTIC,
        ),
        'EINVAL',
      );
      const { name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, {}, CreateFlags.NAME_DETERMINISTIC);
      expect(name.key).toBe((await Name.derived(sys.taskName, 1)).key);
      kernel.checkInvariants();
    });

    it('differ between tasks', async () => {
      const kernel = await boot();
      const a = await kernel.attachTask(['a']);
      const b = await kernel.attachTask(['b']);
      const na = await a.create(ObjectType.SHARED_MEMORY_BLOB, {}, CreateFlags.NAME_DETERMINISTIC);
      const nb = await b.create(ObjectType.SHARED_MEMORY_BLOB, {}, CreateFlags.NAME_DETERMINISTIC);
      expect(na.name.equals(nb.name)).toBe(false);
      kernel.checkInvariants();
    });

    it('a seed gives the name seeded within the group; reusing a live seed is EEXIST', async () => {
      const kernel = await boot();
      const sys = kernel.init;
      const { name, ref } = await sys.create(
        ObjectType.SHARED_MEMORY_STREAM,
        { nameSeed: 'pipe-1' },
        CreateFlags.NAME_DETERMINISTIC,
      );
      expect(name.key).toBe((await Name.seeded(kernel.rootGroup.name, 'pipe-1')).key);
      // A seed cannot reproduce a name made outside its scope (the kernel's own string-derived names).
      expect(name.key).not.toBe((await Name.fromString('pipe-1')).key);
      const handles = sys.handles;
      const objects = kernel.objects.size;
      const err = await expectErrno(
        sys.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'pipe-1' }, CreateFlags.NAME_DETERMINISTIC),
        'EEXIST',
        'name',
      );
      expect(err.message).toContain(name.key);
      expect(sys.handles).toEqual(handles);
      expect(kernel.objects.size).toBe(objects);
      // Once the object is gone its seed may be used again.
      await sys.delete(ref);
      await sys.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'pipe-1' }, CreateFlags.NAME_DETERMINISTIC);
      kernel.checkInvariants();
    });

    it('a seed without NAME_DETERMINISTIC, or not a string, is EINVAL', async () => {
      const kernel = await boot();
      const sys = kernel.init;
      await expectErrno(sys.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'x' }), 'EINVAL', 'options.nameSeed');
      await expectErrno(
        sys.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 7 as unknown as string }, CreateFlags.NAME_DETERMINISTIC),
        'EINVAL',
        'options.nameSeed',
      );
      kernel.checkInvariants();
    });
  });

  describe('groups', () => {
    it('creates in a group the task holds with write rights; members of that group resolve it', async () => {
      const kernel = await boot();
      const sys = kernel.init;
      const group = await sys.create(ObjectType.GROUP);
      const { name, ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
      expect(krefOf(kernel, sys, ref).object.group?.name.key).toBe(group.name.key);
      // A task that is only in the root group cannot resolve it.
      const outsider = await kernel.attachTask(['outsider']);
      await expectErrno(outsider.lookup(name), 'ENOENT', 'name');
      kernel.checkInvariants();
    });

    it('a group reference without write rights is EACCES; a non-group is EINVAL; a bad handle EBADF', async () => {
      const kernel = await boot();
      const sys = kernel.init;
      const group = await sys.create(ObjectType.GROUP);
      const [readOnly] = await sys.copy([group.ref], sys.self, { rights: Rights.READ });
      const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
      const objects = kernel.objects.size;
      await expectErrno(sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: readOnly! }), 'EACCES', 'options.group');
      await expectErrno(sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: blob.ref }), 'EINVAL', 'options.group');
      await expectErrno(sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: 999 }), 'EBADF', 'options.group');
      expect(kernel.objects.size).toBe(objects);
      kernel.checkInvariants();
    });
  });

  describe("the task's own group", () => {
    it("without options.group, creating takes WRITE on the task's first membership: else EACCES naming options.group", async () => {
      const kernel = await boot();
      const sys = kernel.init;
      const group = await sys.create(ObjectType.GROUP);
      const gobj = krefOf(kernel, sys, group.ref).object as GroupObject;
      const reader = await kernel.attachTask(
        ['reader'],
        [{ group: kernel.rootGroup, rights: Rights.READ | Rights.DELEGATE }, gobj],
      );
      const objects = kernel.objects.size;
      const handles = reader.handles;
      await expectErrno(reader.create(ObjectType.SHARED_MEMORY_BLOB), 'EACCES', 'options.group');
      // A failed create leaves the name counter alone, too.
      await expectErrno(
        reader.create(ObjectType.SHARED_MEMORY_BLOB, {}, CreateFlags.NAME_DETERMINISTIC),
        'EACCES',
        'options.group',
      );
      expect(taskOf(kernel, reader).counter).toBe(0);
      expect(kernel.objects.size).toBe(objects);
      expect(reader.handles).toEqual(handles);
      // Only the first membership counts: the second, with all rights, is not used instead ...
      // ... but a group reference with WRITE passed in options.group is. (The reader is named in no group, its first
      // membership lacking WRITE, so no task can find it to hand it one: the host does, as the kernel would.)
      await expectErrno(sys.lookup(reader.taskName), 'ENOENT', 'name');
      const writable = kernel.openRef(taskOf(kernel, reader), gobj, Rights.WRITE, undefined).id;
      const made = await reader.create(ObjectType.SHARED_MEMORY_BLOB, { group: writable });
      expect(krefOf(kernel, reader, made.ref).object.group).toBe(gobj);
      kernel.checkInvariants();
    });

    it('a first membership with WRITE alone is enough to create in it', async () => {
      const kernel = await boot();
      const writer = await kernel.attachTask(['writer'], [{ group: kernel.rootGroup, rights: Rights.WRITE }]);
      const { ref, name } = await writer.create(ObjectType.SHARED_MEMORY_STREAM);
      expect(krefOf(kernel, writer, ref).object.group).toBe(kernel.rootGroup);
      expect(krefOf(kernel, writer, ref).rights).toBe(Rights.ALL);
      // The task cannot resolve the name itself (no READ), but others in the group can.
      await expectErrno(writer.lookup(name), 'ENOENT', 'name');
      expect(await kernel.init.lookup(name)).toHaveLength(1);
      kernel.checkInvariants();
    });

    it('a task in no group must pass one: EINVAL naming options.group', async () => {
      const kernel = await boot();
      const loner = await kernel.attachTask(['loner'], []);
      await expectErrno(loner.create(ObjectType.SHARED_MEMORY_BLOB), 'EINVAL', 'options.group');
      kernel.checkInvariants();
    });
  });

  describe('argument errors', () => {
    it.each([
      ['a task', ObjectType.TASK, 'type'],
      ['a console', ObjectType.CONSOLE, 'type'],
      ['an unknown type', 'disk' as ObjectType, 'type'],
    ])('refuses to create %s', async (_what, type, argument) => {
      const kernel = await boot();
      await expectErrno(kernel.init.create(type), 'EINVAL', argument);
      kernel.checkInvariants();
    });

    it.each([
      ['unknown option', { colour: 'red' }, 'options.colour'],
      ['options not an object', 'big', 'options'],
      ['options an array', [], 'options'],
      ['unknown lifecycle', { lifecycle: 'forever' }, 'options.lifecycle'],
      ['unknown consistency', { consistency: 'strict' }, 'options.consistency'],
      ['negative capacity', { capacity: -1 }, 'options.capacity'],
      ['fractional capacity', { capacity: 1.5 }, 'options.capacity'],
      ['zero read buffer', { readBufferSize: 0 }, 'options.readBufferSize'],
      ['string write buffer', { writeBufferSize: '4k' }, 'options.writeBufferSize'],
    ])('rejects %s with EINVAL and creates nothing', async (_what, options, argument) => {
      const kernel = await boot();
      const sys = kernel.init;
      const handles = sys.handles;
      const objects = kernel.objects.size;
      await expectErrno(sys.create(ObjectType.SHARED_MEMORY_BLOB, options as object), 'EINVAL', argument);
      expect(sys.handles).toEqual(handles);
      expect(kernel.objects.size).toBe(objects);
      kernel.checkInvariants();
    });

    it('a stream needs a capacity of at least one byte; a group has none', async () => {
      const kernel = await boot();
      const sys = kernel.init;
      await expectErrno(sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 0 }), 'EINVAL', 'options.capacity');
      await expectErrno(sys.create(ObjectType.GROUP, { capacity: 4 }), 'EINVAL', 'options.capacity');
      await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: 0 });
      kernel.checkInvariants();
    });

    it('private memory cannot be immortal', async () => {
      const kernel = await boot();
      await expectErrno(
        kernel.init.create(ObjectType.PRIVATE_MEMORY_BLOB, { lifecycle: 'immortal' }),
        'EINVAL',
        'options.lifecycle',
      );
      await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
      kernel.checkInvariants();
    });
  });
});
