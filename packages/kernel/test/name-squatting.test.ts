/**
 * Issue 11, part 3: entering a name into a group takes WRITE on that group,
 * whichever call does it. create always needed it; run names the child in
 * its first group, so a seeded name (the name create would give that seed
 * in that group) needs WRITE there (EACCES naming spec.name), and a child
 * whose first membership lacks WRITE is a member there but not named there.
 */
import { describe, expect, it } from 'vitest';
import { CreateFlags, Name, ObjectType, programBinary, Rights, RunFlags, type SystemCalls } from '@dios/kernel';
import { blobWith, boot, expectErrno, installProgram, krefOf, taskOf } from './helpers.js';
import { cluster } from './distribution/cluster.js';

const { READ, DELEGATE } = Rights;

async function withGroup() {
  const kernel = await boot();
  const sys = kernel.init;
  const group = await sys.create(ObjectType.GROUP);
  const [readOnly] = await sys.copy([group.ref], sys.self, { rights: READ | DELEGATE });
  const bin = await installProgram(kernel, sys, () => new Promise<never>(() => {}));
  return { kernel, sys, group, readOnly: readOnly!, bin };
}

describe('run under a seeded name', () => {
  it('with READ|DELEGATE only on the group: EACCES naming spec.name, nothing is made, and the name stays free for create', async () => {
    const { kernel, sys, group, readOnly, bin } = await withGroup();
    const squatted = await Name.seeded(group.name, 'cfg');
    const before = { objects: kernel.objects.size, handles: sys.handles, counter: taskOf(kernel, sys).counter };
    await expectErrno(
      sys.run(bin, { argv: ['impostor'], groups: [readOnly], name: 'cfg' }, RunFlags.NAME_DETERMINISTIC),
      'EACCES',
      'spec.name',
    );
    expect(kernel.objects.has(squatted.key)).toBe(false);
    expect({ objects: kernel.objects.size, handles: sys.handles, counter: taskOf(kernel, sys).counter }).toEqual(
      before,
    );
    // The member of the group that may write there makes the object, and members find it, not an impostor.
    const real = await sys.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { group: group.ref, nameSeed: 'cfg' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    expect(real.name.key).toBe(squatted.key);
    const member = await kernel.attachTask(['member'], [krefOf(kernel, sys, group.ref).object as never]);
    const [found] = await member.lookup(squatted);
    expect(member.ref(found!).type).toBe(ObjectType.SHARED_MEMORY_BLOB);
    kernel.checkInvariants();
  });

  it("with the caller's first membership read-only (spec.groups omitted): EACCES naming spec.name", async () => {
    const { kernel, sys, group, readOnly, bin: idle } = await withGroup();
    const idleName = krefOf(kernel, sys, idle).object.name;
    const seen: string[] = [];
    // The child: a member of the group with READ|DELEGATE first (and of the root group, where it finds binaries).
    const bin = await installProgram(kernel, sys, async (child: SystemCalls) => {
      const [grandchildBin] = await child.lookup(idleName);
      await child.run(grandchildBin!, { argv: [], name: 'cfg' }, RunFlags.NAME_DETERMINISTIC).then(
        () => seen.push('ok'),
        (e: { code: string; argument: string }) => seen.push(`${e.code} ${e.argument}`),
      );
      // A random name is fine: it squats on nothing (and the grandchild is named nowhere).
      const other = await child.run(grandchildBin!, { argv: [] });
      seen.push(krefOf(kernel, child, other).object.group === undefined ? 'random: named nowhere' : 'random: named');
    });
    const root = sys.handles.find((h) => krefOf(kernel, sys, h).object === kernel.rootGroup)!;
    const child = await sys.run(bin, { argv: [], groups: [readOnly, root] });
    await sys.select([child]);
    expect(seen).toEqual(['EACCES spec.name', 'random: named nowhere']);
    expect(kernel.objects.has((await Name.seeded(group.name, 'cfg')).key)).toBe(false);
    kernel.checkInvariants();
  });

  it('with WRITE on the group: the child is named there under the seeded name, and members find it (as a task they may only watch)', async () => {
    const { kernel, sys, group, bin } = await withGroup();
    const handle = await sys.run(
      bin,
      { argv: [], groups: [group.ref], name: 'worker' },
      RunFlags.NAME_DETERMINISTIC | RunFlags.START_PAUSED,
    );
    const child = krefOf(kernel, sys, handle).object;
    expect(child.name.key).toBe((await Name.seeded(group.name, 'worker')).key);
    expect(child.group).toBe(krefOf(kernel, sys, group.ref).object);
    const [found] = await sys.lookup(child.name);
    expect(krefOf(kernel, sys, found!).object).toBe(child);
    expect(krefOf(kernel, sys, found!).rights).toBe(READ | DELEGATE);
    // No group at all: the seed is scoped to the parent, and nothing is named anywhere.
    const alone = await sys.run(bin, { argv: [], groups: [], name: 'worker' }, RunFlags.NAME_DETERMINISTIC);
    expect(krefOf(kernel, sys, alone).object.name.key).toBe((await Name.seeded(sys.taskName, 'worker')).key);
    expect(krefOf(kernel, sys, alone).object.group).toBeUndefined();
    kernel.checkInvariants();
  });
});

describe('a child whose first membership lacks WRITE', () => {
  it('is a member there (it resolves names in it) but is not named there', async () => {
    const { kernel, sys, group, readOnly } = await withGroup();
    const blob = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    let rights: number | undefined;
    const bin = await installProgram(kernel, sys, async (child) => {
      rights = krefOf(kernel, child, (await child.lookup(blob.name))[0]!).rights;
      await expectErrno(child.lookup(child.taskName), 'ENOENT', 'name');
    });
    const handle = await sys.run(bin, { argv: [], groups: [readOnly] }, RunFlags.START_PAUSED);
    const child = krefOf(kernel, sys, handle).object;
    expect(child.group).toBeUndefined();
    await expectErrno(sys.lookup(child.name), 'ENOENT', 'name');
    await sys.pause(handle, 0x1);
    await sys.select([handle]);
    expect(sys.ref(handle).task?.exitStatus).toBe(0);
    expect(rights).toBe(READ | DELEGATE);
    // With WRITE it is named there.
    const named = await sys.run(bin, { argv: [], groups: [group.ref] }, RunFlags.START_PAUSED);
    expect(krefOf(kernel, sys, named).object.group).toBe(krefOf(kernel, sys, group.ref).object);
    kernel.checkInvariants();
  });
});

describe('run on another kernel', () => {
  it("the caller's kernel refuses a seeded name without WRITE; the target names a child only with WRITE on its first group", async () => {
    const c = await cluster('a', 'b');
    const a = c.sys.a!;
    c.k.b!.registerProgram('squat-idle', () => new Promise<never>(() => {}));
    const { ref: bin } = await blobWith(a, programBinary('squat-idle'));
    const group = await a.create(ObjectType.GROUP);
    const [readOnly] = await a.copy([group.ref], a.self, { rights: READ | DELEGATE });
    await expectErrno(
      a.run(bin, { argv: [], groups: [readOnly!], name: 'cfg', kernel: 'b' }, RunFlags.NAME_DETERMINISTIC),
      'EACCES',
      'spec.name',
    );
    expect(c.k.b!.objects.has((await Name.seeded(group.name, 'cfg')).key)).toBe(false);
    const unnamed = await a.run(bin, { argv: [], groups: [readOnly!], kernel: 'b' });
    const named = await a.run(
      bin,
      { argv: [], groups: [group.ref], name: 'cfg', kernel: 'b' },
      RunFlags.NAME_DETERMINISTIC,
    );
    const onB = (h: number) => c.k.b!.tasks.get(krefOf(c.k.a!, a, h).object.name.key)!;
    expect(onB(unnamed).group).toBeUndefined();
    expect(onB(named).name.key).toBe((await Name.seeded(group.name, 'cfg')).key);
    expect(onB(named).group?.name.key).toBe(group.name.key);
    c.check();
  });
});
