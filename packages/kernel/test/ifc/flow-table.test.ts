/**
 * The table of allowed and denied flows (issue 13): for every system call
 * that moves information and every object type, the call between a task
 * and an object of the same label, of a lower one and of a higher one.
 * Every refusal is EPERM naming the argument, changes nothing in the
 * kernel (objects' versions, sizes, bytes and labels; tasks' handles and
 * lent buffers) and is a refused flow in the provenance log. Then the label
 * change protocol, capabilities delegated and attenuated, and what a
 * reference's attributes hide from a holder of a lower label.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DeleteFlags,
  EndReadFlags,
  EndWriteFlags,
  Name,
  ObjectType,
  PauseFlags,
  Rights,
  SelectFlags,
  TAG_RIGHTS,
  canFlow,
  Label,
  type Kernel,
  type SystemCalls,
} from '@dios/kernel';
import { installProgram, krefOf, taskOf } from '../helpers.js';
import {
  changeBytes,
  changeLabel,
  cleanUp,
  dec,
  enc,
  expectErrno,
  expectRefused,
  give,
  hostTask,
  kernelSnapshot,
  labelOf,
  labKernel,
  makeTag,
  readAll,
  writeAll,
} from './support.js';

afterEach(cleanUp);

/** The object types that hold bytes a task writes. */
const DATA_TYPES = [
  ObjectType.PRIVATE_MEMORY_BLOB,
  ObjectType.SHARED_MEMORY_BLOB,
  ObjectType.DURABLE_BLOB,
  ObjectType.SHARED_MEMORY_STREAM,
] as const;
type DataType = (typeof DATA_TYPES)[number];

/**
 * init holding a secrecy tag `s` and an integrity tag `i` with every
 * capability, so that it can take any of the labels the table needs
 * (public {}, secret {s: s}, trusted {i: i}) between calls.
 */
async function world() {
  const { kernel, sys } = await labKernel();
  const s = await makeTag(sys);
  const i = await makeTag(sys);
  const secret = () => changeLabel(sys, { addSecrecy: [s.ref] });
  const unsecret = () => changeLabel(sys, { removeSecrecy: [s.ref] });
  const trusted = () => changeLabel(sys, { addIntegrity: [i.ref] });
  const untrusted = () => changeLabel(sys, { removeIntegrity: [i.ref] });
  /** An object of `type` holding `content`, made with the label `as` (init is public again after). */
  const object = async (type: ObjectType, as: 'public' | 'secret' | 'trusted', content = `${as}!!`) => {
    if (as === 'secret') await secret();
    if (as === 'trusted') await trusted();
    const lifecycle = type === ObjectType.DURABLE_BLOB || type === ObjectType.GROUP ? 'single-delete' : undefined;
    const { ref, name } = await sys.create(type, lifecycle === undefined ? {} : { lifecycle });
    if ((DATA_TYPES as readonly string[]).includes(type)) await writeAll(sys, ref, enc(content));
    if (as === 'secret') await unsecret();
    if (as === 'trusted') await untrusted();
    return { ref, name };
  };
  const refused = (action: () => Promise<unknown>, argument: string, syscall: string) =>
    expectRefused(kernel, action, argument, syscall);
  return { kernel, sys, s, i, secret, unsecret, trusted, untrusted, object, refused };
}

async function readText(sys: SystemCalls, ref: number): Promise<string> {
  const buf = await sys.beginRead(ref);
  const text = dec(buf.slice());
  await sys.endRead(ref, buf);
  return text;
}

function labelOfObject(kernel: Kernel, sys: SystemCalls, ref: number): string {
  return krefOf(kernel, sys, ref).object.label.toString();
}

