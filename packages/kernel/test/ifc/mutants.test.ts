/**
 * Cases the IFC mutation check (scripts/ifc-mutations.mjs) found no test
 * for: each fails when one enforcement point is removed. Mostly across
 * kernels, where a refusal may come from the requesting kernel or from the
 * object's home: these make the home's check the one that matters (a task
 * label that changed since the requester last saw it, a copy made with
 * MAKE_LOCAL, which reads the remote bytes without going through
 * begin_read's local check). And one local case only the random
 * noninterference property found (after hundreds of programs).
 */
import { describe, expect, it } from 'vitest';
import {
  BeginReadFlags,
  CopyFlags,
  DeleteFlags,
  kernelStatusName,
  ObjectType,
  Rights,
  RunFlags,
  type KernelStatus,
  type LabelChange,
  type SystemCalls,
} from '@dios/kernel';
import {
  blobWith,
  boot,
  dec,
  enc,
  expectErrno,
  installProgram,
  krefOf,
  readAll,
  taskOf,
  writeAll,
} from '../helpers.js';
import { cluster } from '../distribution/cluster.js';

async function changeLabel(sys: SystemCalls, change: LabelChange): Promise<void> {
  await writeAll(sys, sys.self, enc(JSON.stringify(change)));
}

async function me(sys: SystemCalls): Promise<number> {
  return (await sys.lookup(sys.taskName))[0]!;
}

describe('copy with MAKE_LOCAL keeps labels (the copy reads the remote bytes at their home)', () => {
  it('an unlabelled task cannot make a local copy of a secret blob on another kernel: the home refuses the read', async () => {
    const c = await cluster('a', 'b');
    const { a, b } = c.sys as Record<'a' | 'b', SystemCalls>;
    const tag = await b.create(ObjectType.TAG);
    const secret = await b.create(ObjectType.SHARED_MEMORY_BLOB, { label: { secrecy: [tag.ref] } });
    await changeLabel(b, { addSecrecy: [tag.ref] });
    await writeAll(b, secret.ref, enc('secret on b'));
    const [remote] = await a.lookup(secret.name);
    const self = await me(a);
    const handles = a.handles;
    await expectErrno(a.copy([remote!], self, {}, CopyFlags.MAKE_LOCAL), 'EPERM');
    expect(a.handles).toEqual(handles);
    c.check();
  });

  it('the local copy of a secret blob is as secret: an unlabelled task on the same kernel cannot read it', async () => {
    const c = await cluster('a', 'b');
    const { a, b } = c.sys as Record<'a' | 'b', SystemCalls>;
    const tag = await b.create(ObjectType.TAG);
    const secret = await b.create(ObjectType.SHARED_MEMORY_BLOB, { label: { secrecy: [tag.ref] } });
    // a's host task gets ADD (before b raises its label: then it could no longer hand a's task anything).
    const [aTask] = await b.lookup(a.taskName);
    const [add] = await b.copy([tag.ref], aTask!);
    await changeLabel(b, { addSecrecy: [tag.ref] });
    await writeAll(b, secret.ref, enc('secret on b'));
    // a raises its label, then copies the secret here.
    await changeLabel(a, { addSecrecy: [add!] });
    const [remote] = await a.lookup(secret.name);
    const [local] = await a.copy([remote!], await me(a), {}, CopyFlags.MAKE_LOCAL);
    expect(dec((await readAll(a, local!)).bytes)).toBe('secret on b');
    // An unlabelled task on a that gets a reference to the copy (the copy is named in no group: the test
    // opens one) learns nothing of its bytes.
    const low = await c.k.a!.attachTask(['low']);
    const found = c.k.a!.openRef(taskOf(c.k.a!, low), krefOf(c.k.a!, a, local!).object, Rights.READ, undefined).id;
    await expectErrno(low.beginRead(found), 'EPERM', 'ref');
    expect(low.ref(found).size).toBe(0);
    c.check();
  });
});

