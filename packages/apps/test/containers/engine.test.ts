/**
 * The container engine over a real kernel with a durable store and worker
 * threads: the life cycle (create, start, wait, stop with its grace period,
 * kill, rm), logs, exec, a memory bomb stopped alone, shares, and
 * everything back after a restart on the same store.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from 'uuid';
import { Kernel, Name, pathNameSync, type BlobStore } from '@dios/kernel';
import { FileBlobStore, useWorkers, type WorkerPool } from '@dios/kernel/node';
import { expectErrno } from '../../../kernel/test/support/errno.js';
import { ContainerEngine } from '../../src/containers/engine/engine.js';
import { nodeEngineHost } from '../../src/cli/containers/host-files.js';

const DEMO = fileURLToPath(new URL('./fixtures/engine-demo', import.meta.url));
const dec = new TextDecoder();

interface Booted {
  kernel: Kernel;
  pool: WorkerPool;
  store: FileBlobStore;
  engine: ContainerEngine;
  /** Set to stop every write reaching the disk, as when the host dies. */
  crashed: { value: boolean };
}

// The file store, cut off from its disk once `crashed` is set: later writes never land.
function crashable(store: FileBlobStore, crashed: { value: boolean }): BlobStore {
  return {
    load: () => store.load(),
    commit: (meta, change, content) => (crashed.value ? new Promise(() => {}) : store.commit(meta, change, content)),
    remove: (name) => (crashed.value ? new Promise(() => {}) : store.remove(name)),
  };
}