describe('begin_read: a task reads objects of its label or lower; a read that consumes only its own label', () => {
  it.each(DATA_TYPES)('%s', async (type: DataType) => {
    const w = await world();
    const pub = await w.object(type, 'public');
    const sec = await w.object(type, 'secret');
    // Public task: its own label yes, a higher one no.
    await w.refused(() => w.sys.beginRead(sec.ref), 'ref', 'beginRead');
    expect(await readText(w.sys, pub.ref)).toBe('public!!');
    await writeAll(w.sys, pub.ref, enc('public!!'));
    // Secret task: its own label and a lower one, unless reading consumes (the writer would see room appear).
    await w.secret();
    expect(await readText(w.sys, sec.ref)).toBe('secret!!');
    if (type === ObjectType.SHARED_MEMORY_STREAM) await w.refused(() => w.sys.beginRead(pub.ref), 'ref', 'beginRead');
    else expect(await readText(w.sys, pub.ref)).toBe('public!!');
  });

  it('integrity: a trusted task reads only trusted objects; anyone may read a trusted one', async () => {
    const w = await world();
    const pub = await w.object(ObjectType.SHARED_MEMORY_BLOB, 'public');
    const tru = await w.object(ObjectType.SHARED_MEMORY_BLOB, 'trusted');
    expect(await readText(w.sys, tru.ref)).toBe('trusted!!');
    await w.trusted();
    expect(await readText(w.sys, tru.ref)).toBe('trusted!!');
    await w.refused(() => w.sys.beginRead(pub.ref), 'ref', 'beginRead');
  });

  it("groups and tags hold no bytes: the flow is checked first (a group has its creator's label; a tag none)", async () => {
    const w = await world();
    const group = await w.object(ObjectType.GROUP, 'secret');
    expect(labelOfObject(w.kernel, w.sys, group.ref)).not.toBe('{}');
    expect(labelOfObject(w.kernel, w.sys, w.s.ref)).toBe('{}');
    await w.refused(() => w.sys.beginRead(group.ref), 'ref', 'beginRead');
    await expectErrno(w.sys.beginRead(w.s.ref), 'EINVAL', 'ref');
    await w.secret();
    await expectErrno(w.sys.beginRead(group.ref), 'EINVAL', 'ref');
    await expectErrno(w.sys.beginRead(w.s.ref), 'EINVAL', 'ref');
    await w.refused(() => w.sys.beginWrite(w.s.ref, 1), 'ref', 'beginWrite');
  });
});

describe('end_read: checked again (the label may have changed since begin_read), unless the buffer is only given back', () => {
  it.each(DATA_TYPES)('%s', async (type: DataType) => {
    const w = await world();
    const sec = await w.object(type, 'secret');
    await w.secret();
    const buf = await w.sys.beginRead(sec.ref);
    await w.unsecret();
    // The answer (still valid?) and, for a stream, the consuming: refused, and the buffer stays lent.
    await w.refused(() => w.sys.endRead(sec.ref, buf), 'ref', 'endRead');
    expect(krefOf(w.kernel, w.sys, sec.ref).leaseCount).toBe(1);
    // RELEASE answers nothing and consumes nothing: a buffer can always be given back.
    expect(await w.sys.endRead(sec.ref, buf, EndReadFlags.RELEASE)).toBe(true);
    expect(krefOf(w.kernel, w.sys, sec.ref).leaseCount).toBe(0);
    await w.secret();
    expect(await readText(w.sys, sec.ref)).toBe('secret!!');
    w.kernel.checkInvariants();
  });
});

describe('begin_write: only to objects of exactly the writer’s label (a write also observes the object)', () => {
  it.each(DATA_TYPES)('%s', async (type: DataType) => {
    const w = await world();
    const pub = await w.object(type, 'public');
    const sec = await w.object(type, 'secret');
    const tru = await w.object(type, 'trusted');
    // Public: not up (the write would learn the object's version or room), not to a trusted object.
    await w.refused(() => w.sys.beginWrite(sec.ref, 1), 'ref', 'beginWrite');
    await w.refused(() => w.sys.beginWrite(tru.ref, 1), 'ref', 'beginWrite');
    await writeAll(w.sys, pub.ref, enc('p'));
    // Secret: not down.
    await w.secret();
    await w.refused(() => w.sys.beginWrite(pub.ref, 1), 'ref', 'beginWrite');
    await writeAll(w.sys, sec.ref, enc('s'));
    // Trusted (and secret): not to the public or secret object, which lack its integrity.
    await w.unsecret();
    await w.trusted();
    await w.refused(() => w.sys.beginWrite(pub.ref, 1), 'ref', 'beginWrite');
    await writeAll(w.sys, tru.ref, enc('t'));
  });
});