describe("a task's label changes: its home checks flows to it with the label it has now", () => {
  it('a secret task cannot pause, nor copy into, a task on another kernel that lowered its label since it looked it up', async () => {
    const c = await cluster('a', 'b');
    const { a, b } = c.sys as Record<'a' | 'b', SystemCalls>;
    const tag = await b.create(ObjectType.TAG);
    const [aTask] = await b.lookup(a.taskName);
    const [add] = await b.copy([tag.ref], aTask!);
    await changeLabel(b, { addSecrecy: [tag.ref] });
    await changeLabel(a, { addSecrecy: [add!] });
    // a sees b's task as secret as itself: a flow to it looks allowed from here.
    const [bTask] = await a.lookup(b.taskName);
    const own = await a.create(ObjectType.SHARED_MEMORY_BLOB);
    await changeLabel(b, { removeSecrecy: [tag.ref] });
    const handles = b.handles;
    await expectErrno(a.pause(bTask!), 'EPERM', 'task');
    expect(taskOf(c.k.b!, b).state).toBe('running');
    await expectErrno(a.copy([own.ref], bTask!), 'EPERM', 'target');
    expect(b.handles).toEqual(handles);
    c.check();
  });
});

describe('a secret task on another kernel than the secret: its requests carry its label', () => {
  it('it writes the secret blob, and waits on the secret stream, at their home', async () => {
    const c = await cluster('a', 'b');
    const { a, b } = c.sys as Record<'a' | 'b', SystemCalls>;
    const tag = await b.create(ObjectType.TAG);
    const [aTask] = await b.lookup(a.taskName);
    const [add] = await b.copy([tag.ref], aTask!);
    const secret = { label: { secrecy: [tag.ref] } };
    const blob = await b.create(ObjectType.SHARED_MEMORY_BLOB, secret);
    const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, secret);
    await changeLabel(b, { addSecrecy: [tag.ref] });
    await changeLabel(a, { addSecrecy: [add!] });
    const [remoteBlob] = await a.lookup(blob.name);
    const [remoteStream] = await a.lookup(stream.name);
    // A write: begin and end at the home, each as the secret task.
    await writeAll(a, remoteBlob!, enc('written from a'));
    expect(dec((await readAll(b, blob.ref)).bytes)).toBe('written from a');
    // A wait: the home watches the stream as the secret task, until b writes.
    const ready = a.select([remoteStream!], { timeoutMs: 5000 });
    await writeAll(b, stream.ref, enc('now'));
    expect(await ready).toBe(remoteStream);
    c.check();
  });
});

describe("what a holder on another kernel sees of a task follows the task's current label", () => {
  it('the exit status of a task that raised its label after it was looked up is hidden', async () => {
    const c = await cluster('a', 'b');
    const { a, b } = c.sys as Record<'a' | 'b', SystemCalls>;
    const worker = await c.k.b!.attachTask(['worker'], undefined, { lookupRights: Rights.ALL });
    const tag = await b.create(ObjectType.TAG);
    const [workerTask] = await b.lookup(worker.taskName);
    const [add] = await b.copy([tag.ref], workerTask!);
    const [remote] = await a.lookup(worker.taskName);
    await changeLabel(worker, { addSecrecy: [add!] });
    await worker.delete(worker.self, DeleteFlags.EXIT_FAILURE);
    // Exit is not protected (a may wait for it); the status is the task's data.
    expect(await a.select([remote!], { timeoutMs: 5000 })).toBe(remote);
    expect(a.ref(remote!).task).toEqual({ state: 'exited', exitStatus: undefined });
    c.check();
  });
});