describe('the container engine', () => {
  let dir: string;
  let booted: Booted;

  async function boot(): Promise<Booted> {
    const store = new FileBlobStore(join(dir, 'store'));
    const crashed = { value: false };
    const kernel = await Kernel.boot({ store: crashable(store, crashed), id: 'engine-test' });
    const pool = useWorkers(kernel, { size: 1, pureSpares: 1 });
    const engine = await ContainerEngine.open(kernel, {
      host: nodeEngineHost(join(dir, 'images')),
      sample: () => pool.sample(),
    });
    return { kernel, pool, store, engine, crashed };
  }

  // `crash`: nothing the engine does afterwards reaches the disk (as when the host dies).
  async function shutdown(b: Booted, crash = false): Promise<void> {
    b.crashed.value = crash;
    await b.pool.close();
    await b.store.close();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dios-engine-'));
    booted = await boot();
  });
  afterAll(async () => {
    await shutdown(booted);
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds an image, runs a container to its end, and keeps its output and exit code', async () => {
    const { engine } = booted;
    const image = await engine.buildImage(DEMO, 'demo');
    expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.tags).toEqual(['demo:latest']);
    const created = await engine.create({ image: 'demo', name: 'greeter', args: ['dios', '3'] });
    expect(created.State.Status).toBe('created');
    expect(created.Dios.Group).toMatch(/^[0-9a-f]{64}$/);
    // The id is a random (v4) UUID, in 32 hex digits.
    expect(created.Id).toMatch(/^[0-9a-f]{32}$/);
    expect(version(created.Id.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'))).toBe(4);
    const started = await engine.start('greeter');
    expect(started.State.Status).toBe('running');
    expect(await engine.wait('greeter')).toBe(3);
    const info = engine.inspect('greeter');
    expect(info.State).toMatchObject({ Status: 'stopped', ExitCode: 3, OOMKilled: false, Running: false });
    expect(dec.decode(await engine.logs('greeter'))).toBe('hello dios\n');
    expect(engine.list().map((c) => c.name)).not.toContain('greeter');
    expect(engine.list(true).map((c) => c.name)).toContain('greeter');
    // A stopped container starts again, and its output accumulates.
    await engine.start(info.Id.slice(0, 12));
    expect(await engine.wait('greeter')).toBe(3);
    expect(dec.decode(await engine.logs('greeter'))).toBe('hello dios\nhello dios\n');
    const stats = engine.stats('greeter');
    expect(stats.tasks).toBe(0);
    expect(stats.calls).toBeGreaterThan(0);
  });

  it('stop: a task that heeds the notice ends within the grace period; one that ignores it is killed after it', async () => {
    const { engine } = booted;
    await engine.create({ image: 'demo', name: 'polite', entry: '/bin/graceful.mjs' });
    await engine.start('polite');
    await waitFor(async () => dec.decode(await engine.logs('polite')).includes('waiting'));
    const stopped = await engine.stop('polite', 5000);
    expect(stopped.State).toMatchObject({ Status: 'stopped', ExitCode: 0, Error: '' });
    expect(dec.decode(await engine.logs('polite'))).toBe('waiting\nstopping\n');

    await engine.create({ image: 'demo', name: 'stubborn', entry: '/bin/stubborn.mjs' });
    await engine.start('stubborn');
    await waitFor(async () => dec.decode(await engine.logs('stubborn')).includes('stubborn'));
    const killed = await engine.stop('stubborn', 200);
    expect(killed.State).toMatchObject({ Status: 'stopped', ExitCode: 137, Error: 'killed' });
  });

  it('exec runs another program of the image inside the running container; rm refuses a running one without force', async () => {
    const { engine, kernel } = booted;
    await engine.create({ image: 'demo', name: 'box', entry: '/bin/stubborn.mjs' });
    await engine.start('box');
    const motd = pathNameSync(kernelGroup(engine, 'box'), '/etc/motd').key;
    expect(await engine.exec('box', ['/bin/cat.mjs', motd])).toBe(0);
    // The image's files are read-only inside: the write is refused.
    expect(dec.decode(await engine.logs('box'))).toContain('config file of the demo image\n|write:EACCES');
    await expectErrno(engine.exec('box', ['/bin/missing.mjs']), 'ENOENT', 'argv[0]');
    await expectErrno(engine.remove('box'), 'EBUSY', 'container');
    const id = engine.inspect('box').Id;
    await engine.remove('box', true);
    expect(kernel.containers.has(id)).toBe(false);
    await expectErrno(async () => engine.inspect('box'), 'ENOENT', 'container');
  });

  it('a memory bomb stops its own container only', async () => {
    const { engine } = booted;
    await engine.create({ image: 'demo', name: 'bomb', entry: '/bin/bomb.mjs', limits: { memory: '16m' } });
    await engine.create({ image: 'demo', name: 'neighbour', entry: '/bin/stubborn.mjs' });
    await engine.start('neighbour');
    await engine.start('bomb');
    expect(await engine.wait('bomb')).toBe(137);
    expect(engine.inspect('bomb').State).toMatchObject({ Status: 'stopped', OOMKilled: true });
    expect(engine.inspect('bomb').State.Error).toContain('memory limit of 16 MiB');
    expect(engine.inspect('neighbour').State.Status).toBe('running');
    await engine.kill('neighbour');
    expect(engine.inspect('neighbour').State.ExitCode).toBe(137);
  });

  it('loads host files into DIOS paths and shares one read-only at its path; refuses what is not there', async () => {
    const { engine, kernel } = booted;
    const host = join(dir, 'host-data');
    mkdirSync(join(host, 'sub'), { recursive: true });
    writeFileSync(join(host, 'in.txt'), 'shared text');
    writeFileSync(join(host, 'sub', 'more.txt'), 'more');
    expect(await engine.load('/data', host)).toEqual(['/data/in.txt', '/data/sub/more.txt']);
    expect(await engine.load('/single.txt', join(host, 'sub', 'more.txt'))).toEqual(['/single.txt']);
    // Loading again replaces the content.
    writeFileSync(join(host, 'sub', 'more.txt'), 'less');
    expect(await engine.load('/single.txt', join(host, 'sub', 'more.txt'))).toEqual(['/single.txt']);
    await expectErrno(engine.load('/x', join(host, 'none')), 'ENOENT', 'hostPath');
    await expectErrno(engine.load('/x', join(host, 'in.txt', 'deeper')), 'ENOTDIR', 'hostPath');
    await expectErrno(engine.load('', host), 'EINVAL', 'path');
    const [single] = await kernel.init.lookup(pathNameSync(kernel.rootGroup.name, '/single.txt').key);
    expect(kernel.init.ref(single!).size).toBe(4);
    await engine.create({
      image: 'demo',
      name: 'reader',
      entry: '/bin/stubborn.mjs',
      shares: ['/data/in.txt:ro'],
    });
    await engine.start('reader');
    const inside = pathNameSync(kernelGroup(engine, 'reader'), '/data/in.txt').key;
    expect(await engine.exec('reader', ['/bin/cat.mjs', inside])).toBe(0);
    expect(dec.decode(await engine.logs('reader'))).toContain('shared text|write:EACCES');
    expect(engine.inspect('reader').Shares).toEqual([
      {
        spec: '/data/in.txt:ro',
        name: pathNameSync(kernel.rootGroup.name, '/data/in.txt').key,
        path: '/data/in.txt',
        readOnly: true,
      },
    ]);
    await engine.kill('reader');
    await expectErrno(engine.create({ image: 'demo', shares: ['/data/none'] }), 'ENOENT', 'shares[0]');
    await expectErrno(engine.create({ image: 'demo', name: 'greeter' }), 'EEXIST', 'name');
    await expectErrno(engine.create({ image: 'nope' }), 'ENOENT', 'image');
    // What a client that is not the CLI might send: each refused naming the field, nothing made.
    const before = kernel.containers.size;
    const bad = (spec: Record<string, unknown>) => engine.create({ image: 'demo', ...spec });
    await expectErrno(bad({ shares: { '/data/in.txt': 'ro' } }), 'EINVAL', 'shares');
    await expectErrno(bad({ shares: [7] }), 'EINVAL', 'shares[0]');
    await expectErrno(bad({ env: 'A=1' }), 'EINVAL', 'env');
    await expectErrno(bad({ env: { A: 1 } }), 'EINVAL', 'env.A');
    await expectErrno(bad({ limits: [] }), 'EINVAL', 'limits');
    await expectErrno(bad({ args: 'x' }), 'EINVAL', 'args');
    await expectErrno(bad({ entry: 5 }), 'EINVAL', 'entry');
    await expectErrno(bad({ name: '-x' }), 'EINVAL', 'name');
    expect(kernel.containers.size).toBe(before);
  });

  it('comes back after a restart: images, containers (running ones stopped), logs', async () => {
    const { engine } = booted;
    await engine.create({ image: 'demo', name: 'long', entry: '/bin/stubborn.mjs' });
    await engine.start('long');
    await waitFor(async () => dec.decode(await engine.logs('long')).includes('stubborn'));
    const before = engine
      .list(true)
      .map((c) => c.name)
      .sort();
    await shutdown(booted, true);
    booted = await boot();
    const after = booted.engine;
    expect(after.listImages().map((i) => i.tags[0])).toEqual(['demo:latest']);
    expect(
      after
        .list(true)
        .map((c) => c.name)
        .sort(),
    ).toEqual(before);
    expect(after.inspect('long').State).toMatchObject({ Status: 'stopped', ExitCode: 255 });
    expect(dec.decode(await after.logs('greeter'))).toBe('hello dios\nhello dios\n');
    await after.start('greeter');
    expect(await after.wait('greeter')).toBe(3);
  });
});

// The name of a container's group, as inspect shows it.
function kernelGroup(engine: ContainerEngine, name: string) {
  return Name.parse(engine.inspect(name).Dios.Group);
}

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