describe('a label change waits while the task holds a buffer lent by an object the new label may not flow to', () => {
  it.each(DATA_TYPES)('%s', async (type: DataType) => {
    const w = await world();
    const pub = await w.object(type, 'public');
    const before = krefOf(w.kernel, w.sys, pub.ref).object.version;
    // Lent memory stays writable: raised, the task could put the secret there behind the kernel's back.
    const buf = await w.sys.beginWrite(pub.ref, 6);
    await expectErrno(w.secret(), 'EBUSY', 'buffer');
    expect((await labelOf(w.sys)).secrecy).toEqual([]);
    expect(krefOf(w.kernel, w.sys, pub.ref).leaseCount).toBe(1);
    // The buffer is still the task's to commit or give back; then the label can rise.
    await w.sys.endWrite(pub.ref, buf, {}, EndWriteFlags.DISCARD);
    expect(krefOf(w.kernel, w.sys, pub.ref).object.version).toBe(before);
    await w.secret();
    expect((await labelOf(w.sys)).secrecy).toEqual([w.s.name.key]);
    // Raised, end_write is checked again like begin_write: a write buffer of a public object can no longer be had.
    await w.refused(() => w.sys.beginWrite(pub.ref, 6), 'ref', 'beginWrite');
    w.kernel.checkInvariants();
  });
});

describe('select: readiness is the object’s state, a flow in (in both modes)', () => {
  it.each([...DATA_TYPES, ObjectType.GROUP])('%s', async (type) => {
    const w = await world();
    const pub = await w.object(type, 'public');
    const sec = await w.object(type, 'secret');
    for (const mode of [0, SelectFlags.WRITE]) {
      await w.refused(() => w.sys.select([pub.ref, sec.ref], {}, mode), 'refs[1]', 'select');
      expect(await w.sys.select([pub.ref], {}, mode)).toBe(pub.ref);
    }
    await w.secret();
    // Allowed now; which ready handle comes back follows select's rotation (the last one returned was pub's).
    for (const mode of [0, SelectFlags.WRITE])
      expect([pub.ref, sec.ref]).toContain(await w.sys.select([pub.ref, sec.ref], {}, mode));
    for (const mode of [SelectFlags.ALL, SelectFlags.ALL | SelectFlags.WRITE])
      expect(await w.sys.select([pub.ref, sec.ref], {}, mode)).toContain(pub.ref);
  });

  it("a task's exit is not protected (termination): select on a task of any label", async () => {
    const w = await world();
    const hi = await hostTask(w.kernel, ['hi']);
    const tag = await give(w.sys, w.s.ref, hi.ref, Rights.READ | Rights.ADD);
    await changeLabel(hi.sys, { addSecrecy: [tag] });
    await hi.sys.delete(hi.sys.self);
    expect(await w.sys.select([hi.ref])).toBe(hi.ref);
  });
});

