/**
 * Durable blobs keep their information-flow label across a restart
 * (docs/ifc.md): the file store writes it with the blob's first content and
 * the restored object carries it, so after a restart, later commits and a
 * checkpoint, an unlabelled task is refused (EPERM) and a task with the
 * label reads the bytes. Tags are not durable, and a tag's name can never be
 * made again by a task: after a restart the host makes the old tags again
 * (Kernel.restoreTag) and hands their capabilities to the reading task. A label region that fails its check stops the boot (EIO) rather than bring
 * the blob back readable by all.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, Label, ObjectType, Rights, type LabelChange, type Name, type SystemCalls } from '@dios/kernel';
import { FileBlobStore } from '@dios/kernel/node';
import { DATA_OFFSET } from '../src/host/blob-format.js';
import { dec, enc, expectErrno } from './helpers.js';

const dirs: string[] = [];
const stores: FileBlobStore[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dios-durable-labels-'));
  dirs.push(dir);
  return dir;
}
function storeIn(dir: string, checkpointBytes?: number): FileBlobStore {
  const store = new FileBlobStore(dir, checkpointBytes === undefined ? {} : { checkpointBytes });
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function changeLabel(sys: SystemCalls, change: LabelChange): Promise<void> {
  const bytes = enc(JSON.stringify(change));
  const buf = await sys.beginWrite(sys.self, bytes.length);
  buf.set(bytes);
  await sys.endWrite(sys.self, buf);
}
async function write(sys: SystemCalls, ref: number, text: string): Promise<number> {
  const bytes = enc(text);
  const buf = await sys.beginWrite(ref, bytes.length, { truncate: true });
  buf.set(bytes);
  return sys.endWrite(ref, buf);
}
async function read(sys: SystemCalls, ref: number): Promise<string> {
  const view = await sys.beginRead(ref);
  const text = dec(view);
  await sys.endRead(ref, view);
  return text;
}

/** `count` new tags; their handles and name keys. */
async function tags(sys: SystemCalls, count: number): Promise<{ refs: number[]; keys: string[] }> {
  const made = [];
  for (let i = 0; i < count; i++) made.push(await sys.create(ObjectType.TAG));
  return { refs: made.map((m) => m.ref), keys: made.map((m) => m.name.key) };
}

/** A task at {s: s1, s2; i: i1}: new tags it raises itself to, or, after a restart, the tags `keys` of an earlier boot. */
async function secretTask(kernel: Kernel, keys?: string[]): Promise<{ sys: SystemCalls; keys: string[] }> {
  const sys = await kernel.attachTask(['secret'], undefined, { lookupRights: Rights.ALL });
  if (keys !== undefined) {
    // The host makes the earlier boot's tags again (no task can make a tag of a chosen name) and hands them on.
    const held = keys.map((key) => kernel.restoreTag(key));
    const [target] = await kernel.init.lookup(sys.taskName);
    const given = await kernel.init.copy(held, target!, { rights: Rights.ADD });
    await changeLabel(sys, { addSecrecy: given.slice(0, 2), addIntegrity: given.slice(2) });
    expect(() => kernel.restoreTag(keys[0]!)).toThrow(/EEXIST/);
    return { sys, keys };
  }
  const made = await tags(sys, 3);
  await changeLabel(sys, { addSecrecy: [made.refs[0]!, made.refs[1]!], addIntegrity: [made.refs[2]!] });
  return { sys, keys: made.keys };
}

function labelOfObject(kernel: Kernel, name: Name): Label {
  const obj = kernel.objects.get(name.key);
  if (obj === undefined) throw new Error(`no object ${name.key}`);
  return obj.label;
}

