/**
 * Fate sharing when a peer is gone (loopback partitions and departures):
 * references to its objects fail with EHOSTDOWN, calls pending on them end
 * at once, remote task references lose their status; at the objects' home,
 * what the gone peer held or ran is closed or stopped, and its old handles
 * never work again.
 */
import { describe, expect, it } from 'vitest';
import {
  DeleteFlags,
  EXIT_PEER_GONE,
  Kernel,
  ObjectType,
  PauseFlags,
  programBinary,
  SelectFlags,
  type Program,
} from '@dios/kernel';
import { blobWith, enc, expectErrno, flush, readAll, track, writeAll } from '../helpers.js';
import { cluster, expectBytes, proxyHandlesTo, proxyTaskOn, until, type Cluster } from './cluster.js';

let programs = 0;

/** Registers `program` on kernel `on` and stores its binary in a blob on kernel `from`; returns the binary's handle there. */
async function installRemote(c: Cluster, on: string, from: string, program: Program): Promise<number> {
  const id = `fate-test-${++programs}`;
  c.k[on]!.registerProgram(id, program);
  return (await blobWith(c.sys[from]!, programBinary(id))).ref;
}

describe('references to objects on a gone peer', () => {
  it('fail with EHOSTDOWN naming the argument; pending calls end at once; delete drops them locally', async () => {
    const c = await cluster('a', 'b');
    const blob = await blobWith(c.sys.b!, enc('on b'));
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [hb] = await c.sys.a!.lookup(blob.name);
    const [hs] = await c.sys.a!.lookup(stream.name);
    const reading = track(c.sys.a!.beginRead(hs!));
    await flush(10);
    expect(reading.settled).toBe(false);
    const downAt = Date.now();
    c.net.partition('b');
    await until('the pending read failed', () => reading.settled);
    expect(Date.now() - downAt).toBeLessThan(200);
    expect(reading.error).toMatchObject({ code: 'EHOSTDOWN', syscall: 'beginRead', argument: 'ref' });
    await expectErrno(c.sys.a!.beginRead(hb!), 'EHOSTDOWN', 'ref');
    await expectErrno(c.sys.a!.beginWrite(hb!, 2), 'EHOSTDOWN', 'ref');
    const me = (await c.sys.a!.lookup(c.sys.a!.taskName))[0]!;
    await expectErrno(c.sys.a!.copy([hb!], me), 'EHOSTDOWN', 'refs[0]');
    // The references stay open until deleted; delete needs no answer from b.
    expect(c.sys.a!.ref(hb!).open).toBe(true);
    await c.sys.a!.delete(hb!);
    await c.sys.a!.delete(hs!);
    expect(c.link.a!.remoteCount).toBe(0);
    c.check();
  });

  it('a buffer lent before the home went: a commit fails with EHOSTDOWN, a release or discard succeeds', async () => {
    const c = await cluster('a', 'b');
    const blob = await blobWith(c.sys.b!, enc('0123456789'));
    const [h] = await c.sys.a!.lookup(blob.name);
    const r1 = await c.sys.a!.beginRead(h!);
    const r2 = await c.sys.a!.beginRead(h!);
    const w1 = await c.sys.a!.beginWrite(h!, 2);
    const w2 = await c.sys.a!.beginWrite(h!, 2);
    c.net.partition('b');
    await expectErrno(c.sys.a!.endRead(h!, r1), 'EHOSTDOWN', 'ref');
    expect(await c.sys.a!.endRead(h!, r2, 1 /* RELEASE */)).toBe(true);
    await expectErrno(c.sys.a!.endWrite(h!, w1), 'EHOSTDOWN', 'ref');
    await c.sys.a!.endWrite(h!, w2, {}, 1 /* DISCARD */);
    // The home dropped a's handle, and with it both leases: b's own exclusive write goes ahead.
    expect(proxyHandlesTo(c.k.b!, 'a', blob.name.key)).toEqual([]);
    await writeAll(c.sys.b!, blob.ref, enc('x'), { truncate: true });
    c.check();
  });

  it('a select waiting on the reference wakes; the next call says EHOSTDOWN', async () => {
    const c = await cluster('a', 'b');
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [h] = await c.sys.a!.lookup(stream.name);
    const waiting = track(c.sys.a!.select([h!], { timeoutMs: 1500 }));
    const waitingW = track(c.sys.a!.select([h!], { timeoutMs: 1500 }, SelectFlags.WRITE));
    await flush(10);
    // The stream is writable at once, not readable.
    await until('the write select returned', () => waitingW.settled);
    expect(waiting.settled).toBe(false);
    c.net.partition('b');
    await until('the read select woke', () => waiting.settled, 300);
    expect(waiting.value).toBe(h);
    expect(c.sys.a!.ref(h!).ioReady).toBe(true);
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    // Later selects return at once too.
    expect(await c.sys.a!.select([h!], { timeoutMs: 100 })).toBe(h);
    c.check();
  });

  it('a remote task reference loses its status: select wakes, the status is unknown, pause says EHOSTDOWN, delete succeeds', async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', () => new Promise<never>(() => {}));
    const t = await c.sys.a!.run(bin, { argv: ['idle'], kernel: 'b' });
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'running', exitStatus: undefined });
    const waiting = track(c.sys.a!.select([t], { timeoutMs: 1500 }));
    await flush(10);
    expect(waiting.settled).toBe(false);
    c.net.partition('b');
    await until('the select woke', () => waiting.settled, 300);
    expect(waiting.value).toBe(t);
    // libd's wait reads "not exited" after a wake-up as EHOSTDOWN for this reference.
    expect(c.sys.a!.ref(t).task).toBeUndefined();
    await expectErrno(c.sys.a!.pause(t), 'EHOSTDOWN', 'task');
    await expectErrno(c.sys.a!.pause(t, PauseFlags.RESUME), 'EHOSTDOWN', 'task');
    const me = (await c.sys.a!.lookup(c.sys.a!.taskName))[0]!;
    const blob = await blobWith(c.sys.a!, enc('x'));
    await expectErrno(c.sys.a!.copy([blob.ref], t), 'EHOSTDOWN', 'target');
    await c.sys.a!.delete(t);
    expect(c.link.a!.remoteCount).toBe(0);
    void me;
    c.check();
  });

  it('a remote task that had exited keeps its exit status', async () => {
    const c = await cluster('a', 'b');
    const bin = await installRemote(c, 'b', 'a', () => 5);
    const t = await c.sys.a!.run(bin, { argv: ['five'], kernel: 'b' });
    expect(await c.sys.a!.select([t], { timeoutMs: 1500 })).toBe(t);
    c.net.partition('b');
    expect(c.sys.a!.ref(t).task).toEqual({ state: 'exited', exitStatus: 5 });
    c.check();
  });

  it('run with a binary on the gone kernel fails with EHOSTDOWN naming binary, here or on a third kernel', async () => {
    const c = await cluster('a', 'b', 'c');
    c.k.c!.registerProgram('noop', () => 0);
    const bin = await blobWith(c.sys.b!, programBinary('noop'));
    const [hbin] = await c.sys.a!.lookup(bin.name);
    c.net.partition('b');
    await expectErrno(c.sys.a!.run(hbin!, { argv: ['noop'], kernel: 'c' }), 'EHOSTDOWN', 'binary');
    c.k.a!.registerProgram('noop', () => 0);
    await expectErrno(c.sys.a!.run(hbin!, { argv: ['noop'] }), 'EHOSTDOWN', 'binary');
    c.check();
  });

  it('run here with an input or output on the gone kernel fails with EHOSTDOWN naming it, and starts nothing', async () => {
    const c = await cluster('a', 'b');
    c.k.a!.registerProgram('noop-io', () => 0);
    const bin = (await blobWith(c.sys.a!, programBinary('noop-io'))).ref;
    const onB = await blobWith(c.sys.b!, enc('input on b'));
    const [remote] = await c.sys.a!.lookup(onB.name);
    const local = (await blobWith(c.sys.a!, enc('local'))).ref;
    c.net.partition('b');
    const tasks = c.k.a!.tasks.size;
    await expectErrno(
      c.sys.a!.run(bin, { argv: ['noop-io'], inputs: [local, remote!] }),
      'EHOSTDOWN',
      'spec.inputs[1]',
    );
    await expectErrno(c.sys.a!.run(bin, { argv: ['noop-io'], outputs: [remote!] }), 'EHOSTDOWN', 'spec.outputs[0]');
    expect(c.k.a!.tasks.size).toBe(tasks);
    c.check();
  });

  it('after a false alarm, a delete that would destroy a single-delete object at home just drops the local proxy', async () => {
    const c = await cluster('a', 'b');
    const made = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    const [h] = await c.sys.a!.lookup(made.name);
    c.net.partition('b');
    c.net.restore('b');
    await c.sys.a!.delete(h!);
    expect(c.link.a!.remoteCount).toBe(0);
    await flush(10);
    // b still has its object: the old handle was closed at b when a was found gone, and a sends nothing for it.
    expect(c.k.b!.objects.get(made.name.key)?.destroyed).toBe(false);
    c.check();
  });
});

