/**
 * Durable blobs on the Node file store: they survive a kernel restart with
 * their names, bytes and versions, deletes are durable, bad requests are
 * refused, and a writer killed at random moments never leaves a torn blob.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BeginWriteFlags, CreateFlags, Kernel, Name, ObjectType } from '@dios/kernel';
import { FileBlobStore } from '@dios/kernel/node';
import { BLOBS, contentFor } from './fixtures/durable-content.js';
import { dec, enc, expectErrno } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dios-durable-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function write(sys: Kernel['init'], ref: number, text: string, truncate = true): Promise<number> {
  const bytes = enc(text);
  const buf = await sys.beginWrite(ref, bytes.length, { truncate });
  buf.set(bytes);
  return sys.endWrite(ref, buf);
}
async function append(sys: Kernel['init'], ref: number, text: string): Promise<number> {
  const bytes = enc(text);
  const buf = await sys.beginWrite(ref, bytes.length, undefined, BeginWriteFlags.APPEND);
  buf.set(bytes);
  return sys.endWrite(ref, buf);
}
async function read(sys: Kernel['init'], ref: number): Promise<string> {
  const view = await sys.beginRead(ref);
  const text = dec(view);
  expect(await sys.endRead(ref, view)).toBe(true);
  return text;
}

describe('durable blobs', () => {
  it('survive a restart with their names, bytes and versions', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const { name, ref } = await first.init.create(ObjectType.DURABLE_BLOB);
    expect(first.init.ref(ref).persistent).toBe(true);
    expect(first.init.ref(ref).proximity).toBe('local-disk');
    await write(first.init, ref, 'first version');
    const version = await write(first.init, ref, 'second, longer version');
    first.checkInvariants();

    const second = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const [again] = await second.init.lookup(name);
    expect(second.init.ref(again!).type).toBe(ObjectType.DURABLE_BLOB);
    expect(second.init.ref(again!).version).toBe(version);
    expect(await read(second.init, again!)).toBe('second, longer version');
    second.checkInvariants();
  });

  it('keep their group: a blob made in a group resolves there after a restart', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const group = await first.init.create(ObjectType.GROUP, { lifecycle: 'immortal', nameSeed: 'data' }, CreateFlags.NAME_DETERMINISTIC);
    const { name, ref } = await first.init.create(ObjectType.DURABLE_BLOB, { group: group.ref });
    await write(first.init, ref, 'in a group');

    const second = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    // Not in the root group...
    await expectErrno(second.init.lookup(name), 'ENOENT', 'name');
    // ...but in the group of that name, which comes back named in the root group (groups themselves are not durable).
    const g = await second.init.create(ObjectType.GROUP, { lifecycle: 'immortal', nameSeed: 'data' }, CreateFlags.NAME_DETERMINISTIC).catch((e) => e);
    expect(g).toMatchObject({ code: 'EEXIST' });
    const [groupRef] = await second.init.lookup(group.name);
    expect(second.init.ref(groupRef!).type).toBe(ObjectType.GROUP);
    const [found] = await second.init.lookup(name);
    expect(await read(second.init, found!)).toBe('in a group');
    second.checkInvariants();
  });

  it('a delete is durable: the blob does not come back', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const { name, ref } = await first.init.create(ObjectType.DURABLE_BLOB, { lifecycle: 'single-delete' });
    await write(first.init, ref, 'short-lived');
    const obj = first.objects.get(name.key) as unknown as { settled(): Promise<void> };
    await first.init.delete(ref);
    await obj.settled();
    expect(readdirSync(dir).filter((f) => f.startsWith(name.key))).toEqual([]);
    const second = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    await expectErrno(second.init.lookup(name), 'ENOENT', 'name');
    first.checkInvariants();
    second.checkInvariants();
  });

  it('refuses what it cannot keep: no store is ENOTSUP, a refcounted durable blob EINVAL', async () => {
    const plain = await Kernel.boot();
    await expectErrno(plain.init.create(ObjectType.DURABLE_BLOB), 'ENOTSUP', 'type');
    const durable = await Kernel.boot({ store: new FileBlobStore(tempDir()) });
    await expectErrno(durable.init.create(ObjectType.DURABLE_BLOB, { lifecycle: 'refcounted' }), 'EINVAL', 'options.lifecycle');
    plain.checkInvariants();
    durable.checkInvariants();
  });

  it('a store that fails makes the commit fail with EIO and leaves the blob as it was', async () => {
    let fail = false;
    const store = new FileBlobStore(tempDir());
    const flaky = {
      load: () => store.load(),
      remove: (name: string) => store.remove(name),
      commit: (...args: Parameters<FileBlobStore['commit']>) => (fail ? Promise.reject(new Error('disk full')) : store.commit(...args)),
    };
    const kernel = await Kernel.boot({ store: flaky });
    const { ref } = await kernel.init.create(ObjectType.DURABLE_BLOB);
    const version = await write(kernel.init, ref, 'kept');
    fail = true;
    await expectErrno(write(kernel.init, ref, 'lost'), 'EIO', 'ref');
    expect(kernel.init.ref(ref).version).toBe(version);
    expect(await read(kernel.init, ref)).toBe('kept');
    kernel.checkInvariants();
  });
});

describe('the file store', () => {
  it('a torn last log record is dropped: the blob comes back at the commit before it', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const { name, ref } = await first.init.create(ObjectType.DURABLE_BLOB);
    await write(first.init, ref, 'one');
    const version = await append(first.init, ref, ' two');
    await append(first.init, ref, ' three');
    // Cut the last record short, as a crash during its write would.
    const log = join(dir, `${name.key}.log`);
    const size = statSync(log).size;
    truncateSync(log, size - 3);
    const second = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const [again] = await second.init.lookup(name);
    expect(second.init.ref(again!).version).toBe(version);
    expect(await read(second.init, again!)).toBe('one two');
    // The torn tail is gone, so later commits follow the last good record.
    expect(statSync(log).size).toBeLessThan(size - 3);
    await append(second.init, again!, ' four');
    const third = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const [last] = await third.init.lookup(name);
    expect(await read(third.init, last!)).toBe('one two four');
    third.checkInvariants();
  });

  it('a corrupted record (bad checksum) ends the replay there', async () => {
    const dir = tempDir();
    const first = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const { name, ref } = await first.init.create(ObjectType.DURABLE_BLOB);
    const version = await write(first.init, ref, 'good');
    await write(first.init, ref, 'flipped', true);
    const log = join(dir, `${name.key}.log`);
    const bytes = readFileSync(log);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(log, bytes);
    const second = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const [again] = await second.init.lookup(name);
    expect(second.init.ref(again!).version).toBe(version);
    expect(await read(second.init, again!)).toBe('good');
    second.checkInvariants();
  });

  it('many appends stay linear: the log is folded into a new snapshot as it grows', async () => {
    const dir = tempDir();
    const kernel = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const { name, ref } = await kernel.init.create(ObjectType.DURABLE_BLOB);
    const chunk = new Uint8Array(256 * 1024).fill(7);
    for (let i = 0; i < 64; i++) {
      const buf = await kernel.init.beginWrite(ref, chunk.length, undefined, BeginWriteFlags.APPEND);
      buf.set(chunk);
      await kernel.init.endWrite(ref, buf);
    }
    // 16 MiB written: the log never holds much more than the snapshot (or the 8 MiB floor).
    const snapshot = statSync(join(dir, `${name.key}.blob`)).size;
    const log = statSync(join(dir, `${name.key}.log`)).size;
    expect(snapshot).toBeGreaterThan(8 * 1024 * 1024);
    expect(log).toBeLessThanOrEqual(Math.max(8 * 1024 * 1024, snapshot) + chunk.length + 64);
    const again = await Kernel.boot({ id: 'd', store: new FileBlobStore(dir) });
    const [r] = await again.init.lookup(name);
    expect(again.init.ref(r!).size).toBe(64 * chunk.length);
    expect(again.init.ref(r!).version).toBe(64);
    again.checkInvariants();
  });
});

// SIGKILL at random moments while a child commits; each time, a fresh kernel must find every blob intact.
const KILLS = Number(process.env.DIOS_CRASH_KILLS ?? 12);

describe('crash safety', () => {
  it(`a writer killed ${KILLS} times at random moments never leaves a torn blob`, async () => {
    const dir = tempDir();
    const fixture = join(import.meta.dirname, 'fixtures', 'durable-writer.ts');
    let checked = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@dios/source', fixture, dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: join(import.meta.dirname, '..'),
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 60));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const kernel = await Kernel.boot({ id: 'crash', store: new FileBlobStore(dir) });
      for (let i = 0; i < BLOBS; i++) {
        const [ref] = await kernel.init.lookup(await Name.seeded(kernel.rootGroup.name, `blob-${i}`));
        const version = kernel.init.ref(ref!).version;
        const view = await kernel.init.beginRead(ref!);
        // Version 0 is the empty blob create made; any later version has exactly the bytes written for it.
        expect([...view]).toEqual(version === 0 ? [] : [...contentFor(i, version)]);
        await kernel.init.endRead(ref!, view);
        checked++;
      }
      kernel.checkInvariants();
    }
    expect(checked).toBe(KILLS * BLOBS);
  }, 120_000);
});
