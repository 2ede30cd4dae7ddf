import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDiosError, Kernel, MAX_BLOB_BYTES, ObjectType, Rights, type ErrnoCode } from '@dios/kernel';
import { FileBlobStore } from '@dios/kernel/node';
import type { TreeFile } from '../../src/containers/api.js';
import { decodeIndex, encodeIndex } from '../../src/containers/images/image-index.js';
import { ImageStore } from '../../src/containers/images/image-store.js';
import { parseImageConfig, parseLimits, parseShareSpec } from '../../src/containers/images/config.js';
import { buildManifest, readManifest, sha256Digest } from '../../src/containers/images/manifest.js';

const text = new TextEncoder();

/** A directory's files as readTree gives them. */
function tree(files: Record<string, string | Uint8Array>): TreeFile[] {
  return Object.entries(files).map(([path, body]) => ({
    path,
    bytes: typeof body === 'string' ? text.encode(body) : body,
  }));
}

function refusal(f: () => unknown): { code: ErrnoCode; argument: string | undefined } {
  try {
    f();
  } catch (e) {
    if (isDiosError(e)) return { code: e.code, argument: e.argument };
    throw e;
  }
  throw new Error('expected a DiosError');
}

async function asyncRefusal(p: Promise<unknown>): Promise<{ code: ErrnoCode; argument: string | undefined }> {
  return p.then(
    () => {
      throw new Error('expected a DiosError');
    },
    (e: unknown) => {
      if (isDiosError(e)) return { code: e.code, argument: e.argument };
      throw e;
    },
  );
}

describe('image config', () => {
  it('normalises the entry, keeps args and env, converts limits', () => {
    const config = parseImageConfig(
      JSON.stringify({
        entry: 'bin/../bin/hello.wasm',
        args: ['-v'],
        env: { B: '2', A: '1' },
        limits: { memory: '1g', tasks: 8, cpuShares: 512 },
        shares: ['/data/in.txt:ro'],
      }),
      'x/dios-image.json',
    );
    expect(config).toEqual({
      entry: '/bin/hello.wasm',
      args: ['-v'],
      env: { A: '1', B: '2' },
      limits: { memory: 1024, tasks: 8, cpuShares: 512 },
      shares: ['/data/in.txt:ro'],
    });
    expect(Object.keys(config.env!)).toEqual(['A', 'B']);
    expect(parseImageConfig(text.encode('{"entry":"/main.mjs"}'), 's')).toEqual({ entry: '/main.mjs' });
  });

  it.each([
    ['not json', 'config'],
    ['[1]', 'config'],
    ['{}', 'config.entry'],
    ['{"entry":7}', 'config.entry'],
    ['{"entry":"/main.py"}', 'config.entry'],
    ['{"entry":"/"}', 'config.entry'],
    ['{"entry":"/.wasm"}', 'config.entry'],
    ['{"entry":"/m.js","args":"-v"}', 'config.args'],
    ['{"entry":"/m.js","args":[1]}', 'config.args'],
    ['{"entry":"/m.js","env":["A=1"]}', 'config.env'],
    ['{"entry":"/m.js","env":{"A=B":"1"}}', 'config.env'],
    ['{"entry":"/m.js","env":{"A":1}}', 'config.env.A'],
    ['{"entry":"/m.js","limits":5}', 'config.limits'],
    ['{"entry":"/m.js","limits":{"memory":"2m"}}', 'config.limits.memory'],
    ['{"entry":"/m.js","limits":{"tasks":0}}', 'config.limits.tasks'],
    ['{"entry":"/m.js","limits":{"cpuShares":1}}', 'config.limits.cpuShares'],
    ['{"entry":"/m.js","limits":{"cpu":1}}', 'config.limits.cpu'],
    ['{"entry":"/m.js","shares":"/x"}', 'config.shares'],
    ['{"entry":"/m.js","shares":["/x","x"]}', 'config.shares[1]'],
    ['{"entry":"/m.js","cmd":[]}', 'config.cmd'],
  ])('refuses %s with EINVAL naming %s', (json, argument) => {
    expect(refusal(() => parseImageConfig(json, 'dios-image.json'))).toEqual({ code: 'EINVAL', argument });
  });

  it('reads memory sizes with units, in whole MiB within 4..65536', () => {
    expect(parseLimits({ memory: 64 }, 'l')).toEqual({ memoryMb: 64 });
    expect(parseLimits({ memory: '64' }, 'l')).toEqual({ memoryMb: 64 });
    expect(parseLimits({ memory: '64M' }, 'l')).toEqual({ memoryMb: 64 });
    expect(parseLimits({ memory: '8192k' }, 'l')).toEqual({ memoryMb: 8 });
    expect(parseLimits({ memory: `${5 * 1024 * 1024}b` }, 'l')).toEqual({ memoryMb: 5 });
    expect(parseLimits({ memory: '1.5G' }, 'l')).toEqual({ memoryMb: 1536 });
    expect(parseLimits({ memory: '64g' }, 'l')).toEqual({ memoryMb: 65536 });
    expect(parseLimits({ tasks: 65536, cpuShares: 2 }, 'l')).toEqual({ maxTasks: 65536, cpuShares: 2 });
    for (const memory of [3, '3m', '65g', '4097k', '64 mb', 'lots', 4.5, -8, true])
      expect(refusal(() => parseLimits({ memory } as never, '--memory'))).toEqual({
        code: 'EINVAL',
        argument: '--memory.memory',
      });
    expect(refusal(() => parseLimits({ tasks: 1.5 }, 'l'))).toEqual({ code: 'EINVAL', argument: 'l.tasks' });
    expect(refusal(() => parseLimits({ cpuShares: 262145 }, 'l'))).toEqual({ code: 'EINVAL', argument: 'l.cpuShares' });
  });

  it('takes share specs apart and refuses the rest', () => {
    const name = 'ab'.repeat(32);
    expect(parseShareSpec('/data//in.txt', 's')).toEqual({ target: { path: '/data/in.txt' }, readOnly: false });
    expect(parseShareSpec('/data/in.txt:ro', 's')).toEqual({ target: { path: '/data/in.txt' }, readOnly: true });
    expect(parseShareSpec('/data/in.txt:rw', 's')).toEqual({ target: { path: '/data/in.txt' }, readOnly: false });
    expect(parseShareSpec(`${name}:ro`, 's')).toEqual({ target: { name }, readOnly: true });
    for (const bad of ['', 'data/in.txt', '/', '/:ro', '/x:r', '/x:ro:ro', name.toUpperCase(), `${name}0`, ':ro'])
      expect(refusal(() => parseShareSpec(bad, '--share'))).toEqual({ code: 'EINVAL', argument: '--share' });
  });
});