describe('at the home of a gone peer', () => {
  it('closes the handles the peer held (no destroy) and gives back its leases', async () => {
    const c = await cluster('a', 'b');
    const blob = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [hb] = await c.sys.a!.lookup(blob.name);
    const [hs] = await c.sys.a!.lookup(stream.name);
    // a holds b's stream write lease and a read lease on the blob.
    await c.sys.a!.beginWrite(hs!, 4);
    await c.sys.a!.beginRead(hb!);
    await expectErrno(c.sys.b!.beginWrite(stream.ref, 1, {}, 1 /* NONBLOCK */), 'EAGAIN');
    const blobObj = c.k.b!.objects.get(blob.name.key)!;
    expect(blobObj.refCount).toBe(2);
    c.net.partition('a');
    expect(proxyTaskOn(c.k.b!, 'a')).toBeUndefined();
    expect(blobObj.refCount).toBe(1);
    expect(blobObj.destroyed).toBe(false);
    const w = await c.sys.b!.beginWrite(stream.ref, 2, {}, 1 /* NONBLOCK */);
    w.set(enc('ok'));
    await c.sys.b!.endWrite(stream.ref, w);
    expectBytes(await c.sys.b!.beginRead(stream.ref, {}, 1), enc('ok'));
    c.check();
  });

  it('stops the tasks the peer ran here (exit status EXIT_PEER_GONE) and releases their references', async () => {
    const c = await cluster('a', 'b');
    let calls = 0;
    let lastError: unknown;
    const bin = await installRemote(c, 'b', 'a', async (sys) => {
      // Waits on its input for ever, then tries once more after being stopped.
      try {
        await sys.select([sys.inputs[0]!]);
      } catch (e) {
        lastError = e;
      }
      calls++;
      return 0;
    });
    const input = await blobWith(c.sys.b!, enc('input on b'));
    const inStream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
    const [hin] = await c.sys.a!.lookup(inStream.name);
    const t = await c.sys.a!.run(bin, { argv: ['waiter'], inputs: [hin!], kernel: 'b' });
    const name = c.sys.a!.ref(t).task;
    expect(name?.state).toBe('running');
    // The task's own name at b: the one task there with argv waiter.
    const task = [...c.k.b!.tasks.values()].find((x) => x.setup.argv[0] === 'waiter')!;
    const streamObj = c.k.b!.objects.get(inStream.name.key)!;
    expect(streamObj.refCount).toBe(3); // b's own, a's proxy handle, the task's input
    c.net.partition('a');
    expect(task.state).toBe('exited');
    expect(task.exitStatus).toBe(EXIT_PEER_GONE);
    expect(EXIT_PEER_GONE).toBe(137);
    await until('the program saw its end', () => calls === 1);
    expect(lastError).toMatchObject({ code: 'ECANCELED' });
    // Its references and a's handles are gone; the task object went with its last reference.
    expect(streamObj.refCount).toBe(1);
    expect(c.k.b!.tasks.has(task.name.key)).toBe(false);
    void input;
    c.check();
  });

  it('leaves tasks alone that the peer only holds a reference to', async () => {
    const c = await cluster('a', 'b');
    c.k.b!.registerProgram('idle', () => new Promise<never>(() => {}));
    const bin = await blobWith(c.sys.b!, programBinary('idle'));
    const local = await c.sys.b!.run(bin.ref, { argv: ['idle-local'] });
    const taskObj = [...c.k.b!.tasks.values()].find((x) => x.setup.argv[0] === 'idle-local')!;
    const [h] = await c.sys.a!.lookup(taskObj.name);
    expect(c.sys.a!.ref(h!).type).toBe(ObjectType.TASK);
    c.net.partition('a');
    expect(taskObj.state).toBe('running');
    expect(taskObj.refCount).toBe(2); // its self reference and b's host task
    void local;
    c.check();
  });

  it('a peer that comes back: its old handles are EBADF at home, new lookups work and get new handles', async () => {
    const c = await cluster('a', 'b');
    const blob = await blobWith(c.sys.b!, enc('still here'));
    const [h] = await c.sys.a!.lookup(blob.name);
    const [old] = proxyHandlesTo(c.k.b!, 'a', blob.name.key);
    expect(old).toBeDefined();
    c.net.partition('b');
    c.net.restore('b');
    // The old reference on a stays down; its handle at b is gone.
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    await expectErrno(
      c.link.a!.send('b', { kind: 'begin-read', handle: old!, offset: 0, length: 4, nonblock: true }),
      'EBADF',
      'ref',
    );
    const [again] = await c.sys.a!.lookup(blob.name);
    expectBytes((await readAll(c.sys.a!, again!)).bytes, enc('still here'));
    const [fresh] = proxyHandlesTo(c.k.b!, 'a', blob.name.key);
    expect(fresh).toBeGreaterThan(old!);
    // Sending the old handle does not reach the new one.
    await expectErrno(
      c.link.a!.send('b', { kind: 'begin-read', handle: old!, offset: 0, length: 4, nonblock: true }),
      'EBADF',
      'ref',
    );
    await c.sys.a!.delete(h!);
    await c.sys.a!.delete(again!);
    await until('b released the new handle', () => proxyHandlesTo(c.k.b!, 'a', blob.name.key).length === 0);
    expect(c.link.a!.remoteCount).toBe(0);
    c.check();
  });

  it('a restarted peer (same id, a new kernel) does not reach the proxies made for the old one', async () => {
    const c = await cluster('a', 'b');
    const blob = await blobWith(c.sys.b!, enc('old b'));
    const [h] = await c.sys.a!.lookup(blob.name);
    await c.link.b!.transport.close();
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    // b restarts: same id, same cluster, same root group name, an object of the same name, handles from 1 again.
    const b2 = await Kernel.boot({ id: 'b', cluster: c.name });
    b2.join(c.net.connect('b'));
    const sysB2 = await b2.attachTask(['host-b2']);
    const made = await sysB2.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'new' }, 1);
    await writeAll(sysB2, made.ref, enc('new b'));
    const [h2] = await c.sys.a!.lookup(made.name);
    expectBytes((await readAll(c.sys.a!, h2!)).bytes, enc('new b'));
    // The old reference stays down, and deleting it sends nothing that could close the new one.
    await expectErrno(c.sys.a!.beginRead(h!), 'EHOSTDOWN', 'ref');
    await c.sys.a!.delete(h!);
    await flush(10);
    expectBytes((await readAll(c.sys.a!, h2!)).bytes, enc('new b'));
    expect(c.link.a!.remoteCount).toBe(1);
    c.check();
    b2.checkInvariants();
  });

  it('a write that waited at home for the gone peer never takes the space it waited for', async () => {
    const c = await cluster('a', 'b');
    const stream = await c.sys.b!.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 });
    // The stream is full: a's write waits at b.
    await writeAll(c.sys.b!, stream.ref, enc('full'));
    const [h] = await c.sys.a!.lookup(stream.name);
    const writing = track(c.sys.a!.beginWrite(h!, 2));
    await flush(10);
    expect(writing.settled).toBe(false);
    c.net.partition('b');
    await until('the write failed', () => writing.settled);
    expect(writing.error).toMatchObject({ code: 'EHOSTDOWN', argument: 'ref' });
    // b drains the stream; the write that waited for a is gone, so nothing takes the room it frees.
    const r = await c.sys.b!.beginRead(stream.ref);
    expectBytes(r, enc('full'));
    await c.sys.b!.endRead(stream.ref, r);
    await flush(10);
    const w = await c.sys.b!.beginWrite(stream.ref, 4, {}, 1 /* NONBLOCK */);
    w.set(enc('next'));
    await c.sys.b!.endWrite(stream.ref, w);
    await c.sys.a!.delete(h!, DeleteFlags.DROP);
    c.check();
  });
});