describe('devices are public: the console and the network', () => {
  it('the console: a secret task cannot write it, nor read its input (reading consumes it); select sees it', async () => {
    const { kernel, sys, out } = await labKernel();
    const s = await makeTag(sys);
    const con = sys.handles.find((h) => sys.ref(h).type === ObjectType.CONSOLE)!;
    await writeAll(sys, con, enc('public line\n'));
    kernel.console.pushInput(enc('typed'));
    await changeLabel(sys, { addSecrecy: [s.ref] });
    await expectRefused(kernel, () => sys.beginWrite(con, 6), 'ref', 'beginWrite');
    await expectRefused(kernel, () => sys.beginRead(con), 'ref', 'beginRead');
    expect(await sys.select([con])).toBe(con);
    expect(out.join('')).toBe('public line\n');
  });

  it('tcp: a secret task cannot create a listener or connection, write one, or read (accept) one', async () => {
    const { kernel, sys } = await labKernel();
    const s = await makeTag(sys);
    const listener = await sys.create(ObjectType.TCP_LISTENER, { address: { host: '127.0.0.1', port: 0 } });
    const address = { host: '127.0.0.1', port: Number(sys.ref(listener.ref).address!.split(':').pop()) };
    const conn = await sys.create(ObjectType.TCP_CONNECTION, { address });
    // Accepted (a pending connection has no reference yet, which the invariants do not allow for).
    expect(await sys.select([listener.ref])).toBe(listener.ref);
    const accepted = await sys.beginRead(listener.ref, { length: 32 });
    const [server] = await sys.lookup(Name.fromBytes(accepted.slice()));
    await sys.endRead(listener.ref, accepted);
    await expectErrno(
      sys.create(ObjectType.TCP_CONNECTION, { address, label: { secrecy: [s.ref] } }),
      'EINVAL',
      'options.label',
    );
    await changeLabel(sys, { addSecrecy: [s.ref] });
    await expectRefused(
      kernel,
      () => sys.create(ObjectType.TCP_LISTENER, { address: { host: '127.0.0.1', port: 0 } }),
      'type',
      'create',
    );
    await expectRefused(kernel, () => sys.create(ObjectType.TCP_CONNECTION, { address }), 'type', 'create');
    await expectRefused(kernel, () => sys.beginWrite(conn.ref, 4), 'ref', 'beginWrite');
    await expectRefused(kernel, () => sys.beginWrite(server!, 4), 'ref', 'beginWrite');
    await expectRefused(kernel, () => sys.beginRead(listener.ref), 'ref', 'beginRead');
    await expectRefused(kernel, () => sys.beginRead(conn.ref, {}, 1), 'ref', 'beginRead');
    // Readiness of a public object may flow in.
    expect(await sys.select([conn.ref], {}, SelectFlags.WRITE)).toBe(conn.ref);
    await changeLabel(sys, { removeSecrecy: [s.ref] });
    await sys.delete(conn.ref);
    await sys.delete(server!);
    await sys.delete(listener.ref);
  });
});