describe('image manifest', () => {
  const files = {
    'dios-image.json': '{"entry":"bin/main.mjs","env":{"Z":"1","A":"2"}}',
    'bin/main.mjs': 'export default async () => 0;\n',
    'share/data.txt': 'hello',
  };

  it('lists the files sorted with sizes and digests, and has the same digest for the same content', async () => {
    const a = await buildManifest(tree(files), 'a');
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.manifest.files.map((f) => f.path)).toEqual(['/bin/main.mjs', '/dios-image.json', '/share/data.txt']);
    expect(a.manifest.files[2]).toEqual({
      path: '/share/data.txt',
      size: 5,
      // sha256("hello")
      digest: 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    });
    expect(a.digest).toBe(await sha256Digest(a.bytes));
    // Another order of the files: the same image.
    expect((await buildManifest(tree(files).reverse(), 'c')).digest).toBe(a.digest);
    expect(await readManifest(a.bytes, a.digest)).toEqual(a.manifest);
  });

  it('changes the digest when one byte of one file changes', async () => {
    const a = await buildManifest(tree(files), 'a');
    const b = await buildManifest(tree({ ...files, 'share/data.txt': 'hellp' }), 'b');
    expect(b.digest).not.toBe(a.digest);
  });

  it('refuses an empty directory, a missing config, an entry that is not a file, a bad config', async () => {
    expect(await asyncRefusal(buildManifest([], 'd'))).toEqual({ code: 'ENOENT', argument: 'dir' });
    expect(await asyncRefusal(buildManifest(tree({ 'main.mjs': '' }), 'd'))).toEqual({
      code: 'ENOENT',
      argument: 'dir',
    });
    expect(
      await asyncRefusal(buildManifest(tree({ 'dios-image.json': files['dios-image.json'], 'main.mjs': '' }), 'd')),
    ).toEqual({
      code: 'ENOENT',
      argument: 'config.entry',
    });
    expect(await asyncRefusal(buildManifest(tree({ 'dios-image.json': '{"entry":"/x.exe"}' }), 'd'))).toEqual({
      code: 'EINVAL',
      argument: 'config.entry',
    });
    expect(
      await asyncRefusal(buildManifest([...tree(files), { path: './bin/main.mjs', bytes: new Uint8Array() }], 'd')),
    ).toEqual({ code: 'EINVAL', argument: 'dir' });
  });

  it('refuses a stored manifest whose bytes do not match its digest', async () => {
    const a = await buildManifest(tree(files), 'a');
    const damaged = a.bytes.slice();
    damaged[0] = damaged[0]! ^ 1;
    expect(await asyncRefusal(readManifest(damaged, a.digest))).toEqual({ code: 'EIO', argument: 'image' });
  });
});

