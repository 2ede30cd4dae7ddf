/**
 * copy (delegation) across kernels over loopback: to a task on another
 * kernel, with reduced rights, and between three kernels.
 */
import { describe, expect, it } from 'vitest';
import { ObjectType, programBinary, Rights } from '@dios/kernel';
import { blobWith, enc, expectErrno, krefOf, readAll, writeAll } from '../helpers.js';
import { cluster, expectBytes, proxyHandlesTo, proxyRightsTo, settle, until } from './cluster.js';

describe('copy to a task on another kernel', () => {
  it('delegates a local object with reduced rights: the target reads it remotely and cannot write it', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.a!, enc('from a'));
    // a reaches the task on b by its name: both are in the cluster's root group.
    const [target] = await c.sys.a!.lookup(c.sys.b!.taskName);
    expect(c.sys.a!.ref(target!).type).toBe(ObjectType.TASK);
    expect(c.sys.a!.ref(target!).proximity).toBe('remote-memory-1hop');

    const [h] = await c.sys.a!.copy([ref], target!, { rights: Rights.READ });
    expect(typeof h).toBe('number');
    expect(c.sys.b!.handles).toContain(h);
    const view = c.sys.b!.ref(h!);
    expect(view.proximity).toBe('remote-memory-1hop');
    expect(krefOf(c.k.b!, c.sys.b!, h!).rights).toBe(Rights.READ);
    expectBytes((await readAll(c.sys.b!, h!)).bytes, enc('from a'));
    await expectErrno(c.sys.b!.beginWrite(h!, 1), 'EACCES', 'ref');
    // Without DELEGATE the target cannot pass it on.
    const [self] = await c.sys.b!.lookup(c.sys.b!.taskName);
    await expectErrno(c.sys.b!.copy([h!], self!), 'EACCES', 'refs[0]');
    // The home kernel holds the reference for b with exactly the delegated rights.
    expect(proxyRightsTo(c.k.a!, 'b', name.key)).toEqual([Rights.READ]);
    // A write on a is visible through b's reference.
    await writeAll(c.sys.a!, ref, enc('updated'));
    expectBytes((await readAll(c.sys.b!, h!)).bytes, enc('updated'));
    c.check();
  });

  it('delegates several references at once, each with its own rights', async () => {
    const c = await cluster('a', 'b');
    const one = await blobWith(c.sys.a!, enc('one'));
    const two = await blobWith(c.sys.a!, enc('two'));
    const [target] = await c.sys.a!.lookup(c.sys.b!.taskName);
    const handles = await c.sys.a!.copy([one.ref, two.ref], target!, {
      rights: [Rights.READ, Rights.READ | Rights.WRITE],
    });
    expect(handles).toHaveLength(2);
    expect(krefOf(c.k.b!, c.sys.b!, handles[0]!).rights).toBe(Rights.READ);
    expect(krefOf(c.k.b!, c.sys.b!, handles[1]!).rights).toBe(Rights.READ | Rights.WRITE);
    await expectErrno(c.sys.b!.beginWrite(handles[0]!, 1), 'EACCES');
    await writeAll(c.sys.b!, handles[1]!, enc('TWO'));
    expectBytes((await readAll(c.sys.a!, two.ref)).bytes, enc('TWO'));
    c.check();
  });

  it('refuses to raise rights (EPERM), and the target gets nothing', async () => {
    const c = await cluster('a', 'b');
    const { ref } = await blobWith(c.sys.a!, enc('x'));
    const [me] = await c.sys.a!.lookup(c.sys.a!.taskName);
    const [limited] = await c.sys.a!.copy([ref], me!, { rights: Rights.READ | Rights.DELEGATE });
    const [target] = await c.sys.a!.lookup(c.sys.b!.taskName);
    const before = c.sys.b!.handles.length;
    await expectErrno(c.sys.a!.copy([limited!], target!, { rights: Rights.READ | Rights.WRITE }), 'EPERM', 'refs[0]');
    expect(c.sys.b!.handles.length).toBe(before);
    // Equal rights are fine.
    const [h] = await c.sys.a!.copy([limited!], target!);
    expect(krefOf(c.k.b!, c.sys.b!, h!).rights).toBe(Rights.READ | Rights.DELEGATE);
    c.check();
  });

  it('the home kernel checks rights itself: a peer asking to share with more rights than it holds gets EPERM', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name, ref } = await blobWith(c.sys.b!, enc('guarded'));
    // b hands a read-only (and delegable) reference to a's task.
    const [onB] = await c.sys.b!.lookup(c.sys.a!.taskName);
    const [h] = await c.sys.b!.copy([ref], onB!, { rights: Rights.READ | Rights.DELEGATE });
    expect(proxyRightsTo(c.k.b!, 'a', name.key)).toEqual([Rights.READ | Rights.DELEGATE]);
    // A misbehaving kernel a asks b directly to share that handle with c with write rights.
    const handle = proxyHandlesTo(c.k.b!, 'a', name.key)[0]!;
    await expectErrno(
      c.link.a!.send('b', { kind: 'share', handle, peer: 'c', rights: Rights.READ | Rights.WRITE }),
      'EPERM',
      'rights',
    );
    expect(proxyHandlesTo(c.k.b!, 'c', name.key)).toEqual([]);
    // The well-behaved path works.
    expectBytes((await readAll(c.sys.a!, h!)).bytes, enc('guarded'));
    c.check();
  });

  it('delegating to a task on the object’s own home kernel gives that task a local reference', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.b!, enc('at home'));
    const [remote] = await c.sys.a!.lookup(name);
    const [target] = await c.sys.a!.lookup(c.sys.b!.taskName);
    const [h] = await c.sys.a!.copy([remote!], target!, { rights: Rights.READ });
    expect(c.sys.b!.ref(h!).proximity).toBe('local-memory');
    expect(krefOf(c.k.b!, c.sys.b!, h!).object).toBe(krefOf(c.k.b!, c.sys.b!, ref).object);
    expect(krefOf(c.k.b!, c.sys.b!, h!).rights).toBe(Rights.READ);
    await expectErrno(c.sys.b!.beginWrite(h!, 1), 'EACCES');
    c.check();
  });

  it('copy to a remote task that has exited fails with ESRCH', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.a!, enc('x'));
    const worker = await c.k.b!.attachTask(['worker'], undefined, { lookupRights: Rights.ALL });
    const [target] = await c.sys.a!.lookup(worker.taskName);
    await worker.delete(worker.self);
    await expectErrno(c.sys.a!.copy([ref], target!), 'ESRCH', 'target');
    // Nothing stays exported for b.
    expect(proxyHandlesTo(c.k.a!, 'b', name.key)).toEqual([]);
    expect(c.k.a!.objects.get(name.key)!.refCount).toBe(1);
    c.check();
  });

  it('when the target deletes a delegated reference, the home kernel releases it', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await blobWith(c.sys.a!, enc('x'));
    const obj = c.k.a!.objects.get(name.key)!;
    const [target] = await c.sys.a!.lookup(c.sys.b!.taskName);
    const [h] = await c.sys.a!.copy([ref], target!, { rights: Rights.READ });
    expect(obj.refCount).toBe(2);
    await c.sys.b!.delete(h!);
    await until('a released the reference it held for b', () => obj.refCount === 1);
    expect(c.link.b!.remoteCount).toBe(0);
    c.check();
  });
});