describe('create: the new object gets the creator’s label or options.label, never lower', () => {
  it.each([...DATA_TYPES, ObjectType.GROUP])('%s', async (type) => {
    const w = await world();
    const made = await w.object(type, 'secret');
    expect(labelOfObject(w.kernel, w.sys, made.ref)).toMatch(/^\{s: /);
    // A public task may create a secret object (options.label)...
    const up = await w.sys.create(type, { label: { secrecy: [w.s.ref] } });
    expect(labelOfObject(w.kernel, w.sys, up.ref)).toBe(labelOfObject(w.kernel, w.sys, made.ref));
    // ... but not a trusted one (it does not hold the integrity it would vouch for).
    await w.refused(() => w.sys.create(type, { label: { integrity: [w.i.ref] } }), 'options.label', 'create');
    // A secret task cannot create a public object.
    await w.secret();
    await w.refused(() => w.sys.create(type, { label: {} }), 'options.label', 'create');
    // A label names tags only.
    await expectErrno(w.sys.create(type, { label: { secrecy: [w.sys.self] } }), 'EINVAL', 'options.label.secrecy[0]');
    await expectErrno(w.sys.create(type, { label: { integrity: [999] } }), 'EBADF', 'options.label.integrity[0]');
  });

  it('tags are unlabelled, and any task may make one', async () => {
    const w = await world();
    await expectErrno(w.sys.create(ObjectType.TAG, { label: { secrecy: [w.s.ref] } }), 'EINVAL', 'options.label');
    await w.secret();
    const t = await makeTag(w.sys);
    expect(labelOfObject(w.kernel, w.sys, t.ref)).toBe('{}');
    expect(krefOf(w.kernel, w.sys, t.ref).rights).toBe(TAG_RIGHTS);
  });
});

describe('delete: destroying a single-delete object writes to it; dropping a reference does not', () => {
  it.each(DATA_TYPES)('%s', async (type: DataType) => {
    const w = await world();
    const lifecycle = 'single-delete';
    const pub = await w.sys.create(type, { lifecycle });
    await w.secret();
    await w.refused(() => w.sys.delete(pub.ref), 'ref', 'delete');
    // DROP only lets go of the reference: the object stays.
    await w.sys.delete(pub.ref, DeleteFlags.DROP);
    expect(w.kernel.objects.has(pub.name.key)).toBe(true);
    // A public task may destroy a secret object (writing up).
    const sec = await w.sys.create(type, { lifecycle });
    await w.unsecret();
    await w.sys.delete(sec.ref);
    expect(w.kernel.objects.has(sec.name.key)).toBe(false);
    w.kernel.checkInvariants();
  });
});

describe('pause and copy: a flow to the target task', () => {
  it('a secret task cannot pause or hand references to a public one; a public task may do both to a secret one', async () => {
    const w = await world();
    const lo = await hostTask(w.kernel, ['lo']);
    const hi = await hostTask(w.kernel, ['hi']);
    const tag = await give(w.sys, w.s.ref, hi.ref, Rights.READ | Rights.ADD);
    await changeLabel(hi.sys, { addSecrecy: [tag] });
    const { ref: blob } = await w.sys.create(ObjectType.SHARED_MEMORY_BLOB);
    // Public to secret.
    await w.sys.pause(hi.ref);
    await w.sys.pause(hi.ref, PauseFlags.RESUME);
    await give(w.sys, blob, hi.ref);
    // Secret to public.
    await w.secret();
    await w.refused(() => w.sys.pause(lo.ref), 'task', 'pause');
    await w.refused(() => w.sys.copy([blob], lo.ref), 'target', 'copy');
    // To itself and to its own label: yes.
    await w.sys.copy([blob], w.sys.self);
    await give(w.sys, blob, hi.ref);
    // Integrity: an untrusted task cannot hand anything to a trusted one.
    await w.unsecret();
    const tr = await hostTask(w.kernel, ['trusted']);
    const itag = await give(w.sys, w.i.ref, tr.ref, Rights.READ | Rights.ADD);
    await changeLabel(tr.sys, { addIntegrity: [itag] });
    await w.refused(() => w.sys.copy([blob], tr.ref), 'target', 'copy');
  });
});

describe('run: the binary flows into the parent; the child starts with the parent’s label', () => {
  it('a public task cannot run a secret binary; a secret parent’s child is secret', async () => {
    const w = await world();
    const seen: unknown[] = [];
    const pub = await installProgram(w.kernel, w.sys, async (sys) => {
      seen.push(await labelOf(sys));
      return 0;
    });
    await w.secret();
    const sec = await w.sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(w.sys, sec.ref, (await readAll(w.sys, pub)).bytes);
    await w.unsecret();
    await w.refused(() => w.sys.run(sec.ref, { argv: ['secret-program'] }), 'binary', 'run');
    await w.secret();
    const child = await w.sys.run(pub, { argv: ['child'] });
    await w.sys.select([child]);
    expect(seen).toEqual([await labelOf(w.sys)]);
    const record = w.kernel
      .provenance!.records()
      .find((r) => r.operation === 'run' && r.child !== undefined && r.allowed);
    expect(record?.object).toBe(krefOf(w.kernel, w.sys, pub).object.name.key);
    const childTask = w.kernel.tasks.get(record!.child!)!;
    expect(childTask.label.toString()).toBe(taskOf(w.kernel, w.sys).label.toString());
  });
});

describe('RefView: what a holder of a lower label does not learn', () => {
  it('size, version and readiness of a secret object, and the exit status of a secret task', async () => {
    const w = await world();
    const sec = await w.object(ObjectType.SHARED_MEMORY_BLOB, 'secret', 'sixteen bytes!!!');
    expect(w.sys.ref(sec.ref)).toMatchObject({ size: 0, version: 0, ioReady: false });
    await w.secret();
    expect(w.sys.ref(sec.ref)).toMatchObject({ size: 16, version: 1, ioReady: true });
    await w.unsecret();
    const child = await installProgram(w.kernel, w.sys, async (sys) => {
      await changeLabel(sys, { addSecrecy: [sys.inputs[0]!] });
      return 7;
    });
    const tag = (await w.sys.copy([w.s.ref], w.sys.self, { rights: Rights.READ | Rights.DELEGATE | Rights.ADD }))[0]!;
    const task = await w.sys.run(child, { argv: ['raises'], inputs: [tag] });
    await w.sys.select([task]);
    expect(w.sys.ref(task).task).toEqual({ state: 'exited', exitStatus: undefined });
    await w.secret();
    expect(w.sys.ref(task).task).toEqual({ state: 'exited', exitStatus: 7 });
  });
});

describe('the label change protocol: a write to the task’s own task object', () => {
  it('adds and removes secrecy and integrity with the capabilities; the task reads its label back', async () => {
    const w = await world();
    const keys = (h: number) => krefOf(w.kernel, w.sys, h).object.name.key;
    const v0 = await changeLabel(w.sys, { addSecrecy: [w.s.ref], addIntegrity: [w.i.ref] });
    expect(await labelOf(w.sys)).toEqual({ secrecy: [keys(w.s.ref)], integrity: [keys(w.i.ref)] });
    const v1 = await changeLabel(w.sys, { removeSecrecy: [w.s.ref], removeIntegrity: [w.i.ref] });
    expect(v1).toBe(v0 + 1);
    expect(await labelOf(w.sys)).toEqual({ secrecy: [], integrity: [] });
    // Label changes are recorded.
    expect(w.kernel.provenance!.records().filter((r) => r.operation === 'label')).toHaveLength(2);
  });

  it('refusals name the entry; the buffer stays lent and can be corrected or discarded', async () => {
    const w = await world();
    const hi = await hostTask(w.kernel, ['hi']);
    const addOnly = await give(w.sys, w.s.ref, hi.ref, Rights.READ | Rights.ADD);
    const readOnly = await give(w.sys, w.i.ref, hi.ref, Rights.READ);
    const { ref: blob } = await w.sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const notTag = await give(w.sys, blob, hi.ref);
    const both = await give(w.sys, w.s.ref, hi.ref, TAG_RIGHTS);
    const cases: [string, string, string, string][] = [
      ['no ADD', JSON.stringify({ addIntegrity: [readOnly] }), 'EPERM', 'buffer.addIntegrity[0]'],
      ['no REMOVE', JSON.stringify({ removeSecrecy: [addOnly] }), 'EPERM', 'buffer.removeSecrecy[0]'],
      ['a closed handle', JSON.stringify({ addSecrecy: [999] }), 'EBADF', 'buffer.addSecrecy[0]'],
      ['not a tag', JSON.stringify({ addSecrecy: [notTag] }), 'EINVAL', 'buffer.addSecrecy[0]'],
      ['not JSON', '{addSecrecy:', 'EINVAL', 'buffer'],
      ['not an object', '[1]', 'EINVAL', 'buffer'],
      ['an unknown key', JSON.stringify({ raise: [addOnly] }), 'EINVAL', 'buffer.raise'],
      ['not a handle', JSON.stringify({ addSecrecy: ['x'] }), 'EINVAL', 'buffer.addSecrecy[0]'],
      [
        'added and removed',
        JSON.stringify({ addSecrecy: [both], removeSecrecy: [both] }),
        'EINVAL',
        'buffer.removeSecrecy[0]',
      ],
    ];
    for (const [what, text, code, argument] of cases) {
      const bytes = changeBytes(text);
      const buf = await hi.sys.beginWrite(hi.sys.self, bytes.length);
      buf.set(bytes);
      const before = kernelSnapshot(w.kernel);
      const err = await expectErrno(hi.sys.endWrite(hi.sys.self, buf), code as 'EPERM', argument, 'endWrite');
      expect(err.message, what).toBeTruthy();
      expect(kernelSnapshot(w.kernel), what).toEqual(before);
      expect(krefOf(w.kernel, hi.sys, hi.sys.self).leaseCount, what).toBe(1);
      await hi.sys.endWrite(hi.sys.self, buf, {}, EndWriteFlags.DISCARD);
      expect(await labelOf(hi.sys)).toEqual({ secrecy: [], integrity: [] });
    }
    // Corrected in the same buffer: the change applies.
    const bytes = changeBytes({ removeSecrecy: [addOnly] });
    const buf = await hi.sys.beginWrite(hi.sys.self, bytes.length + 4);
    buf.set(bytes);
    await expectErrno(hi.sys.endWrite(hi.sys.self, buf, { length: bytes.length }), 'EPERM', 'buffer.removeSecrecy[0]');
    buf.fill(0x20);
    buf.set(changeBytes({ addSecrecy: [addOnly] }));
    await hi.sys.endWrite(hi.sys.self, buf);
    expect((await labelOf(hi.sys)).secrecy).toHaveLength(1);
    w.kernel.checkInvariants();
  });

  it("another task's object cannot be read or written (its label is its own business)", async () => {
    const w = await world();
    const lo = await hostTask(w.kernel, ['lo']);
    await expectErrno(w.sys.beginWrite(lo.ref, 2), 'EINVAL', 'ref');
    await expectErrno(w.sys.beginRead(lo.ref), 'EINVAL', 'ref');
    expect(krefOf(w.kernel, w.sys, lo.ref).leaseCount).toBe(0);
  });
});

describe('capabilities: delegated with copy and attenuated; lookup gives none', () => {
  it('a copy without REMOVE cannot declassify, nor be widened on the way on', async () => {
    const w = await world();
    const hi = await hostTask(w.kernel, ['hi']);
    const lo = await hostTask(w.kernel, ['lo']);
    const [loRef] = await hi.sys.lookup(lo.sys.taskName);
    const t = await give(w.sys, w.s.ref, hi.ref, Rights.READ | Rights.ADD | Rights.DELEGATE);
    await changeLabel(hi.sys, { addSecrecy: [t] });
    await expectErrno(changeLabel(hi.sys, { removeSecrecy: [t] }), 'EPERM', 'buffer.removeSecrecy[0]');
    await expectErrno(hi.sys.copy([t], hi.sys.self, { rights: TAG_RIGHTS }), 'EPERM', 'refs[0]');
    // Its own task may hold a narrower copy; a public task it may not reach at all.
    const [narrow] = await hi.sys.copy([t], hi.sys.self, { rights: Rights.READ });
    expect(krefOf(w.kernel, hi.sys, narrow!).rights).toBe(Rights.READ);
    expect(loRef).toBeDefined();
  });

  it('a tag found by lookup carries READ and DELEGATE only', async () => {
    const w = await world();
    const lo = await hostTask(w.kernel, ['lo']);
    const found = await lo.sys.lookup(w.s.name);
    expect(found).toHaveLength(1);
    expect(krefOf(w.kernel, lo.sys, found[0]!).rights).toBe(Rights.READ | Rights.DELEGATE);
    await expectErrno(changeLabel(lo.sys, { addSecrecy: [found[0]!] }), 'EPERM', 'buffer.addSecrecy[0]');
    await expectErrno(changeLabel(lo.sys, { removeSecrecy: [found[0]!] }), 'EPERM', 'buffer.removeSecrecy[0]');
  });
});

describe('the rule itself', () => {
  it('canFlow is S(from) ⊆ S(to) and I(to) ⊆ I(from), whatever it was asked before (it remembers flows)', () => {
    const tags = ['a', 'b', 'c'].map((c) => c.repeat(64));
    const set = fc.subarray(tags);
    const label = fc.tuple(set, set).map(([s, i]) => Label.of(s, i));
    const subset = (x: ReadonlySet<string>, y: ReadonlySet<string>) => [...x].every((t) => y.has(t));
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (pool, asks) => {
          for (let k = 0; k + 1 < asks.length; k += 2) {
            const from = pool[asks[k]! % pool.length]!;
            const to = pool[asks[k + 1]! % pool.length]!;
            const expected = subset(from.secrecy, to.secrecy) && subset(to.integrity, from.integrity);
            expect(canFlow(from, to)).toBe(expected);
          }
        },
      ),
    );
  });
});