describe('a read that others can see happen is a flow both ways', () => {
  it('a secret task cannot read a public blob through an exclusive reference (its lock would tell the writers)', async () => {
    const kernel = await boot();
    const init = kernel.init;
    const high = await kernel.attachTask(['high'], undefined, { lookupRights: Rights.ALL });
    const [highTask] = await init.lookup(high.taskName);
    const tag = await init.create(ObjectType.TAG);
    const exclusive = await blobWith(init, 'public', { consistency: 'exclusive' });
    const optimistic = await blobWith(init, 'public');
    const [add, ex, op] = await init.copy([tag.ref, exclusive.ref, optimistic.ref], highTask!);
    await changeLabel(high, { addSecrecy: [add!] });
    expect(high.ref(ex!).consistency).toBe('exclusive');
    await expectErrno(high.beginRead(ex!), 'EPERM', 'ref');
    // The public writer is not held up; through an optimistic reference the secret task reads.
    await writeAll(init, exclusive.ref, enc('still public'));
    expect(dec((await readAll(high, op!)).bytes)).toBe('public');
  });
});

describe('what a secret task holds or names does not show to public tasks', () => {
  it("a secret task's write reference to a public stream does not count as a writer: the stream ends when the public writer goes", async () => {
    const kernel = await boot();
    const init = kernel.init;
    const high = await kernel.attachTask(['high'], undefined, { lookupRights: Rights.ALL });
    const [highTask] = await init.lookup(high.taskName);
    const tag = await init.create(ObjectType.TAG);
    const [add] = await init.copy([tag.ref], highTask!);
    await changeLabel(high, { addSecrecy: [add!] });
    const stream = await init.create(ObjectType.SHARED_MEMORY_STREAM);
    const [writer] = await init.copy([stream.ref], init.self, { rights: Rights.WRITE });
    const [reader] = await init.copy([stream.ref], init.self, { rights: Rights.READ });
    // The secret task takes a write reference after the stream was made, then the public writers go.
    await init.copy([stream.ref], highTask!);
    await init.delete(stream.ref);
    await init.delete(writer!);
    const end = await init.beginRead(reader!, {}, BeginReadFlags.NONBLOCK);
    expect(end.length).toBe(0);
    await init.endRead(reader!, end);
  });

  it('a secret task cannot run a child with a deterministic name in a public group', async () => {
    const kernel = await boot();
    const init = kernel.init;
    const high = await kernel.attachTask(['high'], undefined, { lookupRights: Rights.ALL });
    const [highTask] = await init.lookup(high.taskName);
    const tag = await init.create(ObjectType.TAG);
    const binary = await installProgram(kernel, init, () => 0);
    const [add, bin] = await init.copy([tag.ref, binary], highTask!);
    await changeLabel(high, { addSecrecy: [add!] });
    await expectErrno(
      high.run(bin!, { argv: ['child'], name: 'seeded' }, RunFlags.NAME_DETERMINISTIC),
      'EPERM',
      'flags',
    );
  });

  it('the kernel status a public task reads leaves out secret objects and secret tasks', async () => {
    const kernel = await boot();
    const init = kernel.init;
    const tag = await init.create(ObjectType.TAG);
    const secret = await init.create(ObjectType.SHARED_MEMORY_BLOB, { label: { secrecy: [tag.ref] } });
    const open = await init.create(ObjectType.SHARED_MEMORY_BLOB);
    const high = await kernel.attachTask(['high'], undefined, { lookupRights: Rights.ALL });
    const [highTask] = await init.lookup(high.taskName);
    const [add] = await init.copy([tag.ref], highTask!);
    await changeLabel(high, { addSecrecy: [add!] });
    const low = await kernel.attachTask(['low']);
    const [status] = await low.lookup(await kernelStatusName(low.kernelId));
    const seen = JSON.parse(dec((await readAll(low, status!)).bytes)) as KernelStatus;
    const names = seen.objects.map((o) => o.name);
    expect(names).toContain(open.name.key.slice(0, 12));
    expect(names).not.toContain(secret.name.key.slice(0, 12));
    const tasks = seen.tasks.map((t) => t.name);
    expect(tasks).toContain(low.taskName.key);
    expect(tasks).not.toContain(high.taskName.key);
  });
});