describe('delegation across three kernels', () => {
  it('a delegates to a task on c a reference to an object homed on b', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name, ref } = await blobWith(c.sys.b!, enc('homed on b'));
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    const [taskC] = await c.sys.a!.lookup(c.sys.c!.taskName);
    const [h] = await c.sys.a!.copy([onA!], taskC!, { rights: Rights.READ | Rights.DELEGATE });

    // c's task reaches b directly: b holds a reference for c, with the delegated rights.
    const view = c.sys.c!.ref(h!);
    expect(view.proximity).toBe('remote-memory-1hop');
    expect(krefOf(c.k.c!, c.sys.c!, h!).object.home).toBe('b');
    expect(proxyRightsTo(c.k.b!, 'c', name.key)).toEqual([Rights.READ | Rights.DELEGATE]);
    expect(proxyRightsTo(c.k.a!, 'c', name.key)).toEqual([]);
    expect(obj.refCount).toBe(3); // b's own, a's, c's
    expectBytes((await readAll(c.sys.c!, h!)).bytes, enc('homed on b'));
    await expectErrno(c.sys.c!.beginWrite(h!, 1), 'EACCES');

    // A commit on b invalidates a read in progress on c.
    const buf = await c.sys.c!.beginRead(h!);
    await writeAll(c.sys.b!, ref, enc('changed on b'));
    expect(await c.sys.c!.endRead(h!, buf)).toBe(false);
    expectBytes((await readAll(c.sys.c!, h!)).bytes, enc('changed on b'));

    // The references are independent: a letting go leaves c's working.
    await c.sys.a!.delete(onA!);
    await until('b released a’s reference', () => obj.refCount === 2);
    expectBytes((await readAll(c.sys.c!, h!)).bytes, enc('changed on b'));
    await c.sys.c!.delete(h!);
    await until('b released c’s reference', () => obj.refCount === 1);
    expect(c.link.c!.remoteCount).toBe(0);
    c.check();
  });

  it('c can pass on what it got from a (homed on b) to a task on a, which reaches b directly', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name } = await blobWith(c.sys.b!, enc('hop'));
    const [onA] = await c.sys.a!.lookup(name);
    const [taskC] = await c.sys.a!.lookup(c.sys.c!.taskName);
    const [onC] = await c.sys.a!.copy([onA!], taskC!, { rights: Rights.READ | Rights.DELEGATE });
    const worker = await c.k.a!.attachTask(['worker'], undefined, { lookupRights: Rights.ALL });
    const [workerFromC] = await c.sys.c!.lookup(worker.taskName);
    await expectErrno(c.sys.c!.copy([onC!], workerFromC!, { rights: Rights.ALL }), 'EPERM', 'refs[0]');
    const [h] = await c.sys.c!.copy([onC!], workerFromC!, { rights: Rights.READ });
    expect(worker.ref(h!).proximity).toBe('remote-memory-1hop');
    expectBytes((await readAll(worker, h!)).bytes, enc('hop'));
    expect(proxyRightsTo(c.k.b!, 'a', name.key).sort()).toEqual([Rights.ALL, Rights.READ].sort());
    c.check();
  });

  it('a failed copy to a task on c of a reference homed on b leaves nothing held at b', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name } = await blobWith(c.sys.b!, enc('x'));
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    const worker = await c.k.c!.attachTask(['worker'], undefined, { lookupRights: Rights.ALL });
    const [target] = await c.sys.a!.lookup(worker.taskName);
    await worker.delete(worker.self);
    expect(obj.refCount).toBe(2);
    await expectErrno(c.sys.a!.copy([onA!], target!), 'ESRCH', 'target');
    await settle(20);
    expect(proxyHandlesTo(c.k.b!, 'c', name.key)).toEqual([]);
    expect(obj.refCount).toBe(2);
    expect(c.link.c!.remoteCount).toBe(0);
    c.check();
  });

  it('a failed run on c with an input homed on b leaves nothing held at b', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name } = await blobWith(c.sys.b!, enc('x'));
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    c.k.a!.registerProgram('not-on-c', () => 0);
    const bin = (await blobWith(c.sys.a!, programBinary('not-on-c'))).ref;
    await expectErrno(c.sys.a!.run(bin, { argv: ['x'], inputs: [onA!], kernel: 'c' }), 'ENOENT', 'binary');
    await settle(20);
    expect(proxyHandlesTo(c.k.b!, 'c', name.key)).toEqual([]);
    expect(obj.refCount).toBe(2);
    c.check();
  });

  it('runs a task on c whose input is homed on b: c reads it from b directly; deleting the read-only input only drops it', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    await writeAll(c.sys.a!, onA!, enc('input on b'));
    const seen: string[] = [];
    c.k.c!.registerProgram('reader', async (sys) => {
      const [input] = sys.inputs;
      seen.push(sys.ref(input!).proximity);
      const buf = await sys.beginRead(input!);
      seen.push(new TextDecoder().decode(buf));
      await sys.endRead(input!, buf);
      // An input comes without WRITE: deleting it drops the task's reference, even of a single-delete object.
      await sys.delete(input!);
    });
    const bin = (await blobWith(c.sys.a!, programBinary('reader'))).ref;
    const t = await c.sys.a!.run(bin, { argv: ['reader'], inputs: [onA!], kernel: 'c' });
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'exited', exitStatus: 0 });
    expect(seen).toEqual(['remote-memory-1hop', 'input on b']);
    await until('b released c’s reference', () => proxyHandlesTo(c.k.b!, 'c', name.key).length === 0);
    expect(obj.destroyed).toBe(false);
    expect(obj.refCount).toBe(2); // b's own, a's
    expect(c.sys.a!.handles).toContain(onA!);
    expectBytes((await readAll(c.sys.a!, onA!)).bytes, enc('input on b'));
    c.check();
  });

  it('runs a task on c whose output is homed on b: its delete (with WRITE) destroys the object on b and revokes a’s reference', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    const rights: number[] = [];
    c.k.c!.registerProgram('finisher', async (sys) => {
      const [output] = sys.outputs;
      rights.push(krefOf(c.k.c!, sys, output!).rights);
      const buf = await sys.beginWrite(output!, 4);
      buf.set(enc('done'));
      await sys.endWrite(output!, buf);
      // The output's lifecycle at home travels along: deleting it destroys the object on b.
      await sys.delete(output!);
    });
    const bin = (await blobWith(c.sys.a!, programBinary('finisher'))).ref;
    const t = await c.sys.a!.run(bin, { argv: ['finisher'], outputs: [onA!], kernel: 'c' });
    await c.sys.a!.select([t], { timeoutMs: 1500 });
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'exited', exitStatus: 0 });
    expect(rights).toEqual([Rights.READ | Rights.WRITE | Rights.DELEGATE]);
    await until('b destroyed the single-delete output', () => obj.destroyed);
    await until('a’s reference was revoked', () => !c.sys.a!.handles.includes(onA!));
    c.check();
  });

  it('a single-delete through the delegated reference on c destroys the object on b and revokes a’s reference', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    const [taskC] = await c.sys.a!.lookup(c.sys.c!.taskName);
    // Destroying a single-delete object for everyone takes WRITE on the deleted reference.
    const [onC] = await c.sys.a!.copy([onA!], taskC!, { rights: Rights.READ | Rights.WRITE });
    await c.sys.c!.delete(onC!);
    await until('b destroyed the object', () => obj.destroyed);
    await until('a’s reference was revoked', () => !c.sys.a!.handles.includes(onA!));
    expect(c.link.a!.remoteCount).toBe(1); // a's reference to c's task remains
    expect(c.link.c!.remoteCount).toBe(0);
    c.check();
  });

  it('a delete through a delegated reference without WRITE on c drops only c’s reference; the object lives on at b', async () => {
    const c = await cluster('a', 'b', 'c');
    const { name } = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    const obj = c.k.b!.objects.get(name.key)!;
    const [onA] = await c.sys.a!.lookup(name);
    const [taskC] = await c.sys.a!.lookup(c.sys.c!.taskName);
    const [onC] = await c.sys.a!.copy([onA!], taskC!, { rights: Rights.READ | Rights.DELEGATE });
    expect(obj.refCount).toBe(3);
    await c.sys.c!.delete(onC!);
    await until('b released c’s reference', () => obj.refCount === 2);
    await settle(20);
    expect(obj.destroyed).toBe(false);
    expect(c.sys.a!.handles).toContain(onA!);
    expect(proxyHandlesTo(c.k.b!, 'c', name.key)).toEqual([]);
    expect(c.link.c!.remoteCount).toBe(0);
    c.check();
  });
});
