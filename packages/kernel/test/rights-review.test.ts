/**
 * Holes found in a rights review, each with the sequence of calls that used
 * to give a task more than it was delegated or than a lookup mask allows.
 */
import { describe, expect, it } from 'vitest';
import {
  CopyFlags,
  CreateFlags,
  kernelStatusName,
  PauseFlags,
  Name,
  ObjectType,
  Rights,
  RunFlags,
  type KernelStatus,
  type SystemCalls,
} from '@dios/kernel';
import { DeleteFlags } from '@dios/kernel';
import { dec, expectErrno, installProgram, krefOf, readAll, writeAll, enc } from './helpers.js';
import { cluster, settle } from './distribution/cluster.js';

const { READ, WRITE, DELEGATE } = Rights;

describe('a deterministic group name cannot be made again on another kernel', () => {
  it('a task with WRITE on the shared root group, seeding the same group name on its own kernel, gains no rights in the original', async () => {
    const c = await cluster('a', 'b');
    const victim = c.sys.a!;
    // The victim's private group (named in the root group, so members find it with r--d) and a secret in it.
    const vault = await victim.create(
      ObjectType.GROUP,
      { lifecycle: 'immortal', nameSeed: 'vault' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    const secret = await victim.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { group: vault.ref, nameSeed: 'secret' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    await writeAll(victim, secret.ref, enc('victim data'));

    // The intruder on kernel b: the same seed in the same (shared) root group.
    const intruder = await c.k.b!.attachTask(['intruder']);
    const forged = await intruder.create(
      ObjectType.GROUP,
      { lifecycle: 'immortal', nameSeed: 'vault' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    // Whatever it finds of the secret's name (nothing: the vault is not its scope), it cannot write it.
    const found = await intruder.lookup(await Name.seeded(vault.name, 'secret')).catch((e: { code: string }) => e.code);
    if (Array.isArray(found)) for (const h of found) expect(krefOf(c.k.b!, intruder, h).rights & WRITE).toBe(0);
    else expect(found).toBe('ENOENT');
    // Found by name through the root group, the vault itself is r--d, so the secret through it too.
    const [viaRoot] = await intruder.lookup(vault.name);
    expect(krefOf(c.k.b!, intruder, viaRoot!).rights).toBe(READ | DELEGATE);
    // It used to get the very name, so the home kernel resolved in the victim's vault with the rights the intruder has on its own.
    expect(forged.name.equals(vault.name)).toBe(false);
    await settle();
    c.check();
  });

  it('a deterministic group name is the same again on the same kernel (EEXIST), and still reproducible there', async () => {
    const c = await cluster('a');
    const sys = c.sys.a!;
    const g = await sys.create(ObjectType.GROUP, { nameSeed: 'again' }, CreateFlags.NAME_DETERMINISTIC);
    await expectErrno(
      sys.create(ObjectType.GROUP, { nameSeed: 'again' }, CreateFlags.NAME_DETERMINISTIC),
      'EEXIST',
      'name',
    );
    await sys.delete(g.ref);
    const again = await sys.create(ObjectType.GROUP, { nameSeed: 'again' }, CreateFlags.NAME_DETERMINISTIC);
    expect(again.name.equals(g.name)).toBe(true);
    c.check();
  });
});

describe('a home kernel checks the rights a peer passes on its own objects', () => {
  // What a peer kernel sends is crafted here through its link, as a faulty or hostile kernel could.
  async function setup() {
    const c = await cluster('a', 'b');
    // On a: a blob whoever finds by name may only read, and a task b's task finds with rwxd (the cluster helper's mask).
    const blob = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB, { lookupRights: READ | DELEGATE });
    const [remoteBlob] = await c.sys.b!.lookup(blob.name);
    const blobHandle = (krefOf(c.k.b!, c.sys.b!, remoteBlob!).object as unknown as { handle: number }).handle;
    const victim = await c.k.a!.attachTask(['victim'], undefined, { lookupRights: READ | DELEGATE });
    const [remoteVictim] = await c.sys.b!.lookup(victim.taskName);
    const victimHandle = (krefOf(c.k.b!, c.sys.b!, remoteVictim!).object as unknown as { handle: number }).handle;
    const [remoteHost] = await c.sys.b!.lookup(c.sys.a!.taskName);
    const hostHandle = (krefOf(c.k.b!, c.sys.b!, remoteHost!).object as unknown as { handle: number }).handle;
    const described = { home: 'a', object: { name: blob.name.key, type: ObjectType.SHARED_MEMORY_BLOB } };
    return { c, blob, blobHandle, victim, victimHandle, hostHandle, described };
  }

  it('delegate: more rights than the peer holds on the object is EPERM, and nothing is handed over', async () => {
    const { c, blob, blobHandle, hostHandle } = await setup();
    const host = c.k.a!.tasks.get(c.sys.a!.taskName.key)!;
    const before = host.table.size;
    const reply = await c.link.b!.transport.request('a', {
      kind: 'delegate',
      target: hostHandle,
      refs: [
        {
          ref: {
            home: 'a',
            handle: blobHandle,
            object: { name: blob.name.key, type: ObjectType.SHARED_MEMORY_BLOB } as never,
          },
          rights: Rights.ALL,
        },
      ],
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'EPERM', argument: 'refs[0]' } });
    expect(host.table.size).toBe(before);
    // Within what it holds, it goes through.
    const fine = await c.link.b!.transport.request('a', {
      kind: 'delegate',
      target: hostHandle,
      refs: [
        {
          ref: {
            home: 'a',
            handle: blobHandle,
            object: { name: blob.name.key, type: ObjectType.SHARED_MEMORY_BLOB } as never,
          },
          rights: READ,
        },
      ],
    });
    expect(fine).toMatchObject({ ok: true });
    await settle();
    c.check();
  });

  it('delegate: into a task the peer may only watch (r--d) is EACCES', async () => {
    const { c, blob, blobHandle, victim, victimHandle } = await setup();
    const before = victim.handles.length;
    const reply = await c.link.b!.transport.request('a', {
      kind: 'delegate',
      target: victimHandle,
      refs: [
        {
          ref: {
            home: 'a',
            handle: blobHandle,
            object: { name: blob.name.key, type: ObjectType.SHARED_MEMORY_BLOB } as never,
          },
          rights: READ,
        },
      ],
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'EACCES', argument: 'target' } });
    expect(victim.handles.length).toBe(before);
    await settle();
    c.check();
  });

  it('run: an input with more rights than the peer holds is EPERM, and no task starts', async () => {
    const { c, blob, blobHandle } = await setup();
    c.k.a!.registerProgram('noop', async () => 0);
    const tasks = c.k.a!.tasks.size;
    const reply = await c.link.b!.transport.request('a', {
      kind: 'run',
      binary: enc('#!dios-program noop'),
      argv: ['noop'],
      env: {},
      inputs: [
        {
          ref: {
            home: 'a',
            handle: blobHandle,
            object: { name: blob.name.key, type: ObjectType.SHARED_MEMORY_BLOB } as never,
          },
          rights: READ | WRITE,
        },
      ],
      outputs: [],
      groups: [],
      name: undefined,
      flags: 0,
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'EPERM', argument: 'spec.inputs[0]' } });
    expect(c.k.a!.tasks.size).toBe(tasks);
    await settle();
    c.check();
  });
});

describe('private memory goes with its task even when no reference holds it', () => {
  it('a single-delete private blob whose reference was dropped is destroyed at exit, not found by a later task of the same name', async () => {
    const c = await cluster('a');
    const kernel = c.k.a!;
    const sys = kernel.init;
    let secret: Name | undefined;
    const found: string[] = [];
    const bin = await installProgram(kernel, sys, async (t: SystemCalls) => {
      if (t.argv[0] === 'first') {
        const pm = await t.create(ObjectType.PRIVATE_MEMORY_BLOB, { lifecycle: 'single-delete' });
        await writeAll(t, pm.ref, enc('private to the first task'));
        secret = pm.name;
        // Dropped, not destroyed: the blob stays, for its creator to look up again.
        await t.delete(pm.ref, DeleteFlags.DROP);
        const [again] = await t.lookup(pm.name);
        found.push(`creator: ${dec((await readAll(t, again!)).bytes)}`);
        await t.delete(again!, DeleteFlags.DROP);
        return 0;
      }
      // A task given the same (seeded) name later.
      await t.lookup(secret!).then(
        async ([h]) => found.push(`successor: ${dec((await readAll(t, h!)).bytes)}`),
        (e: { code: string }) => found.push(`successor: ${e.code}`),
      );
      return 0;
    });
    const first = await sys.run(bin, { argv: ['first'], name: 'worker' }, RunFlags.NAME_DETERMINISTIC);
    await sys.select([first]);
    kernel.checkInvariants();
    expect(kernel.objects.has(secret!.key)).toBe(false);
    await sys.delete(first);
    const second = await sys.run(bin, { argv: ['second'], name: 'worker' }, RunFlags.NAME_DETERMINISTIC);
    await sys.select([second]);
    expect(found).toEqual(['creator: private to the first task', 'successor: ENOENT']);
    kernel.checkInvariants();
  });
});

describe('a peer gives back only its own handles', () => {
  it("release of its proxy's self handle, or of a handle another peer holds that it did not share, changes nothing", async () => {
    const c = await cluster('a', 'b', 'c');
    const a = c.k.a!;
    const blob = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(c.sys.a!, blob.ref, enc('kept'));
    const [onB] = await c.sys.b!.lookup(blob.name);
    const [onC] = await c.sys.c!.lookup(blob.name);
    const proxyOf = (peer: string) =>
      [...a.tasks.values()].find((t) => t.setup.argv[0] === `peer:${peer}` && t.state !== 'exited')!;
    const proxyB = proxyOf('b');
    const proxyC = proxyOf('c');
    const cHandle = (krefOf(c.k.c!, c.sys.c!, onC!).object as unknown as { handle: number }).handle;
    const request = (req: object) => c.link.b!.transport.request('a', req as never);
    // Its own proxy's self reference: deleting it would end the proxy (and every handle b holds at a).
    expect(await request({ kind: 'release', handle: proxyB.selfHandle, destroy: true })).toMatchObject({ ok: true });
    expect(proxyB.state).toBe('running');
    // c's handle to the blob, which b never shared: neither deleted nor closed.
    expect(await request({ kind: 'release', handle: cHandle, destroy: true, for: 'c' })).toMatchObject({
      ok: false,
      error: { code: 'EPERM' },
    });
    expect(await request({ kind: 'release', handle: cHandle, destroy: false, for: 'c' })).toMatchObject({ ok: true });
    expect(await request({ kind: 'release', handle: proxyC.selfHandle, destroy: false, for: 'c' })).toMatchObject({
      ok: true,
    });
    expect(proxyC.state).toBe('running');
    expect(proxyC.table.has(cHandle)).toBe(true);
    expect(dec((await readAll(c.sys.b!, onB!)).bytes)).toBe('kept');
    expect(dec((await readAll(c.sys.c!, onC!)).bytes)).toBe('kept');
    await settle();
    c.check();
  });
});

describe('the kernel status does not publish object names', () => {
  it("a task that reads the status learns no full name of another task's blob, so cannot look it up", async () => {
    const c = await cluster('a');
    const kernel = c.k.a!;
    const owner = await kernel.attachTask(['owner']);
    // A blob named in the root group under a random name, shared with nobody.
    const blob = await owner.create(ObjectType.SHARED_MEMORY_BLOB);
    const snooper = await kernel.attachTask(['snooper']);
    const [status] = await snooper.lookup(await kernelStatusName(kernel.id));
    const text = dec((await readAll(snooper, status!)).bytes);
    expect(text).not.toContain(blob.name.key);
    // The status still tells objects apart: a short prefix, with the type.
    const snapshot = JSON.parse(text) as KernelStatus;
    expect(snapshot.objects.find((o) => o.name === blob.name.key.slice(0, 12))?.type).toBe(
      ObjectType.SHARED_MEMORY_BLOB,
    );
    // Tasks keep their full names (found by name, a task is r--d: it can only be watched).
    expect(snapshot.tasks.some((t) => t.name === owner.taskName.key)).toBe(true);
    c.check();
  });
});

describe('copy with MAKE_LOCAL gives the caller no more on the local copy than it held on the source', () => {
  it("the reference the caller holds while the copy is made has at most the source's rights", async () => {
    const c = await cluster('a', 'b');
    const original = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { lookupRights: READ | DELEGATE });
    await writeAll(c.sys.b!, original.ref, new Uint8Array(3 * 512 * 1024 + 5));
    const caller = await c.k.a!.attachTask(['caller']);
    const [src] = await caller.lookup(original.name);
    expect(krefOf(c.k.a!, caller, src!).rights).toBe(READ | DELEGATE);
    const before = new Set(caller.handles);
    const seen: number[] = [];
    const pending = caller.copy([src!], caller.self, { rights: READ }, CopyFlags.MAKE_LOCAL);
    // Watch the caller's table while the chunks are fetched.
    for (let i = 0; i < 200 && seen.length === 0; i++) {
      for (const h of caller.handles) if (!before.has(h)) seen.push(krefOf(c.k.a!, caller, h).rights);
      await new Promise((r) => setTimeout(r, 0));
    }
    const [copied] = await pending;
    expect(seen.length).toBeGreaterThan(0);
    for (const rights of seen) expect(rights & ~(READ | DELEGATE)).toBe(0);
    expect(krefOf(c.k.a!, caller, copied!).rights).toBe(READ);
    await settle();
    c.check();
  });
});