describe('durable blobs keep their label', () => {
  it('across a restart, later commits and a checkpoint: refused to an unlabelled task, read by a labelled one', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: storeIn(dir) });
    const writer = await secretTask(first);
    const { name, ref } = await writer.sys.create(ObjectType.DURABLE_BLOB);
    const expected = Label.of(writer.keys.slice(0, 2), writer.keys.slice(2));
    expect(labelOfObject(first, name).equals(expected)).toBe(true);
    await write(writer.sys, ref, 'secret, version one');

    // Restarted: the label is back; later commits (every one folded into the base: a checkpoint each) keep it.
    const second = await Kernel.boot({ id: 'd', store: storeIn(dir, 1) });
    expect(labelOfObject(second, name).equals(expected)).toBe(true);
    const plain = await second.attachTask(['plain']);
    const [seen] = await plain.lookup(name);
    await expectErrno(plain.beginRead(seen!), 'EPERM', 'ref', 'beginRead');
    const again = await secretTask(second, writer.keys);
    const [mine] = await again.sys.lookup(name);
    expect(await read(again.sys, mine!)).toBe('secret, version one');
    await write(again.sys, mine!, 'secret, version two');
    await write(again.sys, mine!, 'secret, version three, the longest');

    // And again after those: the checkpoints rewrote the header slots with the label region still named.
    const third = await Kernel.boot({ id: 'd', store: storeIn(dir) });
    expect(labelOfObject(third, name).equals(expected)).toBe(true);
    const outsider = await third.attachTask(['plain']);
    const [h] = await outsider.lookup(name);
    await expectErrno(outsider.beginRead(h!), 'EPERM', 'ref', 'beginRead');
    await expectErrno(outsider.beginWrite(h!, 1), 'EPERM', 'ref', 'beginWrite');
    const reader = await secretTask(third, writer.keys);
    const [r] = await reader.sys.lookup(name);
    expect(await read(reader.sys, r!)).toBe('secret, version three, the longest');
    third.checkInvariants();
  });

  it('a label given at create, lower than the task, and the largest label (64 + 64 tags)', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: storeIn(dir) });
    const sys = await first.attachTask(['maker']);
    const secrecy = await tags(sys, 64);
    const integrity = await tags(sys, 64);
    // An unlabelled task may make a blob more secret than itself; to vouch for it, it must hold the integrity tags.
    const secretOnly = await sys.create(ObjectType.DURABLE_BLOB, { label: { secrecy: [secrecy.refs[0]!] } });
    await changeLabel(sys, { addIntegrity: integrity.refs });
    const largest = await sys.create(ObjectType.DURABLE_BLOB, {
      label: { secrecy: secrecy.refs, integrity: integrity.refs },
    });
    // A write observes the blob too (both directions): the task raises itself to the blob's label to write it.
    await changeLabel(sys, { addSecrecy: secrecy.refs });
    const bytes = enc('x'.repeat(10_000));
    const buf = await sys.beginWrite(largest.ref, bytes.length);
    buf.set(bytes);
    await sys.endWrite(largest.ref, buf);

    const second = await Kernel.boot({ id: 'd', store: storeIn(dir) });
    expect(labelOfObject(second, secretOnly.name).equals(Label.of([secrecy.keys[0]!], []))).toBe(true);
    expect(labelOfObject(second, largest.name).equals(Label.of(secrecy.keys, integrity.keys))).toBe(true);
    const obj = second.objects.get(largest.name.key)!;
    expect(obj.size).toBe(10_000);
  });

  it('unlabelled blobs keep the layout they had before labels: the data right after the header slots', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: storeIn(dir) });
    const { name, ref } = await first.init.create(ObjectType.DURABLE_BLOB);
    await write(first.init, ref, 'public');
    expect(statSync(join(dir, `${name.key}.blob`)).size).toBe(DATA_OFFSET + 'public'.length);
    const second = await Kernel.boot({ id: 'd', store: storeIn(dir) });
    expect(labelOfObject(second, name)).toBe(Label.EMPTY);
  });

  it('a label region that fails its check stops the boot (EIO) instead of bringing the blob back unlabelled', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: storeIn(dir) });
    const writer = await secretTask(first);
    const { ref } = await writer.sys.create(ObjectType.DURABLE_BLOB);
    await write(writer.sys, ref, 'secret');
    const base = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.blob'))!,
    );
    const bytes = readFileSync(base);
    bytes[DATA_OFFSET + 5] = bytes[DATA_OFFSET + 5]! ^ 0x01;
    writeFileSync(base, bytes);
    await expectErrno(Kernel.boot({ id: 'd', store: storeIn(dir) }), 'EIO', 'dir');
  });
});
