/**
 * Model-based property test of the system calls: random sequences of calls,
 * valid and invalid, issued by init, one or two host-attached tasks (members
 * of their groups with various rights) and the tasks they run, are run
 * against the kernel and against the reference model of @dios/kernel/testing. After
 * every step the kernel and the model must agree (result or errno, and then
 * the whole state), and the kernel's invariants must hold. A failing call
 * must change nothing, in the model and in the kernel.
 *
 * Runs: DIOS_PROPERTY_RUNS (default 1000). DIOS_MODEL_STATS=1 prints how
 * often each call succeeded or failed with each errno, and counts of notable
 * cases (=2 adds the failing argument to each errno).
 *
 * The other blocks hold regression tests of kernel bugs the property found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CreateFlags, EndWriteFlags, Kernel, ObjectType, Rights } from '@dios/kernel';
import { callSequenceArb, ModelStatistics, scenarioArb, setupScenario } from '@dios/kernel/testing';

const NUM_RUNS = Number(process.env.DIOS_PROPERTY_RUNS ?? 1000);
const STATS = process.env.DIOS_MODEL_STATS;

describe('system calls against the reference model', () => {
  it(
    `agree on every result, errno and state over ${NUM_RUNS} random call sequences`,
    async () => {
      const statistics = STATS ? new ModelStatistics({ withArguments: STATS === '2' }) : undefined;
      await fc.assert(
        fc.asyncProperty(scenarioArb, callSequenceArb({ maxCommands: 60 }), async (scenario, commands) => {
          await fc.asyncModelRun(() => setupScenario(scenario, { statistics }), commands);
        }),
        { numRuns: NUM_RUNS },
      );
      if (statistics) console.log(statistics.format());
    },
    120_000 + NUM_RUNS * 200,
  );
});

describe('kernel bugs found by the model', () => {
  // Fixed in Kernel.exitTask (the self reference now closes last); kept as a regression test.
  it('an exited task holds no references, even when nobody else refers to it', async () => {
    const kernel = await Kernel.boot();
    const task = await kernel.attachTask(['t']);
    const { ref } = await task.create(ObjectType.SHARED_MEMORY_BLOB);
    await task.delete(task.self);
    expect(task.handles).toEqual([]);
    expect(() => task.ref(ref)).toThrow(/EBADF/);
    kernel.checkInvariants();
  });

  // Fixed in BlobObject (a returned write buffer is lent again only through the reference that returned it).
  it('a write buffer returned by one task is never lent to another', async () => {
    const kernel = await Kernel.boot();
    const a = kernel.init;
    const b = await kernel.attachTask(['b'], undefined, { lookupRights: Rights.ALL });
    const { ref, name } = await a.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const [bTask] = await a.lookup(b.taskName);
    const [bRef] = await a.copy([ref], bTask!, { rights: Rights.WRITE });
    const stale = await a.beginWrite(ref, 4);
    await a.endWrite(ref, stale, undefined, EndWriteFlags.DISCARD);
    await a.delete(ref); // a gives up the blob, but keeps the array it was lent
    const lent = await b.beginWrite(bRef!, 4);
    lent.set([1, 2, 3, 4]);
    stale.set([6, 6, 6, 6]); // a, with no reference left, scribbles into its old buffer
    await b.endWrite(bRef!, lent);
    // BlobObject used to lend the returned array again to anyone: then `stale` was b's buffer, and b committed 6s.
    expect(lent).not.toBe(stale);
    const [reader] = await a.lookup(name);
    const view = await a.beginRead(reader!);
    expect([...view]).toEqual([1, 2, 3, 4]);
    await a.endRead(reader!, view);
    kernel.checkInvariants();
  });
});

describe('kernel bugs found by the model: a group name reused after the group was destroyed', () => {
  // Fixed by KernelObject.group (the group itself, not its name): a name can come back, the object it named cannot.
  it('a survivor of a destroyed group can be deleted after a seeded create reuses the group name', async () => {
    const kernel = await Kernel.boot();
    const init = kernel.init;
    const group = await init.create(ObjectType.GROUP, { nameSeed: 'reused' }, CreateFlags.NAME_DETERMINISTIC);
    const blob = await init.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    await init.delete(group.ref);
    // A group's seeded name covers the kernel too, so only a group can take the name again now.
    const reuser = await init.create(ObjectType.GROUP, { nameSeed: 'reused' }, CreateFlags.NAME_DETERMINISTIC);
    expect(reuser.name.key).toBe(group.name.key);
    // Kernel.destroyObject used to call `remove` on whatever now had the group's name: a TypeError from a blob.
    await expect(init.delete(blob.ref)).resolves.toBeUndefined();
    expect(init.handles).not.toContain(blob.ref);
    expect(await init.lookup(reuser.name)).toHaveLength(1);
    kernel.checkInvariants();
  });

  it('the invariant check accepts a group name reused after the group was destroyed', async () => {
    const kernel = await Kernel.boot();
    const init = kernel.init;
    const group = await init.create(ObjectType.GROUP, { nameSeed: 'again' }, CreateFlags.NAME_DETERMINISTIC);
    const survivor = await init.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    await init.delete(group.ref);
    const again = await init.create(ObjectType.GROUP, { nameSeed: 'again' }, CreateFlags.NAME_DETERMINISTIC);
    // The survivor's group used to be recorded by name, which now named the new group (rightly not indexing it).
    expect(() => kernel.checkInvariants()).not.toThrow();
    // The new group is a different group: it neither indexes nor resolves the survivor.
    await expectNotFound(init.lookup(survivor.name));
    const member = await kernel.attachTask(['member'], [kernel.objects.get(again.name.key) as never]);
    await expectNotFound(member.lookup(survivor.name));
    // Deleting the survivor leaves the new group alone.
    await init.delete(survivor.ref);
    expect(kernel.objects.get(again.name.key)?.destroyed).toBe(false);
    kernel.checkInvariants();
  });
});

async function expectNotFound(p: Promise<unknown>): Promise<void> {
  await expect(p).rejects.toMatchObject({ code: 'ENOENT', argument: 'name' });
}