describe('image index', () => {
  it('round-trips, and refuses damaged bytes with EIO naming index', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const index = { images: new Map([[digest, '2026-01-01T00:00:00.000Z']]), tags: new Map([['x:latest', digest]]) };
    expect(decodeIndex(encodeIndex(index))).toEqual(index);
    expect(decodeIndex(new Uint8Array())).toEqual({ images: new Map(), tags: new Map() });
    for (const bad of [
      'nope',
      'null',
      '{"version":2,"images":[],"tags":[]}',
      '{"version":1,"images":[{"digest":"sha256:1"}],"tags":[]}',
      `{"version":1,"images":[],"tags":[{"tag":"x:latest","digest":"${digest}"}]}`,
      `{"version":1,"images":[{"digest":"${digest}","created":""}],"tags":[{"tag":"x","digest":"${digest}"}]}`,
    ])
      expect(
        refusal(() => decodeIndex(text.encode(bad))),
        bad,
      ).toEqual({ code: 'EIO', argument: 'index' });
  });
});

describe('image store', () => {
  const hello = {
    'dios-image.json': '{"entry":"main.mjs"}',
    'main.mjs': 'export default async () => 0;\n',
    'lib/shared.txt': 'the same bytes in both images',
  };
  const bye = { ...hello, 'dios-image.json': '{"entry":"main.mjs","args":["bye"]}' };

  /** The blobs of the store's host group, by name. */
  function storeBlobs(kernel: Kernel): Map<string, { type: ObjectType; label: { empty: boolean }; creator?: string }> {
    const group = kernel.hostGroupName('images').key;
    return new Map([...kernel.objects].filter(([, o]) => o.group?.name.key === group));
  }

  it('stores each file content once, tags move, the same directory adds nothing', async () => {
    const kernel = await Kernel.boot();
    const store = await ImageStore.open(kernel);
    const a = await store.add(tree(hello), 'hello');
    expect(a.tags).toEqual(['hello:latest']);
    expect(a.size).toBe(tree(hello).reduce((n, f) => n + f.bytes.length, 0));
    // Index, manifest, 3 files.
    expect(storeBlobs(kernel).size).toBe(5);
    const b = await store.add(tree(bye), 'bye:1');
    expect(b.digest).not.toBe(a.digest);
    // A second manifest and config; main.mjs and lib/shared.txt are the first image's blobs.
    expect(storeBlobs(kernel).size).toBe(7);
    expect(store.fileHandle(a.digest, '/lib/shared.txt')).toBe(store.fileHandle(b.digest, 'lib/shared.txt'));
    expect(store.fileHandle(a.digest, '/dios-image.json')).not.toBe(store.fileHandle(b.digest, '/dios-image.json'));
    for (const blob of storeBlobs(kernel).values()) {
      expect(blob.type).toBe(ObjectType.SHARED_MEMORY_BLOB);
      expect(blob.label.empty).toBe(true);
      expect(blob.creator).toBe(kernel.init.taskName.key);
    }

    // The same content again: the same image, first build time kept, nothing new stored.
    const again = await store.add(tree(hello).reverse());
    expect(again).toEqual(a);
    expect(storeBlobs(kernel).size).toBe(7);

    // The tag moves to the other image (Docker semantics); the first keeps no tag but stays.
    const moved = await store.add(tree(bye), 'hello');
    expect(moved.tags).toEqual(['bye:1', 'hello:latest']);
    expect(store.resolve('hello').digest).toBe(b.digest);
    expect(store.resolve('hello:latest').digest).toBe(b.digest);
    expect(store.list().map((i) => [i.digest, i.tags])).toEqual([
      [b.digest, ['bye:1', 'hello:latest']],
      [a.digest, []],
    ]);
    expect(refusal(() => store.resolve('bye'))).toEqual({ code: 'ENOENT', argument: 'image' });
    for (const tag of ['Hello', 'a/b', 'x:', 'x:.y', `x:${'t'.repeat(129)}`, ''])
      expect(await asyncRefusal(store.add(tree(hello), tag))).toEqual({ code: 'EINVAL', argument: 'tag' });
  });

  it('resolves digests and prefixes of 12 or more hex digits', async () => {
    const kernel = await Kernel.boot();
    const store = await ImageStore.open(kernel);
    const a = (await store.add(tree(hello))).digest;
    const b = (await store.add(tree(bye))).digest;
    const hex = a.slice('sha256:'.length);
    expect(store.resolve(a).digest).toBe(a);
    expect(store.resolve(hex).digest).toBe(a);
    expect(store.resolve(hex.slice(0, 12)).digest).toBe(a);
    expect(store.resolve(`sha256:${hex.slice(0, 12)}`).digest).toBe(a);
    expect(store.resolve(b.slice(7, 20)).digest).toBe(b);
    // 11 digits are not a prefix (and, being a valid name, are looked up as the tag NAME:latest).
    expect(refusal(() => store.resolve(hex.slice(0, 11)))).toEqual({ code: 'ENOENT', argument: 'image' });
    expect(refusal(() => store.resolve(`sha256:${'0'.repeat(64)}`))).toEqual({ code: 'ENOENT', argument: 'image' });
    expect(refusal(() => store.resolve('Not a ref!'))).toEqual({ code: 'EINVAL', argument: 'image' });
  });

  it('removes tags and images: EBUSY while in use, shared file blobs kept for the other image', async () => {
    const kernel = await Kernel.boot();
    const store = await ImageStore.open(kernel);
    const a = await store.add(tree(hello), 'hello');
    await store.add(tree(hello), 'hello:2');
    const b = await store.add(tree(bye), 'bye');
    const used = new Set([a.digest]);
    const inUse = (d: string): boolean => used.has(d);

    // One of two tags: only the tag goes, in use or not.
    await store.remove('hello:2', inUse);
    expect(store.list().find((i) => i.digest === a.digest)!.tags).toEqual(['hello:latest']);
    // Its last tag, or its digest, while a container uses it: EBUSY, nothing changes.
    expect(await asyncRefusal(store.remove('hello', inUse))).toEqual({ code: 'EBUSY', argument: 'image' });
    expect(await asyncRefusal(store.remove(a.digest, inUse))).toEqual({ code: 'EBUSY', argument: 'image' });
    expect(store.resolve('hello').digest).toBe(a.digest);
    expect(await asyncRefusal(store.remove('nope', inUse))).toEqual({ code: 'ENOENT', argument: 'image' });

    const shared = store.fileHandle(a.digest, '/lib/shared.txt');
    const ownConfig = store.fileHandle(a.digest, '/dios-image.json');
    used.clear();
    await store.remove('hello', inUse);
    expect(store.list().map((i) => i.digest)).toEqual([b.digest]);
    expect(refusal(() => store.fileHandle(a.digest, '/main.mjs'))).toEqual({ code: 'ENOENT', argument: 'image' });
    // The first image's own config blob is gone; the blobs bye shares with it are not.
    expect(() => kernel.init.ref(ownConfig)).toThrow(/EBADF/);
    expect(kernel.init.ref(shared).open).toBe(true);
    expect(new TextDecoder().decode(await store.readFile(b.digest, '/lib/shared.txt'))).toBe(hello['lib/shared.txt']);
    expect(storeBlobs(kernel).size).toBe(5);

    // By digest prefix: the image and all its tags.
    await store.add(tree(bye), 'bye:2');
    await store.remove(b.digest.slice(7, 20), inUse);
    expect(store.list()).toEqual([]);
    // Only the index is left.
    expect(storeBlobs(kernel).size).toBe(1);
  });

  it('gives file handles with READ, EXEC and DELEGATE, and every file with its bytes', async () => {
    const kernel = await Kernel.boot();
    const store = await ImageStore.open(kernel);
    const a = await store.add(tree(hello), 'hello');
    const handle = store.fileHandle(a.digest, 'main.mjs');
    const init = kernel.tasks.get(kernel.init.taskName.key)!;
    const rights = kernel.ref(init, handle, 'test', 'handle').rights;
    expect(rights & (Rights.READ | Rights.EXEC | Rights.DELEGATE)).toBe(Rights.READ | Rights.EXEC | Rights.DELEGATE);
    const files = await store.files(a.digest);
    expect(files.map((f) => f.path)).toEqual(['dios-image.json', 'lib/shared.txt', 'main.mjs']);
    expect(new TextDecoder().decode(files[2]!.bytes)).toBe(hello['main.mjs']);
    expect(refusal(() => store.fileHandle(a.digest, '/nope'))).toEqual({ code: 'ENOENT', argument: 'path' });
    expect(await asyncRefusal(store.readFile('sha256:00', '/main.mjs'))).toEqual({ code: 'ENOENT', argument: 'image' });
  });

  it('refuses a file larger than a blob with EFBIG naming it, and names the directory in messages', async () => {
    const kernel = await Kernel.boot();
    const store = await ImageStore.open(kernel);
    // Never allocated: the size is checked before anything reads the bytes.
    const huge = { length: MAX_BLOB_BYTES + 1 } as Uint8Array;
    expect(await asyncRefusal(store.add([...tree(hello), { path: 'big.bin', bytes: huge }]))).toEqual({
      code: 'EFBIG',
      argument: 'big.bin',
    });
    await expect(store.add(tree({ 'main.mjs': '' }), undefined, '/src/app')).rejects.toThrow(
      /ENOENT.*\/src\/app has no dios-image\.json/,
    );
  });

  it('keeps images and tags in durable blobs across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dios-images-'));
    try {
      const first = new FileBlobStore(dir, { fsync: 'none' });
      const k1 = await Kernel.boot({ store: first, cluster: 'images-test' });
      const s1 = await ImageStore.open(k1);
      const a = await s1.add(tree(hello), 'hello');
      const b = await s1.add(tree(bye), 'bye');
      const gone = await s1.add(tree({ ...hello, 'x.txt': 'x' }), 'gone');
      await s1.remove('gone', () => false);
      expect([...storeBlobs(k1).values()].every((o) => o.type === ObjectType.DURABLE_BLOB)).toBe(true);
      const listed = s1.list();
      await first.close();

      const second = new FileBlobStore(dir, { fsync: 'none' });
      const k2 = await Kernel.boot({ store: second, cluster: 'images-test' });
      const s2 = await ImageStore.open(k2);
      expect(s2.list()).toEqual(listed);
      expect(s2.resolve('bye').digest).toBe(b.digest);
      expect(refusal(() => s2.resolve(gone.digest))).toEqual({ code: 'ENOENT', argument: 'image' });
      expect(new TextDecoder().decode(await s2.readFile(a.digest, '/main.mjs'))).toBe(hello['main.mjs']);
      // The store goes on working: removing one image keeps the file blobs the other holds.
      await s2.remove('hello', () => false);
      expect(new TextDecoder().decode(await s2.readFile(b.digest, '/lib/shared.txt'))).toBe(hello['lib/shared.txt']);
      // Index, bye's manifest and its three files.
      expect(storeBlobs(k2).size).toBe(5);
      // What it adds now is durable too.
      await s2.add(tree({ ...hello, 'y.txt': 'y' }), 'later');
      expect(storeBlobs(k2).size).toBe(8);
      expect([...storeBlobs(k2).values()].every((o) => o.type === ObjectType.DURABLE_BLOB)).toBe(true);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
