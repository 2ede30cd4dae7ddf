/**
 * libd's information-flow API (src/ifc) over a real kernel: tags, the
 * task's own label read and changed through its task object, capabilities
 * handed on attenuated, and labelled objects. Each refusal is the kernel's
 * EPERM or EINVAL, renamed to name the libd call and its argument.
 */
import { describe, expect, it } from 'vitest';
import { ObjectType, PauseFlags, RunFlags, type Kernel, type SystemCalls } from '@dios/kernel';
import {
  changeLabel,
  createLabelled,
  createTag,
  declassify,
  dropIntegrity,
  endorse,
  giveTag,
  raiseSecrecy,
  readLabel,
  type TagCapability,
} from '@dios/libd';
import { blobWith, boot, contentOf, dec, expectErrno, put } from './stdio-helpers.js';

let programs = 0;

/**
 * A child task of `sys`, started paused so `prepare` can hand it references
 * first; returns the child's own system calls (its program waits until
 * `release` is called, so the test drives it).
 */
async function child(
  kernel: Kernel,
  sys: SystemCalls,
  prepare: (task: number) => Promise<void> = async () => {},
): Promise<{ task: number; csys: SystemCalls; release: () => void }> {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  let got!: (c: SystemCalls) => void;
  const started = new Promise<SystemCalls>((r) => (got = r));
  const id = `ifc-test-${++programs}`;
  const bin = await blobWith(
    sys,
    kernel.registerProgram(id, async (c) => {
      got(c);
      await done;
    }),
  );
  const task = await sys.run(bin.ref, { argv: [id] }, RunFlags.START_PAUSED);
  await prepare(task);
  await sys.pause(task, PauseFlags.RESUME);
  return { task, csys: await started, release };
}

describe('tags and the own label', () => {
  it('createTag makes a tag the caller holds; readLabel starts empty and follows raise and declassify', async () => {
    const { sys } = await boot();
    expect(await readLabel(sys)).toEqual({ secrecy: [], integrity: [] });
    const tag = await createTag(sys);
    expect(sys.ref(tag.handle).type).toBe(ObjectType.TAG);
    expect(tag.name.key).toMatch(/^[0-9a-f]{64}$/);

    await raiseSecrecy(sys, tag.handle);
    expect(await readLabel(sys)).toEqual({ secrecy: [tag.name.key], integrity: [] });
    await declassify(sys, tag.handle);
    expect(await readLabel(sys)).toEqual({ secrecy: [], integrity: [] });
  });

  it('a raised task reads secret data and cannot write public objects; declassified, it can again', async () => {
    const { sys } = await boot();
    const tag = await createTag(sys);
    const secret = await createLabelled(sys, ObjectType.SHARED_MEMORY_BLOB, { secrecy: [tag.handle] });
    const pub = await blobWith(sys, 'public');
    // Unlabelled, the task may write the secret blob (the flow goes up) but not read it.
    await expectErrno(sys.beginRead(secret.ref), 'EPERM', 'ref', 'beginRead');
    await raiseSecrecy(sys, tag.handle);
    await put(sys, secret.ref, 'the secret');
    expect(dec(await contentOf(sys, secret.ref))).toBe('the secret');
    await expectErrno(sys.beginWrite(pub.ref, 1), 'EPERM', 'ref', 'beginWrite');
    // Objects it creates are secret by default.
    const made = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await declassify(sys, tag.handle);
    await expectErrno(sys.beginRead(made.ref), 'EPERM', 'ref', 'beginRead');
    await put(sys, pub.ref, 'fine again');
  });

  it('endorse and dropIntegrity change the integrity set; an endorsed object refuses unendorsed writers', async () => {
    const { kernel, sys } = await boot();
    const trusted = await createTag(sys);
    await endorse(sys, trusted.handle);
    expect(await readLabel(sys)).toEqual({ secrecy: [], integrity: [trusted.name.key] });
    const vetted = await createLabelled(sys, ObjectType.SHARED_MEMORY_BLOB, { integrity: [trusted.handle] });
    await put(sys, vetted.ref, 'vetted');
    await dropIntegrity(sys, trusted.handle);
    expect(await readLabel(sys)).toEqual({ secrecy: [], integrity: [] });
    await expectErrno(sys.beginWrite(vetted.ref, 1), 'EPERM', 'ref', 'beginWrite');
    // Anyone may read it: integrity restricts writers, not readers.
    expect(dec(await contentOf(sys, vetted.ref))).toBe('vetted');
    kernel.checkInvariants();
  });

  it('createLabelled refuses a label the task could not write (EPERM naming options.label)', async () => {
    const { sys } = await boot();
    const tag = await createTag(sys);
    await raiseSecrecy(sys, tag.handle);
    await expectErrno(createLabelled(sys, ObjectType.SHARED_MEMORY_BLOB, {}), 'EPERM', 'options.label', 'create');
    await expectErrno(
      createLabelled(sys, ObjectType.TAG, { secrecy: [tag.handle] }),
      'EINVAL',
      'options.label',
      'create',
    );
  });
});