describe('attacks that found no hole (regressions)', () => {
  it('a group found by name (r--d) passed to run: the child is a member with r--d, named nowhere, cannot create there; a single-delete group found by name is not destroyed by delete', async () => {
    const c = await cluster('a');
    const kernel = c.k.a!;
    const owner = kernel.init;
    const group = await owner.create(ObjectType.GROUP, { lifecycle: 'single-delete' });
    const seen: string[] = [];
    const other = await kernel.attachTask(['other']);
    const [found] = await other.lookup(group.name);
    expect(krefOf(kernel, other, found!).rights).toBe(READ | DELEGATE);
    const bin = await installProgram(kernel, other, async (child: SystemCalls) => {
      await child.create(ObjectType.SHARED_MEMORY_BLOB).then(
        () => seen.push('create: ok'),
        (e: { code: string }) => seen.push(`create: ${e.code}`),
      );
      return 0;
    });
    const child = await other.run(bin, { argv: [], groups: [found!] }, RunFlags.START_PAUSED);
    const task = krefOf(kernel, other, child).object as unknown as {
      setup: { groups: { rights: number }[] };
      group: unknown;
    };
    expect(task.setup.groups.map((m) => m.rights)).toEqual([READ | DELEGATE]);
    expect(task.group).toBeUndefined();
    await other.pause(child, PauseFlags.RESUME);
    await other.select([child]);
    expect(seen).toEqual(['create: EACCES']);
    await other.delete(found!);
    expect(owner.ref(group.ref).open).toBe(true);
    c.check();
  });
});