describe('capabilities handed on', () => {
  it("giveTag 'add' lets a child raise but not declassify; 'remove' lets it declassify but not raise", async () => {
    const { kernel, sys } = await boot();
    const tag = await createTag(sys);
    const handed: Record<string, number> = {};
    const caps: TagCapability[] = ['add', 'remove'];
    const kids = [];
    for (const cap of caps) {
      kids.push(
        await child(kernel, sys, async (task) => {
          handed[cap] = await giveTag(sys, tag.handle, task, cap);
        }),
      );
    }
    const [adder, remover] = kids;
    await raiseSecrecy(adder!.csys, handed.add!);
    expect((await readLabel(adder!.csys)).secrecy).toEqual([tag.name.key]);
    await expectErrno(declassify(adder!.csys, handed.add!), 'EPERM', 'tags[0]', 'declassify');
    // The refused change left nothing lent: the next change goes through (and the label is unchanged).
    expect((await readLabel(adder!.csys)).secrecy).toEqual([tag.name.key]);

    await expectErrno(raiseSecrecy(remover!.csys, handed.remove!), 'EPERM', 'tags[0]', 'raiseSecrecy');
    await expectErrno(endorse(remover!.csys, handed.remove!), 'EPERM', 'tags[0]', 'endorse');
    // Neither child may hand the tag on: DELEGATE was not given.
    await expectErrno(remover!.csys.copy([handed.remove!], remover!.csys.self), 'EACCES', 'refs[0]', 'copy');
    for (const k of kids) k.release();
  });

  it('giveTag with delegate lets the receiver hand the tag on; a bad capability is EINVAL', async () => {
    const { kernel, sys } = await boot();
    const tag = await createTag(sys);
    let h = 0;
    const { csys, release } = await child(kernel, sys, async (task) => {
      h = await giveTag(sys, tag.handle, task, 'remove', { delegate: true });
    });
    const [again] = await csys.copy([h], csys.self);
    // It cannot widen what it got: ADD is refused by copy.
    await expectErrno(giveTag(csys, again!, csys.self, 'add'), 'EPERM', 'refs[0]', 'copy');
    await expectErrno(giveTag(sys, tag.handle, sys.self, 'all' as TagCapability), 'EINVAL', 'capability', 'giveTag');
    release();
  });

  it('a labelled task cannot give a tag to an unlabelled task (the copy is a flow)', async () => {
    const { kernel, sys } = await boot();
    const tag = await createTag(sys);
    const other = await createTag(sys);
    const { task, release } = await child(kernel, sys);
    await raiseSecrecy(sys, tag.handle);
    await expectErrno(giveTag(sys, other.handle, task, 'add'), 'EPERM', 'target', 'copy');
    release();
  });
});

describe('changeLabel', () => {
  it('applies a whole change at once, or refuses it whole naming the entry', async () => {
    const { sys } = await boot();
    const a = await createTag(sys);
    const b = await createTag(sys);
    await changeLabel(sys, { addSecrecy: [a.handle, b.handle], addIntegrity: [b.handle] });
    expect(await readLabel(sys)).toEqual({ secrecy: [a.name.key, b.name.key].sort(), integrity: [b.name.key] });
    const blob = await blobWith(sys, 'x');
    await expectErrno(
      changeLabel(sys, { removeSecrecy: [a.handle, blob.ref] }),
      'EINVAL',
      'change.removeSecrecy[1]',
      'changeLabel',
    );
    await expectErrno(changeLabel(sys, { removeSecrecy: [999] }), 'EBADF', 'change.removeSecrecy[0]', 'changeLabel');
    // Nothing was removed by the refused changes.
    expect((await readLabel(sys)).secrecy).toHaveLength(2);
    await expectErrno(changeLabel(sys, null as never), 'EINVAL', 'change', 'changeLabel');
    await expectErrno(changeLabel(sys, { bogus: [1] } as never), 'EINVAL', 'change.bogus', 'changeLabel');
  });
});
